"""The bundled digit GAN's card (re-measured), the playground's shipped results, and the lecture notes that quote
them."""
import re

import numpy as np
import pytest
import torch

from core.data.digits import TEST, load_split
from core.i18n import t
from core.models import sha256_file
from demos.gan import logic, strings, train
from demos.gan.model import DIGIT_GAN, GENERATOR, JUDGE, timeline_generators


@pytest.fixture(scope="module")
def results():
    shipped = strings.load_results()
    assert shipped is not None, "run python -m demos.gan.train (and --playground)"
    return shipped


def test_the_card_is_re_measured_exactly(results):
    """evaluate() is deterministic: the shipped weights give the card's numbers again."""
    metrics = results["card"]["metrics"]
    again = train.evaluate(GENERATOR.get().model.cpu(), JUDGE.get().model.cpu(), load_split(TEST).images)
    for key in ("class_accuracy", "worst_class_accuracy", "mean_confidence", "random_class_coverage"):
        assert again[key] == pytest.approx(metrics[key], abs=2e-3), key
    assert again["digit_fid"] == pytest.approx(metrics["digit_fid"], rel=0.02)


def test_the_quality_bar_is_met(results):
    metrics = results["card"]["metrics"]
    assert metrics["class_accuracy"] >= 0.9
    assert metrics["random_class_coverage"] == 10
    real, ceiling = metrics["digit_fid_real_training_1000"], metrics["digit_fid_ceiling_untrained"]
    assert metrics["digit_fid"] < ceiling
    assert abs(metrics["digit_fid"] - real) < 0.1 * (ceiling - real)  # near the floor of the same sample size
    assert real < metrics["digit_fid_floor_real_halves"]  # "the halves score worse"


def test_the_files_match_the_card(results):
    for name, digest in results["card"]["files"].items():
        assert sha256_file(DIGIT_GAN.directory / name) == digest, name


def test_the_timeline_snapshots_are_the_cards(results):
    entries = results["card"]["timeline"]
    snapshots = timeline_generators()
    assert [step for step, _ in snapshots] == [entry["step"] for entry in entries]
    assert entries[0]["step"] == 0 and entries[-1]["step"] == results["card"]["training"]["best_step"]
    assert entries[0]["digit_fid"] == results["card"]["metrics"]["digit_fid_ceiling_untrained"]
    fids = [entry["digit_fid"] for entry in entries]
    assert fids[0] > 10 * fids[-1]  # from noise to digits
    reference = load_split(TEST).images
    for (step, model), entry in zip(snapshots[::len(snapshots) - 1], entries[::len(entries) - 1]):
        measured = train.evaluate(model, JUDGE.get().model.cpu(), reference)
        assert measured["class_accuracy"] == pytest.approx(entry["class_accuracy"], abs=0.02), step


def test_the_notes_quote_every_number_from_the_results(results):
    for lang in ("en", "zh"):
        text = t("gan.notes", lang)
        assert "{{" not in text and "?" not in re.sub(r"\$[^$]*\$", "", text), lang
        for value in strings.note_numbers(results).values():
            assert value in text, (lang, value)


def test_what_the_notes_say_is_true_of_the_results(results):
    play, card = results["playground"], results["card"]
    assert play["collapse"]["settings"] == {**vars(logic.PRESETS["collapse"][0])}
    assert play["cure"]["settings"] == {**vars(logic.PRESETS["cure"][0])}
    assert play["collapse"]["preset_steps"] == logic.PRESETS["collapse"][1]
    assert play["collapse"]["at_preset"]["modes"] == 1 and play["collapse"]["at_preset"]["at_a_mode"] > 0.5
    assert max(c["modes"] for c in play["collapse"]["checkpoints"]) <= 2
    hops = [c["busiest_mode"] for c in play["collapse"]["checkpoints"] if c["busiest_mode"] is not None]
    assert len(set(hops)) >= 3  # "it does not stay"
    after = [c for c in play["collapse"]["checkpoints"] if c["step"] == logic.PRESETS["collapse"][1] + 50][0]
    assert after["busiest_mode"] != play["collapse"]["at_preset"]["busiest_mode"]  # "Train 50 steps: it hops"
    assert play["cure"]["at_preset"]["modes"] == 8  # "all 8 modes"
    d5 = play["gan_d5"]["modes_every_100"]
    assert d5[-1] < 8 and d5[-1] < max(d5)  # "loses modes as it goes"
    fids = [entry["digit_fid"] for entry in card["timeline"][1:]]
    assert fids == sorted(fids, reverse=True)  # "from noise to digits": every later snapshot is better
    # "halfway, ‖z‖ ≈ 8/√2": the notes' closed form, on pairs of independent draws of the generator's z
    z = logic.latents(0, 64, GENERATOR.get().model.z_dim)
    middles = [float(((z[i] + z[i + 1]) / 2).norm()) for i in range(0, 64, 2)]
    assert np.median(middles) == pytest.approx(8 / np.sqrt(2), rel=0.1)
    assert float(z.norm(dim=1).median()) == pytest.approx(8, rel=0.1)


def test_what_the_notes_say_about_truncation_is_true_of_the_results(results):
    """'64 identical samples at ψ = 0 and varied ones at ψ = 1 are both 0.00 bits; at ψ = 2 the bits rise';
    'precision falls and recall rises with ψ' (the file the notes quote; the held-out check is test_gan_claims)."""
    found = results["truncation"]
    rows = {row["psi"]: row for row in found["rows"]}
    assert sorted(rows) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert found["k"] == logic.PR_K and found["samples_per_grid"] == logic.MAX_GRID and found["grids_per_psi"] >= 30
    assert rows[0.0]["class_spread_bits"] == 0 and rows[1.0]["class_spread_bits"] < 0.1
    assert rows[2.0]["class_spread_bits"] > rows[1.0]["class_spread_bits"] + 0.3
    for reference in ("training", "test"):
        precision = [rows[psi][reference]["precision"] for psi in sorted(rows)]
        recall = [rows[psi][reference]["recall"] for psi in sorted(rows)]
        assert precision == sorted(precision, reverse=True) and recall == sorted(recall), reference
        assert rows[0.0][reference]["recall"] == 0 and rows[0.0][reference]["precision"] >= 0.9


def test_the_presets_in_the_tab_reproduce_the_shipped_results(results):
    """The modes covered exactly (what the notes state for both presets); the collapsed generator's share of
    points at its mode (also in the notes, as "about") within 3 points: the same seed trains the 2-D GAN along a
    slightly different path on another CPU. results.json was made on an AMD EPYC; on an Intel Xeon the collapse
    preset ends with 75.4% at its mode, not 76.6% (and the cure's share, which the page does not state, 78.9%, not
    68.8%)."""
    for name in ("collapse", "cure"):
        config, steps, _ = logic.PRESETS[name]
        play = logic.train_steps(logic.new_playground(config), steps)
        covered, near = logic.mode_coverage(logic.field_view(play, 2, 2).fake)
        shipped = results["playground"][name]["at_preset"]
        assert covered == shipped["modes"], name
        if name == "collapse":
            assert near == pytest.approx(shipped["at_a_mode"], abs=0.03)


def test_the_shipped_weights_load_as_float32_safetensors():
    from safetensors.torch import load_file

    tensors = load_file(str(DIGIT_GAN.weights))
    assert all(v.dtype in (torch.float32, torch.int64) for v in tensors.values())
    assert DIGIT_GAN.weights.stat().st_size < 5_000_000
