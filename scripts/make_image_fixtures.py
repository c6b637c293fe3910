#!/usr/bin/env python3
"""Writes the expectations of MuseImageTests: PNG/JPEG files with their decoded samples, Pillow's
bilinear resizes, facts about Debian's Fashion-MNIST test set, and pytorch-fid's Fréchet distance.

Pinned peers (asserted below):
    pip install numpy==2.4.6 scipy==1.17.1 pillow==13.0.0 pytorch-fid==0.3.0   (pytorch-fid: --no-deps)

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_image_fixtures.py
Outputs go to Tests/MuseImageTests/Fixtures/ (a few KB each). Fashion-MNIST facts are read from
Debian's dataset-fashion-mnist (scripts/setup.sh installs it); that fixture is skipped without it.

Peers:
- PNG: 8-bit files are written by Pillow; 16-bit ones (which Pillow cannot write in colour) by
  the small writer below (stdlib zlib; PNG spec, filter type 0 on every row, no gAMA chunk). The
  expected samples are the arrays that were encoded; for the Pillow-written files they are also
  checked against Pillow reading the file back.
- JPEG: Pillow encodes small pictures (baseline, quality 90, 4:2:0 for colour) and decodes them
  with its defaults (islow IDCT, fancy upsampling): those decoded pixels are the expectation.
- Resize: Pillow's Image.resize(size, Image.BILINEAR) on 8-bit RGB.
- Fréchet distance: pytorch_fid.fid_score.calculate_frechet_distance (scipy.linalg.sqrtm of
  Σ1·Σ2) on np.mean / np.cov(rowvar=False) of float32 features, computed in float64.
"""
import gzip
import json
import os
import struct
import sys
import types
import zlib

import numpy as np
import scipy
from PIL import Image

assert np.__version__ == "2.4.6", np.__version__
assert scipy.__version__ == "1.17.1", scipy.__version__
assert Image.__version__ == "13.0.0", Image.__version__

# pytorch-fid imports torchvision and its Inception network at module level; neither is needed
# for the distance itself, so stand-ins let the real calculate_frechet_distance be imported.
_tv = types.ModuleType("torchvision")
_tv.transforms = types.ModuleType("torchvision.transforms")
sys.modules.setdefault("torchvision", _tv)
sys.modules.setdefault("torchvision.transforms", _tv.transforms)
_inception = types.ModuleType("pytorch_fid.inception")


class _InceptionStandIn:
    BLOCK_INDEX_BY_DIM = {2048: 3}


_inception.InceptionV3 = _InceptionStandIn
sys.modules.setdefault("pytorch_fid.inception", _inception)
import pytorch_fid  # noqa: E402
from pytorch_fid.fid_score import calculate_frechet_distance  # noqa: E402

assert pytorch_fid.__version__ == "0.3.0", pytorch_fid.__version__

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "MuseImageTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)
FASHION = "/usr/share/datasets/fashion-mnist"


def save_npy(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array, dtype=np.float32))


def write_png_by_hand(path, samples, bit_depth):
    """samples: [h, w, c] uint8/uint16; c = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA."""
    h, w, c = samples.shape
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    dtype = ">u2" if bit_depth == 16 else "u1"
    raw = b"".join(b"\x00" + samples[y].astype(dtype).tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def png_fixtures(rng):
    h, w = 5, 7
    cases = []
    for channels, mode in [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")]:
        # 8-bit, written by Pillow.
        a8 = rng.integers(0, 256, size=(h, w, channels), dtype=np.uint8)
        if channels in (2, 4):
            a8[0, :, -1] = 255  # a row of opaque pixels
            a8[1, :, -1] = 0  # and one of transparent ones (colour kept by straight alpha)
        name = f"png_{mode.lower()}_8"
        img = Image.fromarray(a8[:, :, 0] if channels == 1 else a8, mode)
        img.save(os.path.join(OUT, name + ".png"))
        back = np.asarray(Image.open(os.path.join(OUT, name + ".png")))
        assert np.array_equal(back.reshape(h, w, channels), a8), name
        save_npy(name, a8)
        cases.append({"name": name, "channels": channels, "bitDepth": 8, "writer": "pillow"})
        # 16-bit, written by hand. Alpha is either 65535 (opaque) or ≥ 32768, where libpng's
        # premultiplied 16-bit output divides back to within 1 unit.
        a16 = rng.integers(0, 65536, size=(h, w, channels), dtype=np.uint16)
        if channels in (2, 4):
            a16[:, :, -1] = rng.integers(32768, 65536, size=(h, w), dtype=np.uint16)
            a16[0, :, -1] = 65535
        name = f"png_{mode.lower()}_16"
        write_png_by_hand(os.path.join(OUT, name + ".png"), a16, 16)
        save_npy(name, a16)
        cases.append({"name": name, "channels": channels, "bitDepth": 16, "writer": "by hand"})
    # Palette with transparency and 1-bit grey, written by Pillow, read back by Pillow as RGBA / L.
    pal = rng.integers(0, 4, size=(h, w), dtype=np.uint8)
    img = Image.fromarray(pal, "P")
    img.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 250, 250, 250])
    img.save(os.path.join(OUT, "png_palette_trns.png"), transparency=bytes([255, 255, 255, 0]))
    rgba = np.asarray(Image.open(os.path.join(OUT, "png_palette_trns.png")).convert("RGBA"))
    save_npy("png_palette_trns", rgba)
    cases.append({"name": "png_palette_trns", "channels": 4, "bitDepth": 8, "writer": "pillow"})
    bits = rng.integers(0, 2, size=(h, w), dtype=np.uint8) * 255
    Image.fromarray(bits, "L").convert("1").save(os.path.join(OUT, "png_bilevel.png"))
    grey = np.asarray(Image.open(os.path.join(OUT, "png_bilevel.png")).convert("L"))
    save_npy("png_bilevel", grey.reshape(h, w, 1))
    cases.append({"name": "png_bilevel", "channels": 1, "bitDepth": 8, "writer": "pillow"})
    return cases


def jpeg_fixtures(rng):
    h, w = 12, 16
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 15, y * 20, (x + y) * 8], axis=-1) + rng.integers(0, 40, size=(h, w, 3))
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "jpeg_rgb.jpg"), quality=90)
    save_npy("jpeg_rgb", np.asarray(Image.open(os.path.join(OUT, "jpeg_rgb.jpg"))))
    grey = np.clip(x * 12 + y * 9 + rng.integers(0, 30, size=(h, w)), 0, 255).astype(np.uint8)
    Image.fromarray(grey, "L").save(os.path.join(OUT, "jpeg_grey.jpg"), quality=90)
    save_npy("jpeg_grey", np.asarray(Image.open(os.path.join(OUT, "jpeg_grey.jpg"))).reshape(h, w, 1))


def resize_fixtures(rng):
    src = rng.integers(0, 256, size=(15, 20, 3), dtype=np.uint8)
    save_npy("resize_source", src)
    grey = np.asarray(Image.fromarray(src, "RGB").convert("L"))
    save_npy("convert_l", grey.reshape(15, 20, 1))
    cases = []
    for (w, h) in [(7, 5), (31, 23), (20, 6), (9, 15)]:
        out = np.asarray(Image.fromarray(src, "RGB").resize((w, h), Image.BILINEAR))
        name = f"resize_{w}x{h}"
        save_npy(name, out)
        cases.append({"name": name, "width": w, "height": h})
    return cases


def fid_fixtures(rng):
    cases = []
    for name, d, n1, n2 in [("fid_d8", 8, 200, 150), ("fid_d32", 32, 120, 100), ("fid_d64", 64, 100, 90)]:
        mix1 = rng.normal(size=(d, d)) / np.sqrt(d)
        mix2 = rng.normal(size=(d, d)) / np.sqrt(d)
        f1 = (rng.normal(size=(n1, d)) @ mix1 + rng.normal(size=d)).astype(np.float32)
        f2 = (1.5 * rng.normal(size=(n2, d)) @ mix2 + 0.5).astype(np.float32)
        save_npy(name + "_a", f1)
        save_npy(name + "_b", f2)
        a, b = f1.astype(np.float64), f2.astype(np.float64)
        mu1, s1 = np.mean(a, axis=0), np.cov(a, rowvar=False)
        mu2, s2 = np.mean(b, axis=0), np.cov(b, rowvar=False)
        fid = float(calculate_frechet_distance(mu1, s1, mu2, s2))
        cases.append({"name": name, "dimension": d, "countA": n1, "countB": n2, "frechetDistance": fid,
                      "traceCovarianceA": float(np.trace(s1)), "meanA0": float(mu1[0])})
    return cases


def idx_fixtures(rng):
    """A tiny gzip IDX pair in Fashion-MNIST's layout: 3 pictures of 4 x 5, and their labels."""
    pixels = rng.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    header = struct.pack(">BBBBIII", 0, 0, 8, 3, 3, 4, 5)
    with open(os.path.join(OUT, "tiny-images-idx3-ubyte.gz"), "wb") as f:
        f.write(gzip.compress(header + pixels.tobytes(), mtime=0))
    with open(os.path.join(OUT, "tiny-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(gzip.compress(struct.pack(">BBBBI", 0, 0, 8, 1, 3) + labels.tobytes(), mtime=0))
    with open(os.path.join(OUT, "tiny-images-idx3-ubyte"), "wb") as f:
        f.write(header + pixels.tobytes())
    save_npy("tiny_images", pixels)
    save_npy("tiny_labels", labels)


def fashion_facts():
    images_path = os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")
    labels_path = os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz")
    if not os.path.exists(images_path):
        print("dataset-fashion-mnist is not installed: fashion_mnist_t10k.json not regenerated")
        return
    with gzip.open(images_path) as f:
        raw = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", raw[:16])
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows, cols)
    with gzip.open(labels_path) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    facts = {
        "magic": magic, "count": count, "rows": rows, "columns": cols,
        "firstLabels": labels[:20].tolist(),
        "labelCounts": np.bincount(labels, minlength=10).tolist(),
        "pixelSum": int(images.astype(np.int64).sum()),
        "firstImageSum": int(images[0].astype(np.int64).sum()),
        "firstImageRow14": images[0, 14].tolist(),
        "lastImageSum": int(images[-1].astype(np.int64).sum()),
    }
    with open(os.path.join(OUT, "fashion_mnist_t10k.json"), "w") as f:
        json.dump(facts, f, indent=1)


def main():
    rng = np.random.default_rng(20240607)
    manifest = {"png": png_fixtures(rng), "resize": resize_fixtures(rng), "frechet": fid_fixtures(rng)}
    jpeg_fixtures(rng)
    idx_fixtures(rng)
    with open(os.path.join(OUT, "image_cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    fashion_facts()
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
