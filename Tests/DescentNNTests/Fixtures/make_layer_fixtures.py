"""Reference values for the layer tests (LayerTests.swift, ActivationTests.swift, …), computed
with PyTorch in float64. Run from this folder:

    /tmp/torchenv/bin/python make_layer_fixtures.py      # writes layers.json

Each case records the inputs, the forward output, and the gradients of sum(output * upstream)
for a fixed random `upstream` (so every output element gets a different weight in the backward
pass). Tensors are stored as {"shape": [...], "values": [...]} with row-major values.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DTYPE = torch.float64


def tensor_json(t):
    t = t.detach().to(DTYPE)
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def random(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=DTYPE) * scale)


def forward_backward(function, *inputs):
    """Output of function(*inputs) and the gradients of sum(output * upstream)."""
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    output = function(*leaves)
    upstream = random(*output.shape)
    (output * upstream).sum().backward()
    return output, upstream, [leaf.grad for leaf in leaves]


def dense_case(input_shape, in_features, out_features, activation=None, bias=True):
    linear = torch.nn.Linear(in_features, out_features, bias=bias, dtype=DTYPE)
    x = random(*input_shape)
    parameters = [linear.weight.detach()] + ([linear.bias.detach()] if bias else [])

    def function(x, weight, *rest):
        y = F.linear(x, weight, rest[0] if rest else None)
        return activation(y) if activation else y

    output, upstream, gradients = forward_backward(function, x, *parameters)
    case = {"input": tensor_json(x), "weight": tensor_json(linear.weight),
            "output": tensor_json(output), "upstream": tensor_json(upstream),
            "inputGradient": tensor_json(gradients[0]), "weightGradient": tensor_json(gradients[1])}
    if bias:
        case["bias"] = tensor_json(linear.bias)
        case["biasGradient"] = tensor_json(gradients[2])
    return case


# Values that probe every branch: far negative/positive (overflow of exp), around 0 (the kink of
# ReLU-like functions), at and around softplus' threshold, and ordinary values.
SPECIAL = [-100, -30, -20.5, -20, -5, -2, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 5, 5.25, 10, 20, 20.5, 30, 100]

ELEMENTWISE = {
    "identity": lambda x: x,
    "relu": F.relu,
    "leakyReLU": lambda x: F.leaky_relu(x, 0.01),
    "leakyReLU(negativeSlope: 0.2)": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x, 1.0),
    "elu(alpha: 0.5)": lambda x: F.elu(x, 0.5),
    "gelu": lambda x: F.gelu(x),
    "gelu(approximation: .tanh)": lambda x: F.gelu(x, approximate="tanh"),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softplus": lambda x: F.softplus(x, beta=1, threshold=20),
    "softplus(beta: 2.0, threshold: 10.0)": lambda x: F.softplus(x, beta=2, threshold=10),
}

AXIS_WISE = {
    "softmax": lambda x: F.softmax(x, dim=-1),
    "logSoftmax": lambda x: F.log_softmax(x, dim=-1),
}


def activation_cases():
    cases = []
    elementwise_input = torch.cat([torch.tensor(SPECIAL, dtype=DTYPE), random(11, scale=3)])
    for name, function in ELEMENTWISE.items():
        output, upstream, (gradient,) = forward_backward(function, elementwise_input)
        cases.append({"name": name, "input": tensor_json(elementwise_input), "output": tensor_json(output),
                      "upstream": tensor_json(upstream), "gradient": tensor_json(gradient)})
    axis_input = torch.tensor([[100, -100, 0, 30, -30], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0],
                               [-1e-3, 1e-3, -0.5, 0.5, 20]], dtype=DTYPE)
    for name, function in AXIS_WISE.items():
        output, upstream, (gradient,) = forward_backward(function, axis_input)
        cases.append({"name": name, "input": tensor_json(axis_input), "output": tensor_json(output),
                      "upstream": tensor_json(upstream), "gradient": tensor_json(gradient)})
    return cases


def sequential_case():
    """An nn.Sequential MLP with dropout, in eval mode: its state_dict names, output and the
    gradient of sum(output * upstream) for each parameter by name."""
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                                torch.nn.Linear(8, 3), torch.nn.Tanh()).to(DTYPE).eval()
    x = random(6, 4)
    output = model(x)
    upstream = random(*output.shape)
    (output * upstream).sum().backward()
    return {"input": tensor_json(x), "output": tensor_json(output), "upstream": tensor_json(upstream),
            "parameters": {name: tensor_json(p) for name, p in model.state_dict().items()},
            "gradients": {name: tensor_json(p.grad) for name, p in model.named_parameters()}}


def initializer_cases():
    """For a [out, in] weight: the bound of each uniform and the standard deviation of each
    normal initializer as torch.nn.init computes them, with its fans."""
    out_features, in_features = 64, 300
    weight = torch.empty(out_features, in_features)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(weight)
    relu, linear = torch.nn.init.calculate_gain("relu"), torch.nn.init.calculate_gain("linear")
    leaky = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    return {
        "shape": [out_features, in_features], "fanIn": fan_in, "fanOut": fan_out,
        "uniformBounds": {
            "glorotUniform": math.sqrt(6 / (fan_in + fan_out)),           # xavier_uniform_
            "heUniform": math.sqrt(3) * relu / math.sqrt(fan_in),        # kaiming_uniform_(relu)
            "lecunUniform": math.sqrt(3) * linear / math.sqrt(fan_in),   # kaiming_uniform_(linear)
            "pytorchLinear": math.sqrt(3) * leaky / math.sqrt(fan_in),   # nn.Linear: a = √5
            "pytorchLinearBias": 1 / math.sqrt(fan_in),                  # nn.Linear bias
        },
        "normalStandardDeviations": {
            "glorotNormal": math.sqrt(2 / (fan_in + fan_out)),           # xavier_normal_
            "heNormal": relu / math.sqrt(fan_in),                        # kaiming_normal_(relu)
            "lecunNormal": linear / math.sqrt(fan_in),                   # kaiming_normal_(linear)
        },
    }


fixtures = {
    "dense": dense_case((5, 4), 4, 3),
    "denseRank3Tanh": dense_case((2, 5, 4), 4, 3, activation=torch.tanh),
    "denseWithoutBias": dense_case((5, 4), 4, 3, bias=False),
    "activations": activation_cases(),
    "sequential": sequential_case(),
    "initializers": initializer_cases(),
}
flatten_input = random(2, 3, 4)
fixtures["flatten"] = {"input": tensor_json(flatten_input), "output": tensor_json(torch.nn.Flatten()(flatten_input))}

with open("layers.json", "w") as file:
    json.dump(fixtures, file, indent=None, separators=(",", ":"))
    file.write("\n")
print("wrote layers.json")
