#!/usr/bin/env python3
"""Where the CPU goes: per-thread CPU time of running JVMs over a window, grouped by thread name.

Usage: scripts/bench/thread-cpu.py [--after SECONDS] [--window SECONDS] [--match TEXT] [PID ...]

Waits --after seconds (default 0), then reads utime+stime of every thread of the given pids (default: every
process whose command line contains --match, default "dptrain") from /proc/PID/task/*/stat at the start and end
of a --window of seconds (default 5), and prints each thread group's CPU as a percentage of one core, how often
per second its threads went to sleep (voluntary context switches: parking, blocking) and were preempted
(involuntary ones: another thread took the core), then the machine's total busy share over the same window (from /proc/stat). Thread names are the kernel's (15 chars);
digits are folded so that, e.g., all "C2 CompilerThre" threads of a JVM form one row.
"""
import argparse
import os
import re
import sys
import time


def tasks(pid):
    out = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    s = f.read()
                name = s[s.index("(") + 1:s.rindex(")")]
                fields = s[s.rindex(")") + 2:].split()
                vol = invol = 0
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches"):
                            vol = int(line.split()[1])
                        elif line.startswith("nonvoluntary_ctxt_switches"):
                            invol = int(line.split()[1])
                out[tid] = (name, int(fields[11]) + int(fields[12]), vol, invol)
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    return out


def machine():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v), idle


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--after", type=float, default=0)
    ap.add_argument("--window", type=float, default=5)
    ap.add_argument("--match", default="dptrain")
    ap.add_argument("pids", nargs="*", type=int)
    a = ap.parse_args()
    if a.window <= 0:
        sys.exit("thread-cpu: --window must be > 0")
    time.sleep(a.after)
    pids = a.pids
    if not pids:
        for p in os.listdir("/proc"):
            if p.isdigit() and int(p) != os.getpid():
                try:
                    with open(f"/proc/{p}/cmdline", "rb") as f:
                        cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if a.match in cmd and "java" in cmd:
                    pids.append(int(p))
    if not pids:
        sys.exit(f"thread-cpu: no java process whose command line contains '{a.match}'")
    hz = os.sysconf("SC_CLK_TCK")
    t0 = {p: tasks(p) for p in pids}
    m0 = machine()
    w0 = time.monotonic()
    time.sleep(a.window)
    t1 = {p: tasks(p) for p in pids}
    m1 = machine()
    wall = time.monotonic() - w0
    rows = {}
    for p in pids:
        for tid, (name, ticks, vol, invol) in t1[p].items():
            _, t, v, i = t0[p].get(tid, (name, 0, 0, 0))
            key = (p, re.sub(r"\d+", "#", name))
            r = rows.setdefault(key, [0, 0, 0])
            r[0] += ticks - t
            r[1] += vol - v
            r[2] += invol - i
    total = 0
    print(f"{'pid':>8} {'threads':<18} {'cpu':>8} {'sleeps/s':>9} {'preempted/s':>12}")
    for (p, name), (ticks, vol, invol) in sorted(rows.items(), key=lambda kv: -kv[1][0]):
        pct = 100.0 * ticks / hz / wall
        total += pct
        if pct >= 0.5:
            print(f"{p:>8} {name:<18} {pct:6.1f} % {vol / wall:9.0f} {invol / wall:12.0f}")
    busy = 100.0 * (1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0]))
    print(f"{'':>8} {'these JVMs':<18} {total:6.1f} % of one core over {wall:.1f} s; "
          f"machine {busy:.0f} % busy ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
