// The compiled part of the Python package: `fusednmf._core`. The package's __init__.py
// re-exports tv_prox and read_bigwig and builds the estimators on the _fit_* functions.
#include <filesystem>
#include <ios>
#include <stdexcept>

#include <fusednmf/version.hpp>

#include "bindings.hpp"

PYBIND11_MODULE(_core, module) {
  namespace py = pybind11;
  using namespace fusednmf::python;
  module.doc() = "fusednmf's C++ core: the fused-lasso prox, smooth NMF, Poisson NMF and the bigWig reader";
  module.attr("__version__") = FUSEDNMF_VERSION_STRING;

  // The library reports bad arguments as std::invalid_argument; files that cannot be read as
  // FileError or the standard library's I/O errors. Anything else stays RuntimeError.
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const FileError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const std::ios_base::failure& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });

  bind_prox(module);
  bind_smooth_nmf(module);
  bind_poisson_nmf(module);
#ifdef FUSEDNMF_PYTHON_BIGWIG
  bind_bigwig(module);
  module.attr("has_bigwig") = true;
#else
  module.attr("has_bigwig") = false;
#endif
}
