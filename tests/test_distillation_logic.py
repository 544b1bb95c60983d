"""Unit tests of the distillation science: properties and oracles, no Gradio."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from demos.distillation import logic


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
    assert abs(float(loss)) < 1e-6


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


# ---- training the students (real teacher, small runs)

def test_students_learn_and_are_repeatable():
    config = logic.StudentConfig(epochs=4, seeds=1, transfer_fraction=0.05)
    first = logic.train_students(config)
    second = logic.train_students(config)
    assert first[0].distilled_curve == second[0].distilled_curve  # same seed, same result
    assert first[0].hard_curve == second[0].hard_curve
    assert len(first[0].distilled_curve) == 4
    assert first[0].distilled_curve[-1] > 0.5 and first[0].hard_curve[-1] > 0.5  # chance is 0.1


def test_alpha_zero_student_equals_the_hard_label_student():
    """alpha = 0 is pure cross-entropy: both students must end identical (same init, same batches)."""
    runs = logic.train_students(logic.StudentConfig(alpha=0.0, epochs=2, seeds=1))
    assert runs[0].distilled_curve == runs[0].hard_curve


def test_held_out_class_reports_per_student_numbers():
    runs = logic.train_students(logic.StudentConfig(epochs=3, seeds=1, transfer_fraction=0.1, held_out_class=3))
    held = runs[0].held_out
    assert held["hard"] == 0.0  # never saw a 3, cannot output one... (argmax over 10 classes)
    assert held["hard_corrected"] >= held["hard"]
    assert 0 <= held["distilled_corrected"] <= 1
    summary = logic.summarize(runs)
    assert set(summary) >= {"distilled", "hard", "held_out:distilled", "held_out:hard_corrected"}
