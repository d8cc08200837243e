#!/usr/bin/env python3
"""W1, W2 and W4 in PyTorch on a GPU, as descent-cuda-bench runs them (Benchmarks/cuda.sh).

Usage: python3 Benchmarks/pytorch_cuda_bench.py [--epochs 3] [--json] [--tf32]

The data are MNIST-shaped random numbers, on the GPU (speed does not depend on the values).
W1  784-512-512-10, ReLU, dropout 0.2, RMSprop(lr 1e-3, alpha 0.9, eps 1e-7), batch 128,
    shuffled; the loss read back every step (loss.item()); seconds per epoch, median
W2  784-128-10, ReLU, SGD(lr 0.1), batch 32: steps per second over 3 s, synchronized at the end
W4  the W1 network in eval mode: batch-1 latency from a host array to a host array (median of
    2,000, synchronized), batch-1000 throughput
W3  PyTorch's MNIST example as an nn.Sequential, Adadelta(lr 1.0), batch 64, shuffled, on
    [60000, 1, 28, 28] images normalized by 0.1307/0.3081; the loss read back every step; one
    timed epoch after 20 warm-up steps (cuDNN's benchmark mode off, its default)
TF32 is off unless --tf32 (torch.backends.cuda.matmul.allow_tf32).
"""
import argparse, json, statistics, time

import numpy as np
import torch
import torch.nn as nn


def mlp(sizes, dropout):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--tf32", action="store_true")
    options = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = options.tf32
    torch.backends.cudnn.allow_tf32 = options.tf32
    device = torch.device("cuda")
    torch.manual_seed(0)
    features = torch.rand(60000, 784, device=device)
    labels = torch.randint(0, 10, (60000,), device=device)
    figures = {"pytorch_version": torch.__version__, "gpu": torch.cuda.get_device_name(0), "tf32": options.tf32}
    loss_fn = nn.CrossEntropyLoss()

    model = mlp([784, 512, 512, 10], 0.2).to(device)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    def epoch():
        order = torch.randperm(60000, device=device)
        for start in range(0, 60000, 128):
            index = order[start:start + 128]
            optimizer.zero_grad()
            loss = loss_fn(model(features[index]), labels[index])
            loss.backward()
            optimizer.step()
            loss.item()

    epoch()
    times = []
    for _ in range(options.epochs):
        torch.cuda.synchronize()
        start = time.perf_counter()
        epoch()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    figures["w1_epoch_seconds"] = statistics.median(times)

    small = mlp([784, 128, 10], 0).to(device)
    sgd = torch.optim.SGD(small.parameters(), lr=0.1)

    def step(i):
        start = (i * 32) % (60000 - 32)
        sgd.zero_grad()
        loss = loss_fn(small(features[start:start + 32]), labels[start:start + 32])
        loss.backward()
        sgd.step()

    for i in range(50):
        step(i)
    torch.cuda.synchronize()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < 3:
        step(steps)
        steps += 1
    torch.cuda.synchronize()
    figures["w2_steps_per_second"] = steps / (time.perf_counter() - start)

    model.eval()
    host = features[:1000].cpu().numpy()
    latencies = []
    with torch.no_grad():
        for i in range(2200):
            row = host[i % 1000:i % 1000 + 1]
            start = time.perf_counter()
            model(torch.from_numpy(row).to(device)).cpu().numpy()
            if i >= 200:
                latencies.append(time.perf_counter() - start)
        figures["w4_batch1_latency_us"] = statistics.median(latencies) * 1e6
        batch = features[:1000]
        model(batch)
        torch.cuda.synchronize()
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < 2:
            model(batch)
            count += 1000
        torch.cuda.synchronize()
        figures["w4_batch1000_samples_per_second"] = count / (time.perf_counter() - start)

    images = ((features - 0.1307) / 0.3081).reshape(60000, 1, 28, 28)
    cnn = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10)).to(device)
    adadelta = torch.optim.Adadelta(cnn.parameters(), lr=1.0)

    def cnn_epoch(limit=None):
        order = torch.randperm(60000, device=device)
        for number, start in enumerate(range(0, 60000, 64)):
            if limit is not None and number >= limit:
                break
            index = order[start:start + 64]
            adadelta.zero_grad()
            loss = loss_fn(cnn(images[index]), labels[index])
            loss.backward()
            adadelta.step()
            loss.item()

    cnn_epoch(limit=20)
    torch.cuda.synchronize()
    start = time.perf_counter()
    cnn_epoch()
    torch.cuda.synchronize()
    figures["w3_epoch_seconds"] = time.perf_counter() - start

    if options.json:
        print(json.dumps(figures, sort_keys=True))
    else:
        for name, value in figures.items():
            print(f"{name:40} {value}")


if __name__ == "__main__":
    main()
