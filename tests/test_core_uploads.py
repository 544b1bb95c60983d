"""Upload decoding: malformed files the tests generate become conversions or clear messages."""
import io
import wave

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from core import uploads
from core.i18n import UserInputError


def save(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def image_bytes(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def key_of(call):
    with pytest.raises(UserInputError) as info:
        call()
    return info.value.key


# ---- images

def test_no_file_yet(tmp_path):
    assert key_of(lambda: uploads.decode_image(None)) == "upload.none"
    assert key_of(lambda: uploads.decode_image("")) == "upload.none"
    assert key_of(lambda: uploads.decode_image(str(tmp_path / "gone.png"))) == "upload.missing"


def test_empty_corrupt_truncated_and_non_image_files(tmp_path):
    assert key_of(lambda: uploads.decode_image(save(tmp_path, "e.png", b""))) == "upload.empty"
    assert key_of(lambda: uploads.decode_image(save(tmp_path, "t.txt", b"hello, not an image"))) == "image.unreadable"
    png = image_bytes(Image.new("RGB", (64, 64), "red"), "PNG")
    assert key_of(lambda: uploads.decode_image(save(tmp_path, "cut.png", png[: len(png) // 2]))) == "image.unreadable"
    jpeg = image_bytes(Image.effect_noise((256, 256), 60).convert("RGB"), "JPEG")
    assert key_of(lambda: uploads.decode_image(save(tmp_path, "cut.jpg", jpeg[:300]))) == "image.unreadable"


def test_rgba_is_flattened_on_white(tmp_path):
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    img.putpixel((5, 5), (0, 0, 0, 255))
    out = uploads.decode_image(save(tmp_path, "a.png", image_bytes(img, "PNG")))
    assert out.shape == (10, 10, 3) and out.dtype == np.uint8
    assert (out[0, 0] == 255).all() and (out[5, 5] == 0).all()


def test_cmyk_palette_grayscale_and_16_bit(tmp_path):
    cmyk_jpeg = image_bytes(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG")
    cmyk = uploads.decode_image(save(tmp_path, "c.jpg", cmyk_jpeg))
    assert cmyk.shape == (8, 8, 3) and cmyk[0, 0, 0] > 200 and cmyk[0, 0, 1] < 60  # red stays red
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    assert (uploads.decode_image(save(tmp_path, "p.png", image_bytes(palette, "PNG")))[0, 0] == [0, 0, 255]).all()
    gray = uploads.decode_image(save(tmp_path, "g.png", image_bytes(Image.new("L", (8, 8), 77), "PNG")))
    assert gray.shape == (8, 8, 3) and (gray == 77).all()
    deep = Image.fromarray(np.full((8, 8), 65535, np.uint16))
    assert (uploads.decode_image(save(tmp_path, "d.png", image_bytes(deep, "PNG"))) == 255).all()


def test_one_pixel_and_large_images(tmp_path):
    one_pixel = image_bytes(Image.new("RGB", (1, 1)), "PNG")
    assert uploads.decode_image(save(tmp_path, "1.png", one_pixel)).shape == (1, 1, 3)
    big = uploads.decode_image(save(tmp_path, "big.png", image_bytes(Image.new("RGB", (4000, 3000), "white"), "PNG")),
                               max_side=512)
    assert max(big.shape[:2]) == 512


def test_too_many_pixels_is_refused_before_decoding(tmp_path):
    # A tiny PNG that claims 100 megapixels: refused from its header, nothing decoded.
    bomb = Image.new("1", (10000, 10000))
    path = save(tmp_path, "bomb.png", image_bytes(bomb, "PNG", optimize=True))
    assert key_of(lambda: uploads.decode_image(path)) == "image.too_many_pixels"


# ---- audio

def wav_bytes(samples: np.ndarray, rate: int, subtype: str) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def tone(seconds=0.5, rate=16000, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([mono] * channels, axis=1) if channels > 1 else mono


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT", "PCM_U8"])
def test_wav_bit_depths_decode_to_float_mono(tmp_path, subtype):
    audio = uploads.decode_audio(save(tmp_path, "x.wav", wav_bytes(tone(), 16000, subtype)))
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.sample_rate == 16000 and len(audio.samples) == 8000
    assert 0.45 < np.abs(audio.samples).max() <= 0.51


def test_stereo_is_mixed_and_resampled(tmp_path):
    audio = uploads.decode_audio(save(tmp_path, "s.wav", wav_bytes(tone(rate=44100, channels=2), 44100, "PCM_16")))
    assert audio.original_channels == 2
    assert audio.sample_rate == 16000 and abs(len(audio.samples) - 8000) <= 2


def test_silent_corrupt_empty_and_long_audio(tmp_path):
    silent = save(tmp_path, "silent.wav", wav_bytes(np.zeros(16000), 16000, "PCM_16"))
    assert key_of(lambda: uploads.decode_audio(silent)) == "audio.silent"
    assert uploads.decode_audio(silent, require_sound=False).samples.max() == 0
    garbage = save(tmp_path, "c.wav", b"RIFF\x00\x00garbage" * 10)
    assert key_of(lambda: uploads.decode_audio(garbage)) == "audio.unreadable"
    assert key_of(lambda: uploads.decode_audio(save(tmp_path, "i.wav", b"\x89PNG not audio"))) == "audio.unreadable"
    header_only = io.BytesIO()
    with wave.open(header_only, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
    assert key_of(lambda: uploads.decode_audio(save(tmp_path, "h.wav", header_only.getvalue()))) in (
        "audio.no_samples", "audio.unreadable")
    long = uploads.decode_audio(save(tmp_path, "l.wav", wav_bytes(tone(seconds=4), 16000, "PCM_16")), max_seconds=1.5)
    assert long.truncated and len(long.samples) == 24000 and long.original_seconds == pytest.approx(4)


def test_nan_samples_are_refused(tmp_path):
    samples = tone().astype(np.float32)
    samples[100] = np.nan
    not_finite = save(tmp_path, "n.wav", wav_bytes(samples, 16000, "FLOAT"))
    assert key_of(lambda: uploads.decode_audio(not_finite)) == "audio.not_finite"
