#!/usr/bin/env bash
# ASHA against full random search on the book's ch. 6 search (6-layer, 100-unit net, 500 images, lr × weight
# decay, 100 trials of 50 epochs), over several search seeds: best validation accuracy of each and ASHA's share
# of random's epochs. ASHA samples the same trials (same seed, same random sampler), so it can only lose by
# stopping the eventual winner early.
# Usage: scripts/bench/asha-vs-random.sh [SEEDS] [WORKERS]   (defaults: 5 seeds, 2 in-JVM workers)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SEEDS="${1:-5}"
WORKERS="${2:-2}"
OUT="${BENCH_OUT:-$ROOT/bench-out/asha-vs-random-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
# shellcheck disable=SC2054 # commas inside one flag's value (a list of sizes), not array separators
COMMON=(--workers "$WORKERS" --model multi-layer --hidden 100,100,100,100,100 --optimizer sgd --train-samples 500
  --param lr=log-uniform:1e-6:1e-2 --param weight-decay=log-uniform:1e-8:1e-4 --trials 100 --epochs 50
  --no-final --quiet)
for s in $(seq 1 "$SEEDS"); do
  "$ROOT/scripts/dptrain" search "${COMMON[@]}" --seed "$s" --run-dir "$OUT/random-$s" >"$OUT/random-$s.log" 2>&1
  "$ROOT/scripts/dptrain" search "${COMMON[@]}" --seed "$s" --strategy asha --min-epochs 5 --eta 3 \
    --run-dir "$OUT/asha-$s" >"$OUT/asha-$s.log" 2>&1
done
python3 - "$OUT" "$SEEDS" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
ra, aa, fr = [], [], []
for s in range(1, n + 1):
    r = json.load(open(f"{out}/random-{s}/summary.json"))
    a = json.load(open(f"{out}/asha-{s}/summary.json"))
    ra.append(r["best"]["validation_accuracy"]); aa.append(a["best"]["validation_accuracy"])
    fr.append(a["epochs_used"] / r["epochs_used"])
    print(f"seed {s}: random best {ra[-1]:.4f} (trial {r['best']['trial']}), asha best {aa[-1]:.4f} "
          f"(trial {a['best']['trial']}), asha epochs {a['epochs_used']} = {fr[-1]:.1%} of random's {r['epochs_used']}")
m = lambda v: sum(v) / len(v)
print(f"mean: random {m(ra):.4f}, asha {m(aa):.4f}, difference {m(ra) - m(aa):+.4f}; asha epochs {m(fr):.1%} of random's")
PY
