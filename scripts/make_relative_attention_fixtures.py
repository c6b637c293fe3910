#!/usr/bin/env python3
"""PyTorch reference for MuseCore's RelativeMultiHeadAttention (Music Transformer's relative
self-attention with the skewing trick), for Tests/MuseCoreTests/RelativeAttentionTests.swift.

Pinned peers (asserted below):
    pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_relative_attention_fixtures.py

The layer (Shaw et al. 2018, relative keys only; Huang et al. 2019's memory-efficient skewing):
  qkv = x · in_proj_weightᵀ + in_proj_bias            as torch.nn.MultiheadAttention, [B, L, 3E]
  q, k, v split into H heads of D = E / H              [B, H, L, D]
  Er = relative_embeddings [H, M, D], one table per head (tensor2tensor's default,
       heads_share_relative_embedding=False); row m is relative distance m − (M − 1), so the last
       row is distance 0. For a sequence of L: padded with zero rows in front when L > M (distances
       beyond M − 1 contribute nothing), or its last L rows when L < M
       (tensor2tensor's get_relative_embeddings_left) → [H, L, D].
  Srel = skew(q · Erᵀ): pad one zero column in front, reshape [L + 1, L], drop the first row;
       Srel[i, j] = q_i · Er[L − 1 + j − i] for j ≤ i.
  out = softmax(causal_mask((q · kᵀ + Srel) / √D)) · v, heads merged, then out_proj (Linear E → E).

Each case `name` in relative_attention.safetensors holds:
  name.x [B, L, E], name.w (objective weights: the scalar objective is sum(out * w)), name.out,
  name.param.<torch name>, name.grad.x, name.grad.<torch name>, name.config = [E, H, M].
The reference runs in float64 and is stored as float32.
"""
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
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "MuseCoreTests", "Fixtures")


def embeddings_for_length(er, length):
    """[H, M, D] → [H, length, D] as tensor2tensor's get_relative_embeddings_left."""
    m = er.shape[1]
    pad = max(length - m, 0)
    start = max(m - length, 0)
    padded = F.pad(er, (0, 0, pad, 0))
    return padded[:, start:start + length]


def skew(rel):
    """[B, H, L, L] relative logits (column m = distance m − (L − 1)) → absolute [B, H, L, L]."""
    b, h, l, _ = rel.shape
    padded = F.pad(rel, (1, 0))               # [B, H, L, L + 1]
    return padded.reshape(b, h, l + 1, l)[:, :, 1:, :]


class RelativeMultiheadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, max_relative_position):
        super().__init__()
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.randn(3 * embed_dim) * 0.1)
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        d = embed_dim // num_heads
        self.relative_embeddings = nn.Parameter(torch.randn(num_heads, max_relative_position, d) * d ** -0.5)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, x):
        b, l, e = x.shape
        h = self.num_heads
        d = e // h
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (t.reshape(b, l, h, d).transpose(1, 2) for t in (q, k, v))
        er = embeddings_for_length(self.relative_embeddings, l)
        srel = skew(torch.einsum("bhld,hmd->bhlm", q, er))
        logits = (q @ k.transpose(-1, -2) + srel) / d ** 0.5
        causal = torch.triu(torch.ones(l, l, dtype=torch.bool), 1)
        weights = logits.masked_fill(causal, float("-inf")).softmax(-1)
        merged = (weights @ v).transpose(1, 2).reshape(b, l, e)
        return self.out_proj(merged)


def naive(module, x):
    """The O(L²·D) form: gather Er for every (i, j) pair, as Shaw et al. (for a check here only)."""
    b, l, e = x.shape
    h = module.num_heads
    d = e // h
    q, k, v = F.linear(x, module.in_proj_weight, module.in_proj_bias).chunk(3, dim=-1)
    q, k, v = (t.reshape(b, l, h, d).transpose(1, 2) for t in (q, k, v))
    er = embeddings_for_length(module.relative_embeddings, l)          # [H, L, D]
    i = torch.arange(l)[:, None]
    j = torch.arange(l)[None, :]
    index = (l - 1 + j - i).clamp(0, l - 1)                            # [L, L]; j > i is masked
    gathered = er[:, index]                                             # [H, L, L, D]
    srel = torch.einsum("bhid,hijd->bhij", q, gathered)
    logits = (q @ k.transpose(-1, -2) + srel) / d ** 0.5
    causal = torch.triu(torch.ones(l, l, dtype=torch.bool), 1)
    weights = logits.masked_fill(causal, float("-inf")).softmax(-1)
    return module.out_proj((weights @ v).transpose(1, 2).reshape(b, l, e))


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def case(store, name, batch, length, embed, heads, max_rel):
    module = RelativeMultiheadAttention(embed, heads, max_rel).double()
    x = torch.randn(batch, length, embed, dtype=torch.float64, requires_grad=True)
    out = module(x)
    assert torch.allclose(out, naive(module, x), atol=1e-12), name
    w = torch.rand(out.shape, dtype=torch.float64) + 0.5
    (out * w).sum().backward()
    store[f"{name}.x"] = f32(x)
    store[f"{name}.w"] = f32(w)
    store[f"{name}.out"] = f32(out)
    store[f"{name}.grad.x"] = f32(x.grad)
    for key, p in module.named_parameters():
        store[f"{name}.param.{key}"] = f32(p)
        store[f"{name}.grad.{key}"] = f32(p.grad)
    store[f"{name}.config"] = torch.tensor([embed, heads, max_rel], dtype=torch.float32)


def main():
    store = {}
    case(store, "table_longer_than_sequence", batch=2, length=6, embed=16, heads=4, max_rel=9)
    case(store, "sequence_longer_than_table", batch=2, length=9, embed=12, heads=3, max_rel=4)
    case(store, "table_equals_sequence", batch=1, length=8, embed=16, heads=2, max_rel=8)
    case(store, "one_head_one_step", batch=3, length=1, embed=4, heads=1, max_rel=3)
    path = os.path.join(OUT, "relative_attention.safetensors")
    save_file(store, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(store)} tensors)")


if __name__ == "__main__":
    main()
