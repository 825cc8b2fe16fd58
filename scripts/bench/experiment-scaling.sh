#!/usr/bin/env bash
# Wall time of the book's studies with more than one training (optimizers, weight-init, batch-norm, overfitting) on
# `experiment --local-cluster --workers 1` and `--workers 2` (one compute thread per worker JVM), alternated (1 2 1 2 ...).
# Usage: scripts/bench/experiment-scaling.sh [PAIRS] [STUDY...]   (defaults: 1 pair, the four studies; full scale)
#        EXPERIMENT_FLAGS="--quick" for the small versions.
# Prints each run's wall seconds (from summary.json), the ratio 2 workers / 1 worker per study (target <= 0.6), and
# checks that both cluster sizes computed the same numbers (every CSV of the study identical).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAIRS="${1:-1}"
shift || true
STUDIES=("$@")
[ ${#STUDIES[@]} -gt 0 ] || STUDIES=(optimizers weight-init batch-norm overfitting)
OUT="${BENCH_OUT:-$ROOT/bench-out/experiment-scaling-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
# shellcheck disable=SC2086 # EXPERIMENT_FLAGS is a list of flags
run() { # study workers pair
  local dir="$OUT/$1-w$2-$3"
  "$ROOT/scripts/dptrain" experiment "$1" --local-cluster --workers "$2" --threads 1 ${EXPERIMENT_FLAGS:-} \
    --run-dir "$dir" >"$dir.log" 2>&1
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("%s workers %s: wall %.1f s  reproduced %s" % (sys.argv[2], sys.argv[3], s["wall_seconds"], s["reproduced"]))' \
    "$dir/summary.json" "$1" "$2"
}
for s in "${STUDIES[@]}"; do
  for i in $(seq 1 "$PAIRS"); do
    run "$s" 1 "$i" | tee -a "$OUT/results.txt"
    run "$s" 2 "$i" | tee -a "$OUT/results.txt"
    for f in "$OUT/$s-w1-$i"/*.csv; do
      cmp -s "$f" "$OUT/$s-w2-$i/$(basename "$f")" || { echo "$s: $(basename "$f") differs between 1 and 2 workers" | tee -a "$OUT/results.txt"; }
    done
  done
done
python3 - "$OUT/results.txt" <<'PY'
import re, statistics, sys
walls = {}
for l in open(sys.argv[1]):
    m = re.match(r"(\S+) workers (\d+): wall ([\d.]+) s", l)
    if m:
        walls.setdefault(m.group(1), {}).setdefault(int(m.group(2)), []).append(float(m.group(3)))
for s, w in walls.items():
    if 1 in w and 2 in w:
        a, b = statistics.median(w[1]), statistics.median(w[2])
        print(f"{s}: median wall 1 worker {a:.1f} s, 2 workers {b:.1f} s, ratio {b / a:.2f} (target <= 0.6)")
PY
echo "results in $OUT"
