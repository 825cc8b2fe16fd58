#!/usr/bin/env bash
# dptrain between simulated hosts: a coordinator and 2 workers in 3 network namespaces (scripts/netns-hosts.sh: a
# bridge, veth at MTU 1500, real UDP through the kernel, each JVM with its own media driver, every message sealed,
# default settings), alternated with the in-process trainer (A B A B …), SimpleConvNet batch 100. Then the exchange
# alone between the two worker namespaces: gloo all_reduce of the same 1.74 MB (torch_ddp.py --mode allreduce, one
# rank per namespace), against dptrain's exchange per step (a worker's wait minus its compute, from metrics.jsonl).
# Root only (it creates namespaces). Prints medians, the ratio and whether every run had the same params_sha256.
#
# Usage: scripts/bench/netns-compare.sh [--rounds 2] [--steps 600] [--exchange-rounds 200] [--data-dir DIR]
#          [--mtu BYTES] [--wire-precision fp32|bf16|fp16] [--out FILE] [--keep-runs]
# --mtu: the data plane's MTU on the coordinator and the workers (default: dptrain.data-plane.mtu, 1408).
# --wire-precision: of the parameters and gradients on the data plane (default fp32; the in-process run gets it too,
#   so the bits still compare).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
ROUNDS=2
STEPS=600
EXCHANGE_ROUNDS=200
DATA_DIR=${DPTRAIN_DATA_DIR:-$HOME/.dptrain/mnist}
OUT=""
DPTRAIN=${DPTRAIN_BIN:-$REPO/scripts/dptrain}
KEEP_RUNS=0
MTU=()
PREFIX=dptb
WIRE=()
NET=79

die() { echo "netns-compare: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --exchange-rounds) EXCHANGE_ROUNDS=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --mtu) MTU=(--mtu "$2"); shift 2 ;;
    --wire-precision) WIRE=(--wire-precision "$2"); shift 2 ;;
    --keep-runs) KEEP_RUNS=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument $1 (try --help)" ;;
  esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer (got '$ROUNDS')"
[[ $STEPS =~ ^[1-9][0-9]*$ ]] || die "--steps must be a positive integer (got '$STEPS')"
[[ $EXCHANGE_ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--exchange-rounds must be a positive integer (got '$EXCHANGE_ROUNDS')"
[[ $(id -u) -eq 0 ]] || die "needs root (it creates network namespaces)"
OUT=${OUT:-$REPO/bench-out/netns-compare-$(date +%Y%m%d-%H%M%S).jsonl}
if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
  "$HERE/install-reference.sh" || die "install-reference.sh failed"
fi
"$DPTRAIN" --version >/dev/null || die "$DPTRAIN does not run"

# shellcheck source=scripts/bench/bench-common.sh
source "$HERE/bench-common.sh"
bench_setup netns-compare
"$REPO/scripts/netns-hosts.sh" up "$PREFIX" 3 "$NET" >/dev/null
trap '"$REPO/scripts/netns-hosts.sh" down "$PREFIX" 3; if [[ $KEEP_RUNS -eq 0 ]]; then rm -rf "$WORK"; fi' EXIT
echo "hosts   : $PREFIX-1 (coordinator) 10.$NET.0.1, $PREFIX-2 and $PREFIX-3 (workers); $STEPS steps, $ROUNDS round(s)${MTU[*]:+, ${MTU[*]}}${WIRE[*]:+, ${WIRE[*]}}"
echo

common=(--model simple-cnn --batch-size 100 --steps "$STEPS" --seed 1 --data-dir "$DATA_DIR" --no-plots --quiet "${WIRE[@]}")

record() {  # kind round dir: one JSON line from the run's summary and metrics
  "$PY" - "$1" "$2" "$3" >>"$OUT" <<'PYEOF'
import json, statistics, sys
kind, rnd, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(d + "/summary.json"))
comm = []
for line in open(d + "/metrics.jsonl"):
    r = json.loads(line)
    if r.get("type") == "step" and "per_worker" in r:
        comm += [w["communication_ms"] for w in r["per_worker"].values() if w.get("live")]
print(json.dumps({"kind": kind, "round": rnd, "samples_per_second": s["samples_per_second"],
                  "params_sha256": s["params_sha256"], "data_plane_mac": s.get("data_plane_mac"),
                  "communication_ms_median": statistics.median(comm) if comm else None,
                  "dropped_messages": s.get("dropped_messages")}))
PYEOF
  tail -n 1 "$OUT"
}

for ((r = 1; r <= ROUNDS; r++)); do
  d="$WORK/inproc-$r"
  "$DPTRAIN" train "${common[@]}" --workers 0 --threads 2 --run-dir "$d" >"$d.log" 2>&1 || { tail "$d.log"; die "in-process run failed"; }
  printf '  round %d  in-process            %s\n' "$r" "$(record in-process "$r" "$d")"
  d="$WORK/netns-$r"
  port=$((25600 + r))
  ip netns exec "$PREFIX-1" "$DPTRAIN" coordinator "${common[@]}" --host "10.$NET.0.1" --port "$port" --workers 2 \
    --worker-timeout 120 --run-dir "$d" "${MTU[@]}" >"$d.log" 2>&1 &
  cpid=$!
  for w in 2 3; do
    ip netns exec "$PREFIX-$w" "$DPTRAIN" worker --join "10.$NET.0.1:$port" --host "10.$NET.0.$w" \
      --data-dir "$DATA_DIR" --exit-after-job "${MTU[@]}" >"$d-worker-$w.log" 2>&1 &
  done
  wait "$cpid" || { tail "$d.log"; die "the coordinator in $PREFIX-1 failed (round $r)"; }
  wait
  printf '  round %d  3 namespaces over UDP %s\n' "$r" "$(record netns "$r" "$d")"
done

# The exchange alone, between the worker namespaces: gloo all_reduce of SimpleConvNet's parameter count.
ip netns exec "$PREFIX-3" "$PY" "$HERE/torch_ddp.py" --mode allreduce --world-size 2 --rank 1 \
  --master "10.$NET.0.2:29517" --rounds "$EXCHANGE_ROUNDS" >/dev/null 2>"$WORK/gloo-1.log" &
line=$(ip netns exec "$PREFIX-2" "$PY" "$HERE/torch_ddp.py" --mode allreduce --world-size 2 --rank 0 \
  --master "10.$NET.0.2:29517" --rounds "$EXCHANGE_ROUNDS" 2>"$WORK/gloo-0.log") || { tail "$WORK"/gloo-*.log; die "gloo all_reduce failed"; }
wait
echo "$line" | "$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); d["kind"] = "gloo-allreduce-netns"; print(json.dumps(d))' >>"$OUT"

echo
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = lambda k, f: statistics.median(r[f] for r in rows if r["kind"] == k)
a, n = med("in-process", "samples_per_second"), med("netns", "samples_per_second")
print(f"in-process (2 threads)                   {a:9.0f} samples/s (median)")
print(f"coordinator + 2 workers, 3 namespaces    {n:9.0f} samples/s (median)")
print(f"namespaces / in-process                  {n / a:9.3f}   (target >= 0.5)")
c = med("netns", "communication_ms_median")
g = next(r for r in rows if r["kind"] == "gloo-allreduce-netns")
print(f"exchange per step, dptrain (wait - compute, median) {c:.3f} ms; gloo all_reduce {g['allreduce_ms_median']:.3f} ms "
      f"(p90 {g['allreduce_ms_p90']:.3f}) of {g['bytes'] / 1e6:.2f} MB between the worker namespaces")
shas = {r["params_sha256"] for r in rows if "params_sha256" in r}
print("params_sha256: " + (next(iter(shas)) if len(shas) == 1 else "DIFFERENT: " + ", ".join(sorted(shas))))
print("data plane: " + ", ".join(sorted({str(r.get("data_plane_mac")) for r in rows if r["kind"] == "netns"}))
      + "; dropped: " + json.dumps([r.get("dropped_messages") for r in rows if r["kind"] == "netns"]))
PYEOF
echo "raw JSON lines: $OUT"
