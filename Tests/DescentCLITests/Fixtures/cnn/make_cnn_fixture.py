"""Makes the fixture of `descent train --model cnn` (ModelPreset.cnn). Run from this folder:

    /tmp/torchenv/bin/python make_cnn_fixture.py

The network of PyTorch's MNIST example (pytorch/examples, mnist/main.py), class `Net` below as
it is there, gets random weights (its own initialization, rounded to multiples of 1/256 so that
float16 holds them exactly and the file compresses), which are saved renamed to the names of the
same network written as an `nn.Sequential` — the map Descent documents:

    conv1. -> 0.    conv2. -> 2.    fc1. -> 7.    fc2. -> 10.

- cnn_weights.safetensors: those weights (float16; Descent converts them to float32 on loading);
- cnn_io.safetensors: `input`, two images [2, 1, 28, 28], and `logits`, the Sequential's outputs
  for them in eval mode (the example's `forward` is their log_softmax, checked here).

CNNPresetTests.swift loads the weights into the preset's model and compares its outputs; the
reverse direction is check_cnn_descent_written.py.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file


class Net(nn.Module):  # pytorch/examples mnist/main.py
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def sequential():
    """`descent --model cnn`: conv=32x3,relu,conv=64x3,relu,maxpool=2,dropout=0.25,flatten,128,relu,dropout=0.5,10"""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


RENAMES = {"conv1.": "0.", "conv2.": "2.", "fc1.": "7.", "fc2.": "10."}


def renamed(state_dict):
    result = {}
    for name, value in state_dict.items():
        prefix = next(p for p in RENAMES if name.startswith(p))
        result[RENAMES[prefix] + name[len(prefix):]] = value
    return result


if __name__ == "__main__":
    torch.manual_seed(11)
    net = Net()
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.copy_(torch.round(parameter * 256) / 256)
    net.eval()
    weights = renamed(net.state_dict())
    model = sequential()
    model.load_state_dict(weights, strict=True)
    model.eval()
    images = torch.round(torch.rand(2, 1, 28, 28) * 256) / 256
    with torch.no_grad():
        logits = model(images)
        assert torch.allclose(F.log_softmax(logits, dim=1), net(images), atol=1e-6)
    save_file({name: value.to(torch.float16).contiguous() for name, value in weights.items()}, "cnn_weights.safetensors")
    save_file({"input": images.contiguous(), "logits": logits.contiguous()}, "cnn_io.safetensors")
    print("logits:", logits)
