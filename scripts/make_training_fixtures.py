"""Expected values for MuseTraining's tests, from PyTorch (CPU), written to
Tests/MuseTrainingTests/Fixtures/training.safetensors.

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_training_fixtures.py
Pinned: torch==2.13.0+cpu, safetensors==0.8.0, numpy==2.4.6.

Each case stores its initial weights, its data (so the Swift test feeds the same batches), and
what PyTorch computed: losses per step and every parameter after the last step.
"""
import math
import torch
from torch import nn
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}

def put(prefix, module):
    for k, v in module.state_dict().items():
        out[f"{prefix}.{k}"] = v.detach().clone().contiguous()

# 1. A GAN-style toy: discriminator then generator in one step, each with its own Adam betas.
G = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
D = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
put("gan.init.generator", G); put("gan.init.discriminator", D)
optD = torch.optim.Adam(D.parameters(), lr=1e-2, betas=(0.5, 0.999))
optG = torch.optim.Adam(G.parameters(), lr=2e-2, betas=(0.9, 0.99))
bce = nn.BCEWithLogitsLoss()
d_losses, g_losses = [], []
for step in range(3):
    real = torch.randn(8, 2) * 0.5 + 1.0
    noise = torch.randn(8, 2)
    out[f"gan.real.{step}"] = real.clone(); out[f"gan.noise.{step}"] = noise.clone()
    optD.zero_grad()
    fake = G(noise).detach()
    d_loss = bce(D(real), torch.ones(8, 1)) + bce(D(fake), torch.zeros(8, 1))
    d_loss.backward(); optD.step()
    optG.zero_grad()
    g_loss = bce(D(G(noise)), torch.ones(8, 1))
    g_loss.backward(); optG.step()
    d_losses.append(d_loss.item()); g_losses.append(g_loss.item())
out["gan.d_losses"] = torch.tensor(d_losses); out["gan.g_losses"] = torch.tensor(g_losses)
put("gan.final.generator", G); put("gan.final.discriminator", D)

# 2. AdamW with nanoGPT's parameter groups: decay 0.1 on matrices (dim >= 2), none on biases and norms.
class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4); self.norm = nn.LayerNorm(4); self.fc2 = nn.Linear(4, 2)
    def forward(self, x):
        return self.fc2(torch.tanh(self.norm(self.fc1(x))))
m = Small()
put("adamw.init", m)
decay = [p for n, p in m.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in m.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-2, betas=(0.9, 0.99))
x = torch.randn(6, 3); y = torch.randn(6, 2)
out["adamw.x"] = x; out["adamw.y"] = y
for _ in range(3):
    opt.zero_grad(); nn.functional.mse_loss(m(x), y).backward(); opt.step()
put("adamw.final", m)

# 3. Gradient accumulation: two micro-batches of 4, each loss / 2, equal one batch of 8.
lin = nn.Linear(3, 2)
put("accum.init", lin)
x = torch.randn(8, 3); y = torch.randn(8, 2)
out["accum.x"] = x; out["accum.y"] = y
opt = torch.optim.Adam(lin.parameters(), lr=1e-2)
for _ in range(2):
    opt.zero_grad(); nn.functional.mse_loss(lin(x), y).backward(); opt.step()
put("accum.final", lin)

# 4. A gradient hook that halves every gradient before an SGD-with-momentum step.
lin = nn.Linear(3, 2)
put("hook.init", lin)
x = torch.randn(5, 3); y = torch.randn(5, 2)
out["hook.x"] = x; out["hook.y"] = y
opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
for _ in range(3):
    opt.zero_grad(); nn.functional.mse_loss(lin(x), y).backward()
    for p in lin.parameters(): p.grad.mul_(0.5)
    opt.step()
put("hook.final", lin)

# 5. Tied input and output embeddings: one parameter, updated once, clipped once.
class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(5, 3); self.lm_head = nn.Linear(3, 5, bias=False)
        self.lm_head.weight = self.wte.weight
    def forward(self, idx):
        return self.lm_head(torch.tanh(self.wte(idx)))
t = Tied()
out["tied.init.wte.weight"] = t.wte.weight.detach().clone()
tokens = torch.tensor([0, 3, 1, 4, 2, 2]); targets = torch.tensor([3, 1, 4, 2, 2, 0])
out["tied.tokens"] = tokens.float(); out["tied.targets"] = targets.float()
opt = torch.optim.Adam(t.parameters(), lr=5e-2)
norms = []
for _ in range(3):
    opt.zero_grad(); nn.functional.cross_entropy(t(tokens), targets).backward()
    norms.append(torch.nn.utils.clip_grad_norm_(t.parameters(), 0.1).item()); opt.step()
out["tied.norms"] = torch.tensor(norms)
out["tied.final.wte.weight"] = t.wte.weight.detach().clone()
assert len(list(t.parameters())) == 1 and set(t.state_dict()) == {"wte.weight", "lm_head.weight"}

# 6. Learning-rate schedules: PyTorch's schedulers and nanoGPT's get_lr.
def sched_values(make, n):
    p = nn.Parameter(torch.zeros(1)); o = torch.optim.SGD([p], lr=0.5); s = make(o); vals = []
    for _ in range(n):
        vals.append(o.param_groups[0]["lr"]); o.step(); s.step()
    return torch.tensor(vals, dtype=torch.float32)
out["lr.step"] = sched_values(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 20)
out["lr.cosine"] = sched_values(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.01), 16)
learning_rate, min_lr, warmup_iters, lr_decay_iters = 6e-4, 6e-5, 10, 50
def get_lr(it):  # nanoGPT train.py
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)
out["lr.nanogpt"] = torch.tensor([get_lr(it) for it in range(60)], dtype=torch.float32)

save_file({k: v.float().contiguous() for k, v in out.items()}, "Tests/MuseTrainingTests/Fixtures/training.safetensors")
print(f"wrote {len(out)} tensors")
