"""Reference values for the Conv2d tests (ConvolutionLayerTests.swift), computed with PyTorch in
float64. Run from this folder:

    /tmp/torchenv/bin/python make_conv_fixtures.py      # writes conv.json

Each case records nn.Conv2d's settings, the input, the weight and bias, the forward output, a
fixed random `upstream`, and the gradients of sum(output * upstream) for the input, the weight
and the bias. Tensors are stored as {"shape": [...], "values": [...]} with row-major values.
"""
import json

import torch

torch.manual_seed(0)
DTYPE = torch.float64


def tensor_json(t):
    t = t.detach().to(DTYPE)
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True):
    conv = torch.nn.Conv2d(input_shape[1], out_channels, kernel_size, stride=stride, padding=padding,
                           dilation=dilation, groups=groups, bias=bias, dtype=DTYPE)
    x = torch.randn(*input_shape, dtype=DTYPE, requires_grad=True)
    output = conv(x)
    upstream = torch.randn(*output.shape, dtype=DTYPE)
    (output * upstream).sum().backward()
    pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]
    result = {"name": name, "inChannels": input_shape[1], "outChannels": out_channels,
              "kernelSize": pair(kernel_size), "stride": pair(stride),
              "padding": padding if isinstance(padding, str) else pair(padding),
              "dilation": pair(dilation), "groups": groups,
              "input": tensor_json(x), "weight": tensor_json(conv.weight), "output": tensor_json(output),
              "upstream": tensor_json(upstream), "inputGradient": tensor_json(x.grad),
              "weightGradient": tensor_json(conv.weight.grad)}
    if bias:
        result["bias"] = tensor_json(conv.bias)
        result["biasGradient"] = tensor_json(conv.bias.grad)
    return result


cases = [
    case("odd sizes", [2, 3, 7, 5], 4, 3),
    case("stride 2", [2, 2, 9, 8], 3, 3, stride=2),
    case("padding 1", [1, 3, 6, 5], 2, 3, padding=1),
    case("padding same, even kernel", [2, 2, 6, 7], 3, (4, 2), padding="same"),
    case("padding same, dilation 2", [1, 2, 7, 6], 2, 3, padding="same", dilation=2),
    case("dilation 2", [2, 2, 9, 9], 3, 3, dilation=2, padding=1),
    case("groups 2", [2, 4, 5, 6], 6, 3, stride=(1, 2), padding=1, groups=2),
    case("depthwise", [2, 3, 6, 6], 6, 3, stride=2, padding=1, groups=3),
    case("no bias", [2, 3, 5, 5], 4, 3, padding=(1, 0), bias=False),
    case("kernel (3, 1)", [2, 3, 6, 4], 2, (3, 1), stride=(2, 1)),
]

with open("conv.json", "w") as f:
    json.dump({"cases": cases}, f)
print(f"wrote conv.json: {len(cases)} cases")
