#!/usr/bin/env python3
"""PyTorch CPU peer of bench-melody: the same melody RNN (nn.LSTM + dropout + nn.Linear, one-hot
inputs), Adam, clip_grad_norm_, cross-entropy with ignore_index; prints one JSON line.

pip install torch==2.13.0+cpu numpy==2.4.6 --index-url https://download.pytorch.org/whl/cpu
Usage: bench_melody_peer.py INPUT CLASSES HIDDEN LAYERS BATCH SEQ TRAIN_STEPS SAMPLE_STEPS THREADS
"""
import json
import sys
import time

import torch

assert torch.__version__.startswith("2.13.0"), torch.__version__

I, C, H, L, B, T, train_steps, sample_steps, threads = map(int, sys.argv[1:10])
torch.set_num_threads(threads)
torch.manual_seed(0)


class MelodyRNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(I, H, L, batch_first=True, dropout=0.5 if L > 1 else 0)
        self.drop = torch.nn.Dropout(0.5)
        self.output = torch.nn.Linear(H, C)

    def forward(self, x, state=None):
        y, s = self.lstm(x, state)
        return self.output(self.drop(y)), s


model = MelodyRNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
labels = torch.randint(0, C, (B * T,))
x = torch.nn.functional.one_hot(torch.randint(0, C, (B, T)), C).float()


def train_step():
    opt.zero_grad()
    logits, _ = model(x)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, C), labels, ignore_index=-100)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()


model.train()
for _ in range(3):
    train_step()
start = time.perf_counter()
for _ in range(train_steps):
    train_step()
train_seconds = time.perf_counter() - start

model.eval()
with torch.no_grad():
    state = None
    inp = torch.zeros(1, 1, C if I == C else I)
    inp[0, 0, 0] = 1
    start = time.perf_counter()
    for _ in range(sample_steps):
        logits, state = model(inp, state)
        k = int(torch.multinomial(torch.softmax(logits[0, 0], -1), 1))
        inp = torch.zeros(1, 1, I)
        inp[0, 0, k % I] = 1
    sample_seconds = time.perf_counter() - start

print(json.dumps({"train_steps_per_s": train_steps / train_seconds, "sample_steps_per_s": sample_steps / sample_seconds}))
