"""Reference values for the pooling tests (PoolingTests.swift), computed with PyTorch in
float64. Run from this folder:

    /tmp/torchenv/bin/python make_pool_fixtures.py      # writes pool.json

Each case records the settings, the input, the forward output, a fixed random `upstream` and
the gradient of sum(output * upstream) with respect to the input. Max-pooling inputs are
multiples of 1/2 (exact in float32), many of them equal — after a ReLU, most are 0 — so that
ties decide where gradients go: PyTorch sends each window's gradient to its first maximum.
Tensors are stored as {"shape": [...], "values": [...]} with row-major values.
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DTYPE = torch.float64


def tensor_json(t):
    t = t.detach().to(DTYPE)
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def pair(v):
    return list(v) if isinstance(v, tuple) else [v, v]


def forward_backward(function, x):
    leaf = x.clone().requires_grad_(True)
    output = function(leaf)
    upstream = torch.randn(*output.shape, dtype=DTYPE)
    (output * upstream).sum().backward()
    return {"input": tensor_json(x), "output": tensor_json(output), "upstream": tensor_json(upstream),
            "inputGradient": tensor_json(leaf.grad)}


def coarse(*shape, relu=False):
    x = torch.round(torch.randn(*shape, dtype=DTYPE) * 2) / 2
    return torch.relu(x) if relu else x


def max_case(name, x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    case = {"name": name, "kernelSize": pair(kernel), "stride": pair(stride if stride is not None else kernel),
            "padding": pair(padding), "dilation": pair(dilation), "ceilMode": ceil_mode}
    case.update(forward_backward(lambda t: F.max_pool2d(t, kernel, stride, padding, dilation, ceil_mode), x))
    return case


def avg_case(name, x, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    case = {"name": name, "kernelSize": pair(kernel), "stride": pair(stride if stride is not None else kernel),
            "padding": pair(padding), "ceilMode": ceil_mode, "countIncludePad": count_include_pad}
    case.update(forward_backward(
        lambda t: F.avg_pool2d(t, kernel, stride, padding, ceil_mode, count_include_pad), x))
    return case


def adaptive_case(name, x, output_size):
    case = {"name": name, "outputSize": pair(output_size)}
    case.update(forward_backward(lambda t: F.adaptive_avg_pool2d(t, output_size), x))
    return case


max_pool = [
    max_case("odd sizes, kernel 3 stride 2 padding 1", coarse(2, 3, 7, 5), 3, 2, 1),
    max_case("after ReLU, kernel 2", coarse(1, 2, 6, 6, relu=True), 2),
    max_case("rectangular, dilation", coarse(2, 1, 9, 7), (3, 2), (2, 1), (1, 0), (2, 1)),
    max_case("ceil mode", coarse(1, 1, 5, 5), 2, 2, 0, 1, True),
    max_case("ceil mode with padding, after ReLU", coarse(2, 2, 8, 9, relu=True), 3, 2, 1, 1, True),
    max_case("all equal, overlapping windows", torch.full((1, 1, 4, 4), 1.5, dtype=DTYPE), 2, 1),
    max_case("repeated values, stride not the kernel", coarse(1, 3, 5, 7), (2, 3), (1, 2)),
]

avg_pool = []
for include in [True, False]:
    avg_pool += [
        avg_case("odd sizes, kernel 3 stride 2 padding 1", torch.randn(2, 3, 7, 5, dtype=DTYPE), 3, 2, 1,
                 count_include_pad=include),
        avg_case("kernel 2", torch.randn(1, 2, 6, 6, dtype=DTYPE), 2, count_include_pad=include),
        avg_case("ceil mode", torch.randn(1, 1, 5, 5, dtype=DTYPE), 2, 2, 0, True, include),
        avg_case("ceil mode with padding", torch.randn(2, 2, 8, 9, dtype=DTYPE), 3, 2, 1, True, include),
        avg_case("rectangular with padding", torch.randn(1, 3, 5, 7, dtype=DTYPE), (2, 3), (1, 2), (1, 1),
                 count_include_pad=include),
    ]

adaptive = [
    adaptive_case("global", torch.randn(2, 3, 7, 5, dtype=DTYPE), 1),
    adaptive_case("3x2 of 6x4", torch.randn(2, 3, 6, 4, dtype=DTYPE), (3, 2)),
    adaptive_case("2x4 of 8x8", torch.randn(1, 2, 8, 8, dtype=DTYPE), (2, 4)),
]

with open("pool.json", "w") as f:
    json.dump({"torch": torch.__version__, "maxPool": max_pool, "avgPool": avg_pool, "adaptiveAvgPool": adaptive}, f)
    f.write("\n")
