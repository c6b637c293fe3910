#!/usr/bin/env python3
"""Peer side of bench-core: GEMM GFLOPS and one LSTM training step in PyTorch (2 threads).

pip install torch==2.13.0+cpu safetensors==0.8.0 --index-url https://download.pytorch.org/whl/cpu
Usage: bench_core_peer.py MODEL.safetensors   (written by bench-core; weights, x, targets)
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


def timed(repeats, fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
for n in (512, 1024, 2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    out[f"gemm_{n}"] = 2 * n ** 3 / timed(5 if n == 2048 else 10, lambda: a @ b) / 1e9

state = load_file(sys.argv[1])  # written by MuseCore: proves the files interoperate
x, targets = state.pop("x"), state.pop("targets").long()
batch, steps, vocab = x.shape
lstm = torch.nn.LSTM(vocab, 128, num_layers=2, batch_first=True)
head = torch.nn.Linear(128, vocab)
lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
losses = []


def step():
    opt.zero_grad()
    h, _ = lstm(x)
    loss = torch.nn.functional.cross_entropy(head(h).reshape(-1, vocab), targets)
    loss.backward()
    opt.step()
    losses.append(loss.item())


step()
out["first_loss"] = losses[0]
out["lstm_step_seconds"] = timed(10, step)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
