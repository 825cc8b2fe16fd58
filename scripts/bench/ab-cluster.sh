#!/usr/bin/env bash
# Alternating A/B of whole local-cluster runs: the build of a git revision (A, in a temporary worktree) against the
# working tree's build (B), in pairs whose order flips each time (A B, B A, A B …) so that this machine's slow and
# fast phases, which swing separate runs by up to 2x, fall on both builds alike. Prints each run's steady-state
# figures (scripts/bench/step-summary.py), the median samples/s of each build and B/A, and says whether every run
# ended with the same params_sha256 (it must, unless the change is meant to change bits).
#   scripts/bench/ab-cluster.sh REV [--pairs 3] [--steps 600] [--workers 2] [--model simple-cnn] [--out DIR]
#                               [--b-java-opts "JVM FLAGS"] [--b-flags "DPTRAIN FLAGS"]
# --b-java-opts runs B's JVMs (the coordinator and its workers) with these extra flags (DPTRAIN_JAVA_OPTS, split on
# blanks as scripts/dptrain does); with REV = HEAD and a clean tree that compares JVM flags alone. They are also
# written to OUT/b-java-opts.txt. --b-flags adds dptrain flags to B's runs (e.g. "--config FILE", to compare a
# setting), also split on blanks and written to OUT/b-flags.txt.
# The runs are kept in --out (default bench-out/ab-cluster-DATE-TIME).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ $# -ge 1 && $1 != -* ]] || { echo "ab-cluster: usage: $0 REV [--pairs N] [--steps N] [--workers N] [--model M] [--out DIR] [--b-java-opts FLAGS] [--b-flags FLAGS]" >&2; exit 2; }
REV=$1; shift
PAIRS=3; STEPS=600; WORKERS=2; MODEL=simple-cnn; OUT=""; B_OPTS=""; B_FLAGS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pairs) PAIRS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --b-java-opts) B_OPTS=$2; shift 2 ;;
    --b-flags) B_FLAGS=$2; shift 2 ;;
    *) echo "ab-cluster: unknown flag '$1' (expected --pairs, --steps, --workers, --model, --out, --b-java-opts, --b-flags)" >&2
       exit 2 ;;
  esac
done
for n in "$PAIRS" "$STEPS" "$WORKERS"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "ab-cluster: '$n' is not a positive whole number" >&2; exit 2; }
done
# shellcheck source=scripts/bench/bench-common.sh
source "$ROOT/scripts/bench/bench-common.sh"
ab_worktree ab-cluster "$REV"
OUT=${OUT:-$ROOT/bench-out/ab-cluster-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; A = $(git -C "$ROOT" rev-parse --short "$REV"), B = working tree" >&2
echo "runs in $OUT; each: scripts/dptrain local-cluster --model $MODEL --workers $WORKERS --steps $STEPS --no-plots --quiet" >&2

if [[ -n $B_OPTS ]]; then
  echo "B's JVMs also get: $B_OPTS" >&2
  printf '%s\n' "$B_OPTS" >"$OUT/b-java-opts.txt"
fi
if [[ -n $B_FLAGS ]]; then
  echo "B's runs also get: $B_FLAGS" >&2
  printf '%s\n' "$B_FLAGS" >"$OUT/b-flags.txt"
fi

run() { # run BUILD_ROOT NAME
  local opts=${DPTRAIN_JAVA_OPTS:-} extra=()
  if [[ $2 == b* ]]; then
    opts="$opts $B_OPTS"
    read -r -a extra <<<"$B_FLAGS"
  fi
  DPTRAIN_JAVA_OPTS=$opts "$1/scripts/dptrain" local-cluster --model "$MODEL" --workers "$WORKERS" \
    --steps "$STEPS" --no-plots --quiet --run-dir "$OUT/$2" "${extra[@]}" >"$OUT/$2.log" 2>&1 \
    || { echo "ab-cluster: run $2 failed; see $OUT/$2.log" >&2; exit 1; }
  echo "  $2 done" >&2
}
RUNS=()
for i in $(seq 1 "$PAIRS"); do
  if (( i % 2 )); then run "$WORK/a" "a$i"; run "$ROOT" "b$i"; else run "$ROOT" "b$i"; run "$WORK/a" "a$i"; fi
  RUNS+=("$OUT/a$i" "$OUT/b$i")
done
FROM=$(( STEPS / 2 ))
python3 "$ROOT/scripts/bench/step-summary.py" --from-step "$FROM" "${RUNS[@]}"
python3 - "$OUT" "$PAIRS" <<'EOF'
import json, statistics, sys
out, pairs = sys.argv[1], int(sys.argv[2])
def summary(name):
    with open(f"{out}/{name}/summary.json") as f:
        return json.load(f)
a = [summary(f"a{i}") for i in range(1, pairs + 1)]
b = [summary(f"b{i}") for i in range(1, pairs + 1)]
ma = statistics.median(s["samples_per_second"] for s in a)
mb = statistics.median(s["samples_per_second"] for s in b)
print(f"samples/s median: A {ma:.0f}, B {mb:.0f}; B/A {mb / ma:.3f}")
print("pairs B/A: " + ", ".join(f"{y['samples_per_second'] / x['samples_per_second']:.3f}" for x, y in zip(a, b)))
shas = {s["params_sha256"] for s in a + b}
print("params_sha256: " + ("the same in every run, " + next(iter(shas))[:8] if len(shas) == 1
                           else f"{len(shas)} different values: " + ", ".join(sorted(x[:8] for x in shas))))
EOF
