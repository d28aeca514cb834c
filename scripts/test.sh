#!/usr/bin/env bash
# Fresh Debian 12 machine -> the whole test suite. Tests on real data (ctest label
# "realdata") run only when SHIFTREC_DATA points at the shared datasets.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900
