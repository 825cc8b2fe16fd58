#!/usr/bin/env bash
# dptrain's sgemm (Java -> netlib JNI -> OpenBLAS) against OpenBLAS's own sgemm called from C, same library,
# same shapes, one thread, in one run. Prints GFLOP/s of both and the ratio per shape; JSON lines to --out.
#   scripts/bench/gemm-compare.sh [--rounds 2] [--out bench-out/gemm-compare.jsonl]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=2
OUT="$ROOT/bench-out/gemm-compare-$(date +%Y%m%d-%H%M%S).jsonl"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "gemm-compare: unknown flag '$1' (expected --rounds N, --out FILE)" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$OUT")"
# The shapes of dptrain's networks at batch 100 (M,K,N,transA,transB; row-major C = op(A)·op(B)), as dptrain calls
# them: im2col conv forward col·Wᵀ, conv weight grad doutᵀ·col, conv data grad dout·W; affine forward x·W,
# weight grad xᵀ·dout, data grad dout·Wᵀ.
# shellcheck disable=SC2054 # commas inside one flag's value (a list of sizes), not array separators
SHAPES=(100,784,50,N,N 784,100,50,T,N 100,50,10,N,N 57600,75,30,N,T 30,57600,75,T,N 57600,30,75,N,N
        100,4320,100,N,N 4320,100,100,T,N 100,100,4320,N,T 1000,1000,1000,N,N)
"$ROOT/scripts/dptrain" --version >/dev/null   # builds if needed, extracts the shipped OpenBLAS
# The benchmark mains live in the coordinator's test classes, out of the production jar.
CP="$ROOT/coordinator/target/dptrain-coordinator.jar:$ROOT/coordinator/target/lib/*:$ROOT/coordinator/target/test-classes"
export OPENBLAS_NUM_THREADS=1
# The C side calls the very library dptrain loaded (Debian's libopenblas0 when installed, else the shipped one).
LIB="$(java -cp "$CP" dptrain.bench.GemmBench 2>&1 >/dev/null | sed -n 's/^dptrain gemm: openblas (native, \([^,]*\),.*/\1/p')"
[ -n "$LIB" ] || { echo "gemm-compare: dptrain did not load a native OpenBLAS" >&2; exit 1; }
: > "$OUT.tmp"
for ((r = 1; r <= ROUNDS; r++)); do
  java -XX:+UseParallelGC -cp "$CP" dptrain.bench.GemmBench "${SHAPES[@]}" 2>/dev/null >> "$OUT.tmp"
  "$ROOT/scripts/bench/sgemm-openblas.sh" --lib "$LIB" --shapes "${SHAPES[*]}" 2>/dev/null | grep '^{' >> "$OUT.tmp"
done
mv "$OUT.tmp" "$OUT"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; library: $LIB"
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
key = lambda r: (r["m"], r["k"], r["n"], r["transa"], r["transb"])
shapes = []
for r in rows:
    if key(r) not in shapes: shapes.append(key(r))
print(f"{'M,K,N,TA,TB':<24}{'dptrain GF/s':>14}{'OpenBLAS C GF/s':>17}{'ratio':>8}")
ratios = []
for s in shapes:
    j = max(r["gflops"] for r in rows if key(r) == s and r["impl"] == "dptrain-java")
    c = max(r["gflops"] for r in rows if key(r) == s and r["impl"] != "dptrain-java")
    ratios.append(j / c)
    print(f"{','.join(map(str, s)):<24}{j:>14.1f}{c:>17.1f}{j / c:>8.2f}")
print(f"geometric mean ratio: {statistics.geometric_mean(ratios):.3f}; minimum: {min(ratios):.3f}")
PY
