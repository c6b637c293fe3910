"""Peer of bench-nanogpt: nanoGPT's training loop (train.py) on CPU with the model of
scripts/nanogpt_model.py, on token ids written by the benchmark, so both sides train the same
model on the same data split with the same hyper-parameters; prints one JSON line.

Run by bench-nanogpt; by hand:
  PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/bench_nanogpt_peer.py DATA_DIR ITERS EVAL_INTERVAL THREADS
Pinned: torch==2.13.0+cpu, numpy==2.4.6.

DATA_DIR holds train.npy and val.npy (token ids as float32) and eval_offsets.npy (window starts
in the validation ids: the fixed batches both sides evaluate on). Hyper-parameters: nanoGPT's
Shakespeare-on-CPU command (block 64, batch 12, 4 layers, 4 heads, 128 wide, dropout 0, no bias,
AdamW lr 1e-3 → 1e-4, warm-up 100, β2 0.99, weight decay 0.1, clip 1.0).
"""
import json
import math
import sys
import time

import numpy as np
import torch

from nanogpt_model import GPT, GPTConfig

data_dir, max_iters, eval_interval, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(1337)
block_size, batch_size = 64, 12
learning_rate, min_lr, warmup_iters, lr_decay_iters = 1e-3, 1e-4, 100, max_iters
train = torch.from_numpy(np.load(f"{data_dir}/train.npy").astype(np.int64))
val = torch.from_numpy(np.load(f"{data_dir}/val.npy").astype(np.int64))
offsets = np.load(f"{data_dir}/eval_offsets.npy").astype(np.int64)
vocab = int(max(train.max(), val.max()).item()) + 1 if len(sys.argv) < 6 else int(sys.argv[5])
model = GPT(GPTConfig(block_size=block_size, vocab_size=vocab, n_layer=4, n_head=4, n_embd=128, dropout=0.0, bias=False))
optimizer = model.configure_optimizers(0.1, learning_rate, (0.9, 0.99))


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (learning_rate - min_lr)


@torch.no_grad()
def val_loss():
    model.eval()
    losses = []
    for b in range(0, len(offsets), batch_size):
        ix = offsets[b:b + batch_size]
        x = torch.stack([val[i:i + block_size] for i in ix])
        y = torch.stack([val[i + 1:i + 1 + block_size] for i in ix])
        losses.append(model(x, y)[1].item())
    model.train()
    return float(np.mean(losses))


curve, train_seconds = [], 0.0
for it in range(max_iters):
    start = time.perf_counter()
    for g in optimizer.param_groups:
        g['lr'] = get_lr(it)
    ix = torch.randint(len(train) - block_size, (batch_size,))
    x = torch.stack([train[i:i + block_size] for i in ix])
    y = torch.stack([train[i + 1:i + 1 + block_size] for i in ix])
    _, loss = model(x, y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    train_seconds += time.perf_counter() - start
    if (it + 1) % eval_interval == 0 or it + 1 == max_iters:
        curve.append([it + 1, val_loss()])
print(json.dumps({"iters_per_s": max_iters / train_seconds, "curve": curve, "final_val_loss": curve[-1][1]}))
