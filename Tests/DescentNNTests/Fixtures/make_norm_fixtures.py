"""Reference values for the batch norm tests (NormalizationTests.swift), computed with PyTorch in
float64. Run from this folder:

    /tmp/torchenv/bin/python make_norm_fixtures.py      # writes norm.json and norm_model.safetensors

Each batch norm case starts from a module with random weight and bias (when affine) and records:
the training-mode output for `input` and the gradients of sum(output * upstream) for the input,
weight and bias; the running statistics after three training-mode forward passes (`input`, then
`secondInput`, then `thirdInput`); and the inference-mode output for `input` after them.

`norm_model.safetensors` is the state_dict of a small nn.Sequential with batch norm, after three
training steps, with the inference-mode output of that model recorded in norm.json
(`model`); check_norm_descent_written.py checks the other direction.
Tensors are stored as {"shape": [...], "values": [...]} with row-major values.
"""
import json

import torch
from safetensors.torch import save_file

torch.manual_seed(0)
DTYPE = torch.float64


def tensor_json(t):
    t = t.detach().to(DTYPE)
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def random(*shape, scale=1.0, shift=0.0):
    return torch.randn(*shape, dtype=DTYPE) * scale + shift


def batchnorm_case(name, kind, shape, affine=True, track=True, eps=1e-5, momentum=0.1):
    channels = shape[1]
    module = (torch.nn.BatchNorm1d if kind == "1d" else torch.nn.BatchNorm2d)(
        channels, eps=eps, momentum=momentum, affine=affine, track_running_stats=track, dtype=DTYPE)
    if affine:
        with torch.no_grad():
            module.weight.copy_(random(channels, scale=0.5, shift=1.0))
            module.bias.copy_(random(channels, scale=0.5))
    case = {"name": name, "kind": kind, "affine": affine, "trackRunningStats": track, "eps": eps,
            "momentum": momentum}
    if affine:
        case["weight"] = tensor_json(module.weight)
        case["bias"] = tensor_json(module.bias)
    # Inputs far from mean 0 / variance 1, so that normalizing matters.
    x = random(*shape, scale=2.0, shift=3.0).requires_grad_(True)
    module.train()
    output = module(x)
    upstream = random(*output.shape)
    (output * upstream).sum().backward()
    case.update({"input": tensor_json(x), "trainingOutput": tensor_json(output), "upstream": tensor_json(upstream),
                 "inputGradient": tensor_json(x.grad)})
    if affine:
        case["weightGradient"] = tensor_json(module.weight.grad)
        case["biasGradient"] = tensor_json(module.bias.grad)
    second, third = random(*shape, scale=1.5, shift=-1.0), random(*shape, scale=0.5, shift=2.0)
    with torch.no_grad():
        module(second)
        module(third)
    case["secondInput"] = tensor_json(second)
    case["thirdInput"] = tensor_json(third)
    if track:
        case["runningMean"] = tensor_json(module.running_mean)
        case["runningVar"] = tensor_json(module.running_var)
        case["numBatchesTracked"] = int(module.num_batches_tracked)
    module.eval()
    with torch.no_grad():
        case["inferenceOutput"] = tensor_json(module(x))
    return case


cases = []
for kind, shape in [("1d", [6, 3]), ("1d", [4, 3, 5]), ("2d", [3, 2, 4, 5])]:
    for affine in [True, False]:
        for track in [True, False]:
            name = f"{kind} {shape} affine={affine} track_running_stats={track}"
            cases.append(batchnorm_case(name, kind, shape, affine=affine, track=track))
cases.append(batchnorm_case("2d eps=1e-3 momentum=0.3", "2d", [2, 3, 3, 3], eps=1e-3, momentum=0.3))
cases.append(batchnorm_case("1d momentum=None (cumulative average)", "1d", [5, 4], momentum=None))

# A model with batch norm in float32, trained three steps so that its buffers are not the
# initial ones: its state_dict, and its inference-mode output.
torch.manual_seed(1)
model = torch.nn.Sequential(
    torch.nn.BatchNorm2d(2),
    torch.nn.Dropout2d(0.25),
    torch.nn.Flatten(),
    torch.nn.Linear(2 * 3 * 3, 4),
    torch.nn.BatchNorm1d(4, affine=False),
    torch.nn.ReLU(),
    torch.nn.Linear(4, 3),
    torch.nn.BatchNorm1d(3, momentum=0.2),
)
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([0.5, 1.5]))
    model[0].bias.copy_(torch.tensor([-0.25, 0.75]))
model.train()
for _ in range(3):
    with torch.no_grad():
        model(torch.randn(5, 2, 3, 3) * 2 + 1)
model.eval()
model_input = torch.randn(4, 2, 3, 3)
with torch.no_grad():
    model_output = model(model_input)
state = {name: tensor.contiguous() for name, tensor in model.state_dict().items()}
save_file(state, "norm_model.safetensors", metadata={"format": "pt", "made_by": "make_norm_fixtures.py"})
# The batch that the Descent side trains on before saving (see check_norm_descent_written.py).
training_batch = torch.randn(6, 2, 3, 3) * 1.5 - 0.5

with open("norm.json", "w") as file:
    json.dump({"batchNorm": cases,
               "model": {"input": tensor_json(model_input), "output": tensor_json(model_output),
                         "names": list(state.keys()), "trainingBatch": tensor_json(training_batch)}},
              file, indent=1)
print(f"wrote norm.json ({len(cases)} batch norm cases) and norm_model.safetensors")
