#!/usr/bin/env python3
"""Peer of Benchmarks/RelativeAttentionBenchmark: the same relative self-attention layer in PyTorch
(the class of make_relative_attention_fixtures.py, float32, CPU, 2 threads), one forward + backward
at batch 1, E = 512, 8 heads, table of L rows. Prints one JSON line: peak RSS (MB, getrusage) before
and after the first pass, and the median forward and backward seconds of the 5 passes after it.

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6
Usage: python scripts/bench_relative_attention_peer.py L
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_relative_attention_fixtures import RelativeMultiheadAttention  # noqa: E402

torch.set_num_threads(2)
WARM_PASSES = 5


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    length = int(sys.argv[1])
    torch.manual_seed(1)
    layer = RelativeMultiheadAttention(512, 8, length)
    x = torch.randn(1, length, 512, requires_grad=True)
    w = torch.randn(1, length, 512)
    before = peak_mb()
    (layer(x) * w).sum().backward()  # the first pass: its peak memory
    peak = peak_mb()
    forward, backward = [], []
    for _ in range(WARM_PASSES):  # then the median of warm passes, as the Swift side
        t0 = time.perf_counter()
        y = layer(x)
        t1 = time.perf_counter()
        (y * w).sum().backward()
        forward.append(t1 - t0)
        backward.append(time.perf_counter() - t1)
    print(json.dumps({"length": length, "baseline_rss_mb": before, "peak_rss_mb": peak,
                      "forward_seconds": sorted(forward)[WARM_PASSES // 2],
                      "backward_seconds": sorted(backward)[WARM_PASSES // 2]}))


if __name__ == "__main__":
    main()
