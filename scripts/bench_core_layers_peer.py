#!/usr/bin/env python3
"""Peer side of bench-core-layers: one training step of the Transformer LM or the DCGAN in
PyTorch (CPU, 2 threads), on the weights and data bench-core-layers wrote as safetensors.

pip install torch==2.13.0+cpu safetensors==0.8.0 --index-url https://download.pytorch.org/whl/cpu
Usage: bench_core_layers_peer.py transformer|dcgan WORK_FOLDER
Prints one JSON object.
"""
import json
import os
import resource
import sys
import time

import safetensors
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
torch.set_num_threads(2)


def median(repeats, fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


class TransformerLM(nn.Module):
    def __init__(self, vocab=388, d=256, heads=4, ff=1024, depth=4, length=256, dropout=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(length, d)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(d, heads, ff, dropout, batch_first=True, norm_first=True) for _ in range(depth))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, tokens):
        t = tokens.shape[1]
        x = self.tok(tokens) + self.pos(torch.arange(t))
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        for layer in self.layers:
            x = layer(x, src_mask=mask, is_causal=True)
        return self.head(self.norm(x)).reshape(-1, self.head.out_features)


class Generator(nn.Module):
    def __init__(self, noise=100):
        super().__init__()
        self.fc = nn.Linear(noise, 7 * 7 * 256, bias=False)
        self.bn0 = nn.BatchNorm1d(7 * 7 * 256)
        self.up1 = nn.ConvTranspose2d(256, 128, 5, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(128)
        self.up2 = nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.up3 = nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False)

    def forward(self, z):
        x = F.leaky_relu(self.bn0(self.fc(z)), 0.3).reshape(-1, 256, 7, 7)
        x = F.leaky_relu(self.bn1(self.up1(x)), 0.3)
        x = F.leaky_relu(self.bn2(self.up2(x)), 0.3)
        return torch.tanh(self.up3(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 5, stride=2, padding=2)
        self.drop1 = nn.Dropout(0.3)
        self.conv2 = nn.Conv2d(64, 128, 5, stride=2, padding=2)
        self.drop2 = nn.Dropout(0.3)
        self.fc = nn.Linear(128 * 7 * 7, 1)

    def forward(self, x):
        x = self.drop1(F.leaky_relu(self.conv1(x), 0.3))
        x = self.drop2(F.leaky_relu(self.conv2(x), 0.3))
        return self.fc(x.flatten(1))


def load(module, state, prefix=""):
    own = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    module.load_state_dict(own, strict=True)  # MuseCore wrote these names: proves they map 1:1


def transformer(work):
    state = load_file(os.path.join(work, "transformer.safetensors"))
    inputs = state.pop("data.inputs").long().reshape(16, 256)
    targets = state.pop("data.targets").long()
    model = TransformerLM()
    load(model, state)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    losses = []

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())

    seconds = median(5, step)
    return {"step_seconds": seconds, "first_loss": losses[0],
            "parameters": sum(p.numel() for p in model.parameters())}


def dcgan(work):
    state = load_file(os.path.join(work, "dcgan.safetensors"))
    z, real = state.pop("data.z"), state.pop("data.real")
    g, d = Generator(), Discriminator()
    load(g, state, "g.")
    load(d, state, "d.")
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-4)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4)
    ones, zeros = torch.ones(z.shape[0], 1), torch.zeros(z.shape[0], 1)
    bce = F.binary_cross_entropy_with_logits
    losses = []

    def step():
        fake = g(z)
        opt_d.zero_grad()
        d_loss = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = bce(d(fake), ones)
        g_loss.backward()
        opt_g.step()
        losses.append((d_loss.item(), g_loss.item()))

    seconds = median(10, step)
    return {"step_seconds": seconds, "first_d_loss": losses[0][0], "first_g_loss": losses[0][1],
            "parameters": sum(p.numel() for p in g.parameters()) + sum(p.numel() for p in d.parameters())}


out = transformer(sys.argv[2]) if sys.argv[1] == "transformer" else dcgan(sys.argv[2])
out["torch"] = torch.__version__
out["threads"] = torch.get_num_threads()
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
