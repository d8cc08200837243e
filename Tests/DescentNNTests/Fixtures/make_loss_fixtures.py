"""Writes losses.json: PyTorch's cost functions on small inputs, for LossTests.swift.

Run with a Python that has torch:  /tmp/torchenv/bin/python make_loss_fixtures.py

Inputs are float32 numbers (so Descent's float32 run sees exactly the same inputs); PyTorch
computes in float64 from them. For every reduction the file holds the value and the gradient with
respect to the first input (predictions, probabilities, logits or log-probabilities); for 'none'
the gradient is that of sum(loss * weights) for the fixed `weights` stored beside it.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def f32(t):
    """The float32 values of t, as float64 (what both sides compute from)."""
    return torch.as_tensor(t, dtype=torch.float32).to(torch.float64)


def encode(t):
    return {"shape": list(t.shape), "values": [v.item() for v in t.flatten()]}


def make_case(name, function, inputs, loss, reductions=("mean", "sum", "none"), parameters=None):
    """inputs: dict of name -> tensor; the first one is differentiated. loss(inputs, reduction)."""
    first = next(iter(inputs))
    results = {}
    weights = None
    for reduction in reductions:
        x = inputs[first].clone().requires_grad_(True)
        value = loss({**inputs, first: x}, reduction)
        if reduction == "none":
            weights = f32(torch.randn(value.shape, dtype=torch.float64))
            (value * weights).sum().backward()
        else:
            value.backward()
        results[reduction] = {"value": encode(value.detach()), "gradient": encode(x.grad)}
    case = {"name": name, "function": function, "parameters": parameters or {},
            "inputs": {key: encode(value) for key, value in inputs.items()}, "results": results}
    if weights is not None:
        case["weights"] = encode(weights)
    return case


def labels(*values):
    return torch.tensor(values, dtype=torch.int64)


cases = []

# Regression costs: random values, plus an exact tie (|d| = 0) for MAE's kink, where PyTorch's
# gradient is sign(0) = 0.
predicted = f32(torch.randn(4, 3) * 2)
expected = f32(torch.randn(4, 3) * 2)
expected_with_tie = expected.clone()
expected_with_tie[0, 0] = predicted[0, 0]
cases.append(make_case("mae", "meanAbsoluteError", {"predicted": predicted, "expected": expected_with_tie},
                       lambda i, r: F.l1_loss(i["predicted"], i["expected"], reduction=r)))
cases.append(make_case("mse", "meanSquaredError", {"predicted": predicted, "expected": expected},
                       lambda i, r: F.mse_loss(i["predicted"], i["expected"], reduction=r)))

# Huber and smooth L1: differences on both sides of delta / beta.
difference = f32([[-3.0, -1.5, -0.75, -0.2, 0.0], [0.1, 0.4, 0.9, 1.7, 4.0]])
base = f32(torch.randn(2, 5))
for delta in (1.0, 0.5, 2.0):
    cases.append(make_case(f"huber-{delta}", "huberLoss", {"predicted": f32(base + difference), "expected": base},
                           lambda i, r, d=delta: F.huber_loss(i["predicted"], i["expected"], reduction=r, delta=d),
                           parameters={"delta": delta}))
for beta in (1.0, 0.5, 2.0, 0.0):
    cases.append(make_case(f"smooth-l1-{beta}", "smoothL1Loss", {"predicted": f32(base + difference), "expected": base},
                           lambda i, r, b=beta: F.smooth_l1_loss(i["predicted"], i["expected"], reduction=r, beta=b),
                           parameters={"beta": beta}))

# Binary cross-entropy on probabilities: random, and exactly 0 and 1 (log clamped at -100;
# gradient (p - y) / max(p(1 - p), 1e-12) as PyTorch's backward).
probabilities = f32(torch.rand(3, 4) * 0.98 + 0.01)
targets = f32((torch.rand(3, 4) > 0.5).double())
cases.append(make_case("bce", "binaryCrossEntropy", {"probabilities": probabilities, "labels": targets},
                       lambda i, r: F.binary_cross_entropy(i["probabilities"], i["labels"], reduction=r)))
edge_probabilities = f32([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1e-30, 0.999999, 0.5])
edge_labels = f32([0.0, 1.0, 0.3, 0.0, 1.0, 0.7, 1.0, 0.0, 0.25])
cases.append(make_case("bce-edges", "binaryCrossEntropy", {"probabilities": edge_probabilities, "labels": edge_labels},
                       lambda i, r: F.binary_cross_entropy(i["probabilities"], i["labels"], reduction=r)))

# Binary cross-entropy on logits: random, ±100, 0, soft labels, and a positive weight.
logits = f32(torch.randn(3, 4) * 3)
cases.append(make_case("bce-logits", "binaryCrossEntropyWithLogits", {"logits": logits, "labels": targets},
                       lambda i, r: F.binary_cross_entropy_with_logits(i["logits"], i["labels"], reduction=r)))
edge_logits = f32([100.0, 100.0, -100.0, -100.0, 0.0, 0.0, 30.0, -30.0, 2.5])
edge_logit_labels = f32([1.0, 0.0, 1.0, 0.0, 1.0, 0.4, 0.9, 0.1, 0.5])
cases.append(make_case("bce-logits-edges", "binaryCrossEntropyWithLogits",
                       {"logits": edge_logits, "labels": edge_logit_labels},
                       lambda i, r: F.binary_cross_entropy_with_logits(i["logits"], i["labels"], reduction=r)))
positive_weight = f32([0.5, 1.0, 2.0, 3.0])
cases.append(make_case("bce-logits-positive-weight", "binaryCrossEntropyWithLogits",
                       {"logits": logits, "labels": f32(torch.rand(3, 4)), "positiveWeight": positive_weight},
                       lambda i, r: F.binary_cross_entropy_with_logits(i["logits"], i["labels"], reduction=r,
                                                                       pos_weight=i["positiveWeight"])))

# Cross-entropy on logits [n, C]: class labels and probability targets, with and without label
# smoothing, including a row of logits of ±100.
class_logits = f32(torch.randn(5, 4) * 2)
class_logits[3] = f32([100.0, -100.0, 0.0, 3.0])
class_logits[4] = f32([-100.0, 100.0, -100.0, 100.0])
class_labels = labels(2, 0, 3, 1, 0)
target_probabilities = f32(torch.softmax(torch.randn(5, 4), dim=1))
target_probabilities[2] = f32([0.0, 1.0, 0.0, 0.0])
for smoothing in (0.0, 0.1):
    cases.append(make_case(f"cross-entropy-labels-{smoothing}", "crossEntropyWithLabels",
                           {"logits": class_logits, "labels": class_labels},
                           lambda i, r, s=smoothing: F.cross_entropy(i["logits"], i["labels"], reduction=r,
                                                                     label_smoothing=s),
                           parameters={"labelSmoothing": smoothing}))
    cases.append(make_case(f"cross-entropy-probabilities-{smoothing}", "crossEntropyWithProbabilities",
                           {"logits": class_logits, "probabilities": target_probabilities},
                           lambda i, r, s=smoothing: F.cross_entropy(i["logits"], i["probabilities"], reduction=r,
                                                                     label_smoothing=s),
                           parameters={"labelSmoothing": smoothing}))

# Negative log-likelihood of log-probabilities.
log_probabilities = f32(torch.log_softmax(torch.randn(5, 4), dim=1))
cases.append(make_case("nll", "negativeLogLikelihood", {"logProbabilities": log_probabilities, "labels": class_labels},
                       lambda i, r: F.nll_loss(i["logProbabilities"], i["labels"], reduction=r)))

# KL divergence: log-probabilities against probabilities (one target exactly 0: 0·log 0 = 0).
kl_targets = f32(torch.softmax(torch.randn(5, 4), dim=1))
kl_targets[1] = f32([0.0, 0.5, 0.5, 0.0])
cases.append(make_case("kl-div", "klDivergence", {"logProbabilities": log_probabilities, "targets": kl_targets},
                       lambda i, r: F.kl_div(i["logProbabilities"], i["targets"], reduction=r),
                       reductions=("mean", "sum", "none", "batchmean")))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
with open(path + ".tmp", "w") as file:
    json.dump({"torch": torch.__version__, "cases": cases}, file, indent=None, separators=(",", ":"))
    file.write("\n")
os.replace(path + ".tmp", path)
print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")
