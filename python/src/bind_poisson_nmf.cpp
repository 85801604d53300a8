// fusednmf._core.fit_poisson: PoissonNMF<Scalar>(options).fit(V) on a NumPy matrix, for the
// PoissonNMF estimator (fusednmf/_estimators.py).
#include <cstdint>
#include <string>

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <fusednmf/poisson_nmf.hpp>

#include "bindings.hpp"

namespace fusednmf::python {
namespace {

// Fits V (dense or sparse) with the GIL released; the result as the estimator reads it.
template <class Scalar, class Data>
py::dict fit_released(const Data& V, const PoissonNMFOptions& options) {
  const PoissonNMF<Scalar> nmf(options);
  PoissonNMFResult<Scalar> result;
  {
    py::gil_scoped_release unlocked;
    result = nmf.fit(V);
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

template <class Scalar>
py::dict fit_in(const py::array& V_input, const PoissonNMFOptions& options) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const auto V = py::array_t<Scalar, py::array::f_style | py::array::forcecast>::ensure(V_input);
  if (!V || V.ndim() != 2) throw std::invalid_argument("PoissonNMF: V must be a 2-D numeric array");
  const Eigen::Map<const Matrix> values(V.data(), V.shape(0), V.shape(1));
  return fit_released<Scalar>(Eigen::Ref<const Matrix>(values), options);
}

// Sparse V from the arrays of a scipy CSC matrix (column offsets, row indices, values): copied
// once into an Eigen sparse matrix, then fitted by the multiplicative updates over its entries.
template <class Scalar>
py::dict fit_sparse_in(Eigen::Index rows, Eigen::Index cols, const py::array& data_input, const py::array& indices_input,
                       const py::array& indptr_input, const PoissonNMFOptions& options) {
  const auto data = py::array_t<Scalar, py::array::c_style | py::array::forcecast>::ensure(data_input);
  const auto indices = py::array_t<int, py::array::c_style | py::array::forcecast>::ensure(indices_input);
  const auto indptr = py::array_t<int, py::array::c_style | py::array::forcecast>::ensure(indptr_input);
  if (!data || !indices || !indptr || data.ndim() != 1 || indices.size() != data.size() || indptr.size() != cols + 1)
    throw std::invalid_argument("PoissonNMF: the sparse matrix's arrays do not fit its shape");
  const Eigen::Map<const Eigen::SparseMatrix<Scalar, Eigen::ColMajor, int>> view(
      rows, cols, Eigen::Index(data.size()), indptr.data(), indices.data(), data.data());
  return fit_released<Scalar>(Eigen::SparseMatrix<Scalar>(view), options);
}

PoissonSolver parse_poisson_solver(const std::string& name) {
  for (PoissonSolver solver : {PoissonSolver::MultiplicativeUpdates, PoissonSolver::CoordinateDescent})
    if (name == to_string(solver)) return solver;
  throw std::invalid_argument("PoissonNMF: solver must be \"mu\" or \"ccd\", got \"" + name + "\"");
}

// The estimator's settings as options (NaN in dense V marks a missing entry).
PoissonNMFOptions poisson_options(Eigen::Index rank, int max_iter, double tol, std::uint64_t seed, int threads,
                                  const std::string& solver) {
  PoissonNMFOptions options;
  options.solver = parse_poisson_solver(solver);
  options.rank = rank;
  options.max_iterations = max_iter;
  options.tolerance = tol;
  options.seed = seed;
  options.threads = threads;
  options.missing = MissingValues::Mask;
  return options;
}

py::dict fit_poisson(const py::array& V, Eigen::Index rank, int max_iter, double tol, std::uint64_t seed, int threads,
                     const std::string& solver) {
  const PoissonNMFOptions options = poisson_options(rank, max_iter, tol, seed, threads, solver);
  return is_float32(V) ? fit_in<float>(V, options) : fit_in<double>(V, options);
}

py::dict fit_poisson_sparse(Eigen::Index rows, Eigen::Index cols, const py::array& data, const py::array& indices,
                            const py::array& indptr, Eigen::Index rank, int max_iter, double tol, std::uint64_t seed,
                            int threads, const std::string& solver) {
  const PoissonNMFOptions options = poisson_options(rank, max_iter, tol, seed, threads, solver);
  return is_float32(data) ? fit_sparse_in<float>(rows, cols, data, indices, indptr, options)
                          : fit_sparse_in<double>(rows, cols, data, indices, indptr, options);
}

// The C++ API called directly, for the bit-for-bit tests (see reference_smooth in
// bind_smooth_nmf.cpp): PoissonNMF<Scalar> with its defaults on float64 V cast to Scalar.
template <class Scalar>
py::tuple reference_poisson_in(const Eigen::MatrixXd& data, const PoissonNMFOptions& options) {
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> V = data.cast<Scalar>();
  PoissonNMFResult<Scalar> result;
  {
    py::gil_scoped_release unlocked;
    result = PoissonNMF<Scalar>(options).fit(V);
  }
  return py::make_tuple(std::move(result.W), std::move(result.H));
}

py::tuple reference_poisson(const Eigen::MatrixXd& V, bool single, Eigen::Index rank, std::uint64_t seed) {
  PoissonNMFOptions options;
  options.rank = rank;
  options.seed = seed;
  options.missing = MissingValues::Mask;  // as fit_poisson sets it
  return single ? reference_poisson_in<float>(V, options) : reference_poisson_in<double>(V, options);
}

}  // namespace

void bind_poisson_nmf(py::module_& module) {
  module.def("_reference_poisson", &reference_poisson, py::arg("V"), py::arg("single"), py::arg("rank"),
             py::arg("seed"), "For the tests: PoissonNMF with the C++ defaults; returns (W, H).");
  module.def("fit_poisson_sparse", &fit_poisson_sparse, py::arg("rows"), py::arg("cols"), py::arg("data"),
             py::arg("indices"), py::arg("indptr"), py::arg("rank"), py::arg("max_iter"), py::arg("tol"),
             py::arg("seed"), py::arg("threads"), py::arg("solver") = "mu",
             "PoissonNMF's multiplicative updates over the stored entries of a CSC matrix "
             "(its shape, data, indices and indptr); see fusednmf.PoissonNMF.");
  module.def("fit_poisson", &fit_poisson, py::arg("V"), py::arg("rank"), py::arg("max_iter"), py::arg("tol"),
             py::arg("seed"), py::arg("threads"), py::arg("solver") = "mu",
             "PoissonNMF (KL multiplicative updates, or coordinate descent) on a 2-D float32/float64 array (NaN: missing); "
             "see fusednmf.PoissonNMF.");
}

}  // namespace fusednmf::python
