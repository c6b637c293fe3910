"""Expected values for MuseImage's DCGAN parity test, from PyTorch (CPU), written to
Tests/MuseImageTests/Fixtures/dcgan.safetensors.

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_dcgan_fixtures.py
Pinned: torch==2.13.0+cpu, safetensors==0.8.0, numpy==2.4.6.

The network is TensorFlow's DCGAN tutorial with small sizes (8×8 pictures, 6-dim noise, 8 base
channels, 6/4 generator and 4/6 discriminator channels) so the fixture stays small; the layers,
their order, the Keras constants (LeakyReLU 0.3, BatchNorm eps 1e-3, momentum 0.99 = PyTorch
0.01) and 'same' padding (padding 2, output_padding 1 at stride 2) are the full model's. Dropout
is 0 here (its masks come from different generators). Two steps of: the discriminator's update on
BCE(D(real), 1) + BCE(D(G(z₁).detach()), 0), then the generator's on BCE(D(G(z₂)), 1), each with
Adam(1e-3). Stored: initial weights (`init.*`), the batches, the losses of both steps, the gradients
of step 0 (`grad.d.*` after the discriminator's backward, `grad.g.*` after the generator's), and
the state after step 1 (`final.*`, parameters and BatchNorm running statistics).
"""
import torch
from torch import nn
from safetensors.torch import save_file

torch.manual_seed(0)
NOISE, SIZE, BASE, GEN, DIS, BATCH, LR = 6, 8, 8, (6, 4), (4, 6), 4, 1e-3
S = SIZE // 4
SLOPE, EPS, MOM = 0.3, 1e-3, 0.01


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(NOISE, S * S * BASE, bias=False)
        self.bn0 = nn.BatchNorm1d(S * S * BASE, eps=EPS, momentum=MOM)
        self.deconv1 = nn.ConvTranspose2d(BASE, GEN[0], 5, stride=1, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(GEN[0], eps=EPS, momentum=MOM)
        self.deconv2 = nn.ConvTranspose2d(GEN[0], GEN[1], 5, stride=2, padding=2, output_padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(GEN[1], eps=EPS, momentum=MOM)
        self.deconv3 = nn.ConvTranspose2d(GEN[1], 1, 5, stride=2, padding=2, output_padding=1, bias=False)

    def forward(self, z):
        lrelu = lambda x: nn.functional.leaky_relu(x, SLOPE)
        x = lrelu(self.bn0(self.dense(z))).reshape(z.shape[0], BASE, S, S)
        x = lrelu(self.bn1(self.deconv1(x)))
        x = lrelu(self.bn2(self.deconv2(x)))
        return torch.tanh(self.deconv3(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, DIS[0], 5, stride=2, padding=2)
        self.conv2 = nn.Conv2d(DIS[0], DIS[1], 5, stride=2, padding=2)
        self.dense = nn.Linear(DIS[1] * S * S, 1)

    def forward(self, x):
        x = nn.functional.leaky_relu(self.conv1(x), SLOPE)
        x = nn.functional.leaky_relu(self.conv2(x), SLOPE)
        return self.dense(x.flatten(1))


G, D = Generator(), Discriminator()
# Non-trivial BatchNorm affine parameters, so their gradients and updates are tested too.
with torch.no_grad():
    for bn in (G.bn0, G.bn1, G.bn2):
        bn.weight.uniform_(0.5, 1.5); bn.bias.uniform_(-0.2, 0.2)
out = {}


def put(prefix, module):
    for k, v in module.state_dict().items():
        out[f"{prefix}.{k}"] = v.detach().clone().float().contiguous()


put("init.generator", G); put("init.discriminator", D)
optD = torch.optim.Adam(D.parameters(), lr=LR)
optG = torch.optim.Adam(G.parameters(), lr=LR)
bce = nn.BCEWithLogitsLoss()
d_losses, g_losses = [], []
for step in range(2):
    real = torch.rand(BATCH, 1, SIZE, SIZE) * 2 - 1
    z1, z2 = torch.randn(BATCH, NOISE), torch.randn(BATCH, NOISE)
    out[f"real.{step}"], out[f"noise_d.{step}"], out[f"noise_g.{step}"] = real, z1, z2
    optD.zero_grad()
    fake = G(z1).detach()
    d_loss = bce(D(real), torch.ones(BATCH, 1)) + bce(D(fake), torch.zeros(BATCH, 1))
    d_loss.backward()
    if step == 0:
        for k, p in D.named_parameters():
            out[f"grad.d.discriminator.{k}"] = p.grad.detach().clone()
    optD.step()
    optG.zero_grad()
    g_loss = bce(D(G(z2)), torch.ones(BATCH, 1))
    g_loss.backward()
    if step == 0:
        for k, p in G.named_parameters():
            out[f"grad.g.generator.{k}"] = p.grad.detach().clone()
    optG.step()
    d_losses.append(d_loss.item()); g_losses.append(g_loss.item())
out["d_losses"] = torch.tensor(d_losses); out["g_losses"] = torch.tensor(g_losses)
put("final.generator", G); put("final.discriminator", D)
save_file({k: v.contiguous() for k, v in out.items()}, "Tests/MuseImageTests/Fixtures/dcgan.safetensors")
print(f"{len(out)} tensors; D losses {d_losses}, G losses {g_losses}")
