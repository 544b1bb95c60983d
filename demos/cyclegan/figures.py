"""The CycleGAN tab's pictures, drawn with Pillow (no pyplot): enlarged digits, change maps with their colour bar,
and the test strip with the classifier's verdict under each digit."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from core.images import colorize, font_of, shared_scale, with_colorbar

RIGHT, WRONG = (22, 130, 60), (200, 30, 30)


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Pixels repeated ``factor`` times each way (no smoothing: a digit's pixels stay visible)."""
    return np.kron(image, np.ones((factor, factor), np.uint8)) if image.ndim == 2 else \
        image.repeat(factor, axis=0).repeat(factor, axis=1)


def change_scale(*maps: np.ndarray) -> tuple[float, float]:
    """One scale for change maps that are compared: 0 up to their 99.5th percentile (at least 0.05, so a
    near-perfect reconstruction looks dark, not noisy)."""
    _, high = shared_scale(*maps, percentile=99.5)
    return 0.0, max(high, 0.05)


def change_map(error: np.ndarray, scale: tuple[float, float], factor: int = 1) -> np.ndarray:
    """A map of |a − b| (values in [0, 1]) in colour, with its colour bar."""
    return with_colorbar(colorize(enlarge(error, factor) if factor > 1 else error, scale), scale)


def strip(rows: list[np.ndarray], readings: list[np.ndarray], labels: np.ndarray, zoom: int = 3) -> np.ndarray:
    """Rows of digits (each (N, 28, 28) uint8) side by side; under each, the digit the classifier reads, large
    enough for a phone: green when it is the true label, red (and framed) when it is another."""
    count, side = len(labels), 28 * zoom
    band, gap = side * 2 // 3, 4
    width, height = count * (side + gap) + gap, gap + len(rows) * (side + band + gap)
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    font = font_of(band - 8)
    for r, (images, read) in enumerate(zip(rows, readings)):
        top = gap + r * (side + band + gap)
        for c in range(count):
            left = gap + c * (side + gap)
            canvas.paste(Image.fromarray(enlarge(images[c], zoom)), (left, top))
            right = int(read[c]) == int(labels[c])
            colour = RIGHT if right else WRONG
            if not right:
                draw.rectangle([left - 2, top - 2, left + side + 1, top + side + 1], outline=colour, width=3)
            draw.text((left + side // 2, top + side + band // 2), str(int(read[c])), fill=colour, font=font,
                      anchor="mm")
    return np.asarray(canvas)
