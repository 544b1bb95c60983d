"""Held-out digits drawn the way a student draws them: sharp strokes on the 280×280 canvas, made by a stroke
generator that nothing in training used (the digits pair and its style judge saw scikit-learn's 8×8 scans, up-scaled,
and font renders: core/data/digits.py).

Recipe (``drawn_digits(count, seed)``): for each digit one of a few stroke templates (polylines, elliptic arcs and
Bézier curves in a unit box: a 1 with or without a flag, a 7 with or without a bar, an open or closed 4, …), then
random per-digit width and height, slant (shear), rotation, a smooth elastic displacement of every stroke point (a
random 4×4 grid of offsets, interpolated), and a pen 7–26 px wide on a 280×280 canvas, the size of the tab's
sketchpad, dark ink on white, drawn at twice the size and reduced (anti-aliased like a browser canvas). Each
drawing then goes the way of a drawing on the page: ``core.ui.drawing_to_gray`` on the sketchpad's value, then
``normalize_digit`` (28×28, fitted in 20×20, centred by mass). Deterministic for a seed; made here for the tests
and results.json, never used for training or to pick a threshold (the style judge's temperature is fitted on the
training digits' validation split). Licence: MIT, like the project's code.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from core.data.digits import normalize_digit

CANVAS = 280
SUPERSAMPLE = 2
SEED = 19


def _arc(cx, cy, rx, ry, start, stop, n=24):
    """Points of an elliptic arc, angles in degrees (0 = right, 90 = down: y grows downwards)."""
    theta = np.radians(np.linspace(start, stop, n))
    return np.stack([cx + rx * np.cos(theta), cy + ry * np.sin(theta)], 1)


def _bezier(*points, n=20):
    p = np.asarray(points, float)
    s = np.linspace(0, 1, n)[:, None]
    if len(p) == 3:
        return (1 - s) ** 2 * p[0] + 2 * (1 - s) * s * p[1] + s ** 2 * p[2]
    return (1 - s) ** 3 * p[0] + 3 * (1 - s) ** 2 * s * p[1] + 3 * (1 - s) * s ** 2 * p[2] + s ** 3 * p[3]


def _line(*points):
    return np.asarray(points, float)


def _join(*parts):
    return np.concatenate(parts)


#: Per digit, a few ways to draw it: each a list of strokes, each stroke an (n, 2) array of points in [0, 1]².
TEMPLATES = {
    0: [[_arc(0.5, 0.5, 0.3, 0.48, -80, 285)], [_arc(0.5, 0.5, 0.26, 0.47, 100, 465)]],
    1: [[_line((0.5, 0.0), (0.5, 1.0))],
        [_line((0.3, 0.2), (0.55, 0.0), (0.55, 1.0))],
        [_line((0.32, 0.18), (0.52, 0.0), (0.52, 1.0)), _line((0.3, 1.0), (0.75, 1.0))]],
    2: [[_join(_arc(0.5, 0.27, 0.28, 0.26, 195, 360), _bezier((0.78, 0.27), (0.75, 0.55), (0.2, 1.0)),
               _line((0.2, 1.0), (0.85, 1.0)))],
        [_join(_arc(0.48, 0.3, 0.3, 0.28, 200, 380), _line((0.72, 0.47), (0.18, 0.98), (0.86, 0.96)))]],
    3: [[_arc(0.47, 0.26, 0.27, 0.24, -160, 90), _arc(0.47, 0.74, 0.3, 0.26, -90, 155)],
        [_join(_arc(0.47, 0.26, 0.27, 0.24, -160, 90), _arc(0.47, 0.74, 0.3, 0.26, -90, 155))],
        [_join(_line((0.2, 0.0), (0.78, 0.0), (0.42, 0.42)), _arc(0.48, 0.7, 0.3, 0.28, -100, 160))]],
    4: [[_line((0.62, 0.0), (0.12, 0.66), (0.88, 0.66)), _line((0.65, 0.3), (0.65, 1.0))],
        [_line((0.25, 0.0), (0.2, 0.6), (0.85, 0.6)), _line((0.7, 0.0), (0.7, 1.0))]],
    5: [[_line((0.8, 0.0), (0.3, 0.0), (0.25, 0.45)), _arc(0.48, 0.68, 0.31, 0.31, -140, 150)],
        [_join(_line((0.28, 0.0), (0.24, 0.44)), _arc(0.48, 0.68, 0.3, 0.3, -140, 155)),
         _line((0.28, 0.0), (0.82, 0.02))]],
    6: [[_join(_bezier((0.72, 0.02), (0.3, 0.1), (0.18, 0.55), (0.25, 0.78)), _arc(0.5, 0.72, 0.27, 0.27, 170, 530))],
        [_join(_line((0.68, 0.0), (0.26, 0.62)), _arc(0.5, 0.73, 0.26, 0.26, 200, 560))]],
    7: [[_line((0.15, 0.0), (0.85, 0.0), (0.4, 1.0))],
        [_line((0.15, 0.0), (0.85, 0.0), (0.45, 1.0)), _line((0.35, 0.52), (0.8, 0.5))],
        [_join(_line((0.12, 0.12), (0.15, 0.0), (0.86, 0.0)), _bezier((0.86, 0.0), (0.55, 0.4), (0.45, 1.0)))]],
    8: [[_arc(0.5, 0.25, 0.23, 0.24, 0, 360), _arc(0.5, 0.73, 0.29, 0.26, 0, 360)],
        [_join(_bezier((0.72, 0.12), (0.5, -0.1), (0.1, 0.05), (0.5, 0.48)),
               _bezier((0.5, 0.48), (0.95, 0.8), (0.6, 1.05), (0.42, 1.0)),
               _bezier((0.42, 1.0), (0.1, 0.9), (0.25, 0.62), (0.5, 0.48)),
               _bezier((0.5, 0.48), (0.8, 0.3), (0.8, 0.15), (0.72, 0.12)))]],
    9: [[_arc(0.48, 0.3, 0.28, 0.28, 0, 360), _line((0.76, 0.3), (0.7, 1.0))],
        [_join(_arc(0.48, 0.3, 0.28, 0.28, 10, 370), _bezier((0.76, 0.35), (0.78, 0.8), (0.55, 1.0), (0.3, 0.95)))]],
}


def _elastic(points: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Every point moved by a smooth random field: offsets on a 4×4 grid over the box, bilinearly interpolated."""
    grid = rng.normal(0, amount, (2, 4, 4))
    u = np.clip(points[:, 0], 0, 1) * 3
    v = np.clip(points[:, 1], 0, 1) * 3
    i0, j0 = np.minimum(v.astype(int), 2), np.minimum(u.astype(int), 2)
    fv, fu = v - i0, u - j0
    out = points.copy()
    for axis in range(2):
        g = grid[axis]
        out[:, axis] += ((1 - fv) * (1 - fu) * g[i0, j0] + (1 - fv) * fu * g[i0, j0 + 1]
                         + fv * (1 - fu) * g[i0 + 1, j0] + fv * fu * g[i0 + 1, j0 + 1])
    return out


def draw_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One digit drawn on the canvas: (280, 280) uint8, dark ink on white, as the sketchpad gives it."""
    strokes = TEMPLATES[digit][int(rng.integers(len(TEMPLATES[digit])))]
    height = rng.uniform(130, 230)
    width = height * rng.uniform(0.55, 0.9)
    slant, angle = rng.uniform(-0.35, 0.2), np.radians(rng.uniform(-10, 10))
    elastic = rng.uniform(0.02, 0.06)
    pen = rng.uniform(7, 26)
    centre = np.array([CANVAS / 2, CANVAS / 2]) + rng.uniform(-25, 25, 2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    scale = SUPERSAMPLE
    canvas = Image.new("L", (CANVAS * scale, CANVAS * scale), 255)
    pencil = ImageDraw.Draw(canvas)
    radius = pen * scale / 2
    for stroke in strokes:
        p = _elastic(stroke + rng.normal(0, 0.01, stroke.shape), rng, elastic) - 0.5
        p = np.stack([(p[:, 0] - slant * p[:, 1]) * width, p[:, 1] * height], 1) @ rotation.T + centre
        p = np.clip(p, pen, CANVAS - pen) * scale
        pencil.line([tuple(q) for q in p], fill=0, width=int(round(2 * radius)), joint="curve")
        for end in (p[0], p[-1]):  # round caps, as a brush draws
            pencil.ellipse([end[0] - radius, end[1] - radius, end[0] + radius, end[1] + radius], fill=0)
    return np.asarray(canvas.resize((CANVAS, CANVAS), Image.LANCZOS))


def sketchpad_value(canvas: np.ndarray) -> dict:
    """What the tab's sketchpad (type='numpy', image_mode='L') sends for a drawing: its layers and composite."""
    return {"background": np.full_like(canvas, 255), "layers": [canvas], "composite": canvas}


def drawn_digits(count: int = 200, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``count`` drawings (labels 0-9 in turn): the canvases (count, 280, 280), the digits as the page puts them
    (count, 28, 28) through drawing_to_gray and normalize_digit, and the labels."""
    from core.ui import drawing_to_gray

    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    canvases = np.stack([draw_digit(int(d), rng) for d in labels])
    digits = np.stack([normalize_digit(drawing_to_gray(sketchpad_value(c))) for c in canvases])
    return canvases, digits, labels
