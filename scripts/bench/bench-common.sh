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

# ab_worktree NAME REV [MAVEN_ARGS...]: for the A/B scripts. Checks that REV is a commit (exit 2 naming it if not),
# builds the working tree through scripts/dptrain, checks REV out in a temporary worktree $WORK/a (removed at exit
# with $WORK) and builds it there with `mvn -B -o -q package -DskipTests MAVEN_ARGS`. Expects ROOT.
ab_worktree() {
  local name=$1 rev=$2
  shift 2
  git -C "$ROOT" rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "$name: '$rev' is not a commit" >&2; exit 2; }
  "$ROOT/scripts/dptrain" --version >/dev/null   # builds the working tree if needed
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
  trap 'git -C "$ROOT" worktree remove --force "$WORK/a" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  git -C "$ROOT" worktree add -q --detach "$WORK/a" "$rev"
  (cd "$WORK/a" && mvn -B -o -q package -DskipTests "$@")
}

# cpu_mark: the machine's CPU time so far from /proc/stat, as "STEAL TOTAL" (jiffies over all CPUs); "0 0" where
# there is no /proc/stat. On a VM, steal is time the hypervisor gave this machine's vCPUs to someone else: runs taken
# while it is high are slower whatever the code does, so every comparison records it next to its figures.
cpu_mark() {
  # Fields 2-9: user nice system idle iowait irq softirq steal (guest time is already inside user and nice). printf
  # %.0f, since mawk prints large numbers in exponent form, which bash arithmetic cannot read.
  awk '/^cpu / { t = 0; for (i = 2; i <= 9 && i <= NF; i++) t += $i; printf "%.0f %.0f\n", $9, t; found = 1; exit }
       END { if (!found) print "0 0" }' /proc/stat 2>/dev/null || echo "0 0"
}

# steal_pct MARK: the steal share of the machine's time since cpu_mark printed MARK, in percent (one decimal).
steal_pct() {
  local before after
  read -r -a before <<<"$1"
  read -r -a after <<<"$(cpu_mark)"
  awk -v s=$((after[0] - before[0])) -v t=$((after[1] - before[1])) \
    'BEGIN { printf "%.1f", (t > 0 ? 100 * s / t : 0) }'
}
