"""An untargeted "Fooled" says that any change counts and that noise of its size may change the transcript by itself,
with the rate measured for the model and budget (the teacher review: FGSM at −30 dB "fooled" Whisper on a clip
that one of five noise draws changed too, and the page's first screen gave no hint)."""
import re

import pytest

from demos.audio_attack import strings, ui

MEASURED = strings.load_results()["models"]


def test_the_caveat_quotes_the_measured_noise_rate_for_the_model_and_budget():
    noise = MEASURED["whisper-tiny.en"]["noise_30"]
    said = " ".join(ui._untargeted_caveat("whisper-tiny.en", -30, "en"))
    assert f"{noise['hits']} of {noise['n']}" in said and "−30 dB" in said and "Add random noise instead" in said
    zh = " ".join(ui._untargeted_caveat("whisper-tiny.en", -30, "zh"))
    assert f"{noise['n']} 次轉錄中的 {noise['hits']} 次" in zh and "改加隨機雜訊" in zh
    unmeasured = " ".join(ui._untargeted_caveat("whisper-tiny.en", -35, "en"))
    assert "Add random noise instead" in unmeasured and not re.search(r"\d+ of \d+", unmeasured)  # no rate it lacks


def test_no_caveat_where_noise_changed_none_of_the_example_clips(monkeypatch):
    quiet = {"models": {"speech-ctc": {"noise_30": {"hits": 0, "n": 40, "draws": 5}}}}
    monkeypatch.setattr(strings, "load_results", lambda: quiet)
    assert ui._untargeted_caveat("speech-ctc", -30, "en") == []



def test_where_noise_was_not_measured_the_caveat_does_not_call_the_noise_loud(monkeypatch):
    """At a budget the example clips were not measured at (−60 dB, very quiet) the caveat said "noise this loud",
    while noise at that size changed no transcript (the claims review): it now says it was not measured."""
    monkeypatch.setattr(strings, "load_results", lambda: {"models": {}})
    for lang, words in (("en", "not measured at this budget"), ("zh", "沒有量過")):
        caveat = ui._untargeted_caveat("whisper-tiny.en", -60, lang)
        assert len(caveat) == 1 and words in caveat[0] and "loud" not in caveat[0] and "大聲" not in caveat[0]


@pytest.mark.parametrize("kind", ["fgsm", "targeted"])
def test_an_untargeted_fool_carries_the_caveat_and_a_targeted_one_does_not(kind):
    clip = str(ui.EXAMPLES_DIR / ui.examples()[0][0])
    *_, last = ui.attack(clip, "speech-ctc", kind, -20, 30, "go right", False)
    verdict = last[2]
    assert "Fooled" in verdict
    assert ("counts any change" in verdict) == (kind == "fgsm")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_untargeted_change_to_the_words_said_is_not_called_fooling(lang):
    """An example the model mishears: an untargeted attack that changes the transcript to what the clip really says
    undid the mistake; the headline says so instead of "Fooled" (a leftover of an earlier review)."""
    from demos.audio_attack import logic

    attack = ui.Attack("fgsm", -30, 1, None)
    clean, said = logic.Heard("Go right.", 0.5), "Go left."
    corrected = ui._verdict(clean, logic.Heard("go left", 0.4), attack, lang, truth=said)
    fooled = ui._verdict(clean, logic.Heard("Go lift.", 0.4), attack, lang, truth=said)
    unknown = ui._verdict(clean, logic.Heard("Go left.", 0.4), attack, lang, truth=None)  # an upload: no truth
    assert corrected == ui.t("audio_attack.verdict_corrected", lang) and corrected != fooled
    assert fooled == unknown == ui.t("audio_attack.verdict_fooled", lang)
    if lang == "zh":
        assert not re.search("[A-Za-z]", corrected)


def test_a_correction_of_a_misheard_example_is_not_the_untargeted_goal():
    """The early stop, Transfer and Defend ask the same question as the headline: a change to the words said undid
    the model's mistake, so an untargeted attack has not reached its goal (it goes on); a targeted one is unchanged."""
    untargeted, targeted = ui.Attack("pgd", -30, 50, None), ui.Attack("targeted", -30, 50, "Go left.")
    clean, said = "Go right.", "Go left."
    assert ui._goal_reached("Go lift.", clean, untargeted, said)
    assert not ui._goal_reached("go left", clean, untargeted, said)
    assert not ui._goal_reached("Go right", clean, untargeted, said)
    assert ui._goal_reached("Go left.", clean, untargeted, None)  # an upload: any change counts
    assert ui._goal_reached("Go left.", clean, targeted, said)  # the target is the target, whatever was said
