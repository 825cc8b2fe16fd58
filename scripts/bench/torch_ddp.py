#!/usr/bin/python3
"""PyTorch CPU data-parallel reference for dptrain's cluster benchmark.

Three modes, each with --world-size processes (torch.multiprocessing.spawn) joined by a gloo
process group on 127.0.0.1:

  ddp        The book's SimpleConvNet (conv 30x5x5, ReLU, 2x2 max-pool, affine 100, ReLU,
             affine 10; softmax cross-entropy; Adam lr 0.001) trained with
             DistributedDataParallel. Every rank draws the same seeded global batch of
             --batch-size samples and trains on its equal slice of it; DDP averages the
             gradients, so a step equals one single-process step on the global batch.
             Reports global training samples/s over the --steps timed steps (after --warmup
             untimed ones), timed on rank 0 between a barrier at start and end.
  ps         The same network and global batches trained the way dptrain's cluster does it, a
             parameter server: rank 0 holds the parameters and the optimizer and computes no
             gradients; ranks 1..world-1 are the workers, each training on its equal slice of
             the global batch. Each step rank 0 sends the flattened parameters to every worker
             (isend), each worker sends its gradients back (send), and rank 0 sums them in
             worker order, averages them and takes the Adam step: a star, like dptrain's
             coordinator, with gloo's TCP in place of Aeron and no authentication.
             --world-size 3 has the roles of dptrain's local-cluster --workers 2 (a coordinator
             and two workers). Reports the same figures as ddp, timed on rank 0.
  allreduce  Times dist.all_reduce (SUM) of a float32 tensor of --floats elements
             (default: SimpleConvNet's parameter count), --rounds times with a barrier
             before each; the first 20% are dropped; median and p90 ms as in dptrain's
             ExchangeBench.

Run with Debian's interpreter, not a pyenv one:
  /usr/bin/python3 scripts/bench/torch_ddp.py --mode ddp --world-size 2 --threads-per-process 1
  /usr/bin/python3 scripts/bench/torch_ddp.py --mode ps --world-size 3 --threads-per-process 1
  /usr/bin/python3 scripts/bench/torch_ddp.py --mode allreduce --world-size 2
Prints exactly one JSON line on stdout; diagnostics go to stderr. Exit status 2 for bad
arguments, 1 when a rank fails.
"""
import argparse
import datetime
import json
import os
import socket
import sys
import time

# No scripts/bench/__pycache__ from importing torch_reference, here or in the spawned ranks.
sys.dont_write_bytecode = True
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
# Standard library only at import time: the thread env vars must be set before numpy/torch load.
import torch_reference as ref  # noqa: E402

MODEL = "simple-cnn"
SIMPLE_CNN_PARAMS = 433890  # conv 30*1*5*5+30, affine 4320*100+100, affine 100*10+10
BACKEND = "gloo"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=["ddp", "ps", "allreduce"], default="ddp")
    p.add_argument("--world-size", type=int, default=2, help="processes (default 2)")
    p.add_argument("--threads-per-process", type=int, default=1,
                   help="intra-op threads of each process (torch.set_num_threads and "
                        "OMP/MKL/OpenBLAS env, inherited by the spawned processes; default 1)")
    p.add_argument("--batch-size", type=int, default=100,
                   help="ddp, ps: global batch, split evenly across the ranks (ps: the workers; default 100)")
    p.add_argument("--steps", type=int, default=300, help="ddp, ps: timed training steps (default 300)")
    p.add_argument("--warmup", type=int, default=20, help="ddp, ps: untimed steps before timing (default 20)")
    p.add_argument("--floats", type=int, default=SIMPLE_CNN_PARAMS,
                   help=f"allreduce: float32 elements (default {SIMPLE_CNN_PARAMS}, "
                        "SimpleConvNet's parameter count)")
    p.add_argument("--rounds", type=int, default=200,
                   help="allreduce: all-reduces, the first 20%% untimed (default 200)")
    p.add_argument("--data-dir", default=ref.default_data_dir(),
                   help="directory with the raw MNIST IDX files (default $DPTRAIN_DATA_DIR "
                        "or ~/.dptrain/mnist)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rank", type=int, default=None,
                   help="run only this rank, in this process (no spawn), joining --master: one rank per host or "
                        "network namespace; rank 0 prints the result")
    p.add_argument("--master", default=None, help="ADDR:PORT of rank 0, with --rank (GLOO_SOCKET_IFNAME: eth0 if "
                                                  "present, else lo, unless set)")
    p.add_argument("--timeout", type=int, default=300,
                   help="seconds the process group waits for a peer (rendezvous and each "
                        "collective) before failing (default 300)")
    a = p.parse_args()
    if a.world_size < 1 or a.threads_per_process < 1:
        p.error("--world-size and --threads-per-process must be >= 1")
    if a.batch_size < 1 or a.steps < 1 or a.warmup < 0:
        p.error("--batch-size and --steps must be >= 1, --warmup >= 0")
    if a.floats < 1 or a.rounds < 1 or a.timeout < 1:
        p.error("--floats, --rounds and --timeout must be >= 1")
    if a.mode == "ddp" and a.batch_size % a.world_size != 0:
        p.error(f"--batch-size {a.batch_size} is not divisible by --world-size {a.world_size}: "
                "each rank trains on an equal slice of the global batch")
    if a.mode == "ps" and a.world_size < 2:
        p.error(f"--mode ps needs --world-size >= 2 (a parameter server and at least one worker); "
                f"got {a.world_size}")
    if a.mode == "ps" and a.batch_size % (a.world_size - 1) != 0:
        p.error(f"--batch-size {a.batch_size} is not divisible by the {a.world_size - 1} workers of "
                f"--world-size {a.world_size}: each worker trains on an equal slice of the global batch")
    return a


def free_port():
    """A TCP port free on 127.0.0.1 right now (the rendezvous store binds it shortly after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sorted_ms(seconds):
    return sorted(x * 1e3 for x in seconds)


def pick(sorted_values, q):
    """Same index convention as dptrain's ExchangeBench: v[n/2] for the median, v[n*9/10] for p90."""
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def blas_info():
    """BLAS as torch was built (Debian: "generic", i.e. whatever libblas.so.3 the alternatives
    system points to) and the BLAS shared libraries actually mapped into this process."""
    import re
    import torch
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in os.path.basename(path).lower() and path not in libs:
                    libs.append(path)
    except OSError:
        pass
    return (m.group(1) if m else None), libs


def rank_batches(rank, args, shape, lo, hi):
    """This rank's rows [lo, hi) of each seeded global batch of --batch-size (the shuffling of torch_reference.py,
    so every rank draws the same global order), as a next-batch function."""
    import torch
    try:
        x_np, t_np = ref.load_train(args.data_dir)
    except SystemExit as e:  # read_idx reports bad files with sys.exit(message)
        raise RuntimeError(f"rank {rank}: cannot load MNIST: {e.code}") from None
    x_all = torch.from_numpy(x_np).reshape(shape).contiguous()
    t_all = torch.from_numpy(t_np)
    if args.batch_size > x_all.shape[0]:
        raise RuntimeError(f"--batch-size {args.batch_size} exceeds the {x_all.shape[0]} training samples")
    return ref.batches(x_all, t_all, args.batch_size, args.seed, lo, hi)


def timed_steps(step, args):
    """--warmup untimed calls of step, then --steps timed ones between barriers of all ranks. Returns the
    per-step seconds, the seconds between the barriers, and the last call's result."""
    import torch.distributed as dist
    for _ in range(args.warmup):
        step()
    times = []
    last = None
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.steps):
        t0 = time.perf_counter()
        last = step()
        times.append(time.perf_counter() - t0)
    dist.barrier()
    return times, time.perf_counter() - start, last


def training_result(mode, args, times, seconds, local, final_loss, params, **extra):
    """The JSON object of a training mode (ddp, ps), as rank 0 reports it; extra adds mode-specific fields."""
    import torch
    ms = sorted_ms(times)
    blas, blas_libs = blas_info()
    return {
        "impl": f"pytorch-{mode}",
        "mode": mode,
        "model": MODEL,
        "backend": BACKEND,
        "world_size": args.world_size,
        "threads_per_process": args.threads_per_process,
        "batch_size": args.batch_size,
        "local_batch_size": local,
        "steps": args.steps,
        "warmup": args.warmup,
        "seconds": round(seconds, 4),
        "samples_per_second": round(args.steps * args.batch_size / seconds, 1),
        "step_ms_median": round(pick(ms, 0.5), 3),
        "step_ms_p90": round(pick(ms, 0.9), 3),
        "final_loss": round(final_loss, 4),
        "params": params,
        **extra,
        "torch": torch.__version__,
        "blas_info": blas,
        "blas_libraries": blas_libs,
        "gloo_socket_ifname": os.environ.get("GLOO_SOCKET_IFNAME"),
    }


def run_ddp(rank, args):
    import torch
    import torch.distributed as dist
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel as DDP

    world = args.world_size
    torch.manual_seed(args.seed)
    model, optimizer, shape = ref.build(MODEL)  # same parameter objects are wrapped by DDP
    ddp = DDP(model)  # broadcasts rank 0's initial parameters
    local = args.batch_size // world
    next_batch = rank_batches(rank, args, shape, rank * local, (rank + 1) * local)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        xb, tb = next_batch()
        optimizer.zero_grad()
        loss = loss_fn(ddp(xb), tb)
        loss.backward()  # DDP all-reduces (averages) the gradient buckets during backward
        optimizer.step()
        return loss

    ddp.train()
    times, seconds, loss = timed_steps(step, args)

    # Sanity checks outside the timing: replicas identical, mean loss over the global batch.
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    gathered = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    in_sync = all(torch.equal(g, gathered[0]) for g in gathered)
    mean_loss = loss.detach().clone()
    dist.all_reduce(mean_loss)
    mean_loss /= world
    if rank != 0:
        return None
    print(f"torch_ddp: ddp {MODEL} world={world} threads/process={torch.get_num_threads()} "
          f"final loss {mean_loss.item():.4f} params in sync: {in_sync}", file=sys.stderr)
    return training_result("ddp", args, times, seconds, local, mean_loss.item(), flat.numel(),
                           torch_threads_rank0=torch.get_num_threads(), params_in_sync=in_sync)


def run_ps(rank, args):
    import torch
    import torch.distributed as dist
    from torch import nn

    workers = args.world_size - 1
    torch.manual_seed(args.seed)
    model, optimizer, shape = ref.build(MODEL)  # every rank starts from the same seeded parameters
    params = list(model.parameters())
    flat = torch.cat([p.detach().reshape(-1) for p in params])
    grads = torch.zeros_like(flat)
    local = args.batch_size // workers
    if rank > 0:
        next_batch = rank_batches(rank, args, shape, (rank - 1) * local, rank * local)
        loss_fn = nn.CrossEntropyLoss()
    loss_sum = torch.zeros(1)
    # The parameters live in flat on every rank (the model's tensors are views of it), so the server's Adam updates
    # flat in place and a worker's receive is its parameter update; the server's .grad are views of grads.
    torch.nn.utils.vector_to_parameters(flat, params)
    if rank == 0:
        inbox = [torch.empty_like(flat) for _ in range(workers)]
        offset = 0
        for p in params:
            p.grad = grads[offset:offset + p.numel()].view_as(p)
            offset += p.numel()

    def step():
        # A star, as in dptrain: the server sends the parameters to each worker and receives each worker's
        # gradients, then sums them in worker order (dptrain sums in shard order) and takes the step.
        if rank == 0:
            for q in [dist.isend(flat, dst=w) for w in range(1, workers + 1)]:
                q.wait()
            for q in [dist.irecv(inbox[w - 1], src=w) for w in range(1, workers + 1)]:
                q.wait()
            grads.copy_(inbox[0])
            for b in inbox[1:]:
                grads.add_(b)
            grads.div_(workers)
            optimizer.step()
        else:
            dist.recv(flat, src=0)
            xb, tb = next_batch()
            model.zero_grad()
            loss = loss_fn(model(xb), tb)
            loss.backward()
            torch.cat([p.grad.reshape(-1) for p in params], out=grads)
            loss_sum.fill_(loss.item())
            dist.send(grads, dst=0)

    model.train()
    times, seconds, _ = timed_steps(step, args)
    # Outside the timing: the workers' mean loss on their last slices.
    dist.reduce(loss_sum, dst=0, op=dist.ReduceOp.SUM)
    if rank != 0:
        return None
    mean_loss = loss_sum.item() / workers
    print(f"torch_ddp: ps {MODEL} world={args.world_size} ({workers} workers) threads/process="
          f"{torch.get_num_threads()} final loss {mean_loss:.4f}", file=sys.stderr)
    return training_result("ps", args, times, seconds, local, mean_loss, flat.numel(), workers=workers)


def run_allreduce(rank, args):
    import torch
    import torch.distributed as dist

    world = args.world_size
    t = torch.empty(args.floats, dtype=torch.float32)
    expected = world * (world + 1) / 2  # rank r contributes r + 1
    times = []
    for _ in range(args.rounds):
        t.fill_(rank + 1)  # untimed; keeps the values finite and checkable
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        times.append(time.perf_counter() - t0)
    ok = bool(torch.all(t == expected).item())
    if not ok:
        raise RuntimeError(f"rank {rank}: all_reduce result wrong (expected {expected} everywhere)")
    if rank != 0:
        return None
    warm = sorted_ms(times[args.rounds // 5:])
    print(f"torch_ddp: allreduce world={world} {args.floats} floats: median {pick(warm, 0.5):.3f} ms, "
          f"p90 {pick(warm, 0.9):.3f} ms ({len(warm)} of {args.rounds} rounds)", file=sys.stderr)
    return {
        "impl": "pytorch-ddp",
        "mode": "allreduce",
        "backend": BACKEND,
        "world_size": world,
        "threads_per_process": args.threads_per_process,
        "floats": args.floats,
        "bytes": args.floats * 4,
        "allreduce_ms_median": round(pick(warm, 0.5), 3),
        "allreduce_ms_p90": round(pick(warm, 0.9), 3),
        "allreduce_ms_min": round(warm[0], 3),
        "rounds": args.rounds,
        "rounds_timed": len(warm),
        "torch": torch.__version__,
        "gloo_socket_ifname": os.environ.get("GLOO_SOCKET_IFNAME"),
    }


def worker(rank, args, results):
    """Entry point of each spawned process (module level, so spawn can pickle it)."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(args.threads_per_process)
    dist.init_process_group(BACKEND, init_method="env://", rank=rank, world_size=args.world_size,
                            timeout=datetime.timedelta(seconds=args.timeout))
    try:
        result = {"ddp": run_ddp, "ps": run_ps, "allreduce": run_allreduce}[args.mode](rank, args)
        if result is not None:
            results.put(result)
    finally:
        dist.destroy_process_group()


def main():
    args = parse_args()
    # Before numpy/torch load, here and (inherited through the environment) in every rank.
    ref.set_thread_env(args.threads_per_process)
    if args.mode in ("ddp", "ps"):
        for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
            path = os.path.join(args.data_dir, name)
            if not (os.path.exists(path) or os.path.exists(path + ".gz")):
                sys.exit(f"torch_ddp: no MNIST {name} in {args.data_dir} "
                         "(pass --data-dir or set DPTRAIN_DATA_DIR)")
    if args.rank is not None:
        if not args.master or ":" not in args.master:
            sys.exit("torch_ddp: --rank needs --master ADDR:PORT")
        if not 0 <= args.rank < args.world_size:
            sys.exit(f"torch_ddp: --rank must be in 0..{args.world_size - 1}")
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = args.master.rsplit(":", 1)
        if "GLOO_SOCKET_IFNAME" not in os.environ:
            os.environ["GLOO_SOCKET_IFNAME"] = "eth0" if os.path.exists("/sys/class/net/eth0") else "lo"

        class Printer:
            def put(self, result):
                print(json.dumps(result))

        worker(args.rank, args, Printer())
        return
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(free_port())
    # Gloo picks its interface from the hostname unless told; keep all traffic on loopback.
    if "GLOO_SOCKET_IFNAME" not in os.environ and os.path.exists("/sys/class/net/lo"):
        os.environ["GLOO_SOCKET_IFNAME"] = "lo"

    import torch.multiprocessing as mp
    from torch.multiprocessing.spawn import ProcessException

    results = mp.get_context("spawn").SimpleQueue()
    try:
        mp.spawn(worker, args=(args, results), nprocs=args.world_size, join=True)
    except ProcessException as e:
        # ProcessRaisedException carries the rank's traceback; ProcessExitedException the exit code
        # or signal (its own output, if any, is above on stderr). spawn has stopped the other ranks.
        print(f"torch_ddp: rank {e.error_index} (pid {e.pid}) failed in --mode {args.mode}:\n{e}",
              file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    if results.empty():
        sys.exit("torch_ddp: rank 0 finished without reporting a result")
    print(json.dumps(results.get()))


if __name__ == "__main__":
    main()
