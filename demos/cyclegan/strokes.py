"""Sharp-stroke versions of the handwritten training scans, for domain A of the digits pair.

The scans (scikit-learn's 8×8 grids scaled back up) are blurry, so a digit drawn with sharp strokes on the canvas
looked typeset to the pair. Each scan here is redrawn as a pen would draw it: scaled up ×4, bent (a random slant,
rotation and a smooth elastic field), thresholded, thinned to its centre line (Zhang-Suen), drawn again along that
line with a random pen width (anti-aliased), sometimes lightly blurred, and put in 28×28 by normalize_digit. The
handwriting's shapes stay the scans'; only the pen changes. Made from the training split only; the held-out drawn
digits (drawn.py) are made by a different generator and never used here.
"""
from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from core.data.digits import normalize_digit

UP = 4  # the scale the strokes are redrawn at (28 -> 112)
#: The pen width as a share of the digit's height, and the blur (pixels of the 28×28 digit), drawn uniformly.
PEN = (0.04, 0.17)
BLUR = (0.0, 0.9)


def thin(ink: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning (1984) of a binary picture: the one-pixel-wide centre line of its strokes."""
    img = np.pad(np.asarray(ink, bool), 1).astype(np.uint8)
    while True:
        changed = False
        for step in range(2):
            p = [np.roll(np.roll(img, -dy, 0), -dx, 1) for dy, dx in
                 ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))]  # P2..P9
            neighbours = sum(p)
            transitions = sum(((p[k] == 0) & (p[(k + 1) % 8] == 1)).astype(np.uint8) for k in range(8))
            if step == 0:
                c1, c2 = p[0] * p[2] * p[4], p[2] * p[4] * p[6]
            else:
                c1, c2 = p[0] * p[2] * p[6], p[0] * p[4] * p[6]
            remove = (img == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & (c1 == 0) & (c2 == 0)
            if remove.any():
                img[remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def warp(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random slant, rotation and smooth elastic distortion of a (H, W) float picture (bilinear)."""
    h, w = picture.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    slant, angle = rng.uniform(-0.3, 0.3), np.radians(rng.uniform(-12, 12))
    y, x = yy - cy, xx - cx
    # the output pixel (y, x) reads the input at the inverse map: rotate back, then undo the slant
    ry, rx = np.cos(angle) * y - np.sin(angle) * x, np.sin(angle) * y + np.cos(angle) * x
    sy, sx = ry, rx + slant * ry
    field = [ndimage.gaussian_filter(rng.normal(0, 1, (h, w)), h / 8) for _ in range(2)]
    strength = rng.uniform(0.0, 0.06) * h / max(float(np.abs(field[0]).max()), float(np.abs(field[1]).max()), 1e-9)
    coords = [sy + cy + strength * field[0], sx + cx + strength * field[1]]
    return ndimage.map_coordinates(picture, coords, order=1, mode="constant", cval=0.0)


def sharp_version(scan: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One 28×28 handwritten scan (bright ink, uint8) redrawn with a sharp pen: 28×28 uint8, bright ink."""
    size = scan.shape[0] * UP
    big = np.asarray(Image.fromarray(np.asarray(scan, np.uint8)).resize((size, size), Image.BICUBIC), np.float64)
    big = warp(big, rng)
    ink = big > rng.uniform(0.2, 0.4) * big.max()
    line = thin(ink)
    if line.sum() < 4:
        line = ink
    rows = np.flatnonzero(line.any(1))
    height = rows[-1] - rows[0] + 1
    radius = rng.uniform(*PEN) * height / 2
    distance = ndimage.distance_transform_edt(~line)
    drawn = np.clip(radius + 0.5 - distance, 0, 1) * 255
    digit = normalize_digit(drawn, ink_is_dark=False).astype(np.float64)
    blur = rng.uniform(*BLUR)
    if blur > 0.05:
        digit = ndimage.gaussian_filter(digit, blur)
        digit = digit * 255 / max(digit.max(), 1)
    return np.uint8(np.clip(np.rint(digit), 0, 255))


def sharp_versions(scans: np.ndarray, copies: int, seed: int) -> np.ndarray:
    """``copies`` sharp versions of every scan (N, 28, 28) uint8 -> (copies·N, 28, 28), scan by scan in order,
    deterministic for a seed."""
    rng = np.random.default_rng(seed)
    return np.stack([sharp_version(scan, rng) for _ in range(copies) for scan in scans])
