#!/usr/bin/env bash
# Seconds per training epoch of every sequence model on Amazon Beauty (LOO, CE loss, d=64,
# 2 blocks, batch 128 — experiments/configs/beauty_sasrec.toml with model.name swapped),
# and each one's ratio to SASRec measured in the same invocation. Two epochs each; the second
# is reported (the first also pays for first-touch allocations). Run on a quiet machine.
#   SHIFTREC_DATA=../shared/datasets bench/sequence_epochs.sh [OUT_DIR] [models...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/sequence_epochs}
shift || true
models=${*:-sasrec gru4rec bert4rec graph_sasrec fusion_sasrec session_graph_sasrec shift_sasrec}
mkdir -p "$out"
for model in $models; do
  run="$out/$model"
  rm -rf "$run"
  config="$out/$model.toml"  # GRU4Rec has no blocks or heads
  if [ "$model" = gru4rec ]; then
    grep -v -E '^(blocks|heads) =' experiments/configs/beauty_sasrec.toml > "$config"
  else
    cp experiments/configs/beauty_sasrec.toml "$config"
  fi
  "${SHIFTREC_BIN:-build/shiftrec}" train --config "$config" \
    --out "$run" --set model.name=$model --set train.epochs=2 --set log_level=warn \
    --set 'eval.protocol="uni100"' ${SEQUENCE_EPOCHS_SET:-}
done
/usr/bin/python3 - "$out" $models <<'PY'
import json, sys
out, models = sys.argv[1], sys.argv[2:]
def epoch2(model):
    lines = [json.loads(l) for l in open(f"{out}/{model}/metrics.jsonl") if l.strip()]
    return lines[-1]["train_seconds"]
base = epoch2(models[0])
print(f"| model | s / epoch (epoch 2) | vs {models[0]} |")
print("|---|---|---|")
for m in models:
    s = epoch2(m)
    print(f"| {m} | {s:.2f} | {s / base:.2f}x |")
PY
