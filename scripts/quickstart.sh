#!/usr/bin/env bash
# Fresh Debian 12 machine -> SASRec trained and scored on the built-in synthetic data.
# Installs the packages, builds, trains; the run directory is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
build/shiftrec train --config experiments/configs/quickstart.toml "$@"
