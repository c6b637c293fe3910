#!/usr/bin/env python3
"""PyTorch CPU peer for bench-vae: MusicVAE training steps/s on the same weights and batch.

pip install torch==2.13.0+cpu safetensors==0.8.0

usage: bench_vae_peer.py music|spec|specseq WEIGHTS.safetensors STEPS
music: the MusicVAE's weights, `in.windows` [B, T], `in.epsilon` [B, Z], sizes in the metadata;
STEPS Adam steps of the teacher-forced loss (recon + beta·KL, clip 1.0).
spec: the spectrogram VAE's weights, `in.patches` [B, 1, mels, frames], `in.epsilon`; STEPS Adam
steps of ½Σ(x̂ − x)²/B + beta·KL (clip 5.0).
specseq: the sequence spectrogram VAE (1-D convolutions over time as Conv2d with height 1), weights,
`in.spectrograms` [B, mels, 1, frames], `in.epsilon`; the same loss (clip 5.0).
Prints `steps_per_second <value>` (one over the fastest step's time) and `final_loss <value>`.
"""
import sys, time, math
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open

assert torch.__version__.startswith("2.13.0"), torch.__version__
mode, path, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(int(__import__("os").environ.get("MUSE_PEER_THREADS", "2")))
with safe_open(path, "pt") as f:
    meta = f.metadata()
    tensors = {k: f.get_tensor(k) for k in f.keys()}
beta = float(meta["beta"])


def run(model, loss_fn, clip):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        return loss.item()

    step()  # warm-up
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        last = step()
        times.append(time.perf_counter() - start)
    fastest = min(times)  # as bench-vae times its own steps: interference only adds time
    print(f"steps_per_second {1 / fastest:.4f}")
    print(f"final_loss {last:.6f}")


if mode == "specseq":
    MELS, H, Z, DOWN = int(meta["mels"]), int(meta["hidden"]), int(meta["z"]), int(meta["downsamplings"])
    class SpectrogramSequenceVAE(nn.Module):
        def __init__(self):
            super().__init__()
            conv = lambda i, o: nn.Conv2d(i, o, (1, 3), padding=(0, 1))
            down = [conv(MELS, H), nn.LeakyReLU(0.2)]
            for _ in range(DOWN):
                down += [nn.Conv2d(H, H, (1, 4), stride=(1, 2), padding=(0, 1)), nn.LeakyReLU(0.2)]
            down.append(conv(H, 2 * Z))
            self.encoder = nn.Sequential(*down)
            up = [conv(Z, H), nn.LeakyReLU(0.2)]
            for _ in range(DOWN):
                up += [nn.ConvTranspose2d(H, H, (1, 4), stride=(1, 2), padding=(0, 1)), nn.LeakyReLU(0.2)]
            up.append(conv(H, MELS))
            self.decoder = nn.Sequential(*up)
        def forward(self, x, eps):
            mu, logvar = self.encoder(x).chunk(2, dim=1)
            z = mu + torch.exp(0.5 * logvar) * eps
            recon = ((self.decoder(z) - x) ** 2).sum() * 0.5 / x.shape[0]
            kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp())).sum() / x.shape[0]
            return recon + beta * kl
    seq = SpectrogramSequenceVAE()
    seq.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("in.")})
    run(seq, lambda: seq(tensors["in.spectrograms"], tensors["in.epsilon"]), 5.0)
    sys.exit(0)
if mode == "spec":
    CH = [int(c) for c in meta["channels"].split(",")]
    MELS, FRAMES, SZ = int(meta["mels"]), int(meta["frames"]), int(meta["z"])

    class SpectrogramVAE(nn.Module):
        def __init__(self):
            super().__init__()
            layers, c_in = [], 1
            for c in CH:
                layers += [nn.Conv2d(c_in, c, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
                c_in = c
            self.encoder = nn.Sequential(*layers)
            self.bh, self.bw = MELS >> len(CH), FRAMES >> len(CH)
            flat = c_in * self.bh * self.bw
            self.mu, self.logvar = nn.Linear(flat, SZ), nn.Linear(flat, SZ)
            self.decoder_input = nn.Linear(SZ, flat)
            outs, up = list(reversed(CH))[1:] + [1], []
            for k, c in enumerate(outs):
                up.append(nn.ConvTranspose2d(c_in, c, 4, stride=2, padding=1))
                if k + 1 < len(outs):
                    up.append(nn.LeakyReLU(0.2))
                c_in = c
            self.decoder = nn.Sequential(*up)

        def forward(self, x, eps):
            h = self.encoder(x).flatten(1)
            mu, logvar = self.mu(h), self.logvar(h)
            z = mu + torch.exp(0.5 * logvar) * eps
            d = F.leaky_relu(self.decoder_input(z), 0.2).reshape(z.shape[0], CH[-1], self.bh, self.bw)
            recon = ((self.decoder(d) - x) ** 2).sum() * 0.5 / x.shape[0]
            kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp())).sum() / x.shape[0]
            return recon + beta * kl

    spec = SpectrogramVAE()
    spec.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("in.")})
    run(spec, lambda: spec(tensors["in.patches"], tensors["in.epsilon"]), 5.0)
    sys.exit(0)

C, Z, EH, EL, DH, DL = (int(meta[k]) for k in ["classes", "z", "enc_h", "enc_l", "dec_h", "dec_l"])

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
run(model, lambda: model(windows, x, eps), 1.0)
