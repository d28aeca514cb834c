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
# in SHIFT_QUALITY_SET. One `shiftrec sweep`, two runs at a time (one thread each); running it
# again skips the runs that are done.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/shift_quality}
shift || true
models=${*:-sasrec graph_sasrec fusion_sasrec session_graph_sasrec shift_sasrec}
bundles=()  # one inline table of model options per model
for model in $models; do
  name=${model%%+*} settings=()
  IFS=+ read -ra switches <<<"${model#"$name"}"
  for switch in "${switches[@]}"; do
    case $switch in
      "") ;;
      time) settings+=("time_gaps = true") ;;
      mixture) settings+=("shift_mixture = true") ;;
      graph) settings+=("shift_graph = true") ;;
      move) settings+=("shift_move_head = true") ;;
      w5) settings+=("shift_loss_weight = 5.0") ;;
      w20) settings+=("shift_loss_weight = 20.0") ;;
      win3) settings+=("shift_graph_window = 3") ;;
      win10) settings+=("shift_graph_window = 10") ;;
      nognn) settings+=("graph_layers = 0" "fusion = false") ;;
      *) echo "unknown switch +$switch in $model" >&2; exit 1 ;;
    esac
  done
  bundle="{name = \"$name\""
  for setting in "${settings[@]}"; do bundle+=", $setting"; done
  bundles+=("$bundle}")
done
grid="model=[$(IFS=,; echo "${bundles[*]}")]"
# One row per model (named by the options that set it apart), mean ± sd over the 3 seeds.
# shellcheck disable=SC2086
"${SHIFTREC_BIN:-build/shiftrec}" sweep --config experiments/configs/quickstart.toml \
  --set data.synthetic.seed=42 --set log_level=warn --set threads=1 ${SHIFT_QUALITY_SET:-} \
  --grid "$grid" --seeds 1,2,3 --jobs 2 --out "$out" --metrics \
  ndcg@10,recall@10,SHIFT:recall@10,SHIFT:recall@20,SHIFT:cond_recall@10,SHIFT:newcat_hit@10,shift_roc_auc,seconds_per_epoch
