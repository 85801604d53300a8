#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages fusednmf needs to build, test and benchmark,
# and the Python packages the peer comparisons use. Installs only what is missing; safe to rerun.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev catch2 libbigwig-dev libcurl4-gnutls-dev libcli11-dev libbenchmark-dev
  zlib1g-dev libdeflate-dev libisal-dev  # inflating bigWig blocks: zlib, and the faster ones the reader prefers
  python3 python3-numpy
  python3-dev pybind11-dev python3-pytest python3-sklearn  # the Python module (FUSEDNMF_PYTHON) and its tests
  libopenmpi-dev openmpi-bin  # the optional MPI component and its test
  clang libclang-rt-14-dev  # the fuzz targets (libFuzzer) of tests/fuzz
)
if [[ "${FUSEDNMF_PEERS:-0}" == 1 ]]; then  # what the side-by-side benchmarks need
  packages+=(python3-pybigwig python3-numba python3-sklearn libopenblas0-pthread time)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
