"""How alike two attribution maps are, as Adebayo et al. 2018 measured it in their sanity check, and the
verdict the tab draws from it. Pure numpy, no Gradio.

The four similarities (each 1 for identical maps):

* Spearman rank correlation of the maps' sizes (|·|, the maps the tab shows);
* Spearman rank correlation of the signed maps (where a method has a sign: gradient, Integrated Gradients,
  Grad-CAM and Occlusion before their ReLU; SmoothGrad, SmoothGrad² and VarGrad average sizes, so for them the
  two Spearman figures coincide);
* SSIM (Wang et al. 2004) of the maps scaled to 0-1;
* the Pearson correlation of the maps' histograms of oriented gradients (HOG, Dalal & Triggs 2005).

**Scale.** Every map is compared after a Gaussian blur of σ = 1/112 of the picture's side (2 px at 224,
at least 0.75 px) and 4x4 averaging on photos (to 56x56): a map that draws the same face one pixel further
left is the same map. Unblurred, pixel jitter alone pushes a rank correlation towards 0 and a map that still
draws the picture reads as "changed".

**Verdict.** Each similarity s is placed between two references of the same map: a misaligned copy of the
original map (rolled by half the side in both directions: its own statistics and sparsity, no relation to the
picture) scores s_unrelated (taken as 0 when negative), an identical map 1. The relative similarity
r = (s - s_unrelated) / (1 - s_unrelated) votes "changed" below 1/3, "tied" above 2/3, "unclear" between. A
negative s (the map now lights other pixels, or the opposite ones) is below the reference and votes "changed";
a map that only flipped its sign keeps its |·| rank correlation at 1, so that vote catches it.
The verdict needs 3 of the 4 votes; otherwise "unclear".
The two cut points are the thirds of that scale, chosen before any picture was looked at, not tuned on any.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METRICS = ("spearman_abs", "spearman_signed", "ssim", "hog")
CHANGED_BELOW, TIED_ABOVE = 1 / 3, 2 / 3  # thirds of the relative-similarity scale (see the module's docstring)
VOTES_NEEDED = 3
COARSE_SIDE = 56  # photos are compared at 56x56 (224 / 4); a 28x28 digit keeps its pixels


# ------------------------------------------------------------------ the comparison scale

def gaussian_kernel(sigma: float) -> np.ndarray:
    radius = max(1, int(np.ceil(3 * sigma)))
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    return kernel / kernel.sum()


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A separable Gaussian blur with mirrored borders."""
    image = np.asarray(image, dtype=np.float64)
    if sigma <= 0:
        return image
    kernel = gaussian_kernel(sigma)
    radius = kernel.size // 2
    out = image
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode="reflect" if out.shape[axis] > radius else "edge")
        out = np.apply_along_axis(lambda line: np.convolve(line, kernel, mode="valid"), axis, padded)
    return out


def jitter_sigma(side: int) -> float:
    return max(0.75, side / 112)


def coarse(heat: np.ndarray) -> np.ndarray:
    """The map at the scale the comparison uses: blurred by σ = side/112 (≥ 0.75 px), then averaged in
    blocks down to about 56x56 (photos; a 28x28 digit keeps its size)."""
    heat = blur(heat, jitter_sigma(heat.shape[0]))
    factor = max(1, heat.shape[0] // COARSE_SIDE)
    if factor > 1:
        height, width = (heat.shape[0] // factor) * factor, (heat.shape[1] // factor) * factor
        heat = heat[:height, :width].reshape(height // factor, factor, width // factor, factor).mean(axis=(1, 3))
    return heat


def unit(heat: np.ndarray) -> np.ndarray:
    """A non-negative map divided by its 99th percentile, clipped to 0-1 (0 everywhere for a blank map)."""
    top = float(np.percentile(heat, 99)) if heat.size else 0.0
    return np.clip(heat / top, 0.0, 1.0) if top > 0 else np.zeros_like(heat, dtype=np.float64)


# ------------------------------------------------------------------ the four similarities

def ranks(values: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse].astype(np.float64)  # 1-based average rank of each tie group


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    a, b = a - a.mean(), b - b.mean()
    norm = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / norm) if norm > 1e-300 else 0.0


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (ties share their average rank); 0 if one map is constant."""
    return pearson(ranks(np.ravel(a)), ranks(np.ravel(b)))


def ssim(a: np.ndarray, b: np.ndarray, sigma: float = 1.5) -> float:
    """Mean structural similarity of two maps on a 0-1 scale (Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03,
    Wang et al. 2004)."""
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mean_a, mean_b = blur(a, sigma), blur(b, sigma)
    var_a = blur(a * a, sigma) - mean_a ** 2
    var_b = blur(b * b, sigma) - mean_b ** 2
    cov = blur(a * b, sigma) - mean_a * mean_b
    index = ((2 * mean_a * mean_b + c1) * (2 * cov + c2)) / ((mean_a ** 2 + mean_b ** 2 + c1) * (var_a + var_b + c2))
    return float(index.mean())


def hog(image: np.ndarray, cells: int = 7, bins: int = 9) -> np.ndarray:
    """A histogram of oriented gradients: unsigned orientations in ``bins`` bins, weighted by the gradient's
    size, per cell of a ``cells`` x ``cells`` grid, each 2x2 block of cells L2-normalised."""
    image = np.asarray(image, np.float64)
    gy, gx = np.gradient(image)
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    index = np.minimum((angle / np.pi * bins).astype(int), bins - 1)
    rows = np.minimum(np.arange(image.shape[0]) * cells // image.shape[0], cells - 1)
    cols = np.minimum(np.arange(image.shape[1]) * cells // image.shape[1], cells - 1)
    cell = rows[:, None] * cells + cols[None, :]
    histogram = np.zeros((cells * cells, bins))
    np.add.at(histogram, (cell.ravel(), index.ravel()), magnitude.ravel())
    histogram = histogram.reshape(cells, cells, bins)
    blocks = []
    for r in range(cells - 1):
        for c in range(cells - 1):
            block = histogram[r:r + 2, c:c + 2].ravel()
            blocks.append(block / np.sqrt((block * block).sum() + 1e-12))
    return np.concatenate(blocks)


def hog_similarity(a: np.ndarray, b: np.ndarray) -> float:
    return pearson(hog(a), hog(b))


def similarities(original: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
    """The four similarities of two maps, each given as (size map ≥ 0, signed map), at the coarse scale."""
    heat_a, signed_a = coarse(original[0]), coarse(original[1])
    heat_b, signed_b = coarse(other[0]), coarse(other[1])
    return {"spearman_abs": spearman(heat_a, heat_b), "spearman_signed": spearman(signed_a, signed_b),
            "ssim": ssim(unit(heat_a), unit(heat_b)), "hog": hog_similarity(heat_a, heat_b)}


def misaligned(pair: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The map rolled by half its side in both directions: its own statistics, no relation to the picture."""
    return tuple(np.roll(m, (m.shape[0] // 2, m.shape[1] // 2), axis=(0, 1)) for m in pair)


# ------------------------------------------------------------------ the verdict

@dataclass(frozen=True)
class Verdict:
    verdict: str  # "changed" | "tied" | "unclear"
    similarity: dict[str, float]  # metric -> s (original vs every layer randomised)
    unrelated: dict[str, float]  # metric -> s of the misaligned original (the "no relation" reference)
    relative: dict[str, float]  # metric -> r = (s - s_unrelated) / (1 - s_unrelated); NaN when undefined
    votes: dict[str, str]  # metric -> "changed" | "tied" | "unclear"


def vote(relative: float) -> str:
    if not np.isfinite(relative):
        return "unclear"
    return "changed" if relative < CHANGED_BELOW else "tied" if relative > TIED_ABOVE else "unclear"


def judge(original: tuple[np.ndarray, np.ndarray], randomised: tuple[np.ndarray, np.ndarray]) -> Verdict:
    """Is the fully randomised map still the original one? (rule in the module's docstring)"""
    s = similarities(original, randomised)
    # Unrelated maps are expected to score 0 at most: a centred blob rolled to the corners anti-correlates with
    # itself, and a negative reference would stretch the scale and hide a change.
    reference = {metric: max(0.0, value) for metric, value in similarities(original, misaligned(original)).items()}
    relative = {}
    for metric in METRICS:
        room = 1.0 - reference[metric]
        # A reference within 0.05 of 1: the map looks the same misaligned (e.g. blank), nothing to measure by.
        relative[metric] = (s[metric] - reference[metric]) / room if room > 0.05 else float("nan")
    votes = {metric: vote(relative[metric]) for metric in METRICS}
    counts = {kind: sum(v == kind for v in votes.values()) for kind in ("changed", "tied")}
    verdict = ("changed" if counts["changed"] >= VOTES_NEEDED else "tied" if counts["tied"] >= VOTES_NEEDED
               else "unclear")
    return Verdict(verdict, s, reference, relative, votes)


# ------------------------------------------------------------------ the paper's two references

def input_map(picture: np.ndarray) -> np.ndarray:
    """The input itself as a map: its grey level (0-1)."""
    picture = np.asarray(picture, np.float64)
    grey = picture.mean(axis=2) if picture.ndim == 3 else picture
    return grey / 255.0


def edge_map(picture: np.ndarray) -> np.ndarray:
    """An edge detector's map of the picture (Sobel gradient size of the grey level): it knows no model, yet
    looks like a saliency map (Adebayo et al. 2018, Fig. 1)."""
    grey = np.pad(input_map(picture), 1, mode="edge")
    gx = (grey[:-2, 2:] + 2 * grey[1:-1, 2:] + grey[2:, 2:]) - (grey[:-2, :-2] + 2 * grey[1:-1, :-2] + grey[2:, :-2])
    gy = (grey[2:, :-2] + 2 * grey[2:, 1:-1] + grey[2:, 2:]) - (grey[:-2, :-2] + 2 * grey[:-2, 1:-1] + grey[:-2, 2:])
    return np.hypot(gx, gy)
