#!/usr/bin/env bash
# One device-machine session (issue 18's GPU part), prepared so a single call does everything,
# most important first, each step logged with its time to $OUT/session.log:
#   1. build against the CUDA LibTorch of the machine's PyTorch (../shared/gpu recipe);
#   2. the unit tests on the device;
#   3. SASRec on ml-1m-pos4, the reference PyTorch SASRec and ours alternated on the same GPU
#      (bench/vs_reference.sh; goal: ours >= 2x faster per epoch);
#   4. full-softmax SASRec+ on BERT4Rec's Beauty: an epoch against its GEMM floor
#      (bench/epoch_floor), in float32 and in bf16 autocast (`train.precision`);
#   5. bf16's accuracy: the same SASRec+ trained EPOCHS_ACCURACY epochs in float32 and in bf16,
#      test NDCG@10 / HR@10 of each;
#   6. LightGCN on the Gowalla split (the paper's settings) for the seconds left, its learning
#      curve (test Recall/NDCG@20 every 10 epochs) to $OUT/gowalla_metrics.jsonl.
# Reports go to $OUT (brought back by the device tool): session.log, build.log, ctest.log,
# vs_reference.log, epoch_floor_*.log, accuracy_*.json, gowalla_metrics.jsonl.
#
# Here, once (both folders are ignored by git and carried to the device):
#   bash ../shared/gpu/fetch-debs.sh .deps && (cd .deps && apt-get download zlib1g-dev) &&
#   cp ../shared/gpu/build-cuda.sh .deps/ && mkdir -p .data/anchors &&
#   cp -r ../shared/datasets/{gowalla-lightgcn,ml-1m-pos4,bert4rec-beauty} .data/ &&
#   cp -r ../shared/anchors/SASRec.pytorch .data/anchors/
# Device call (15 minutes of device time per session; keep the budget under the call's limit):
#   run(command="bash scripts/gpu_session.sh 540", carry=[".deps", ".data"], timeout_s=600)
# Rehearse it here on the CPU first, with a small budget (uses build/ and the system LibTorch;
# every step runs on the CPU with one round and one epoch where it can):
#   SHIFTREC_SESSION_CPU=1 OUT=/tmp/session bash scripts/gpu_session.sh 60
# FROM=N starts at step N (the build always runs): a second call after a step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
budget=${1:-540}
out=${OUT:-/tmp/gpu_session}
mkdir -p "$out"
log() { echo "[$(date +%T)] $*" | tee -a "$out/session.log"; }
# The carried copies on the device; ../shared where it exists otherwise (the rehearsal).
data=$(pwd)/.data
anchors=$data/anchors
if [ -n "${SHIFTREC_SESSION_CPU:-}" ] || [ ! -d "$data/gowalla-lightgcn" ]; then
  data=$(cd .. && pwd)/shared/datasets
  anchors=$(cd .. && pwd)/shared/anchors
fi
export SHIFTREC_DATA=$data SHIFTREC_ANCHORS=$anchors
start=$(date +%s)
# Seconds of the budget left, at least 1 (`timeout 0` would mean no limit).
step() { [ "$1" -ge "${FROM:-1}" ]; }
left() {
  local l=$((budget - ($(date +%s) - start)))
  echo $((l > 0 ? l : 1))
}

if [ -n "${SHIFTREC_SESSION_CPU:-}" ]; then
  # the reference on ml-1m-pos4 takes ~10 minutes an epoch on two CPU cores: Beauty here
  build=build device=cpu python=/usr/bin/python3 rounds=1 epochs_accuracy=1 reference=beauty
  bash scripts/build.sh >"$out/build.log" 2>&1
else
  build=build-cuda device=cuda python=python3 rounds=2 epochs_accuracy=${EPOCHS_ACCURACY:-20}
  reference=ml-1m-pos4
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >>"$out/session.log" 2>&1
  # The recipe exports LD_LIBRARY_PATH for the unpacked Debian libraries; keep it (source).
  # Data-parallel stays off there: Debian's Gloo headers need not match the wheel's LibTorch.
  # OpenMP too: the wheel's LibTorch carries its own libgomp, and ours would be a second
  # OpenMP runtime in the process (our at::parallel_for loops then run on the calling thread).
  . .deps/build-cuda.sh .deps . "$build" -G Ninja -DSHIFTREC_BUILD_BENCH=ON \
    -DSHIFTREC_UNITY_BUILD=OFF -DSHIFTREC_DATA_PARALLEL=OFF -DSHIFTREC_OPENMP=OFF \
    >"$out/build.log" 2>&1
fi
status=$?
log "build ($build): status $status in $(($(date +%s) - start)) s"
if [ $status -ne 0 ] || [ ! -x "$build/shiftrec" ]; then
  tail -40 "$out/build.log"
  exit 1
fi

if step 2; then
  t=$(date +%s)
  (cd "$build" && ctest -L unit -j "$(nproc)" --timeout 300 >"$out/ctest.log" 2>&1)
  log "unit tests: status $? in $(($(date +%s) - t)) s: $(grep -E 'tests passed|tests failed' "$out/ctest.log")"
fi

if step 3; then
  t=$(date +%s)
  DATASET=$reference DEVICE=$device PYTHON=$python BINARY=$build/shiftrec \
    timeout "$(left)" bash bench/vs_reference.sh "$rounds" 2 >"$out/vs_reference.log" 2>&1
  log "SASRec $reference vs the reference on $device: status $? in $(($(date +%s) - t)) s:" \
    "$(tail -1 "$out/vs_reference.log")"
fi

for precision in float32 bf16; do
  step 4 || break
  [ "$(left)" -gt 60 ] || break
  t=$(date +%s)
  timeout "$(left)" "$build/bench/epoch_floor" experiments/configs/bert4rec_beauty_sasrec.toml 2 \
    --set device="$device" --set train.precision="$precision" --set log_level=warn \
    >"$out/epoch_floor_$precision.log" 2>&1
  log "SASRec+ bert4rec-beauty epoch vs its floor, $precision: status $? in" \
    "$(($(date +%s) - t)) s: $(grep -E 'epoch / floor|peak' "$out/epoch_floor_$precision.log" | tr '\n' ' ')"
done

for precision in float32 bf16; do
  step 5 || break
  [ "$(left)" -gt 90 ] || break
  t=$(date +%s)
  run=/tmp/accuracy_$precision
  rm -rf "$run" "$run.failed" "$run.partial"
  timeout "$(left)" "$build/shiftrec" train --config experiments/configs/bert4rec_beauty_sasrec.toml \
    --set device="$device" --set train.precision="$precision" --set train.epochs="$epochs_accuracy" \
    --set train.eval_every=1000 --set log_level=warn --out "$run" >>"$out/session.log" 2>&1
  status=$?
  [ -f "$run/results.json" ] && cp "$run/results.json" "$out/accuracy_$precision.json"
  log "SASRec+ bert4rec-beauty, $epochs_accuracy epochs in $precision: status $status in" \
    "$(($(date +%s) - t)) s; test $(grep -o '"ndcg@10": [0-9.e+-]*' "$run/results.json" 2>/dev/null | tail -1)"
done

if [ "$(left)" -lt 30 ]; then
  log "no time left for LightGCN on Gowalla"
  exit 0
fi
log "LightGCN on Gowalla for $(left) s"
run=/tmp/gowalla_lightgcn
rm -rf "$run" "$run.failed" "$run.partial"
timeout --preserve-status -s TERM "$(left)" "$build/shiftrec" train \
  --config experiments/configs/gowalla_lightgcn.toml --set device="$device" \
  --set train.test_curve_every=10 --set log_level=warn --out "$run" >>"$out/session.log" 2>&1
log "LightGCN stopped with status $? (SIGTERM at the budget is expected)"
for dir in "$run" "$run.failed"; do
  [ -f "$dir/metrics.jsonl" ] && cp "$dir/metrics.jsonl" "$out/gowalla_metrics.jsonl"
done
if [ -f "$out/gowalla_metrics.jsonl" ]; then
  log "epochs: $(wc -l <"$out/gowalla_metrics.jsonl"); last curve point:" \
    "$(grep test_curve "$out/gowalla_metrics.jsonl" | tail -1)"
fi
