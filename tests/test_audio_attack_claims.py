"""Issue 19: every verdict the adversarial audio tab shows holds on clips it was not made on.

The held-out clips (tests/data/audio_attack, made by make.py) come from another synthesiser than the shipped
examples and the bundled CTC model's training data: flite's voices, not espeak-ng's, and sentences with numbers,
contractions and punctuation. Each test computes what the page should say from the clip itself and checks that
the page says it (and the shipped rates in results.json against a part re-measured here).
"""
import json
import re
import types
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
import torch

from core.i18n import UserInputError
from core.stats import wilson_interval
from demos.audio_attack import logic, measure, strings, ui
from demos.audio_attack.model import RECOGNISER, SPEECH_CTC, WHISPER_TINY_EN, recogniser

HELDOUT = Path(__file__).parent / "data" / "audio_attack"
MANIFEST = json.loads((HELDOUT / "heldout.json").read_text(encoding="utf-8"))
SHIPPED = strings.load_results()
CTC, WHISPER = SPEECH_CTC.key, WHISPER_TINY_EN.key


def path(name: str) -> str:
    return str(HELDOUT / f"{name}.wav")


def audio(name: str) -> torch.Tensor:
    return torch.from_numpy(sf.read(path(name), dtype="float32")[0])


@pytest.fixture(scope="module")
def whisper():
    return recogniser(RECOGNISER.get(WHISPER))


@pytest.fixture(scope="module")
def ctc():
    return recogniser(RECOGNISER.get(CTC))


def no_progress(*args, **kwargs):
    return None


def run_attack(clip: str, model: str, kind="fgsm", budget=-30, steps=1, target="open the window"):
    *_, last = ui.attack(clip, model, kind, budget, steps, target, progress=no_progress)
    return last


# ------------------------------------------------------------------ examples: heard right before they are offered

def test_every_offered_example_is_transcribed_right_by_the_default_model(whisper, tmp_path):
    assert RECOGNISER.best().key == WHISPER
    offered = ui.examples()
    assert len(offered) >= 6
    for name, sentence in offered:
        heard = whisper.transcribe(torch.from_numpy(sf.read(ui.EXAMPLES_DIR / name, dtype="float32")[0])).text
        assert logic.same(heard, sentence), (name, heard)
    for index, (name, sentence) in enumerate(offered):  # and the page knows what each says, picked or uploaded
        picked = ui.pick(index)  # a 16-bit WAV, as the page's player holds it
        assert sf.info(picked).subtype == "PCM_16" and sf.info(picked).samplerate == ui.SAMPLE_RATE
        assert ui.said(ui._clip(str(picked), "en")) == sentence == ui.said(ui._clip(str(ui.EXAMPLES_DIR / name), "en"))


def test_a_clip_the_model_already_mishears_says_so_before_any_verdict(whisper, monkeypatch):
    heard = SHIPPED["heldout"]["models"][WHISPER]["clean"]  # measured by measure.py; re-heard below by the page
    truth = {row["file"].removesuffix(".wav"): row["text"] for row in MANIFEST}
    wrong = [name for name in heard if not logic.same(heard[name], truth[name])]
    right = [name for name in heard if logic.same(heard[name], truth[name])]
    assert wrong and right, heard  # the held-out set has both kinds for Whisper tiny.en
    # the page knows what its examples say: make two held-out clips "examples" for this test
    keys = {ui._clip(path(name), "en").key: truth[name] for name in (wrong[0], right[0])}
    monkeypatch.setattr(ui, "_example_sentences", lambda: keys)
    line, _ = ui.transcribe(path(wrong[0]), WHISPER)
    assert "already mishears" in line and f"“{truth[wrong[0]]}”" in line
    line, _ = ui.transcribe(path(right[0]), WHISPER)
    assert "already mishears" not in line
    status, _, verdict, *_ = run_attack(path(wrong[0]), WHISPER)  # FGSM, one step
    assert verdict.index("already mishears") < verdict.index("###")  # the warning comes before the verdict


# ------------------------------------------------------------------ size or direction: rates, not one draw

def test_the_noise_control_is_a_rate_over_draws_and_concludes_only_from_it(ctc):
    for name in ("four_one_nine", "lock_the_door"):
        clip = audio(name)
        clean = ctc.transcribe(clip).text
        eps = logic.epsilon(clip, -30)
        changed = sum(not logic.same(ctc.transcribe(clip + logic.random_noise(clip, eps, seed)).text, clean)
                      for seed in range(ui.NOISE_DRAWS))
        text, player, _ = ui.random_noise(path(name), CTC, -30)
        if changed:
            assert f"in {changed} of {ui.NOISE_DRAWS} draws" in text and "size alone is enough" in text
        else:
            assert f"stays the same in all {ui.NOISE_DRAWS} draws" in text


def test_the_shipped_rates_quote_their_sample_sizes_and_the_page_shows_them(ctc):
    held = SHIPPED["heldout"]
    for key in (CTC, WHISPER):
        examples = SHIPPED["models"][key]
        found = held["models"][key]
        assert found["noise"]["n"] == len(held["clips"]) * held["noise_draws"]
        for budget in (30, 40):  # both budgets the full measurement runs
            noise = examples[f"noise_{budget}"]
            assert noise["n"] == len(SHIPPED["clips"]) * noise["draws"] and noise["draws"] >= 3
            assert noise["changed"] == pytest.approx(noise["hits"] / noise["n"], abs=1e-3)
            text = ui._measured_contrast(key, -budget, "en")
            assert f"{noise['hits']} of {noise['n']} draws" in text
            assert f"{examples[f'pgd_{budget}']['hits']} of {examples[f'pgd_{budget}']['n']} clips" in text
        assert f"{found['noise']['hits']} of {found['noise']['n']} draws" in ui._measured_contrast(key, -30, "en")
    assert "No rates" in ui._measured_contrast(CTC, -25, "en")  # a budget nothing was measured at says so
    # re-measured here: the CTC model's noise draws on two held-out clips, seed by seed
    for name in held["clips"][:2]:
        clip = audio(name)
        hits = sum(measure.noise_changed(ctc, clip, held["models"][CTC]["clean"][name], -30, held["noise_draws"]))
        assert hits == held["models"][CTC]["noise"]["per_clip"][name], name


# ------------------------------------------------------------------ CER on the spoken form

@pytest.mark.parametrize("reference, hypothesis, wer, cer", [
    ("one two three four", "1 2 3 4", 0.0, 0.0),  # the same words, written two ways
    ("Room 42, please.", "room forty-two please", 0.0, 0.0),
    ("It's 3:45!", "it’s three forty five", 0.0, 0.0),  # a typographic apostrophe, a time, punctuation
    ("one two three four", "won to tree for", 1.0, 5 / 18),  # heard as other words: 5 letters of 18
    ("I'll buy 7 apples.", "I will buy seven apples", 0.5, 3 / 21),  # a contraction is not its expansion
])
def test_error_rates_count_the_spoken_form(reference, hypothesis, wer, cer):
    assert logic.error_rates(reference, hypothesis) == pytest.approx((wer, cer))


def test_the_cer_shown_is_counted_on_the_spoken_words_of_every_held_out_attack():
    attacked = [row for found in SHIPPED["heldout"]["models"].values() for row in found["attacked"]]
    assert len(attacked) >= 20
    for row in attacked:
        shown = logic.error_rates(row["clean"], row["heard"])[1]
        by_hand = logic.error_rates(logic.spoken(row["clean"]), logic.spoken(row["heard"]))[1]
        assert shown == pytest.approx(row["cer_spoken"], abs=1e-3) == pytest.approx(by_hand, abs=1e-3)
    assert "numbers spelled out" in ui._rates_line("3-7-1.", "three seven two", "en")


# ------------------------------------------------------------------ transfer, always beside its noise control

def test_transfer_defend_and_noise_show_their_progress_from_the_first_listen(ctc):
    """Issue 21: the three controls took 2-8 s (more in a busy class) with nothing on the page until the answer;
    each now reports every listen, the first at once, in the student's language."""
    name = "lock_the_door"
    run_attack(path(name), CTC, "fgsm", -30)
    for call, total in ((lambda p: ui.random_noise(path(name), CTC, -30, progress=p), ui.NOISE_DRAWS),
                        (lambda p: ui.transfer(path(name), CTC, "fgsm", -30, 1, "x", progress=p),
                         3 + ui.TRANSFER_NOISE_DRAWS),
                        (lambda p: ui.defend(path(name), CTC, "fgsm", -30, 1, "x", progress=p),
                         1 + 2 * len(logic.DEFENCES))):
        reports = []
        call(lambda share, desc=None, reports=reports: reports.append((share, desc)))
        assert reports[0] == (0, f"the model listens: 1 of {total}") and len(reports) == total
        assert [share for share, _ in reports] == sorted(share for share, _ in reports) and reports[-1][0] < 1
    # The bar comes before the check that an attack with these settings fooled the model (it listens: in the class
    # bench Transfer's and Defend's first sign took p95 47 s and 39 s): here none was run, and the bar was there.
    for call, total in ((ui.transfer, 3 + ui.TRANSFER_NOISE_DRAWS), (ui.defend, 1 + 2 * len(logic.DEFENCES))):
        reports = []
        with pytest.raises(gr.Error, match="Run an attack with these settings first"):
            call(path(name), CTC, "fgsm", -45, 1, "x",
                 progress=lambda share, desc=None, reports=reports: reports.append((share, desc)))
        assert reports == [(0, f"the model listens: 1 of {total}")]
    chinese = []
    ui.random_noise(path(name), CTC, -30, progress=lambda share, desc=None: chinese.append(desc),
                    request=types.SimpleNamespace(headers={"accept-language": "zh-TW"}))
    assert chinese[0] == f"模型聆聽中：第 1 段，共 {ui.NOISE_DRAWS} 段"


def test_a_transfer_verdict_comes_with_the_receiving_models_noise_control(whisper, ctc):
    name = "four_one_nine"
    clip = audio(name)
    run_attack(path(name), CTC, "fgsm", -30)
    text, _ = ui.transfer(path(name), CTC, "fgsm", -30, 1, "x")
    eps = logic.epsilon(clip, -30)
    other_clean = whisper.transcribe(clip).text
    changed = sum(not logic.same(whisper.transcribe(clip + logic.random_noise(clip, eps, seed)).text, other_clean)
                  for seed in range(ui.TRANSFER_NOISE_DRAWS))
    assert f"random noise of the attack's size (−30 dB) changes what it hears in {changed} of " \
           f"{ui.TRANSFER_NOISE_DRAWS} draws" in text
    if changed and "hears something different" in text:
        assert "no evidence" in text
    if not logic.same(other_clean, ctc.transcribe(clip).text):
        assert "hears the clean clip differently" in text


def test_the_shipped_transfer_rates_carry_their_noise_control():
    held = SHIPPED["heldout"]
    numbers = strings.note_numbers(SHIPPED)
    for (source, other), short in zip((measure.MODELS, measure.MODELS[::-1]), ("ctc_whisper", "whisper_ctc")):
        found = held["transfer"][f"{source}->{other}:fgsm_30"]
        receiver = held["models"][other]
        assert (found["noise_hits"], found["noise_n"]) == (receiver["noise"]["hits"], receiver["noise"]["n"])
        assert found["receiver_correct"] == len(receiver["correct"])
        assert numbers[f"held_transfer_{short}_noise"].startswith(f"{found['noise_hits']}/{found['noise_n']}")
    # "the bundled model understands {{held_ctc_correct}} of those clips in the first place": none of them
    assert numbers["held_ctc_correct"] == f"0/{len(held['clips'])}"


# ------------------------------------------------------------------ defences: against the defended clean clip

def test_a_defence_is_judged_against_the_defended_clean_clip_too():
    # untargeted: the defence alone turns the clean transcript into the adversarial one -> it does not survive
    assert not logic.attack_survives("open the door", "open the floor", "open the floor", None)
    # the defence made the model hear the clean transcript again -> it does not survive
    assert not logic.attack_survives("open the door", "open the floor", "open the door", None)
    assert logic.attack_survives("open the door", "open the door", "open the window", None)
    assert logic.attack_survives("open the door", "open the floor", "hello", "Hello.")
    held = SHIPPED["heldout"]["models"]
    for found in held.values():
        judged = found["defences_fgsm"]
        assert judged["judged_new_survives"] <= judged["judged_old_survives"] and judged["n"] == len(judged["pairs"])
        for _, _, clean, defended_clean, defended in judged["pairs"]:  # each verdict, as the page now judges it
            if logic.same(defended, defended_clean) and not logic.same(defended, clean):
                assert not logic.attack_survives(clean, defended_clean, defended, None)


# ------------------------------------------------------------------ the rest

def test_english_only_whisper_refuses_chinese_targets_and_the_ctc_model_too(whisper, ctc):
    for listener in (whisper, ctc):
        with pytest.raises(logic.Unspellable):
            listener.spell("打開窗戶")
    assert whisper.spell("Open the window, 2 times!")  # English with digits and punctuation is fine
    from core.i18n import t

    assert "writes English only" in t("audio_attack.model_hint", "en")
    assert "只會寫英文" in t("audio_attack.model_hint", "zh")
    clip = ui._clip(path("go_forward"), "en")
    with pytest.raises(Exception, match="writes English only"):
        ui._target("我他", whisper, clip, logic.Heard("go forward", 1.0))


def test_the_perturbation_player_never_clips_and_prints_its_gain():
    clip = audio("room_forty_two")
    for db in (-20, -30, -40, -60):
        delta = logic.random_noise(clip, logic.epsilon(clip, db), 0)
        gain = logic.listening_gain_db(delta)
        played = sf.read(ui._players(ui.Clip(clip, "k"), delta, gain, "t")[2], dtype="int16")[0]
        assert np.mean(np.abs(played) >= 32767) == 0 and gain <= 30
        assert np.abs(played).max() >= 0.9 * 32767 * 10 ** (-1 / 20) or gain == 30  # as loud as it can go
    status, _, verdict, numbers, *_ = run_attack(path("room_forty_two"), CTC, "fgsm", -20)
    assert "perturbation player: +" in numbers


def test_the_ctc_model_shows_no_confidence_and_lists_what_it_can_hear():
    line, _ = ui.transcribe(path("go_forward"), CTC)
    assert "confidence" not in line and "probability" not in line
    from core.i18n import t

    listed = t("audio_attack.ctc_commands_full", "en")
    assert "80 commands" in listed and "“open the door”" in listed


def test_api_defaults_trimmed_clips_unreadable_files_and_example_positions(tmp_path):
    clip = ui._clip(path("go_forward"), "en")
    listener = ui._listener(CTC)
    import inspect

    defaults = {name: p.default for name, p in inspect.signature(ui.attack).parameters.items()}
    assert (defaults["budget"], defaults["steps"]) == (-30, 100)  # what a call that leaves them out gets
    with pytest.raises(Exception, match="is empty"):  # an empty value sent on purpose is not a default
        ui._settings("pgd", None, 100, "", "en")
    plan = ui._attack(ui._settings("pgd", -30, 100, "", "en"), listener, clip, logic.Heard("go forward", 1.0))
    assert (plan.budget_db, plan.steps) == (-30.0, 100)
    long = tmp_path / "long.wav"
    sf.write(long, np.tile(audio("go_forward").numpy(), 20)[: 16 * 16_000], 16_000, subtype="PCM_16")
    line, _ = ui.transcribe(str(long), CTC)
    assert "only its first 15 s are used" in line
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF0000WAVEfmt nonsense")
    with pytest.raises(Exception) as info:
        ui.transcribe(str(bad), CTC)
    assert "LibsndfileError" not in str(info.value) and "not audio we can read:" in str(info.value)
    with pytest.raises(UserInputError) as info:  # the library's English words stay out of the Chinese page
        ui._decode(str(bad))
    zh = info.value.message("zh")
    assert "無法讀取" in zh and not re.search(r"[A-Za-z]+", zh.replace("WAV", "").replace("FLAC", "").replace(
        "OGG", "").replace("MP3", "")), zh
    with pytest.raises(Exception, match="example clips"):
        ui.pick(99)


def test_the_notes_say_which_case_each_measured_contrast_is():
    ctc_examples, held_ctc = SHIPPED["models"][CTC], SHIPPED["heldout"]["models"][CTC]
    # "That is the bundled model on the voices it knows": the intervals do not overlap
    noise, pgd = ctc_examples["noise_30"], ctc_examples["pgd_30"]
    noise_high = wilson_interval(noise["hits"] / noise["n"], noise["n"])[1]
    pgd_low = wilson_interval(pgd["hits"] / pgd["n"], pgd["n"])[0]
    assert noise_high < pgd_low
    # "For Whisper tiny.en on the example voices the contrast is smaller ... direction adds less than on the
    # bundled model": noise alone changes a sizeable share, and the attack's lead over noise is the smaller one
    whisper = SHIPPED["models"][WHISPER]
    assert whisper["noise_30"]["changed"] >= 0.3
    lead = {key: SHIPPED["models"][key]["pgd_30"]["changed"] - SHIPPED["models"][key]["noise_30"]["changed"]
            for key in (CTC, WHISPER)}
    assert lead[WHISPER] < lead[CTC]
    # "noise of the same size already changes most transcripts: the bundled model on flite's voices"
    assert held_ctc["noise"]["changed"] > 0.5 and len(held_ctc["correct"]) <= len(SHIPPED["heldout"]["clips"]) / 2
    numbers = strings.note_numbers(SHIPPED)
    assert numbers["held_ctc_noise"].startswith(f"{held_ctc['noise']['hits']}/{held_ctc['noise']['n']}")
