#!/usr/bin/env bash
# Issue 18, P4: is sampled LightGCN's epoch linear in the users once a batch's subgraph has
# reached the bound its fanouts set? An epoch has (interactions / batch size) batches, so it
# grows linearly exactly when the cost of one batch stops growing with the graph. This runs the
# scale benchmark's sampled + row-sparse LightGCN (bench/scale_end_to_end.sh's lightgcn_sparse:
# fanouts [5, 5, 5], batch 1024, 100 k items) at each size for SECONDS of training, the sizes
# alternated ROUNDS times in one invocation, and prints each run's steady rate: batches per
# second over the last minute of its progress lines (the first minutes fault the tables in).
#   bench/lightgcn_batch_rate.sh OUT_DIR SECONDS ROUNDS USERS...   e.g. runs/rate 240 2 1000000 2000000
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 seconds=$2 rounds=$3
shift 3
bin=${SHIFTREC_BIN:-build/shiftrec}
mkdir -p "$out"
source bench/scale_settings.sh
scale_options lightgcn_sparse
for round in $(seq "$rounds"); do
  for users in "$@"; do
    log="$out/lightgcn_sparse-$users-r$round.log"
    rm -rf "$out/run" "$out/run.partial" "$out/run.failed"
    "$bin" train "${options[@]}" \
      --set data.synthetic.users="$users" --out "$out/run" > "$log" 2>&1 &
    pid=$!
    # The clock starts at the first progress line: data and graph build are not the batch rate.
    until grep -q "epoch 1 .*/s" "$log" 2>/dev/null; do
      kill -0 "$pid" 2>/dev/null || { echo "run for $users users ended early: $log" >&2; exit 1; }
      sleep 2
    done
    sleep "$seconds"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
rm -rf "$out/run" "$out/run.partial" "$out/run.failed"
/usr/bin/python3 - "$out" "$@" <<'PY'
import glob, re, sys
out, sizes = sys.argv[1], sys.argv[2:]
line = re.compile(r"\[\s*([\d.]+)s\] info: epoch 1 (\d+)/(\d+) ")
print("| users | round | batches an epoch | s per batch, last minute | projected epoch s |")
print("|---|---|---|---|---|")
for users in sizes:
    for log in sorted(glob.glob(f"{out}/lightgcn_sparse-{users}-r*.log")):
        points = [(float(t), int(b), int(n)) for t, b, n in line.findall(open(log).read())]
        if len(points) < 2:
            continue
        t1, b1, total = points[-1]
        t0, b0, _ = min(points, key=lambda p: abs(p[0] - (t1 - 60)))
        per_batch = (t1 - t0) / (b1 - b0)
        print(f"| {int(users):,} | {log.rsplit('-r', 1)[1][:-4]} | {total:,} | {per_batch:.3f} | "
              f"{per_batch * total:,.0f} |")
PY
