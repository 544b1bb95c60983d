"""Digits drawn with pen strokes: the tab's held-out set, made differently from everything the students see.

The training and test digits (``core.data.digits``) are scikit-learn's 8x8 scans, enlarged, and font
renders. These are neither: each digit is a skeleton of strokes written here (lines, arcs and curves in
a unit box, a few shapes per digit: a 1 with or without a flag, an open or closed 4, a 7 with or
without a bar), bent by random jitter of every control point, slanted, rotated and squeezed, then
drawn with a round pen of random width on a large canvas, the way a student draws on the tab's
canvas, and put in 28x28 by the same ``normalize_digit`` a drawing goes through.

    python -m demos.distillation.strokes  # writes a preview (tests/artifacts/strokes.png)

Deterministic for a seed (numpy's PCG64 and PIL's line drawing); about 0.5 s for 500 digits.
No data from anywhere else; written for this project (MIT).
"""
from __future__ import annotations

import functools
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from core.data.digits import normalize_digit

CANVAS = 160
#: Seeds of the shipped held-out set. The seed is not one the training digits or tests tuned anything on.
HELD_OUT_SEED, HELD_OUT_PER_DIGIT = 2019, 50


def _arc(cx, cy, rx, ry, start, end, steps=28):
    """Points of an ellipse arc, angles in degrees, y pointing down (90 = bottom, 270 = top)."""
    angles = np.radians(np.linspace(start, end, steps))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


def _curve(p0, p1, p2, steps=20):
    """A quadratic Bezier curve from p0 to p2, pulled towards p1."""
    s = np.linspace(0, 1, steps)[:, None]
    points = (1 - s) ** 2 * np.array(p0) + 2 * s * (1 - s) * np.array(p1) + s**2 * np.array(p2)
    return [tuple(p) for p in points]


def _skeleton(digit: int, variant: int, jitter) -> list[list[tuple[float, float]]]:
    """The strokes of one digit in a unit box (x right, y down); ``jitter(v, size)`` perturbs a number."""
    j = jitter
    if digit == 0:
        start = j(270, 15)
        return [_arc(j(0.5, .03), j(0.5, .03), j(0.3, .05), j(0.45, .04), start, start + j(365, 12), 40)]
    if digit == 1:
        strokes = [[(j(0.52, .04), j(0.05, .03)), (j(0.48, .04), j(0.95, .03))]]
        if variant >= 1:  # a flag
            strokes[0].insert(0, (j(0.3, .05), j(0.25, .05)))
        if variant == 2:  # and a base
            strokes.append([(j(0.3, .04), j(0.95, .02)), (j(0.7, .04), j(0.95, .02))])
        return strokes
    if digit == 2:
        top = _arc(j(0.5, .03), j(0.3, .03), j(0.28, .04), j(0.24, .03), j(190, 12), j(375, 12))
        corner = (j(0.18, .04), j(0.95, .03))
        if variant == 1:  # a small loop at the bottom-left corner
            loop = _arc(corner[0] + 0.06, corner[1] - 0.05, 0.07, 0.05, 0, 360, 14)
            return [top + [corner] + loop + [(j(0.82, .05), j(0.93, .03))]]
        return [top + [corner, (j(0.82, .05), j(0.95, .03))]]
    if digit == 3:
        upper = _arc(j(0.48, .03), j(0.28, .03), j(0.26, .04), j(0.23, .03), j(200, 15), 450)
        lower = _arc(upper[-1][0], j(0.72, .03), j(0.3, .04), j(0.24, .03), 270, j(505, 12))
        return [upper + lower] if variant == 0 else [upper, lower]
    if digit == 4:
        bar_y = j(0.64, .04)
        stem_x = j(0.66, .04)
        if variant == 0:  # closed: the diagonal meets the bar
            return [[(j(0.62, .04), j(0.05, .03)), (j(0.15, .04), bar_y), (j(0.88, .04), bar_y)],
                    [(stem_x, j(0.3, .06)), (stem_x, j(0.97, .02))]]
        return [[(j(0.22, .04), j(0.05, .03)), (j(0.18, .04), bar_y), (j(0.88, .04), bar_y)],  # open
                [(stem_x, j(0.05, .03)), (stem_x, j(0.97, .02))]]
    if digit == 5:
        belly = _arc(j(0.48, .03), j(0.68, .03), j(0.3, .04), j(0.26, .03), j(215, 10), j(510, 12))
        neck = [(j(0.3, .04), j(0.05, .03)), (belly[0][0] - 0.02, belly[0][1])]
        roof = [(neck[0][0], neck[0][1]), (j(0.78, .05), j(0.05, .03))]
        return [neck + belly, roof] if variant == 0 else [roof[::-1] + neck + belly]
    if digit == 6:
        cx, cy, rx, ry = j(0.5, .03), j(0.7, .03), j(0.27, .04), j(0.24, .03)
        stem = _curve((j(0.72, .05), j(0.05, .03)), (j(0.22, .05), j(0.3, .05)), (cx - rx, cy))
        return [stem + _arc(cx, cy, rx, ry, 180, j(-180, 15), 36)]
    if digit == 7:
        corner = (j(0.8, .04), j(0.05, .03))
        strokes = [[(j(0.2, .04), j(0.06, .03)), corner, (j(0.42, .06), j(0.95, .03))]]
        if variant == 1:  # a bar across
            strokes.append([(j(0.38, .04), j(0.5, .03)), (j(0.78, .04), j(0.5, .03))])
        return strokes
    if digit == 8:
        upper = _arc(j(0.5, .03), j(0.27, .03), j(0.22, .04), j(0.22, .03), 90, 450, 32)
        lower = _arc(upper[0][0], upper[0][1] + j(0.24, .03), j(0.27, .04), j(0.24, .03), 270, 630, 32)
        return [upper, lower] if variant == 0 else [upper + lower]
    if digit == 9:
        cx, cy, rx, ry = j(0.48, .03), j(0.3, .03), j(0.27, .04), j(0.24, .03)
        loop = _arc(cx, cy, rx, ry, 0, j(360, 10), 36)
        if variant == 0:  # a straight tail
            tail = [(cx + rx, cy), (j(0.72, .05), j(0.96, .03))]
        else:  # a curved one
            tail = _curve((cx + rx, cy), (j(0.78, .05), j(0.8, .05)), (j(0.4, .05), j(0.96, .03)))
        return [loop + tail]
    raise ValueError(f"not a digit: {digit}")


VARIANTS = {0: 1, 1: 3, 2: 2, 3: 2, 4: 2, 5: 2, 6: 1, 7: 2, 8: 2, 9: 2}


def draw_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One stroke-drawn digit, 28x28 uint8, bright ink (the data set's convention)."""
    jitter = lambda value, size: value + size * float(rng.standard_normal())  # noqa: E731
    strokes = _skeleton(digit, int(rng.integers(VARIANTS[digit])), jitter)
    # Slant, rotation and width of the hand: one affine map for the whole digit.
    angle, shear = math.radians(rng.uniform(-12, 12)), rng.uniform(-0.3, 0.15)
    squeeze = rng.uniform(0.7, 1.2)
    cos, sin = math.cos(angle), math.sin(angle)
    scale = CANVAS * 0.6

    def place(point):
        x, y = (point[0] - 0.5) * squeeze, point[1] - 0.5
        x += shear * y
        return (CANVAS / 2 + scale * (cos * x - sin * y), CANVAS / 2 + scale * (sin * x + cos * y))

    pen = int(round(scale * rng.uniform(0.07, 0.15)))
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in strokes:
        points = [place(p) for p in stroke]
        draw.line(points, fill=255, width=pen, joint="curve")
        for x, y in (points[0], points[-1]):  # round pen ends
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=255)
    canvas = canvas.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 2.0))))
    return normalize_digit(np.asarray(canvas), ink_is_dark=False)


def stroke_digits(per_digit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per_digit`` drawings of each digit 0-9: images (N, 28, 28) uint8 and labels (N,), in digit order."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), per_digit)
    return np.stack([draw_digit(int(d), rng) for d in labels]), labels.astype(np.int64)


@functools.lru_cache(maxsize=1)
def held_out() -> tuple[np.ndarray, np.ndarray]:
    """The held-out set the results and the claims tests use: 50 drawings of each digit."""
    return stroke_digits(HELD_OUT_PER_DIGIT, HELD_OUT_SEED)


def preview(path) -> None:
    images, _ = stroke_digits(12, HELD_OUT_SEED)
    rows = images.reshape(10, 12, 28, 28).transpose(0, 2, 1, 3).reshape(280, 12 * 28)
    Image.fromarray(rows).resize((12 * 56, 560), Image.NEAREST).save(path)


if __name__ == "__main__":
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "tests" / "artifacts" / "strokes.png"
    out.parent.mkdir(exist_ok=True)
    preview(out)
    print(out)
