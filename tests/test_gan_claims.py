"""Issue 19: every verdict the GAN tab shows, checked on a held-out set made differently from what the generator
trained on and from the page's own reference.

The held-out set:
- **real test digits** (core.data.digits, split TEST, 1,319): the generator never trained on them (train.py trains on
  the TRAIN split); the page's precision/recall reference is the TRAIN split, so here the reference is another one;
- **digits drawn with strokes** and **scribbles** (tests/data/gan/strokes.py): polylines written for this test, bent
  and wobbled at random and drawn with a round pen, generated from a seed (nothing stored); the scribbles are ink
  that is no digit.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from core.data.digits import TEST, TRAIN, load_split
from core.i18n import t
from demos.gan import logic, strings, ui
from demos.gan.model import GENERATOR, JUDGE

PSIS = (0.0, 0.5, 1.0, 1.5, 2.0)


def _strokes():
    spec = importlib.util.spec_from_file_location("gan_strokes", Path(__file__).parent / "data" / "gan" / "strokes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


strokes = _strokes()


@pytest.fixture(scope="module")
def models():
    return GENERATOR.get().model.cpu(), JUDGE.get().model.cpu()


@pytest.fixture(scope="module")
def test_digits():
    return load_split(TEST)


@pytest.fixture(scope="module")
def test_features(models, test_digits):
    """The judge's features of every real test digit (computed once for the module)."""
    return logic.features(models[1], test_digits.images)


@pytest.fixture(scope="module")
def held_out_trend(models, test_digits, test_features):
    """Precision and recall for each ψ: one grid of 64 samples per digit (seed 7, not the page's default 2024)
    against 64 real test digits of that digit; and the old meter's numbers for the same grids."""
    model, judge = models
    rows = {}
    positions = np.arange(len(test_digits))[:, None, None]  # real_reference picks positions, not pictures, here
    references = {digit: test_features[logic.real_reference(positions, test_digits.labels, digit, logic.MAX_GRID,
                                                           seed=3)[:, 0, 0]] for digit in range(10)}
    for psi in PSIS:
        precision, recall, bits, match = [], [], [], []
        for digit in range(10):
            images, labels = logic.sample(model, 7, logic.MAX_GRID, digit, psi)
            found = logic.precision_recall(references[digit], logic.features(judge, images))
            precision.append(found.precision)
            recall.append(found.recall)
            old = logic.meter(judge, images, labels)
            bits.append(old.entropy_bits)
            match.append(old.match)
        rows[psi] = {"precision": np.mean(precision), "recall": np.mean(recall), "bits": np.mean(bits),
                     "match": np.mean(match)}
    return rows


# ------------------------------------------------------------------ truncation's trade-off


def test_the_old_meter_cannot_tell_psi_0_from_psi_1_but_recall_can(held_out_trend):
    """Before: with one requested digit, 64 identical samples (ψ = 0) and ψ = 1 both read 100% and 0.00 bits.
    After: recall separates them."""
    zero, one = held_out_trend[0.0], held_out_trend[1.0]
    assert zero["bits"] == 0 and zero["match"] == 1  # the old meter at ψ = 0 ...
    assert one["bits"] < 0.25 and one["match"] > 0.95  # ... and at ψ = 1: (almost) the same verdict
    assert zero["recall"] <= 0.05  # one point covers no real digit's variety
    assert one["recall"] - zero["recall"] >= 0.5


def test_as_psi_falls_precision_rises_and_recall_falls_against_digits_never_trained_on(held_out_trend):
    precision = [held_out_trend[psi]["precision"] for psi in PSIS]
    recall = [held_out_trend[psi]["recall"] for psi in PSIS]
    assert all(a >= b for a, b in zip(precision, precision[1:])), precision  # ψ up: precision down
    assert all(a < b for a, b in zip(recall, recall[1:])), recall  # ψ up: recall up
    assert precision[0] - precision[-1] >= 0.3 and recall[-1] - recall[0] >= 0.8
    # at ψ = 2 the old 'diversity' rose only because samples became wrong (match fell)
    assert held_out_trend[2.0]["bits"] > held_out_trend[1.0]["bits"] + 0.3
    assert held_out_trend[2.0]["match"] < held_out_trend[1.0]["match"] - 0.05


def test_the_shipped_trend_the_notes_quote_holds_on_the_held_out_digits(held_out_trend):
    """truncation.json (grid seeds 2024, 1, 2) and this run (grid seed 7, another draw of test digits) agree within
    0.1 for every ψ; the notes quote its training-reference row, which moves the same way."""
    shipped = {row["psi"]: row for row in strings.load_truncation()["rows"]}
    for psi in PSIS:
        for key in ("precision", "recall"):
            assert shipped[psi]["test"][key] == pytest.approx(held_out_trend[psi][key], abs=0.1), (psi, key)
    for key, sign in (("precision", -1), ("recall", 1)):
        quoted = [shipped[psi]["training"][key] for psi in PSIS]
        assert all(sign * (b - a) >= 0 for a, b in zip(quoted, quoted[1:])), (key, quoted)


def test_precision_and_recall_on_known_sets(models, test_digits):
    """Oracles on held-out sets: real 7s against real 7s (both high), real 1s against real 7s (both near 0),
    one real 7 copied 64 times (precision high, recall 0), stroke-drawn 7s (a new style: precision lower than
    real 7s')."""
    _, judge = models
    train = load_split(TRAIN)
    reference = logic.features(judge, logic.real_reference(train.images, train.labels, 7, 64))
    sevens = logic.real_reference(test_digits.images, test_digits.labels, 7, 64)
    ones = logic.real_reference(test_digits.images, test_digits.labels, 1, 64)
    same = logic.precision_recall(reference, logic.features(judge, sevens))
    other = logic.precision_recall(reference, logic.features(judge, ones))
    copies = logic.precision_recall(reference, logic.features(judge, np.repeat(sevens[:1], 64, axis=0)))
    assert same.precision >= 0.7 and same.recall >= 0.7
    assert other.precision <= 0.1 and other.recall <= 0.1
    assert copies.recall == 0 and copies.precision in (0.0, 1.0)
    drawn, labels = strokes.stroke_digits(64, seed=11)
    drawn7 = logic.precision_recall(reference, logic.features(judge, drawn[labels == 7]))
    drawn1 = logic.precision_recall(reference, logic.features(judge, drawn[labels == 1]))
    assert drawn7.precision > drawn1.precision + 0.3 and drawn1.precision <= 0.1
    low, high = same.interval("precision")
    assert low < same.precision < high or same.precision in (0.0, 1.0)


def test_the_meter_shows_precision_and_recall_with_sample_size_and_interval_or_says_why_not():
    text = ui.meter_text(logic.Meter(np.zeros(40, int), np.ones(40), np.bincount(np.zeros(40, int), minlength=10),
                                     0.0, 1.0), "en", 3, logic.PrecisionRecall(0.9, 0.4, 40, 40, 3))
    assert "precision 90%" in text and "recall 40%" in text and "40 real 3s" in text and "95%" in text
    few = ui.meter_text(logic.Meter(np.zeros(5, int), np.ones(5), np.bincount(np.zeros(5, int), minlength=10),
                                    0.0, 1.0), "en", 3, None)
    assert t("gan.meter_pr_few", "en", least=logic.PR_MIN_SAMPLES, n=5) in few
    assert ui.grid_precision_recall(np.zeros((5, 28, 28), np.uint8), 3) is None
    assert ui.grid_precision_recall(np.zeros((20, 28, 28), np.uint8), None) is None


# ------------------------------------------------------------------ the class histogram


def test_the_class_histogram_starts_at_zero(models):
    """Before: the bar plot's y axis started at the smallest count (Vega 'zero: false'), so classes with the fewest
    samples drew no bar. After: y_lim = [0, None]; every class with a sample draws a bar, on any seed."""
    import gradio as gr

    with gr.Blocks() as demo:
        ui.build_tab(gr.I18n(), demo)
    plots = [block for block in demo.blocks.values() if getattr(block, "elem_id", None) == "gan-histogram"]
    assert len(plots) == 1 and plots[0].y_lim[0] == 0
    for seed in (2024, 3, 99):
        _, frame, *_ = ui.sample(seed, 40, "random", 1.0)
        shown = frame["n"][frame["n"] > 0]
        assert shown.min() > plots[0].y_lim[0]


# ------------------------------------------------------------------ confidence is not quality; FID and sample size


def test_the_classifier_is_sure_of_scribbles_so_confidence_is_not_quality(models, test_digits):
    """The page: 'it is sure of blobs too', and its over-confidence sentence fires when the mean confidence
    exceeds the share read as the requested digit by ui.OVERCONFIDENT. Held out: on real test digits and on
    stroke-drawn digits the rule stays silent; on scribbles (no digit; 'requested' classes drawn at random) the
    classifier is still confident and the rule fires."""
    _, judge = models
    real = logic.meter(judge, test_digits.images, test_digits.labels)
    drawn, labels = strokes.stroke_digits(15, seed=5)
    drawn_meter = logic.meter(judge, drawn, labels)
    scribbled = strokes.scribbles(150, seed=5)
    noise = logic.meter(judge, scribbled, np.random.default_rng(5).integers(0, 10, len(scribbled)))
    assert real.mean_confidence - real.match < ui.OVERCONFIDENT
    assert drawn_meter.match >= 0.9 and drawn_meter.mean_confidence - drawn_meter.match < ui.OVERCONFIDENT
    assert noise.mean_confidence >= 0.6  # sure of ink that is no digit
    assert noise.mean_confidence - noise.match >= ui.OVERCONFIDENT
    untrained = ui.timeline_text(0, "en")
    assert t("gan.timeline_overconfident", "en", conf=ui.card()["timeline"][0]["mean_confidence"],
             acc=ui.card()["timeline"][0]["class_accuracy"]) in untrained
    assert "overconfident" not in ui.timeline_text(len(ui.card()["timeline"]) - 1, "en")
    assert "sure on average" not in ui.timeline_text(len(ui.card()["timeline"]) - 1, "en")
    assert "confident** means good quality" not in t("gan.intro", "en")


def test_fid_grows_when_fewer_real_digits_are_compared(models, test_features):
    """The page: 'FID is biased upwards when fewer samples are compared'. Held out: real training digits against
    the test digits, 150 vs 1,000 of them."""
    _, judge = models
    train = load_split(TRAIN)
    order = np.random.default_rng(42).permutation(len(train))
    reference = test_features
    small = logic.frechet_distance(logic.features(judge, train.images[order[:150]]), reference)
    large = logic.frechet_distance(logic.features(judge, train.images[order[150:1150]]), reference)
    assert small > 1.5 * large


def test_the_fid_verdict_never_calls_real_digits_worse_or_anything_better_than_real(models, test_features):
    """Held out: 1,000 other real training digits score within (or below) the references, and the page says
    'as close as real digits', never 'better'; 1,000 stroke-drawn digits score above and the page says so."""
    _, judge = models
    metrics = ui.card()["metrics"]
    train = load_split(TRAIN)
    other = train.images[np.random.default_rng(7).permutation(len(train))[:1000]]
    reference = test_features
    real_fid = logic.frechet_distance(logic.features(judge, other), reference)
    drawn, _ = strokes.stroke_digits(100, seed=2)
    drawn_fid = logic.frechet_distance(logic.features(judge, drawn), reference)
    low = min(metrics["digit_fid_real_training_1000"], metrics["digit_fid_floor_real_halves"])
    high = max(metrics["digit_fid_real_training_1000"], metrics["digit_fid_floor_real_halves"])
    assert real_fid <= high and drawn_fid > high
    verdict_real, verdict_drawn = ui.fid_verdict(real_fid, metrics, "en"), ui.fid_verdict(drawn_fid, metrics, "en")
    assert "not 'better than real data'" in verdict_real.lower() and "1,000 samples" in verdict_real
    assert "further from the test digits" in verdict_drawn
    shipped = ui.timeline_text(len(ui.card()["timeline"]) - 1, "en")
    assert metrics["digit_fid"] >= low or "below both" in shipped
    assert "not 'better than real data'" in shipped.lower() and f"{high - low:.0f}" in shipped


# ------------------------------------------------------------------ the default walk


def test_the_default_walk_crosses_digits_by_rule(models):
    """Before: seed 2024 -> 7, a 9 to a 9. After: seed B is the first seed of another class (a rule), and the
    classifier reads the two ends as different digits; the note names both ends."""
    model, judge = models
    assert ui.DEFAULTS["seed_b"] == logic.seed_of_another_class(ui.DEFAULTS["seed"])
    walk = logic.interpolate(model, ui.DEFAULTS["seed"], ui.DEFAULTS["seed_b"], 10, None, 1.0, True)
    read = logic.meter(judge, walk.images[[0, -1]]).predicted
    assert read[0] != read[1]
    note = ui.walk_ends_text(walk, ui.DEFAULTS["seed"], ui.DEFAULTS["seed_b"], None, "en")
    assert "changes the style" not in note and f"reads {read[0]}" in note and f"reads {read[1]}" in note
    before = logic.interpolate(model, 2024, 7, 10, None, 1.0, True)
    assert "changes the style, not the digit" in ui.walk_ends_text(before, 2024, 7, None, "en")


def test_the_walk_verdict_comes_from_the_frames_read_not_the_classes_asked_for(models):
    """The teacher's break (issue 19's rule): seeds 3 → 19 at ψ = 2 ask for a 2 at both ends, but the classifier
    reads a 4 at the end, and "Both ends are the same digit: this walk changes the style" was shown. The verdict now
    comes from every frame's reading (an oracle: the judge run here), on walks chosen without looking at the page:
    20 seed pairs at ψ 1 and 2, both paths."""
    model, judge = models
    rng = np.random.default_rng(19)
    for seed_a, seed_b in rng.integers(0, 10_000, (20, 2)):
        for psi, spherical in ((1.0, True), (2.0, False)):
            walk = logic.interpolate(model, int(seed_a), int(seed_b), 10, None, psi, spherical)
            read = logic.meter(judge, walk.images).predicted.tolist()
            note = ui.walk_ends_text(walk, int(seed_a), int(seed_b), None, "en")
            assert ("changes the style, not the digit" in note) == (len(set(read)) == 1), (seed_a, seed_b, psi)
            if len(set(read)) > 1:
                passes = [d for i, d in enumerate(read) if i == 0 or d != read[i - 1]]
                assert " → ".join(map(str, passes)) in note
    same = logic.interpolate(model, 5, 5, 10, None, 1.0, True)
    assert "nothing to walk" in ui.walk_ends_text(same, 5, 5, None, "en")
    assert "沒有路可走" in ui.walk_ends_text(same, 5, 5, None, "zh")


def test_slerp_at_psi_zero_is_a_line_not_nan(models):
    """ψ = 0 puts both ends at the origin, where a sphere has no direction: slerp drew black frames and the note said
    "never goes below nan". Now it walks the straight line (only the class changes), with finite norms."""
    model, _ = models
    walk = logic.interpolate(model, 1, 2, 4, None, 0.0, True)
    assert np.isfinite(walk.norms).all() and walk.images.std() > 0
    assert np.array_equal(walk.images, logic.interpolate(model, 1, 2, 4, None, 0.0, False).images)


def test_copies_count_once(models):
    """ψ = 0 draws each class's one image again and again: 40 samples of random digits showed "3.22 bits ... 10 of 10
    classes", as at ψ = 1, and 40 identical 3s a precision interval of 91-100% (n = 40). The meter now says how many
    images differ, and the precision's interval counts each once (Wilson on 1 sample: 21-100%)."""
    model, judge = models
    images, labels = logic.sample(model, 123, 40, None, 0.0)
    meter = logic.meter(judge, images, labels)
    assert meter.distinct == len(set(labels.tolist())) < 40
    assert f"Only **{meter.distinct} different images** among these 40" in ui.meter_text(meter, "en")
    fresh = logic.meter(judge, *logic.sample(model, 123, 40, None, 1.0))
    assert fresh.distinct == 40 and "different images" not in ui.meter_text(fresh, "en")
    threes, _ = logic.sample(model, 7, 40, 3, 0.0)
    scores = ui.grid_precision_recall(threes, 3)
    assert scores.distinct == 1 and scores.interval("precision")[0] < 0.3
    assert logic.wilson_interval(scores.precision, 1) == scores.interval("precision")


def test_the_rule_crosses_digits_for_other_seeds(models):
    """Held out: 20 seeds A the page never uses by default; for each, the rule's seed B gives a walk whose ends the
    classifier reads as different digits in at least 18 of 20 (ψ = 1)."""
    model, judge = models
    crossed = 0
    for seed_a in np.random.default_rng(19).integers(0, 2**32 - 1, 20).tolist():
        seed_b = logic.seed_of_another_class(seed_a)
        assert int(logic.classes(seed_a, 1, None)[0]) != int(logic.classes(seed_b, 1, None)[0])
        walk = logic.interpolate(model, seed_a, seed_b, 2, None, 1.0, True)
        read = logic.meter(judge, walk.images).predicted
        crossed += int(read[0] != read[1])
    assert crossed >= 18


@pytest.mark.slow
def test_the_cure_is_the_loss_and_the_critic_steps_together():
    """A helper's break: the page credited WGAN-GP alone with the cure, but the preset also trains the critic 5 steps
    per generator step. Measured here on seeds other than the preset's (2-4; the page's answer quotes 6 seeds) at the
    preset's 400 steps: WGAN-GP with 1 critic step still collapses, the standard loss with 5 steps covers more modes
    than with 1 but not all 8 on every seed, and the two together cover all 8."""
    import dataclasses

    base, steps, _ = logic.PRESETS["cure"]

    def modes(loss, d_steps, seed):
        play = logic.new_playground(dataclasses.replace(base, loss=loss, d_steps=d_steps, seed=seed))
        return logic.mode_coverage(logic.field_view(logic.train_steps(play, steps), resolution=10).fake)[0]

    covered = {(loss, d): [modes(loss, d, seed) for seed in (2, 3, 4)] for loss in ("gan", "wgan_gp") for d in (1, 5)}
    assert covered[("wgan_gp", 5)] == [8, 8, 8]
    assert max(covered[("wgan_gp", 1)]) <= 2 and max(covered[("gan", 1)]) <= 2
    assert min(covered[("gan", 5)]) < 8 and np.mean(covered[("gan", 5)]) > np.mean(covered[("gan", 1)]) + 2
    for lang in ("en", "zh"):
        assert "5" in t("gan.preset_cure", lang) and "WGAN-GP" in t("gan.play_intro", lang)


def test_the_walk_chart_legend_names_each_path_in_its_own_colour():
    """The teacher review: Vega's legend of the ‖z‖ chart had 10-px labels. The page's own legend replaces it: each
    path's name, in both languages, in the colour the chart draws it."""
    import re

    for lang in ("en", "zh"):
        legend = dict((name, colour) for colour, name in re.findall(r'color:(#[0-9a-f]{6})">■ ([^<]+)</span>',
                                                                     t("gan.norm_legend", lang)))
        assert legend == {t(f"gan.path_{key}", lang): ui.path_colors()[t(f"gan.path_{key}", lang)]
                          for key in ("lerp", "slerp")}
