#!/usr/bin/env bash
# Seconds per quickstart SASRec epoch with LibTorch using every core, on idle cores and on
# cores that other processes keep busy (one busy loop per core, as another run or a sweep's
# --jobs would), with OpenMP's spinning waits (OMP_WAIT_POLICY=active, libgomp's default)
# and sleeping ones (passive, what shiftrec starts with unless told otherwise; see
# core/openmp_waits.h). Two epochs per run, the second reported; one thread per core too,
# as the baseline. Run on an otherwise quiet machine.
#   bench/openmp_waits.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/openmp_waits}
bin=${SHIFTREC_BIN:-build/shiftrec}
cores=$(nproc)
mkdir -p "$out"
second_epoch_seconds() {  # run directory -> train_seconds of epoch 2
  sed -n 2p "$1/metrics.jsonl" | grep -o '"train_seconds":[0-9.]*' | cut -d: -f2
}
measure() {  # load policy threads
  local run="$out/$1-$2-$3" hogs=()
  rm -rf "$run"
  if [ "$1" = busy ]; then
    for _ in $(seq "$cores"); do (while :; do :; done) & hogs+=($!); done
  fi
  OMP_WAIT_POLICY=$2 "$bin" train --config experiments/configs/quickstart.toml --out "$run" \
    --set train.epochs=2 --set threads="$3" --set log_level=warn
  if [ ${#hogs[@]} -gt 0 ]; then kill "${hogs[@]}"; wait "${hogs[@]}" 2>/dev/null || true; fi
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(second_epoch_seconds "$run")"
}
echo "| cores | OMP_WAIT_POLICY | threads | s / epoch |"
echo "|---|---|---|---|"
for load in idle busy; do
  for policy in active passive; do
    measure "$load" "$policy" "$cores"
  done
  measure "$load" passive 1
done
