"""The CycleGAN tab's science: translate an image with G (A→B) and F (B→A), reconstruct it (F(G(x))), measure the
cycle error |x − F(G(x))| and the identity change |G(b) − b|, and check that a translation keeps the content (the
digit a classifier reads). Generators come in as arguments; pictures go in and out as uint8 arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.data.digits import normalize_digit, to_tensor
from core.i18n import UserInputError

#: Domain A of the digits pair is scikit-learn's digits: 32×32 bitmaps of handwriting (thick pen, the digit as
#: tall as the bitmap) counted in 4×4 blocks into 8×8 grids of 0-16, then scaled back up (bicubic) to 32×32 and
#: put in 28×28 by normalize_digit (core/data/digits.py, build_handwritten).
SCAN_BITMAP, SCAN_GRID = 32, 8
#: The ink per grid of the training scans (the sum of the 64 counts; measure.py, "scan_ink", recomputes it from the
#: training split, no test or held-out digit used). It is the same for every digit class (305-328): the scans'
#: strokes were as thick as it takes to hold it, whatever the pen, so a scan of a drawing is thickened to it too.
SCAN_INK = 312
#: The grey levels of the training scans: the quantiles (0, 1/32, ..., 1) of their non-zero 28×28 pixel values
#: (measure.py, "scan_grey_levels", recomputes them from the training split). Their grids have fewer full blocks
#: (16 of 16) than a sharp drawing's scan (bench/cyclegan_scan_attempts.json), so its scan is whiter than theirs.
SCAN_GREY_LEVELS = (1, 2, 6, 11, 17, 25, 33, 42, 51, 60, 69, 79, 89, 99, 109, 120, 130, 140, 149, 159, 168, 176,
                    185, 193, 201, 209, 217, 226, 234, 242, 249, 255, 255)


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
def apply_batch(generator: nn.Module, digits: np.ndarray) -> np.ndarray:
    """One generator on a batch of digits (N, 28, 28) uint8 -> uint8, as ``apply`` gives each (to rounding)."""
    return (generator(to_tensor(digits)).clamp(0, 1)[:, 0] * 255).round().to(torch.uint8).numpy()


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
    """The 'ghost' failure: of the digits the classifier reads right in x whose translation reads as another
    digit, how many came back as the right one. F recovered what G(x) does not visibly show: the information
    was hidden in G(x), not kept in sight. (A digit misread in x is left out: a translation that "changes" it may
    only be correcting the classifier's mistake.)"""
    labels = np.asarray(labels)
    lost = (trip.read_x == labels) & (trip.read_translated != labels)
    return int(lost.sum()), int((lost & (trip.read_reconstructed == labels)).sum())


#: A reading the page builds a verdict on: the digit classifier at least this sure (chosen before measuring; the
#: held-out drawn digits check what it buys: results.json, "drawn").
SURE = 0.9


def is_ghost(read: np.ndarray, confidence: np.ndarray, given: int | None = None) -> bool:
    """For one input without a label: x → G(x) → F(G(x)) read as (x, g, x) with g ≠ x, and the classifier sure
    of x (≥ SURE): only then can the page say G(x) shows another digit while F brought x back. An unsure
    reading of x may be the classifier's own mistake (a 9 read as 8), which the translation undoes. ``given``:
    the reading of the picture before it was scanned into the domain (into_domain), if it was; it must be x's
    too, or the scan may have changed the digit (a drawn 9 scanned and read as 4) and G only changed it back."""
    return bool(read[1] != read[0] and read[2] == read[0] and confidence[0] >= SURE
                and (given is None or given == read[0]))


def scan_from_grid(grid: np.ndarray) -> np.ndarray:
    """An 8×8 grid of 0-16 (a scikit-learn digit) -> the 28×28 digit the pair was trained on: the recipe of
    core.data.digits.build_handwritten (×255/16, bicubic to 32×32, normalize_digit)."""
    from PIL import Image

    big = Image.fromarray(np.uint8(np.asarray(grid, np.float64) * 255 / 16)).resize((32, 32), Image.BICUBIC)
    return normalize_digit(np.asarray(big), ink_is_dark=False)


def scan_grid(digit: np.ndarray) -> np.ndarray:
    """A 28×28 digit (bright ink) -> the 8×8 grid of 0-16 a scan of it would give, made like the training scans:
    its ink (above a quarter of its peak) fitted as tall as a 32×32 bitmap (the width kept in proportion),
    thresholded at half, thickened by every pixel within a distance r of a stroke, r the smallest that inks
    SCAN_INK pixels (the training scans' ink), and counted in 4×4 blocks."""
    from PIL import Image
    from scipy import ndimage

    ink = np.asarray(digit, np.float32)
    peak = float(ink.max())
    if peak <= 0:
        return np.zeros((SCAN_GRID, SCAN_GRID), np.int64)
    rows, cols = np.nonzero(ink > 0.25 * peak)
    crop = ink[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1] / peak
    height, width = crop.shape
    scale = SCAN_BITMAP / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    resized = np.asarray(Image.fromarray(crop, mode="F").resize((new_w, new_h), Image.BILINEAR))
    strokes = np.zeros((SCAN_BITMAP, SCAN_BITMAP), bool)
    top, left = (SCAN_BITMAP - new_h) // 2, (SCAN_BITMAP - new_w) // 2
    strokes[top: top + new_h, left: left + new_w] = resized >= 0.5 * resized.max()
    distance = ndimage.distance_transform_edt(~strokes)  # 0 on a stroke
    reach = np.sort(distance, axis=None)[SCAN_INK - 1]  # the smallest r that inks SCAN_INK pixels
    blocks = (distance <= reach).reshape(SCAN_GRID, 4, SCAN_GRID, 4)
    return blocks.sum(axis=(1, 3)).astype(np.int64)


def slant(digit: np.ndarray) -> float:
    """The digit's slant from its image moments: mu11 / mu02, the horizontal shift of the ink per row below its
    centre row (0 upright; > 0 when its lower rows sit further right, a '\\' lean); 0 for an empty picture."""
    ink = np.asarray(digit, np.float64)
    total = ink.sum()
    if total <= 0:
        return 0.0
    rows, cols = np.mgrid[:ink.shape[0], :ink.shape[1]]
    row_mean, col_mean = (ink * rows).sum() / total, (ink * cols).sum() / total
    mu02 = (ink * (rows - row_mean) ** 2).sum() / total
    mu11 = (ink * (rows - row_mean) * (cols - col_mean)).sum() / total
    return float(mu11 / mu02) if mu02 > 0 else 0.0


def deskew(digit: np.ndarray) -> np.ndarray:
    """The digit sheared upright (slant 0) about its centre row, bilinear; same size and dtype uint8. The training
    scans are measurably upright (the spread of their grids' slant is 0.12, of redrawn handwriting's 0.26:
    bench/cyclegan_scan_attempts.json), so a faithful scan of a drawing straightens it too."""
    from scipy import ndimage

    ink = np.asarray(digit, np.float64)
    total = ink.sum()
    if total <= 0:
        return np.asarray(digit, np.uint8)
    rows, cols = np.mgrid[:ink.shape[0], :ink.shape[1]].astype(np.float64)
    row_mean = (ink * rows).sum() / total
    sheared = ndimage.map_coordinates(ink, [rows, cols + slant(ink) * (rows - row_mean)], order=1)
    return np.uint8(np.clip(np.rint(sheared), 0, 255))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank among ``values`` (1 for the smallest), equal values sharing their mean rank: scipy's
    ``rankdata(method="average")``, without importing scipy.stats (405 modules, +44 MB of the server's memory)."""
    _, where, counts = np.unique(values, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts  # how many values are smaller than each distinct one
    return (first + (counts + 1) / 2)[where.reshape(-1)]


def match_grey_levels(scan: np.ndarray) -> np.ndarray:
    """The scan's non-zero pixels remapped by rank onto the training scans' grey levels (SCAN_GREY_LEVELS, linear
    between its quantiles); zeros stay zero, so the ink is where it was. Monotone: a brighter pixel never comes
    out darker, equal pixels come out equal (their mean rank). The training scans' greys are 0-16 block counts
    scaled up, with fewer full blocks than a sharp drawing's scan has: G learned those greys."""
    out = np.asarray(scan, np.uint8).copy()
    inked = out > 0
    if not inked.any():
        return out
    share = (average_ranks(out[inked]) - 0.5) / inked.sum()  # in (0, 1)
    levels = np.asarray(SCAN_GREY_LEVELS, np.float64)
    out[inked] = np.uint8(np.rint(np.interp(share, np.linspace(0, 1, len(levels)), levels)))
    return out


def as_scan(digit: np.ndarray) -> np.ndarray:
    """A 28×28 digit put into domain A as the pair knows it, the way UCI's scans were made: straightened upright
    (deskew), scanned to 8×8 (scan_grid: as tall as the bitmap, as inky as the training scans, block counts of
    0-16), scaled back up (scan_from_grid), its grey levels made the training scans' (match_grey_levels). A sharp
    drawing comes out as upright, blurred, inky and grey as the scans the pair learned from. An empty picture is
    refused (UserInputError), as before."""
    return match_grey_levels(scan_from_grid(scan_grid(deskew(digit))))


# ------------------------------------------------------------------ the style judge's confidence

def fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """Temperature scaling (Guo et al., 2017): the T > 0 that minimises the negative log-likelihood of
    softmax(logits / T) on labelled examples (a log-spaced grid, then a finer one around the best)."""
    logits, truth = np.asarray(logits, np.float64), np.asarray(truth)

    def nll(temperature: float) -> float:
        z = logits / temperature
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(truth)), truth].mean())

    grid = np.exp(np.linspace(np.log(0.01), np.log(100), 241))
    best = grid[int(np.argmin([nll(t) for t in grid]))]
    fine = best * np.exp(np.linspace(-0.05, 0.05, 101))
    return float(fine[int(np.argmin([nll(t) for t in fine]))])


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins, weighted by
    how many predictions fall in each."""
    confidence, correct = np.asarray(confidence, np.float64), np.asarray(correct, np.float64)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    gap = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            gap += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(gap)


@torch.inference_mode()
def style_probabilities(judge: nn.Module, images: np.ndarray) -> np.ndarray:
    """The style judge's (handwritten, typeset) probabilities for (N, 28, 28) uint8 digits: (N, 2)."""
    return judge(to_tensor(images)).softmax(1).numpy()


def into_domain(judge: nn.Module, digit: np.ndarray, direction: str) -> tuple[np.ndarray, bool]:
    """The digit the pair's generator translates, and whether it was scanned first: sent A → B (handwritten →
    typeset) while the style judge calls it typeset (a sharp drawing, a print), it is scanned to 8×8 like the
    pair's handwritten domain (as_scan: straightened, counted in blocks, greyed like the training scans); otherwise
    it goes as it is. (A blot that fills its whole box scans to a uniform square, with no ink left to centre: it
    goes as it is too.)"""
    if direction == "a_to_b" and style_probabilities(judge, digit[None])[0].argmax() == 1:
        try:
            return as_scan(digit), True
        except UserInputError:
            return digit, False
    return digit, False
