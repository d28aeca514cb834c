#!/usr/bin/env bash
# Interest-shift quality of the graph hybrids against SASRec on the planted-shift synthetic
# data (the quickstart set, data seed fixed), over three model seeds: test Recall@10 overall
# and on SHIFT targets, NewCategoryHit@10 on SHIFT targets, and shift-detection ROC-AUC.
#   bench/shift_quality.sh [OUT_DIR] [models...]
# A model written NAME+time runs NAME with model.time_gaps = true. SHIFTREC_BIN picks the
# binary (default build/shiftrec); extra --set options go in SHIFT_QUALITY_SET.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/shift_quality}
shift || true
models=${*:-sasrec graph_sasrec fusion_sasrec session_graph_sasrec shift_sasrec}
mkdir -p "$out"
for model in $models; do
  for seed in 1 2 3; do
    run="$out/$model-seed$seed"
    [ -d "$run" ] && continue
    extra=()
    name=${model%+time}
    [ "$name" != "$model" ] && extra=(--set model.time_gaps=true)
    # shellcheck disable=SC2086
    "${SHIFTREC_BIN:-build/shiftrec}" train --config experiments/configs/quickstart.toml --out "$run" \
      --set seed=$seed --set data.synthetic.seed=42 --set model.name=$name --set log_level=warn \
      "${extra[@]}" ${SHIFT_QUALITY_SET:-}
  done
done
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
