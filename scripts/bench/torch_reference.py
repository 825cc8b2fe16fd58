#!/usr/bin/python3
"""PyTorch CPU reference for dptrain's training throughput.

Trains the networks of "Deep Learning from Scratch" on MNIST and reports
training samples per second (training steps only: data loading, model
construction and warm-up steps are excluded from the timing).

Run with Debian's interpreter, not a pyenv one:
  /usr/bin/python3 scripts/bench/torch_reference.py --model two-layer --threads 2
Prints exactly one JSON line on stdout; diagnostics go to stderr.

Importable without side effects (torch_ddp.py shares read_idx, load_train and build): numpy
and torch are imported inside the functions, so an importer can set the thread environment
(set_thread_env) before they load.
"""
import argparse
import json
import os
import sys
import time

DEFAULT_STEPS = {"two-layer": 15000, "simple-cnn": 400}
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def batches(x_all, t_all, bs, seed, lo=0, hi=None):
    """A function returning the next global batch of a seeded shuffled order (reshuffled when an epoch is used up),
    sliced to rows [lo, hi) of the batch: a DDP rank's part; the whole batch by default."""
    import torch
    n = x_all.shape[0]
    gen = torch.Generator().manual_seed(seed)
    state = {"order": torch.randperm(n, generator=gen), "pos": 0}

    def next_batch():
        if state["pos"] + bs > n:
            state["order"] = torch.randperm(n, generator=gen)
            state["pos"] = 0
        idx = state["order"][state["pos"]:state["pos"] + bs][lo:hi]
        state["pos"] += bs
        return x_all[idx], t_all[idx]

    return next_batch


def default_data_dir():
    return os.environ.get("DPTRAIN_DATA_DIR",
                          os.path.join(os.path.expanduser("~"), ".dptrain", "mnist"))


def set_thread_env(threads):
    """Sets the OpenMP/MKL/OpenBLAS thread counts. Must happen before numpy or torch (and their
    OpenMP / BLAS runtimes) is imported; child processes inherit it."""
    for module in ("numpy", "torch"):
        if module in sys.modules:
            print(f"warning: {module} already imported; thread env vars may not take effect",
                  file=sys.stderr)
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(threads)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["two-layer", "simple-cnn"], default="two-layer")
    p.add_argument("--threads", type=int, default=1,
                   help="intra-op threads (torch.set_num_threads and OMP/MKL/OpenBLAS env)")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--steps", type=int, default=None,
                   help="timed training steps (default: about 10 s on a recent x86 core: "
                        + ", ".join(f"{k} {v}" for k, v in DEFAULT_STEPS.items()) + ")")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps before timing")
    p.add_argument("--data-dir", default=default_data_dir(),
                   help="directory with the raw MNIST IDX files (default $DPTRAIN_DATA_DIR "
                        "or ~/.dptrain/mnist)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flush-denormal", action="store_true",
                   help="torch.set_flush_denormal(True): treat subnormal floats as zero (FTZ/DAZ), as dptrain's "
                        "optimizers zero their decaying state before it turns subnormal")
    a = p.parse_args()
    if a.steps is None:
        a.steps = DEFAULT_STEPS[a.model]
    if a.threads < 1 or a.batch_size < 1 or a.steps < 1 or a.warmup < 0:
        p.error("--threads, --batch-size and --steps must be >= 1, --warmup >= 0")
    return a


def read_idx(path, expected_magic):
    """Reads an uncompressed (or .gz) IDX file into a uint8 numpy array."""
    import numpy as np
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path = path + ".gz"
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path, "rb") as f:
            raw = f.read()
    else:
        with open(path, "rb") as f:
            raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expected_magic:
        sys.exit(f"{path}: bad IDX magic {magic:#x}, expected {expected_magic:#x}")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        sys.exit(f"{path}: expected {int(np.prod(dims))} bytes of data, found {data.size}")
    return data.reshape(dims)


def load_train(data_dir):
    import numpy as np
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"), 0x00000803)
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"), 0x00000801)
    if images.shape[0] != labels.shape[0]:
        sys.exit(f"{data_dir}: {images.shape[0]} images but {labels.shape[0]} labels")
    x = images.astype(np.float32) / np.float32(255.0)
    return x, labels.astype(np.int64)


def build(model_name):
    import torch
    from torch import nn
    if model_name == "two-layer":
        # The book's ch. 5 TwoLayerNet: Affine-ReLU-Affine, softmax-with-loss, SGD lr 0.1.
        model = nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        shape = (-1, 784)
    else:
        # The book's SimpleConvNet: Conv(30 filters 5x5, stride 1, pad 0)-ReLU-Pool(2x2, stride 2)
        # -Affine(4320,100)-ReLU-Affine(100,10), softmax-with-loss, Adam lr 0.001.
        model = nn.Sequential(
            nn.Conv2d(1, 30, kernel_size=5, stride=1, padding=0), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2), nn.Flatten(),
            nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        shape = (-1, 1, 28, 28)
    return model, optimizer, shape


def main():
    args = parse_args()
    set_thread_env(args.threads)
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.flush_denormal and not torch.set_flush_denormal(True):
        sys.exit("--flush-denormal: this CPU or torch build cannot flush subnormals (torch.set_flush_denormal)")

    x_np, t_np = load_train(args.data_dir)
    model, optimizer, shape = build(args.model)
    x_all = torch.from_numpy(x_np).reshape(shape).contiguous()
    t_all = torch.from_numpy(t_np)
    n = x_all.shape[0]
    bs = args.batch_size
    if bs > n:
        sys.exit(f"--batch-size {bs} exceeds the {n} training samples")
    loss_fn = nn.CrossEntropyLoss()
    next_batch = batches(x_all, t_all, bs, args.seed)

    def step():
        xb, tb = next_batch()
        optimizer.zero_grad()
        loss = loss_fn(model(xb), tb)
        loss.backward()
        optimizer.step()
        return loss

    model.train()
    for _ in range(args.warmup):
        step()

    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    seconds = time.perf_counter() - start

    print(f"torch_reference: {args.model} threads={torch.get_num_threads()} "
          f"final loss {loss.item():.4f}", file=sys.stderr)
    print(json.dumps({
        "impl": "pytorch",
        "model": args.model,
        "threads": args.threads,
        "batch_size": bs,
        "steps": args.steps,
        "seconds": round(seconds, 4),
        "samples_per_second": round(args.steps * bs / seconds, 1),
        "torch": torch.__version__,
        "flush_denormal": bool(args.flush_denormal),
    }))


if __name__ == "__main__":
    main()
