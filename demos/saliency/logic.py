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

Checks: the **sanity check** (Adebayo et al. 2018) re-initialises the model's layers from the top down and
compares each map with the original by four similarities at a scale that ignores pixel jitter (similarity.py:
the rule of its verdict, with an "unclear" band and what it does with the sign).
The **deletion curve** (Petsiuk et al. 2018) removes the most salient pixels first and follows the class
probability (the faster it falls, the smaller the area under the curve, the more faithful the map); the
**insertion curve** puts them back into the fill, most salient first (the faster it rises, the better). Ties
are broken at random, several orders averaged; a random order is the reference, with its own spread.

Every map here is made non-negative (|·| for gradients and IG, ReLU for Grad-CAM and Occlusion: the
evidence *for* the class) and 2-D (the largest value over the colour channels, as Simonyan et al. do).
Models are passed in; no Gradio, no global state.
"""
from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageFilter
from torch import nn

from core.device import in_few_shapes
from core.seeding import generator, init_weights
from demos.saliency import similarity

METHODS = ("saliency", "smoothgrad", "smoothgrad_sq", "vargrad", "integrated_gradients", "gradcam", "occlusion")
NOISE_TYPES = {"smoothgrad": "smoothgrad", "smoothgrad_sq": "smoothgrad_sq", "vargrad": "vargrad"}
BASELINES = ("black", "blurred", "noise")
#: The fractions of the pixels removed (deletion) or put back (insertion): fine where the curves move most.
DELETION_STEPS = np.array([0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
TIE_ORDERS = 3  # random tie-breaking orders averaged for a map with ties, and random orders for the reference
MIN_AUC_GAP = 0.05  # an AUC gap below 5 points of probability (averaged over the curve) is not read as a difference
LOW_CLASS_P = 0.5  # below this p(class) on the intact picture, the curves have little room: the tab warns


SANITY_CAP = {"samples": 10, "ig_steps": 16, "stride_percent": 14.0}  # the sanity check recomputes every map 11x


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


def sanity_settings(settings: Settings) -> Settings:
    """The sanity check recomputes every map after each of ~11 steps, so it caps the costly knobs: at most 10
    SmoothGrad samples and 16 Integrated Gradients steps, and an Occlusion stride of at least 14% of the side
    (7x7 = 49 window positions per map at the default window instead of 13x13 = 169), its window at least as wide
    (a smaller window would bring the stride down to it: ``occlusion_grid``)."""
    stride = max(settings.stride_percent, SANITY_CAP["stride_percent"])
    return dataclasses.replace(settings, samples=min(settings.samples, SANITY_CAP["samples"]),
                               ig_steps=min(settings.ig_steps, SANITY_CAP["ig_steps"]), stride_percent=stride,
                               window_percent=max(settings.window_percent, stride))


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

_GLOBAL_GENERATOR = threading.Lock()


def noise_tunnel(method, seed: int):
    """Captum's NoiseTunnel around ``method``, drawing SmoothGrad's noise from its own sequence seeded by ``seed``.
    Captum draws from torch's global generator (it takes none of its own), so each draw puts this tunnel's generator
    state in under a lock, for the draw only: two runs at one seed give one map whatever runs beside them (the
    warm-up beside the queue, two users), and the forward passes between draws hold no lock (a heavy step may give
    way there). Relies on NoiseTunnel._add_noise_to_inputs (CONTRIBUTING.md lists it)."""
    from captum.attr import NoiseTunnel

    class SeededNoiseTunnel(NoiseTunnel):
        def __init__(self):
            super().__init__(method)
            self.state = torch.Generator().manual_seed(int(seed)).get_state()  # = the global one's after manual_seed

        def _add_noise_to_inputs(self, *args, **kwargs):
            with _GLOBAL_GENERATOR, torch.random.fork_rng(devices=[]):
                torch.random.set_rng_state(self.state)
                noisy = super()._add_noise_to_inputs(*args, **kwargs)
                self.state = torch.random.get_rng_state()
            return noisy

    return SeededNoiseTunnel()


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
    """The (H, W) non-negative map of ``method`` for class ``target`` of the single input ``x`` (1, C, H, W)."""
    return attribute_pair(model, x, target, method, settings, cam_layer=cam_layer, baseline=baseline)[0]


#: Occlusion's windows per forward pass
OCCLUSION_BATCH = 16


def in_chunks(model: nn.Module, chunk: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """``model`` as a method that batches ``chunk`` rows at a time calls it: its last, smaller batch is padded to
    ``chunk`` and cut back (rows are independent in eval mode, so the maps are the same; padded rows get no
    gradient). Each method then runs the model in one batch shape: the remainders (1-15 rows, from the sliders)
    would each compile oneDNN kernels that are kept for good (core.device.in_few_shapes)."""
    return functools.partial(in_few_shapes, model, sizes=(chunk,))


def ig_batch(settings: Settings) -> int:
    return int(settings.batch) * 2


def attribute_pair(model: nn.Module, x: torch.Tensor, target: int, method: str, settings: Settings = Settings(),
                   *, cam_layer: nn.Module | None = None,
                   baseline: torch.Tensor | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(the map the tab shows, ≥ 0; the signed map) of ``method``, from one computation. The signed map is the
    attribution summed over the colour channels before any |·| or ReLU (the sanity check's "without absolute
    values"); SmoothGrad, SmoothGrad² and VarGrad average sizes, so their signed map is the map itself."""
    from captum.attr import LayerAttribution, LayerGradCam, Occlusion, Saliency

    x = x.detach().clone().requires_grad_(True)
    if method == "saliency":
        gradient = Saliency(model).attribute(x, target=target, abs=False)
        return to_map(gradient, "abs"), gradient.detach().float()[0].sum(dim=0).numpy()
    if method in NOISE_TYPES:
        maps = noise_tunnel(Saliency(in_chunks(model, int(settings.batch))), settings.seed).attribute(
            x, nt_type=NOISE_TYPES[method], nt_samples=int(settings.samples),
            nt_samples_batch_size=int(settings.batch), stdevs=noise_sigma(x, settings.sigma_percent),
            target=target, abs=True)
        heat = to_map(maps, "abs")
        return heat, heat.copy()
    if method == "integrated_gradients":
        signed = integrated_gradients(model, x, target, baseline, settings).detach().float()[0].sum(dim=0).numpy()
        return np.abs(signed), signed  # signed per pixel, then its size
    if method == "gradcam":
        if cam_layer is None:
            raise ValueError("Grad-CAM needs the model's last convolutional layer")
        cam = LayerGradCam(model, cam_layer).attribute(x, target=target, relu_attributions=False)
        size = tuple(x.shape[-2:])
        heat = LayerAttribution.interpolate(cam.clamp(min=0), size, interpolate_mode="bilinear")
        signed = LayerAttribution.interpolate(cam, size, interpolate_mode="bilinear")
        return to_map(heat, "relu"), signed.detach().float()[0].mean(dim=0).numpy()
    if method == "occlusion":
        window, stride = occlusion_grid(x.shape[-1], settings)
        maps = Occlusion(in_chunks(model, OCCLUSION_BATCH)).attribute(
            x, target=target, baselines=0.0, sliding_window_shapes=(x.shape[1], window, window),
            strides=(x.shape[1], stride, stride), perturbations_per_eval=OCCLUSION_BATCH)
        return to_map(maps, "relu"), maps.detach().float()[0].mean(dim=0).numpy()
    raise ValueError(f"unknown method {method!r}")


def occlusion_grid(side: int, settings: Settings) -> tuple[int, int]:
    """Occlusion's (window, stride) in pixels on a side x side input. A stride longer than the window would leave
    pixels that no window covers (Captum refuses it): it is taken as the window."""
    window = max(1, round(side * settings.window_percent / 100))
    return window, min(window, max(1, round(side * settings.stride_percent / 100)))


def occlusion_positions(side: int, settings: Settings) -> int:
    """How many window positions (forward passes) one Occlusion map costs on a side x side input."""
    window, stride = occlusion_grid(side, settings)
    return ((side - window) // stride + 1) ** 2


def integrated_gradients(model: nn.Module, x: torch.Tensor, target: int, baseline: torch.Tensor | None,
                         settings: Settings = Settings()) -> torch.Tensor:
    """Integrated Gradients' signed attributions (1, C, H, W); they add up to f(x) − f(baseline)."""
    from captum.attr import IntegratedGradients

    base = torch.zeros_like(x) if baseline is None else baseline
    return IntegratedGradients(in_chunks(model, ig_batch(settings))).attribute(
        x, baselines=base, target=target, n_steps=int(settings.ig_steps), internal_batch_size=ig_batch(settings))


def attribute_all(model: nn.Module, x: torch.Tensor, target: int, methods: Iterable[str], settings: Settings,
                  *, cam_layer: nn.Module | None = None, baseline: torch.Tensor | None = None,
                  report: Callable[[int, str], None] | None = None,
                  stop: Callable[[], bool] | None = None) -> dict[str, np.ndarray]:
    """{method: map} for each method, in order; ``report(i, method)`` before each. ``stop()``, asked before each
    method but the first, ends there (a busy class): the maps so far."""
    maps = {}
    for i, method in enumerate(methods):
        if report:
            report(i, method)
        if i and stop is not None and stop():
            break
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
    return similarity.spearman(a, b)


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


#: An explainer: (model, x, target, method) -> (map ≥ 0, signed map). The tab's is ``attribute_pair``; the tests
#: pass ones with a known answer (a method that returns the input whatever the weights).
Explainer = Callable[[nn.Module, torch.Tensor, int, str], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SanityResult:
    steps: tuple[str, ...]  # "original", then the name of each layer group randomised (cumulative, top down)
    maps: dict[str, tuple[np.ndarray, ...]]  # method -> one map (≥ 0) per step
    signed: dict[str, tuple[np.ndarray, ...]]  # method -> one signed map per step
    similarity: dict[str, dict[str, tuple[float, ...]]]  # method -> metric -> similarity with the original, per step
    verdicts: dict[str, similarity.Verdict]  # method -> the verdict on the last step (every layer randomised)
    edge: np.ndarray  # the two references of the paper: an edge detector's map of the picture...
    picture: np.ndarray  # ...and the input itself (its grey level)
    skipped: tuple[str, ...] = ()  # steps skipped in a busy class (the groups randomised at once at the last step)

    @property
    def correlations(self) -> dict[str, tuple[float, ...]]:
        """Spearman rank correlation of the maps' sizes with the original, per step (at the coarse scale)."""
        return {m: values["spearman_abs"] for m, values in self.similarity.items()}


def all_at_once(steps: Sequence[tuple[str, Callable]]) -> list[tuple[str, Callable]]:
    """The cascade's last model in one step: every group randomised with the seed it gets in the cascade (its
    place, 1 first), so the maps of the last step are the same and the steps between are skipped."""
    def apply(model, seed):
        for index, (_, modules_of) in enumerate(steps, 1):
            randomize(modules_of(model), seed=seed + index)
        return []
    return [("all", apply)]


def cascading_randomization(make_copy: Callable[[], nn.Module], steps: Sequence[tuple[str, Callable]],
                            x: torch.Tensor, target: int, methods: Sequence[str], settings: Settings,
                            cam_layer_of: Callable[[nn.Module], nn.Module] | None = None,
                            baseline: torch.Tensor | None = None,
                            report: Callable[[float, str], None] | None = None,
                            picture: np.ndarray | None = None, explainer: Explainer | None = None,
                            stop: Callable[[], bool] | None = None) -> SanityResult:
    """Adebayo et al. 2018: randomise ``steps`` = [(name, modules_of(model))] cumulatively from the top (the
    logits) down, re-computing each method's map on a copy of the model after each step; compare every map with
    the original one by the four similarities of ``similarity`` and judge the last step. ``picture`` (uint8, what
    the model sees) gives the references: the input and an edge detector's map of it. ``stop()``, asked before
    each step but the last (a busy class), skips the steps between: the groups left are randomised at once, as
    ``all_at_once`` does, so the last step and the verdict are the full cascade's (``skipped`` names the others)."""
    model = make_copy().eval()

    def explain(method):
        if explainer is not None:
            return explainer(model, x, target, method)
        layer = cam_layer_of(model) if cam_layer_of else None
        return attribute_pair(model, x, target, method, settings, cam_layer=layer, baseline=baseline)

    def randomise(index):  # the cascade's step ``index`` (1 first), with the seed it has in the cascade
        name, modules_of = steps[index - 1]
        if name == "all":  # all_at_once: the whole cascade, each group with its own seed
            modules_of(model, settings.seed)
        else:
            randomize(modules_of(model), seed=settings.seed + index)
        return name

    names, pairs, skipped = ["original"], {m: [] for m in methods}, []
    total = (len(steps) + 1) * len(methods)
    index = 0
    while index <= len(steps):
        if index:
            if index < len(steps) and stop is not None and stop():
                skipped = [steps[i - 1][0] for i in range(index, len(steps))]
                for i in range(index, len(steps)):
                    randomise(i)
                index = len(steps)
            names.append(randomise(index))
        for j, method in enumerate(methods):
            if report:
                report((index * len(methods) + j) / total, names[-1])
            pairs[method].append(explain(method))
        index += 1
    scores = {}
    for method in methods:
        per_step = [similarity.similarities(pairs[method][0], later) for later in pairs[method]]
        scores[method] = {metric: tuple(step[metric] for step in per_step) for metric in similarity.METRICS}
    verdicts = {m: similarity.judge(pairs[m][0], pairs[m][-1]) for m in methods}
    if picture is None:
        picture = np.uint8(np.clip((x.detach().float()[0].mean(dim=0).numpy() + 1) * 127.5, 0, 255))
    return SanityResult(tuple(names), {m: tuple(p[0] for p in v) for m, v in pairs.items()},
                        {m: tuple(p[1] for p in v) for m, v in pairs.items()}, scores, verdicts,
                        similarity.edge_map(picture), similarity.input_map(picture), tuple(skipped))


# ------------------------------------------------------------------ deletion and insertion curves

def removal_rank(heat: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each pixel's place in the removal order (0 = first): most salient first, ties broken at random (a map
    that is half zeros must not remove its zeros top to bottom). A constant map gives a random order."""
    flat = np.asarray(heat, dtype=np.float64).ravel()
    order = np.lexsort((rng.random(flat.size), -flat))  # the last key sorts first: -heat, then the random key
    rank = np.empty(flat.size, dtype=np.int64)
    rank[order] = np.arange(flat.size)
    return rank.reshape(np.shape(heat))


def has_ties(heat: np.ndarray) -> bool:
    return np.unique(np.asarray(heat)).size < np.asarray(heat).size


@dataclass(frozen=True)
class Curves:
    """p(target) along the deletion and the insertion of pixels, one row per tie-breaking order."""

    deletion: np.ndarray  # (orders, fractions): most salient pixels set to the fill first
    insertion: np.ndarray  # (orders, fractions): the fill, most salient pixels put back first

    def auc(self, kind: str) -> np.ndarray:
        """The area under each order's curve."""
        return np.array([area_under(curve) for curve in getattr(self, kind)])


@torch.inference_mode()
def perturbation_curves(model: nn.Module, x: torch.Tensor, target: int, heat: np.ndarray,
                        fill: torch.Tensor | None = None, fractions: np.ndarray = DELETION_STEPS,
                        orders: int = TIE_ORDERS, seed: int = 0, batch: int = 7) -> Curves:
    """Deletion and insertion curves (Petsiuk et al. 2018) of one map: p(target) as the most salient pixels are
    removed (set to ``fill``, default 0: the model's zero input, mid-grey for photos, black for digits), and as
    they are put back into the fill, at each fraction of the pixels. A map with ties gets ``orders`` random
    tie-breaking orders (one per row, from a local generator seeded by ``seed``); a map without ties has one."""
    height, width = x.shape[-2:]
    fill = torch.zeros_like(x) if fill is None else fill
    counts = [int(round(f * height * width)) for f in fractions]
    rows = orders if has_ties(heat) else 1
    deletion, insertion = [], []
    for k in range(rows):
        rank = torch.from_numpy(removal_rank(heat, np.random.default_rng([int(seed), k])))
        for kind, first, rest in (("deletion", fill, x), ("insertion", x, fill)):
            probs = []
            for start in range(0, len(counts), batch):
                chosen = torch.stack([(rank < c) for c in counts[start:start + batch]])[:, None]  # (B, 1, H, W)
                probs.append(model(torch.where(chosen, first, rest)).float().softmax(dim=-1)[:, target])
            (deletion if kind == "deletion" else insertion).append(torch.cat(probs).numpy())
    return Curves(np.array(deletion), np.array(insertion))


def deletion_curve(model: nn.Module, x: torch.Tensor, target: int, heat: np.ndarray,
                   fill: torch.Tensor | None = None, fractions: np.ndarray = DELETION_STEPS,
                   seed: int = 0) -> np.ndarray:
    """The deletion curve of one map, averaged over its tie-breaking orders."""
    return perturbation_curves(model, x, target, heat, fill, fractions, seed=seed).deletion.mean(axis=0)


def random_reference(model: nn.Module, x: torch.Tensor, target: int, fill: torch.Tensor | None = None,
                     orders: int = TIE_ORDERS, seed: int = 0) -> Curves:
    """The reference: ``orders`` random orders (a constant map, every pixel tied)."""
    return perturbation_curves(model, x, target, np.zeros(tuple(x.shape[-2:])), fill, orders=orders,
                               seed=seed + 1000)


def area_under(curve: np.ndarray, fractions: np.ndarray = DELETION_STEPS) -> float:
    """Area under a curve over 0-100% of the pixels (trapezoids). Deletion: lower = the map found what matters;
    insertion: higher = the map found what matters."""
    curve = np.asarray(curve, dtype=np.float64)
    return float(np.sum((curve[1:] + curve[:-1]) / 2 * np.diff(fractions)))


def random_map(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A map that knows nothing."""
    return np.random.default_rng(seed).random(shape)


@dataclass(frozen=True)
class Reading:
    """What one method's curve says against the random reference, in one kind of curve."""

    kind: str  # "deletion" | "insertion"
    auc: float  # mean over the tie-breaking orders
    spread: float  # max - min over those orders (0 with one order)
    random_auc: float
    random_spread: float
    margin: float  # the smallest gap read as a difference
    verdict: str  # "better" | "worse" | "same" (within the margin)


def read_curves(curves: Curves, reference: Curves, kind: str) -> Reading:
    """Better or worse than a random order? Lower deletion AUC / higher insertion AUC is better (``reading``)."""
    auc, random_auc = curves.auc(kind), reference.auc(kind)
    return reading(kind, float(auc.mean()), float(np.ptp(auc)), float(random_auc.mean()), float(np.ptp(random_auc)))


def reading(kind: str, auc: float, spread: float, random_auc: float, random_spread: float) -> Reading:
    """A gap to the random orders' mean smaller than ``MIN_AUC_GAP`` or than the two ranges over the orders
    added up (the range of 3 draws is about 1.7 standard deviations, so their sum bounds the gap of two means
    at about 2 standard deviations) is read as "same"."""
    margin = max(MIN_AUC_GAP, spread + random_spread)
    gain = (random_auc - auc) * (1 if kind == "deletion" else -1)  # > 0: better than random
    verdict = "better" if gain > margin else "worse" if gain < -margin else "same"
    return Reading(kind, auc, spread, random_auc, random_spread, margin, verdict)
