"""Knowledge distillation (Hinton, Vinyals & Dean, 2015), as pure functions.

* ``softmax_with_temperature``: soft targets p_i = exp(z_i/T) / sum_j exp(z_j/T).
* ``distillation_loss``: alpha * T^2 * KL(p_teacher,T || p_student,T) + (1 - alpha) * CE(y, p_student,1).
  The soft term's gradient shrinks like 1/T^2, so T^2 keeps it the same size as T changes
  (``soft_gradient_norms`` shows it).
* ``train_students``: a student trained on the teacher's soft targets next to the same student
  trained on hard labels, same data, same seed; optionally with one class held out, as the paper
  did with the 3s, and the bias correction that recovers it (``held_out_bias``).

The teacher is passed in (any module mapping (N, 1, 28, 28) digits to 10 logits), so every function
here runs on the bundled digit CNN in the app and on tiny hand-made modules in the tests.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import seeding
from core.data.digits import Digits, to_tensor
from demos.distillation.model import StudentMLP, StudentStack

# ------------------------------------------------------------------ the formulas

def softmax_with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(z / T) over the last axis. T -> 0 tends to one-hot, T -> inf to uniform."""
    temperature = float(temperature)
    if not temperature > 0 or math.isinf(temperature):  # also rejects NaN
        raise ValueError(f"temperature must be a positive finite number, got {temperature}")
    return torch.softmax(logits / temperature, dim=-1)


def entropy_bits(probs: torch.Tensor) -> torch.Tensor:
    """Shannon entropy in bits over the last axis (0 for one-hot, log2(10) = 3.32 for uniform)."""
    return -(probs * torch.log2(probs.clamp_min(1e-30))).sum(-1)


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      temperature: float, alpha: float, scale_by_t2: bool = True) -> torch.Tensor:
    """alpha * T^2 * KL(p_teacher,T || p_student,T) + (1 - alpha) * CE(y, p_student,1), batch mean."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    teacher_probs = softmax_with_temperature(teacher_logits, temperature)
    student_log_probs = torch.log_softmax(student_logits / temperature, dim=-1)
    soft = F.kl_div(student_log_probs, teacher_probs, reduction="batchmean")
    if scale_by_t2:
        soft = soft * temperature**2
    hard = F.cross_entropy(student_logits, labels) if alpha < 1 else student_logits.new_zeros(())
    return alpha * soft + (1 - alpha) * hard


def soft_gradient_norms(teacher_logits: torch.Tensor, student_logits: torch.Tensor,
                        temperatures) -> tuple[np.ndarray, np.ndarray]:
    """||d soft-loss / d student logits|| at each T, with and without the T^2 factor.

    Closed form of the KL term's gradient (batch mean): (q_student,T - p_teacher,T) / (T * batch),
    with q the student's and p the teacher's softened probabilities.
    tests/test_distillation_logic.py checks it against autograd.
    """
    temps = torch.as_tensor(np.asarray(temperatures, dtype=np.float32)).reshape(-1, 1, 1)
    p = torch.softmax(teacher_logits.unsqueeze(0) / temps, dim=-1)
    q = torch.softmax(student_logits.unsqueeze(0) / temps, dim=-1)
    grad = (q - p) / (temps * teacher_logits.shape[0])
    without_t2 = grad.flatten(1).norm(dim=1).double().numpy()
    return without_t2 * temps.flatten().double().numpy() ** 2, without_t2


@dataclass
class TeacherView:
    """What the teacher says about one digit at T = 1 and at the chosen T."""

    prediction: int
    probs_t1: np.ndarray
    probs_t: np.ndarray
    entropy_t1: float
    entropy_t: float
    dark_knowledge: list[tuple[int, float]]  # the non-argmax classes, most probable first (at T)


def teacher_view(logits: torch.Tensor, temperature: float) -> TeacherView:
    logits = logits.reshape(-1)
    probs_t1 = softmax_with_temperature(logits, 1.0)
    probs_t = softmax_with_temperature(logits, temperature)
    prediction = int(logits.argmax())
    ranking = [(int(c), float(probs_t[c])) for c in torch.argsort(probs_t, descending=True) if int(c) != prediction]
    return TeacherView(prediction, probs_t1.numpy(), probs_t.numpy(), float(entropy_bits(probs_t1)),
                       float(entropy_bits(probs_t)), ranking)


# ------------------------------------------------------------------ the teacher and the data

@torch.inference_mode()
def teacher_logits(teacher: nn.Module, images_uint8: np.ndarray) -> torch.Tensor:
    """The teacher's logits for 28x28 uint8 digits (computed on the teacher's device, returned on the CPU)."""
    device = next(teacher.parameters()).device
    x = to_tensor(images_uint8)
    # Chunks keep the conv activations small (all 5,000 digits at once would need ~1 GB).
    return torch.cat([teacher(x[i:i + 256].to(device)).float().cpu() for i in range(0, len(x), 256)])


@dataclass(frozen=True)
class TransferData:
    """What the students learn from and are tested on: training digits with the teacher's logits, test digits."""

    x_train: torch.Tensor  # (N, 1, 28, 28) floats in [0, 1]
    y_train: torch.Tensor  # (N,) labels
    z_teacher: torch.Tensor  # (N, 10) teacher logits
    x_test: torch.Tensor
    y_test: torch.Tensor


def transfer_data(teacher: nn.Module, train: Digits, test: Digits) -> TransferData:
    """Run the teacher once over the training digits (~2 s on 2 cores for the bundled CNN)."""
    return TransferData(to_tensor(train.images), torch.from_numpy(train.labels), teacher_logits(teacher, train.images),
                        to_tensor(test.images), torch.from_numpy(test.labels))


# ------------------------------------------------------------------ what the notes quote

def typical_confusions(logits: torch.Tensor, labels: torch.Tensor, temperature: float,
                       top: int = 2) -> dict[int, list[tuple[int, float]]]:
    """For each true class, the ``top`` other classes with the highest mean soft target at T: the dark
    knowledge the teacher passes on about that class (e.g. what a 7 is most like)."""
    probs = softmax_with_temperature(logits, temperature)
    result = {}
    for cls in range(logits.shape[1]):
        mean = probs[labels == cls].mean(0)
        mean[cls] = -1
        order = torch.argsort(mean, descending=True)[:top]
        result[cls] = [(int(c), float(mean[c])) for c in order]
    return result


def gradient_change(logits: torch.Tensor, pairs: list[tuple[float, float]]) -> list[dict[str, float]]:
    """For each (T_a, T_b): the median over digits of |grad at T_b| / |grad at T_a|, without and with
    the T^2 factor, for a student that knows nothing yet (zero logits), as the tab's gradient plot shows it."""
    temperatures = sorted({t for pair in pairs for t in pair})
    column = {t: i for i, t in enumerate(temperatures)}
    zeros = torch.zeros(1, logits.shape[1])
    # (digits, [with T^2, without T^2], temperatures): each digit on its own
    norms = np.array([np.stack(soft_gradient_norms(z[None], zeros, temperatures)) for z in logits])
    return [{"without_t2": float(np.median(norms[:, 1, column[b]] / norms[:, 1, column[a]])),
             "with_t2": float(np.median(norms[:, 0, column[b]] / norms[:, 0, column[a]]))} for a, b in pairs]


# ------------------------------------------------------------------ training the students

@dataclass(frozen=True)
class StudentConfig:
    temperature: float = 4.0
    alpha: float = 0.9
    epochs: int = 30
    transfer_fraction: float = 0.01  # of the training digits
    held_out_class: int | None = None
    seeds: int = 3
    first_seed: int = 0  # seeds first_seed .. first_seed + seeds - 1 (a replication uses other seeds)
    hidden: int = 32
    lr: float = 3e-3
    batch_size: int = 64
    steps_per_epoch: int = 20  # fixed, so a small transfer set is not also under-trained


@dataclass
class StudentRun:
    seed: int
    distilled_curve: list[float] = field(default_factory=list)  # test accuracy after each epoch
    hard_curve: list[float] = field(default_factory=list)
    held_out: dict[str, float] = field(default_factory=dict)  # accuracy on the held-out class's test digits
    #: final accuracy of (distilled, hard) on each extra test set passed to train_students
    extra: dict[str, tuple[float, float]] = field(default_factory=dict)


def transfer_indices(labels: torch.Tensor, fraction: float, held_out_class: int | None,
                     generator: torch.Generator) -> torch.Tensor:
    """A random, class-balanced fraction of the training digits, without the held-out class."""
    chosen = []
    for digit in range(10):
        idx = torch.nonzero(labels == digit).flatten()
        if digit == held_out_class or len(idx) == 0:
            continue
        take = max(1, round(len(idx) * fraction))
        chosen.append(idx[torch.randperm(len(idx), generator=generator)[:take]])
    return torch.cat(chosen)


def held_out_bias(logits: torch.Tensor, cls: int, prior: float = 0.1) -> float:
    """The offset b added to the logit of ``cls`` so that it is predicted for a ``prior`` share of inputs.

    A student that never saw a class under-predicts it; the paper raised that class's bias. Class k
    wins when z_k + b > max_{j != k} z_j, so the needed b is a quantile of (max_other - z_k). Only
    unlabeled inputs and the class's prior (1 in 10 digits) are used, never the held-out labels.
    """
    others = logits.clone()
    others[:, cls] = -float("inf")
    margin = others.max(1).values - logits[:, cls]
    return float(torch.quantile(margin, prior))


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return float((logits.argmax(-1) == labels).float().mean()) if len(labels) else float("nan")


def train_students(data: TransferData, config: StudentConfig,
                   report: Callable[[float, int, int], None] | None = None,
                   extra_tests: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
                   stop: Callable[[], bool] | None = None,
                   pause: Callable[[], None] | None = None) -> list[StudentRun]:
    """Train a distilled and a hard-label student per seed; returns their test-accuracy curves.

    Per seed: its own transfer set and initial weights (shared by the seed's two students) and the
    same mini-batches for both. All 2 x seeds students train at once as one ``StudentStack``; the
    loss is the sum of each student's own loss, so each learns exactly as it would alone.
    ``report(share_done, seed_count, epoch)`` follows the epochs. ``extra_tests`` ({name: (x, y)}, e.g. the
    stroke-drawn digits) are scored once at the end, into each run's ``extra``. ``stop()``, asked after each epoch
    but the last, ends the training there (a busy class): every student has then trained the same epochs, so the
    comparison stays fair, and the curves are shorter than ``config.epochs``. ``pause()``, called after each
    optimiser step, may let other work run (a busy class's turns): the training itself does not change.
    """
    seeds = config.seeds
    generators = [seeding.generator(config.first_seed + seed) for seed in range(seeds)]
    transfer = [transfer_indices(data.y_train, config.transfer_fraction, config.held_out_class, g) for g in generators]
    initial = [seeding.init_weights(StudentMLP(config.hidden), g) for g in generators]
    stack = StudentStack(initial + initial)  # students 0..S-1 distilled, S..2S-1 hard labels
    optimizer = torch.optim.Adam(stack.parameters(), lr=config.lr)
    batch_size = min(config.batch_size, len(transfer[0]))
    x_test = data.x_test.flatten(1).expand(2 * seeds, -1, -1)
    runs = [StudentRun(config.first_seed + seed) for seed in range(seeds)]
    for epoch in range(config.epochs):
        for _ in range(config.steps_per_epoch):
            batch = torch.stack([idx[torch.randint(len(idx), (batch_size,), generator=g)]
                                 for idx, g in zip(transfer, generators)])  # (S, B)
            x = data.x_train[batch].flatten(2)
            out = stack(torch.cat([x, x]))
            y, z = data.y_train[batch].flatten(), data.z_teacher[batch].flatten(0, 1)
            # Sum over students of each one's batch-mean loss (the mean over all rows, times S).
            soft = distillation_loss(out[:seeds].flatten(0, 1), z, y, config.temperature, config.alpha)
            hard = F.cross_entropy(out[seeds:].flatten(0, 1), y)
            optimizer.zero_grad()
            ((soft + hard) * seeds).backward()
            optimizer.step()
            if pause is not None:
                pause()
        with torch.inference_mode():
            correct = (stack(x_test).argmax(-1) == data.y_test).float().mean(1).tolist()
        for seed, run in enumerate(runs):
            run.distilled_curve.append(correct[seed])
            run.hard_curve.append(correct[seeds + seed])
        if report:
            report((epoch + 1) / config.epochs, seeds, epoch + 1)
        if stop is not None and epoch + 1 < config.epochs and stop():
            break
    for name, (x_extra, y_extra) in (extra_tests or {}).items():
        with torch.inference_mode():
            correct = (stack(x_extra.flatten(1).expand(2 * seeds, -1, -1)).argmax(-1) == y_extra).float().mean(1)
        for seed, run in enumerate(runs):
            run.extra[name] = (float(correct[seed]), float(correct[seeds + seed]))
    if config.held_out_class is not None:
        for seed, run in enumerate(runs):
            students = {"distilled": stack.student(seed), "hard": stack.student(seeds + seed)}
            run.held_out = held_out_results(students, config.held_out_class, data.x_train, data.x_test, data.y_test)
            for name, (x_extra, y_extra) in (extra_tests or {}).items():  # e.g. "strokes:distilled_corrected"
                extra = held_out_results(students, config.held_out_class, data.x_train, x_extra, y_extra)
                run.held_out.update({f"{name}:{key}": value for key, value in extra.items()})
    return runs


@torch.inference_mode()
def held_out_results(students, cls: int, x_calibration, x_test, y_test) -> dict[str, float]:
    mask = y_test == cls
    results = {}
    for name, model in students.items():
        logits = model(x_test)
        results[name] = accuracy(logits[mask], y_test[mask])
        bias = held_out_bias(model(x_calibration), cls)
        corrected = logits.clone()
        corrected[:, cls] += bias
        results[f"{name}_corrected"] = accuracy(corrected[mask], y_test[mask])
        results[f"{name}_corrected_overall"] = accuracy(corrected, y_test)
        results[f"{name}_bias"] = bias
    return results


def summarize(runs: list[StudentRun]) -> dict[str, tuple[float, float]]:
    """Final test accuracy (mean, std over seeds) of each student, and held-out numbers if any."""
    table = {
        "distilled": [r.distilled_curve[-1] for r in runs],
        "hard": [r.hard_curve[-1] for r in runs],
    }
    for key in runs[0].held_out if runs else []:
        table[f"held_out:{key}"] = [r.held_out[key] for r in runs]
    return {k: (float(np.mean(v)), float(np.std(v))) for k, v in table.items()}


# ------------------------------------------------------------------ did distillation help? (with its uncertainty)

#: Two-sided 95% quantiles of Student's t for 1-9 degrees of freedom (n = 2-10 seeds).
T_QUANTILE_95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


@dataclass(frozen=True)
class Comparison:
    """Distilled minus hard-label accuracy over paired seeds (same data, same start, same batches per seed).

    ``verdict``: "distilled" or "hard" when the 95% interval of the mean gap lies on one side of zero,
    "tie" when it covers zero (no clear difference), "one_seed" when a single seed cannot show a spread.
    """

    gaps: tuple[float, ...]  # per seed, distilled - hard
    mean: float
    low: float  # the 95% interval of the mean gap (t over the seeds)
    high: float
    verdict: str

    @property
    def seeds(self) -> int:
        return len(self.gaps)


def compare(distilled, hard) -> Comparison:
    """The paired comparison of per-seed accuracies: mean gap, its 95% t-interval and the verdict."""
    gaps = np.asarray(distilled, dtype=float) - np.asarray(hard, dtype=float)
    if gaps.ndim != 1 or len(gaps) == 0 or not np.isfinite(gaps).all():
        raise ValueError("need one finite accuracy per seed for both students")
    mean = float(gaps.mean())
    if len(gaps) == 1:
        return Comparison((mean,), mean, float("nan"), float("nan"), "one_seed")
    half = T_QUANTILE_95.get(len(gaps) - 1, 1.96) * float(gaps.std(ddof=1)) / math.sqrt(len(gaps))
    low, high = mean - half, mean + half
    verdict = "distilled" if low > 0 else "hard" if high < 0 else "tie"
    return Comparison(tuple(float(g) for g in gaps), mean, low, high, verdict)


def compare_runs(runs: list[StudentRun], test_set: str | None = None) -> Comparison:
    """``compare`` on the final test accuracies of ``runs`` (or on their extra test set ``test_set``)."""
    if test_set is None:
        return compare([r.distilled_curve[-1] for r in runs], [r.hard_curve[-1] for r in runs])
    return compare([r.extra[test_set][0] for r in runs], [r.extra[test_set][1] for r in runs])
