"""The GAN tab's science: sampling a generator (seed, class, truncation), walking its latent space
(lerp vs slerp, one coordinate), judging samples with a classifier (quality, diversity, digit-FID),
and a 2-D GAN playground (standard GAN, WGAN with weight clipping or gradient penalty).

Models come in as arguments; randomness comes from seeds (``core.seeding``), never global state.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.data.digits import to_tensor
from core.device import in_few_shapes
from core.seeding import generator, init_weights
from core.stats import wilson_interval

MAX_GRID = 64
CLASSES = 10


# ------------------------------------------------------------------ sampling

def latents(seed: int, count: int, z_dim: int, psi: float = 1.0) -> torch.Tensor:
    """``count`` latent vectors z ~ N(0, I) for ``seed``, scaled by the truncation ψ (ψ < 1 draws from a
    smaller radius around the mean: typical, cleaner samples; ψ = 0 gives the 'average' sample of a class).
    Sample i of a seed is the same whatever ``count`` is (the first rows of one fixed draw)."""
    if not 1 <= count <= MAX_GRID:
        raise ValueError(f"count must be 1-{MAX_GRID}")
    z = torch.randn(MAX_GRID, z_dim, generator=generator(seed))
    return z[:count] * psi


def classes(seed: int, count: int, digit: int | None) -> torch.Tensor:
    """The class of each sample: ``digit`` for all, or (None) drawn uniformly for each from the seed."""
    if digit is not None:
        return torch.full((count,), int(digit), dtype=torch.long)
    return torch.randint(0, CLASSES, (MAX_GRID,), generator=generator(seed + 1_000_003))[:count]


def one_hot(labels: torch.Tensor) -> torch.Tensor:
    return F.one_hot(labels, CLASSES).float()


@torch.inference_mode()
def generate(model: nn.Module, z: torch.Tensor, c: torch.Tensor) -> np.ndarray:
    """Images (N, 28, 28) as uint8 (bright ink) for latents z and class vectors c (one-hot or blends)."""
    device = next(model.parameters()).device
    out = in_few_shapes(model, z.to(device), c.to(device))[:, 0]
    return (out.clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()


def sample(model: nn.Module, seed: int, count: int, digit: int | None, psi: float) -> tuple[np.ndarray, np.ndarray]:
    """The grid for (seed, count, digit, ψ): images (N, 28, 28) uint8 and the requested classes (N,)."""
    labels = classes(seed, count, digit)
    return generate(model, latents(seed, count, model.z_dim, psi), one_hot(labels)), labels.numpy()


# ------------------------------------------------------------------ walking the latent space

def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Straight line from a to b at fractions t (F,) -> (F, D). In many dimensions its middle passes close to
    the origin, where a Gaussian almost never puts a sample (‖z‖ ≈ √D for nearly every draw)."""
    t = t[:, None]
    return (1 - t) * a[None] + t * b[None]


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Along the sphere: the direction turns at constant speed from a's to b's (great circle) while the
    length moves linearly from ‖a‖ to ‖b‖, so the path stays on the shell where the samples live."""
    norm_a, norm_b = a.norm(), b.norm()
    if min(float(norm_a), float(norm_b)) < 1e-12:  # an end at the origin (ψ = 0) has no direction: a straight line
        return lerp(a, b, t)
    unit_a, unit_b = a / norm_a, b / norm_b
    omega = torch.arccos((unit_a * unit_b).sum().clamp(-1, 1))
    t = t[:, None]
    if float(omega) < 1e-6:
        direction = unit_a[None].expand(len(t), -1)
    else:
        direction = (torch.sin((1 - t) * omega) * unit_a + torch.sin(t * omega) * unit_b) / torch.sin(omega)
    return direction * ((1 - t) * norm_a + t * norm_b)


@dataclass(frozen=True)
class Walk:
    images: np.ndarray  # (F, 28, 28) uint8
    norms: np.ndarray  # (F,) ‖z‖ along the path
    t: np.ndarray  # (F,) fractions 0..1


def interpolate(model: nn.Module, seed_a: int, seed_b: int, frames: int, digit: int | None, psi: float,
                spherical: bool) -> Walk:
    """From seed a's first sample to seed b's: ``frames`` images along lerp or slerp. With a digit, both
    ends are that digit; without, each end keeps its seed's class and the class vector blends linearly."""
    z_a, z_b = latents(seed_a, 1, model.z_dim, psi)[0], latents(seed_b, 1, model.z_dim, psi)[0]
    c_a, c_b = one_hot(classes(seed_a, 1, digit))[0], one_hot(classes(seed_b, 1, digit))[0]
    t = torch.linspace(0, 1, frames)
    z = (slerp if spherical else lerp)(z_a, z_b, t)
    return Walk(generate(model, z, lerp(c_a, c_b, t)), z.norm(dim=1).numpy(), t.numpy())


def seed_of_another_class(seed: int, limit: int = 10_000) -> int:
    """The smallest seed other than ``seed`` whose first sample's random class differs from ``seed``'s: a walk
    from ``seed`` to it crosses from one digit to another (the tab's default seed B, found by this rule)."""
    start = int(classes(seed, 1, None)[0])
    for other in range(limit):
        if other != seed and int(classes(other, 1, None)[0]) != start:
            return other
    raise ValueError("no seed of another class found")


def vary(model: nn.Module, seed: int, count: int, digit: int | None, psi: float, dimension: int,
         value: float) -> tuple[np.ndarray, np.ndarray]:
    """The grid of (seed, count, digit, ψ) with coordinate ``dimension`` of every z set to ``value``; and the
    unchanged grid, to compare against."""
    z = latents(seed, count, model.z_dim, psi)
    c = one_hot(classes(seed, count, digit))
    moved = z.clone()
    moved[:, dimension] = value
    return generate(model, moved, c), generate(model, z, c)


# ------------------------------------------------------------------ judging samples with a classifier

@dataclass(frozen=True)
class Meter:
    predicted: np.ndarray  # (N,) the classifier's class for each sample
    confidence: np.ndarray  # (N,) its probability for that class
    histogram: np.ndarray  # (10,) how many samples it put in each class
    entropy_bits: float  # of the histogram: log2(10) = 3.32 when all classes are equally common, 0 for one class
    match: float | None  # share classified as the requested class (None when no class was requested)
    distinct: int = 0  # how many different images (ψ = 0 draws each class's one image again and again)

    @property
    def mean_confidence(self) -> float:
        return float(self.confidence.mean())


def histogram_entropy(counts: np.ndarray) -> float:
    p = np.asarray(counts, dtype=np.float64)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log2(p)).sum()) + 0.0


@torch.inference_mode()
def classify(classifier: nn.Module, images: np.ndarray) -> torch.Tensor:
    """Class probabilities (N, 10) of uint8 images (N, 28, 28)."""
    device = next(classifier.parameters()).device
    return torch.softmax(in_few_shapes(classifier, to_tensor(images).to(device)), dim=1).cpu()


def meter(classifier: nn.Module, images: np.ndarray, requested: np.ndarray | None = None) -> Meter:
    """Quality (how sure the classifier is) and diversity (how the predictions spread over the classes)."""
    probs = classify(classifier, images)
    confidence, predicted = probs.max(dim=1)
    predicted = predicted.numpy()
    counts = np.bincount(predicted, minlength=CLASSES)
    match = None if requested is None else float((predicted == np.asarray(requested)).mean())
    return Meter(predicted, confidence.numpy(), counts, histogram_entropy(counts), match, distinct(images))


def distinct(images: np.ndarray) -> int:
    """How many of the images differ (copies count once)."""
    return len(np.unique(np.asarray(images).reshape(len(images), -1), axis=0))


@torch.inference_mode()
def features(classifier: nn.Module, images: np.ndarray, batch: int = 500) -> np.ndarray:
    """The digit CNN's penultimate activations (its 128 hidden units after ReLU): the space of digit-FID."""
    device = next(classifier.parameters()).device
    # Flatten, Linear, ReLU of the head (dropout and the last layer left out), in the judge's own mode
    penultimate = nn.Sequential(classifier.features, *classifier.classifier[:3]).train(classifier.training)
    out = []
    for start in range(0, len(images), batch):
        out.append(in_few_shapes(penultimate, to_tensor(images[start:start + batch]).to(device)).double().cpu())
    return torch.cat(out).numpy()


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors (rows):
    ‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½). Tr((Σa Σb)^½) is the sum of the square roots of the eigenvalues
    of Σa^½ Σb Σa^½, which is symmetric, so no general matrix square root is needed."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mu = a.mean(0) - b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(mu @ mu + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


def digit_fid(classifier: nn.Module, images: np.ndarray, reference: np.ndarray) -> float:
    return frechet_distance(features(classifier, images), features(classifier, reference))


def knn_radii(points: np.ndarray, k: int) -> np.ndarray:
    """For each row, the distance to its k-th nearest other row: the radius of its ball in the k-NN estimate of
    the set's manifold (Kynkäänniemi et al. 2019)."""
    dist = pairwise_distances(points, points)
    np.fill_diagonal(dist, np.inf)
    return np.sort(dist, axis=1)[:, k - 1]


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None] - 2 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


def inside_manifold(queries: np.ndarray, points: np.ndarray, k: int) -> np.ndarray:
    """(Q,) bool: is each query inside the ball of some point (the ball reaching that point's k-th neighbour)?
    A small tolerance counts a query that sits exactly on a ball's edge, or on a point whose ball has radius 0
    (identical samples), as inside."""
    radii = knn_radii(points, k)
    return (pairwise_distances(queries, points) <= radii[None] * (1 + 1e-9) + 1e-9).any(axis=1)


@dataclass(frozen=True)
class PrecisionRecall:
    precision: float  # share of the generated samples inside the real digits' manifold
    recall: float  # share of the real digits inside the generated samples' manifold
    generated: int  # how many generated samples
    real: int  # how many real digits (the recall's sample size)
    k: int
    distinct: int = 0  # how many of the generated samples differ: the precision's sample size (copies count once)

    def interval(self, which: str, z: float = 1.96) -> tuple[float, float]:
        """A 95% Wilson interval for the precision or the recall as a share of its sample (the spread from
        drawing other samples of the same size; the manifolds' own estimation error comes on top). 40 copies of
        one image are one sample: the precision's interval counts the different samples only."""
        value, n = (self.precision, self.distinct or self.generated) if which == "precision" else (self.recall,
                                                                                                  self.real)
        return wilson_interval(value, n, z)


#: k of the k-NN manifolds (the paper's choice), and the fewest samples for which the meter reports them.
PR_K = 3
PR_MIN_SAMPLES = 10


def precision_recall(real_features: np.ndarray, generated_features: np.ndarray, k: int = PR_K) -> PrecisionRecall:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of generated samples against real ones, from their
    feature vectors (rows). Precision: how many generated samples look like some real sample (quality); recall:
    how many real samples some generated sample looks like (coverage, the variety the generator reaches). Each
    set's manifold is the union of balls around its points reaching their k-th nearest neighbour."""
    real, fake = np.asarray(real_features, np.float64), np.asarray(generated_features, np.float64)
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"need more than k = {k} samples in each set")
    precision = float(inside_manifold(fake, real, k).mean())
    recall = float(inside_manifold(real, fake, k).mean())
    return PrecisionRecall(precision, recall, len(fake), len(real), k, distinct(fake))


def real_reference(images: np.ndarray, labels: np.ndarray, digit: int, count: int, seed: int = 0) -> np.ndarray:
    """``count`` real images of ``digit`` (a fixed draw for ``seed``): the reference a grid of ``count`` samples
    is compared with. The same size on both sides, as in the paper: the k-NN balls of the smaller set would
    otherwise be wider and its side of the measure would look better than it is."""
    of_digit = np.flatnonzero(np.asarray(labels) == digit)
    if count > len(of_digit):
        raise ValueError(f"only {len(of_digit)} real images of {digit}")
    chosen = np.random.default_rng(seed + digit).permutation(of_digit)[:count]
    return images[chosen]


# ------------------------------------------------------------------ the 2-D playground

DATASETS = ("gaussians", "ring", "moons", "line")
LOSSES = ("gan", "wgan_clip", "wgan_gp")
RING_RADIUS, MODE_STD = 2.0, 0.05
CLIP, GP_WEIGHT = 0.05, 0.1
BATCH = 256
VIEW = 3.2  # the plots show [-VIEW, VIEW]²


def real_points(dataset: str, n: int, gen: torch.Generator) -> torch.Tensor:
    """n points (n, 2) of the real distribution."""
    if dataset == "gaussians":  # 8 Gaussians on a ring: 8 modes to cover
        angle = torch.randint(0, 8, (n,), generator=gen).float() * (2 * math.pi / 8)
        centre = RING_RADIUS * torch.stack([torch.cos(angle), torch.sin(angle)], 1)
        return centre + MODE_STD * torch.randn(n, 2, generator=gen)
    if dataset == "ring":
        angle = torch.rand(n, generator=gen) * 2 * math.pi
        return RING_RADIUS * torch.stack([torch.cos(angle), torch.sin(angle)], 1) + MODE_STD * torch.randn(
            n, 2, generator=gen)
    if dataset == "moons":
        upper = torch.rand(n, generator=gen) < 0.5
        angle = torch.rand(n, generator=gen) * math.pi
        x = torch.where(upper, torch.cos(angle), 1 - torch.cos(angle))
        y = torch.where(upper, torch.sin(angle), 0.5 - torch.sin(angle))
        return torch.stack([x - 0.5, y - 0.25], 1) * 1.6 + MODE_STD * torch.randn(n, 2, generator=gen)
    if dataset == "line":
        x = torch.rand(n, generator=gen) * 4 - 2
        return torch.stack([x, 0.5 * x], 1) + 0.02 * torch.randn(n, 2, generator=gen)
    raise ValueError(f"unknown dataset {dataset}")


def d_loss(kind: str, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's (critic's) loss. GAN: binary cross-entropy with real = 1, fake = 0 (D outputs
    logits). WGAN: -(E[D(real)] - E[D(fake)]), the negated estimate of the Wasserstein distance."""
    if kind == "gan":
        return F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
    return d_fake.mean() - d_real.mean()


def g_loss(kind: str, d_fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss. GAN: the non-saturating -log D(G(z)). WGAN: -E[D(G(z))]."""
    if kind == "gan":
        return F.softplus(-d_fake).mean()
    return -d_fake.mean()


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, mix: torch.Tensor) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017): E[(‖∇x D(x̂)‖ − 1)²] at x̂ = mix·real + (1 − mix)·fake."""
    between = (mix[:, None] * real + (1 - mix[:, None]) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(between).sum(), between, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


@dataclass(frozen=True)
class PlayConfig:
    dataset: str = "gaussians"
    loss: str = "gan"
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    d_steps: int = 1
    seed: int = 0


#: Mode collapse, then its cure, as (settings, steps trained, steps per click afterwards): the same seed and
#: learning rates (the generator 10x faster than the discriminator). After 200 steps the standard GAN sits on
#: one mode; a click of 50 more steps shows it hop to another. The cure switches to WGAN-GP, 5 critic steps.
PRESETS = {
    "collapse": (PlayConfig("gaussians", "gan", lr_d=1e-3, lr_g=1e-2, d_steps=1, seed=1), 200, 50),
    "cure": (PlayConfig("gaussians", "wgan_gp", lr_d=1e-3, lr_g=1e-2, d_steps=5, seed=1), 400, 200),
}


@dataclass
class Playground:
    """One user's 2-D GAN in training: the two MLPs, their optimisers, the noise source and the history."""

    config: PlayConfig
    generator: nn.Module
    critic: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    gen: torch.Generator
    shown_z: torch.Tensor  # fixed noise for the picture: the same points move from step to step
    steps: int = 0
    history: list[tuple[int, float, float]] = field(default_factory=list)  # (step, D loss, G loss)


def new_playground(config: PlayConfig) -> Playground:
    from demos.gan.model import PlaygroundMLP

    gen = generator(config.seed)
    g, d = init_weights(PlaygroundMLP(2), gen), init_weights(PlaygroundMLP(1), gen)
    betas = (0.5, 0.9)
    return Playground(config, g, d, torch.optim.Adam(g.parameters(), config.lr_g, betas=betas),
                      torch.optim.Adam(d.parameters(), config.lr_d, betas=betas), gen,
                      torch.randn(512, 2, generator=gen))


def train_steps(play: Playground, steps: int, pause: Callable[[], None] | None = None) -> Playground:
    """``steps`` generator updates, each after ``d_steps`` critic updates (in place; returns ``play``); ``pause()``
    after each (a busy server's heavy turn may give way there: ``core.heavy.pause``)."""
    config, gen = play.config, play.gen
    for _ in range(steps):
        for _ in range(config.d_steps):
            real = real_points(config.dataset, BATCH, gen)
            with torch.no_grad():
                fake = play.generator(torch.randn(BATCH, 2, generator=gen))
            loss_d = d_loss(config.loss, play.critic(real), play.critic(fake))
            if config.loss == "wgan_gp":
                mix = torch.rand(BATCH, generator=gen)
                loss_d = loss_d + GP_WEIGHT * gradient_penalty(play.critic, real, fake, mix)
            play.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            play.opt_d.step()
            if config.loss == "wgan_clip":
                with torch.no_grad():
                    for p in play.critic.parameters():
                        p.clamp_(-CLIP, CLIP)
        fake = play.generator(torch.randn(BATCH, 2, generator=gen))
        loss_g = g_loss(config.loss, play.critic(fake))
        play.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        play.opt_g.step()
        play.steps += 1
        play.history.append((play.steps, loss_d.item(), loss_g.item()))
        if pause is not None:
            pause()
    return play


@dataclass(frozen=True)
class Field:
    """What the picture shows: the critic's output on a grid and the generator's pull on an arrow grid."""

    xs: np.ndarray  # (R,) grid coordinates of the heat map (both axes)
    critic: np.ndarray  # (R, R) D(x) (probability for GAN, raw score for WGAN), rows = y
    arrows_at: np.ndarray  # (A, 2)
    arrows: np.ndarray  # (A, 2): -∇x of the generator's loss at each point: where a generated point is pushed
    fake: np.ndarray  # (P, 2) generated points from the fixed noise
    real: np.ndarray  # (P, 2)


def field_view(play: Playground, resolution: int = 60, arrows: int = 13) -> Field:
    xs = np.linspace(-VIEW, VIEW, resolution, dtype=np.float32)
    grid = torch.from_numpy(np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2))
    with torch.no_grad():
        score = play.critic(grid)[:, 0]
        critic = torch.sigmoid(score) if play.config.loss == "gan" else score
        fake = play.generator(play.shown_z)
    ax = np.linspace(-VIEW * 0.92, VIEW * 0.92, arrows, dtype=np.float32)
    points = torch.from_numpy(np.stack(np.meshgrid(ax, ax), -1).reshape(-1, 2)).requires_grad_(True)
    grad, = torch.autograd.grad(g_loss(play.config.loss, play.critic(points)[:, 0]) * len(points), points)
    real = real_points(play.config.dataset, len(play.shown_z), generator(play.config.seed + 1))
    return Field(xs, critic.reshape(resolution, resolution).numpy(), points.detach().numpy(), -grad.numpy(),
                 fake.numpy(), real.numpy())


def mode_counts(points: np.ndarray) -> np.ndarray:
    """For the 8 Gaussians: how many of the points lie at each mode (within 0.5 of its centre, 10 σ)."""
    angles = np.arange(8) * 2 * np.pi / 8
    centres = RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], 1)
    dist = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
    return np.bincount(dist.argmin(1)[dist.min(1) < 0.5], minlength=8)


def mode_coverage(points: np.ndarray, min_share: float = 0.02) -> tuple[int, float]:
    """For the 8 Gaussians: how many modes get at least ``min_share`` of the points, and the share of the
    points that lie at any mode (quality)."""
    counts = mode_counts(points)
    return int((counts >= min_share * len(points)).sum()), float(counts.sum() / len(points))
