#!/usr/bin/env bash
# One trainer step (K shards on T threads + ordered reduce and optimizer), without data loading or evaluation.
#   scripts/bench/step-bench.sh [--model two-layer|simple-cnn] [--virtual-shards K] [--threads T] [--rounds R]
#                               [--alternate "shipped system"]   # compare OpenBLAS libraries, A B A B ...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ARGS=() ; ALTERNATE="shipped"; REPEAT=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --alternate) ALTERNATE="$2"; REPEAT=2; shift 2 ;;
    --model|--virtual-shards|--threads|--rounds|--steps) ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "step-bench: unknown flag '$1'" >&2; exit 2 ;;
  esac
done
"$ROOT/scripts/dptrain" --version >/dev/null   # builds if needed
# The benchmark mains live in the coordinator's test classes, out of the production jar.
CP="$ROOT/coordinator/target/dptrain-coordinator.jar:$ROOT/coordinator/target/lib/*:$ROOT/coordinator/target/test-classes"
export OPENBLAS_NUM_THREADS=1
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" >&2
for ((i = 0; i < REPEAT; i++)); do
  for blas in $ALTERNATE; do
    java -Ddptrain.blas="$blas" -XX:+UseParallelGC -cp "$CP" dptrain.bench.StepBench "${ARGS[@]}" 2>/dev/null
  done
done
