#!/usr/bin/env bash
# Configures and builds shiftrec into build/ (Release, Ninja, ccache when installed).
# Extra arguments go to CMake's configure step, e.g. -DSHIFTREC_BUILD_BENCH=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SHIFTREC_JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$jobs"
