#!/usr/bin/env bash
# Compares dptrain's training throughput with the PyTorch CPU reference in one run.
# For each model, alternates dptrain and PyTorch runs (A B A B ...) `--rounds` times, because
# 2-thread timings on small machines are bimodal and drift; reports medians and the ratio.
#
# Usage: scripts/bench/compare-torch.sh [--threads 2] [--rounds 5] [--models "two-layer simple-cnn"]
#          [--data-dir DIR] [--out FILE] [--dptrain PATH]
#          [--two-layer-train-samples 60000] [--two-layer-epochs 2]
#          [--cnn-train-samples 10000] [--cnn-epochs 1]
#          [--torch-steps-two-layer 15000] [--torch-steps-simple-cnn 400] [--keep-runs]
# Raw JSON lines (one per run, plus one "meta" line) go to --out
# (default bench-out/compare-torch-<date>.jsonl under the repository root).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3

THREADS=2
ROUNDS=5
MODELS="two-layer simple-cnn"
DATA_DIR=${DPTRAIN_DATA_DIR:-$HOME/.dptrain/mnist}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=""
DPTRAIN=${DPTRAIN_BIN:-$REPO/scripts/dptrain}
TL_SAMPLES=60000; TL_EPOCHS=2        # ~10 s of dptrain training
CNN_SAMPLES=10000; CNN_EPOCHS=1      # ~15 s of dptrain training
TORCH_STEPS_TL=15000                 # ~10 s of PyTorch training (batch 100)
TORCH_STEPS_CNN=400
KEEP_RUNS=0
BATCH=100

die() { echo "compare-torch: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --dptrain) DPTRAIN=$2; shift 2 ;;
    --two-layer-train-samples) TL_SAMPLES=$2; shift 2 ;;
    --two-layer-epochs) TL_EPOCHS=$2; shift 2 ;;
    --cnn-train-samples) CNN_SAMPLES=$2; shift 2 ;;
    --cnn-epochs) CNN_EPOCHS=$2; shift 2 ;;
    --torch-steps-two-layer) TORCH_STEPS_TL=$2; shift 2 ;;
    --torch-steps-simple-cnn) TORCH_STEPS_CNN=$2; shift 2 ;;
    --keep-runs) KEEP_RUNS=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (try --help)" ;;
  esac
done
OUT=${OUT:-$REPO/bench-out/compare-torch-$STAMP.jsonl}

[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
for m in $MODELS; do
  [[ $m == two-layer || $m == simple-cnn ]] || die "unknown model '$m' (two-layer or simple-cnn)"
done
[[ -x "$DPTRAIN" ]] || die "dptrain launcher not found or not executable: $DPTRAIN
  (build the Java side first so scripts/dptrain exists, or pass --dptrain PATH)"
[[ -x "$PY" ]] && "$PY" -c 'import torch, numpy' 2>/dev/null \
  || die "$PY cannot import torch and numpy; run scripts/bench/install-reference.sh"
[[ -e "$DATA_DIR/train-images-idx3-ubyte" || -e "$DATA_DIR/train-images-idx3-ubyte.gz" ]] \
  || die "no MNIST train-images-idx3-ubyte in $DATA_DIR (pass --data-dir or set DPTRAIN_DATA_DIR)"

# shellcheck source=scripts/bench/bench-common.sh
source "$HERE/bench-common.sh"
bench_setup compare-torch
echo

RUN_ID="compare-torch-$STAMP-$$"
"$PY" -c 'import json, sys
k = ["run_id", "cpu", "nproc", "java", "torch", "threads", "rounds", "models"]
d = dict(zip(k, sys.argv[1:]))
d["impl"] = "meta"; d["nproc"] = int(d["nproc"]); d["threads"] = int(d["threads"]); d["rounds"] = int(d["rounds"])
print(json.dumps(d))' "$RUN_ID" "$CPU" "$NPROC" "$JAVA" "$TORCH" "$THREADS" "$ROUNDS" "$MODELS" >>"$OUT"

# ---- runs ----------------------------------------------------------------------------
run_dptrain() {  # model round
  local model=$1 round=$2 optimizer lr samples epochs
  if [[ $model == two-layer ]]; then optimizer=sgd; lr=0.1; samples=$TL_SAMPLES; epochs=$TL_EPOCHS
  else optimizer=adam; lr=0.001; samples=$CNN_SAMPLES; epochs=$CNN_EPOCHS; fi
  local dir="$WORK/dptrain-$model-r$round"
  mkdir -p "$dir"
  # --workers 0: the in-process trainer (train defaults to an in-JVM cluster of 2 workers since session 2)
  if ! "$DPTRAIN" train --workers 0 --model "$model" --optimizer "$optimizer" --lr "$lr" \
        --batch-size "$BATCH" --epochs "$epochs" --train-samples "$samples" \
        --threads "$THREADS" --seed 1 --run-dir "$dir" --data-dir "$DATA_DIR" \
        >"$WORK/dptrain-$model-r$round.log" 2>&1; then
    tail -n 30 "$WORK/dptrain-$model-r$round.log" >&2
    die "dptrain run failed ($model, round $round); log above"
  fi
  [[ -f "$dir/summary.json" ]] || die "dptrain wrote no $dir/summary.json ($model, round $round)"
  "$PY" -c 'import json, sys
summary = json.load(open(sys.argv[1]))
if not isinstance(summary.get("samples_per_second"), (int, float)):
    sys.exit("compare-torch: %s has no numeric samples_per_second" % sys.argv[1])
print(json.dumps({"run_id": sys.argv[2], "impl": "dptrain", "model": sys.argv[3],
                  "threads": int(sys.argv[4]), "round": int(sys.argv[5]),
                  "batch_size": int(sys.argv[6]), "train_samples": int(sys.argv[7]),
                  "epochs": int(sys.argv[8]),
                  "samples_per_second": float(summary["samples_per_second"]),
                  "summary": summary}))' \
    "$dir/summary.json" "$RUN_ID" "$model" "$THREADS" "$round" "$BATCH" "$samples" "$epochs"
}

run_torch() {  # model round
  local model=$1 round=$2 steps line
  if [[ $model == two-layer ]]; then steps=$TORCH_STEPS_TL; else steps=$TORCH_STEPS_CNN; fi
  if ! line=$("$PY" "$HERE/torch_reference.py" --model "$model" --threads "$THREADS" \
        --batch-size "$BATCH" --steps "$steps" --seed 1 --data-dir "$DATA_DIR" \
        2>"$WORK/torch-$model-r$round.log"); then
    tail -n 30 "$WORK/torch-$model-r$round.log" >&2
    die "PyTorch run failed ($model, round $round); log above"
  fi
  "$PY" -c 'import json, sys
d = json.loads(sys.argv[1]); d["run_id"] = sys.argv[2]; d["round"] = int(sys.argv[3])
print(json.dumps(d))' "$line" "$RUN_ID" "$round"
}

for model in $MODELS; do
  for ((r = 1; r <= ROUNDS; r++)); do
    for side in dptrain pytorch; do
      mark=$(cpu_mark)
      if [[ $side == dptrain ]]; then line=$(run_dptrain "$model" "$r"); else line=$(run_torch "$model" "$r"); fi
      steal=$(steal_pct "$mark")
      line=$("$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); d["steal_pct"] = float(sys.argv[2])
print(json.dumps(d))' "$line" "$steal")
      echo "$line" >>"$OUT"
      printf '%-10s round %d/%d  %-7s %10.1f samples/s  (steal %s %%)\n' "$model" "$r" "$ROUNDS" "$side" \
        "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["samples_per_second"])' "$line")" "$steal"
    done
  done
done

# ---- table ---------------------------------------------------------------------------
echo
"$PY" - "$OUT" "$RUN_ID" <<'PYEOF'
import json, statistics, sys
path, run_id = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(path) if l.strip()]
rows = [r for r in rows if r.get("run_id") == run_id and r.get("impl") in ("dptrain", "pytorch")]
models = list(dict.fromkeys(r["model"] for r in rows))
fmt = "{:<11} {:>7} {:>14} {:>21} {:>14} {:>21} {:>9}"
print(fmt.format("model", "threads", "dptrain med", "dptrain min-max", "pytorch med",
                 "pytorch min-max", "dp/pt"))
for m in models:
    for t in sorted({r["threads"] for r in rows if r["model"] == m}):
        d = [r["samples_per_second"] for r in rows if r["model"] == m and r["threads"] == t and r["impl"] == "dptrain"]
        p = [r["samples_per_second"] for r in rows if r["model"] == m and r["threads"] == t and r["impl"] == "pytorch"]
        dm, pm = statistics.median(d), statistics.median(p)
        print(fmt.format(m, t, f"{dm:.0f}", f"{min(d):.0f}-{max(d):.0f}", f"{pm:.0f}",
                         f"{min(p):.0f}-{max(p):.0f}", f"{dm / pm:.3f}"))
print("(samples/s of training time; medians over %d round(s) each)" % max(len(d), 1))
steal = [r["steal_pct"] for r in rows if "steal_pct" in r]
if steal:
    print("hypervisor steal during the runs: %.0f-%.0f %% of the machine's time (median %.0f %%)"
          % (min(steal), max(steal), statistics.median(steal)))
PYEOF
echo "raw JSON lines: $OUT"
