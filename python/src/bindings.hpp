#pragma once
// What the parts of the Python module share: each bind_*.cpp adds its functions to the module,
// and the errors Python should see as OSError rather than ValueError or RuntimeError.
#include <stdexcept>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace fusednmf::python {

namespace py = pybind11;

/// A file that cannot be opened or read: reaches Python as OSError with the same message.
/// (std::invalid_argument reaches it as ValueError; see module.cpp.)
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void bind_prox(py::module_& module);
void bind_smooth_nmf(py::module_& module);
void bind_poisson_nmf(py::module_& module);
void bind_bigwig(py::module_& module);  // only with FUSEDNMF_PYTHON_BIGWIG

/// Whether the array holds float32 (computed in float) rather than anything else (double).
inline bool is_float32(const py::array& a) { return a.dtype().is(py::dtype::of<float>()); }

/// The shape as Python prints it, for messages: "(3, 4)".
inline std::string shape_string(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

}  // namespace fusednmf::python
