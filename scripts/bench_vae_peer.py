#!/usr/bin/env python3
"""PyTorch CPU peer for bench-vae: MusicVAE training steps/s on the same weights and batch.

pip install torch==2.13.0+cpu safetensors==0.8.0

usage: bench_vae_peer.py WEIGHTS.safetensors STEPS
Reads the model's weights and `in.windows` [B, T], `in.epsilon` [B, Z], sizes from metadata, runs
STEPS Adam steps of the teacher-forced loss (recon + beta·KL, clip 1.0) and prints
`steps_per_second <value>` and `final_loss <value>`.
"""
import sys, time, math
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open

assert torch.__version__.startswith("2.13.0"), torch.__version__
path, steps = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(int(__import__("os").environ.get("MUSE_PEER_THREADS", "2")))
with safe_open(path, "pt") as f:
    meta = f.metadata()
    tensors = {k: f.get_tensor(k) for k in f.keys()}
C, Z, EH, EL, DH, DL = (int(meta[k]) for k in ["classes", "z", "enc_h", "enc_l", "dec_h", "dec_l"])
beta = float(meta["beta"])

class MusicVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(C, EH, num_layers=EL, bidirectional=True, batch_first=True)
        self.mu = nn.Linear(2 * EH, Z)
        self.sigma = nn.Linear(2 * EH, Z)
        self.decoder_init = nn.Linear(Z, 2 * DL * DH)
        self.decoder = nn.LSTM(C + Z, DH, num_layers=DL, batch_first=True)
        self.output = nn.Linear(DH, C)

    def forward(self, windows, x, eps):
        _, (h, _) = self.encoder(x)
        top = torch.cat([h[-2], h[-1]], dim=1)
        mu, sigma = self.mu(top), F.softplus(self.sigma(top))
        z = mu + sigma * eps
        s = torch.tanh(self.decoder_init(z)).reshape(z.shape[0], DL, 2, DH)
        state = (s[:, :, 1].permute(1, 0, 2).contiguous(), s[:, :, 0].permute(1, 0, 2).contiguous())
        prev = torch.cat([torch.zeros(x.shape[0], 1, C), x[:, :-1]], dim=1)
        y, _ = self.decoder(torch.cat([prev, z.unsqueeze(1).expand(-1, x.shape[1], -1)], dim=2), state)
        logits = self.output(y)
        recon = F.cross_entropy(logits.reshape(-1, C), windows.reshape(-1)) * x.shape[1]
        kl = (0.5 * (sigma ** 2 + mu ** 2 - 1 - 2 * torch.log(sigma))).sum(dim=1).mean()
        return recon + beta * kl

model = MusicVAE()
model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("in.")})
windows = tensors["in.windows"].long()
x = F.one_hot(windows, C).float()
eps = tensors["in.epsilon"]
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

def step():
    opt.zero_grad()
    loss = model(windows, x, eps)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()

step()  # warm-up
start = time.perf_counter()
for _ in range(steps):
    last = step()
elapsed = time.perf_counter() - start
print(f"steps_per_second {steps / elapsed:.4f}")
print(f"final_loss {last:.6f}")
