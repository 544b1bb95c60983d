"""Heat maps as pictures, without pyplot: a colour-map lookup, an overlay on the input image, and a
colour bar with its numbers, all ``uint8`` RGB arrays that ``gr.Image`` shows as they are.

Panels that are compared (saliency vs SmoothGrad, |x - F(G(x))| each way) must share one scale,
or the eye compares colours that mean different numbers: ``shared_scale`` gives that scale, and
every panel drawn with it carries the same colour bar.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core import ROOT

#: The example photos several tabs offer (scikit-image's sample photos; sources and licences in LICENSE.md there).
EXAMPLES = Path(ROOT) / "assets" / "examples"


def example_photos(names) -> list[np.ndarray]:
    """The shipped example photos ``names`` that are present, in that order, as uint8 RGB arrays."""
    return [np.asarray(Image.open(EXAMPLES / name).convert("RGB")) for name in names if (EXAMPLES / name).is_file()]


@functools.lru_cache(maxsize=16)
def colormap_lut(name: str = "inferno") -> np.ndarray:
    """(256, 3) uint8 lookup table of a matplotlib colour map (only the colour map, no figure)."""
    import matplotlib

    return np.rint(matplotlib.colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)


def shared_scale(*heats: np.ndarray, symmetric: bool = False, percentile: float = 100.0) -> tuple[float, float]:
    """One (low, high) for several heat maps. ``symmetric`` centres signed maps on 0;
    ``percentile`` < 100 stops a single hot pixel from washing the rest out."""
    values = np.concatenate([np.asarray(h, dtype=np.float64).ravel() for h in heats]) if heats else np.zeros(1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if symmetric:
        high = float(np.percentile(np.abs(values), percentile))
        high = high if high > 0 else 1.0
        return -high, high
    low, high = float(values.min()), float(np.percentile(values, percentile))
    return (low, high) if high > low else (low, low + 1.0)


def colorize(heat: np.ndarray, scale: tuple[float, float], cmap: str = "inferno") -> np.ndarray:
    """2-D values -> (H, W, 3) uint8 colours; values outside ``scale`` take the end colours, NaN the lowest."""
    low, high = scale
    heat = np.asarray(heat, dtype=np.float64)
    unit = np.clip((np.nan_to_num(heat, nan=low) - low) / (high - low), 0.0, 1.0)
    return colormap_lut(cmap)[np.rint(unit * 255).astype(np.intp)]


def _rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.dtype != np.uint8:
        image = np.clip(np.rint(image * 255 if image.max() <= 1.0 else image), 0, 255).astype(np.uint8)
    return image[..., :3]


def _resize(array: np.ndarray, size: tuple[int, int], smooth: bool) -> np.ndarray:
    """Resize a 2-D float array to (height, width)."""
    height, width = size
    if array.shape == (height, width):
        return array
    resample = Image.BILINEAR if smooth else Image.NEAREST
    return np.asarray(Image.fromarray(array.astype(np.float32), mode="F").resize((width, height), resample))


def overlay(image: np.ndarray, heat: np.ndarray, scale: tuple[float, float], *, cmap: str = "inferno",
            alpha: float = 0.55, smooth: bool = True, colorbar: bool = True) -> np.ndarray:
    """The heat map blended over the image (grey or RGB, uint8 or 0-1 floats), with its colour bar on the right.

    A heat map of another size (a 7x7 Grad-CAM, a 28x28 saliency) is stretched to the image first."""
    base = _rgb(image)
    colours = colorize(_resize(np.asarray(heat, dtype=np.float64), base.shape[:2], smooth), scale, cmap)
    blended = np.rint((1 - alpha) * base + alpha * colours).astype(np.uint8)
    return with_colorbar(blended, scale, cmap) if colorbar else blended


def font_of(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)  # Pillow's own scalable font: the same on every machine
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def _tick(value: float, span: float) -> str:
    if value == 0:
        return "0"
    if span >= 100 or span < 0.01:
        return f"{value:.1e}"
    return f"{value:.2f}" if span < 10 else f"{value:.0f}"


def colorbar(scale: tuple[float, float], height: int, *, cmap: str = "inferno", ticks: int = 3) -> np.ndarray:
    """A vertical colour bar (high at the top) with its numbers, ``height`` pixels tall, on white."""
    low, high = scale
    # A panel is shown smaller than its pixels (a 224-pixel digit panel at ~150 on a projector): a seventh of the
    # height, three numbers (the ends and the middle), readable from the back of a room
    font_size = max(14, height // 7)
    bar_width, pad = max(12, height // 16), font_size // 2
    labels = [_tick(v, high - low) for v in np.linspace(high, low, ticks)]
    font = font_of(font_size)
    text_width = max(int(np.ceil(font.getlength(text))) for text in labels)
    canvas = Image.new("RGB", (pad + bar_width + pad + text_width + pad, height), "white")
    inner = height - font_size  # half a text line of room at each end for the first and last label
    gradient = colorize(np.linspace(high, low, inner)[:, None].repeat(bar_width, 1), scale, cmap)
    canvas.paste(Image.fromarray(gradient), (pad, font_size // 2))
    draw = ImageDraw.Draw(canvas)
    for text, y in zip(labels, np.linspace(font_size // 2, font_size // 2 + inner - 1, ticks)):
        draw.line([(pad + bar_width, y), (pad + bar_width + pad // 2, y)], fill="black")
        draw.text((pad + bar_width + pad, y), text, fill="black", font=font, anchor="lm")
    return np.asarray(canvas)


def with_colorbar(panel: np.ndarray, scale: tuple[float, float], cmap: str = "inferno") -> np.ndarray:
    """``panel`` with the colour bar of ``scale`` beside it (same height)."""
    panel = _rgb(panel)
    bar = colorbar(scale, panel.shape[0], cmap=cmap)
    return np.concatenate([panel, bar], axis=1)
