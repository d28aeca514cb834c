#!/usr/bin/env bash
# Two shiftrec binaries side by side (e.g. before and after a change), alternated run by run
# in one invocation so both see the same machine: for each case, seconds per training epoch
# (epoch 2: the first also pays first-touch allocations) and the final evaluation's seconds
# (valid + test, full ranking with per-label metrics and shift detection), median over
# REPEATS (default 3) runs of each, and B's ratio to A. THREADS per run (default 1, as on a shared
# box; 2 for what LibTorch's threads change).
# ONLY="name ..." runs those cases alone (lightgcn_gowalla, ~50 s an epoch, runs only then).
#   SHIFTREC_DATA=../shared/datasets bench/binaries_side_by_side.sh BIN_A BIN_B [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 out=${3:-runs/side_by_side}
repeats=${REPEATS:-3}
threads=${THREADS:-1}
mkdir -p "$out"
# name | config | extra --set options
cases=(
  "sasrec_beauty|experiments/configs/beauty_sasrec.toml|"
  "fusion_sasrec_beauty|experiments/configs/beauty_sasrec.toml|--set model.name=fusion_sasrec"
  "shift_sasrec_beauty|experiments/configs/beauty_sasrec.toml|--set model.name=shift_sasrec --set model.shift_mixture=true"
  "lightgcn_quickstart|experiments/configs/quickstart.toml|--set model.name=lightgcn --set model.layers=3 --set loss.name=bpr --set train.batch_size=1024 --set model.blocks=__drop"
  "lightgcn_gowalla|experiments/configs/gowalla_lightgcn.toml|"
)
only=${ONLY:-sasrec_beauty fusion_sasrec_beauty shift_sasrec_beauty lightgcn_quickstart}
selected=()
for c in "${cases[@]}"; do
  case " $only " in *" ${c%%|*} "*) selected+=("$c") ;; esac
done
cases=("${selected[@]}")
for c in "${cases[@]}"; do
  IFS='|' read -r name config extra <<<"$c"
  if [ "$name" = lightgcn_quickstart ]; then  # LightGCN has no sequence options
    grep -v -E '^(blocks|heads|dropout|max_length) = [0-9.]+$' "$config" >"$out/lightgcn.toml"
    config="$out/lightgcn.toml"
    extra=${extra/--set model.blocks=__drop/}
  fi
  for r in $(seq "$repeats"); do
    for tag in A B; do
      bin=$a; [ $tag = B ] && bin=$b
      run="$out/$name-$tag-$r"
      rm -rf "$run"
      # shellcheck disable=SC2086
      "$bin" train --config "$config" $extra --set train.epochs=2 --set threads="$threads" \
        --set log_level=warn --out "$run" >/dev/null
    done
  done
done
/usr/bin/python3 - "$out" "$repeats" "${cases[@]}" <<'PY'
import json, statistics, sys
out, repeats, cases = sys.argv[1], int(sys.argv[2]), [c.split("|")[0] for c in sys.argv[3:]]
def runs(name, tag):
    epoch, evals = [], []
    for r in range(1, repeats + 1):
        d = f"{out}/{name}-{tag}-{r}"
        lines = [json.loads(l) for l in open(f"{d}/metrics.jsonl") if l.strip()]
        epoch.append(lines[-1]["train_seconds"])
        evals.append(json.load(open(f"{d}/results.json"))["timings"]["final_eval_seconds"])
    return statistics.median(epoch), statistics.median(evals)
print("| case | A s/epoch | B s/epoch | B/A | A final eval s | B final eval s | B/A |")
print("|---|---|---|---|---|---|---|")
for name in cases:
    ea, va = runs(name, "A"); eb, vb = runs(name, "B")
    print(f"| {name} | {ea:.2f} | {eb:.2f} | {eb/ea:.2f}x | {va:.2f} | {vb:.2f} | {vb/va:.2f}x |")
PY
