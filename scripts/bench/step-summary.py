#!/usr/bin/env python3
"""Steady-state step figures of finished dptrain runs, from their metrics.jsonl and summary.json.

Usage: scripts/bench/step-summary.py [--from-step 300] [--to-step N] RUN_DIR [RUN_DIR ...]

For each run directory prints the medians over the logged steps at or after --from-step (the JIT warm-up of the
JVMs is over by then), and at or before --to-step when given, of: step_ms (parameters out until every shard's
gradients are in), params_send_ms, the slowest worker's compute_ms, apply_ms (reduce, weight decay, optimizer),
then the run's samples/s and the first 8 hex digits of params_sha256. Cluster-only columns are "-" for in-process runs.
"""
import argparse
import json
import os
import statistics
import sys


def median(values):
    return f"{statistics.median(values):.2f}" if values else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from-step", type=int, default=300)
    ap.add_argument("--to-step", type=int, default=None)
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    print(f"{'run':<28} {'step_ms':>8} {'params':>7} {'compute':>8} {'apply':>6} {'samples/s':>10} params_sha256")
    bad = 0
    for d in a.runs:
        m = os.path.join(d, "metrics.jsonl")
        s = os.path.join(d, "summary.json")
        if not (os.path.isfile(m) and os.path.isfile(s)):
            print(f"step-summary: {d} has no metrics.jsonl and summary.json (not a finished run?)", file=sys.stderr)
            bad += 1
            continue
        rows = []
        with open(m) as f:
            for line in f:
                r = json.loads(line)
                if r.get("type") == "step" and r.get("step", 0) >= a.from_step \
                        and (a.to_step is None or r["step"] <= a.to_step):
                    rows.append(r)
        step = [r["step_ms"] for r in rows if "step_ms" in r]
        params = [r["params_send_ms"] for r in rows if "params_send_ms" in r]
        compute = [max(w["compute_ms"] for w in r["per_worker"].values())
                   for r in rows if r.get("per_worker")]
        apply = [r["apply_ms"] for r in rows if "apply_ms" in r]
        with open(s) as f:
            summary = json.load(f)
        sps = summary.get("samples_per_second")
        print(f"{os.path.basename(os.path.normpath(d)):<28} {median(step):>8} {median(params):>7} {median(compute):>8} "
              f"{median(apply):>6} {sps if sps is None else round(sps):>10} {summary.get('params_sha256', '-')[:8]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
