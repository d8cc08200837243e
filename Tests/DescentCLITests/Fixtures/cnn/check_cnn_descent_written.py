"""Checks that PyTorch takes what Descent saves for `--model cnn`. Run from this folder:

    /tmp/torchenv/bin/python check_cnn_descent_written.py PATH

where PATH is the model.safetensors that CNNPresetTests.swift
(`descentSavesWhatPyTorchLoads`) writes when DESCENT_WRITE_FIXTURES is set (it prints the path):
the preset's model with cnn_weights.safetensors loaded, saved by Descent. The file must load into
the example's network as an `nn.Sequential` with `load_state_dict(strict=True)`, hold the
fixture's weights, and, renamed back (0. -> conv1. …), load into the example's `Net` too.
"""
import sys

import torch
from safetensors.torch import load_file

from make_cnn_fixture import RENAMES, Net, sequential

written = load_file(sys.argv[1])
model = sequential()
model.load_state_dict(written, strict=True)
expected = load_file("cnn_weights.safetensors")
assert sorted(written) == sorted(expected), (sorted(written), sorted(expected))
for name, value in written.items():
    assert value.dtype == torch.float32, (name, value.dtype)
    assert torch.equal(value, expected[name].to(torch.float32)), name
back = {name.replace(new, old, 1): value for name, value in written.items()
        for old, new in RENAMES.items() if name.startswith(new)}
Net().load_state_dict(back, strict=True)
io = load_file("cnn_io.safetensors")
model.eval()
with torch.no_grad():
    assert torch.allclose(model(io["input"]), io["logits"], atol=1e-5)
print("PyTorch loads Descent's", sys.argv[1], "with strict=True:", len(written), "tensors")
