#!/usr/bin/env bash
# OpenBLAS's own single-threaded sgemm GFLOP/s for the GEMM shapes dptrain's networks
# use at batch 100, measured from C (no JVM, no JNI) as the ceiling for dptrain's BLAS calls.
#
# Usage: scripts/bench/sgemm-openblas.sh [--lib /path/to/libopenblas.so.0]
#            [--min-seconds 0.5] [--reps 5] [--shapes "M,K,N[,TA,TB] ..."] [--out FILE]
# Library: --lib, else the bytedeco one under ~/.javacpp/cache (present once the Java side
# has run), else Debian's /usr/lib/x86_64-linux-gnu/libopenblas.so.0.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB=""
MIN_SECONDS=0.5
REPS=5
OUT=""
# M,K,N,TA,TB -- row-major C(MxN) = op(A)(MxK) * op(B)(KxN)
# shellcheck disable=SC2054 # commas inside one flag's value (a list of sizes), not array separators
SHAPES=(
  100,784,50,N,N      # two-layer affine1 forward
  100,50,10,N,N       # two-layer affine2 forward
  784,100,50,T,N      # two-layer affine1 weight grad  x^T . dout
  50,100,10,T,N       # two-layer affine2 weight grad
  100,10,50,N,T       # two-layer affine2 data grad    dout . W^T
  57600,75,30,N,N     # simple-cnn conv forward         im2col(x) . W
  75,57600,30,T,N     # simple-cnn conv weight grad     col^T . dout
  57600,30,75,N,T     # simple-cnn conv data grad       dout . W^T (then col2im)
  100,4320,100,N,N    # simple-cnn affine1 forward
  4320,100,100,T,N    # simple-cnn affine1 weight grad
  100,100,4320,N,T    # simple-cnn affine1 data grad
  100,100,10,N,N      # simple-cnn affine2 forward
)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --lib) LIB=$2; shift 2 ;;
    --min-seconds) MIN_SECONDS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --shapes) read -r -a SHAPES <<<"$2"; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "sgemm-openblas: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [[ -z "$LIB" ]]; then
  if [[ -d "$HOME/.javacpp/cache" ]]; then
    LIB=$(find "$HOME/.javacpp/cache" -name libopenblas.so.0 -path '*org/bytedeco/openblas*' 2>/dev/null \
            | sort -V | tail -n 1 || true)
  fi
  if [[ -z "$LIB" ]]; then
    LIB=/usr/lib/x86_64-linux-gnu/libopenblas.so.0
    echo "sgemm-openblas: no bytedeco OpenBLAS under ~/.javacpp/cache; falling back to Debian's" >&2
  fi
fi
if [[ ! -e "$LIB" ]]; then
  echo "sgemm-openblas: library not found: $LIB (pass --lib, or run scripts/bench/install-reference.sh)" >&2
  exit 1
fi
command -v gcc >/dev/null || { echo "sgemm-openblas: gcc missing (run install-reference.sh)" >&2; exit 1; }

LIB=$(readlink -f "$LIB")
LIBDIR=$(dirname "$LIB")
echo "sgemm-openblas: using $LIB" >&2

BUILD=$(mktemp -d "${TMPDIR:-/tmp}/sgemm-openblas.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT
# Link against the exact file; rpath so the same library (and its libgfortran) is loaded at run time.
gcc -O2 -std=c11 -Wall -Wextra -o "$BUILD/sgemm_openblas" "$HERE/sgemm_openblas.c" \
    "$LIB" -Wl,-rpath,"$LIBDIR" -Wl,-rpath-link,"$LIBDIR"

# Check the loader really resolves libopenblas to the chosen directory.
loaded=$(ldd "$BUILD/sgemm_openblas" | awk '/libopenblas/ {print $3}')
echo "sgemm-openblas: loader resolves libopenblas to $loaded" >&2

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
if [[ -n "$OUT" ]]; then
  mkdir -p "$(dirname "$OUT")"
  "$BUILD/sgemm_openblas" --min-seconds "$MIN_SECONDS" --reps "$REPS" "${SHAPES[@]}" | tee -a "$OUT"
else
  "$BUILD/sgemm_openblas" --min-seconds "$MIN_SECONDS" --reps "$REPS" "${SHAPES[@]}"
fi
