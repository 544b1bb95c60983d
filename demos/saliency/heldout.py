"""The held-out set the saliency tab's verdicts are checked on (tests/test_saliency_claims.py, measure.py).

Made differently from everything the tab was built and tuned with:

* **photos** from another source than the shipped examples (scikit-image's sample photos) and than
  assets/data/photos_eval (tuxpaint stamps + scikit-image): photos that ship inside three PyPI wheels this
  project already installs (matplotlib, scikit-learn, gradio). They are read from the installed packages
  (nothing copied into this repository), each checked by its sha256; tests/data/saliency/README.md records
  their source and licence.
* **digits drawn with strokes** by the generator below (polylines per digit, random affine jitter, wobble and
  pen width, drawn at 280x280 like the tab's canvas, then normalised as the tab normalises a drawing): not the
  scikit-learn scans and not the font renders the digit CNN was trained and tested on.
"""
from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


@dataclass(frozen=True)
class HeldOutPhoto:
    name: str
    package: str  # the installed distribution's import name
    path: str  # inside the package
    sha256: str
    shows: str  # what the photo shows (for people; never used to pick a class)


PHOTOS = (
    HeldOutPhoto("portrait", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg",
                 "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
                 "a portrait (Grace Hopper)"),
    HeldOutPhoto("flower", "sklearn", "datasets/images/flower.jpg",
                 "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638",
                 "a dahlia"),
    HeldOutPhoto("palace", "sklearn", "datasets/images/china.jpg",
                 "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29",
                 "a Chinese palace tower by a lake"),
    HeldOutPhoto("cheetah_running", "gradio", "media_assets/images/cheetah.jpg",
                 "29b0090f5ec471dad0264abc20ecc3c80a0133a63a03d11df920e39a093fe6c8",
                 "a running cheetah"),
    HeldOutPhoto("cheetah_face", "gradio", "media_assets/images/cheetah1.jpg",
                 "35550bfbba996e59c242af00f6a14a9c0d055dfbc52ad069a1a4e8c1c39ca095",
                 "a cheetah's face"),
    HeldOutPhoto("cheetah_cub", "gradio", "test_data/cheetah2.jpg",
                 "6882e714aa43d60a429f704a5ddd3af4b3708f89701b3bcc9626121349853795",
                 "a cheetah cub on white"),
    HeldOutPhoto("lion", "gradio", "media_assets/images/lion.jpg",
                 "4c45ece00075f152cb2e6cfd5f1dfd7dc8e83042264685b4f470026240eff3ef",
                 "a lion lying on a rock"),
    HeldOutPhoto("tower", "gradio", "media_assets/images/tower.jpg",
                 "f57f96f7a71f89739d27ae8ffc09f73cd2f17415d16c94d42dcb0d571f4eb0ee",
                 "the Eiffel tower at dusk"),
)


def photo_file(photo: HeldOutPhoto) -> Path:
    spec = importlib.util.find_spec(photo.package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{photo.package} is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / photo.path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_photo(photo: HeldOutPhoto) -> np.ndarray:
    """The photo as RGB uint8, after checking that the installed file is the one recorded."""
    path = photo_file(photo)
    if photo.sha256 and sha256(path) != photo.sha256:
        raise ValueError(f"{path} is not the file recorded in heldout.PHOTOS (another package version?)")
    return np.asarray(Image.open(path).convert("RGB"))


# ------------------------------------------------------------------ digits drawn with strokes

def _arc(cx, cy, rx, ry, start, end, points=14):
    angles = np.radians(np.linspace(start, end, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


#: Each digit as pen strokes (polylines) in a unit square, y downwards.
STROKES = {
    0: [_arc(0.5, 0.5, 0.26, 0.4, -90, 270, 24)],
    1: [[(0.36, 0.24), (0.52, 0.1), (0.52, 0.9)]],
    2: [_arc(0.5, 0.32, 0.24, 0.2, 190, 360, 10) + [(0.7, 0.45), (0.26, 0.9), (0.78, 0.9)]],
    3: [_arc(0.48, 0.3, 0.22, 0.19, 200, 450, 12) + _arc(0.48, 0.69, 0.26, 0.21, -90, 160, 12)],
    4: [[(0.62, 0.9), (0.62, 0.1), (0.2, 0.64), (0.82, 0.64)]],
    5: [[(0.74, 0.1), (0.32, 0.1), (0.29, 0.46)] + _arc(0.48, 0.66, 0.26, 0.22, -120, 150, 12)],
    6: [[(0.68, 0.1), (0.42, 0.3)] + _arc(0.5, 0.67, 0.23, 0.22, 200, 560, 18)],
    7: [[(0.2, 0.12), (0.8, 0.12), (0.42, 0.9)]],
    8: [_arc(0.5, 0.29, 0.19, 0.18, 90, 450, 16), _arc(0.5, 0.7, 0.24, 0.21, -90, 270, 18)],
    9: [_arc(0.48, 0.32, 0.21, 0.2, 0, 360, 16), [(0.69, 0.32), (0.62, 0.9)]],
}


def draw_digit(digit: int, rng: np.random.Generator, canvas: int = 280) -> np.ndarray:
    """One digit drawn like on the tab's canvas: black strokes on white, 280x280 uint8 grey."""
    angle = np.radians(rng.uniform(-12, 12))
    shear = rng.uniform(-0.25, 0.25)
    scale = rng.uniform(0.7, 1.0) * np.array([rng.uniform(0.8, 1.15), 1.0])
    centre = np.array([0.5, 0.5]) + rng.uniform(-0.08, 0.08, 2)
    rotate = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotate @ np.array([[1.0, shear], [0.0, 1.0]]) @ np.diag(scale)
    width = int(rng.integers(14, 27))
    picture = Image.new("L", (canvas, canvas), 255)
    pen = ImageDraw.Draw(picture)
    for stroke in STROKES[digit]:
        points = np.array(stroke) - 0.5
        points = points + rng.normal(0, 0.015, points.shape)  # a hand's wobble
        points = (points @ matrix.T + centre) * canvas
        line = [tuple(p) for p in points]
        pen.line(line, fill=0, width=width, joint="curve")
        for x, y in line:  # round pen ends
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=0)
    return np.asarray(picture)


def stroke_digits(per_digit: int = 3, seed: int = 19) -> list[tuple[int, np.ndarray]]:
    """[(digit, 280x280 drawing)], ``per_digit`` of each digit 0-9, from a local generator."""
    rng = np.random.default_rng(seed)
    return [(digit, draw_digit(digit, rng)) for _ in range(per_digit) for digit in range(10)]
