#!/usr/bin/env python3
"""Writes the PyTorch reference values MuseCore's tests compare against.

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6 --index-url https://download.pytorch.org/whl/cpu

Each fixture file under Tests/MuseCoreTests/Fixtures/ is a safetensors file. For an op `name`:
  name.x0, name.x1, ...  inputs          name.out  forward output
  name.w                 weights, the scalar objective is sum(out * w)
  name.g0, name.g1, ...  d objective / d input
Integer indices are stored as float32 (exact below 2**24).
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_core_fixtures.py
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


def module_case(s, prefix, module, inputs, run):
    """Stores parameters, inputs, outputs and all gradients of sum(out_k * w_k)."""
    xs = [x.clone().requires_grad_(True) for x in inputs]
    outs = run(module, *xs)
    loss = 0
    for k, o in enumerate(outs):
        w = torch.rand(o.shape) + 0.5
        s[f"{prefix}.w{k}"] = f32(w)
        s[f"{prefix}.out{k}"] = f32(o)
        loss = loss + (o * w).sum()
    loss.backward()
    for i, x in enumerate(xs):
        s[f"{prefix}.x{i}"] = f32(x)
        s[f"{prefix}.g{i}"] = f32(x.grad)
    for name, p in module.named_parameters():
        s[f"{prefix}.param.{name}"] = f32(p)
        s[f"{prefix}.grad.{name}"] = f32(p.grad)


def layers():
    s = {}
    r = torch.randn
    module_case(s, "linear", torch.nn.Linear(5, 3), [r(2, 4, 5)], lambda m, x: [m(x)])
    emb = torch.nn.Embedding(10, 4)
    idx = torch.tensor([[1, 7, 1], [0, 9, 3]])
    module_case(s, "embedding", emb, [], lambda m: [m(idx)])
    s["embedding.index"] = idx.float()
    lstm = torch.nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True)
    module_case(s, "lstm", lstm, [r(3, 4, 5), r(4, 3, 6), r(4, 3, 6)],
                lambda m, x, h, c: [m(x, (h, c))[0], *m(x, (h, c))[1]])
    lstm1 = torch.nn.LSTM(3, 4, batch_first=False)
    module_case(s, "lstm_seqfirst", lstm1, [r(5, 2, 3)], lambda m, x: [m(x)[0], *m(x)[1]])
    gru = torch.nn.GRU(5, 6, num_layers=2, bidirectional=True, batch_first=True)
    module_case(s, "gru", gru, [r(3, 4, 5), r(4, 3, 6)], lambda m, x, h: [m(x, h)[0], m(x, h)[1]])
    ln = torch.nn.LayerNorm(4)
    with torch.no_grad():
        ln.weight.copy_(r(4))
        ln.bias.copy_(r(4))
    module_case(s, "layernorm", ln, [r(2, 3, 4) * 3 + 1], lambda m, x: [m(x)])
    save_file(s, os.path.join(OUT, "layers.safetensors"))


def losses():
    s = {}
    r = torch.randn
    targets = torch.tensor([0, 4, -100, 2, 2, 1])
    s["ce.targets"] = targets.float()
    record(s, "ce", lambda x: F.cross_entropy(x, targets), [r(6, 5) * 2])
    record(s, "ce_smooth", lambda x: F.cross_entropy(x, targets, label_smoothing=0.1), [r(6, 5) * 2])
    record(s, "bce", F.binary_cross_entropy_with_logits, [r(3, 4) * 3, torch.rand(3, 4)])
    record(s, "mse", F.mse_loss, [r(3, 4), r(3, 4)])
    record(s, "kl", lambda mu, lv: (-0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp(), dim=1)).mean(), [r(3, 4), r(3, 4)])
    save_file(s, os.path.join(OUT, "losses.safetensors"))


def optim():
    s = {}
    configs = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
        "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
        "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.01),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    }
    for name, make in configs.items():
        p1 = torch.randn(3, 4, requires_grad=True)
        p2 = torch.randn(4, requires_grad=True)
        s[f"{name}.p1.init"] = f32(p1)
        s[f"{name}.p2.init"] = f32(p2)
        opt = make([p1, p2])
        for k in range(5):
            p1.grad = torch.randn(3, 4)
            p2.grad = torch.randn(4)
            s[f"{name}.p1.grad{k}"] = f32(p1.grad)
            s[f"{name}.p2.grad{k}"] = f32(p2.grad)
            opt.step()
            s[f"{name}.p1.after{k}"] = f32(p1)
            s[f"{name}.p2.after{k}"] = f32(p2)
    # Gradient clipping by global norm.
    a = torch.zeros(3, 4, requires_grad=True)
    b = torch.zeros(5, requires_grad=True)
    a.grad = torch.randn(3, 4)
    b.grad = torch.randn(5)
    s["clip.a.grad"] = f32(a.grad)
    s["clip.b.grad"] = f32(b.grad)
    norm = torch.nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    s["clip.norm"] = f32(norm.reshape(1))
    s["clip.a.clipped"] = f32(a.grad)
    s["clip.b.clipped"] = f32(b.grad)
    # Learning-rate schedules, stepped once per optimizer step, 20 steps.
    def lrs(make):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.5)
        sched = make(opt)
        out = []
        for _ in range(20):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return torch.tensor(out)
    s["lr.step"] = lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5))
    s["lr.cosine"] = lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.01))
    s["lr.warmup"] = lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(
        o, lambda step: min((step + 1) / 5, math.sqrt(5 / (step + 1)))))
    save_file(s, os.path.join(OUT, "optim.safetensors"))


def interop():
    """A file written by safetensors.torch and a .npy written by numpy, for the readers."""
    tensors = {
        "a": torch.arange(6, dtype=torch.float32).reshape(2, 3),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
        "lstm.weight_ih_l0": torch.randn(8, 3),
    }
    save_file(tensors, os.path.join(OUT, "interop.safetensors"), metadata={"format": "pt", "step": "12"})
    numpy.save(os.path.join(OUT, "interop.npy"), numpy.arange(6, dtype=numpy.float32).reshape(2, 3) / 4)


if __name__ == "__main__":
    which = sys.argv[1:] or ["ops", "layers", "losses", "optim", "interop"]
    for name in which:
        globals()[name]()
        print("wrote", name)
