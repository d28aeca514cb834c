#!/usr/bin/env bash
# SASRec on Amazon Beauty, side by side in one invocation: the reference PyTorch SASRec
# (../shared/anchors/SASRec.pytorch on Debian's python3-torch, its default threads) and
# shiftrec's experiments/configs/beauty_sasrec_reference.toml (the same hyperparameters),
# whole processes alternated, ROUNDS rounds. Each side runs 1 epoch and 1 + EXTRA epochs; the
# time per epoch is the difference over EXTRA, so start-up, data loading and final evaluation
# drop out of both. Both get THREADS threads (default: every core; this machine's OpenMP would
# give PyTorch one). Prints each measurement, the medians and their ratio; shiftrec runs twice
# a round, as configured (train.shards = 2) and in one pass (train.shards = 1), so the gain of
# the shards is measured in the same rounds.
#   SHIFTREC_DATA=../shared/datasets [THREADS=2] bash bench/vs_reference.sh [ROUNDS=3] [EXTRA=2]
# Needs python3-torch (apt-get install python3-torch) and a built build/shiftrec.
set -euo pipefail
rounds=${1:-3}
extra=${2:-2}
data=${SHIFTREC_DATA:?set SHIFTREC_DATA to the shared datasets folder}
anchor=${SHIFTREC_ANCHORS:-$(cd "$data/.." && pwd)/anchors}/SASRec.pytorch
repo=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-$(nproc)}
binary=$repo/build/shiftrec
/usr/bin/python3 -c 'import torch' 2>/dev/null ||
  { echo "vs_reference: /usr/bin/python3 has no torch (apt-get install python3-torch)" >&2; exit 1; }
test -x "$binary" || { echo "vs_reference: build $binary first" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The anchor writes into the folder it runs in: a scratch copy, never the repository.
cp -r "$anchor" "$scratch/reference"
mkdir -p "$scratch/reference/data"
# S3-Rec's Beauty (one user and their items per line) as the reference reads it: one
# "user item" line per interaction, in order.
awk '{ for (i = 2; i <= NF; ++i) print $1, $i }' "$data/amazon-s3rec/Beauty.txt" \
  > "$scratch/reference/data/Beauty.txt"

seconds() { local start=$(date +%s.%N); "$@" > /dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc; }
reference() {
  (cd "$scratch/reference" && rm -rf x &&
    OMP_NUM_THREADS=$threads /usr/bin/python3 main.py --dataset=Beauty --train_dir=x --maxlen=50 --dropout_rate=0.5 \
      --device=cpu --num_epochs="$1")
}
ours() {  # EPOCHS [--set KEY=VALUE ...]
  rm -rf "$scratch/run"
  local epochs=$1
  shift
  SHIFTREC_DATA=$data "$binary" train --config "$repo/experiments/configs/beauty_sasrec_reference.toml" \
    --set train.epochs="$epochs" --set train.eval_every=1000 --set threads="$threads" \
    --set log_level=warn "$@" --out "$scratch/run"
}

echo "threads $threads; reference: $(OMP_NUM_THREADS=$threads /usr/bin/python3 -c 'import torch; print("PyTorch", torch.__version__, torch.get_num_threads(), "threads")')"
echo "round  reference 1 / $((1 + extra)) epochs (s)  shiftrec 1 / $((1 + extra)) epochs (s)  one pass 1 / $((1 + extra)) (s)"
ref_epochs=() our_epochs=() pass_epochs=()
for round in $(seq 1 "$rounds"); do
  r1=$(seconds reference 1); rn=$(seconds reference $((1 + extra)))
  o1=$(seconds ours 1); on=$(seconds ours $((1 + extra)))
  p1=$(seconds ours 1 --set train.shards=1); pn=$(seconds ours $((1 + extra)) --set train.shards=1)
  ref_epochs+=("$(echo "($rn - $r1) / $extra" | bc -l)")
  our_epochs+=("$(echo "($on - $o1) / $extra" | bc -l)")
  pass_epochs+=("$(echo "($pn - $p1) / $extra" | bc -l)")
  printf "%5d  %8.2f / %8.2f                   %8.2f / %8.2f                 %8.2f / %8.2f\n" \
    "$round" "$r1" "$rn" "$o1" "$on" "$p1" "$pn"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ref=$(median "${ref_epochs[@]}")
our=$(median "${our_epochs[@]}")
pass=$(median "${pass_epochs[@]}")
printf "per epoch (median of %d): reference %.2f s, shiftrec %.2f s: %.1fx (one pass %.2f s: %.1fx)\n" \
  "$rounds" "$ref" "$our" "$(echo "$ref / $our" | bc -l)" "$pass" "$(echo "$ref / $pass" | bc -l)"
