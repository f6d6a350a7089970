#!/usr/bin/env bash
# Installs what the tests need and runs every test: C++ (ctest) and Python (pytest).
# Usage: bash scripts/run_tests.sh        (root installs Debian's doctest-dev and libeigen3-dev if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
PY="${PYTHON:-python3}"

echo "== system packages for the C++ tests (doctest, Eigen) =="
if [ ! -f /usr/include/doctest/doctest.h ] || [ ! -f /usr/include/eigen3/Eigen/Core ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq doctest-dev libeigen3-dev >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq doctest-dev libeigen3-dev >/dev/null
  fi
fi

echo "== Python package with test extras =="
"$PY" -m pip install --quiet ".[test]"

echo "== C++ tests =="
cmake -S . -B build/tests -DTENSORTRAIN_BUILD_TESTS=ON -DTENSORTRAIN_BUILD_PYTHON=OFF -DCMAKE_BUILD_TYPE=Release
cmake --build build/tests --parallel "$CMAKE_BUILD_PARALLEL_LEVEL"
ctest --test-dir build/tests --output-on-failure

echo "== Python tests =="
"$PY" -m pytest tests/python -q
