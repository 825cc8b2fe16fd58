#!/usr/bin/env bash
# Bytes per step, throughput and test accuracy of `local-cluster --workers 2` (SimpleConvNet, batch 100) with each
# --wire-precision, alternated (fp32 bf16 fp16, fp32 bf16 fp16 ...), the same training for each.
# Usage: scripts/bench/wire-precision.sh [ROUNDS] [EPOCHS]   (defaults: 2 rounds of 1 epoch)
# Prints per run: wire_bytes_per_step, samples_per_second, test_accuracy, params_sha256 (one per precision: the bits
# must repeat across rounds), then the medians per precision.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-2}"
EPOCHS="${2:-1}"
OUT="${BENCH_OUT:-$ROOT/bench-out/wire-precision-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
for r in $(seq 1 "$ROUNDS"); do
  for p in fp32 bf16 fp16; do
    dir="$OUT/$p-$r"
    "$ROOT/scripts/dptrain" local-cluster --workers 2 --model simple-cnn --epochs "$EPOCHS" --wire-precision "$p" \
      --run-dir "$dir" --quiet --no-plots >"$dir.log" 2>&1
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("%s round %s: wire_bytes_per_step %d samples_per_second %.0f test_accuracy %.4f params_sha256 %s" % (sys.argv[2], sys.argv[3], s["wire_bytes_per_step"], s["samples_per_second"], s["test_accuracy"], s["params_sha256"][:12]))' \
      "$dir/summary.json" "$p" "$r" | tee -a "$OUT/results.txt"
  done
done
python3 - "$OUT/results.txt" <<'PY'
import re, statistics, sys
rows = {}
for l in open(sys.argv[1]):
    m = re.match(r"(\w+) round \d+: wire_bytes_per_step (\d+) samples_per_second (\d+) test_accuracy ([\d.]+) params_sha256 (\w+)", l)
    if m:
        rows.setdefault(m.group(1), []).append((int(m.group(2)), float(m.group(3)), float(m.group(4)), m.group(5)))
base = statistics.median(r[1] for r in rows["fp32"])
for p, rs in rows.items():
    shas = sorted({r[3] for r in rs})
    print(f"{p}: {rs[0][0]:,} bytes/step, median {statistics.median(r[1] for r in rs):,.0f} samples/s "
          f"({statistics.median(r[1] for r in rs) / base:.2f} of fp32), test accuracy {rs[0][2]:.4f}, "
          f"params_sha256 {' '.join(shas)}{' (repeats)' if len(shas) == 1 else ' (DIFFERS between rounds)'}")
PY
echo "results in $OUT"
