#!/usr/bin/env python3
"""Writes the fuzz target's seed inputs (fuzz/seeds/idx/, ~3 KB in all) from the first
bytes of the real MNIST test files (MNIST_DIR, default www/data).

Each seed is what fuzz_targets/idx.rs reads: a 2-byte big-endian image-file length, the
image file, the label file."""
import os
import struct
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.environ.get("MNIST_DIR", os.path.join(root, "www", "data"))
out = os.path.join(root, "fuzz", "seeds", "idx")
PIXELS = 28 * 28


def read(name, n):
    with open(os.path.join(data, name), "rb") as f:
        return f.read(n)


def with_count(header, count):
    return header[:4] + struct.pack(">I", count) + header[8:]


images = read("t10k-images-idx3-ubyte", 16 + 2 * PIXELS)
labels = read("t10k-labels-idx1-ubyte", 8 + 2)


def pair(count, real_counts=False):
    """The first `count` real images and labels, headers saying `count` (or 10,000)."""
    ih, lh = images[:16], labels[:8]
    if not real_counts:
        ih, lh = with_count(ih, count), with_count(lh, count)
    img = ih + images[16 : 16 + count * PIXELS]
    lab = lh + labels[8 : 8 + count]
    return struct.pack(">H", len(img)) + img + lab


seeds = {
    "empty-files": pair(0),
    "one-image": pair(1),
    "two-images": pair(2),
    "real-headers-only": pair(0, real_counts=True),
    "real-headers-one-image": pair(1, real_counts=True),
}
os.makedirs(out, exist_ok=True)
for name, seed in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(seed)
print(f"{len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes in {out}", file=sys.stderr)
