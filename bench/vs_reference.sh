#!/usr/bin/env bash
# SASRec side by side in one invocation: the reference PyTorch SASRec
# (../shared/anchors/SASRec.pytorch) and shiftrec with the same hyperparameters, whole
# processes alternated, ROUNDS rounds. Each side runs 1 epoch and 1 + EXTRA epochs; the time
# per epoch is the difference over EXTRA, so start-up, data loading and final evaluation drop
# out of both. Prints each measurement, the medians and their ratio.
#   DATASET=beauty (default): S3-Rec's Beauty, experiments/configs/beauty_sasrec_reference.toml
#     (max length 50, dropout 0.5); shiftrec also runs in one pass (train.shards = 1) each round,
#     so the gain of its shards (train.shards = 2, CPU) is measured in the same rounds.
#   DATASET=ml-1m-pos4: MovieLens-1M ratings >= 4, ml1m_pos4_sasrec_reference.toml (the
#     reference's ml-1m settings: max length 200, dropout 0.2).
#   DEVICE=cpu (default) or cuda: where both sides train.
#   THREADS (default: every core; this machine's OpenMP would give PyTorch one) for both sides.
#   PYTHON: the interpreter with torch (default /usr/bin/python3, Debian's python3-torch; on a
#     CUDA machine the one whose PyTorch has CUDA). BINARY: shiftrec (default build/shiftrec).
#   SHIFTREC_DATA=../shared/datasets [DATASET=..] [DEVICE=..] bash bench/vs_reference.sh [ROUNDS=3] [EXTRA=2]
set -euo pipefail
rounds=${1:-3}
extra=${2:-2}
data=${SHIFTREC_DATA:?set SHIFTREC_DATA to the shared datasets folder}
anchor=${SHIFTREC_ANCHORS:-$(cd "$data/.." && pwd)/anchors}/SASRec.pytorch
repo=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-$(nproc)}
dataset=${DATASET:-beauty}
device=${DEVICE:-cpu}
python=${PYTHON:-/usr/bin/python3}
binary=${BINARY:-$repo/build/shiftrec}
"$python" -c 'import torch' 2>/dev/null ||
  { echo "vs_reference: $python has no torch (apt-get install python3-torch)" >&2; exit 1; }
test -x "$binary" || { echo "vs_reference: build $binary first" >&2; exit 1; }
test -d "$anchor" || { echo "vs_reference: no reference at $anchor (SHIFTREC_ANCHORS)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The anchor writes into the folder it runs in: a scratch copy, never the repository.
cp -r "$anchor" "$scratch/reference"
mkdir -p "$scratch/reference/data"
# The reference reads one "user item" line per interaction, each user's in time order.
case $dataset in
  beauty)  # S3-Rec's Beauty: one user and their items, in order, per line
    name=Beauty
    awk '{ for (i = 2; i <= NF; ++i) print $1, $i }' "$data/amazon-s3rec/Beauty.txt" \
      > "$scratch/reference/data/$name.txt"
    reference_options=(--maxlen=50 --dropout_rate=0.5)
    config=$repo/experiments/configs/beauty_sasrec_reference.toml
    one_pass=${ONE_PASS:-$([ "$device" = cpu ] && echo 1 || echo 0)}
    ;;
  ml-1m-pos4)  # user::item::rating::time, sorted here by user, then time (stable)
    name=ml-1m-pos4
    zcat "$data/ml-1m-pos4/ratings_pos4.derived.dat.gz" |
      awk -F'::' '{ print $1, $4, $2 }' | sort -s -k1,1n -k2,2n | awk '{ print $1, $3 }' \
      > "$scratch/reference/data/$name.txt"
    reference_options=(--maxlen=200 --dropout_rate=0.2)
    config=$repo/experiments/configs/ml1m_pos4_sasrec_reference.toml
    one_pass=0
    ;;
  *) echo "vs_reference: DATASET is beauty or ml-1m-pos4, not $dataset" >&2; exit 1 ;;
esac

seconds() { local start=$(date +%s.%N); "$@" > /dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc; }
reference() {
  (cd "$scratch/reference" && rm -rf x &&
    OMP_NUM_THREADS=$threads "$python" main.py --dataset="$name" --train_dir=x \
      "${reference_options[@]}" --device="$device" --num_epochs="$1")
}
ours() {  # EPOCHS [--set KEY=VALUE ...]
  rm -rf "$scratch/run"
  local epochs=$1
  shift
  SHIFTREC_DATA=$data "$binary" train --config "$config" --set device="$device" \
    --set train.epochs="$epochs" --set train.eval_every=1000 --set threads="$threads" \
    --set log_level=warn "$@" --out "$scratch/run"
}
# One measurement of each before the rounds: the reference's CUDA context and kernels, our
# data cache, so that the first round times what the others do.
reference 1 > "$scratch/warm.log" 2>&1 ||
  { echo "vs_reference: the reference failed:" >&2; tail -20 "$scratch/warm.log" >&2; exit 1; }
ours 1 > "$scratch/warm.log" 2>&1 ||
  { echo "vs_reference: shiftrec failed:" >&2; tail -20 "$scratch/warm.log" >&2; exit 1; }

echo "$dataset on $device, threads $threads; reference: $(OMP_NUM_THREADS=$threads "$python" -c 'import torch; print("PyTorch", torch.__version__, torch.get_num_threads(), "threads")')"
echo "round  reference 1 / $((1 + extra)) epochs (s)  shiftrec 1 / $((1 + extra)) epochs (s)  one pass 1 / $((1 + extra)) (s)"
ref_epochs=() our_epochs=() pass_epochs=()
for round in $(seq 1 "$rounds"); do
  r1=$(seconds reference 1); rn=$(seconds reference $((1 + extra)))
  o1=$(seconds ours 1); on=$(seconds ours $((1 + extra)))
  p1=0 pn=0
  if [ "$one_pass" = 1 ]; then
    p1=$(seconds ours 1 --set train.shards=1); pn=$(seconds ours $((1 + extra)) --set train.shards=1)
    pass_epochs+=("$(echo "($pn - $p1) / $extra" | bc -l)")
  fi
  ref_epochs+=("$(echo "($rn - $r1) / $extra" | bc -l)")
  our_epochs+=("$(echo "($on - $o1) / $extra" | bc -l)")
  printf "%5d  %8.2f / %8.2f                   %8.2f / %8.2f                 %8.2f / %8.2f\n" \
    "$round" "$r1" "$rn" "$o1" "$on" "$p1" "$pn"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ref=$(median "${ref_epochs[@]}")
our=$(median "${our_epochs[@]}")
printf "per epoch (median of %d): reference %.2f s, shiftrec %.2f s: %.1fx" \
  "$rounds" "$ref" "$our" "$(echo "$ref / $our" | bc -l)"
if [ "$one_pass" = 1 ]; then
  pass=$(median "${pass_epochs[@]}")
  printf " (one pass %.2f s: %.1fx)" "$pass" "$(echo "$ref / $pass" | bc -l)"
fi
printf "\n"
