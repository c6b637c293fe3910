#!/usr/bin/env python3
"""Peer side of bench-style: one loss + gradient evaluation of picture style transfer (random
multi-scale filters, content + Gram style + total variation; MuseStyle's StyleObjective) in
PyTorch (CPU, 2 threads), on the filters and pictures bench-style wrote as safetensors.

pip install torch==2.13.0+cpu safetensors==0.8.0 --index-url https://download.pytorch.org/whl/cpu
Usage: bench_style_peer.py FILE.safetensors SIZE
Prints one JSON object.
"""
import json
import resource
import sys
import time

import safetensors
import torch
from safetensors.torch import load_file

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
torch.set_num_threads(2)

data = load_file(sys.argv[1])
weights = [data[f"w{i}"] for i in range(6)]
strides = [max(1, (w.shape[-1] + 2) // 4) for w in weights]
w_content, w_style, w_tv = 1.0, 1e4, 1.0


def features(t):
    return [torch.relu(torch.nn.functional.conv2d(t - 0.5, w, stride=s)).reshape(w.shape[0], -1)
            for w, s in zip(weights, strides)]


def gram(f):
    return f @ f.T / f.shape[1]


with torch.no_grad():
    grams = [gram(f) for f in features(data["style"])]
    targets = features(data["content"])
    style_norms = [(a ** 2).sum() for a in grams]
    content_norms = [(p ** 2).sum() for p in targets]


def step():
    x = data["x"].clone().requires_grad_(True)
    fx = features(x)
    n = len(fx)
    style = sum(((gram(f) - a) ** 2).sum() / z for f, a, z in zip(fx, grams, style_norms)) / n
    content = sum(((f - p) ** 2).sum() / z for f, p, z in zip(fx, targets, content_norms)) / n
    tv = ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).mean() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).mean()
    total = w_style * style + w_content * content + w_tv * tv
    total.backward()
    return total.item()


loss = step()
times = []
for _ in range(5):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
print(json.dumps({"step_seconds": sorted(times)[2], "loss": loss,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
