#!/usr/bin/env python3
"""PyTorch reference for MuseModels' MusicVAE forward pass and loss (cat-mel_2bar structure).

pip install torch==2.13.0+cpu safetensors==0.8.0 numpy==2.4.6
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_vae_fixtures.py

Builds the same network as Sources/MuseModels/MusicVAE/MusicVAE.swift with torch.nn modules of the
same names (encoder, mu, sigma, decoder_init, decoder, output), fills it with seeded random weights,
and writes Tests/MuseModelsTests/Fixtures/musicvae_tiny.safetensors holding:
  weights under their module names; inputs `in.windows` [B, T] (class indices as float),
  `in.epsilon` [B, Z]; expected `out.mu`, `out.sigma` [B, Z], `out.logits` [B, T, C] (teacher forced),
  `out.reconstruction`, `out.kl`, `out.total` (scalars; beta 0.5, free_bits 1),
  and `grad.<name>` for every parameter (d total / d parameter).
"""
import math, os, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
import safetensors

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__

B, T, C, Z = 3, 32, 90, 5
ENC_H, ENC_L, DEC_H, DEC_L = 6, 2, 7, 2
BETA, FREE_BITS = 0.5, 1.0

torch.manual_seed(1234)

class MusicVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(C, ENC_H, num_layers=ENC_L, bidirectional=True, batch_first=True)
        self.mu = nn.Linear(2 * ENC_H, Z)
        self.sigma = nn.Linear(2 * ENC_H, Z)
        self.decoder_init = nn.Linear(Z, 2 * DEC_L * DEC_H)
        self.decoder = nn.LSTM(C + Z, DEC_H, num_layers=DEC_L, batch_first=True)
        self.output = nn.Linear(DEC_H, C)

    def encode(self, x):
        _, (h, _) = self.encoder(x)                       # h: [2L, B, H]
        top = torch.cat([h[-2], h[-1]], dim=1)            # forward, backward of the top layer
        return self.mu(top), F.softplus(self.sigma(top))

    def initial_state(self, z):
        s = torch.tanh(self.decoder_init(z)).reshape(z.shape[0], DEC_L, 2, DEC_H)
        c = s[:, :, 0, :].permute(1, 0, 2).contiguous()
        h = s[:, :, 1, :].permute(1, 0, 2).contiguous()
        return h, c

    def decode_teacher_forced(self, x, z):
        prev = torch.cat([torch.zeros(x.shape[0], 1, C), x[:, :-1]], dim=1)
        inp = torch.cat([prev, z.unsqueeze(1).expand(-1, x.shape[1], -1)], dim=2)
        y, _ = self.decoder(inp, self.initial_state(z))
        return self.output(y)

model = MusicVAE()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.randn_like(p) * 0.3)

windows = torch.randint(0, C, (B, T))
x = F.one_hot(windows, C).float()
eps = torch.randn(B, Z)

mu, sigma = model.encode(x)
z = mu + sigma * eps
logits = model.decode_teacher_forced(x, z)
recon = F.cross_entropy(logits.reshape(-1, C), windows.reshape(-1)) * T
kl = (0.5 * (sigma ** 2 + mu ** 2 - 1 - 2 * torch.log(sigma))).sum(dim=1)
kl_cost = torch.clamp(kl - FREE_BITS * math.log(2.0), min=0).mean()
total = recon + BETA * kl_cost
total.backward()

out = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
out["in.windows"] = windows.float()
out["in.epsilon"] = eps
out["out.mu"] = mu.detach()
out["out.sigma"] = sigma.detach()
out["out.logits"] = logits.detach().contiguous()
out["out.reconstruction"] = recon.detach().reshape([])
out["out.kl"] = kl.mean().detach().reshape([])
out["out.total"] = total.detach().reshape([])
for name, p in model.named_parameters():
    out["grad." + name] = p.grad.detach().clone()

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "Tests", "MuseModelsTests", "Fixtures", "musicvae_tiny.safetensors")
save_file(out, path, metadata={"beta": str(BETA), "free_bits": str(FREE_BITS),
                               "sizes": f"B={B} T={T} C={C} Z={Z} enc={ENC_H}x{ENC_L} dec={DEC_H}x{DEC_L}"})
print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes; total", float(total.detach()))


# --- Spectrogram VAE: same layout as Sources/MuseAudioModels/SpectrogramVAE/SpectrogramVAE.swift --
SB, MELS, FRAMES, SZ, CH = 2, 16, 16, 3, [4, 8]
SPEC_BETA = 0.3
torch.manual_seed(99)

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
        self.mu = nn.Linear(flat, SZ)
        self.logvar = nn.Linear(flat, SZ)
        self.decoder_input = nn.Linear(SZ, flat)
        outs, up = list(reversed(CH))[1:] + [1], []
        for k, c in enumerate(outs):
            up.append(nn.ConvTranspose2d(c_in, c, 4, stride=2, padding=1))
            if k + 1 < len(outs):
                up.append(nn.LeakyReLU(0.2))
            c_in = c
        self.decoder = nn.Sequential(*up)

    def encode(self, x):
        h = self.encoder(x).flatten(1)
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        h = F.leaky_relu(self.decoder_input(z), 0.2).reshape(z.shape[0], CH[-1], self.bh, self.bw)
        return self.decoder(h)

spec = SpectrogramVAE()
patches = torch.rand(SB, 1, MELS, FRAMES)
seps = torch.randn(SB, SZ)
smu, slogvar = spec.encode(patches)
sz = smu + torch.exp(0.5 * slogvar) * seps
recon_x = spec.decode(sz)
srecon = ((recon_x - patches) ** 2).sum() * 0.5 / SB
skl = (-0.5 * (1 + slogvar - smu ** 2 - slogvar.exp())).sum() / SB
stotal = srecon + SPEC_BETA * skl
stotal.backward()
sout = {k: v.detach().clone().contiguous() for k, v in spec.state_dict().items()}
sout.update({"in.patches": patches, "in.epsilon": seps, "out.mu": smu.detach(), "out.logvar": slogvar.detach(),
             "out.decoded": recon_x.detach().contiguous(), "out.reconstruction": srecon.detach().reshape([]),
             "out.kl": skl.detach().reshape([]), "out.total": stotal.detach().reshape([])})
for name, p in spec.named_parameters():
    sout["grad." + name] = p.grad.detach().clone()
spath = os.path.join(here, "..", "Tests", "MuseAudioModelsTests", "Fixtures", "specvae_tiny.safetensors")
save_file(sout, spath, metadata={"beta": str(SPEC_BETA), "sizes": f"B={SB} mels={MELS} frames={FRAMES} z={SZ} channels={CH}"})
print("wrote", os.path.normpath(spath), os.path.getsize(spath), "bytes; total", float(stotal.detach()))


# --- Sequence spectrogram VAE: Sources/MuseAudioModels/SpectrogramVAE/SpectrogramSequenceVAE.swift ---
# 1-D convolutions over time with mel bins as channels, written (as in Swift) as Conv2d with height 1.
QB, QMELS, QFRAMES, QH, QZ, QDOWN = 2, 12, 16, 10, 3, 2
SEQ_BETA = 0.3
torch.manual_seed(77)

class SpectrogramSequenceVAE(nn.Module):
    def __init__(self):
        super().__init__()
        conv = lambda i, o: nn.Conv2d(i, o, (1, 3), padding=(0, 1))
        down = [conv(QMELS, QH), nn.LeakyReLU(0.2)]
        for _ in range(QDOWN):
            down += [nn.Conv2d(QH, QH, (1, 4), stride=(1, 2), padding=(0, 1)), nn.LeakyReLU(0.2)]
        down.append(conv(QH, 2 * QZ))
        self.encoder = nn.Sequential(*down)
        up = [conv(QZ, QH), nn.LeakyReLU(0.2)]
        for _ in range(QDOWN):
            up += [nn.ConvTranspose2d(QH, QH, (1, 4), stride=(1, 2), padding=(0, 1)), nn.LeakyReLU(0.2)]
        up.append(conv(QH, QMELS))
        self.decoder = nn.Sequential(*up)

    def encode(self, x):
        return self.encoder(x).chunk(2, dim=1)

seq = SpectrogramSequenceVAE()
qx = torch.rand(QB, QMELS, 1, QFRAMES)
qmu, qlogvar = seq.encode(qx)
qeps = torch.randn_like(qmu)
qdecoded = seq.decoder(qmu + torch.exp(0.5 * qlogvar) * qeps)
qrecon = ((qdecoded - qx) ** 2).sum() * 0.5 / QB
qkl = (-0.5 * (1 + qlogvar - qmu ** 2 - qlogvar.exp())).sum() / QB
qtotal = qrecon + SEQ_BETA * qkl
qtotal.backward()
qout = {k: v.detach().clone().contiguous() for k, v in seq.state_dict().items()}
qout.update({"in.spectrograms": qx, "in.epsilon": qeps.contiguous(), "out.mu": qmu.detach().contiguous(),
             "out.logvar": qlogvar.detach().contiguous(), "out.decoded": qdecoded.detach().contiguous(),
             "out.reconstruction": qrecon.detach().reshape([]), "out.kl": qkl.detach().reshape([]), "out.total": qtotal.detach().reshape([])})
for name, p in seq.named_parameters():
    qout["grad." + name] = p.grad.detach().clone()
qpath = os.path.join(here, "..", "Tests", "MuseAudioModelsTests", "Fixtures", "specseqvae_tiny.safetensors")
save_file(qout, qpath, metadata={"beta": str(SEQ_BETA), "sizes": f"B={QB} mels={QMELS} frames={QFRAMES} hidden={QH} z={QZ} down={QDOWN}"})
print("wrote", os.path.normpath(qpath), os.path.getsize(qpath), "bytes; total", float(qtotal.detach()))
