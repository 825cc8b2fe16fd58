#!/usr/bin/env bash
# Paired A/B of one 50-sample shard (forward + backward, one thread) between the library at a git revision (A) and
# the working tree's build (B), in one JVM with the two builds alternated: robust to this machine's slow phases,
# which swing separate runs by up to 2x.
#   scripts/bench/ab-shard.sh REV [--model simple-cnn|two-layer|deep-cnn] [--pairs 60]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ $# -ge 1 && $1 != -* ]] || { echo "ab-shard: usage: $0 REV [--model M] [--pairs N]" >&2; exit 2; }
REV=$1; shift
MODEL=simple-cnn; PAIRS=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) MODEL=$2; shift 2 ;;
    --pairs) PAIRS=$2; shift 2 ;;
    *) echo "ab-shard: unknown flag '$1' (expected --model, --pairs)" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/bench/bench-common.sh
source "$ROOT/scripts/bench/bench-common.sh"
ab_worktree ab-shard "$REV" -pl common
COMMON_B=$(ls "$ROOT"/common/target/dptrain-common-*.jar | head -n 1)
COMMON_A=$(ls "$WORK"/a/common/target/dptrain-common-*.jar | head -n 1)
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$COMMON_B" "$ROOT/scripts/bench/ab/ShardLoop.java"
javac -d "$WORK/classes" "$ROOT/scripts/bench/ab/AbShard.java"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; A = $(git -C "$ROOT" rev-parse --short "$REV"), B = working tree" >&2
PIN=(); command -v taskset >/dev/null && PIN=(taskset -c 0)
OPENBLAS_NUM_THREADS=1 "${PIN[@]}" java -XX:+UseParallelGC -cp "$WORK/classes" AbShard "$WORK/classes" \
  "$COMMON_A" "$COMMON_B" "$ROOT/coordinator/target/lib" "$MODEL" "$PAIRS"
