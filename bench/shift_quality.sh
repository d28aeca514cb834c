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
runs=()
for model in $models; do runs+=("$out/$model"-seed[123]); done
# One row per model (named by the options that set it apart), mean ± sd over the 3 seeds.
"${SHIFTREC_BIN:-build/shiftrec}" leaderboard "${runs[@]}" --metrics \
  ndcg@10,recall@10,SHIFT:recall@10,SHIFT:recall@20,SHIFT:cond_recall@10,SHIFT:newcat_hit@10,shift_roc_auc,seconds_per_epoch
