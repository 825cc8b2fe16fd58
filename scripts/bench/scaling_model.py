#!/usr/bin/python3
"""Projected step time and efficiency of dptrain's data-parallel step for many workers on real networks.

A model, not a measurement: it combines figures measured on this machine (compute per sample, the
coordinator's CPU per message) with the line rate of 10/25/100 GbE. docs/scaling.md explains every
term and where each default comes from; pass new measurements as flags to redo the tables.

  /usr/bin/python3 scripts/bench/scaling_model.py                # markdown tables, defaults below
  /usr/bin/python3 scripts/bench/scaling_model.py --ms-per-sample 0.25 --cpu-per-message-ms 1.2

Four reduce designs, all bit-identical to one process (shard sums are added in shard order):
  ps-serial  one parameter server, nothing overlapped (sessions 1-3): parameters out to every worker, then
           compute, then gradients in, then apply, one after the other.
  ps       one parameter server as it runs now (per-block overlap): workers stream each layer's gradients
           while their backward pass runs, the server applies each range once every shard's block is in,
           and a worker starts its forward pass as soon as its first block of parameters is in. The N copies
           out overlap the forward pass, the N gradients in the backward pass; only what exceeds them (and
           the first layer's last block) is added. Its NIC still carries 2*N*S bytes per step and its CPU
           handles N messages, so past N* = compute / per-worker cost the step grows linearly with N.
  sharded  P = N parameter-server shards co-located with the workers (reduce-scatter + all-gather:
           each worker owns 1/N of the vector, adds the N contributions for its part in shard
           order, applies the optimizer to it and sends it back to all): every NIC carries
           about 2*S*(N-1)/N per step, every node handles 2*(N-1) messages of S/N bytes.
  ring     the same bytes as sharded but in 2*(N-1) pipelined neighbour steps; bandwidth-optimal
           like sharded, with a latency term growing in N.
"""
import argparse
import math


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--params", type=int, default=433890, help="floats in the vector (SimpleConvNet)")
    p.add_argument("--ms-per-sample", type=float, default=0.21,
                   help="forward+backward ms per sample on one core (SimpleConvNet, measured: ~10.5 ms per 50)")
    p.add_argument("--cpu-per-message-ms", type=float, default=1.2,
                   help="coordinator CPU ms to take one full vector message (copy, CRC, AES-GCM open, "
                        "reassembly), per 1.74 MB; scaled by size for smaller messages")
    p.add_argument("--send-cpu-ms", type=float, default=0.2,
                   help="coordinator CPU ms to offer an already sealed full vector to one more worker")
    p.add_argument("--per-message-us", type=float, default=15.0,
                   help="fixed CPU cost of one message whatever its size (cipher init, header, poll), microseconds")
    p.add_argument("--apply-ms", type=float, default=1.5, help="reduction + Adam on the full vector, ms")
    p.add_argument("--backward-share", type=float, default=2 / 3,
                   help="share of a worker's compute in the backward pass (during which gradients stream out)")
    p.add_argument("--tail-ms", type=float, default=0.3,
                   help="ps: what overlap cannot hide, the first layer's gradients in, reduced, applied, sent")
    p.add_argument("--link-efficiency", type=float, default=0.9, help="fraction of line rate achieved")
    p.add_argument("--latency-us", type=float, default=30.0, help="one message hop latency, microseconds")
    p.add_argument("--per-worker-batch", type=int, default=50, help="weak scaling: samples per worker")
    p.add_argument("--global-batch", type=int, default=100, help="strong scaling: the book's batch")
    p.add_argument("--workers", default="1,2,8,64,512")
    p.add_argument("--gbe", default="10,25,100")
    return p.parse_args()


def step_ms(design, n, batch, gbe, a):
    size = a.params * 4  # bytes
    wire = size / (gbe * 1e9 / 8 * a.link_efficiency) * 1e3  # ms for one full vector at line rate
    lat = a.latency_us / 1e3
    compute = batch / n * a.ms_per_sample
    if n == 1 and design != "ps":
        return compute + a.apply_ms, compute
    if design == "ps-serial":
        # parameters out (N copies on one NIC, sealed once), then gradients in (N on one NIC, opened one by one)
        out = max(n * wire, n * a.send_cpu_ms) + lat
        back = max(n * wire, n * a.cpu_per_message_ms) + lat
        return compute + out + back + a.apply_ms, compute
    if design == "ps":
        # the N copies out stream while the forward passes run, the N gradients in while the backward passes run
        fwd = compute * (1 - a.backward_share)
        bwd = compute * a.backward_share
        out = max(fwd, n * max(wire, a.send_cpu_ms))
        # the server's CPU takes the N messages and applies each range as it is complete, during the backward passes
        back = max(bwd, n * wire, n * a.cpu_per_message_ms + a.apply_ms)
        return out + back + a.tail_ms + 2 * lat, compute
    part = 1.0 / n
    fixed = a.per_message_us / 1e3
    if design == "sharded":
        # every node: 2(N-1) messages of S/N each way; wire and CPU both scale with 2*S*(N-1)/N, plus a fixed cost
        # per message; the messages of one phase travel at once (two phases: scatter, gather)
        wire_t = 2 * (n - 1) * part * wire
        cpu_t = 2 * (n - 1) * (part * a.cpu_per_message_ms + fixed)
        return compute + max(wire_t, cpu_t) + 2 * lat + a.apply_ms * part, compute
    if design == "ring":
        # the same bytes in 2(N-1) neighbour hops, one after the other: latency and fixed cost add up per hop
        wire_t = 2 * (n - 1) * part * wire
        cpu_t = 2 * (n - 1) * part * a.cpu_per_message_ms
        return compute + max(wire_t, cpu_t) + 2 * (n - 1) * (lat + fixed) + a.apply_ms * part, compute
    raise ValueError(design)


def main():
    a = parse()
    workers = [int(x) for x in a.workers.split(",")]
    links = [float(x) for x in a.gbe.split(",")]
    print(f"Inputs: {a.params} floats ({a.params * 4 / 1e6:.2f} MB), {a.ms_per_sample} ms/sample on one core, "
          f"{a.cpu_per_message_ms} ms coordinator CPU per received vector, {a.send_cpu_ms} ms per extra send, "
          f"{a.per_message_us:.0f} us fixed per message, apply {a.apply_ms} ms, {a.link_efficiency:.0%} of line rate, "
          f"{a.latency_us:.0f} us per hop.\n")
    for title, batch_of in (("Weak scaling: " + str(a.per_worker_batch) + " samples per worker "
                             "(global batch grows with N)", lambda n: a.per_worker_batch * n),
                            ("Strong scaling: global batch " + str(a.global_batch) + " (the book's)",
                             lambda n: a.global_batch)):
        print(f"### {title}\n")
        print("| workers | link | single PS, serial: step ms (eff.) | single PS, overlapped (now) | sharded | ring |")
        print("|---:|---|---:|---:|---:|---:|")
        for n in workers:
            for g in links:
                cells = []
                for d in ("ps-serial", "ps", "sharded", "ring"):
                    t, comp = step_ms(d, n, batch_of(n), g, a)
                    t1, _ = step_ms(d, 1, batch_of(n), g, a)
                    # efficiency: speed-up over one worker on the same global batch, divided by n
                    eff = t1 / t / n
                    cells.append(f"{t:,.1f} ({eff:.0%})")
                print(f"| {n} | {g:g} GbE | " + " | ".join(cells) + " |")
                if n == 1:
                    break
        print()
    # where the single parameter server stops paying (weak scaling): past N*, the exchange exceeds the compute it
    # overlaps, the step grows linearly with N and the throughput N*b/T stops growing
    for g in links:
        size = a.params * 4
        wire = size / (g * 1e9 / 8 * a.link_efficiency) * 1e3
        compute = a.per_worker_batch * a.ms_per_sample
        x_out = max(wire, a.send_cpu_ms)
        x_in = max(wire, a.cpu_per_message_ms)
        n_out = compute * (1 - a.backward_share) / x_out
        n_in = compute * a.backward_share / x_in
        bound = "parameters out" if n_out < n_in else "gradients in"
        limit = "wire" if (wire >= (a.send_cpu_ms if n_out < n_in else a.cpu_per_message_ms)) else "its CPU"
        limit_rate = a.per_worker_batch / (x_out + x_in) * 1e3
        n90 = next(n for n in range(1, 100000) if n * a.per_worker_batch
                   / step_ms("ps", n, a.per_worker_batch * n, g, a)[0] * 1e3 >= 0.9 * limit_rate)
        print(f"- {g:g} GbE: per worker and step the server spends {x_out:.2f} ms sending and {x_in:.2f} ms "
              f"receiving; the {bound} stop hiding behind the compute at N* = {min(n_out, n_in):.1f} workers "
              f"({limit}-bound). Past N* each worker adds its exchange to the step: throughput tends to "
              f"{limit_rate:,.0f} samples/s (the server's limit, {a.per_worker_batch} samples per "
              f"{x_out + x_in:.2f} ms), 90 % of it at {n90} workers.")


if __name__ == "__main__":
    main()
