#!/usr/bin/env bash
# One device-machine session for issue 4, prepared so a single call does everything: build
# against the CUDA LibTorch of the machine's PyTorch (../shared/gpu recipe), run the unit
# tests there, time one quickstart SASRec epoch on the GPU and on the CPU, then train LightGCN
# on the Gowalla split (gowalla_lightgcn.toml, the paper's settings) for the seconds left and
# keep its learning curve. Reports go to $OUT (brought back by the device tool):
# session.log, build.log, ctest.log, gowalla_metrics.jsonl (test Recall/NDCG@20 every 10 epochs).
#
# Here, once (both folders are ignored by git and carried to the device):
#   bash ../shared/gpu/fetch-debs.sh .deps && (cd .deps && apt-get download zlib1g-dev) &&
#   cp ../shared/gpu/build-cuda.sh .deps/ && mkdir -p .data &&
#   cp -r ../shared/datasets/gowalla-lightgcn .data/
# Device call (15 minutes of device time per session; keep the budget under the call's limit):
#   run(command="bash scripts/gpu_session.sh 360", carry=[".deps", ".data"], timeout_s=600)
# Rehearse it here on the CPU first, with a small budget (uses build/ and the system LibTorch):
#   SHIFTREC_SESSION_CPU=1 OUT=/tmp/session bash scripts/gpu_session.sh 30
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${1:-360}
out=${OUT:-/tmp/gpu_session}
mkdir -p "$out"
log() { echo "[$(date +%T)] $*" | tee -a "$out/session.log"; }
data=$(pwd)/.data
[ -d "$data/gowalla-lightgcn" ] || data=$(cd .. && pwd)/shared/datasets
export SHIFTREC_DATA=$data

start=$(date +%s)
if [ -n "${SHIFTREC_SESSION_CPU:-}" ]; then
  build=build
  bash scripts/build.sh -DSHIFTREC_BUILD_BENCH=OFF >"$out/build.log" 2>&1
else
  build=build-cuda
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >>"$out/session.log" 2>&1
  # The recipe exports LD_LIBRARY_PATH for the unpacked Debian libraries; keep it (source).
  # Data-parallel stays off there: Debian's Gloo headers need not match the wheel's LibTorch.
  # OpenMP too: the wheel's LibTorch carries its own libgomp, and ours would be a second
  # OpenMP runtime in the process (our at::parallel_for loops then run on the calling thread).
  . .deps/build-cuda.sh .deps . "$build" -G Ninja -DSHIFTREC_BUILD_BENCH=OFF \
    -DSHIFTREC_UNITY_BUILD=OFF -DSHIFTREC_DATA_PARALLEL=OFF -DSHIFTREC_OPENMP=OFF \
    >"$out/build.log" 2>&1
fi
status=$?
log "build ($build): status $status in $(($(date +%s) - start)) s"
if [ $status -ne 0 ] || [ ! -x "$build/shiftrec" ]; then
  tail -40 "$out/build.log"
  exit 1
fi

t=$(date +%s)
(cd "$build" && ctest -L unit -j "$(nproc)" --timeout 300 >"$out/ctest.log" 2>&1)
log "unit tests: status $? in $(($(date +%s) - t)) s: $(grep -E 'tests passed|tests failed' "$out/ctest.log")"

for device in cuda cpu; do
  if [ "$device" = cuda ] && [ -n "${SHIFTREC_SESSION_CPU:-}" ]; then continue; fi
  t=$(date +%s)
  "$build/shiftrec" train --config experiments/configs/quickstart.toml --set device=$device \
    --set train.epochs=2 --set log_level=warn --out "$out/quickstart_$device" >>"$out/session.log" 2>&1
  log "quickstart SASRec on $device: status $? in $(($(date +%s) - t)) s;" \
    "$(grep -o '"seconds_per_epoch": [0-9.e+-]*' "$out/quickstart_$device/results.json")"
  rm -f "$out/quickstart_$device/targets.tsv" "$out/quickstart_$device/model.pt"
done

left=$((budget - ($(date +%s) - start)))
if [ $left -lt 30 ]; then
  log "no time left for LightGCN on Gowalla"
  exit 0
fi
log "LightGCN on Gowalla for $left s"
run=/tmp/gowalla_lightgcn
rm -rf "$run" "$run.failed" "$run.partial"
timeout --preserve-status -s TERM "$left" "$build/shiftrec" train \
  --config experiments/configs/gowalla_lightgcn.toml --set train.test_curve_every=10 \
  --set log_level=warn --out "$run" >>"$out/session.log" 2>&1
log "LightGCN stopped with status $? (SIGTERM at the budget is expected)"
for dir in "$run" "$run.failed"; do
  [ -f "$dir/metrics.jsonl" ] && cp "$dir/metrics.jsonl" "$out/gowalla_metrics.jsonl"
done
if [ -f "$out/gowalla_metrics.jsonl" ]; then
  log "epochs: $(wc -l <"$out/gowalla_metrics.jsonl"); last curve point:" \
    "$(grep test_curve "$out/gowalla_metrics.jsonl" | tail -1)"
fi
