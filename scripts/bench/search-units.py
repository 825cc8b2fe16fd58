#!/usr/bin/env python3
"""Per search run directory, from its journal.jsonl: results, seconds from the start to the first and the last result,
the mean seconds of a unit over the second half of the results, and the steady trials/hour between the first and
the last result.

Usage: scripts/bench/search-units.py RUN_DIR [RUN_DIR ...]
"""
import json
import statistics
import sys


def main(dirs):
    for d in dirs:
        journal = [json.loads(line) for line in open(f"{d}/journal.jsonl") if line.strip()]
        start = min(j["at"] for j in journal if j["type"] == "start")
        results = [j for j in journal if j["type"] == "result"]
        if len(results) < 2:
            print(f"{d}: {len(results)} results, too few")
            continue
        ats = sorted(j["at"] for j in results)
        secs = [j["seconds"] for j in results]
        n = len(results)
        print(f"{d}: {n} results, first {(ats[0] - start) / 1e3:.1f} s, last {(ats[-1] - start) / 1e3:.1f} s, "
              f"mean unit (2nd half) {statistics.mean(secs[n // 2:]):.3f} s, "
              f"steady trials/hour {(n - 1) / ((ats[-1] - ats[0]) / 3.6e6):.0f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
