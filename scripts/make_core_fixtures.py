#!/usr/bin/env python3
"""Writes the PyTorch reference values MuseCore's tests compare against.

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6 --index-url https://download.pytorch.org/whl/cpu

Each fixture file under Tests/MuseCoreTests/Fixtures/ is a safetensors file. For an op `name`:
  name.x0, name.x1, ...  inputs          name.out  forward output
  name.w                 weights, the scalar objective is sum(out * w)
  name.g0, name.g1, ...  d objective / d input
Integer indices are stored as float32 (exact below 2**24).
Run: /root/.cache/muse-peers-venv/bin/python scripts/make_core_fixtures.py
"""
import math
import os
import sys

import numpy
import safetensors
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
assert numpy.__version__ == "2.4.6", numpy.__version__

torch.manual_seed(0)
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MuseCoreTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def record(store, name, fn, inputs, grad_mask=None):
    xs = [x.clone().requires_grad_(grad_mask is None or grad_mask[i]) for i, x in enumerate(inputs)]
    out = fn(*xs)
    w = torch.rand(out.shape) + 0.5
    (out * w).sum().backward()
    for i, x in enumerate(xs):
        store[f"{name}.x{i}"] = f32(x)
        if x.grad is not None:
            store[f"{name}.g{i}"] = f32(x.grad)
    store[f"{name}.w"] = f32(w)
    store[f"{name}.out"] = f32(out)


def ops():
    s = {}
    r = torch.randn
    record(s, "add", torch.add, [r(3, 4), r(4)])
    record(s, "add_bcast", torch.add, [r(2, 1, 4), r(3, 1)])
    record(s, "sub", torch.sub, [r(3, 4), r(3, 1)])
    record(s, "mul", torch.mul, [r(2, 3, 4), r(3, 4)])
    record(s, "div", torch.div, [r(3, 4), r(1, 4).abs() + 0.5])
    record(s, "maximum", torch.maximum, [r(3, 4), r(3, 4)])
    record(s, "exp", torch.exp, [r(3, 4)])
    record(s, "log", torch.log, [r(3, 4).abs() + 0.1])
    record(s, "sqrt", torch.sqrt, [r(3, 4).abs() + 0.1])
    record(s, "pow3", lambda x: x.pow(3), [r(3, 4)])
    record(s, "neg", torch.neg, [r(3, 4)])
    record(s, "tanh", torch.tanh, [r(3, 4)])
    record(s, "sigmoid", torch.sigmoid, [r(3, 4) * 3])
    record(s, "relu", torch.relu, [r(3, 4)])
    record(s, "leaky_relu", lambda x: F.leaky_relu(x, 0.2), [r(3, 4)])
    record(s, "gelu", F.gelu, [r(3, 4) * 2])
    record(s, "gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), [r(3, 4) * 2])
    record(s, "softplus", F.softplus, [r(3, 4) * 5])
    record(s, "clamp", lambda x: x.clamp(-0.5, 0.7), [r(3, 4)])
    record(s, "matmul", torch.matmul, [r(5, 7), r(7, 3)])
    record(s, "matmul_tb", lambda a, b: a @ b.T, [r(5, 7), r(3, 7)])
    record(s, "matmul_ta", lambda a, b: a.T @ b, [r(7, 5), r(7, 3)])
    record(s, "matmul_tab", lambda a, b: a.T @ b.T, [r(7, 5), r(3, 7)])
    record(s, "bmm", torch.matmul, [r(2, 3, 4), r(2, 4, 5)])
    record(s, "bmm_tb", lambda a, b: a @ b.transpose(-1, -2), [r(2, 3, 4), r(2, 5, 4)])
    record(s, "bmm_shared", torch.matmul, [r(2, 3, 4), r(4, 5)])
    record(s, "sum_axis1", lambda x: x.sum(1), [r(2, 3, 4)])
    record(s, "sum_all", lambda x: x.sum(), [r(2, 3, 4)])
    record(s, "mean_axes02", lambda x: x.mean((0, 2), keepdim=True), [r(2, 3, 4)])
    record(s, "max_axis2", lambda x: x.max(2).values, [r(2, 3, 4)])
    record(s, "logsumexp", lambda x: x.logsumexp(1), [r(2, 3, 4) * 3])
    record(s, "softmax_last", lambda x: x.softmax(-1), [r(2, 3, 4) * 2])
    record(s, "softmax_axis1", lambda x: x.softmax(1), [r(2, 3, 4) * 2])
    record(s, "log_softmax", lambda x: x.log_softmax(-1), [r(3, 5) * 2])
    record(s, "permute", lambda x: x.permute(2, 0, 1), [r(2, 3, 4)])
    record(s, "transpose", lambda x: x.T, [r(3, 5)])
    record(s, "concat", lambda a, b: torch.cat([a, b], 1), [r(2, 3, 4), r(2, 2, 4)])
    record(s, "stack", lambda a, b: torch.stack([a, b], 1), [r(2, 4), r(2, 4)])
    record(s, "narrow", lambda x: x.narrow(1, 1, 2), [r(2, 4, 3)])
    record(s, "expand", lambda x: x.expand(2, 3, 4), [r(3, 1)])
    idx = torch.tensor([[0, 2, 1], [3, 3, 0]])
    record(s, "gather", lambda x: x.gather(1, idx), [r(2, 4)])
    s["gather.index"] = idx.float()
    record(s, "index_select", lambda x: x.index_select(1, torch.tensor([2, 0, 2])), [r(2, 3, 4)])
    cond = (r(3, 4) > 0)
    record(s, "where", lambda a, b: torch.where(cond, a, b), [r(3, 4), r(4)])
    s["where.cond"] = cond.float()
    mask = (r(3, 1) > 0)
    record(s, "masked_fill", lambda x: x.masked_fill(mask, -2.5), [r(3, 4)])
    s["masked_fill.mask"] = mask.float()
    a = r(3, 4)
    s["argmax.x0"] = a
    s["argmax.out"] = a.argmax(1).float()
    save_file(s, os.path.join(OUT, "ops.safetensors"))


if __name__ == "__main__":
    which = sys.argv[1:] or ["ops"]
    for name in which:
        globals()[name]()
        print("wrote", name)
