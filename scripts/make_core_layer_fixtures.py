#!/usr/bin/env python3
"""Writes the PyTorch reference values for MuseCore's convolution, batch-norm, attention and
Transformer layers (Tests/MuseCoreTests/Fixtures/layers_*.safetensors).

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6 --index-url https://download.pytorch.org/whl/cpu

For a case `name` each file holds:
  name.x, name.<input>       inputs            name.out          forward output
  name.w                     objective weights: the scalar objective is sum(out * w)
  name.param.<torch name>    parameters and buffers (as loaded into the layer), float32
  name.grad.x, name.grad.<torch name>   d objective / d input and parameter
  name.after.<buffer>        buffers after the forward pass (batch norm running statistics)
  name.config                small float vector of hyper-parameters (documented per file below)
Masks are float32 0/1 (1 = masked out).
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_core_layer_fixtures.py
"""
import os

import numpy
import safetensors
import torch
import torch.nn as nn
from safetensors.torch import save_file

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
assert numpy.__version__ == "2.4.6", numpy.__version__

torch.manual_seed(1234)
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MuseCoreTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def run_module(store, name, module, inputs, call, config):
    """Records module(*inputs) forward, the grads of sum(out * w) and all state."""
    for k, v in module.state_dict().items():
        store[f"{name}.param.{k}"] = f32(v)
    xs = {k: (v.clone().requires_grad_(True) if v.is_floating_point() and k in ("x", "query", "key") else v)
          for k, v in inputs.items()}
    out = call(module, xs)
    w = torch.rand(out.shape) + 0.5
    (out * w).sum().backward()
    for k, v in inputs.items():
        store[f"{name}.{k}"] = f32(v)
        if xs[k].grad is not None:
            store[f"{name}.grad.{k}"] = f32(xs[k].grad)
    for k, p in module.named_parameters():
        store[f"{name}.grad.{k}"] = f32(p.grad)
    for k, b in module.named_buffers():
        store[f"{name}.after.{k}"] = f32(b)
    store[f"{name}.w"] = f32(w)
    store[f"{name}.out"] = f32(out)
    store[f"{name}.config"] = torch.tensor(config, dtype=torch.float32)


def conv():
    """config: [stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, bias, outpad_h, outpad_w]"""
    s = {}
    cases = [  # name, N, Cin, H, W, Cout, k, stride, pad, dil, bias
        ("conv_basic", 2, 3, 7, 6, 4, (3, 3), (1, 1), (1, 1), (1, 1), True),
        ("conv_stride", 2, 3, 9, 8, 5, (3, 2), (2, 2), (1, 2), (1, 1), True),
        ("conv_dilated", 1, 2, 10, 11, 3, (3, 3), (1, 2), (0, 0), (2, 2), False),
        ("conv_dcgan", 3, 4, 8, 8, 6, (5, 5), (2, 2), (2, 2), (1, 1), True),
    ]
    for name, n, cin, h, w, cout, k, st, pd, dl, bias in cases:
        m = nn.Conv2d(cin, cout, k, stride=st, padding=pd, dilation=dl, bias=bias)
        run_module(s, name, m, {"x": torch.randn(n, cin, h, w)}, lambda m, xs: m(xs["x"]),
                   [*st, *pd, *dl, float(bias), 0, 0])
    tcases = [  # name, N, Cin, H, W, Cout, k, stride, pad, outpad, dil, bias
        ("convt_basic", 2, 3, 4, 5, 4, (3, 3), (1, 1), (1, 1), (0, 0), (1, 1), True),
        ("convt_dcgan", 2, 4, 4, 4, 3, (5, 5), (2, 2), (2, 2), (1, 1), (1, 1), True),
        ("convt_mixed", 1, 2, 3, 4, 3, (3, 4), (2, 3), (0, 1), (1, 2), (1, 1), False),
        ("convt_dilated", 2, 2, 4, 3, 2, (3, 3), (2, 1), (1, 0), (1, 0), (2, 2), True),
    ]
    for name, n, cin, h, w, cout, k, st, pd, op, dl, bias in tcases:
        m = nn.ConvTranspose2d(cin, cout, k, stride=st, padding=pd, output_padding=op, dilation=dl, bias=bias)
        run_module(s, name, m, {"x": torch.randn(n, cin, h, w)}, lambda m, xs: m(xs["x"]),
                   [*st, *pd, *dl, float(bias), *op])
    return s


def batchnorm():
    """config: [training, rank of input]"""
    s = {}
    cases = [  # name, class, shape, training
        ("bn1d_nc", nn.BatchNorm1d, (8, 5), True),
        ("bn1d_ncl", nn.BatchNorm1d, (4, 3, 6), True),
        ("bn2d_train", nn.BatchNorm2d, (4, 3, 5, 5), True),
        ("bn2d_eval", nn.BatchNorm2d, (3, 4, 3, 2), False),
    ]
    for name, cls, shape, training in cases:
        c = shape[1]
        m = cls(c)
        with torch.no_grad():
            m.weight.copy_(torch.rand(c) + 0.5)
            m.bias.copy_(torch.randn(c))
            m.running_mean.copy_(torch.randn(c) * 0.3)
            m.running_var.copy_(torch.rand(c) + 0.5)
            m.num_batches_tracked.fill_(3)
        m.train(training)
        x = torch.randn(*shape) * 2 + 0.7
        run_module(s, name, m, {"x": x}, lambda m, xs: m(xs["x"]), [float(training), float(len(shape))])
    return s


def attention():
    """config: [embed, heads, causal, has key padding mask, separate key/value]"""
    s = {}
    e, heads = 8, 2
    cases = [  # name, B, Tq, Tk, causal, padding, cross
        ("mha_plain", 2, 5, 5, False, False, False),
        ("mha_causal", 2, 6, 6, True, False, False),
        ("mha_padding", 3, 5, 5, False, True, False),
        ("mha_causal_padding", 2, 7, 7, True, True, False),
        ("mha_cross", 2, 3, 5, False, True, True),
    ]
    for name, b, tq, tk, causal, padding, cross in cases:
        m = nn.MultiheadAttention(e, heads, batch_first=True)
        with torch.no_grad():
            m.in_proj_bias.copy_(torch.randn(3 * e) * 0.1)
            m.out_proj.bias.copy_(torch.randn(e) * 0.1)
        inputs = {"x": torch.randn(b, tq, e)}
        if cross:
            inputs["key"] = torch.randn(b, tk, e)
        if padding:
            lengths = torch.randint(2, tk + 1, (b,))
            lengths[0] = tk
            inputs["key_padding_mask"] = (torch.arange(tk)[None, :] >= lengths[:, None]).float()

        def call(m, xs, causal=causal, cross=cross, padding=padding, tq=tq):
            kv = xs["key"] if cross else xs["x"]
            mask = torch.triu(torch.ones(tq, tq, dtype=torch.bool), 1) if causal else None
            kpm = xs["key_padding_mask"].bool() if padding else None
            return m(xs["x"], kv, kv, key_padding_mask=kpm, attn_mask=mask, need_weights=False)[0]

        run_module(s, name, m, inputs, call, [e, heads, float(causal), float(padding), float(cross)])
    return s


def transformer():
    """config: [d_model, heads, dim_feedforward, gelu, causal, has key padding mask]"""
    s = {}
    d, heads, ff = 8, 2, 16
    cases = [  # name, activation, B, T, causal, padding
        ("tel_relu_causal", "relu", 2, 6, True, False),
        ("tel_gelu_padding", "gelu", 3, 5, False, True),
    ]
    for name, act, b, t, causal, padding in cases:
        m = nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, activation=act,
                                       batch_first=True, norm_first=True)
        with torch.no_grad():
            for mod in (m.norm1, m.norm2):
                mod.weight.copy_(torch.rand(d) + 0.5)
                mod.bias.copy_(torch.randn(d) * 0.1)
        m.train()
        inputs = {"x": torch.randn(b, t, d)}
        if padding:
            lengths = torch.tensor([t] + [max(2, t - 1 - i) for i in range(b - 1)])
            inputs["key_padding_mask"] = (torch.arange(t)[None, :] >= lengths[:, None]).float()

        def call(m, xs, causal=causal, padding=padding, t=t):
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1) if causal else None
            kpm = xs["key_padding_mask"].bool() if padding else None
            return m(xs["x"], src_mask=mask, src_key_padding_mask=kpm, is_causal=causal)

        run_module(s, name, m, inputs, call, [d, heads, ff, float(act == "gelu"), float(causal), float(padding)])
    return s


for fname, builder in [("layers_conv", conv), ("layers_batchnorm", batchnorm),
                       ("layers_attention", attention), ("layers_transformer", transformer)]:
    store = builder()
    path = os.path.join(OUT, f"{fname}.safetensors")
    save_file(store, path)
    print(path, len(store), "tensors", os.path.getsize(path), "bytes")
