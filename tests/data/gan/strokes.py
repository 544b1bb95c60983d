"""Held-out digits for the GAN tab's claims, drawn with strokes (tests/test_gan_claims.py).

Not a copy of any data set and not made by the GAN: each digit is a few polylines written by hand for this test
(a template per digit, in a unit box), bent by a random affine map (rotation, shear, width), wobbled point by point,
drawn with a round pen of random width on a 112x112 canvas with PIL, and brought to 28x28 by the project's own
``core.data.digits.normalize_digit`` (the path a drawing on the app's canvas takes). ``scribbles`` draws 2-4 random
polylines: ink that is no digit. Everything comes from a seed: the set is generated, never stored.
Licence: this file is part of the project (MIT).
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from core.data.digits import normalize_digit

CANVAS = 112


def _circle(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, end: float = 2 * math.pi,
            points: int = 18) -> list[tuple[float, float]]:
    angles = np.linspace(start, end, points)
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


#: Strokes per digit in a unit box (x to the right, y down).
TEMPLATES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_circle(0.5, 0.5, 0.3, 0.45)],
    1: [[(0.32, 0.22), (0.52, 0.05), (0.52, 0.95)]],
    2: [[(0.2, 0.28), (0.32, 0.1), (0.55, 0.05), (0.75, 0.15), (0.78, 0.35), (0.2, 0.95), (0.85, 0.95)]],
    3: [[(0.2, 0.12), (0.55, 0.05), (0.78, 0.2), (0.7, 0.42), (0.42, 0.5), (0.75, 0.6), (0.82, 0.8), (0.6, 0.95),
         (0.2, 0.88)]],
    4: [[(0.62, 0.95), (0.62, 0.05), (0.15, 0.68), (0.88, 0.68)]],
    5: [[(0.8, 0.05), (0.3, 0.05), (0.25, 0.45), (0.6, 0.4), (0.8, 0.6), (0.72, 0.88), (0.45, 0.95), (0.2, 0.85)]],
    6: [[(0.72, 0.05), (0.4, 0.3), (0.25, 0.62)] + _circle(0.5, 0.7, 0.26, 0.24, math.pi, 3 * math.pi)],
    7: [[(0.15, 0.08), (0.85, 0.08), (0.42, 0.95)]],
    8: [_circle(0.5, 0.27, 0.2, 0.21), _circle(0.5, 0.72, 0.26, 0.23)],
    9: [_circle(0.48, 0.3, 0.26, 0.24, 0, 2 * math.pi) + [(0.74, 0.3), (0.68, 0.95)]],
}


def _draw(strokes: list[list[tuple[float, float]]], rng: np.random.Generator, wobble: float) -> np.ndarray:
    angle, shear = rng.uniform(-0.2, 0.2), rng.uniform(-0.25, 0.25)
    width_scale = rng.uniform(0.7, 1.15)
    matrix = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]) @ np.array(
        [[width_scale, shear], [0.0, 1.0]])
    pen = int(rng.integers(7, 15))
    picture = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(picture)
    for stroke in strokes:
        points = (np.asarray(stroke) - 0.5) @ matrix.T + rng.normal(0, wobble, (len(stroke), 2))
        pixels = [(float(x), float(y)) for x, y in (points * 0.7 + 0.5) * CANVAS]
        draw.line(pixels, fill=255, width=pen, joint="curve")
        for x, y in (pixels[0], pixels[-1]):  # round pen ends
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=255)
    return normalize_digit(np.asarray(picture), ink_is_dark=False)


def stroke_digits(per_digit: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``per_digit`` drawings of each digit 0-9: images (N, 28, 28) uint8 and labels (N,)."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for digit in range(10):
        for _ in range(per_digit):
            images.append(_draw(TEMPLATES[digit], rng, wobble=0.025))
            labels.append(digit)
    return np.stack(images), np.array(labels)


def scribbles(count: int, seed: int = 0) -> np.ndarray:
    """``count`` pictures of 2-4 random polylines (3-6 points each): ink, but no digit."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        strokes = [[tuple(p) for p in rng.uniform(0, 1, (int(rng.integers(3, 7)), 2))]
                   for _ in range(int(rng.integers(2, 5)))]
        out.append(_draw(strokes, rng, wobble=0.0))
    return np.stack(out)
