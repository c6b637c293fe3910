#!/usr/bin/env python3
"""Writes the expectations of MuseStyleTests: the style-transfer loss terms (relative content
distance, relative Gram distance, total variation) and their gradients with respect to the input
pixels, computed by PyTorch autograd in float64 for the same small random filters and pictures.

Pinned peers (asserted below):
    pip install numpy==2.4.6 && pip install --no-deps torch==2.13.0+cpu

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_style_fixtures.py
Outputs go to Tests/MuseStyleTests/Fixtures/ (float32 .npy files, a few KB each, and a JSON file
of the loss values).

The loss is MuseStyle's StyleObjective:
    F_l = relu(conv2d(x - offset, W_l, stride=s_l))          reshaped to [filters, positions]
    G_l = F_l F_l^T / positions
    content = mean_l ||F_l(x) - F_l(c)||^2 / ||F_l(c)||^2
    style   = mean_l ||G_l(x) - G_l(s)||^2 / ||G_l(s)||^2
    tv      = mean (x[.., 1:, :] - x[.., :-1, :])^2 + mean (x[.., :, 1:] - x[.., :, :-1])^2
              (a side of 1 pixel contributes 0)
    total   = w_c content + w_s style + w_tv tv
"""
import json
import os

import numpy as np
import torch

assert np.__version__ == "2.4.6", np.__version__
assert torch.__version__.startswith("2.13.0"), torch.__version__

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MuseStyleTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(17)


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array, dtype=np.float32))


def objective(x, weights, strides, style, content, offset, w):
    def features(t):
        out = []
        for W, s in zip(weights, strides):
            y = torch.relu(torch.nn.functional.conv2d(t - offset, W, stride=s))
            out.append(y.reshape(W.shape[0], -1))
        return out

    def gram(f):
        return f @ f.T / f.shape[1]

    fx = features(x)
    with torch.no_grad():
        grams = [gram(f) for f in features(style)]
        targets = features(content) if content is not None else None
    n = len(fx)
    style_term = sum(((gram(f) - a) ** 2).sum() / (a ** 2).sum() for f, a in zip(fx, grams)) / n
    if targets is not None:
        content_term = sum(((f - p) ** 2).sum() / (p ** 2).sum() for f, p in zip(fx, targets)) / n
    else:
        content_term = torch.zeros((), dtype=x.dtype)
    tv = torch.zeros((), dtype=x.dtype)
    if x.shape[2] > 1:
        tv = tv + ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).mean()
    if x.shape[3] > 1:
        tv = tv + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).mean()
    total = w["style"] * style_term + w["totalVariation"] * tv
    if targets is not None:
        total = total + w["content"] * content_term
    return total, content_term, style_term, tv


def case(name, channels, size, style_size, scales, offset, w, with_content):
    """scales: list of (kernel_h, kernel_w, stride, filters)."""
    weights = []
    for i, (kh, kw, s, k) in enumerate(scales):
        W = rng.standard_normal((k, channels, kh, kw)) / np.sqrt(channels * kh * kw)
        W = W.astype(np.float32)
        save(f"{name}_w{i}", W)
        weights.append(torch.tensor(W, dtype=torch.float64))
    x = rng.uniform(0, 1, (1, channels) + size).astype(np.float32)
    style = rng.uniform(0, 1, (1, channels) + style_size).astype(np.float32)
    content = rng.uniform(0, 1, (1, channels) + size).astype(np.float32) if with_content else None
    save(f"{name}_x", x)
    save(f"{name}_style", style)
    if content is not None:
        save(f"{name}_content", content)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    total, c, s, tv = objective(xt, weights, [sc[2] for sc in scales],
                                torch.tensor(style, dtype=torch.float64),
                                None if content is None else torch.tensor(content, dtype=torch.float64), offset, w)
    total.backward()
    save(f"{name}_grad", xt.grad.numpy())
    return {"scales": [list(sc) for sc in scales], "channels": channels, "offset": offset, "weights": w,
            "total": total.item(), "content": c.item(), "style": s.item(), "totalVariation": tv.item()}


expected = {
    # A picture: three scales (3x3, 5x5, and 7x7 every 2 pixels), style of another size.
    "picture": case("picture", 3, (20, 24), (18, 22), [(3, 3, 1, 8), (5, 5, 1, 6), (7, 7, 2, 5)], 0.5,
                    {"content": 1.3, "style": 2.1, "totalVariation": 0.7}, True),
    # Texture synthesis: no content term.
    "texture": case("texture", 3, (16, 16), (19, 17), [(3, 3, 1, 7), (5, 5, 2, 4)], 0.5,
                    {"content": 1.0, "style": 1.0, "totalVariation": 0.05}, False),
    # A spectrogram as a 1 x frames picture with one channel per frequency bin, 11 frames wide.
    "audio": case("audio", 9, (1, 30), (1, 25), [(1, 11, 1, 16)], 0.0,
                  {"content": 0.01, "style": 1.0, "totalVariation": 0.0}, True),
}
with open(os.path.join(OUT, "style_losses.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print("wrote", OUT)
