#!/usr/bin/env bash
# Trials per hour of `search --local-cluster` with 1 and 2 workers (one compute thread each), alternated
# (A B A B ...), on the book's ch. 6 search (6-layer, 100-unit net, 500 images, lr × weight decay).
# Usage: scripts/bench/search-scaling.sh [PAIRS] [TRIALS] [TRAIN_SAMPLES]
#        (defaults: 2 pairs, 40 trials of 50 epochs, 500 images of which 20 % are held out; more images, longer trials)
# Prints each run's trials_per_hour (over the whole wall time, cluster start included) and trials_per_hour_running
# (from the first unit sent to a worker to the end: the rate of a longer search, without the fixed start-up), the
# medians and their ratios; same seed, so each run must report the same best trial and validation accuracy.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAIRS="${1:-2}"
TRIALS="${2:-40}"
SAMPLES="${3:-500}"
OUT="${BENCH_OUT:-$ROOT/bench-out/search-scaling-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
run() { # workers index
  local dir="$OUT/w$1-$2"
  "$ROOT/scripts/dptrain" search --local-cluster --workers "$1" --threads 1 --model multi-layer \
    --hidden 100,100,100,100,100 --optimizer sgd --train-samples "$SAMPLES" --param lr=log-uniform:1e-6:1e-2 \
    --param weight-decay=log-uniform:1e-8:1e-4 --trials "$TRIALS" --epochs 50 --no-final --quiet \
    --run-dir "$dir" >"$dir.log" 2>&1
  python3 - "$dir/summary.json" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"workers {sys.argv[2]}: trials_per_hour {s['trials_per_hour']:.0f}  running {s['trials_per_hour_running']:.0f}  "
      f"wall {s['wall_seconds']:.1f} s  start-up {s['startup_seconds']:.1f} s  "
      f"best trial {s['best']['trial']} val acc {s['best']['validation_accuracy']:.4f}")
PY
}
for i in $(seq 1 "$PAIRS"); do
  run 1 "$i" | tee -a "$OUT/results.txt"
  run 2 "$i" | tee -a "$OUT/results.txt"
done
python3 - "$OUT/results.txt" <<'PY'
import re, statistics, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("workers")]
by, run = {}, {}
for l in rows:
    w = int(l.split()[1].rstrip(":"))
    by.setdefault(w, []).append(float(re.search(r"trials_per_hour (\d+)", l).group(1)))
    run.setdefault(w, []).append(float(re.search(r"running (\d+)", l).group(1)))
m1, m2 = statistics.median(by[1]), statistics.median(by[2])
r1, r2 = statistics.median(run[1]), statistics.median(run[2])
best = {re.search(r"best trial (\d+) val acc (\S+)", l).groups() for l in rows}
print(f"median trials/hour: 1 worker {m1:.0f}, 2 workers {m2:.0f}, ratio {m2 / m1:.2f}")
print(f"median trials/hour running: 1 worker {r1:.0f}, 2 workers {r2:.0f}, ratio {r2 / r1:.2f}")
print(f"same best in every run: {len(best) == 1}")
PY
