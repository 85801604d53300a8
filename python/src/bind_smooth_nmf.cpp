// fusednmf._core.fit_smooth: NMF<Regularizer> on a NumPy matrix, for the SmoothNMF estimator
// (fusednmf/_estimators.py validates and documents the arguments). The call is the C++ API's:
//   NMF<FusedLasso<Scalar>>(options, {lam, mu}).fit(Y)            (no chains)
//   NMF<FusedLasso<Scalar>>(options, {lam, mu}).fit(S, chains)    (with chains or sample weights)
// where S is Y as a SegmentedMatrix whose row lengths are the sample weights (1 without them),
// with NoRegularizer<Scalar> when lam = mu = 0, so the same input and seed give the same bytes.
// With a grid of λ, λ is first chosen by cross_validate_lambda(S, chains, options, cv) (lambda_cv.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <fusednmf/lambda_cv.hpp>
#include <fusednmf/nmf.hpp>

#include "bindings.hpp"

namespace fusednmf::python {
namespace {

Init parse_init(const std::string& name) {
  for (Init init : {Init::NNDSVDa, Init::NNDSVD, Init::Random, Init::RandomizedSVD, Init::ClippedSVD})
    if (name == to_string(init)) return init;
  throw std::invalid_argument("SmoothNMF: init must be \"nndsvda\", \"nndsvd\", \"random\", \"rsvd\" or \"clipped-svd\", got \"" +
                              name + "\"");
}

Solver parse_solver(const std::string& name) {
  for (Solver solver : {Solver::HALS, Solver::ProjectedALS})
    if (name == to_string(solver)) return solver;
  throw std::invalid_argument("SmoothNMF: solver must be \"hals\" or \"als\", got \"" + name + "\"");
}

template <class Scalar>
using MatrixMap = Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>;

// Y with each row a segment as long as its weight (1 without weights): what the fits with chains
// or weights and the cross-validation take.
template <class Scalar>
SegmentedMatrix<Scalar> segments_of(const MatrixMap<Scalar>& values, const std::vector<double>& weights) {
  SegmentedMatrix<Scalar> segmented;
  segmented.values = values;
  segmented.lengths = SegmentedMatrix<Scalar>::Vector::Ones(values.rows());
  if (!weights.empty()) {
    if (Eigen::Index(weights.size()) != values.rows())
      throw std::invalid_argument("SmoothNMF: " + std::to_string(weights.size()) + " sample weights for " +
                                  std::to_string(values.rows()) + " rows");
    for (Eigen::Index r = 0; r < values.rows(); ++r) segmented.lengths[r] = Scalar(weights[std::size_t(r)]);
  }
  segmented.validate();
  return segmented;
}

template <class Regularizer>
NMFResult<typename Regularizer::Scalar> fit_with(const MatrixMap<typename Regularizer::Scalar>& values,
                                                 const NMFOptions& options, const Regularizer& regularizer,
                                                 const std::vector<Eigen::Index>& chains,
                                                 const std::vector<double>& weights) {
  const NMF<Regularizer> nmf(options, regularizer);
  if (chains.empty() && weights.empty()) return nmf.fit(values);
  return nmf.fit(segments_of(values, weights), chains);
}

template <class Scalar>
py::dict fit_in(const py::array& Y_input, const NMFOptions& options, double lam, double mu,
                const std::vector<double>& lam_grid, const std::vector<Eigen::Index>& chains,
                const std::vector<double>& weights) {
  // Column-major, as Eigen stores it: a Fortran-ordered array is used as it is, any other copied.
  const auto Y = py::array_t<Scalar, py::array::f_style | py::array::forcecast>::ensure(Y_input);
  if (!Y || Y.ndim() != 2) throw std::invalid_argument("SmoothNMF: Y must be a 2-D numeric array");
  const MatrixMap<Scalar> values(Y.data(), Y.shape(0), Y.shape(1));
  py::dict out;
  NMFResult<Scalar> result;
  {
    py::gil_scoped_release unlocked;
    if (!lam_grid.empty()) {
      LambdaCVOptions cv;
      cv.lambdas = lam_grid;
      cv.seed = options.seed;
      const LambdaCVCurve curve = cross_validate_lambda(segments_of(values, weights), chains, options, cv);
      lam = curve.lambda();
      py::gil_scoped_acquire locked;
      out["cv_lambdas"] = curve.lambdas;
      out["cv_mean_error"] = curve.mean_error;
      out["cv_standard_error"] = curve.standard_error;
      out["cv_not_fitted"] = curve.not_fitted;
      out["cv_repeats"] = curve.repeats;
    }
    if (lam == 0 && mu == 0) {
      result = fit_with(values, options, NoRegularizer<Scalar>{}, chains, weights);
    } else {
      result = fit_with(values, options, FusedLasso<Scalar>{lam, mu}, chains, weights);
    }
  }
  out["lam"] = lam;
  out["W"] = std::move(result.W);
  out["H"] = std::move(result.H);
  out["objective"] = std::move(result.objective);
  out["residual"] = std::move(result.residual);
  out["iterations"] = result.iterations;
  out["status"] = std::string(to_string(result.status));
  out["restart"] = result.restart;
  out["restart_objectives"] = std::move(result.restart_objectives);
  out["reseeded"] = result.reseeded;
  out["dead_factors"] = result.dead_factors;
  return out;
}

py::dict fit_smooth(const py::array& Y, Eigen::Index rank, double lam, double mu, double l2, const std::string& init,
                    const std::string& solver, int max_iter, double tol, int restarts, std::uint64_t seed,
                    int threads, double time_limit, const std::vector<Eigen::Index>& chains,
                    const std::vector<double>& lam_grid,
                    const py::array_t<double, py::array::c_style | py::array::forcecast>& sample_weight) {
  const std::vector<double> weights(sample_weight.data(), sample_weight.data() + sample_weight.size());
  NMFOptions options;
  options.rank = rank;
  options.l2 = l2;
  options.init = parse_init(init);
  options.solver = parse_solver(solver);
  options.max_iterations = max_iter;
  options.tolerance = tol;
  options.restarts = restarts;
  options.seed = seed;
  options.threads = threads;
  options.time_limit = time_limit;
  options.missing = MissingValues::Mask;  // NaN marks a missing entry
  return is_float32(Y) ? fit_in<float>(Y, options, lam, mu, lam_grid, chains, weights)
                       : fit_in<double>(Y, options, lam, mu, lam_grid, chains, weights);
}

// The C++ API called directly, with its defaults and none of the estimator's handling of the
// array: the other side of the module's bit-for-bit tests (tests/python). It lives here, not in a
// program of its own, because this file already instantiates every fit it calls: a separate
// program compiled them all again (two minutes of CI's compile).
template <class Scalar>
py::tuple reference_smooth_in(const Eigen::MatrixXd& data, const NMFOptions& options, double lam,
                              const std::vector<Eigen::Index>& chains) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Matrix Y = data.cast<Scalar>();
  NMFResult<Scalar> result;
  {
    py::gil_scoped_release unlocked;
    SegmentedMatrix<Scalar> segments;
    if (!chains.empty()) {
      segments.values = Y;
      segments.lengths = SegmentedMatrix<Scalar>::Vector::Ones(Y.rows());
    }
    if (lam == 0) {
      const NMF<NoRegularizer<Scalar>> nmf(options, NoRegularizer<Scalar>{});
      result = chains.empty() ? nmf.fit(Y) : nmf.fit(segments, chains);
    } else {
      const NMF<FusedLasso<Scalar>> nmf(options, FusedLasso<Scalar>{lam, 0.0});
      result = chains.empty() ? nmf.fit(Y) : nmf.fit(segments, chains);
    }
  }
  return py::make_tuple(std::move(result.W), std::move(result.H));
}

py::tuple reference_smooth(const Eigen::MatrixXd& Y, bool single, Eigen::Index rank, double lam, std::uint64_t seed,
                           const std::vector<Eigen::Index>& chains) {
  NMFOptions options;
  options.rank = rank;
  options.seed = seed;
  options.missing = MissingValues::Mask;  // as fit_smooth sets it
  return single ? reference_smooth_in<float>(Y, options, lam, chains) : reference_smooth_in<double>(Y, options, lam, chains);
}

}  // namespace

void bind_smooth_nmf(py::module_& module) {
  module.def("_reference_smooth", &reference_smooth, py::arg("Y"), py::arg("single"), py::arg("rank"), py::arg("lam"),
             py::arg("seed"), py::arg("chains"),
             "For the tests: NMF<FusedLasso> (NoRegularizer at lam = 0) with the C++ defaults, on float64 Y cast to "
             "float32 when single; returns (W, H).");
  module.def("fit_smooth", &fit_smooth, py::arg("Y"), py::arg("rank"), py::arg("lam"), py::arg("mu"), py::arg("l2"),
             py::arg("init"), py::arg("solver"), py::arg("max_iter"), py::arg("tol"), py::arg("restarts"),
             py::arg("seed"), py::arg("threads"), py::arg("time_limit"), py::arg("chains"),
             py::arg("lam_grid"), py::arg("sample_weight"),
             "NMF<FusedLasso> on a 2-D float32/float64 array (NaN: missing), λ from lam_grid by cross-validation "
             "when it is not empty; see fusednmf.SmoothNMF.");
}

}  // namespace fusednmf::python
