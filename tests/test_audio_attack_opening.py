"""The adversarial audio tab shows an attack on its first screen when the attack with the page's settings is in the
memo already (the warm-up runs the default one): opening the page runs no attack, and the student's Transfer and
Defend find what the page shows. Not in the memo: the results stay empty (every output skipped)."""
import types

import pytest

from core import i18n
from core.i18n import UserInputError
from core.ui import force_lang
from demos.audio_attack import ui

MODEL = "speech-ctc"  # the bundled model: fast


def request(session: str):
    return types.SimpleNamespace(session_hash=session, headers={})


def page_settings(budget: int) -> tuple:
    """(clip, model, kind, budget, steps, target, all steps) as the page holds them: a budget no other test uses."""
    return str(ui.EXAMPLES_DIR / ui.examples()[1][0]), MODEL, "fgsm", budget, 1, "", False


def skipped(outputs) -> bool:
    return len(outputs) == ui.ATTACK_OUTPUTS and all(item == {"__type__": "update"} for item in outputs)


def found(session: str, budget: int):
    try:
        return ui._finished(*page_settings(budget), session=session, lang="en")[-1]
    except UserInputError as refused:
        return refused.key


def test_the_page_opens_on_the_attack_in_the_memo_and_runs_none():
    settings = page_settings(-26)
    assert skipped(ui.opening_attack(*settings, request=request("early")))  # nothing heard yet, nothing run
    ui.transcribe(settings[0], MODEL)
    assert skipped(ui.opening_attack(*settings, request=request("early")))  # heard, but no attack in the memo
    assert found("early", -26) == "audio_attack.attack_first"

    *_, attacked = ui.attack(*settings, request=request("attacker"))
    opened = ui.opening_attack(*settings, request=request("newcomer"))
    assert len(opened) == ui.ATTACK_OUTPUTS
    assert opened[2] == attacked[2] and opened[3] == attacked[3]  # the same verdict and numbers
    assert opened[0] == attacked[0] and opened[7].endswith(".png")  # status, the waveform picture
    assert "cached" in opened[8]
    assert found("newcomer", -26) == found("attacker", -26)  # Transfer and Defend use what the page shows
    assert not isinstance(found("newcomer", -26), str)
    before = i18n.default_lang()
    force_lang("zh")
    try:
        again = ui.opening_attack(*settings, request=request("third"))
    finally:
        force_lang(None)
        i18n.set_default_lang(before)
    assert again[2] != opened[2] and "SNR" in again[3] and "快取" in again[8]  # in the page's language


def test_other_settings_or_a_bad_setting_open_on_empty_results_without_a_message():
    settings = page_settings(-25)
    ui.transcribe(settings[0], MODEL)
    assert skipped(ui.opening_attack(*settings, request=request("s")))  # not attacked with these settings
    assert skipped(ui.opening_attack(*settings[:3], float("nan"), *settings[4:], request=request("s")))
    assert skipped(ui.opening_attack(*settings[:2], "targeted", -30, 100, "这是中文", False, request=request("s")))


@pytest.mark.slow  # a long review scenario (16 s in CI: the whole warm-up): CI's second step
def test_the_warm_ups_attack_stays_for_the_pages_opened_after_the_shared_memo_dropped_it(tmp_path):
    """In a class the shared memo of 32 finished attacks pushes the warm-up's out; a student who reloads the page
    still opens on it (the default model, clip and settings, as the page holds them)."""
    import soundfile

    ui.warm_up()
    clip = ui.pick(0)  # the page's first clip, as the page's player holds it: an int16 WAV
    assert soundfile.info(clip).subtype == "PCM_16"
    defaults = (clip, None, ui.DEFAULTS["attack"], ui.DEFAULTS["budget"], ui.DEFAULTS["steps"], ui.DEFAULT_TARGET,
                False)
    ui.transcribe(clip)
    before = ui.opening_attack(*defaults, request=request("before"))
    assert "Fooled" in before[2]
    ui.RESULTS.clear()  # 32 other attacks later
    after = ui.opening_attack(*defaults, request=request("reloaded"))
    assert after[2] == before[2] and not skipped(after)
