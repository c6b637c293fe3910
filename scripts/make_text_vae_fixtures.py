"""Expected values for MuseText's sentence VAE (Bowman et al. 2016), from PyTorch (CPU), written to
Tests/MuseTextTests/Fixtures/text_vae.safetensors.

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_text_vae_fixtures.py
Pinned: torch==2.13.0+cpu, safetensors==0.8.0, numpy==2.4.6.

The model: a tokenizer of 8 ids plus begin (8), end (9) and mask (10); Embedding(11, 6) shared by a
2-layer LSTM encoder (hidden 7) and a 2-layer LSTM decoder; z of 3 dimensions from Linear(7, 3)
heads (mean, log-variance); z → the decoder's (h0, c0) through Linear(3, 2·2·7) and z concatenated
to every decoder input; Linear(7, 11) read-out. Stored: the initial weights (seed 0), a batch of
three lines of 4, 2 and 5 tokens laid out as MuseText lays them out (encoder ids padded with the
end id, decoder ids begin + line with two inputs replaced by the mask id, targets line + end,
padding -100), a fixed ε, and from them μ, log σ², the logits, the reconstruction (summed nats per
line), the KL (per line), the loss with β = 0.3 and every parameter's gradient, the same with free
bits (each line's KL less the free nats, floored at 0, one line under the threshold); and the greedy
decoding (begin and mask never chosen, at most 6 tokens) of two fixed z ~ N(0, 3²) by a model whose weights
are N(0, 0.5²), the read-out N(0, 2²) with the end bias raised by 1 (so the argmax changes from step to step).
"""
import math

import torch
import torch.nn as nn
from torch.nn import functional as F
from safetensors.torch import save_file

V_TOK, E, H, L, Z = 8, 6, 7, 2, 3
V = V_TOK + 3
BOS, EOS, UNK = V_TOK, V_TOK + 1, V_TOK + 2


class TextVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.encoder = nn.LSTM(E, H, L, batch_first=True)
        self.to_mean = nn.Linear(H, Z)
        self.to_log_variance = nn.Linear(H, Z)
        self.latent_to_state = nn.Linear(Z, 2 * L * H)
        self.decoder = nn.LSTM(E + Z, H, L, batch_first=True)
        self.output = nn.Linear(H, V)

    def encode(self, x, lengths):
        out, _ = self.encoder(self.embedding(x))
        last = out[torch.arange(x.shape[0]), lengths - 1]
        return self.to_mean(last), self.to_log_variance(last)

    def initial_state(self, z):
        s = self.latent_to_state(z).view(z.shape[0], 2 * L, H).transpose(0, 1)
        return s[:L].contiguous(), s[L:].contiguous()

    def decode(self, inputs, z, state=None):
        b, t = inputs.shape
        x = torch.cat([self.embedding(inputs), z.unsqueeze(1).expand(b, t, Z)], 2)
        h, state = self.decoder(x, state if state is not None else self.initial_state(z))
        return self.output(h), state


torch.manual_seed(0)
out = {}
model = TextVAE()
for k, v in model.state_dict().items():
    out[f"init.{k}"] = v.detach().clone()

lines = [[1, 2, 3, 4], [5, 6], [7, 0, 1, 2, 3]]
B, T = len(lines), max(map(len, lines))
enc = torch.full((B, T), EOS)
dec = torch.full((B, T + 1), EOS)
tgt = torch.full((B, T + 1), -100)
for r, line in enumerate(lines):
    enc[r, :len(line)] = torch.tensor(line)
    dec[r, 0] = BOS
    dec[r, 1:len(line) + 1] = torch.tensor(line)
    tgt[r, :len(line)] = torch.tensor(line)
    tgt[r, len(line)] = EOS
dec[0, 2] = UNK  # word dropout, fixed: line 0's second input, line 2's fourth
dec[2, 4] = UNK
lengths = torch.tensor([len(x) for x in lines])
eps = torch.randn(B, Z)
beta = 0.3

mu, lv = model.encode(enc, lengths)
z = mu + torch.exp(0.5 * lv) * eps
logits, _ = model.decode(dec, z)
rec = F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1), ignore_index=-100, reduction="sum") / B
kl = -0.5 * torch.sum(1 + lv - mu ** 2 - lv.exp()) / B
loss = rec + beta * kl
loss.backward()
for name, t in [("encoder_inputs", enc), ("decoder_inputs", dec), ("targets", tgt), ("lengths", lengths)]:
    out[name] = t.float()
out["epsilon"] = eps
out["mean"] = mu.detach().clone()
out["log_variance"] = lv.detach().clone()
out["logits"] = logits.detach().clone()
out["reconstruction"] = rec.detach().reshape(1)
out["kl"] = kl.detach().reshape(1)
out["loss"] = loss.detach().reshape(1)
out["kl_weight"] = torch.tensor([beta])
for n, p in model.named_parameters():
    out[f"grad.{n}"] = p.grad.detach().clone()

# --- the same batch with free bits (MusicVAE's mean over lines of max(KL_line - free_nats, 0)),
# the threshold halfway between the two smallest lines' KL so one line is under it, two over ---
model.zero_grad()
mu, lv = model.encode(enc, lengths)
z = mu + torch.exp(0.5 * lv) * eps
logits, _ = model.decode(dec, z)
rec = F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1), ignore_index=-100, reduction="sum") / B
kl_line = -0.5 * torch.sum(1 + lv - mu ** 2 - lv.exp(), dim=1)
smallest = kl_line.detach().sort().values
free_bits = float((smallest[0] + smallest[1]) / 2) / math.log(2.0)
free_nats = torch.tensor(free_bits, dtype=torch.float32) * math.log(2.0)
loss_fb = rec + beta * torch.clamp(kl_line - free_nats, min=0).mean()
loss_fb.backward()
out["free_bits"] = torch.tensor([free_bits])
out["free_bits.kl_per_line"] = kl_line.detach().clone()
out["free_bits.loss"] = loss_fb.detach().reshape(1)
for n, p in model.named_parameters():
    out[f"free_bits.grad.{n}"] = p.grad.detach().clone()

# --- greedy decoding of fixed z (N(0, 3²)) by a model with random weights ---
gen = TextVAE()
with torch.no_grad():
    for p in gen.parameters():
        p.normal_(0.0, 0.5)
    gen.output.weight.normal_(0.0, 2.0)
    gen.output.bias[EOS] += 1.0  # so a line can end before max_length
for k, v in gen.state_dict().items():
    out[f"generate.weights.{k}"] = v.detach().clone()
zg = torch.randn(2, Z) * 3
out["generate.z"] = zg
max_length = 6
decoded = []
with torch.no_grad():
    for r in range(2):
        zr = zg[r:r + 1]
        token, state, line = BOS, None, []
        for step in range(max_length + 1):
            lg, state = gen.decode(torch.tensor([[token]]), zr, state)
            lg = lg[0, -1].clone()
            lg[BOS] = -float("inf")
            lg[UNK] = -float("inf")
            if len(line) == max_length:
                keep = lg[EOS].clone()
                lg[:] = -float("inf")
                lg[EOS] = keep
            token = int(lg.argmax())
            if token == EOS:
                break
            line.append(token)
        decoded.append(line)
# each line padded with -1 to max_length
out["generate.tokens"] = torch.tensor([line + [-1] * (max_length - len(line)) for line in decoded]).float()

save_file({k: v.contiguous() for k, v in out.items()}, "Tests/MuseTextTests/Fixtures/text_vae.safetensors")
print(f"wrote {len(out)} tensors; reconstruction {rec.item():.6f}, kl {kl.item():.6f}, loss {loss.item():.6f}; greedy {decoded}")
