// fusednmf._core.fit_poisson: PoissonNMF<Scalar>(options).fit(V) on a NumPy matrix, for the
// PoissonNMF estimator (fusednmf/_estimators.py).
#include <cstdint>
#include <string>

#include <Eigen/Core>
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <fusednmf/poisson_nmf.hpp>

#include "bindings.hpp"

namespace fusednmf::python {
namespace {

template <class Scalar>
py::dict fit_in(const py::array& V_input, const PoissonNMFOptions& options) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const auto V = py::array_t<Scalar, py::array::f_style | py::array::forcecast>::ensure(V_input);
  if (!V || V.ndim() != 2) throw std::invalid_argument("PoissonNMF: V must be a 2-D numeric array");
  const Eigen::Map<const Matrix> values(V.data(), V.shape(0), V.shape(1));
  const PoissonNMF<Scalar> nmf(options);
  PoissonNMFResult<Scalar> result;
  {
    py::gil_scoped_release unlocked;
    result = nmf.fit(values);
  }
  py::dict out;
  out["W"] = std::move(result.W);
  out["H"] = std::move(result.H);
  out["log_likelihood"] = std::move(result.log_likelihood);
  out["kkt_residual"] = std::move(result.kkt_residual);
  out["iterations"] = result.iterations;
  out["status"] = std::string(to_string(result.status));
  return out;
}

PoissonSolver parse_poisson_solver(const std::string& name) {
  for (PoissonSolver solver : {PoissonSolver::MultiplicativeUpdates, PoissonSolver::CoordinateDescent})
    if (name == to_string(solver)) return solver;
  throw std::invalid_argument("PoissonNMF: solver must be \"mu\" or \"ccd\", got \"" + name + "\"");
}

py::dict fit_poisson(const py::array& V, Eigen::Index rank, int max_iter, double tol, std::uint64_t seed, int threads,
                     const std::string& solver) {
  PoissonNMFOptions options;
  options.solver = parse_poisson_solver(solver);
  options.rank = rank;
  options.max_iterations = max_iter;
  options.tolerance = tol;
  options.seed = seed;
  options.threads = threads;
  options.missing = MissingValues::Mask;  // NaN marks a missing entry
  return is_float32(V) ? fit_in<float>(V, options) : fit_in<double>(V, options);
}

}  // namespace

void bind_poisson_nmf(py::module_& module) {
  module.def("fit_poisson", &fit_poisson, py::arg("V"), py::arg("rank"), py::arg("max_iter"), py::arg("tol"),
             py::arg("seed"), py::arg("threads"), py::arg("solver") = "mu",
             "PoissonNMF (KL multiplicative updates, or coordinate descent) on a 2-D float32/float64 array (NaN: missing); "
             "see fusednmf.PoissonNMF.");
}

}  // namespace fusednmf::python
