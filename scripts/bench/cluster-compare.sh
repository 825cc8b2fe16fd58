#!/usr/bin/env bash
# Compares dptrain's data-parallel cluster with PyTorch DDP (gloo) on this machine, in one run.
# Alternates, `--rounds` times (a b c d a b c d ...; 2-process timings on a 2-core machine drift):
#   a) dptrain train --workers 0 --threads 2          (in-process, 2 threads)
#   w) dptrain train --workers 2                      (coordinator and 2 worker nodes in one JVM, Aeron IPC;
#                                                      the README's main job)
#   b) dptrain local-cluster --workers 2              (coordinator JVM + 2 worker JVMs on the host's driver, IPC)
#   c) torch_reference.py --threads 2                 (PyTorch, 1 process, 2 threads)
#   d) torch_ddp.py --mode ddp --world-size 2 --threads-per-process 1   (DDP, 2 processes)
#   e) torch_ddp.py --mode ps --world-size 3 --threads-per-process 1    (PyTorch in dptrain's design: a
#      parameter-server process sends the parameters to 2 worker processes and receives their gradients, over gloo)
# all SimpleConvNet at global batch 100, then once each the gradient exchange alone:
# torch_ddp.py --mode allreduce (gloo all_reduce) and dptrain's ExchangeBench (Aeron UDP round trip).
# Prints medians, the ratios local-cluster/in-process, DDP/single and PS/single, and exchange vs all-reduce ms.
#
# Usage: scripts/bench/cluster-compare.sh [--rounds 3] [--dptrain-steps 300] [--torch-steps 300]
#          [--floats 433890] [--exchange-rounds 200] [--data-dir DIR] [--out FILE]
#          [--dptrain PATH] [--keep-runs]
# Raw JSON lines (one per measurement, plus one "meta" line) go to --out
# (default bench-out/cluster-compare-<date>.jsonl under the repository root).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
JAR=$REPO/coordinator/target/dptrain-coordinator.jar
LIB=$REPO/coordinator/target/lib
# pom.xml's dptrain.jvmFlags, the flags' one source
read -r -a JAVA_FLAGS <<< "$(sed -n 's:.*<dptrain.jvmFlags>\(.*\)</dptrain.jvmFlags>.*:\1:p' "$REPO/pom.xml")"

ROUNDS=3
DP_STEPS=300                         # dptrain --steps (a, b)
TORCH_STEPS=300                      # torch --steps (c, d)
FLOATS=433890                        # SimpleConvNet's parameter count
EXCHANGE_ROUNDS=200                  # ExchangeBench and all-reduce rounds (first 20% dropped)
DATA_DIR=${DPTRAIN_DATA_DIR:-$HOME/.dptrain/mnist}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=""
DPTRAIN=${DPTRAIN_BIN:-$REPO/scripts/dptrain}
KEEP_RUNS=0
BATCH=100
MODEL=simple-cnn

die() { echo "cluster-compare: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --dptrain-steps) DP_STEPS=$2; shift 2 ;;
    --torch-steps) TORCH_STEPS=$2; shift 2 ;;
    --floats) FLOATS=$2; shift 2 ;;
    --exchange-rounds) EXCHANGE_ROUNDS=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --dptrain) DPTRAIN=$2; shift 2 ;;
    --keep-runs) KEEP_RUNS=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument $1 (try --help)" ;;
  esac
done
OUT=${OUT:-$REPO/bench-out/cluster-compare-$STAMP.jsonl}

posint() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer (got '$2')"; }
posint --rounds "$ROUNDS"
posint --dptrain-steps "$DP_STEPS"
posint --torch-steps "$TORCH_STEPS"
posint --floats "$FLOATS"
posint --exchange-rounds "$EXCHANGE_ROUNDS"
command -v java >/dev/null || die "java not found; install JDK 17"
[[ -x "$DPTRAIN" ]] || die "dptrain launcher not found or not executable: $DPTRAIN (or pass --dptrain PATH)"
[[ -f "$JAR" && -d "$LIB" ]] || die "$JAR (and $LIB) not found; build first:
  (cd $REPO && mvn -B -o install -DskipTests)   or just run scripts/dptrain once, which builds it"
if [[ ! -x "$PY" ]] || ! "$PY" -c 'import torch, numpy' >/dev/null 2>&1; then
  echo "cluster-compare: $PY cannot import torch and numpy; running install-reference.sh" >&2
  "$HERE/install-reference.sh" || die "install-reference.sh failed"
  "$PY" -c 'import torch, numpy' >/dev/null 2>&1 \
    || die "$PY still cannot import torch and numpy after install-reference.sh"
fi
[[ -e "$DATA_DIR/train-images-idx3-ubyte" || -e "$DATA_DIR/train-images-idx3-ubyte.gz" ]] \
  || die "no MNIST train-images-idx3-ubyte in $DATA_DIR (pass --data-dir or set DPTRAIN_DATA_DIR)"

# shellcheck source=scripts/bench/bench-common.sh
source "$HERE/bench-common.sh"
bench_setup cluster-compare
echo "sizes   : $MODEL batch $BATCH, dptrain $DP_STEPS steps, torch $TORCH_STEPS steps, $ROUNDS round(s)"
echo

RUN_ID="cluster-compare-$STAMP-$$"
"$PY" -c 'import json, sys
k = ["run_id", "cpu", "nproc", "java", "torch", "rounds", "dptrain_steps", "torch_steps", "floats",
     "exchange_rounds"]
d = dict(zip(k, sys.argv[1:]))
for key in k[5:] + ["nproc"]:
    d[key] = int(d[key])
d["kind"] = "meta"; d["model"] = "simple-cnn"; d["batch_size"] = 100
print(json.dumps(d))' "$RUN_ID" "$CPU" "$NPROC" "$JAVA" "$TORCH" "$ROUNDS" "$DP_STEPS" \
  "$TORCH_STEPS" "$FLOATS" "$EXCHANGE_ROUNDS" >>"$OUT"

# tag LINE KIND ROUND [STEAL]: adds run_id, kind, round (and steal_pct) to a JSON object line.
tag() {
  "$PY" -c 'import json, sys
d = json.loads(sys.argv[1]); d["run_id"] = sys.argv[2]; d["kind"] = sys.argv[3]; d["round"] = int(sys.argv[4])
if len(sys.argv) > 5: d["steal_pct"] = float(sys.argv[5])
print(json.dumps(d))' "$1" "$RUN_ID" "$2" "$3" "${@:4}"
}

sps() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["samples_per_second"])' "$1"; }

# ---- runs ----------------------------------------------------------------------------
run_dptrain() {  # command(train|train-workers|local-cluster) round
  local variant=$1 round=$2 dir log cmd=$1
  dir="$WORK/dptrain-$variant-r$round"
  log="$WORK/dptrain-$variant-r$round.log"
  mkdir -p "$dir"
  local extra=(--workers 0 --threads 2)
  if [[ $variant == local-cluster ]]; then extra=(--workers 2); fi
  if [[ $variant == train-workers ]]; then cmd=train; extra=(--workers 2); fi
  if ! "$DPTRAIN" "$cmd" --model "$MODEL" "${extra[@]}" --batch-size "$BATCH" --steps "$DP_STEPS" \
        --seed 1 --run-dir "$dir" --data-dir "$DATA_DIR" --no-plots --quiet >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    for f in "$dir"/logs/*.log; do
      if [[ -f $f ]]; then echo "--- $f" >&2; tail -n 15 "$f" >&2; fi
    done
    die "dptrain $cmd failed (round $round); log above"
  fi
  [[ -f "$dir/summary.json" ]] || die "dptrain $cmd wrote no $dir/summary.json (round $round)"
  "$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))
if not isinstance(s.get("samples_per_second"), (int, float)):
    sys.exit("cluster-compare: %s has no numeric samples_per_second" % sys.argv[1])
print(json.dumps({"impl": "dptrain", "command": sys.argv[2], "model": s.get("model"),
                  "params_sha256": s.get("params_sha256"),
                  "steps": s.get("steps"), "samples_per_second": float(s["samples_per_second"]),
                  "summary": s}))' "$dir/summary.json" "$variant"
}

run_py() {  # log-name script args...: runs a Python bench, prints its JSON line
  local name=$1 line; shift
  if ! line=$("$PY" "$@" 2>"$WORK/$name.log"); then
    tail -n 40 "$WORK/$name.log" >&2
    die "$name failed; log above"
  fi
  echo "$line"
}

measure() {  # kind round label command...: runs the command (which prints a JSON line), tags the line with the
  # steal during the run, appends it to --out and prints a progress row
  local kind=$1 round=$2 label=$3 mark line steal
  shift 3
  mark=$(cpu_mark)
  line=$("$@")
  steal=$(steal_pct "$mark")
  line=$(tag "$line" "$kind" "$round" "$steal")
  echo "$line" >>"$OUT"
  printf '  round %d/%d  %-38s %10.1f samples/s  (steal %s %%)\n' "$round" "$ROUNDS" "$label" "$(sps "$line")" "$steal"
}

for ((r = 1; r <= ROUNDS; r++)); do
  measure dptrain-train "$r" "a) dptrain train (in-process)" run_dptrain train "$r"
  measure dptrain-train-workers "$r" "w) dptrain train --workers 2 (1 JVM)" run_dptrain train-workers "$r"
  measure dptrain-local-cluster "$r" "b) dptrain local-cluster (2 JVMs)" run_dptrain local-cluster "$r"
  measure torch-single "$r" "c) torch single (2 threads)" run_py "torch-single-r$r" "$HERE/torch_reference.py" \
    --model "$MODEL" --threads 2 --batch-size "$BATCH" --steps "$TORCH_STEPS" --seed 1 --data-dir "$DATA_DIR"
  measure torch-ddp "$r" "d) torch DDP (2 x 1 thread)" run_py "torch-ddp-r$r" "$HERE/torch_ddp.py" --mode ddp \
    --world-size 2 --threads-per-process 1 --batch-size "$BATCH" --steps "$TORCH_STEPS" --seed 1 --data-dir "$DATA_DIR"
  measure torch-ps "$r" "e) torch PS (1 server + 2 x 1 thread)" run_py "torch-ps-r$r" "$HERE/torch_ddp.py" --mode ps \
    --world-size 3 --threads-per-process 1 --batch-size "$BATCH" --steps "$TORCH_STEPS" --seed 1 --data-dir "$DATA_DIR"
done

# ---- exchange alone --------------------------------------------------------------------
line=$(run_py gloo-allreduce "$HERE/torch_ddp.py" --mode allreduce --world-size 2 \
  --floats "$FLOATS" --rounds "$EXCHANGE_ROUNDS")
line=$(tag "$line" gloo-allreduce 0)
echo "$line" >>"$OUT"
echo "  gloo all_reduce      : $("$PY" -c 'import json, sys; d = json.loads(sys.argv[1])
print("median %.3f ms, p90 %.3f ms" % (d["allreduce_ms_median"], d["allreduce_ms_p90"]))' "$line")"

if ! exch=$(java "${JAVA_FLAGS[@]}" -cp "$JAR:$LIB/*:$REPO/coordinator/target/test-classes" dptrain.bench.ExchangeBench \
      "$FLOATS" "$EXCHANGE_ROUNDS" udp 65504 aes-gcm 2>"$WORK/exchange.log"); then
  echo "$exch" >&2; tail -n 30 "$WORK/exchange.log" >&2
  die "ExchangeBench failed; output above"
fi
head_line=$(grep -m 1 '^exchange udp' <<<"$exch" || true)
median=$(sed -n 's/.*median round trip \([0-9.]*\) ms.*/\1/p' <<<"$head_line")
p90=$(sed -n 's/.*, p90 \([0-9.]*\) ms.*/\1/p' <<<"$head_line")
[[ -n $median ]] || { echo "$exch" >&2; die "no 'exchange udp ... median round trip X ms' line from ExchangeBench"; }
line=$("$PY" -c 'import json, sys
print(json.dumps({"run_id": sys.argv[1], "kind": "dptrain-exchange", "round": 0, "impl": "dptrain",
                  "transport": "udp", "mtu": 65504, "mac": "aes-gcm", "floats": int(sys.argv[2]),
                  "rounds": int(sys.argv[3]), "round_trip_ms_median": float(sys.argv[4]),
                  "round_trip_ms_p90": float(sys.argv[5]) if sys.argv[5] else None,
                  "output": sys.argv[6]}))' "$RUN_ID" "$FLOATS" "$EXCHANGE_ROUNDS" "$median" "$p90" "$exch")
echo "$line" >>"$OUT"
echo "  dptrain exchange     : median $median ms, p90 ${p90:-?} ms (udp, mtu 65504, aes-gcm)"

# ---- table ---------------------------------------------------------------------------
echo
"$PY" - "$OUT" "$RUN_ID" <<'PYEOF'
import json, statistics, sys
path, run_id = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(path) if l.strip()]
rows = [r for r in rows if r.get("run_id") == run_id]

def sps(kind):
    return [r["samples_per_second"] for r in rows if r["kind"] == kind]

labels = [("dptrain-train", "dptrain train --workers 0 --threads 2"),
          ("dptrain-train-workers", "dptrain train --workers 2 (one JVM)"),
          ("dptrain-local-cluster", "dptrain local-cluster --workers 2"),
          ("torch-single", "torch single process, 2 threads"),
          ("torch-ddp", "torch DDP gloo, 2 processes x 1 thread"),
          ("torch-ps", "torch parameter server + 2 workers")]
fmt = "{:<40} {:>10} {:>15}"
print(fmt.format("samples/s (SimpleConvNet, batch 100)", "median", "min-max") + "  steal % (hypervisor)")
med = {}
for kind, label in labels:
    v = sps(kind)
    med[kind] = statistics.median(v)
    st = [r["steal_pct"] for r in rows if r["kind"] == kind and "steal_pct" in r]
    print(fmt.format(label, f"{med[kind]:.0f}", f"{min(v):.0f}-{max(v):.0f}")
          + ("  " + " ".join(f"{x:.0f}" for x in st) if st else ""))
print()
ratio = "{:<40} {:>10.3f}"
print(ratio.format("dptrain train --workers 2 / in-process", med["dptrain-train-workers"] / med["dptrain-train"]))
print(ratio.format("dptrain local-cluster / in-process", med["dptrain-local-cluster"] / med["dptrain-train"]))
print(ratio.format("torch DDP / single", med["torch-ddp"] / med["torch-single"]))
print(ratio.format("torch PS / single", med["torch-ps"] / med["torch-single"]))
print(ratio.format("dptrain local-cluster / torch DDP", med["dptrain-local-cluster"] / med["torch-ddp"]))
print(ratio.format("dptrain local-cluster / torch PS", med["dptrain-local-cluster"] / med["torch-ps"]))
print(ratio.format("dptrain in-process / torch single", med["dptrain-train"] / med["torch-single"]))
print()
g = next(r for r in rows if r["kind"] == "gloo-allreduce")
e = next(r for r in rows if r["kind"] == "dptrain-exchange")
print("{:<40} {:>10} {:>10}".format(f"exchange of {g['floats']} floats ({g['bytes'] / 1e6:.2f} MB)", "median ms", "p90 ms"))
p90 = e["round_trip_ms_p90"]
print("{:<40} {:>10.3f} {:>10}".format("dptrain round trip (udp, aes-gcm)", e["round_trip_ms_median"],
                                       "-" if p90 is None else f"{p90:.3f}"))
print("{:<40} {:>10.3f} {:>10.3f}".format("gloo all_reduce, 2 ranks", g["allreduce_ms_median"], g["allreduce_ms_p90"]))
print(ratio.format("dptrain round trip / gloo all_reduce", e["round_trip_ms_median"] / g["allreduce_ms_median"]))
shas = {r["params_sha256"] for r in rows if r.get("impl") == "dptrain" and "params_sha256" in r}
print("dptrain params_sha256: " + (next(iter(shas)) if len(shas) == 1 else "DIFFERENT: " + ", ".join(sorted(shas))))
n = len(sps("torch-ddp"))
print(f"(training: medians over {n} round(s) each; exchange: one run each, first 20% of rounds dropped)")
PYEOF
echo "raw JSON lines: $OUT"
