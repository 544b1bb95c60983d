"""Unit tests of the distillation science: properties and oracles, no Gradio."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import seeding
from demos.distillation import logic
from demos.distillation.model import StudentMLP, StudentStack


@pytest.fixture
def logits():
    return torch.tensor([[4.0, 1.0, -2.0, 0.5, 3.0, -1.0, 0.0, 2.0, -3.0, 1.5],
                         [-1.0, 0.0, 6.0, 2.0, -2.0, 1.0, 0.5, -0.5, 3.0, 0.0]])


# ---- softmax with temperature

def test_softmax_sums_to_one_and_keeps_argmax(logits):
    for temperature in (0.1, 0.5, 1, 2, 7.5, 100):
        p = logic.softmax_with_temperature(logits, temperature)
        assert torch.allclose(p.sum(-1), torch.ones(2), atol=1e-6)
        assert torch.equal(p.argmax(-1), logits.argmax(-1))
        assert (p >= 0).all()


def test_softmax_t1_is_plain_softmax(logits):
    assert torch.allclose(logic.softmax_with_temperature(logits, 1.0), torch.softmax(logits, -1))


def test_high_temperature_tends_to_uniform_and_low_to_one_hot(logits):
    hot = logic.softmax_with_temperature(logits, 1e4)
    assert torch.allclose(hot, torch.full_like(hot, 0.1), atol=1e-3)
    cold = logic.softmax_with_temperature(logits, 1e-3)
    assert torch.allclose(cold, F.one_hot(logits.argmax(-1), 10).float(), atol=1e-6)


def test_entropy_rises_monotonically_with_temperature(logits):
    entropies = [float(logic.entropy_bits(logic.softmax_with_temperature(logits[0], t))) for t in (0.5, 1, 2, 4, 8, 16)]
    assert all(a < b for a, b in zip(entropies, entropies[1:]))
    assert entropies[-1] < math.log2(10) + 1e-9


@pytest.mark.parametrize("bad", [0, -1, -0.001, float("nan"), float("inf")])
def test_softmax_rejects_non_positive_or_non_finite_t(logits, bad):
    with pytest.raises(ValueError):
        logic.softmax_with_temperature(logits, bad)


# ---- the distillation loss

def test_kd_loss_soft_part_is_zero_when_student_equals_teacher(logits):
    loss = logic.distillation_loss(logits, logits, torch.tensor([0, 2]), temperature=4, alpha=1.0)
    assert abs(float(loss)) < 1e-5  # zero up to float32 rounding, scaled by T² = 16


def test_kd_loss_matches_the_formula(logits):
    student = logits.flip(-1)
    labels = torch.tensor([0, 2])
    temperature, alpha = 3.0, 0.7
    p = torch.softmax(logits / temperature, -1)
    q = torch.softmax(student / temperature, -1)
    kl = (p * (p.log() - q.log())).sum(-1).mean()
    expected = alpha * temperature**2 * kl + (1 - alpha) * F.cross_entropy(student, labels)
    got = logic.distillation_loss(student, logits, labels, temperature, alpha)
    assert torch.allclose(got, expected, atol=1e-5)


def test_kd_loss_with_alpha_zero_is_cross_entropy(logits):
    student, labels = logits.flip(-1), torch.tensor([3, 4])
    got = logic.distillation_loss(student, logits, labels, temperature=5, alpha=0.0)
    assert torch.allclose(got, F.cross_entropy(student, labels))


def test_kd_loss_rejects_alpha_outside_unit_interval(logits):
    with pytest.raises(ValueError):
        logic.distillation_loss(logits, logits, torch.tensor([0, 0]), 2.0, alpha=1.5)


def test_t_squared_keeps_the_soft_gradient_scale(logits):
    """Without T^2 the gradient falls like 1/T^2 at high T; with it, it settles to a constant."""
    temperatures = [10, 20, 40, 80]
    with_t2, without_t2 = logic.soft_gradient_norms(logits, torch.zeros_like(logits), temperatures)
    # 1/T^2: doubling T quarters the unscaled gradient (within 10% at these temperatures)
    ratios = without_t2[:-1] / without_t2[1:]
    assert np.allclose(ratios, 4.0, rtol=0.1)
    assert np.allclose(with_t2 / with_t2[-1], 1.0, rtol=0.1)
    # and the gradient oracle at high T: (z_s - z_t) / (N T^2) per logit, batch-mean
    temperature = 80
    centred = logits - logits.mean(-1, keepdim=True)
    approx = float(((-centred) / (10 * temperature**2) / len(logits)).norm())
    assert without_t2[-1] == pytest.approx(approx, rel=0.05)


def test_closed_form_soft_gradient_matches_autograd(logits):
    student = logits.flip(-1) * 0.5
    temperatures = [0.5, 1, 3, 10]
    with_t2, without_t2 = logic.soft_gradient_norms(logits, student, temperatures)
    for i, temperature in enumerate(temperatures):
        z = student.clone().requires_grad_(True)
        loss = logic.distillation_loss(z, logits, torch.zeros(2, dtype=torch.long), temperature, 1.0, scale_by_t2=False)
        (grad,) = torch.autograd.grad(loss, z)
        assert without_t2[i] == pytest.approx(float(grad.norm()), rel=1e-4)
        assert with_t2[i] == pytest.approx(float(grad.norm()) * temperature**2, rel=1e-4)


def test_teacher_view_ranks_the_dark_knowledge(logits):
    view = logic.teacher_view(logits[0], 4.0)
    assert view.prediction == 0
    assert [c for c, _ in view.dark_knowledge] == [4, 7, 9, 1, 3, 6, 5, 2, 8]
    assert view.entropy_t > view.entropy_t1
    assert np.isclose(view.probs_t.sum(), 1, atol=1e-6)


# ---- transfer set and held-out bias

def test_transfer_indices_are_balanced_and_skip_the_held_out_class():
    labels = torch.arange(10).repeat_interleave(100)
    idx = logic.transfer_indices(labels, 0.05, held_out_class=3, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(labels[idx], minlength=10)
    assert counts[3] == 0
    assert all(int(counts[d]) == 5 for d in range(10) if d != 3)
    again = logic.transfer_indices(labels, 0.05, 3, torch.Generator().manual_seed(0))
    assert torch.equal(idx, again)


def test_held_out_bias_makes_the_class_predicted_at_its_prior():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2000, 10, generator=generator)
    logits[:, 3] -= 5  # a class the model (almost) never predicts
    assert (logits.argmax(1) == 3).float().mean() < 0.01
    bias = logic.held_out_bias(logits, 3, prior=0.1)
    corrected = logits.clone()
    corrected[:, 3] += bias
    assert (corrected.argmax(1) == 3).float().mean() == pytest.approx(0.1, abs=0.01)


# ---- a tiny hand-made teacher (known answers), and the real bundled one

class InkTeacher(torch.nn.Module):
    """A teacher whose logit for class k is k times the image's total ink: known answers, no training."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.arange(10.0))

    def forward(self, x):
        return x.flatten(1).sum(1, keepdim=True) * self.scale / 784


def synthetic_data(n_per_class=40, seed=0) -> logic.TransferData:
    """Ten separable classes (a bright square in a class-specific place), with InkTeacher-free logits."""
    generator = torch.Generator().manual_seed(seed)
    images, labels = [], []
    for cls in range(10):
        for _ in range(n_per_class):
            image = torch.rand(1, 28, 28, generator=generator) * 0.2
            row, col = divmod(cls, 4)
            image[0, 2 + row * 8: 8 + row * 8, 2 + col * 6: 8 + col * 6] = 1.0
            images.append(image)
            labels.append(cls)
    x, y = torch.stack(images), torch.tensor(labels)
    logits = torch.nn.functional.one_hot(y, 10).float() * 6 + torch.randn(len(y), 10, generator=generator) * 0.5
    return logic.TransferData(x, y, logits, x, y)


def test_teacher_logits_use_the_model_passed_in():
    images = np.zeros((3, 28, 28), np.uint8)
    images[1, :14] = 255  # half the pixels lit
    images[2] = 255
    logits = logic.teacher_logits(InkTeacher(), images)
    assert logits.shape == (3, 10)
    assert torch.allclose(logits[0], torch.zeros(10))
    assert torch.allclose(logits[1], torch.arange(10.0) * 0.5, atol=1e-5)
    assert torch.allclose(logits[2], torch.arange(10.0), atol=1e-5)


def test_transfer_data_pairs_each_training_digit_with_its_teacher_logits():
    from core.data.digits import Digits

    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    digits = Digits(images, np.arange(5), np.zeros(5, np.int8), np.zeros(5, np.int8))
    data = logic.transfer_data(InkTeacher(), digits, digits)
    assert data.x_train.shape == (5, 1, 28, 28) and data.z_teacher.shape == (5, 10)
    assert torch.allclose(data.z_teacher, logic.teacher_logits(InkTeacher(), images))


def test_the_stack_is_its_students_side_by_side():
    students = [seeding.init_weights(StudentMLP(8), torch.Generator().manual_seed(s)) for s in range(3)]
    stack = StudentStack(students)
    x = torch.rand(3, 5, 1, 28, 28)
    out = stack(x)
    for k, student in enumerate(students):
        assert torch.allclose(out[k], student(x[k]), atol=1e-6)
        assert torch.allclose(stack.student(k)(x[k]), student(x[k]), atol=1e-6)


def test_training_in_a_stack_equals_training_each_student_alone():
    """Summed losses keep the students independent: Adam on the stack == Adam on each student."""
    students = [seeding.init_weights(StudentMLP(8), torch.Generator().manual_seed(s)) for s in range(2)]
    stack = StudentStack(students)
    alone = [StudentStack([s]) for s in students]
    optimizers = [torch.optim.Adam(m.parameters(), lr=1e-2) for m in [stack, *alone]]
    generator = torch.Generator().manual_seed(1)
    for _ in range(5):
        x, y = torch.rand(2, 16, 784, generator=generator), torch.randint(10, (2, 16), generator=generator)
        losses = [F.cross_entropy(stack(x)[k], y[k]) for k in range(2)]
        singles = [F.cross_entropy(m(x[k:k + 1])[0], y[k]) for k, m in enumerate(alone)]
        for optimizer in optimizers:
            optimizer.zero_grad()
        (losses[0] + losses[1]).backward()
        sum(singles).backward()
        for optimizer in optimizers:
            optimizer.step()
    for k, single in enumerate(alone):
        assert torch.allclose(stack.w1[k], single.w1[0], atol=1e-5)
        assert torch.allclose(stack.b2[k], single.b2[0], atol=1e-5)


def test_students_learn_a_separable_task_from_a_hand_made_teacher():
    data = synthetic_data()
    runs = logic.train_students(data, logic.StudentConfig(epochs=5, seeds=2, transfer_fraction=0.5, hidden=16))
    assert len(runs) == 2 and all(len(r.distilled_curve) == 5 for r in runs)
    assert all(r.distilled_curve[-1] > 0.9 and r.hard_curve[-1] > 0.9 for r in runs)  # chance is 0.1


def test_progress_is_reported_per_epoch():
    reports = []
    logic.train_students(synthetic_data(10), logic.StudentConfig(epochs=3, seeds=2, transfer_fraction=0.5),
                         report=lambda share, seeds, epoch: reports.append((round(share, 3), seeds, epoch)))
    assert reports == [(0.333, 2, 1), (0.667, 2, 2), (1.0, 2, 3)]


def test_a_training_a_busy_class_stops_ends_every_student_at_the_same_epoch():
    """Issue 21: ``stop()`` (asked after each epoch but the last) ends the training for every student at once, so
    the distilled and hard-label students are compared at equal epochs; the epochs run are those of a full run."""
    data, config = synthetic_data(10), logic.StudentConfig(epochs=5, seeds=2, transfer_fraction=0.5, hidden=16)
    extra = {"drawn": (data.x_test[:20], data.y_test[:20])}
    full = logic.train_students(data, config, extra_tests=extra)
    asked = []
    cut = logic.train_students(data, config, extra_tests=extra, stop=lambda: asked.append(1) or len(asked) == 2)
    assert len(asked) == 2
    for short, whole in zip(cut, full):
        assert len(short.distilled_curve) == len(short.hard_curve) == 2
        assert short.distilled_curve == whole.distilled_curve[:2] and short.hard_curve == whole.hard_curve[:2]
        assert set(short.extra) == {"drawn"}  # the extra test sets are scored on the students as they stopped
    never = []
    logic.train_students(data, config, stop=lambda: never.append(1) or False)
    assert len(never) == config.epochs - 1  # never asked after the last epoch: a finished run is never "cut"


def test_a_training_pauses_after_every_optimiser_step_and_learns_the_same():
    """Issue 21: an epoch held a busy class's heavy turn for 2-10 s on the Xeon; ``pause()`` after each optimiser
    step lets the steps waiting run (core.heavy.pause), and what the students learn does not change."""
    data, config = synthetic_data(10), logic.StudentConfig(epochs=3, seeds=2, transfer_fraction=0.5, hidden=16)
    plain = logic.train_students(data, config)
    paused = []
    runs = logic.train_students(data, config, pause=lambda: paused.append(1))
    assert len(paused) == config.epochs * config.steps_per_epoch
    assert [r.distilled_curve for r in runs] == [r.distilled_curve for r in plain]
    assert [r.hard_curve for r in runs] == [r.hard_curve for r in plain]


def test_typical_confusions_rank_the_other_classes_by_mean_soft_target():
    logits = torch.full((4, 10), -5.0)
    labels = torch.tensor([7, 7, 3, 3])
    logits[[0, 1], 7] = 5.0
    logits[[0, 1], 1], logits[[0, 1], 2] = 2.0, 1.0  # a 7 looks like a 1, then a 2
    logits[[2, 3], 3] = 5.0
    logits[[2, 3], 8] = 3.0
    confusions = logic.typical_confusions(logits, labels, 4.0, top=2)
    assert [c for c, _ in confusions[7]] == [1, 2] and confusions[3][0][0] == 8
    assert all(cls not in [c for c, _ in others] for cls, others in confusions.items())


def test_gradient_change_follows_one_over_t_squared_at_high_t(logits):
    change = logic.gradient_change(logits, [(20, 40), (1, 5)])
    assert change[0]["without_t2"] == pytest.approx(0.25, rel=0.05)  # doubling T quarters it
    assert change[0]["with_t2"] == pytest.approx(1.0, rel=0.05)  # and T^2 cancels that
    assert change[1]["with_t2"] != pytest.approx(1.0, rel=0.05)  # not at small T


# ---- the real bundled teacher, small runs

@pytest.fixture(scope="module")
def digits_data():
    from core.classifier import DIGIT_CNN
    from core.data.digits import TEST, TRAIN, load_split

    teacher = DIGIT_CNN.load(torch.device("cpu")).model
    return logic.transfer_data(teacher, load_split(TRAIN), load_split(TEST))


def test_students_learn_and_are_repeatable(digits_data):
    config = logic.StudentConfig(epochs=4, seeds=1, transfer_fraction=0.05)
    first = logic.train_students(digits_data, config)
    second = logic.train_students(digits_data, config)
    assert first[0].distilled_curve == second[0].distilled_curve  # same seed, same result
    assert first[0].hard_curve == second[0].hard_curve
    assert len(first[0].distilled_curve) == 4
    assert first[0].distilled_curve[-1] > 0.5 and first[0].hard_curve[-1] > 0.5  # chance is 0.1


def test_alpha_zero_student_equals_the_hard_label_student(digits_data):
    """alpha = 0 is pure cross-entropy: both students must end identical (same init, same batches)."""
    runs = logic.train_students(digits_data, logic.StudentConfig(alpha=0.0, epochs=2, seeds=2))
    assert all(r.distilled_curve == r.hard_curve for r in runs)


def test_held_out_class_reports_per_student_numbers(digits_data):
    config = logic.StudentConfig(epochs=3, seeds=1, transfer_fraction=0.1, held_out_class=3)
    runs = logic.train_students(digits_data, config)
    held = runs[0].held_out
    assert held["hard"] == 0.0  # never saw a 3, cannot output one... (argmax over 10 classes)
    assert held["hard_corrected"] >= held["hard"]
    assert 0 <= held["distilled_corrected"] <= 1
    summary = logic.summarize(runs)
    assert set(summary) >= {"distilled", "hard", "held_out:distilled", "held_out:hard_corrected"}


# ---- the verdict: did distillation help, with its uncertainty

def test_compare_gives_the_paired_t_interval():
    from scipy import stats

    distilled, hard = [0.80, 0.78, 0.83, 0.79], [0.75, 0.77, 0.76, 0.72]
    comparison = logic.compare(distilled, hard)
    gaps = np.subtract(distilled, hard)
    low, high = stats.t.interval(0.95, len(gaps) - 1, loc=gaps.mean(), scale=stats.sem(gaps))
    assert comparison.mean == pytest.approx(gaps.mean())
    assert (comparison.low, comparison.high) == pytest.approx((low, high), abs=1e-4)  # t rounded to 3 decimals
    assert comparison.verdict == "distilled" and comparison.seeds == 4


@pytest.mark.parametrize("distilled, hard, verdict", [
    ([0.70, 0.75, 0.72], [0.69, 0.70, 0.73], "tie"),  # +1.7 points, but the seeds disagree: the spread covers it
    ([0.60, 0.62, 0.61], [0.70, 0.71, 0.69], "hard"),
    ([0.50, 0.50], [0.50, 0.50], "tie"),  # identical students
    ([0.90], [0.50], "one_seed"),  # a big gap from one seed is still one seed
])
def test_compare_says_no_clear_difference_when_the_spread_covers_the_gap(distilled, hard, verdict):
    assert logic.compare(distilled, hard).verdict == verdict


def test_every_t_quantile_is_the_95_percent_one():
    from scipy import stats

    for df, quantile in logic.T_QUANTILE_95.items():
        assert quantile == pytest.approx(stats.t.ppf(0.975, df), abs=1e-3)


@pytest.mark.parametrize("bad", [[], [float("nan")], [[0.5, 0.5]]])
def test_compare_rejects_what_is_not_one_accuracy_per_seed(bad):
    with pytest.raises(ValueError):
        logic.compare(bad, bad)


def test_extra_test_sets_are_scored_for_both_students_of_each_seed():
    data = synthetic_data(10)
    extra = {"again": (data.x_test, data.y_test), "first": (data.x_test[:5], data.y_test[:5])}
    runs = logic.train_students(data, logic.StudentConfig(epochs=2, seeds=2, transfer_fraction=0.5), extra_tests=extra)
    for run in runs:  # the same digits as the test set: the same final accuracies
        assert run.extra["again"] == pytest.approx((run.distilled_curve[-1], run.hard_curve[-1]))
        assert all(0 <= a <= 1 for a in run.extra["first"])
    assert logic.compare_runs(runs, "again") == logic.compare_runs(runs)


def test_first_seed_moves_the_seeds():
    data = synthetic_data(10)
    config = logic.StudentConfig(epochs=2, seeds=3, transfer_fraction=0.5)
    three = logic.train_students(data, config)
    last = logic.train_students(data, logic.StudentConfig(epochs=2, seeds=1, transfer_fraction=0.5, first_seed=2))
    assert last[0].seed == 2
    assert last[0].distilled_curve == pytest.approx(three[2].distilled_curve, abs=1e-6)
