#!/usr/bin/env python3
"""The Descent benchmark workloads, run in PyTorch, for side-by-side comparison.

Usage (with a virtualenv that has torch and numpy, e.g. /tmp/torchenv):
    /tmp/torchenv/bin/python Benchmarks/pytorch_bench.py [--workloads w1,w2,w4,sgemm] [--threads 2]
        [--epochs 1] [--data-dir ../shared/data/mnist] [--json]

Prints one line per figure (or one JSON object with --json), in the same names and units as
`descent-bench`, so `Benchmarks/compare.py` can put the two side by side.
Workloads (see BENCHMARKS.md):
  w1    Keras mnist_mlp: 784-512-512-10, ReLU, dropout 0.2, RMSprop(lr 1e-3, alpha 0.9, eps 1e-7), batch 128
  w2    small-batch overhead: 784-128-10, ReLU, SGD(lr 0.1), batch 32
  w3    PyTorch's MNIST example (examples/mnist/main.py): conv 32x3, relu, conv 64x3, relu, maxpool 2,
        dropout 0.25, flatten, fc 9216-128, relu, dropout 0.5, fc 10; inputs (x - 0.1307)/0.3081;
        Adadelta(lr 1.0), StepLR(step_size=1, gamma=0.7), batch 64 (not in the default set)
  w3bn  w3 with BatchNorm2d after each convolution, before its ReLU (not in the default set)
  w4    inference with the W1 model: batch-1 latency (median) and batch-1000 throughput
  sgemm matrix multiply GFLOP/s on the MLP shapes and squares
"""
import argparse, gzip, json, os, resource, statistics, sys, time

import numpy as np
import torch
import torch.nn as nn


def load_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(directory):
    def find(name):
        for candidate in (name + ".gz", name):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                return path
        sys.exit(f"MNIST file {name} not found in {directory}")
    x = load_idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    y = load_idx(find("train-labels-idx1-ubyte")).astype(np.int64)
    tx = load_idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    ty = load_idx(find("t10k-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(tx), torch.from_numpy(ty)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mlp(sizes, dropout):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def train_epoch(model, optimizer, x, y, batch, generator):
    model.train()
    order = torch.randperm(x.shape[0], generator=generator)
    loss_fn = nn.CrossEntropyLoss()
    for start in range(0, x.shape[0], batch):
        idx = order[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
    return loss.item()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def w1(data, epochs, results, seed=0):
    x, y, tx, ty = data
    torch.manual_seed(seed)
    model = mlp([784, 512, 512, 10], 0.2)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    generator = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        train_epoch(model, optimizer, x, y, 128, generator)
        times.append(time.perf_counter() - start)
    epoch_seconds = statistics.median(times)
    results["w1_epoch_seconds"] = epoch_seconds
    results["w1_samples_per_second"] = x.shape[0] / epoch_seconds
    results["w1_test_accuracy"] = accuracy(model, tx, ty)
    return model


def w2(data, results, seconds=3.0):
    x, y, _, _ = data
    torch.manual_seed(0)
    model = mlp([784, 128, 10], 0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(x.shape[0], generator=generator)
    steps, start, position = 0, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        if position + 32 > x.shape[0]:
            position = 0
        idx = order[position:position + 32]
        position += 32
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x[idx]), y[idx]).backward()
        optimizer.step()
        steps += 1
    results["w2_steps_per_second"] = steps / (time.perf_counter() - start)


def mnist_cnn():
    # The example's Net as an nn.Sequential; log_softmax + nll_loss there is CrossEntropyLoss here.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def mnist_cnn_with_batch_norm():
    # W3bn: the example's network with BatchNorm2d after each convolution, before its ReLU.
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def w3(data, epochs, results, seed=0, batch_norm=False):
    name = "w3bn" if batch_norm else "w3"
    x, y, tx, ty = data
    # In memory, as the example's tensors after ToTensor and Normalize((0.1307,), (0.3081,)).
    x = ((x - 0.1307) / 0.3081).reshape(-1, 1, 28, 28)
    tx = ((tx - 0.1307) / 0.3081).reshape(-1, 1, 28, 28)
    torch.manual_seed(seed)
    model = mnist_cnn_with_batch_norm() if batch_norm else mnist_cnn()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    generator = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        train_epoch(model, optimizer, x, y, 64, generator)
        times.append(time.perf_counter() - start)
        scheduler.step()
    epoch_seconds = statistics.median(times)
    results[name + "_epoch_seconds"] = epoch_seconds
    results[name + "_samples_per_second"] = x.shape[0] / epoch_seconds
    results[name + "_test_accuracy"] = accuracy(model, tx, ty)


def w4(data, model, results):
    _, _, tx, _ = data
    model.eval()
    with torch.no_grad():
        one = tx[:1]
        for _ in range(200):
            model(one)
        latencies = []
        for i in range(2000):
            start = time.perf_counter()
            model(tx[i % 10000: i % 10000 + 1])
            latencies.append(time.perf_counter() - start)
        results["w4_batch1_latency_us"] = statistics.median(latencies) * 1e6
        batch = tx[:1000]
        model(batch)
        start, count = time.perf_counter(), 0
        while time.perf_counter() - start < 2.0:
            model(batch)
            count += 1000
        results["w4_batch1000_samples_per_second"] = count / (time.perf_counter() - start)


SGEMM_SHAPES = [  # (name, m, k, n, transpose a, transpose b): C[m,n] = op(A)·op(B)
    ("sgemm_512", 512, 512, 512, False, False),
    ("sgemm_1024", 1024, 1024, 1024, False, False),
    ("sgemm_2048", 2048, 2048, 2048, False, False),
    ("sgemm_128x784x512", 128, 784, 512, False, False),
    ("sgemm_128x512x512", 128, 512, 512, False, False),
    ("sgemm_128x512x784_bT", 128, 512, 784, False, True),   # backward: dX = G·W
    ("sgemm_784x128x512_aT", 784, 128, 512, True, False),   # backward: dW = Xᵀ·G
]


def sgemm(results):
    for name, m, k, n, ta, tb in SGEMM_SHAPES:
        a = torch.randn(k, m) if ta else torch.randn(m, k)
        b = torch.randn(n, k) if tb else torch.randn(k, n)
        oa, ob = (a.t() if ta else a), (b.t() if tb else b)
        torch.mm(oa, ob)
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < 1.0:
            torch.mm(oa, ob)
            reps += 1
        results[name + "_gflops"] = 2 * m * n * k * reps / (time.perf_counter() - start) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="w1,w2,w4,sgemm")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="W1's and W3's initial weights, shuffling and dropout")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    workloads = args.workloads.split(",")
    results = {"framework": f"pytorch {torch.__version__}", "threads": args.threads}
    data = load_mnist(args.data_dir) if any(w in workloads for w in ("w1", "w2", "w3", "w3bn", "w4")) else None
    model = None
    if "w1" in workloads or "w4" in workloads:
        model = w1(data, args.epochs if "w1" in workloads else 1, results, args.seed) if "w1" in workloads else None
    if "w2" in workloads:
        w2(data, results)
    if "w3" in workloads:
        w3(data, args.epochs, results, args.seed)
    if "w3bn" in workloads:
        w3(data, args.epochs, results, args.seed, batch_norm=True)
    if "w4" in workloads:
        if model is None:
            torch.manual_seed(0)
            model = mlp([784, 512, 512, 10], 0.2)
        w4(data, model, results)
    if "sgemm" in workloads:
        sgemm(results)
    results["peak_rss_mb"] = peak_rss_mb()
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:40s} {value:.4g}" if isinstance(value, float) else f"{key:40s} {value}")


if __name__ == "__main__":
    main()
