"""The CycleGAN tab's science: translate an image with G (A→B) and F (B→A), reconstruct it (F(G(x))), measure the
cycle error |x − F(G(x))| and the identity change |G(b) − b|, and check that a translation keeps the content (the
digit a classifier reads). Generators come in as arguments; pictures go in and out as uint8 arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.data.digits import to_tensor


def image_tensor(image: np.ndarray) -> torch.Tensor:
    """uint8 (H, W) or (H, W, C) -> float (1, C, H, W) in [0, 1]."""
    array = np.asarray(image, dtype=np.float32) / 255.0
    if array.ndim == 2:
        array = array[..., None]
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))[None]


def to_image(tensor: torch.Tensor) -> np.ndarray:
    """float (1, C, H, W) in [0, 1] -> uint8 (H, W) for one channel, (H, W, C) otherwise."""
    array = (tensor[0].clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy().transpose(1, 2, 0)
    return array[..., 0] if array.shape[2] == 1 else array


@torch.inference_mode()
def apply(generator: nn.Module, image: np.ndarray) -> np.ndarray:
    """One generator on one picture (uint8 in, uint8 out, same size and channels); the generator takes [0, 1]."""
    device = next(generator.parameters()).device
    return to_image(generator(image_tensor(image).to(device)))


@dataclass(frozen=True)
class Cycle:
    translated: np.ndarray  # G(x)
    reconstructed: np.ndarray  # F(G(x))
    error: np.ndarray  # |x − F(G(x))| per pixel, mean over channels, in [0, 1]

    @property
    def mean_error(self) -> float:
        return float(self.error.mean())


def cycle_error(x: np.ndarray, reconstructed: np.ndarray) -> np.ndarray:
    """|x − x̂| per pixel in [0, 1], averaged over the colour channels."""
    difference = np.abs(np.asarray(x, np.float32) - np.asarray(reconstructed, np.float32)) / 255.0
    return difference.mean(axis=2) if difference.ndim == 3 else difference


def cycle(forward: nn.Module, backward: nn.Module, image: np.ndarray) -> Cycle:
    """x → G(x) → F(G(x)), and the cycle error map."""
    translated = apply(forward, image)
    reconstructed = apply(backward, translated)
    return Cycle(translated, reconstructed, cycle_error(image, reconstructed))


def identity_change(generator: nn.Module, image: np.ndarray) -> tuple[np.ndarray, float]:
    """G applied to a picture already in its target domain, and the mean |G(b) − b| (0 for a perfect identity)."""
    out = apply(generator, image)
    return out, float(cycle_error(image, out).mean())


@torch.inference_mode()
def preserved(classifier: nn.Module, translated: np.ndarray, labels: np.ndarray) -> float:
    """The share of translations (N, 28, 28) uint8 that the classifier still reads as their label."""
    return float((classifier(to_tensor(translated)).argmax(1).numpy() == np.asarray(labels)).mean())


def working_size(width: int, height: int, longest: int) -> tuple[int, int]:
    """The size a picture is translated at: the longest side at most ``longest``, both sides multiples of 4
    (the generator halves them twice), at least 4, the aspect ratio kept."""
    scale = min(1.0, longest / max(width, height))
    return tuple(max(4, int(round(side * scale / 4)) * 4) for side in (width, height))


def to_working_size(rgb: np.ndarray, longest: int) -> np.ndarray:
    """A picture resized (Lanczos) to ``working_size``: what the generator translates."""
    from PIL import Image

    height, width = rgb.shape[:2]
    size = working_size(width, height, longest)
    if size == (width, height):
        return rgb
    return np.asarray(Image.fromarray(rgb).resize(size, Image.LANCZOS))


@dataclass(frozen=True)
class RoundTrip:
    """A batch of digits x → G(x) → F(G(x)), with the classifier's reading of each stage."""

    x: np.ndarray  # (N, 28, 28) uint8
    translated: np.ndarray
    reconstructed: np.ndarray
    read_x: np.ndarray  # (N,) the digit the classifier reads
    read_translated: np.ndarray
    read_reconstructed: np.ndarray
    style_translated: np.ndarray  # (N,) the style judge's verdict on G(x): 0 handwritten, 1 typeset

    @property
    def cycle_l1(self) -> np.ndarray:
        """Mean |x − F(G(x))| per digit, in [0, 1]."""
        return np.abs(self.x.astype(np.float32) - self.reconstructed.astype(np.float32)).mean(axis=(1, 2)) / 255


@torch.inference_mode()
def round_trip(forward: nn.Module, backward: nn.Module, classifier: nn.Module, style: nn.Module,
               digits: np.ndarray) -> RoundTrip:
    """Digits (N, 28, 28) uint8 through G and back through F, read by the digit classifier and the style judge."""
    x = to_tensor(digits)
    translated = forward(x).clamp(0, 1)
    reconstructed = backward(translated).clamp(0, 1)

    def as_uint8(t: torch.Tensor) -> np.ndarray:
        return (t[:, 0] * 255).round().to(torch.uint8).numpy()

    def read(t: torch.Tensor) -> np.ndarray:
        return classifier(t).argmax(1).numpy()

    return RoundTrip(np.asarray(digits, np.uint8), as_uint8(translated), as_uint8(reconstructed), read(x),
                     read(translated), read(reconstructed), style(translated).argmax(1).numpy())


def hidden_digits(trip: RoundTrip, labels: np.ndarray) -> tuple[int, int]:
    """The 'ghost' failure: of the translations that read as another digit, how many came back as the right
    one. F recovered what G(x) does not visibly show: the information was hidden in G(x), not kept in sight."""
    lost = trip.read_translated != np.asarray(labels)
    return int(lost.sum()), int((lost & (trip.read_reconstructed == np.asarray(labels))).sum())
