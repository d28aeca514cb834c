#!/usr/bin/env bash
# Issue 18, P4: the whole pipeline as the data grows — synthetic users x 100 k items (1,000
# categories, ~25 interactions a user), one SASRec epoch (reference settings: BCE, one
# negative, d 50) and one LightGCN epoch (BPR, batch 1024), each a whole `shiftrec train`
# with its full-ranking evaluation of every user. Per size and model: data (generate + split)
# seconds, setup (graph build, model start, writing the run: what the other columns leave), the
# training epoch, one full-ranking evaluation over all users (the epoch's validation pass),
# the final evaluation (valid and test with every shift metric and detection), and the
# process's peak RSS (/usr/bin/time). Growth should be linear in users.
# eval.change_points = false: scoring the planted change points reads every position of every
# sequence against every item (interactions x items) — at 10 k users it took 127 s of a
# SASRec run's 135 s and 6.5 GB for LightGCN, and would dominate every larger size.
# MODELS picks the rows (default "sasrec lightgcn"); lightgcn_sampled is LightGCN trained on
# neighbour-sampled subgraphs (fanouts 5, 5, 5), lightgcn_sparse the same with row-sparse table
# gradients and lazy Adam (model.sparse_gradients): only then does a batch's cost stop growing
# with the graph — full propagation costs (batches x edges) an epoch, and dense table
# gradients and Adam (batches x table rows).
#   [MODELS="..."] bench/scale_end_to_end.sh OUT_DIR [USERS ...]   (default 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/scale}
shift || true
sizes=${*:-10000 100000 1000000}
bin=${SHIFTREC_BIN:-build/shiftrec}
mkdir -p "$out"
source bench/scale_settings.sh
for users in $sizes; do
  for model in ${MODELS:-sasrec lightgcn}; do
    run="$out/$model-$users"
    [ -f "$run/results.json" ] && continue  # resumable: a finished size is kept
    rm -rf "$run" "$run.partial" "$run.failed"
    scale_options "$model"
    /usr/bin/time -f "%M" -o "$run.rss" "$bin" train "${options[@]}" --set log_level=warn \
      --set data.synthetic.users="$users" --out "$run"
  done
done
/usr/bin/python3 - "$out" $sizes <<'PY'
import json, sys
out, sizes = sys.argv[1], sys.argv[2:]
print("| model | users | interactions | data s | setup s | epoch s | full ranking s "
      "| final evaluation s | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
for model in ("sasrec", "lightgcn", "lightgcn_sampled", "lightgcn_sparse"):
    for users in sizes:
        run = f"{out}/{model}-{users}"
        try:
            r = json.load(open(run + "/results.json"))
        except OSError:
            continue
        t = r["timings"]
        epoch = json.loads(open(run + "/metrics.jsonl").readline())
        rss = int(open(run + ".rss").read().split()[-1]) / 1024
        setup = (t["total_seconds"] - t["load_seconds"] - t["train_seconds"] - epoch["valid_seconds"]
                 - t["final_eval_seconds"])
        print(f"| {model} | {int(users):,} | {r['dataset']['interactions']:,} | {t['load_seconds']:.1f} | "
              f"{setup:.1f} | {epoch['train_seconds']:.1f} | {epoch['valid_seconds']:.1f} | "
              f"{t['final_eval_seconds']:.1f} | {rss:,.0f} |")
PY
