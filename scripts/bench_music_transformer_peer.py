#!/usr/bin/env python3
"""Peer of Benchmarks/MusicTransformerBenchmark: the same Music Transformer in PyTorch (the model of
make_music_transformer_fixtures.py, float32, CPU, 2 threads, no dropout): the time of one Adam
training step on random tokens, and cached sampling (a per-layer key/value cache and the relative
term q_t·Er of the new position only) of N events. Prints one JSON line.

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6
Usage: python scripts/bench_music_transformer_peer.py train LAYERS DMODEL HEADS DFF BATCH LEN STEPS
       python scripts/bench_music_transformer_peer.py sample LAYERS DMODEL HEADS DFF EVENTS
"""
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_music_transformer_fixtures import MusicTransformer  # noqa: E402

torch.set_num_threads(2)
VOCAB = 390
TABLE_ROWS = 512  # the relative table of the shipped configuration (max_seq_len 512)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(layers, e, h, f, batch, length, steps):
    torch.manual_seed(1)
    model = MusicTransformer(VOCAB, e, h, f, layers, True, True, length)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    tokens = torch.randint(2, VOCAB, (batch, length + 1))
    times = []
    for s in range(steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), tokens[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if s > 0:
            times.append(time.perf_counter() - t0)
    times.sort()
    return {"step_seconds": times[len(times) // 2], "loss": float(loss), "peak_rss_mb": peak_mb()}


@torch.no_grad()
def sample(layers, e, h, f, events):
    torch.manual_seed(1)
    model = MusicTransformer(VOCAB, e, h, f, layers, True, True, TABLE_ROWS).eval()
    d = e // h
    keys = [torch.empty(h, 0, d) for _ in layers_range(layers)]
    values = [torch.empty(h, 0, d) for _ in layers_range(layers)]
    token = torch.tensor([0])
    stamps = []
    t0 = time.perf_counter()
    for t in range(events):
        x = model.embedding(token) * e ** 0.5                       # [1, E]
        for n, layer in enumerate(model.layers):
            a = layer.self_attn
            q, k, v = F.linear(layer.norm1(x), a.in_proj_weight, a.in_proj_bias).chunk(3, dim=-1)
            q, k, v = (z.reshape(h, 1, d) for z in (q, k, v))
            keys[n] = torch.cat([keys[n], k], dim=1)
            values[n] = torch.cat([values[n], v], dim=1)
            m = a.relative_embeddings.shape[1]
            first = max(0, t - (m - 1))                                   # keys farther than M − 1 get no relative term
            er = a.relative_embeddings[:, m - 1 - (t - first):m]          # distances −(t − first) … 0
            logits = q @ keys[n].transpose(1, 2)
            logits[:, :, first:] += q @ er.transpose(1, 2)
            logits = logits / d ** 0.5
            out = (logits.softmax(-1) @ values[n]).reshape(1, e)
            x = x + a.out_proj(out)
            x = x + layer.linear2(F.relu(layer.linear1(layer.norm2(x))))
        probs = (model.final_norm(x) @ model.embedding.weight.T).softmax(-1)
        token = torch.multinomial(probs, 1)[0]
        stamps.append(time.perf_counter() - t0)
    total = stamps[-1]
    def per_event_near(k):
        lo, hi = max(k - 64, 1), min(k + 64, events - 1)
        return (stamps[hi] - stamps[lo]) / (hi - lo)
    return {"seconds": total, "ms_per_event": 1000 * total / events, "ms_per_event_at_256": 1000 * per_event_near(256),
            "ms_per_event_at_end": 1000 * per_event_near(events - 65), "peak_rss_mb": peak_mb()}


def layers_range(n):
    return range(n)


def main():
    args = sys.argv[1:]
    if args[0] == "train":
        print(json.dumps(train(*map(int, args[1:8]))))
    else:
        print(json.dumps(sample(*map(int, args[1:6]))))


if __name__ == "__main__":
    main()
