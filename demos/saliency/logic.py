"""Why did the classifier say that? Attribution maps through Captum, and two checks of them.

* A saliency map is |∂y_c/∂x| (Simonyan et al. 2014): how much the class score y_c (the logit) moves
  when one pixel moves. It is noisy, and it saturates: where the score is flat, the gradient says nothing.
* SmoothGrad (Smilkov et al. 2017) averages the maps of N noisy copies x + ε, ε ~ N(0, σ²), with σ a
  fraction of the input's range (x_max − x_min); 10-20% worked best in the paper. SmoothGrad² averages the
  squared maps, VarGrad takes their variance.
* Integrated Gradients (Sundararajan et al. 2017) integrates the gradient along the straight path from a
  baseline to x, so the attributions add up to f(x) − f(baseline) ("completeness").
* Grad-CAM (Selvaraju et al. 2017) weighs the last convolutional feature map by its mean gradient.
* Occlusion (Zeiler & Fergus 2014) slides a grey window over the image and records how much y_c drops.

Checks: the **sanity check** (Adebayo et al. 2018) re-initialises the model's layers from the top down; a map
that still looks the same (high rank correlation with the original) explains the image, not the model.
The **deletion curve** (Petsiuk et al. 2018) removes the most salient pixels first and follows the class
probability; the faster it falls (the smaller the area under the curve), the more faithful the map.

Every map here is made non-negative (|·| for gradients and IG, ReLU for Grad-CAM and Occlusion: the
evidence *for* the class) and 2-D (the largest value over the colour channels, as Simonyan et al. do).
Models are passed in; no Gradio, no global state.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageFilter
from torch import nn

from core.seeding import generator, init_weights

METHODS = ("saliency", "smoothgrad", "smoothgrad_sq", "vargrad", "integrated_gradients", "gradcam", "occlusion")
NOISE_TYPES = {"smoothgrad": "smoothgrad", "smoothgrad_sq": "smoothgrad_sq", "vargrad": "vargrad"}
BASELINES = ("black", "blurred", "noise")
DELETION_STEPS = np.linspace(0.0, 1.0, 21)  # 0%, 5%, ..., 100% of the pixels removed


@dataclass(frozen=True)
class Settings:
    """Every knob of the methods (hashable: it is part of the memo key)."""

    sigma_percent: float = 15.0  # SmoothGrad noise σ as % of the input's range
    samples: int = 25  # N noisy copies
    batch: int = 5  # noisy copies per forward/backward pass (nt_samples_batch_size)
    ig_steps: int = 32
    baseline: str = "black"
    window_percent: float = 14.0  # occlusion window, % of the image side (32 px of 224, 4 px of 28)
    stride_percent: float = 7.0
    seed: int = 0


# ------------------------------------------------------------------ pictures in, tensors out

def square_crop(rgb: np.ndarray, size: int, channels: int = 3) -> np.ndarray:
    """What the classifier sees: the short side scaled to ``size``, the centre square kept (uint8,
    ``size``² x 3, or ``size``² grey for a 1-channel model)."""
    picture = Image.fromarray(np.asarray(rgb, dtype=np.uint8))
    picture = picture.convert("L" if channels == 1 else "RGB")
    width, height = picture.size
    scale = size / min(width, height)
    new = (max(size, round(width * scale)), max(size, round(height * scale)))
    picture = picture.resize(new, Image.BICUBIC, reducing_gap=3.0)
    left, top = (new[0] - size) // 2, (new[1] - size) // 2
    return np.asarray(picture.crop((left, top, left + size, top + size)))


def enlarge(picture: np.ndarray, factor: int = 8) -> np.ndarray:
    """Each pixel as a factor x factor block (the example gallery shows 28x28 digits this way)."""
    block = np.ones((factor, factor) + (1,) * (picture.ndim - 2), dtype=picture.dtype)
    return np.kron(picture, block)


def baseline_picture(picture: np.ndarray, kind: str, seed: int = 0) -> np.ndarray:
    """Integrated Gradients' starting point, as a picture: black, the picture blurred (its shapes gone,
    its colours kept), or uniform noise."""
    if kind == "black":
        return np.zeros_like(picture)
    if kind == "blurred":
        radius = max(2.0, picture.shape[0] / 16)
        return np.asarray(Image.fromarray(picture).filter(ImageFilter.GaussianBlur(radius)))
    if kind == "noise":
        return np.random.default_rng(seed).integers(0, 256, picture.shape, dtype=np.uint8)
    raise ValueError(f"unknown baseline {kind!r}")


# ------------------------------------------------------------------ predictions

@torch.inference_mode()
def probabilities(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Softmax over the classes for a batch of inputs."""
    return model(x).float().softmax(dim=-1)


def top_k(probs: torch.Tensor, labels: Sequence[str], k: int = 5) -> list[tuple[int, str, float]]:
    """[(class index, name, probability)] of the k most probable classes of one input."""
    values, indices = probs.reshape(-1).topk(min(k, probs.numel()))
    return [(int(i), labels[int(i)], float(v)) for v, i in zip(values, indices)]


# ------------------------------------------------------------------ attributions (all through Captum)

@contextlib.contextmanager
def seeded(seed: int):
    """Captum draws SmoothGrad's noise from torch's global generator: seed it for this block only."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


def noise_sigma(x: torch.Tensor, sigma_percent: float) -> float:
    """σ in the input's own units: a percentage of its range x_max − x_min (Smilkov et al. 2017)."""
    return float(sigma_percent) / 100.0 * float(x.detach().max() - x.detach().min())


def to_map(attribution: torch.Tensor, how: str) -> np.ndarray:
    """(1, C, H, W) attribution -> (H, W) non-negative map."""
    a = attribution.detach().float()[0]
    if how == "abs":
        a = a.abs()
    elif how == "relu":
        a = a.clamp(min=0)
    return a.max(dim=0).values.numpy()


def attribute(model: nn.Module, x: torch.Tensor, target: int, method: str, settings: Settings = Settings(),
              *, cam_layer: nn.Module | None = None, baseline: torch.Tensor | None = None) -> np.ndarray:
    """The (H, W) map of ``method`` for class ``target`` of the single input ``x`` (1, C, H, W)."""
    from captum.attr import LayerAttribution, LayerGradCam, NoiseTunnel, Occlusion, Saliency

    x = x.detach().clone().requires_grad_(True)
    if method == "saliency":
        return to_map(Saliency(model).attribute(x, target=target, abs=True), "abs")
    if method in NOISE_TYPES:
        with seeded(settings.seed):
            maps = NoiseTunnel(Saliency(model)).attribute(
                x, nt_type=NOISE_TYPES[method], nt_samples=int(settings.samples),
                nt_samples_batch_size=int(settings.batch), stdevs=noise_sigma(x, settings.sigma_percent),
                target=target, abs=True)
        return to_map(maps, "abs")
    if method == "integrated_gradients":
        maps = integrated_gradients(model, x, target, baseline, settings)
        return np.abs(maps.detach().float()[0].sum(dim=0).numpy())  # signed per pixel, then its size
    if method == "gradcam":
        if cam_layer is None:
            raise ValueError("Grad-CAM needs the model's last convolutional layer")
        cam = LayerGradCam(model, cam_layer).attribute(x, target=target, relu_attributions=True)
        cam = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")
        return to_map(cam, "relu")
    if method == "occlusion":
        side = x.shape[-1]
        window = max(1, round(side * settings.window_percent / 100))
        stride = max(1, round(side * settings.stride_percent / 100))
        maps = Occlusion(model).attribute(x, target=target, baselines=0.0, sliding_window_shapes=(x.shape[1], window,
                                          window), strides=(x.shape[1], stride, stride), perturbations_per_eval=16)
        return to_map(maps, "relu")
    raise ValueError(f"unknown method {method!r}")


def integrated_gradients(model: nn.Module, x: torch.Tensor, target: int, baseline: torch.Tensor | None,
                         settings: Settings = Settings()) -> torch.Tensor:
    """Integrated Gradients' signed attributions (1, C, H, W); they add up to f(x) − f(baseline)."""
    from captum.attr import IntegratedGradients

    base = torch.zeros_like(x) if baseline is None else baseline
    return IntegratedGradients(model).attribute(x, baselines=base, target=target, n_steps=int(settings.ig_steps),
                                                internal_batch_size=int(settings.batch) * 2)


def attribute_all(model: nn.Module, x: torch.Tensor, target: int, methods: Iterable[str], settings: Settings,
                  *, cam_layer: nn.Module | None = None, baseline: torch.Tensor | None = None,
                  report: Callable[[int, str], None] | None = None) -> dict[str, np.ndarray]:
    """{method: map} for each method, in order; ``report(i, method)`` before each."""
    maps = {}
    for i, method in enumerate(methods):
        if report:
            report(i, method)
        maps[method] = attribute(model, x, target, method, settings, cam_layer=cam_layer, baseline=baseline)
    return maps


def unit_scale(heat: np.ndarray, percentile: float = 99.0) -> np.ndarray:
    """A map divided by its 99th percentile (clipped at 1): maps of different methods are in different
    units (a gradient, a score difference), so they share one 0-1 scale of relative importance."""
    top = float(np.percentile(heat, percentile)) if heat.size else 0.0
    return np.clip(heat / top, 0.0, 1.0) if top > 0 else np.zeros_like(heat)


# ------------------------------------------------------------------ sanity check: cascading randomisation

def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps (ties share their average rank); 0 if one is constant."""
    ra, rb = _ranks(np.ravel(a)), _ranks(np.ravel(b))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    norm = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / norm) if norm > 0 else 0.0


def _ranks(values: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse].astype(np.float64)  # 1-based average rank of each tie group


@torch.no_grad()
def randomize(modules: Iterable[nn.Module], seed: int) -> None:
    """Re-initialise layers as if never trained: conv/linear weights from PyTorch's default initialisation
    (drawn from a seeded generator), batch norms reset to identity."""
    gen = generator(seed)
    for module in modules:
        init_weights(module, gen)
        for layer in module.modules():
            if isinstance(layer, nn.modules.batchnorm._BatchNorm):
                layer.reset_parameters()


@dataclass(frozen=True)
class SanityResult:
    steps: tuple[str, ...]  # "original", then the name of each layer group randomised (cumulative, top down)
    maps: dict[str, tuple[np.ndarray, ...]]  # method -> one map per step
    correlations: dict[str, tuple[float, ...]]  # method -> Spearman with the original, per step


def cascading_randomization(make_copy: Callable[[], nn.Module], steps: Sequence[tuple[str, Callable]],
                            x: torch.Tensor, target: int, methods: Sequence[str], settings: Settings,
                            cam_layer_of: Callable[[nn.Module], nn.Module] | None = None,
                            baseline: torch.Tensor | None = None,
                            report: Callable[[float, str], None] | None = None) -> SanityResult:
    """Adebayo et al. 2018: randomise ``steps`` = [(name, modules_of(model))] cumulatively from the top (the
    logits) down, re-computing each method's map on a copy of the model after each step."""
    model = make_copy().eval()
    names, maps = ["original"], {m: [] for m in methods}
    total = (len(steps) + 1) * len(methods)
    for index in range(len(steps) + 1):
        if index:
            name, modules_of = steps[index - 1]
            randomize(modules_of(model), seed=settings.seed + index)
            names.append(name)
        layer = cam_layer_of(model) if cam_layer_of else None
        for j, method in enumerate(methods):
            if report:
                report((index * len(methods) + j) / total, names[-1])
            maps[method].append(attribute(model, x, target, method, settings, cam_layer=layer, baseline=baseline))
    correlations = {m: tuple(spearman(maps[m][0], later) for later in maps[m]) for m in methods}
    return SanityResult(tuple(names), {m: tuple(v) for m, v in maps.items()}, correlations)


# ------------------------------------------------------------------ deletion curve

@torch.inference_mode()
def deletion_curve(model: nn.Module, x: torch.Tensor, target: int, heat: np.ndarray,
                   fill: torch.Tensor | None = None, fractions: np.ndarray = DELETION_STEPS,
                   batch: int = 7) -> np.ndarray:
    """p(target) as the most salient pixels are removed first (set to ``fill``, default 0: the model's
    zero input, mid-grey for photos, black for digits), at each fraction of the pixels."""
    height, width = x.shape[-2:]
    order = np.argsort(-np.asarray(heat, dtype=np.float64).ravel(), kind="stable")  # most salient first
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    rank = torch.from_numpy(rank.reshape(height, width))
    fill = torch.zeros_like(x) if fill is None else fill
    probs = []
    counts = [int(round(f * height * width)) for f in fractions]
    for start in range(0, len(counts), batch):
        chunk = counts[start:start + batch]
        removed = torch.stack([(rank < c) for c in chunk])[:, None]  # (B, 1, H, W)
        inputs = torch.where(removed, fill, x)
        probs.append(model(inputs).float().softmax(dim=-1)[:, target])
    return torch.cat(probs).numpy()


def area_under(curve: np.ndarray, fractions: np.ndarray = DELETION_STEPS) -> float:
    """Area under a deletion curve over 0-100% removed (trapezoids): lower = the map found what matters."""
    curve = np.asarray(curve, dtype=np.float64)
    return float(np.sum((curve[1:] + curve[:-1]) / 2 * np.diff(fractions)))


def random_map(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A map that knows nothing: the deletion curve's reference."""
    return np.random.default_rng(seed).random(shape)
