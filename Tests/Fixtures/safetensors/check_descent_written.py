"""Checks that PyTorch reads the safetensors file Descent writes.

Run with the PyTorch virtualenv, from anywhere:
    /tmp/torchenv/bin/python Tests/Fixtures/safetensors/check_descent_written.py
It takes the bytes Descent writes (the base64 literal in
Tests/DescentCoreTests/DescentWrittenFixture.swift, which the Swift test
`writesTheBytesPyTorchWasCheckedToRead` proves is byte-for-byte Descent's output), saves them to a
temporary file, loads it with safetensors.torch.load_file, and compares every tensor and the
metadata with the values DescentWrittenFixture.swift defines.
"""
import base64
import os
import re
import sys
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import load_file

here = os.path.dirname(os.path.abspath(__file__))
swift = open(os.path.join(here, "..", "..", "DescentCoreTests", "DescentWrittenFixture.swift"), encoding="utf-8").read()
encoded = re.search(r'static let base64 = """(.*?)"""', swift, re.S).group(1)
data = base64.b64decode("".join(encoded.split()))

expected = {
    "0.weight": torch.tensor([i / 8 - 0.75 for i in range(12)], dtype=torch.float32).reshape(4, 3),
    "0.bias": torch.tensor([0.5, -0.25, 1e-7, 3e38], dtype=torch.float32),
    "2.weight": torch.tensor([i * i - 10 for i in range(8)], dtype=torch.float32).reshape(2, 4),
    "2.bias": torch.tensor([-1.0, 1.0], dtype=torch.float32),
    "steps": torch.tensor([-(2**31), 0, 2**31 - 1], dtype=torch.int32),
    "scale": torch.tensor([1.0 / 3.0, -2.5e-300], dtype=torch.float64),
    "temperature": torch.tensor(0.25, dtype=torch.float32),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
}
expected_metadata = {"format": "pt", "note": "written by \"Descent\" — é"}

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "descent.safetensors")
    with open(path, "wb") as f:
        f.write(data)
    loaded = load_file(path)
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()

failures = []
if set(loaded) != set(expected):
    failures.append(f"names {sorted(loaded)} != {sorted(expected)}")
for name, tensor in expected.items():
    got = loaded.get(name)
    if got is None:
        continue
    if got.dtype != tensor.dtype or got.shape != tensor.shape or not torch.equal(got, tensor):
        failures.append(f"{name}: got {got.dtype} {tuple(got.shape)} {got}, expected {tensor.dtype} {tuple(tensor.shape)} {tensor}")
if metadata != expected_metadata:
    failures.append(f"metadata {metadata} != {expected_metadata}")

# The MLP part also runs as an nn.Sequential loaded with load_state_dict.
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
model.load_state_dict({k: v for k, v in loaded.items() if k[0].isdigit()})

if failures:
    print("FAILED\n" + "\n".join(failures))
    sys.exit(1)
print(f"OK: PyTorch loads Descent's {len(data)}-byte file: {len(loaded)} tensors and metadata match")
