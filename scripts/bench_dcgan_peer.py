"""Peer of bench-dcgan: TensorFlow's tutorial DCGAN in PyTorch (CPU), trained from the initial
weights bench-dcgan wrote, on the same Fashion-MNIST pictures in the same order, for the same
number of steps; then samples from the same fixed noise. Prints one JSON line.

Run by bench-dcgan; by hand:
  PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/bench_dcgan_peer.py WORK STEPS SAMPLES THREADS FASHION_MNIST_DIR
Pinned: torch==2.13.0+cpu, safetensors==0.8.0, numpy==2.4.6.

WORK holds init.safetensors (MuseImage's DCGAN state dict: `generator.*`, `discriminator.*`,
BatchNorm running statistics included), indices.npy ([STEPS, 256] training-picture indices of
every step's batch, float32) and noise.npy ([SAMPLES, 100] sample noise); the peer writes
peer_samples.npy ([SAMPLES, 28, 28] float32 in [-1, 1], tanh, evaluation mode). The step is
MuseImage's DCGANTrainingTask's (and scripts/make_dcgan_fixtures.py's): the discriminator's Adam
update on BCE(D(real), 1) + BCE(D(G(z1)), 0) with G(z1) under no_grad, then the generator's on
BCE(D(G(z2)), 1) with fresh noise; both generator passes in training mode. Noise and dropout
masks come from torch's own generator (seeded 0), not Muse's.
"""
import gzip
import json
import sys
import time

import numpy as np
import safetensors
import torch
from safetensors.torch import load_file
from torch import nn

assert torch.__version__.startswith("2.13.0"), torch.__version__
assert safetensors.__version__ == "0.8.0", safetensors.__version__
work, steps, samples, threads, fashion = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.set_num_threads(threads)
torch.manual_seed(0)
NOISE, BATCH, LR, SLOPE, EPS, MOM, DROPOUT = 100, 256, 1e-4, 0.3, 1e-3, 0.01, 0.3


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(NOISE, 7 * 7 * 256, bias=False)
        self.bn0 = nn.BatchNorm1d(7 * 7 * 256, eps=EPS, momentum=MOM)
        self.deconv1 = nn.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(128, eps=EPS, momentum=MOM)
        self.deconv2 = nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64, eps=EPS, momentum=MOM)
        self.deconv3 = nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False)

    def forward(self, z):
        lrelu = lambda x: nn.functional.leaky_relu(x, SLOPE)
        x = lrelu(self.bn0(self.dense(z))).reshape(z.shape[0], 256, 7, 7)
        x = lrelu(self.bn1(self.deconv1(x)))
        x = lrelu(self.bn2(self.deconv2(x)))
        return torch.tanh(self.deconv3(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 5, stride=2, padding=2)
        self.dropout1 = nn.Dropout(DROPOUT)
        self.conv2 = nn.Conv2d(64, 128, 5, stride=2, padding=2)
        self.dropout2 = nn.Dropout(DROPOUT)
        self.dense = nn.Linear(128 * 7 * 7, 1)

    def forward(self, x):
        x = self.dropout1(nn.functional.leaky_relu(self.conv1(x), SLOPE))
        x = self.dropout2(nn.functional.leaky_relu(self.conv2(x), SLOPE))
        return self.dense(x.flatten(1))


class DCGAN(nn.Module):
    def __init__(self):
        super().__init__()
        self.generator = Generator()
        self.discriminator = Discriminator()


def training_pictures(folder):
    """The IDX training images as [n, 1, 28, 28] float32, byte / 127.5 - 1 (as Muse's GreyImageSet)."""
    with gzip.open(f"{folder}/train-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    assert int.from_bytes(raw[0:4], "big") == 0x803, "not an IDX image file"
    n, h, w = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    pixels = np.frombuffer(raw, dtype=np.uint8, count=n * h * w, offset=16).reshape(n, 1, h, w)
    return torch.from_numpy(pixels.astype(np.float32) / np.float32(127.5) - np.float32(1))


model = DCGAN()
model.load_state_dict(load_file(f"{work}/init.safetensors"), strict=True)  # Muse's names map 1:1
G, D = model.generator, model.discriminator
model.train()
train = training_pictures(fashion)
indices = torch.from_numpy(np.load(f"{work}/indices.npy").astype(np.int64))
assert tuple(indices.shape) == (steps, BATCH), indices.shape
noise = torch.from_numpy(np.load(f"{work}/noise.npy").astype(np.float32))
opt_d = torch.optim.Adam(D.parameters(), lr=LR)
opt_g = torch.optim.Adam(G.parameters(), lr=LR)
bce = nn.functional.binary_cross_entropy_with_logits
ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)

d_losses, g_losses = [], []
start_wall, start_cpu = time.perf_counter(), time.process_time()
for step in range(steps):
    real = train.index_select(0, indices[step])
    z1 = torch.randn(BATCH, NOISE)
    opt_d.zero_grad()
    with torch.no_grad():
        fake = G(z1)
    d_loss = bce(D(real), ones) + bce(D(fake), zeros)
    d_loss.backward()
    opt_d.step()
    z2 = torch.randn(BATCH, NOISE)
    opt_g.zero_grad()
    g_loss = bce(D(G(z2)), ones)
    g_loss.backward()
    opt_g.step()
    d_losses.append(d_loss.item())
    g_losses.append(g_loss.item())
wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu

G.eval()
with torch.no_grad():
    out = torch.cat([G(noise[i:i + 500]) for i in range(0, samples, 500)])
np.save(f"{work}/peer_samples.npy", np.ascontiguousarray(out.reshape(samples, 28, 28).numpy(), dtype=np.float32))

# Mean losses over the same windows bench-dcgan prints (ending at steps·k/5, k = 1…5).
marks = sorted({max(1, steps * k // 5) for k in range(1, 6)})
losses, previous = [], 0
for mark in marks:
    losses.append([mark, float(np.mean(d_losses[previous:mark])), float(np.mean(g_losses[previous:mark]))])
    previous = mark
print(json.dumps({"steps_per_s": steps / wall, "wall_seconds": wall, "cpu_seconds": cpu, "losses": losses,
                  "first_losses": [d_losses[0], g_losses[0]], "torch": torch.__version__, "threads": torch.get_num_threads()}))
