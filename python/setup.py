"""Builds the Python module with pip from a checkout, using Debian's packages (no downloads):

    python3 -m venv --system-site-packages .venv      # Debian's python3 refuses pip installs
    .venv/bin/pip install --no-build-isolation ./python

It compiles fusednmf._core from ../include with pybind11-dev, libeigen3-dev and, when
libbigwig-dev is installed, the bigWig reader (libdeflate-dev is used when present). CMake builds
the same module (FUSEDNMF_PYTHON); this file is for pip.
"""
import ctypes.util
import os
import re

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
include = os.path.normpath(os.path.join(here, "..", "include"))
with open(os.path.join(include, "fusednmf", "version.hpp")) as header:
    version = re.search(r'FUSEDNMF_VERSION_STRING "([^"]+)"', header.read()).group(1)

try:
    import pybind11
    pybind11_include = pybind11.get_include()
except ImportError:  # Debian's pybind11-dev without python3-pybind11
    pybind11_include = "/usr/include"

sources = ["src/module.cpp", "src/bind_prox.cpp", "src/bind_smooth_nmf.cpp", "src/bind_poisson_nmf.cpp"]
macros, libraries = [], ["pthread"]
if os.path.exists("/usr/include/bigWig.h") and ctypes.util.find_library("BigWig"):
    sources.append("src/bind_bigwig.cpp")
    macros.append(("FUSEDNMF_PYTHON_BIGWIG", None))
    libraries += ["BigWig", "z"]
    if os.path.exists("/usr/include/libdeflate.h"):
        macros.append(("FUSEDNMF_WITH_LIBDEFLATE", None))
        libraries.append("deflate")

# -march=native as CMake's FUSEDNMF_NATIVE: the module is built on the machine that runs it.
# FUSEDNMF_NATIVE=0 in the environment builds a portable one.
flags = ["-std=c++17", "-O3", "-fvisibility=hidden"]
if os.environ.get("FUSEDNMF_NATIVE", "1") != "0":
    flags.append("-march=native")

setup(
    name="fusednmf",
    version=version,
    description="Non-negative matrix factorization of genomic signal with fused-lasso smoothing",
    license="MIT",
    packages=["fusednmf"],
    ext_modules=[Extension("fusednmf._core", sources, include_dirs=[include, "/usr/include/eigen3", pybind11_include],
                           define_macros=macros, libraries=libraries, extra_compile_args=flags, language="c++")],
    python_requires=">=3.9",
    install_requires=["numpy"],
    zip_safe=False,
)
