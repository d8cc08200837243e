"""PyTorch reference runs for `descent train` (issue 4: parity with PyTorch).

For each case this script builds, in PyTorch, the network that
`descent train DATA.csv --layers SPEC` builds (the layer list, plus a final linear layer of the
data's output size when the list does not end with one, and a sigmoid after it for `bce`), saves its initial weights under the
names of `nn.Sequential.state_dict()` ("0.weight", "0.bias", "2.weight", ...), runs N
full-batch steps of the same cost function and optimizer in a fixed order, and saves the final
weights. `PyTorchParityTests.swift` runs

    descent train DATA.csv --layers SPEC <options> --init CASE.initial.safetensors \
        --no-shuffle --batch-size full --steps N --validation-split 0 \
        --no-standardize --no-target-scaling --output DIR --quiet

and compares DIR/model.safetensors with CASE.final.safetensors.

The label encoding follows the CLI: string classes in sorted order; cross-entropy takes class
indices, binary costs take one output and float labels [n, 1], regression costs on classes
take one-hot rows; regression targets are [n, 1].

Run from this folder:  /tmp/torchenv/bin/python make_parity.py
"""

import csv
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
IRIS = "/work/shared/data/tabular/iris.csv"

ACTIVATIONS = {
    "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "gelu": torch.nn.GELU,
    "elu": torch.nn.ELU, "leaky-relu": torch.nn.LeakyReLU, "softplus": torch.nn.Softplus,
    "identity": torch.nn.Identity,
}

# name, data file, layer list, loss, optimizer options (the CLI's spelling), steps, seed.
CASES = [
    ("cross-entropy-sgd-nesterov", "iris.csv", "8,relu", "cross-entropy",
     ["--optimizer", "sgd", "--learning-rate", "0.05", "--momentum", "0.9", "--nesterov"], 6, 1),
    ("cross-entropy-adam", "iris.csv", "16,tanh,8,relu", "cross-entropy",
     ["--optimizer", "adam", "--learning-rate", "0.01", "--betas", "0.85,0.995", "--eps", "1e-7"], 8, 2),
    ("cross-entropy-rmsprop", "iris.csv", "8,sigmoid", "cross-entropy",
     ["--optimizer", "rmsprop", "--learning-rate", "0.005", "--alpha", "0.9", "--momentum", "0.5",
      "--weight-decay", "0.01"], 6, 3),
    ("cross-entropy-nadam-gelu-dropout0", "iris.csv", "12,gelu,dropout=0,6,elu", "cross-entropy",
     ["--optimizer", "nadam", "--learning-rate", "0.01"], 5, 4),
    ("mse-on-classes-adamax", "iris.csv", "8,softplus", "mse",
     ["--optimizer", "adamax", "--learning-rate", "0.02", "--weight-decay", "0.001"], 5, 5),
    ("bce-logits-adamw", "binary.csv", "8,relu", "bce-logits",
     ["--optimizer", "adamw", "--learning-rate", "0.01", "--weight-decay", "0.1"], 8, 6),
    ("bce-sgd", "binary.csv", "8,tanh", "bce",
     ["--optimizer", "sgd", "--learning-rate", "0.1"], 6, 12),
    ("bce-explicit-sigmoid-adam-l2", "binary.csv", "6,relu,1,sigmoid", "bce",
     ["--optimizer", "adam", "--learning-rate", "0.01", "--weight-decay", "0.05"], 6, 13),
    ("binary-cross-entropy-two-outputs-adagrad", "binary.csv", "6,leaky-relu", "cross-entropy",
     ["--optimizer", "adagrad", "--learning-rate", "0.05", "--eps", "1e-8"], 5, 7),
    ("mse-sgd-weight-decay", "regression.csv", "8,tanh", "mse",
     ["--optimizer", "sgd", "--learning-rate", "0.05", "--momentum", "0.9", "--weight-decay", "0.01"], 6, 8),
    ("huber-adagrad", "regression.csv", "8,relu", "huber",
     ["--optimizer", "adagrad", "--learning-rate", "0.1", "--weight-decay", "0.001"], 6, 9),
    ("mae-rmsprop", "regression.csv", "10,relu,5,tanh", "mae",
     ["--optimizer", "rmsprop", "--learning-rate", "0.003"], 5, 10),
    ("mse-adadelta", "regression.csv", "8,sigmoid", "mse",
     ["--optimizer", "adadelta", "--learning-rate", "1.0", "--eps", "1e-6"], 5, 11),
]


def write_csv(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def make_data():
    """Three small CSV files: 3 classes (iris), 2 classes (text labels), a real-valued target."""
    with open(IRIS) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    # 20 of each species, interleaved, so the classes are not in blocks.
    picked = [body[50 * k + i] for i in range(20) for k in range(3)]
    write_csv("iris.csv", header, picked)

    rng = np.random.default_rng(2024)
    x = np.round(rng.normal(size=(48, 3)), 3)
    score = x[:, 0] + 0.5 * x[:, 1] - x[:, 2] + 0.3 * rng.normal(size=48)
    write_csv("binary.csv", ["a", "b", "c", "label"],
              [[f"{v:.3f}" for v in row] + ["yes" if s > 0 else "no"] for row, s in zip(x, score)])

    x = np.round(rng.normal(size=(50, 4)), 3)
    y = np.round(0.8 * x[:, 0] - 0.5 * x[:, 1] + 0.3 * x[:, 2] * x[:, 3] + 0.1 * rng.normal(size=50) + 0.25, 3)
    write_csv("regression.csv", ["x1", "x2", "x3", "x4", "y"],
              [[f"{v:.3f}" for v in row] + [f"{t:.3f}"] for row, t in zip(x, y)])


def read_data(name):
    """Features [n, f] float32 and the target column as text, as the CLI reads them."""
    with open(os.path.join(HERE, name)) as f:
        rows = list(csv.reader(f))[1:]
    features = torch.tensor(np.array([[float(v) for v in r[:-1]] for r in rows], dtype=np.float32))
    return features, [r[-1] for r in rows]


def targets(cells, loss):
    """The labels in the form the CLI gives the cost, and the number of outputs."""
    try:
        values = [float(c) for c in cells]
        is_classes = all(v == round(v) for v in values) and len(set(values)) <= 20
    except ValueError:
        is_classes = True
    if not is_classes:
        return torch.tensor(values, dtype=torch.float32).reshape(-1, 1), 1
    classes = sorted(set(cells))
    indices = torch.tensor([classes.index(c) for c in cells])
    if loss in ("bce", "bce-logits"):
        assert len(classes) == 2
        return indices.float().reshape(-1, 1), 1
    if loss in ("mse", "mae", "huber", "smooth-l1"):
        return torch.nn.functional.one_hot(indices, len(classes)).float(), len(classes)
    return indices, len(classes)


def build(spec, inputs, outputs, loss):
    """`LayerList.parse`: numbers are linear layers, names activations, dropout=RATE dropout;
    `bce` takes probabilities, so a sigmoid follows the output layer."""
    layers, width = [], inputs
    for item in spec.split(","):
        if item.isdigit():
            layers.append(torch.nn.Linear(width, int(item)))
            width = int(item)
        elif item.startswith("dropout="):
            layers.append(torch.nn.Dropout(float(item[len("dropout="):])))
        else:
            layers.append(ACTIVATIONS[item]())
    def ends_with_output(layers):
        return layers and isinstance(layers[-1], torch.nn.Linear) and layers[-1].out_features == outputs
    if loss == "bce" and isinstance(layers[-1], torch.nn.Sigmoid) and ends_with_output(layers[:-1]):
        return torch.nn.Sequential(*layers)
    if not ends_with_output(layers):
        layers.append(torch.nn.Linear(width, outputs))
    if loss == "bce":
        layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def cost(loss):
    return {
        "cross-entropy": torch.nn.CrossEntropyLoss(), "bce-logits": torch.nn.BCEWithLogitsLoss(),
        "bce": torch.nn.BCELoss(), "mse": torch.nn.MSELoss(), "mae": torch.nn.L1Loss(),
        "huber": torch.nn.HuberLoss(delta=1.0), "smooth-l1": torch.nn.SmoothL1Loss(beta=1.0),
    }[loss]


def optimizer(options, parameters):
    """The torch.optim optimizer the CLI options name (PyTorch's argument names and defaults)."""
    name, settings, i = None, {}, 0
    while i < len(options):
        option = options[i]
        if option == "--nesterov":
            settings["nesterov"] = True
            i += 1
            continue
        value = options[i + 1]
        i += 2
        if option == "--optimizer":
            name = value
        elif option == "--betas":
            settings["betas"] = tuple(float(v) for v in value.split(","))
        else:
            settings[{"--learning-rate": "lr", "--momentum": "momentum", "--weight-decay": "weight_decay",
                      "--alpha": "alpha", "--eps": "eps"}[option]] = float(value)
    kind = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
            "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad, "adadelta": torch.optim.Adadelta,
            "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam}[name]
    return kind(parameters, **settings)


def run_case(name, data, spec, loss, options, steps, seed):
    features, cells = read_data(data)
    labels, outputs = targets(cells, loss)
    torch.manual_seed(seed)
    model = build(spec, features.shape[1], outputs, loss)
    initial = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    save_file(initial, os.path.join(HERE, f"{name}.initial.safetensors"))
    opt = optimizer(options, model.parameters())
    criterion = cost(loss)
    model.train()
    costs = []
    for _ in range(steps):
        opt.zero_grad()
        value = criterion(model(features), labels)
        value.backward()
        opt.step()
        costs.append(value.item())
    final = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    save_file(final, os.path.join(HERE, f"{name}.final.safetensors"))
    moved = max((final[k] - initial[k]).abs().max().item() for k in final)
    print(f"{name}: {steps} steps, cost {costs[0]:.4f} -> {costs[-1]:.4f}, largest change {moved:.3g}")
    return {"name": name, "data": data, "layers": spec, "loss": loss, "options": options, "steps": steps,
            "initial": f"{name}.initial.safetensors", "final": f"{name}.final.safetensors",
            "costs": costs}


def main():
    torch.set_num_threads(1)
    make_data()
    cases = [run_case(*case) for case in CASES]
    with open(os.path.join(HERE, "parity.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
