"""Reference values for Descent's optimizers, gradient clipping and learning-rate schedules.

Run with a Python that has PyTorch (e.g. /tmp/torchenv/bin/python) from this folder:

    python make_optimizer_fixtures.py

Writes optimizers.json (three steps of every optimizer from fixed parameters and gradients),
clipping.json and schedules.json. Values are written as exact decimal forms of the float32 (or
float64) numbers, so the Swift tests read back exactly what PyTorch computed.
"""
import json

import torch

torch.manual_seed(0)
SHAPES = {"weight": [3, 4], "bias": [4]}
INITIAL = {name: torch.randn(shape) for name, shape in SHAPES.items()}
# Large, then small, then medium gradients, so that AMSGrad's maximum and Adamax's running
# maximum matter; one gradient element is exactly 0.
GRADIENTS = [
    {name: torch.randn(shape) * scale for name, shape in SHAPES.items()} for scale in (2.0, 0.5, 1.0)
]
GRADIENTS[1]["bias"][2] = 0.0

# (case name, Descent class, PyTorch class, PyTorch options, dtypes)
CASES = [
    ("SGD default", "SGD", torch.optim.SGD, {"lr": 0.1}, ["float32"]),
    ("SGD momentum dampening weight decay", "SGD", torch.optim.SGD,
     {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}, ["float32", "float64"]),
    ("SGD Nesterov", "SGD", torch.optim.SGD,
     {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.02, "nesterov": True}, ["float32"]),
    ("RMSprop default", "RMSprop", torch.optim.RMSprop, {}, ["float32"]),
    ("RMSprop centered momentum", "RMSprop", torch.optim.RMSprop,
     {"lr": 0.02, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01, "momentum": 0.5, "centered": True},
     ["float32", "float64"]),
    ("Adam default", "Adam", torch.optim.Adam, {}, ["float32"]),
    ("Adam weight decay AMSGrad", "Adam", torch.optim.Adam,
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True},
     ["float32", "float64"]),
    ("AdamW default", "AdamW", torch.optim.AdamW, {}, ["float32"]),
    ("AdamW weight decay AMSGrad", "AdamW", torch.optim.AdamW,
     {"lr": 0.01, "betas": (0.85, 0.995), "eps": 1e-7, "weight_decay": 0.1, "amsgrad": True}, ["float32"]),
    ("Adagrad default", "Adagrad", torch.optim.Adagrad, {}, ["float32"]),
    ("Adagrad decay accumulator", "Adagrad", torch.optim.Adagrad,
     {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-8},
     ["float32"]),
    ("Adadelta default", "Adadelta", torch.optim.Adadelta, {}, ["float32"]),
    ("Adadelta options", "Adadelta", torch.optim.Adadelta,
     {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.05}, ["float32"]),
    ("Adamax default", "Adamax", torch.optim.Adamax, {}, ["float32"]),
    ("Adamax options", "Adamax", torch.optim.Adamax,
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}, ["float32"]),
    ("NAdam default", "NAdam", torch.optim.NAdam, {}, ["float32"]),
    ("NAdam options", "NAdam", torch.optim.NAdam,
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05, "momentum_decay": 0.01},
     ["float32", "float64"]),
    ("NAdam decoupled weight decay", "NAdam", torch.optim.NAdam,
     {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}, ["float32"]),
]


def values(tensor):
    return [float(x) for x in tensor.flatten().tolist()]


def run_case(name, descent_class, torch_class, options, dtype_name):
    dtype = getattr(torch, dtype_name)
    parameters = {n: torch.nn.Parameter(t.clone().to(dtype)) for n, t in INITIAL.items()}
    optimizer = torch_class(list(parameters.values()), foreach=False, **options)
    steps = []
    for gradients in GRADIENTS:
        for n, p in parameters.items():
            p.grad = gradients[n].clone().to(dtype)
        optimizer.step()
        steps.append({n: values(p.detach()) for n, p in parameters.items()})
    options = {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}
    return {"name": name, "optimizer": descent_class, "options": options, "dtype": dtype_name, "steps": steps}


optimizers = {
    "shapes": SHAPES,
    "initial": {n: values(t) for n, t in INITIAL.items()},
    "gradients": [{n: values(t) for n, t in g.items()} for g in GRADIENTS],
    "cases": [run_case(name, d, t, o, dtype) for name, d, t, o, dtypes in CASES for dtype in dtypes],
}
with open("optimizers.json", "w") as file:
    json.dump(optimizers, file, indent=1)


def clip_case(kind, limit, scale):
    parameters = {n: torch.nn.Parameter(torch.zeros(shape)) for n, shape in SHAPES.items()}
    for n, p in parameters.items():
        p.grad = GRADIENTS[0][n].clone() * scale
    case = {"kind": kind, "limit": limit, "scale": scale}
    if kind == "norm":
        case["norm"] = float(torch.nn.utils.clip_grad_norm_(parameters.values(), limit, foreach=False))
    else:
        torch.nn.utils.clip_grad_value_(parameters.values(), limit, foreach=False)
    case["clipped"] = {n: values(p.grad) for n, p in parameters.items()}
    return case


clipping = {
    "gradients": {n: values(t) for n, t in GRADIENTS[0].items()},
    "cases": [clip_case("norm", 1.0, 1.0), clip_case("norm", 100.0, 1.0), clip_case("norm", 0.5, 3.0),
              clip_case("value", 0.5, 1.0), clip_case("value", 10.0, 1.0)],
}
with open("clipping.json", "w") as file:
    json.dump(clipping, file, indent=1)

EPOCHS = 12
INITIAL_LR = 0.1
S = torch.optim.lr_scheduler
SCHEDULES = [
    ("StepLR", {"stepSize": 3, "gamma": 0.5}, lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    ("StepLR", {"stepSize": 4}, lambda o: S.StepLR(o, step_size=4)),
    ("MultiStepLR", {"milestones": [2, 5, 9], "gamma": 0.3}, lambda o: S.MultiStepLR(o, [2, 5, 9], gamma=0.3)),
    ("ExponentialLR", {"gamma": 0.8}, lambda o: S.ExponentialLR(o, gamma=0.8)),
    ("CosineAnnealingLR", {"tMax": 5, "etaMin": 0.01}, lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01)),
    ("CosineAnnealingLR", {"tMax": 12}, lambda o: S.CosineAnnealingLR(o, T_max=12)),
    ("LinearLR", {}, lambda o: S.LinearLR(o)),
    ("LinearLR", {"startFactor": 0.25, "endFactor": 1.0, "totalIterations": 4},
     lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4)),
    ("LinearLR", {"startFactor": 1.0, "endFactor": 0.1, "totalIterations": 6},
     lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=6)),
]
METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
PLATEAUS = [
    ({}, METRICS + [0.9] * 4),
    ({"factor": 0.5, "patience": 2, "cooldown": 1, "minimumLearningRate": 0.02},
     METRICS),
    ({"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.01, "thresholdMode": "abs"},
     [0.5, 0.6, 0.605, 0.61, 0.7, 0.7, 0.69, 0.71, 0.705, 0.8, 0.8, 0.8]),
]
TORCH_PLATEAU_NAMES = {"factor": "factor", "patience": "patience", "cooldown": "cooldown",
                       "minimumLearningRate": "min_lr", "mode": "mode", "threshold": "threshold",
                       "thresholdMode": "threshold_mode"}


def optimizer():
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=INITIAL_LR)


schedules = {"initial": INITIAL_LR, "epochs": EPOCHS, "closedForm": [], "plateau": []}
for name, options, make in SCHEDULES:
    o = optimizer()
    scheduler = make(o)
    rates = []
    for _ in range(EPOCHS):
        rates.append(o.param_groups[0]["lr"])
        o.step()
        scheduler.step()
    schedules["closedForm"].append({"schedule": name, "options": options, "rates": rates})
for options, metrics in PLATEAUS:
    o = optimizer()
    scheduler = S.ReduceLROnPlateau(o, **{TORCH_PLATEAU_NAMES[k]: v for k, v in options.items()})
    rates = []
    for metric in metrics:
        scheduler.step(metric)
        rates.append(o.param_groups[0]["lr"])
    schedules["plateau"].append({"options": options, "metrics": metrics, "rates": rates})
with open("schedules.json", "w") as file:
    json.dump(schedules, file, indent=1)
