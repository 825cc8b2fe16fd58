#!/usr/bin/env bash
# Per-layer forward/backward time for one shard on one thread (taskset to one core when available).
#   scripts/bench/layer-bench.sh [--model two-layer|simple-cnn|deep-cnn] [--samples 50] [--iterations 200] [--rounds 3]
#   scripts/bench/layer-bench.sh --gemm M,K,N,TA,TB ...   # GemmBench for the given shapes instead
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/dptrain" --version >/dev/null   # builds if needed
# The benchmark mains live in the coordinator's test classes, out of the production jar.
CP="$ROOT/coordinator/target/dptrain-coordinator.jar:$ROOT/coordinator/target/lib/*:$ROOT/coordinator/target/test-classes"
export OPENBLAS_NUM_THREADS=1
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
if [[ "${1:-}" == --gemm ]]; then
  shift
  exec "${PIN[@]}" java -cp "$CP" dptrain.bench.GemmBench --min-seconds 0.3 --reps 3 "$@"
fi
exec "${PIN[@]}" java -XX:+UseParallelGC -cp "$CP" dptrain.bench.LayerBench "$@"
