#!/usr/bin/env bash
# SASRec on Beauty with the reference hyperparameters, end to end through the CLI:
# seconds per epoch, peak memory and uni100 accuracy after 20 epochs.
#   SHIFTREC_DATA=../shared/datasets bash bench/sasrec_beauty.sh [extra --set args]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SHIFTREC_DATA:?set SHIFTREC_DATA to the shared datasets folder}"
out=$(mktemp -d)/run
/usr/bin/time -f "peak_rss_mb=%M" -o "$out.time" \
  build/shiftrec train --config experiments/configs/beauty_sasrec_reference.toml --out "$out" \
  --set log_level=warn "$@"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
r = json.load(open(out + "/results.json"))
rss = open(out + ".time").read().strip().split("=")[1]
t = r["timings"]
print(f"epochs {r['epochs_run']}  seconds/epoch {t['seconds_per_epoch']:.2f}  "
      f"train {t['train_seconds']:.1f} s  peak RSS {int(rss) / 1024:.0f} MB  threads {r['threads']}")
for split in ("valid", "test"):
    m = r["splits"][split]["metrics"]
    print(split, r["protocol"]["ranking"], " ".join(f"{k}={v:.4f}" for k, v in sorted(m.items())))
PY
