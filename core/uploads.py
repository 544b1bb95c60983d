"""Decode uploads ourselves, so every bad file becomes a clear, translated message.

Gradio's own decoding (type="numpy"/"pil") fails before the handler with a generic error and
needs ffmpeg for float WAV; the tabs therefore take ``type="filepath"`` and call these.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.i18n import UserInputError, is_empty

MAX_UPLOAD_MB = 20
MAX_MEGAPIXELS = 40
EXIF_ORIENTATION = 0x0112


def _check_file(path) -> str:
    if is_empty(path):
        raise UserInputError("upload.none")
    if isinstance(path, dict):  # a Gradio FileData/ImageEditor payload sent through the API
        path = path.get("path") or path.get("composite") or path.get("background")
        if path is None:
            raise UserInputError("upload.none")
        return _check_file(path)
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise UserInputError("upload.missing")
    size = os.path.getsize(path)
    if size == 0:
        raise UserInputError("upload.empty")
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        raise UserInputError("upload.too_big", mb=size / 2**20, limit_mb=MAX_UPLOAD_MB)
    return path


def _flatten_alpha(img: Image.Image) -> Image.Image:
    """Transparent pixels become white paper (a drawing's empty canvas is transparent)."""
    rgba = img.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba).convert("RGB")


def _high_bit_depth_to_8bit(img: Image.Image) -> Image.Image:
    arr = np.asarray(img, dtype=np.float64)
    if img.mode.startswith("I;16"):
        scaled = arr / 65535.0
    else:  # 32-bit integer or float images have no fixed range: stretch what is there
        finite = np.isfinite(arr)
        arr = np.where(finite, arr, 0.0)
        low, high = (arr[finite].min(), arr[finite].max()) if finite.any() else (0.0, 1.0)
        scaled = (arr - low) / (high - low) if high > low else np.zeros_like(arr)
    return Image.fromarray(np.clip(np.rint(scaled * 255), 0, 255).astype(np.uint8), mode="L")


def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode -> RGB: alpha over white, CMYK/YCbCr/LAB converted, 16/32-bit scaled."""
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode == "P" and "transparency" in img.info):
        return _flatten_alpha(img)
    if img.mode.startswith("I") or img.mode == "F":
        return _high_bit_depth_to_8bit(img).convert("RGB")
    return img.convert("RGB")


def decode_image(path, *, max_side: int | None = 1024) -> np.ndarray:
    """An uploaded image file -> uint8 RGB array (H, W, 3), at most ``max_side`` on its longer side."""
    path = _check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                if width * height > MAX_MEGAPIXELS * 1e6:
                    raise UserInputError("image.too_many_pixels", mp=width * height / 1e6, limit=MAX_MEGAPIXELS)
                img = ImageOps.exif_transpose(img) or img
                if max_side and max(img.size) > max_side:
                    img.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced size, cheaply
                    img = img.copy()
                    img.thumbnail((max_side, max_side))
                rgb = to_rgb(img)
                rgb.load()
    except UserInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UserInputError("image.too_many_pixels", mp=float("nan"), limit=MAX_MEGAPIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UserInputError("image.unreadable", detail=type(exc).__name__) from None
    return np.asarray(rgb, dtype=np.uint8)


def image_size(path) -> tuple[int, int]:
    """An image file's (width, height) as it is shown, EXIF rotation applied, without decoding its pixels."""
    path = _check_file(path)
    try:
        with Image.open(path) as img:
            width, height = img.size
            turned = img.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)  # shown rotated by 90°
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UserInputError("image.unreadable", detail=type(exc).__name__) from None
    return (height, width) if turned else (width, height)


@dataclass
class DecodedAudio:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    original_seconds: float
    original_channels: int
    truncated: bool


def decode_audio(path, *, sample_rate: int = 16000, max_seconds: float = 30.0,
                 require_sound: bool = True, silence_peak: float = 1e-3) -> DecodedAudio:
    """An uploaded audio file -> mono float32 at ``sample_rate``; longer audio is cut to ``max_seconds``."""
    import soundfile as sf

    path = _check_file(path)
    try:
        info = sf.info(path)
        frames = int(min(info.frames, max_seconds * info.samplerate)) if info.frames > 0 else -1
        data, source_rate = sf.read(path, frames=frames, dtype="float32", always_2d=True)
    except Exception as exc:  # libsndfile raises its own error types for every malformed file
        raise UserInputError("audio.unreadable", english_detail=type(exc).__name__) from None
    if data.size == 0:
        raise UserInputError("audio.no_samples")
    if not np.isfinite(data).all():
        raise UserInputError("audio.not_finite")
    mono = data.mean(axis=1)
    if source_rate != sample_rate:
        import torch
        import torchaudio.functional as AF

        mono = AF.resample(torch.from_numpy(np.ascontiguousarray(mono)), source_rate, sample_rate).numpy()
    mono = np.clip(mono, -1.0, 1.0).astype(np.float32)
    if require_sound and np.abs(mono).max() < silence_peak:
        raise UserInputError("audio.silent")
    seconds = info.frames / info.samplerate if info.frames > 0 else len(mono) / sample_rate
    return DecodedAudio(mono, sample_rate, seconds, info.channels, truncated=seconds > max_seconds + 1e-9)
