"""The adversarial audio tab's shipped measurements (results.json, the two cards), partly re-measured, and the
lecture notes that quote them."""
import math

import pytest
import torch

from core.i18n import PLACEHOLDER
from core.models import read_card
from demos.audio_attack import logic, measure, strings
from demos.audio_attack.model import RECOGNISER, SPEECH_CTC, WHISPER_TINY_EN, recogniser

SHIPPED = strings.load_results()


@pytest.fixture(scope="module")
def ctc():
    return recogniser(RECOGNISER.get(SPEECH_CTC.key))


@pytest.fixture(scope="module")
def clips():
    return measure.clips()


def test_results_cover_every_example_clip_and_both_models(clips):
    assert SHIPPED is not None, "run python -m demos.audio_attack.measure"
    assert SHIPPED["clips"] == [name for name, _, _ in clips] and len(clips) >= 8
    assert set(SHIPPED["models"]) == {SPEECH_CTC.key, WHISPER_TINY_EN.key}
    for found in SHIPPED["models"].values():
        for db in (30, 40):
            assert found[f"pgd_{db}"]["peak_db"] == pytest.approx(-db, abs=0.01)  # the budget is the peak


def test_the_bundled_models_numbers_are_re_measured(ctc, clips):
    shipped = SHIPPED["models"][SPEECH_CTC.key]
    for name, _, audio in clips:
        assert ctc.transcribe(audio).text == shipped["clean"][name]
    changed = [not logic.same(ctc.transcribe(audio + measure.untargeted(ctc, audio, shipped["clean"][name], -40,
                                                                          "pgd")).text, shipped["clean"][name])
               for name, _, audio in clips]
    assert sum(changed) / len(changed) == pytest.approx(shipped["pgd_40"]["changed"], abs=1 / len(clips) + 1e-9)
    for i, (name, _, audio) in enumerate(clips[:3]):  # targeted: clip by clip, as shipped
        target = clips[(i + 1) % len(clips)][1]
        delta, _ = measure.targeted(ctc, audio, target, -30)
        reached = logic.same(ctc.transcribe(audio + delta).text, target)
        assert reached == shipped["targeted_30"]["per_clip"][name], name


def test_quick_measurement_runs(tmp_path):
    out = tmp_path / "results.json"
    measure.main(["--quick", "--out", str(out)])
    import json

    quick = json.loads(out.read_text())
    assert quick["models"][SPEECH_CTC.key]["wer"] == 0.0 and len(quick["clips"]) == 2


def test_cards_agree_with_the_results():
    whisper = read_card(WHISPER_TINY_EN.card_directory)
    assert whisper["source"]["sha256"] == WHISPER_TINY_EN.sha256
    assert whisper["metrics"]["examples"]["wer"] == SHIPPED["models"][WHISPER_TINY_EN.key]["wer"]
    assert whisper["metrics"]["attacks"]["targeted_30"] == SHIPPED["models"][WHISPER_TINY_EN.key]["targeted_30"]
    ctc = read_card(SPEECH_CTC.directory)
    assert ctc["metrics"]["attacks"]["pgd_40"] == SHIPPED["models"][SPEECH_CTC.key]["pgd_40"]
    assert list(ctc["attack_targets"].values()) == [SHIPPED["models"][SPEECH_CTC.key]["pgd_40"]["changed"],
                                                    SHIPPED["models"][SPEECH_CTC.key]["targeted_30"]["reached"]]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_notes_quote_every_number_and_say_nothing_the_results_deny(lang):
    text = strings.notes(lang, SHIPPED)
    numbers = strings.note_numbers(SHIPPED)
    placeholders = set(PLACEHOLDER.findall((strings.HERE / f"notes.{lang}.md").read_text("utf-8")))
    assert placeholders <= set(numbers), placeholders - set(numbers)
    assert "{{" not in text
    ctc, whisper = SHIPPED["models"][SPEECH_CTC.key], SHIPPED["models"][WHISPER_TINY_EN.key]
    # "the direction matters": random noise of the same size changes fewer transcripts than the attack
    assert ctc["noise_30"]["changed"] < ctc["pgd_30"]["changed"]
    assert whisper["noise_30"]["changed"] < whisper["pgd_30"]["changed"]
    # "The target never does, here"
    assert all(found["target_heard"] == 0 for key, found in SHIPPED["transfer"].items() if "targeted" in key)
    # "targeted attacks need many steps": the targeted rate is below the untargeted one at the same budget
    assert ctc["targeted_40"]["reached"] <= ctc["pgd_40"]["changed"]
    assert 10 ** (ctc["targeted_30"]["snr_db"] / 10) == pytest.approx(float(numbers["ctc_power_ratio"]
                                                                             .replace(",", "")), abs=1)
    assert not math.isnan(ctc["targeted_30"]["mean_steps"])


def test_the_perturbation_budget_holds_on_a_real_clip(ctc, clips):
    _, _, audio = clips[0]
    eps = logic.epsilon(audio, -30)
    delta, _ = measure.targeted(ctc, audio, "go right", -30)
    assert delta.abs().max() <= eps + 1e-7 and (audio + delta).abs().max() <= 1.0
    assert torch.isfinite(delta).all()
