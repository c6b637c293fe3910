#!/usr/bin/env python3
"""PyTorch reference for MuseModels' MusicTransformer, for
Tests/MuseModelsTests/MusicTransformerTorchParityTests.swift.

Pinned peers (asserted below):
    pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_music_transformer_fixtures.py

The model (pre-norm decoder-only Transformer, Magenta's Music Transformer on tensor2tensor):
  x = embedding(tokens) * sqrt(E)  (+ tensor2tensor's sinusoidal timing signal if absolute)
  per layer: x = x + self_attn(norm1(x));  x = x + linear2(relu(linear1(norm2(x))))
  self_attn is causal: relative (Shaw et al. keys, Huang et al.'s skew; the layer of
  scripts/make_relative_attention_fixtures.py) or torch.nn.MultiheadAttention
  logits = final_norm(x) @ embedding.weightᵀ (tied) or output(final_norm(x)) (untied)
  loss = cross_entropy(logits, targets, ignore_index=-100), mean over scored tokens.
Dropout is 0 here (parity of the deterministic function).

Each case `name` in music_transformer.safetensors holds: name.inputs, name.targets [B, L] (as
float32), name.param.<torch name>, name.logits [B, L, V], name.loss [], name.grad.<torch name>,
name.config = [V, E, H, dFF, layers, relative, tied, maxRelativePosition].
The reference runs in float64 and is stored as float32.
"""
import math
import os

import numpy
import safetensors
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
assert numpy.__version__ == "2.4.6", numpy.__version__

torch.manual_seed(2019)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MuseModelsTests", "Fixtures")


def embeddings_for_length(er, length):
    m = er.shape[1]
    padded = F.pad(er, (0, 0, max(length - m, 0), 0))
    start = max(m - length, 0)
    return padded[:, start:start + length]


def skew(rel):
    b, h, l, _ = rel.shape
    return F.pad(rel, (1, 0)).reshape(b, h, l + 1, l)[:, :, 1:, :]


class RelativeMultiheadAttention(nn.Module):
    def __init__(self, e, h, m):
        super().__init__()
        self.e, self.h = e, h
        self.in_proj_weight = nn.Parameter(torch.empty(3 * e, e))
        self.in_proj_bias = nn.Parameter(torch.randn(3 * e) * 0.1)
        self.out_proj = nn.Linear(e, e)
        d = e // h
        self.relative_embeddings = nn.Parameter(torch.randn(h, m, d) * d ** -0.5)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, x):
        b, l, e = x.shape
        h, d = self.h, e // self.h
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (t.reshape(b, l, h, d).transpose(1, 2) for t in (q, k, v))
        srel = skew(torch.einsum("bhld,hmd->bhlm", q, embeddings_for_length(self.relative_embeddings, l)))
        logits = (q @ k.transpose(-1, -2) + srel) / d ** 0.5
        causal = torch.triu(torch.ones(l, l, dtype=torch.bool), 1)
        w = logits.masked_fill(causal, float("-inf")).softmax(-1)
        return self.out_proj((w @ v).transpose(1, 2).reshape(b, l, e))


class AbsoluteAttention(nn.MultiheadAttention):
    def __init__(self, e, h):
        super().__init__(e, h, batch_first=True)
        with torch.no_grad():
            self.in_proj_bias.normal_(0, 0.1)

    def forward(self, x):
        l = x.shape[1]
        causal = torch.triu(torch.ones(l, l, dtype=torch.bool), 1)
        return super().forward(x, x, x, attn_mask=causal, need_weights=False)[0]


class Layer(nn.Module):
    def __init__(self, e, h, f, relative, m):
        super().__init__()
        self.self_attn = RelativeMultiheadAttention(e, h, m) if relative else AbsoluteAttention(e, h)
        self.linear1, self.linear2 = nn.Linear(e, f), nn.Linear(f, e)
        self.norm1, self.norm2 = nn.LayerNorm(e), nn.LayerNorm(e)
        with torch.no_grad():
            for n in (self.norm1, self.norm2):
                n.weight.uniform_(0.5, 1.5)
                n.bias.normal_(0, 0.1)

    def forward(self, x):
        x = x + self.self_attn(self.norm1(x))
        return x + self.linear2(F.relu(self.linear1(self.norm2(x))))


def timing_signal(length, channels):
    n = channels // 2
    inc = math.log(1e4) / max(n - 1, 1)
    inv = torch.exp(-torch.arange(n, dtype=torch.float64) * inc)
    angle = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    signal = torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)
    return F.pad(signal, (0, channels % 2))


class MusicTransformer(nn.Module):
    def __init__(self, v, e, h, f, n, relative, tied, m):
        super().__init__()
        self.e, self.relative, self.tied = e, relative, tied
        self.embedding = nn.Embedding(v, e)
        with torch.no_grad():
            self.embedding.weight.mul_(e ** -0.5)
        self.layers = nn.ModuleList([Layer(e, h, f, relative, m) for _ in range(n)])
        self.final_norm = nn.LayerNorm(e)
        self.output = None if tied else nn.Linear(e, v)

    def forward(self, tokens):
        x = self.embedding(tokens) * self.e ** 0.5
        if not self.relative:
            x = x + timing_signal(tokens.shape[1], self.e).to(x.dtype)
        for layer in self.layers:
            x = layer(x)
        h = self.final_norm(x)
        return h @ self.embedding.weight.T if self.tied else self.output(h)


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def case(store, name, v, e, h, f, n, relative, tied, m, batch, length):
    model = MusicTransformer(v, e, h, f, n, relative, tied, m).double()
    inputs = torch.randint(2, v, (batch, length))
    inputs[:, 0] = 0
    targets = torch.cat([inputs[:, 1:], torch.ones(batch, 1, dtype=torch.long)], dim=1)
    targets[-1, length - 2:] = -100   # a padded tail in the last row
    logits = model(inputs)
    loss = F.cross_entropy(logits.reshape(-1, v), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    store[f"{name}.inputs"] = inputs.to(torch.float32)
    store[f"{name}.targets"] = targets.to(torch.float32)
    store[f"{name}.logits"] = f32(logits)
    store[f"{name}.loss"] = f32(loss)
    for key, p in model.named_parameters():
        store[f"{name}.param.{key}"] = f32(p)
        store[f"{name}.grad.{key}"] = f32(p.grad)
    store[f"{name}.config"] = torch.tensor([v, e, h, f, n, int(relative), int(tied), m], dtype=torch.float32)


def main():
    store = {}
    # V = 32: the tiny pipeline of the test (pitches 60...67, 10 shifts, 4 velocity bins) + 2.
    case(store, "relative_tied", 32, 16, 2, 24, 2, True, True, 9, batch=2, length=7)
    case(store, "relative_short_table_untied", 32, 12, 3, 20, 2, True, False, 4, batch=2, length=9)
    case(store, "absolute_tied", 32, 16, 4, 24, 2, False, True, 0, batch=2, length=8)
    path = os.path.join(OUT, "music_transformer.safetensors")
    save_file(store, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(store)} tensors)")


if __name__ == "__main__":
    main()
