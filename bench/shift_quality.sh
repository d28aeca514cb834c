#!/usr/bin/env bash
# Interest-shift quality of the graph hybrids against SASRec on the planted-shift synthetic
# data (the quickstart set, data seed fixed), over three model seeds: test Recall@10 overall
# and on SHIFT targets, NewCategoryHit@10 on SHIFT targets, and shift-detection ROC-AUC.
#   bench/shift_quality.sh [OUT_DIR] [models...]
# A model is NAME[+switch...]; each switch adds a setting:
#   +time     model.time_gaps = true          +mixture  model.shift_mixture = true
#   +graph    model.shift_graph = true        +move     model.shift_move_head = true
#   +w5, +w20 model.shift_loss_weight = 5, 20 +nognn    graph_layers = 0, fusion = false
#   +win3, +win10  model.shift_graph_window = 3, 10
# SHIFTREC_BIN picks the binary (default build/shiftrec); extra --set options for every run go
# in SHIFT_QUALITY_SET. Runs are two at a time (one thread each).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/shift_quality}
shift || true
models=${*:-sasrec graph_sasrec fusion_sasrec session_graph_sasrec shift_sasrec}
mkdir -p "$out"
run_one() {  # model seed
  local model=$1 seed=$2 run="$out/$1-seed$2" name=${1%%+*} extra=() switch
  [ -d "$run" ] && return 0
  IFS=+ read -ra switches <<<"${model#"$name"}"
  for switch in "${switches[@]}"; do
    case $switch in
      "") ;;
      time) extra+=(--set model.time_gaps=true) ;;
      mixture) extra+=(--set model.shift_mixture=true) ;;
      graph) extra+=(--set model.shift_graph=true) ;;
      move) extra+=(--set model.shift_move_head=true) ;;
      w5) extra+=(--set model.shift_loss_weight=5) ;;
      w20) extra+=(--set model.shift_loss_weight=20) ;;
      win3) extra+=(--set model.shift_graph_window=3) ;;
      win10) extra+=(--set model.shift_graph_window=10) ;;
      nognn) extra+=(--set model.graph_layers=0 --set model.fusion=false) ;;
      *) echo "unknown switch +$switch in $model" >&2; return 1 ;;
    esac
  done
  # shellcheck disable=SC2086
  "${SHIFTREC_BIN:-build/shiftrec}" train --config experiments/configs/quickstart.toml --out "$run" \
    --set seed="$seed" --set data.synthetic.seed=42 --set model.name="$name" --set log_level=warn \
    --set threads=1 "${extra[@]}" ${SHIFT_QUALITY_SET:-}
}
jobs_running=0
for model in $models; do
  for seed in 1 2 3; do
    run_one "$model" "$seed" &
    jobs_running=$((jobs_running + 1))
    if [ "$jobs_running" -ge 2 ]; then wait -n; jobs_running=$((jobs_running - 1)); fi
  done
done
wait
/usr/bin/python3 - "$out" $models <<'PY'
import json, statistics, sys
out, models = sys.argv[1], sys.argv[2:]
def get(model, path):
    values = []
    for seed in (1, 2, 3):
        r = json.load(open(f"{out}/{model}-seed{seed}/results.json"))
        for key in path: r = r[key]
        values.append(r)
    return values
def fmt(v): return f"{statistics.mean(v):.4f} ± {statistics.stdev(v):.4f}"
print("| model | test NDCG@10 | test Recall@10 | SHIFT Recall@10 | SHIFT Recall@20 | SHIFT cond_Recall@10 | SHIFT NewCatHit@10 | shift ROC-AUC | s/epoch |")
print("|---|---|---|---|---|---|---|---|---|")
for m in models:
    t = ["splits", "test"]
    row = [fmt(get(m, t + ["metrics", "ndcg@10"])), fmt(get(m, t + ["metrics", "recall@10"])),
           fmt(get(m, t + ["by_shift_label", "SHIFT", "metrics", "recall@10"])),
           fmt(get(m, t + ["by_shift_label", "SHIFT", "metrics", "recall@20"])),
           fmt(get(m, t + ["by_shift_label", "SHIFT", "metrics", "cond_recall@10"])),
           fmt(get(m, t + ["by_shift_label", "SHIFT", "metrics", "newcat_hit@10"])),
           fmt(get(m, t + ["shift_detection", "scores", "model", "roc_auc"])),
           f'{statistics.mean(get(m, ["timings", "seconds_per_epoch"])):.2f}']
    print(f"| {m} | " + " | ".join(row) + " |")
PY
