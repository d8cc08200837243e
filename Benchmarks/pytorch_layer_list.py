#!/usr/bin/env python3
"""PyTorch's twin of `descent train mnist --layers LIST`: the same network, one epoch, timed as
`descent train` times its epoch line (training, then the 10,000 test images evaluated).

Usage (a virtualenv with torch and numpy, e.g. /tmp/torchenv):
    /tmp/torchenv/bin/python Benchmarks/pytorch_layer_list.py LIST [--batch-size 64] [--threads 2]
        [--optimizer sgd] [--learning-rate 0.01] [--momentum 0.9] [--weight-decay 0]
        [--data-dir ../shared/data/mnist]

beside
    descent train mnist --data-dir ../shared/data/mnist --threads 2 --epochs 1 --batch-size 64 \\
        --optimizer sgd --learning-rate 0.01 --momentum 0.9 --layers LIST

--optimizer takes sgd and rmsprop (with --momentum) and the others `descent train --optimizer` knows, with
PyTorch's defaults besides the learning rate; give `descent train` the same --learning-rate and
--weight-decay.

LIST takes the items of `--layers` that a CNN on MNIST uses: conv=OUTxK with optional sS, pP
(or psame), dD and gG; maxpool=K, avgpool=K, globalavgpool, batchnorm, flatten, dropout=P, dropout2d=P, the
activations relu, tanh, gelu, sigmoid, elu, leaky-relu, softplus, silu, and a number for a dense
layer (a flatten is put before one that follows images, as the README asks of a layer list). The images are [1, 28,
28] in [0, 1], as `descent train mnist` reads them.
"""
import argparse, gzip, os, re, time

import numpy as np
import torch
import torch.nn as nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid, "elu": nn.ELU,
               "leaky-relu": nn.LeakyReLU, "softplus": nn.Softplus, "silu": nn.SiLU}


def images(path):
    with gzip.open(path) as f:
        return torch.tensor(np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)


def labels(path):
    with gzip.open(path) as f:
        return torch.tensor(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))


def network(items):
    """The layers of a layer list, in order."""
    layers = []

    def shape():
        with torch.no_grad():
            return tuple(nn.Sequential(*layers)(torch.zeros(1, 1, 28, 28)).shape[1:]) if layers else (1, 28, 28)

    for item in items:
        current = shape()
        if item.startswith("conv="):
            match = re.fullmatch(r"conv=(\d+)x(\d+)(?:s(\d+))?(?:p(\d+|same))?(?:d(\d+))?(?:g(\d+))?", item)
            if not match:
                raise SystemExit(f"not understood: {item}")
            padding = match[4] or "0"
            layers.append(nn.Conv2d(current[0], int(match[1]), int(match[2]), stride=int(match[3] or 1),
                                    padding=padding if padding == "same" else int(padding),
                                    dilation=int(match[5] or 1), groups=int(match[6] or 1)))
        elif item.startswith("maxpool="):
            layers.append(nn.MaxPool2d(int(item[8:])))
        elif item.startswith("avgpool="):
            layers.append(nn.AvgPool2d(int(item[8:])))
        elif item == "globalavgpool":
            layers.append(nn.AdaptiveAvgPool2d(1))
        elif item == "batchnorm":
            layers.append(nn.BatchNorm2d(current[0]) if len(current) == 3 else nn.BatchNorm1d(current[0]))
        elif item == "flatten":
            layers.append(nn.Flatten())
        elif item.startswith("dropout2d="):
            layers.append(nn.Dropout2d(float(item[10:])))
        elif item.startswith("dropout="):
            layers.append(nn.Dropout(float(item[8:])))
        elif item in ACTIVATIONS:
            layers.append(ACTIVATIONS[item]())
        elif item.isdigit():
            if len(current) > 1:
                layers.append(nn.Flatten())
            layers.append(nn.Linear(shape()[0], int(item)))
        else:
            raise SystemExit(f"not understood: {item}")
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("layers")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, help="sgd: default 0.9; rmsprop: default 0")
    parser.add_argument("--optimizer", choices=["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"], default="sgd")
    parser.add_argument("--weight-decay", type=float, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    x, y = images(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz")), labels(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))
    tx, ty = images(os.path.join(args.data_dir, "t10k-images-idx3-ubyte.gz")), labels(os.path.join(args.data_dir, "t10k-labels-idx1-ubyte.gz"))
    model = network(args.layers.split(","))
    parameters, rate, decay = model.parameters(), args.learning_rate, args.weight_decay
    optimizer = {"sgd": lambda: torch.optim.SGD(parameters, lr=rate, momentum=0.9 if args.momentum is None else args.momentum,
                                                weight_decay=decay),
                 "adam": lambda: torch.optim.Adam(parameters, lr=rate, weight_decay=decay),
                 "adamw": lambda: torch.optim.AdamW(parameters, lr=rate, weight_decay=decay),
                 "rmsprop": lambda: torch.optim.RMSprop(parameters, lr=rate, momentum=args.momentum or 0, weight_decay=decay),
                 "adagrad": lambda: torch.optim.Adagrad(parameters, lr=rate, weight_decay=decay),
                 "adadelta": lambda: torch.optim.Adadelta(parameters, lr=rate, weight_decay=decay),
                 "adamax": lambda: torch.optim.Adamax(parameters, lr=rate, weight_decay=decay),
                 "nadam": lambda: torch.optim.NAdam(parameters, lr=rate, weight_decay=decay)}[args.optimizer]()
    start = time.perf_counter()
    model.train()
    order = torch.randperm(x.shape[0])
    for first in range(0, x.shape[0], args.batch_size):
        batch = order[first:first + args.batch_size]
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, tx.shape[0], 1024):
            correct += (model(tx[first:first + 1024]).argmax(1) == ty[first:first + 1024]).sum().item()
    print(f"pytorch {torch.__version__}: epoch {time.perf_counter() - start:.2f}s, test accuracy {correct / tx.shape[0]:.2%}")


if __name__ == "__main__":
    main()
