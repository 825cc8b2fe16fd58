# shellcheck shell=bash
# Sourced by the comparison scripts in scripts/bench (not run on its own).

# bench_setup NAME: creates the directory of $OUT and a work directory $WORK (removed at exit unless
# KEEP_RUNS=1), sets CPU, NPROC, JAVA and TORCH, and prints the machine header.
# Expects PY, OUT, DPTRAIN, DATA_DIR and KEEP_RUNS to be set.
bench_setup() {
  local name=$1
  mkdir -p "$(dirname "$OUT")"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
  if [[ $KEEP_RUNS -eq 0 ]]; then trap 'rm -rf "$WORK"' EXIT; fi
  CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
  NPROC=$(nproc)
  JAVA=$( (java -version 2>&1 || echo "java not on PATH") | head -n 1)
  TORCH=$("$PY" -c 'import torch; print(torch.__version__)')
  echo "machine : ${CPU:-unknown CPU}, nproc $NPROC"
  echo "java    : $JAVA"
  echo "torch   : $TORCH ($PY)"
  echo "dptrain : $DPTRAIN"
  echo "data    : $DATA_DIR"
  echo "out     : $OUT"
  if [[ $KEEP_RUNS -eq 1 ]]; then echo "runs    : $WORK"; fi
}
