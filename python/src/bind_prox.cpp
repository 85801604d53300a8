// fusednmf.tv_prox: FusedLassoProx on a NumPy vector, in its own dtype (float32 stays float32,
// everything else is computed in float64), without copying contiguous input.
#include <string>

#include <fusednmf/prox/fused_lasso_prox.hpp>

#include "bindings.hpp"

namespace fusednmf::python {
namespace {

// The input as a contiguous vector of Scalar: the array itself when it already is one (no copy).
template <class Scalar>
py::array_t<Scalar, py::array::c_style> contiguous_vector(const py::handle& input, const char* name) {
  auto array = py::array_t<Scalar, py::array::c_style | py::array::forcecast>::ensure(input);
  if (!array) throw std::invalid_argument(std::string("tv_prox: ") + name + " is not a numeric array");
  if (array.ndim() != 1)
    throw std::invalid_argument(std::string("tv_prox: ") + name + " must be 1-D, got shape " + shape_string(array));
  return array;
}

template <class Scalar, class Variant>
py::array prox_in(const py::array& y_input, double lam, const py::object& weights_input, double mu, bool nonnegative,
                  const py::object& out_input, int threads) {
  const auto y = contiguous_vector<Scalar>(y_input, "y");
  const py::ssize_t n = y.shape(0);
  // y and the weights are checked by the operator itself, in its pass on two threads, which
  // names the culprit ("y[7] = nan is not finite", "weights[2] = -0.000000 is not > 0"): a
  // second pass here cost 4-13 % of a 10^6-element call.

  py::array_t<Scalar, py::array::c_style> weights;  // (a default array_t is an empty array, not None)
  const bool weighted = !weights_input.is_none();
  if (weighted) {
    weights = contiguous_vector<Scalar>(weights_input, "weights");
    if (weights.shape(0) != n)
      throw std::invalid_argument("tv_prox: weights has length " + std::to_string(weights.shape(0)) +
                                  " but y has length " + std::to_string(n));
  }

  py::array_t<Scalar, py::array::c_style> out;
  if (out_input.is_none()) {
    out = py::array_t<Scalar, py::array::c_style>(n);
  } else {  // written in place: it must already be exactly what the result is
    const auto given = py::array::ensure(out_input);
    if (!given || !given.dtype().is(py::dtype::of<Scalar>()) || given.ndim() != 1 || given.shape(0) != n ||
        !(given.flags() & py::array::c_style) || !given.writeable())
      throw std::invalid_argument("tv_prox: out must be a writeable contiguous 1-D array of y's dtype (" +
                                  std::string(py::str(py::dtype::of<Scalar>())) + ") and length " +
                                  std::to_string(n));
    out = py::reinterpret_borrow<py::array_t<Scalar, py::array::c_style>>(given);
  }

  const FusedLassoProx<Scalar, Variant> prox(FusedLassoParams{lam, mu, nonnegative});  // validates lam, mu
  const Scalar* w = weighted ? weights.data() : nullptr;
  Scalar* x = out.mutable_data();
  {
    py::gil_scoped_release unlocked;
    thread_local ProxWorkspace workspace;  // after the first call of a size, no call allocates
    // Every core, found once: asking the kernel for the affinity mask and the cgroup quota costs
    // about 10 µs, several times a short call.
    static const int every_core = fusednmf::detail::available_cores();
    workspace.set_threads(threads > 0 ? threads : every_core);
    prox.apply(y.data(), w, x, n, workspace);
  }
  return std::move(out);
}

py::array tv_prox(const py::object& y, double lam, const py::object& weights, double mu, bool nonnegative,
                  const std::string& variant, const py::object& out, int threads) {
  if (threads < 0) throw std::invalid_argument("tv_prox: threads must be >= 0 (0: every core), got " + std::to_string(threads));
  const bool single = py::isinstance<py::array>(y) && is_float32(py::reinterpret_borrow<py::array>(y));
  if (variant == "condat")
    return single ? prox_in<float, prox::Condat>(y, lam, weights, mu, nonnegative, out, threads)
                  : prox_in<double, prox::Condat>(y, lam, weights, mu, nonnegative, out, threads);
  if (variant == "dp")
    return single ? prox_in<float, prox::DynamicProgramming>(y, lam, weights, mu, nonnegative, out, threads)
                  : prox_in<double, prox::DynamicProgramming>(y, lam, weights, mu, nonnegative, out, threads);
  throw std::invalid_argument("tv_prox: variant must be \"condat\" or \"dp\", got \"" + variant + "\"");
}

}  // namespace

void bind_prox(py::module_& module) {
  module.def("tv_prox", &tv_prox, py::arg("y"), py::arg("lam"), py::arg("weights") = py::none(),
             py::arg("mu") = 0.0, py::arg("nonnegative") = false, py::arg("variant") = "condat",
             py::arg("out") = py::none(), py::arg("threads") = 0,
             R"doc(The fused-lasso (1-D total variation) proximal operator, exactly:

    argmin_x  1/2 sum_i w_i (x_i - y_i)^2 + lam sum_i |x_{i+1} - x_i|  [+ mu sum_i w_i |x_i|]  [x >= 0]

y: 1-D array. float32 is computed and returned as float32; anything else as float64. A
contiguous y of that dtype is not copied. weights: positive, y's length (None: all 1).
variant: "condat" (fast on genomic signal) or "dp" (Johnson's dynamic programme); both exact.
out: a contiguous array of y's dtype and length to write into (it may be y itself, not the weights).
threads: cores to use (0: every core this process may use). From 16,384 elements on, the input
is solved as two halves side by side and the stretch between them; the result is the same, to
the bit, for any thread count.
The GIL is released while the operator runs.)doc");
}

}  // namespace fusednmf::python
