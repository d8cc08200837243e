"""Checks that PyTorch takes what Descent writes for a model with batch norm. Run from this folder:

    /tmp/torchenv/bin/python check_norm_descent_written.py

norm_descent.safetensors is written by Descent (NormalizationTests.swift,
`descentWrittenStateDictMatchesTheFileThatPyTorchChecks`, which also checks that the file still
matches what Descent writes): the model of make_norm_fixtures.py loaded from
norm_model.safetensors, after one training-mode forward pass on the fixture's `trainingBatch`
with channel dropout off. Here the same model does the same in PyTorch, and the file must load
with `load_state_dict(strict=True)` and hold the same values, dtypes included.
"""
import json

import torch
from safetensors.torch import load_file


def make_model():
    return torch.nn.Sequential(
        torch.nn.BatchNorm2d(2),
        torch.nn.Dropout2d(0.25),
        torch.nn.Flatten(),
        torch.nn.Linear(2 * 3 * 3, 4),
        torch.nn.BatchNorm1d(4, affine=False),
        torch.nn.ReLU(),
        torch.nn.Linear(4, 3),
        torch.nn.BatchNorm1d(3, momentum=0.2),
    )


def tensor(fixture):
    return torch.tensor(fixture["values"], dtype=torch.float32).reshape(fixture["shape"])


with open("norm.json") as file:
    batch = tensor(json.load(file)["model"]["trainingBatch"])

expected = make_model()
expected.load_state_dict(load_file("norm_model.safetensors"), strict=True)
expected.train()
expected[1].eval()  # channel dropout off: its masks cannot be reproduced here
with torch.no_grad():
    expected(batch)

written = load_file("norm_descent.safetensors")
model = make_model()
model.load_state_dict(written, strict=True)  # refuses missing, unexpected or misshapen entries
for name, value in expected.state_dict().items():
    found = written[name]
    assert found.dtype == value.dtype, f"{name}: {found.dtype}, expected {value.dtype}"
    assert torch.allclose(found, value, rtol=1e-5, atol=1e-6), f"{name}: {found} != {value}"
assert int(written["7.num_batches_tracked"]) == 4
print(f"PyTorch loads norm_descent.safetensors (strict) and agrees on its {len(written)} tensors")
