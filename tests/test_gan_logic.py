"""The GAN tab's science (demos/gan/logic.py): properties and oracles on tiny models and closed forms, and a few
runs of the bundled generator judged by the shared digit classifier."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from demos.gan import logic
from demos.gan.model import CLASSES, Z_DIM, DigitDiscriminator, DigitGenerator


class ClassPainter(nn.Module):
    """A known generator: the image is a bar whose row is the class and whose brightness is sigmoid(z[0])."""

    z_dim = 4

    def __init__(self):
        super().__init__()
        self.anchor = nn.Parameter(torch.zeros(1))

    def forward(self, z, c):
        rows = (c @ torch.arange(CLASSES, dtype=torch.float32)).round().long() * 2 + 4
        out = torch.zeros(len(z), 1, 28, 28)
        for i, row in enumerate(rows):
            out[i, 0, row, :] = torch.sigmoid(z[i, 0])
        return out + self.anchor * 0


@pytest.fixture(scope="module")
def bundled():
    from demos.gan.model import GENERATOR, JUDGE

    return GENERATOR.get().model, JUDGE.get().model


def test_an_untrained_generator_gives_28x28_images_in_0_1_for_any_class_vector():
    model = DigitGenerator().eval()
    z = torch.randn(5, Z_DIM) * 10
    c = torch.softmax(torch.randn(5, CLASSES), 1)
    out = model(z, c)
    assert out.shape == (5, 1, 28, 28) and out.min() >= 0 and out.max() <= 1
    images, labels = logic.sample(model, 3, 7, None, 1.0)
    assert images.shape == (7, 28, 28) and images.dtype == np.uint8 and labels.shape == (7,)


def test_the_discriminator_scores_a_batch():
    assert DigitDiscriminator()(torch.rand(3, 1, 28, 28), torch.tensor([0, 5, 9])).shape == (3,)


def test_latents_are_a_seeds_fixed_draw_and_truncation_scales_them():
    z = logic.latents(11, 64, 8)
    assert torch.equal(logic.latents(11, 5, 8), z[:5])  # sample i does not depend on the grid size
    assert not torch.equal(logic.latents(12, 5, 8), z[:5])
    for psi in (0.0, 0.3, 0.7):
        shrunk = logic.latents(11, 64, 8, psi)
        assert torch.allclose(shrunk.norm(dim=1), psi * z.norm(dim=1))
        assert float(shrunk.norm(dim=1).mean()) < float(z.norm(dim=1).mean()) or psi == 1
    with pytest.raises(ValueError):
        logic.latents(0, 0, 8)
    with pytest.raises(ValueError):
        logic.latents(0, 65, 8)


def test_classes_are_the_digit_or_a_seeded_uniform_draw():
    assert logic.classes(1, 6, 3).tolist() == [3] * 6
    drawn = logic.classes(1, 64, None)
    assert torch.equal(drawn, logic.classes(1, 64, None)) and drawn.min() >= 0 and drawn.max() <= 9
    assert len(set(drawn.tolist())) == 10  # 64 uniform draws of 10 classes: all appear for this seed


def test_same_seed_same_images_and_the_known_generator_paints_the_asked_class():
    painter = ClassPainter()
    images, labels = logic.sample(painter, 5, 10, None, 1.0)
    again, _ = logic.sample(painter, 5, 10, None, 1.0)
    assert np.array_equal(images, again)
    for image, label in zip(images, labels):
        assert image[label * 2 + 4].max() > 0 and image.sum() == image[label * 2 + 4].sum()
    dark, _ = logic.sample(painter, 5, 10, 2, 0.0)  # psi = 0: z = 0, sigmoid(0) = 0.5 everywhere
    assert set(np.unique(dark[:, 8])) == {128}


def test_lerp_is_a_straight_line_and_dips_toward_the_centre():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    t = torch.linspace(0, 1, 5)
    path = logic.lerp(a, b, t)
    assert torch.allclose(path[0], a) and torch.allclose(path[-1], b)
    assert path[2].norm() == pytest.approx(3 / math.sqrt(2))  # orthogonal, equal norms: 1/√2 at the middle


def test_slerp_keeps_the_norm_and_turns_at_constant_speed():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(64, generator=gen)
    b = torch.randn(64, generator=gen)
    b = b / b.norm() * a.norm()  # equal norms: slerp keeps ‖z‖ exactly
    t = torch.linspace(0, 1, 11)
    path = logic.slerp(a, b, t)
    assert torch.allclose(path.norm(dim=1), a.norm().expand(11), rtol=1e-5)
    assert torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)
    unit = path / path.norm(dim=1, keepdim=True)
    angles = torch.arccos((unit[1:] * unit[:-1]).sum(1).clamp(-1, 1))
    assert torch.allclose(angles, angles.mean().expand(10), atol=1e-4)
    c = 2 * a  # different norms: the length moves linearly between them
    assert torch.allclose(logic.slerp(a, c * 1.0001, t).norm(dim=1), (1 + t) * a.norm(), rtol=1e-3)
    same = logic.slerp(a, a, t)  # no angle to turn through
    assert torch.allclose(same, a.expand(11, -1))


def test_interpolation_ends_are_the_two_seeds_first_samples(bundled):
    model, _ = bundled
    for spherical in (False, True):
        walk = logic.interpolate(model, 4, 9, 6, 3, 0.8, spherical)
        first, _ = logic.sample(model, 4, 1, 3, 0.8)
        last, _ = logic.sample(model, 9, 1, 3, 0.8)
        assert np.abs(walk.images[0].astype(int) - first[0]).max() <= 1
        assert np.abs(walk.images[-1].astype(int) - last[0]).max() <= 1
        assert walk.images.shape == (6, 28, 28) and walk.t[0] == 0 and walk.t[-1] == 1
    lerp_walk = logic.interpolate(model, 4, 9, 9, None, 1.0, False)
    slerp_walk = logic.interpolate(model, 4, 9, 9, None, 1.0, True)
    assert lerp_walk.norms[4] < 0.85 * min(lerp_walk.norms[0], lerp_walk.norms[-1])
    assert slerp_walk.norms.min() >= min(slerp_walk.norms[0], slerp_walk.norms[-1]) - 1e-4


def test_varying_one_coordinate_sets_it_and_leaves_the_rest(bundled):
    model, _ = bundled
    moved, original = logic.vary(model, 3, 8, None, 1.0, 5, 0.0)
    plain, _ = logic.sample(model, 3, 8, None, 1.0)
    assert np.array_equal(original, plain) and moved.shape == original.shape
    z = logic.latents(3, 8, model.z_dim)
    if torch.allclose(z[:, 5], torch.zeros(8)):
        pytest.skip("the coordinate was already 0")
    far, _ = logic.vary(model, 3, 8, None, 1.0, 5, 4.0)
    assert not np.array_equal(far, original)


def test_entropy_of_the_class_histogram():
    assert logic.histogram_entropy(np.full(10, 7)) == pytest.approx(math.log2(10))
    assert logic.histogram_entropy(np.array([0, 5, 0, 0, 0, 0, 0, 0, 0, 0])) == 0
    assert logic.histogram_entropy(np.array([3, 3, 0, 0, 0, 0, 0, 0, 0, 0])) == pytest.approx(1)


def test_frechet_distance_matches_closed_forms():
    gen = np.random.default_rng(0)
    x = gen.normal(size=(4000, 3))
    assert logic.frechet_distance(x, x) == pytest.approx(0, abs=1e-9)
    # 1-D: (μa − μb)² + (σa − σb)²
    a, b = gen.normal(1.0, 2.0, size=(20000, 1)), gen.normal(-0.5, 0.5, size=(20000, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert logic.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)
    # diagonal covariances: Σ over dimensions of the 1-D formula
    a = gen.normal(size=(50000, 3)) * np.array([1.0, 2.0, 3.0])
    b = gen.normal(size=(50000, 3)) * np.array([3.0, 1.0, 1.0]) + np.array([1.0, 0.0, 0.0])
    expected = 1 + (1 - 3) ** 2 + (2 - 1) ** 2 + (3 - 1) ** 2
    assert logic.frechet_distance(a, b) == pytest.approx(expected, rel=0.03)
    # symmetric
    assert logic.frechet_distance(a, b) == pytest.approx(logic.frechet_distance(b, a), rel=1e-6)


def test_the_meter_counts_the_classifiers_predictions():
    class Ink(nn.Module):  # predicts the class = the ink's row band, with certainty
        def __init__(self):
            super().__init__()
            self.anchor = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            rows = x[:, 0].sum(2).argmax(1)
            return nn.functional.one_hot(((rows - 4) // 2).clamp(0, 9), 10).float() * 50 + self.anchor

    images, labels = logic.sample(ClassPainter(), 2, 40, None, 1.0)
    meter = logic.meter(Ink(), images, labels)
    assert meter.match == 1.0 and meter.histogram.sum() == 40
    assert np.array_equal(meter.histogram, np.bincount(labels, minlength=10))
    assert meter.mean_confidence == pytest.approx(1.0)
    only_sevens, sevens = logic.sample(ClassPainter(), 2, 12, 7, 1.0)
    judged = logic.meter(Ink(), only_sevens)
    assert judged.match is None and judged.entropy_bits == 0 and judged.histogram[7] == 12


def test_the_bundled_generator_draws_the_requested_digits(bundled):
    model, judge = bundled
    for digit in range(10):
        images, labels = logic.sample(model, 100 + digit, 20, digit, 1.0)
        assert logic.meter(judge, images, labels).match >= 0.8, digit
    images, _ = logic.sample(model, 5, 64, None, 1.0)
    free = logic.meter(judge, images)
    assert (free.histogram > 0).sum() == 10 and free.entropy_bits > 3.0


def test_truncation_makes_the_samples_more_typical(bundled):
    model, judge = bundled
    confidences = []
    for psi in (0.0, 1.0, 2.0):
        images, labels = logic.sample(model, 21, 64, None, psi)
        confidences.append(logic.meter(judge, images, labels).mean_confidence)
    assert confidences[0] >= confidences[1] > confidences[2]


def test_features_are_the_classifiers_penultimate_layer(bundled):
    _, judge = bundled
    images = np.random.default_rng(0).integers(0, 255, (3, 28, 28), dtype=np.uint8)
    feats = logic.features(judge, images)
    x = torch.from_numpy(images.astype(np.float32) / 255)[:, None]
    with torch.no_grad():
        hidden = torch.relu(judge.classifier[1](judge.features(x).flatten(1)))
        assert np.allclose(feats, hidden.double().numpy(), atol=1e-5)
        assert np.allclose(feats @ judge.classifier[4].weight.double().numpy().T + judge.classifier[4].bias.numpy(),
                           judge(x).numpy(), atol=1e-4)


# ------------------------------------------------------------------ the playground

def test_the_real_distributions():
    gen = torch.Generator().manual_seed(0)
    for name in logic.DATASETS:
        points = logic.real_points(name, 500, gen)
        assert points.shape == (500, 2) and points.abs().max() < logic.VIEW
    modes = logic.real_points("gaussians", 4000, gen).numpy()
    covered, near = logic.mode_coverage(modes)
    assert covered == 8 and near == 1.0
    ring = logic.real_points("ring", 1000, gen).norm(dim=1)
    assert abs(float(ring.mean()) - logic.RING_RADIUS) < 0.02
    with pytest.raises(ValueError):
        logic.real_points("spiral", 5, gen)


def test_mode_coverage_counts_modes_with_enough_points():
    centre = np.array([[logic.RING_RADIUS, 0.0]])
    assert logic.mode_coverage(np.repeat(centre, 100, 0)) == (1, 1.0)
    assert logic.mode_coverage(np.zeros((50, 2))) == (0, 0.0)


def test_losses_at_known_points():
    zero = torch.zeros(4)
    assert float(logic.d_loss("gan", zero, zero)) == pytest.approx(2 * math.log(2))
    assert float(logic.g_loss("gan", zero)) == pytest.approx(math.log(2))
    real, fake = torch.tensor([3.0, 1.0]), torch.tensor([0.0, -2.0])
    assert float(logic.d_loss("wgan_gp", real, fake)) == pytest.approx(-1 - 2)  # E[fake] − E[real]
    assert float(logic.g_loss("wgan_clip", fake)) == pytest.approx(1.0)


def test_gradient_penalty_against_a_hand_computed_case():
    class Quadratic(nn.Module):  # D(x) = x₁² + 3 x₂ → ∇D = (2 x₁, 3)
        def forward(self, x):
            return x[:, :1] ** 2 + 3 * x[:, 1:]

    real = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    fake = torch.tensor([[3.0, 0.0], [0.0, 0.0]])
    mix = torch.tensor([0.5, 0.25])
    # x̂ = (2, 0) and (0, 0.5): gradients (4, 3) and (0, 3), norms 5 and 3: ((5 − 1)² + (3 − 1)²) / 2 = 10
    assert float(logic.gradient_penalty(Quadratic(), real, fake, mix)) == pytest.approx(10.0)
    linear = nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.6, 0.8]]))  # a 1-Lipschitz line: no penalty
    assert float(logic.gradient_penalty(linear, real, fake, mix)) == pytest.approx(0, abs=1e-10)


def test_the_penalty_is_differentiable_in_the_critics_weights():
    linear = nn.Linear(2, 1)
    penalty = logic.gradient_penalty(linear, torch.randn(8, 2), torch.randn(8, 2), torch.rand(8))
    penalty.backward()
    assert linear.weight.grad is not None and linear.weight.grad.abs().sum() > 0


def test_training_is_repeatable_and_continues_where_it_stopped():
    config = logic.PlayConfig("moons", "wgan_gp", 1e-3, 1e-3, 2, seed=4)
    one = logic.train_steps(logic.new_playground(config), 30)
    two = logic.new_playground(config)
    paused = []
    logic.train_steps(two, 10)
    logic.train_steps(two, 20, pause=lambda: paused.append(two.steps))  # a busy server's break after each step
    assert one.steps == two.steps == 30 and len(one.history) == 30 and paused == list(range(11, 31))
    for p, q in zip(one.generator.parameters(), two.generator.parameters()):
        assert torch.equal(p, q)


def test_weight_clipping_keeps_the_critic_in_the_box():
    play = logic.train_steps(logic.new_playground(logic.PlayConfig("ring", "wgan_clip", 1e-2, 1e-3, 3)), 5)
    assert all(float(p.abs().max()) <= logic.CLIP + 1e-7 for p in play.critic.parameters())


def test_the_arrows_are_minus_the_gradient_of_the_generators_loss():
    play = logic.train_steps(logic.new_playground(logic.PlayConfig("ring", "gan", 1e-3, 1e-3, 1)), 20)
    view = logic.field_view(play, resolution=20, arrows=5)
    assert view.critic.shape == (20, 20) and 0 <= view.critic.min() and view.critic.max() <= 1
    assert view.arrows.shape == view.arrows_at.shape == (25, 2) and view.fake.shape == (512, 2)

    def loss_at(point):
        with torch.no_grad():
            return float(logic.g_loss("gan", play.critic(torch.from_numpy(point[None]).float())[:, 0]))

    h = 1e-2
    for point, arrow in list(zip(view.arrows_at, view.arrows))[::4]:
        numeric = [-(loss_at(point + h * e) - loss_at(point - h * e)) / (2 * h) for e in np.eye(2, dtype=np.float32)]
        assert np.allclose(arrow, numeric, atol=2e-3, rtol=0.05), (point, arrow, numeric)


@pytest.mark.slow
def test_a_wgan_critics_arrows_point_toward_the_real_data():
    """Trained a little on the line y = x/2, WGAN-GP's critic pulls generated points back to the line from
    either side: the useful gradient everywhere that the Wasserstein distance promises."""
    play = logic.train_steps(logic.new_playground(logic.PlayConfig("line", "wgan_gp", 1e-3, 1e-3, 5)), 150)
    view = logic.field_view(play, resolution=20, arrows=9)
    below = view.arrows_at[:, 1] < view.arrows_at[:, 0] / 2 - 0.4
    above = view.arrows_at[:, 1] > view.arrows_at[:, 0] / 2 + 0.4
    assert (view.arrows[below, 1] > 0).mean() > 0.9 and (view.arrows[above, 1] < 0).mean() > 0.9


@pytest.mark.slow
def test_the_presets_show_collapse_and_its_cure():
    collapse_config, collapse_steps, _ = logic.PRESETS["collapse"]
    cure_config, cure_steps, _ = logic.PRESETS["cure"]
    assert (collapse_config.seed, collapse_config.lr_d, collapse_config.lr_g) == (
        cure_config.seed, cure_config.lr_d, cure_config.lr_g)
    collapsed = logic.train_steps(logic.new_playground(collapse_config), collapse_steps)
    cured = logic.train_steps(logic.new_playground(cure_config), cure_steps)
    counts = logic.mode_counts(logic.field_view(collapsed, 2, 2).fake)
    assert (counts > 0.02 * counts.sum()).sum() == 1 and counts.max() > 0.5 * 512  # one mode holds most points
    assert logic.mode_coverage(logic.field_view(cured, 2, 2).fake)[0] == 8


def test_mode_counts_find_the_nearest_mode():
    angles = np.array([0, 2, 2, 7]) * 2 * np.pi / 8
    points = logic.RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], 1) + 0.1
    assert logic.mode_counts(np.vstack([points, [[0.0, 0.0]]])).tolist() == [1, 0, 2, 0, 0, 0, 0, 1]


# ------------------------------------------------------------------ improved precision and recall


def test_knn_radii_and_the_manifold_on_a_line():
    points = np.arange(6, dtype=float)[:, None]  # 0, 1, ..., 5 on a line
    assert logic.knn_radii(points, 1).tolist() == [1.0] * 6
    assert logic.knn_radii(points, 3).tolist() == [3.0, 2.0, 2.0, 2.0, 2.0, 3.0]
    queries = np.array([[-3.0], [-3.5], [8.0], [8.5], [2.5]])
    assert logic.inside_manifold(queries, points, 3).tolist() == [True, False, True, False, True]


def test_precision_recall_oracles():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(50, 4))
    same = logic.precision_recall(real, real.copy())
    assert (same.precision, same.recall, same.generated, same.real, same.k) == (1.0, 1.0, 50, 50, logic.PR_K)
    far = logic.precision_recall(real, real + 100)
    assert (far.precision, far.recall) == (0.0, 0.0)
    one_point = logic.precision_recall(real, np.repeat(real[:1], 50, axis=0))  # a collapsed generator
    assert one_point.precision == 1.0 and one_point.recall == 1 / 50  # it covers only itself
    narrow = logic.precision_recall(real, real[:, :] * 0.3)  # a truncated copy: inside, but covering less
    wide = logic.precision_recall(real, real * 3.0)
    assert narrow.precision > wide.precision and narrow.recall < wide.recall
    with pytest.raises(ValueError):
        logic.precision_recall(real[:3], real)


def test_wilson_intervals():
    for share, n in ((0.0, 10), (1.0, 10), (0.5, 40), (0.9, 64)):
        low, high = logic.wilson_interval(share, n)
        assert 0 <= low <= share <= high <= 1 and high - low > 0
    assert np.diff(logic.wilson_interval(0.5, 400)) < np.diff(logic.wilson_interval(0.5, 40))  # more samples
    found = logic.PrecisionRecall(0.8, 0.3, 40, 40, 3)
    assert found.interval("precision")[0] < 0.8 < found.interval("precision")[1]
    assert found.interval("recall")[0] < 0.3 < found.interval("recall")[1]


def test_the_real_reference_is_a_fixed_draw_of_the_digit():
    labels = np.repeat(np.arange(10), 20)
    images = np.arange(200)[:, None, None] * np.ones((1, 28, 28), int)
    picked = logic.real_reference(images, labels, 4, 12)
    assert len(picked) == 12 and set(labels[picked[:, 0, 0]]) == {4}
    assert np.array_equal(picked, logic.real_reference(images, labels, 4, 12))
    with pytest.raises(ValueError):
        logic.real_reference(images, labels, 4, 21)


def test_seed_of_another_class_is_the_first_seed_whose_class_differs():
    for seed in (0, 7, 2024, 123456):
        other = logic.seed_of_another_class(seed)
        own = int(logic.classes(seed, 1, None)[0])
        assert other != seed and int(logic.classes(other, 1, None)[0]) != own
        assert all(int(logic.classes(s, 1, None)[0]) == own for s in range(other) if s != seed)


def test_the_critics_title_is_not_cut_at_the_figures_edge():
    """Issue 20: the WGAN critic's title was clipped at the left ("ritic D(x)…"). Every title, in both languages,
    leaves the picture's left and right edges blank in the title band."""
    from types import SimpleNamespace

    import demos.gan.strings  # noqa: F401 (registers the words)
    from core.i18n import t
    from demos.gan import figures

    rng = np.random.default_rng(0)
    xs = np.linspace(-2, 2, 30)
    view = SimpleNamespace(xs=xs, critic=rng.normal(size=(30, 30)), real=rng.normal(size=(50, 2)),
                           fake=rng.normal(size=(50, 2)), arrows=np.ones((4, 2)), arrows_at=np.zeros((4, 2)))
    for lang in ("en", "zh"):
        for kind in ("gan", "wgan"):
            picture = figures.playground(view, [(1, 0.5, 0.4)], critic_title=t(f"gan.critic_title_{kind}", lang),
                                         loss_title="L", step_label="s", real_label="r", fake_label="f", d_label="D",
                                         g_label="G")
            band = picture[: picture.shape[0] // 8]
            assert band[:, :4].min() > 200 and band[:, -4:].min() > 200, (lang, kind)


def test_before_after_stacks_two_grids_split_by_a_white_band():
    from demos.gan import figures

    before = np.zeros((6, 28, 28), np.uint8)
    after = np.full((6, 28, 28), 200, np.uint8)
    picture = figures.before_after(before, after, 3)
    top = figures.tile(before, 3)
    assert picture.shape == (2 * top.shape[0] + 10, top.shape[1])
    assert np.array_equal(picture[: top.shape[0]], top)
    assert np.array_equal(picture[-top.shape[0]:], figures.tile(after, 3))
    assert (picture[top.shape[0]: top.shape[0] + 10] == 255).all()
