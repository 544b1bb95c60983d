"""The offline digits data set: handwritten (scikit-learn's 1,797 8x8 digits) + typeset (font renders).

Every image is 28x28 uint8, white ink on black, the digit fitted into a 20x20 box and centred by its
centre of mass (the MNIST convention), so that drawings made in the app can be put the same way
(``normalize_digit``). The app loads the prepared arrays from ``assets/data/digits.npz``; building
them again (``python -m core.data.digits``) needs scikit-learn and fonts, the app does not.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from core.i18n import UserInputError, register

ASSET = Path(__file__).resolve().parents[2] / "assets" / "data" / "digits.npz"
HANDWRITTEN, TYPESET = 0, 1
STYLE_NAMES = ("handwritten", "typeset")
TRAIN, TEST = 0, 1
SIZE, BOX = 28, 20
FONT_DIRS = ("/usr/share/fonts",)
#: Fonts whose glyphs for 0-9 are not ordinary digits (symbols, dingbats, math).
FONT_EXCLUDE = ("Symbol", "D050000L", "Dingbat", "Math", "Z003", "ExtraLight")
TYPESET_PER_FONT_AND_DIGIT = 6
TEST_FRACTION = 0.2

register({
    "en": {"digit.empty": "The drawing is empty: draw a digit with a thick stroke.",
           "digit.all_ink": "The ink covers most of the canvas, so there is no digit shape to read: clear it (the "
                            "bin) and draw a digit with a thick stroke.",
           "digit.too_small": "The drawing is too small to be read as a digit: draw it across most of the pad."},
    "zh": {"digit.empty": "畫布是空的：請用粗筆畫寫一個數字。",
           "digit.all_ink": "墨跡蓋住了大半個畫布，看不出數字的形狀：請按垃圾桶清除，再用粗筆畫寫一個數字。",
           "digit.too_small": "畫得太小，看不出是哪個數字：請寫大一點，佔滿畫布的大部分。"},
})


@dataclass(frozen=True)
class Digits:
    images: np.ndarray  # (N, 28, 28) uint8, ink bright
    labels: np.ndarray  # (N,) int64 0-9
    style: np.ndarray  # (N,) int8 HANDWRITTEN / TYPESET
    split: np.ndarray  # (N,) int8 TRAIN / TEST
    fonts: tuple[str, ...] = ()

    def subset(self, split: int, style: int | None = None) -> Digits:
        keep = self.split == split
        if style is not None:
            keep &= self.style == style
        return Digits(self.images[keep], self.labels[keep], self.style[keep], self.split[keep], self.fonts)

    def __len__(self) -> int:
        return len(self.labels)


def to_tensor(images: np.ndarray):
    """uint8 (N, 28, 28) -> float tensor (N, 1, 28, 28) in [0, 1]: the input every digit model takes."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32) / 255.0).unsqueeze(1)


def edge(arr: np.ndarray) -> np.ndarray:
    """The pixels along a 2-D picture's four sides (the paper, in a drawing or a scan of a digit)."""
    return np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])


def normalize_digit(gray: np.ndarray, *, ink_is_dark: bool | None = None) -> np.ndarray:
    """Any grayscale digit picture -> 28x28 uint8, bright ink, fitted in 20x20, centred by mass.

    ``ink_is_dark=None`` decides from the picture: paper is what the border mostly is.
    """
    arr = np.asarray(gray, dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[..., :3].mean(axis=2)
    if arr.ndim != 2 or arr.size == 0:
        raise UserInputError("digit.empty")
    if ink_is_dark is None:
        ink_is_dark = float(np.median(edge(arr))) > 127
    ink = 255.0 - arr if ink_is_dark else arr
    ink = ink - np.median(edge(ink))
    ink = np.clip(ink, 0, None)
    peak = float(ink.max())
    if peak < 32:  # nothing darker/brighter than the paper by more than ~1/8 of the range
        raise UserInputError("digit.empty")
    ink = ink / peak
    rows, cols = np.nonzero(ink > 0.2)
    crop = ink[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    height, width = crop.shape
    scale = BOX / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    small = Image.fromarray(np.uint8(np.clip(crop * 255, 0, 255))).resize((new_w, new_h), Image.LANCZOS)
    small = np.asarray(small, dtype=np.float32)
    total = small.sum()
    if total <= 0:
        raise UserInputError("digit.empty")
    cy = (small.sum(axis=1) * np.arange(new_h)).sum() / total
    cx = (small.sum(axis=0) * np.arange(new_w)).sum() / total
    top = int(np.clip(round(SIZE / 2 - cy), 0, SIZE - new_h))
    left = int(np.clip(round(SIZE / 2 - cx), 0, SIZE - new_w))
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top: top + new_h, left: left + new_w] = small
    return np.uint8(np.clip(np.rint(out), 0, 255))


@functools.lru_cache(maxsize=1)
def load_digits(path: str | None = None) -> Digits:
    """The prepared data set shipped in assets/ (no scikit-learn or fonts needed)."""
    with np.load(path or ASSET, allow_pickle=False) as data:
        fonts = tuple(json.loads(str(data["fonts"])))
        return Digits(data["images"], data["labels"].astype(np.int64), data["style"], data["split"], fonts)


@functools.lru_cache(maxsize=8)
def load_split(split: int, style: int | None = None) -> Digits:
    """One split (and style) of the shipped data set, selected once per process: the hot paths
    (a slider move, a gallery click) must not copy the test set each time."""
    return load_digits().subset(split, style)


# ----------------------------------------------------------------------------------------------
# Building the data set (python -m core.data.digits)


def _stratified_test_mask(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        chosen = rng.choice(idx, size=int(round(len(idx) * TEST_FRACTION)), replace=False)
        test[chosen] = True
    return test


def build_handwritten(seed: int = 0):
    from sklearn.datasets import load_digits as sklearn_digits

    raw = sklearn_digits()
    images = []
    for small in raw.images:  # 8x8, 0..16, ink bright
        big = Image.fromarray(np.uint8(small * 255 / 16)).resize((32, 32), Image.BICUBIC)
        images.append(normalize_digit(np.asarray(big), ink_is_dark=False))
    labels = raw.target.astype(np.int64)
    test = _stratified_test_mask(labels, np.random.default_rng(seed))
    return np.stack(images), labels, test


def find_fonts() -> list[Path]:
    found = set()
    for folder in FONT_DIRS:
        for pattern in ("*.ttf", "*.otf"):
            found.update(Path(folder).rglob(pattern))
    keep = [p for p in found if not any(word.lower() in p.name.lower() for word in FONT_EXCLUDE)]
    # One file per font name (Type1 and OTF copies of the same font count once).
    by_stem: dict[str, Path] = {}
    for path in sorted(keep):
        by_stem.setdefault(path.stem, path)
    return [by_stem[stem] for stem in sorted(by_stem)]


def render_digit(font_path: Path, digit: int, rng: np.random.Generator) -> np.ndarray:
    """One typeset digit with random size, rotation, shear, stroke weight and blur."""
    font = ImageFont.truetype(str(font_path), size=int(rng.integers(40, 64)))
    canvas = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(canvas).text((48, 48), str(digit), fill=255, font=font, anchor="mm")
    shear = float(rng.uniform(-0.15, 0.15))
    canvas = canvas.transform(canvas.size, Image.AFFINE, (1, shear, -shear * 48, 0, 1, 0), Image.BILINEAR)
    canvas = canvas.rotate(float(rng.uniform(-10, 10)), Image.BILINEAR)
    weight = int(rng.integers(0, 3))
    if weight == 2:
        canvas = canvas.filter(ImageFilter.MaxFilter(3))
    elif weight == 0 and rng.random() < 0.5:
        canvas = canvas.filter(ImageFilter.MinFilter(3)) if np.asarray(canvas).sum() > 255 * 400 else canvas
    canvas = canvas.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.2))))
    digit_img = normalize_digit(np.asarray(canvas), ink_is_dark=False)
    dy, dx = rng.integers(-1, 2, size=2)
    return np.roll(digit_img, (int(dy), int(dx)), axis=(0, 1))


def build_typeset(seed: int = 0):
    fonts = find_fonts()
    if not fonts:
        raise RuntimeError("no fonts found under /usr/share/fonts (apt-get install fonts-dejavu-core ...)")
    rng = np.random.default_rng(seed + 1)
    images, labels, font_index = [], [], []
    for f, font_path in enumerate(fonts):
        for digit in range(10):
            for _ in range(TYPESET_PER_FONT_AND_DIGIT):
                images.append(render_digit(font_path, digit, rng))
                labels.append(digit)
                font_index.append(f)
    # Whole fonts are held out for testing: the test asks "does it read a typeface it never saw?"
    order = np.random.default_rng(seed).permutation(len(fonts))
    test_fonts = set(order[: max(1, round(len(fonts) * TEST_FRACTION))].tolist())
    test = np.array([f in test_fonts for f in font_index])
    return np.stack(images), np.array(labels, dtype=np.int64), test, [p.name for p in fonts]


def build_digits(seed: int = 0) -> Digits:
    hw_images, hw_labels, hw_test = build_handwritten(seed)
    ts_images, ts_labels, ts_test, fonts = build_typeset(seed)
    return Digits(
        images=np.concatenate([hw_images, ts_images]),
        labels=np.concatenate([hw_labels, ts_labels]),
        style=np.concatenate([np.full(len(hw_labels), HANDWRITTEN), np.full(len(ts_labels), TYPESET)]).astype(np.int8),
        split=np.concatenate([hw_test, ts_test]).astype(np.int8),
        fonts=tuple(fonts),
    )


def fingerprint(digits: Digits) -> str:
    h = hashlib.sha256()
    for arr in (digits.images, digits.labels, digits.style, digits.split):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def save_digits(digits: Digits, path: Path = ASSET) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, images=digits.images, labels=digits.labels.astype(np.int8),
                        style=digits.style, split=digits.split, fonts=json.dumps(list(digits.fonts)))


if __name__ == "__main__":
    built = build_digits()
    save_digits(built)
    for style in (HANDWRITTEN, TYPESET):
        for split in (TRAIN, TEST):
            n = int(((built.style == style) & (built.split == split)).sum())
            print(f"{STYLE_NAMES[style]:12s} {'train' if split == TRAIN else 'test':5s} {n}")
    print("fonts:", len(built.fonts), "sha256:", fingerprint(built))
