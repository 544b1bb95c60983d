"""The adversarial audio tab: layout and events. The science is in logic.py, the words in strings.py."""
from __future__ import annotations

import functools
import hashlib
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pandas as pd
import torch

from core import export, plots
from core.audio import int16_audio
from core.device import heavy_threads
from core.heavy import Last, breaks, heavy
from core.i18n import UserInputError, check_number, is_empty, register, shown, t
from core.memo import Memo, SessionStore
from core.questions import Question, questions_panel
from core.stats import wilson_interval
from core.ui import (
    HEAVY,
    LIGHT,
    MODEL_LANE,
    Audio,
    Image,
    Radio,
    Slider,
    StopRequests,
    Stopwatch,
    fresh_js,
    grey_until_rerun,
    handler,
    model_loader,
    model_picker,
    notify,
    stale_on_typing_js,
    starting_js,
    stopped_note,
)
from core.uploads import decode_audio
from demos.audio_attack import figures, logic, strings  # noqa: F401  strings registers the words
from demos.audio_attack.model import RECOGNISER, SPEECH_CTC, WHISPER_TINY_EN, recogniser
from demos.audio_attack.speech import EXAMPLES

TOPIC = "audio_attack"
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "examples" / "audio"
SAMPLE_RATE = 16_000
MAX_SECONDS = 15.0
MIN_SECONDS = 0.2
ATTACKS = ("fgsm", "pgd", "targeted")
BUDGET_RANGE, STEPS_RANGE = (-60, -20), (1, 200)
DEFAULTS = {"attack": "targeted", "budget": -30, "steps": 100}
MAX_TARGET_CHARS = 100
DEFAULT_TARGET = "open the window"
PERTURBATION_GAIN_DB = 30  # at most this much louder is the perturbation alone played (less if it would clip)
NOISE_DRAWS = 5  # random noises of the attack's size per clip: the control is a rate, not one lucky draw
TRANSFER_NOISE_DRAWS = 3  # the receiving model's own noise control (it hears each one: slower on Whisper)
STREAM_EVERY_S = 0.25  # at most four page updates a second while an attack runs
TRANSCRIBE_EVERY_S = 3.0  # while a Whisper attack runs, what it hears is re-transcribed at most this often

#: Predict, then check (core.questions): the words are in strings.py, QUESTIONS.
QUESTIONS = (Question("target", {"kind": "targeted", "budget": DEFAULTS["budget"], "steps": DEFAULTS["steps"],
                                 "target": DEFAULT_TARGET}, run=("attack",)),
             Question("direction", {"budget": DEFAULTS["budget"]}, run=("noise",)),
             Question("loud", {"budget": BUDGET_RANGE[1]}, run=("noise",)))
RESULTS = Memo(maxsize=32)  # finished attacks, keyed on the clip, the model and every setting (shared: computed once)
#: Each session's own latest attacks (finished, or stopped after fooling the model), for its Transfer and Defend:
#: the shared memo above may have pushed them out after 32 other students' attacks; these only go for their own.
MINE = SessionStore(per_session=2)
HEARD = Memo(maxsize=256)  # transcripts, keyed on the model and the clip's samples
STOPS = StopRequests()  # the Stop button reaches the attack of its own browser session


@dataclass(frozen=True)
class Clip:
    audio: torch.Tensor  # (T,) float32 at 16 kHz
    key: str  # hash of the samples: memo keys
    trimmed_from: float | None = None  # the upload's length in seconds when only its first 15 s are used

    @property
    def seconds(self) -> float:
        return self.audio.shape[0] / SAMPLE_RATE


@dataclass(frozen=True)
class Attack:
    kind: str
    budget_db: float
    steps: int
    target: str | None  # as the model writes it (targeted attacks only)
    all_steps: bool = False  # run every step even after the goal is reached (an early stop is another result)


@dataclass(frozen=True)
class Outcome:
    """A finished (or stopped) attack."""

    delta: torch.Tensor
    losses: tuple[float, ...]
    steps_run: int
    stopped: str | None  # why it ended before its end (StopRequests.why): "you" (Stop), "busy" (a busy class),
    #                      "long" (core.heavy.RUN_SECONDS), or None
    seconds: float
    early: bool = False  # ended before its last step because the goal was reached


# ------------------------------------------------------------------ inputs

@functools.lru_cache(maxsize=1)
def examples() -> tuple[tuple[str, str], ...]:
    """(file name, what it says) of the shipped example clips (speech.EXAMPLES, how each was made)."""
    return tuple((name, text) for name, (text, _) in EXAMPLES.items() if (EXAMPLES_DIR / name).is_file())


NOT_AUDIO = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"%PDF": "PDF", b"PK\x03\x04": "ZIP",
             b"BM": "BMP"}  # the first bytes of files that are often picked by mistake


def _not_audio_kind(path: str) -> str | None:
    """'PNG', 'JPEG', ... when the file starts as one of those (WebP: RIFF....WEBP), else None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in NOT_AUDIO.items() if head.startswith(magic)), None)


def _decode(path):
    """decode_audio, with what libsndfile said when it cannot read the file (not only its error's name)."""
    try:
        return decode_audio(path, sample_rate=SAMPLE_RATE, max_seconds=MAX_SECONDS)
    except UserInputError as exc:
        if exc.key != "audio.unreadable":
            raise
        import soundfile

        kind = _not_audio_kind(str(getattr(path, "path", path)))
        if kind is not None:
            raise UserInputError("audio_attack.not_audio", kind=kind) from None
        try:
            soundfile.info(str(getattr(path, "path", path)))
        except Exception as error:  # noqa: BLE001  libsndfile's own words: "Format not recognised", ...
            said = (str(error).split(": ", 1)[-1] if ": " in str(error) else str(error)).rstrip(".")
            raise UserInputError("audio_attack.unreadable", english_detail=shown(said, 120, quote=False)) from None
        raise


def _clip(path, lang: str) -> Clip:
    if is_empty(path):
        raise UserInputError("audio_attack.no_clip")
    decoded = _decode(path)
    if decoded.truncated:
        notify(t("audio_attack.trimmed", lang, seconds=decoded.original_seconds, limit=MAX_SECONDS), lang)
    if len(decoded.samples) < MIN_SECONDS * SAMPLE_RATE:
        raise UserInputError("audio_attack.too_short", seconds=len(decoded.samples) / SAMPLE_RATE,
                             minimum=MIN_SECONDS)
    samples = np.ascontiguousarray(decoded.samples, dtype=np.float32)
    return Clip(torch.from_numpy(samples), hashlib.sha256(samples.tobytes()).hexdigest()[:16],
                decoded.original_seconds if decoded.truncated else None)


def _trimmed_line(clip: Clip, lang: str) -> list[str]:
    """The returned text says the clip was cut (a pop-up alone is gone in a few seconds, and an API call has none)."""
    if clip.trimmed_from is None:
        return []
    return [t("audio_attack.trimmed", lang, seconds=clip.trimmed_from, limit=MAX_SECONDS)]


@functools.lru_cache(maxsize=1)
def _example_sentences() -> dict[str, str]:
    """Sample hash -> what the example clip says: the page knows the truth of its own examples only."""
    out = {}
    for name, sentence in examples():
        samples = np.ascontiguousarray(decode_audio(EXAMPLES_DIR / name, sample_rate=SAMPLE_RATE).samples,
                                       dtype=np.float32)
        picked = int16_audio(samples, SAMPLE_RATE)[1].astype(np.float32) / 32768  # as the page's player sends it
        for version in (samples, picked):  # the file itself (an API upload), or the clip the picker put on the page
            out[hashlib.sha256(np.ascontiguousarray(version).tobytes()).hexdigest()[:16]] = sentence
    return out


def said(clip: Clip) -> str | None:
    """What the clip says, when it is one of the shipped examples (None: the page cannot know)."""
    return _example_sentences().get(clip.key)


def _misheard_line(clip: Clip, clean: logic.Heard, lang: str) -> list[str]:
    """Before any attack: an example the model already mishears says so (the verdicts compare with what the
    model heard in the clean clip, not with what was said)."""
    truth = said(clip)
    if truth is None or logic.same(clean.text, truth):
        return []
    return [t("audio_attack.misheard_before", lang, said=truth, heard=clean.text or "∅")]


def _heard_line(key_name: str, heard: logic.Heard, kind: str, lang: str) -> str:
    """What a model hears; Whisper's mean token probability with its caveat. The CTC model's frame probability
    is not shown: it reads 87-98% on music and nonsense."""
    if kind == "ctc":
        return t(key_name + "_plain", lang, text=heard.text or "∅")
    return t(key_name, lang, text=heard.text or "∅", p=heard.confidence)


def _model_key(value) -> str:
    if value in (None, ""):
        return RECOGNISER.best().key
    if value not in {c.key for c in RECOGNISER.choices}:
        raise UserInputError("model.unknown", choice=shown(value, 40, quote=False))
    choice = RECOGNISER.choice(value)
    if choice.needs_download():
        raise UserInputError("model.needs_internet", name=choice.key)
    return choice.key


def _listener(key: str):
    bundle = RECOGNISER.get(key)
    breaks(bundle.model)  # an attack step gives way between its forward passes (core.heavy)
    return recogniser(bundle)


def _heard_key(key: str, clip_key: str, audio: torch.Tensor) -> tuple:
    return key, clip_key, hashlib.sha256(audio.numpy().tobytes()).hexdigest()[:16]


def _heard(key: str, clip_key: str, audio: torch.Tensor) -> logic.Heard:
    """What model ``key`` hears in ``audio`` (memoised on the samples)."""
    def compute():
        with heavy_threads():
            return _listener(key).transcribe(audio)
    return HEARD.get(_heard_key(key, clip_key, audio), compute)[0]


def _budget(value, lang: str) -> float:
    """The budget in dB, checked strictly: an empty, NaN or out-of-range value gets a message, never a run."""
    return float(check_number(value, t("audio_attack.name_budget", lang), *BUDGET_RANGE))


def _all_steps(value) -> bool:
    """The "Run all steps" box: true or false (an empty value through the API: false)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise UserInputError("audio_attack.all_steps_not_bool", value=shown(value))
    return value


def _settings(attack, budget, steps, target, lang: str, all_steps=False) -> Attack:
    """The attack's settings, checked before any clip is read or model runs; the target as typed (stripped)."""
    kind = DEFAULTS["attack"] if attack in (None, "") else attack
    if kind not in ATTACKS:
        raise UserInputError("audio_attack.unknown_attack", value=shown(attack), known=", ".join(ATTACKS))
    budget = _budget(budget, lang)
    steps = 1 if kind == "fgsm" else check_number(steps, t("audio_attack.name_steps", lang), *STEPS_RANGE,
                                                   integer=True)
    all_steps = _all_steps(all_steps) and kind != "fgsm"  # FGSM is one step either way: one result
    return Attack(kind, budget, int(steps), _typed_target(target) if kind == "targeted" else None, all_steps)


def _typed_target(value) -> str:
    """A target phrase as typed, checked for what no model can hear (logic.target_refused)."""
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_TARGET_CHARS:
        raise UserInputError("audio_attack.target_too_long", count=len(text), limit=MAX_TARGET_CHARS)
    refused = logic.target_refused(text)
    if refused:
        raise UserInputError("audio_attack.target_characters", chars=logic.characters_shown(refused[:12]))
    if not re.search(r"[A-Za-z0-9]", text):
        raise UserInputError("audio_attack.target_empty")
    return text


def _attack(settings: Attack, listener, clip: Clip, clean: logic.Heard) -> Attack:
    """The checked settings, for this model and clip: the target as the model writes it."""
    if settings.kind != "targeted":
        if not logic.words(clean.text):
            raise UserInputError("audio_attack.nothing_heard")
        return settings
    return replace(settings, target=_target(settings.target, listener, clip, clean))


def _target(text: str, listener, clip: Clip, clean: logic.Heard) -> str:
    try:
        spelled = listener.spell(text)
    except logic.Unspellable as exc:
        message = "audio_attack.target_not_english" if listener.kind == "whisper" else "audio_attack.target_unspellable"
        raise UserInputError(message, chars=" ".join(exc.characters[:12])) from None
    if listener.room is not None:  # CTC writes at most one character per output frame
        room = listener.room(clip.audio)
        if logic.ctc_frames_needed(spelled) > room:
            raise UserInputError("audio_attack.target_too_long_for_clip", count=len(spelled), room=room)
    if logic.same(spelled, clean.text):
        raise UserInputError("audio_attack.target_is_clean", target=shown(text, 60))
    return spelled


# ------------------------------------------------------------------ streaming the attack

def _goal_reached(heard: str, clean: str, plan: Attack, truth: str | None = None) -> bool:
    """Targeted: the model hears the target; untargeted: it hears something else than in the clean clip (the
    verdict's comparison, logic.same), and not the words said (``truth``, an example's): a change that corrects a
    misheard example has not fooled the model, so the attack goes on."""
    if plan.target:
        return logic.same(heard, plan.target)
    return not logic.same(heard, clean) and not (truth is not None and logic.same(heard, truth))


def _always_heard(loss: logic.Loss, listener) -> logic.Loss:
    """A loss that always tells what the model hears. Whisper's loss tells only when greedy decoding writes exactly
    the loss's text (for an untargeted attack: the clean transcript); otherwise the clip is transcribed, as the
    verdict does, so the attack can stop at the first step heard differently."""
    def loss_and_heard(audio: torch.Tensor):
        value, heard = logic._split(loss(audio))
        return value, heard if heard is not None else listener.transcribe(audio.detach()).text
    return loss_and_heard


def _run(listener, clip: Clip, attack: Attack, clean: logic.Heard):
    """The attack as a stream of logic.Step (δ after each step; the last one is the result). PGD stops at the
    first step whose transcript reaches the goal (``_goal_reached``), unless ``attack.all_steps``."""
    eps = logic.epsilon(clip.audio, attack.budget_db)
    truth = said(clip)
    done = None if attack.all_steps else (lambda heard: _goal_reached(heard, clean.text, attack, truth))
    if attack.kind == "fgsm":
        yield logic.Step(1, logic.fgsm(listener.objective(clean.text), clip.audio, eps), float("nan"), None)
    elif attack.kind == "pgd":
        loss = listener.objective(clean.text)
        yield from logic.pgd(loss if done is None else _always_heard(loss, listener), clip.audio, eps, attack.steps,
                             done=done)
    else:
        yield from logic.pgd(listener.objective(attack.target), clip.audio, eps, attack.steps, targeted=True,
                             done=done)


def _stream(listener, clip: Clip, attack: Attack, clean: logic.Heard, stop_wanted=lambda: None):
    """Runs the attack, yielding (step, loss, what the model hears, losses so far) after every step; returns
    the Outcome. ``stop_wanted()``: None to go on, or why to stop: "you" (the Stop button), "busy" (a busy class),
    "long" (the time limit of a run).
    What a Whisper hears is only known when the loss tells (the target, exactly) or, at most every few seconds,
    from a transcription: a greedy decoding per step would cost a third of the step."""
    started = time.monotonic()
    losses: list[float] = []
    heard, transcribed = None, time.monotonic()
    step = None
    for step in _run(listener, clip, attack, clean):
        if step.loss == step.loss:  # FGSM reports no loss (NaN)
            losses.append(step.loss)
        if step.heard is not None:
            heard = step.heard
        elif listener.kind == "whisper" and time.monotonic() - transcribed > TRANSCRIBE_EVERY_S:
            heard, transcribed = listener.transcribe(clip.audio + step.delta).text, time.monotonic()
        if why := stop_wanted():
            return Outcome(step.delta, tuple(losses), step.number, why, time.monotonic() - started)
        yield step.number, step.loss, heard, losses
    early = attack.kind != "fgsm" and step.number < attack.steps  # PGD ends before its last step only at the goal
    return Outcome(step.delta, tuple(losses), step.number, None, time.monotonic() - started, early)


def _loss_frame(losses) -> pd.DataFrame:
    return pd.DataFrame({"step": list(range(1, len(losses) + 1)), "loss": [float(v) for v in losses]})


def _progress_line(attack: Attack, number: int, loss: float, heard: str | None, lang: str) -> str:
    line = t("audio_attack.progress", lang, step=number, steps=attack.steps, loss=loss)
    if loss != loss:  # FGSM's single step reports no loss
        line = line.rsplit(" · ", 1)[0]
    if heard is not None:
        line += " · " + t("audio_attack.progress_heard", lang, heard=shown(heard, 80, quote=False))
    return line


# ------------------------------------------------------------------ showing the result

def diff_markdown(reference: str, hypothesis: str) -> str:
    """The adversarial transcript with its changes marked: ~~removed~~ and **added** words."""
    marks = {"=": "{}", "-": "~~{}~~", "+": "**{}**"}
    return " ".join(marks[op].format(word) for op, word in logic.word_diff(reference, hypothesis)) or "∅"


def _changes(reference: str, hypothesis: str, lang: str) -> str:
    if logic.same(reference, hypothesis):
        return t("audio_attack.diff_none", lang)
    return t("audio_attack.diff_line", lang, diff=diff_markdown(reference, hypothesis))


def _rates_line(clean: str, heard: str, lang: str) -> str:  # both rates on the spoken form (numbers spelled out)
    rates = logic.error_rates(clean, heard)
    if rates is None:
        return t("audio_attack.rates_none", lang)
    return t("audio_attack.rates", lang, wer=rates[0], cer=rates[1])


def _minus(number: str) -> str:
    """−30, not -30: the labels and the notes write the minus sign."""
    return number.replace("-", "−")


def _one(count: int) -> str:
    """The key suffix of a sentence about a single step ("one step", not "1 steps")."""
    return "_one" if count == 1 else ""


def _verdict(clean: logic.Heard, heard: logic.Heard, attack: Attack, lang: str, truth: str | None = None) -> str:
    """The headline: targeted, reached or not; untargeted, changed or not. ``truth``: what the clip says (an
    example); a change to exactly that undid the model's mistake, and is not called fooling it."""
    reached = _goal_reached(heard.text, clean.text, attack, truth)  # the early stop's and Transfer's own rule
    if attack.target is not None:
        key = "audio_attack.verdict_target" if reached else "audio_attack.verdict_missed"
    elif reached:
        key = "audio_attack.verdict_fooled"
    elif logic.same(heard.text, clean.text):
        key = "audio_attack.verdict_unchanged"
    else:  # changed, but to the words said
        key = "audio_attack.verdict_corrected"
    return t(key, lang, target=(attack.target or "").rstrip(".!?"))


def _players(clip: Clip, delta: torch.Tensor, gain_db: float, name: str):
    """The clean clip, the attacked one and the perturbation (at ``gain_db``) as WAV files (``export.wav``)."""
    adversarial = (clip.audio + delta).numpy()
    return (export.wav(clip.audio.numpy(), SAMPLE_RATE, f"{name}-clean"),
            export.wav(adversarial, SAMPLE_RATE, f"{name}-adversarial"),
            export.wav(delta.numpy(), SAMPLE_RATE, f"{name}-perturbation", gain_db=gain_db))


def _figure(clip: Clip, delta: torch.Tensor, lang: str) -> np.ndarray:
    """Waveforms and spectrograms; the perturbation's waveform is enlarged to the clip's peak (the gain says by
    how much), its spectrogram is not: on the shared dB scale it shows how quiet it is."""
    peak = logic.peak_db(delta, clip.audio)
    gain = round(-peak) if np.isfinite(peak) else 0
    rows = [(t("audio_attack.row_clean", lang), clip.audio.numpy(), 0.0),
            (t("audio_attack.row_adversarial", lang), (clip.audio + delta).numpy(), 0.0),
            (t("audio_attack.row_perturbation", lang, gain=gain), delta.numpy(), float(gain))]
    return figures.signals(rows, wave_title=t("audio_attack.fig_wave", lang),
                           spec_title=t("audio_attack.fig_spec", lang), time_label=t("audio_attack.fig_time", lang),
                           freq_label=t("audio_attack.fig_freq", lang))


def _summary(key: str, clip: Clip, clean: logic.Heard, attack: Attack, outcome: Outcome, gain_db: float,
             lang: str):
    adversarial = clip.audio + outcome.delta
    heard = _heard(key, clip.key, adversarial)
    kind = _listener(key).kind
    # What the model heard before the attack is beside it on the page (the clean line), not repeated here.
    lines = [*_trimmed_line(clip, lang), *_misheard_line(clip, clean, lang),
             _verdict(clean, heard, attack, lang, said(clip)),
             _heard_line("audio_attack.adversarial_line", heard, kind, lang),
             _changes(clean.text, heard.text, lang)]
    if attack.target is None and not logic.same(heard.text, clean.text):
        lines += _untargeted_caveat(key, attack.budget_db, lang)
    numbers = [_rates_line(clean.text, heard.text, lang),
               t("audio_attack.size_line", lang, snr=logic.snr_db(clip.audio, outcome.delta),
                 peak=_minus(f"{logic.peak_db(outcome.delta, clip.audio):.1f}"),
                 budget=_minus(f"{attack.budget_db:.0f}")),
               t("audio_attack.gain_line", lang, gain=f"{gain_db:+.0f}"),
               t("audio_attack.steps_line" + _one(outcome.steps_run), lang, steps=outcome.steps_run,
                 seconds=outcome.seconds)]
    if outcome.stopped:
        numbers.append(stopped_note("audio_attack.stopped", lang, outcome.stopped))
    elif outcome.early:
        numbers.append(t("audio_attack.stopped_early", lang, step=outcome.steps_run, steps=attack.steps))
    return "\n\n".join(lines), " · ".join(numbers[:3]) + "\n\n" + " · ".join(numbers[3:])


# ------------------------------------------------------------------ handlers

@handler
def pick(position, lang="en"):
    """Example clip number ``position`` (0 = the first): returns it as 16 kHz int16 audio."""
    from core.ui import gallery_position

    rows = examples()
    try:
        index = gallery_position(position, len(rows))
    except UserInputError:
        raise UserInputError("audio_attack.example_position", count=len(rows), last=len(rows) - 1) from None
    decoded = decode_audio(EXAMPLES_DIR / rows[index][0], sample_rate=SAMPLE_RATE, max_seconds=MAX_SECONDS)
    return export.wav(decoded.samples, SAMPLE_RATE, export.file_name(TOPIC, Path(rows[index][0]).stem))


@handler
def transcribe(clip, model=None, lang="en"):
    """What the model hears in the clip (any format, rate and channels; the first 15 s), with its confidence:
    the geometric mean probability of the frames or tokens it chose."""
    watch = Stopwatch()
    key = _model_key(model)
    audio = _clip(clip, lang)
    cached = HEARD.peek(_heard_key(key, audio.key, audio.audio)) is not None
    heard = _heard(key, audio.key, audio.audio)
    lines = [*_trimmed_line(audio, lang), _heard_line("audio_attack.clean_line", heard, _listener(key).kind, lang),
             *_misheard_line(audio, heard, lang)]
    if not logic.words(heard.text):
        lines.append(t("audio_attack.nothing_heard", lang))
    return "\n\n".join(lines), watch.label(lang, cached)


def _shown_steps(stream, plan: Attack, progress, lang: str):
    """The attack's steps as page updates (at most every STREAM_EVERY_S); returns the Outcome."""
    skip = gr.skip()
    shown_at = 0.0
    with heavy_threads():
        while True:
            try:
                number, loss, heard, losses = next(stream)
            except StopIteration as finished:
                return finished.value
            if time.monotonic() - shown_at < STREAM_EVERY_S:
                continue  # a fast model's steps come quicker than a page can show them
            shown_at = time.monotonic()
            progress(number / plan.steps, desc=t("audio_attack.progress_short", lang, step=number, steps=plan.steps))
            yield _progress_line(plan, number, loss, heard, lang), _loss_frame(losses), *([skip] * 10)


@handler
@heavy(gpu_seconds=120, memoised=True)
def attack(clip, model=None, kind="targeted", budget=-30, steps=100, target=DEFAULT_TARGET, all_steps=False,
           progress=gr.Progress(), session="", lang="en"):
    """Attack the clip: ``kind`` = "fgsm" (one step of size ε), "pgd" (up to ``steps`` steps away from the clean
    transcript; stops at the first step the model hears something else) or "targeted" (up to ``steps`` steps toward
    the phrase ``target``; stops when the model hears it). ``all_steps``: run all ``steps`` steps even after the
    goal is reached (a different result from the early-stopped one). ``budget``: ε in dB below the clip's peak
    (−60 to −20). Streams the progress and the loss per step, then gives the verdict with both transcripts and their
    word diff, WER/CER, SNR and peak dB, three clips (clean, adversarial, the perturbation alone at +30 dB) and their
    waveforms and spectrograms."""
    watch = Stopwatch()
    started = time.monotonic()
    settings = _settings(kind, budget, steps, target, lang, all_steps)
    key = _model_key(model)
    audio = _clip(clip, lang)
    listener = _listener(key)
    clean = _heard(key, audio.key, audio.audio)
    plan = _attack(settings, listener, audio, clean)
    memo_key = (key, audio.key, plan)
    outcome = RESULTS.peek(memo_key)
    cached = outcome is not None
    if not cached:
        with STOPS.running(session):  # left before the result is shown: a Stop from then on has nothing to stop
            progress(0, desc=t("audio_attack.progress_start", lang))
            # The last attack's results go while this one computes: they are not this attack's.
            yield (t("audio_attack.progress_start", lang), _loss_frame([]), "", "", None, None, None, None, "", None,
                   None, None)
            stream = _stream(listener, audio, plan, clean, lambda: STOPS.why(session, started))
            outcome = yield from _shown_steps(stream, plan, progress, lang)
        if not outcome.stopped:
            RESULTS.get(memo_key, lambda: outcome)
    if not outcome.stopped or _fooled(_heard(key, audio.key, audio.audio + outcome.delta), clean, plan, said(audio)):
        MINE.put(session, memo_key, outcome)  # what the page now shows, for this user's Transfer and Defend
    yield Last(_shown_attack(key, audio, clean, plan, outcome, watch.label(lang, cached), lang))  # the run ends


def _shown_attack(key: str, audio: Clip, clean: logic.Heard, plan: Attack, outcome: Outcome, timing: str,
                  lang: str) -> tuple:
    """A finished attack as the page shows it (the attack's outputs): status, loss curve, verdict, numbers, the
    three players, waveforms and spectrograms, the timing and the downloads."""
    gain = logic.listening_gain_db(outcome.delta, PERTURBATION_GAIN_DB)
    verdict, numbers = _summary(key, audio, clean, plan, outcome, gain, lang)
    name = attack_name(key, plan)
    clean_player, adversarial_player, perturbation_player = _players(audio, outcome.delta, gain, name)
    if outcome.stopped:
        done = stopped_note("audio_attack.stopped_after", lang, outcome.stopped, steps=outcome.steps_run)
    elif outcome.early:
        done = t("audio_attack.done_early", lang, step=outcome.steps_run, steps=plan.steps)
    else:
        done = t("audio_attack.done" + _one(outcome.steps_run), lang, steps=outcome.steps_run)
    picture = export.png(_figure(audio, outcome.delta, lang), name)
    loss_png, loss_csv = _loss_downloads(outcome, plan, name, lang)
    return (done, _loss_frame(outcome.losses), verdict, numbers, clean_player, adversarial_player,
            perturbation_player, picture, timing, loss_png, loss_csv,
            _numbers_csv(key, audio, clean, plan, outcome, gain, name))


#: The attack shown as a page opens, per language (the same for every student: a memo's answer, drawn once).
OPENING = Memo(maxsize=4)
#: The warm-up's attack, kept whatever the shared memo pushes out: a page opened after 32 other attacks of a class
#: (a student who reloads) still opens on it. One attack's numbers (its perturbation: the clip's length).
WARMED: dict = {}


@handler
def opening_attack(clip, model=None, kind="targeted", budget=-30, steps=100, target=DEFAULT_TARGET, all_steps=False,
                   session="", lang="en"):
    """As the page opens: the attack with the page's settings on its clip when it is in the memo already (the
    warm-up runs the default one, and any student's finished run stays there), shown at no cost (no attack runs),
    so the tab's point is on its first screen. Not in the memo: every result stays as it is (empty)."""
    watch = Stopwatch()
    nothing = (gr.skip(),) * ATTACK_OUTPUTS
    try:
        settings = _settings(kind, budget, steps, target, lang, all_steps)
        key = _model_key(model)
        audio = _clip(clip, lang)
        clean = HEARD.peek(_heard_key(key, audio.key, audio.audio))
        plan = None if clean is None else _attack(settings, _listener(key), audio, clean)
    except UserInputError:  # the attack button will say why; opening the page says nothing
        return nothing
    memo_key = (key, audio.key, plan)
    outcome = None if plan is None else RESULTS.peek(memo_key, WARMED.get(memo_key))
    if outcome is None:
        return nothing
    MINE.put(session, memo_key, outcome)  # the page shows it: this student's Transfer and Defend

    def draw():
        return _shown_attack(key, audio, clean, plan, outcome, "", lang)
    display, _ = OPENING.get((memo_key, lang), draw)
    if not all(Path(item).exists() for item in display if isinstance(item, str) and item.endswith((".png", ".csv"))):
        display = draw()  # a download pruned from the exports meanwhile: written again
        OPENING.put((memo_key, lang), display)
    return (*display[:8], watch.label(lang, True), *display[9:])


def _loss_downloads(outcome: Outcome, plan: Attack, name: str, lang: str):
    """The loss curve as PNG and its numbers per step as CSV (None, None: FGSM's one step has no curve)."""
    if not outcome.losses:
        return None, None
    loss = t("audio_attack.fig_loss", lang)
    figure = plots.line_figure({loss: (np.arange(1, len(outcome.losses) + 1), outcome.losses)},
                               {loss: plots.COLORS["main"]}, title=t(f"audio_attack.attack_{plan.kind}", lang),
                               xlabel=t("audio_attack.fig_step", lang), ylabel=loss)
    return export.png(figure, name + "-loss"), export.frame_csv(_loss_frame(outcome.losses), name + "-loss")


def _numbers_csv(key: str, clip: Clip, clean: logic.Heard, plan: Attack, outcome: Outcome, gain_db: float,
                 name: str) -> str:
    """The numbers line (WER, CER, SNR, peak, budget, gain, steps...) as a one-row CSV."""
    heard = _heard(key, clip.key, clip.audio + outcome.delta)
    rates = logic.error_rates(clean.text, heard.text) or (None, None)
    row = {"wer": rates[0], "cer": rates[1], "snr_db": round(logic.snr_db(clip.audio, outcome.delta), 2),
           "peak_db": round(logic.peak_db(outcome.delta, clip.audio), 2), "budget_db": plan.budget_db,
           "perturbation_gain_db": gain_db, "steps_run": outcome.steps_run, "steps": plan.steps,
           "stopped_early_at_goal": outcome.early, "stopped_by_you": outcome.stopped == "you",
           "stopped_busy_class": outcome.stopped == "busy", "stopped_time_limit": outcome.stopped == "long",
           "seconds": round(outcome.seconds, 2)}
    return export.csv([["" if v is None else v for v in row.values()]], name + "-numbers", header=list(row))


def attack_name(key: str, plan: Attack) -> str:
    """A download's name: the tab, the model, the attack and its settings (budget, steps, the target phrase)."""
    name = export.file_name(TOPIC, key, plan.kind, budget=f"{plan.budget_db:.0f}dB", steps=plan.steps,
                            target=plan.target)
    return name + "-allsteps" if plan.all_steps else name  # an early-stopped attack is another result


@handler
def stop(session="", lang="en"):
    """Stop this browser session's running attack after its current step (the result so far is shown)."""
    if not STOPS.is_running(session):
        gr.Info(t("audio_attack.nothing_running", lang), title=t("app.info_title", lang))
        return gr.skip()  # the status keeps what it says ("Done after 100 steps.")
    STOPS.request(session)
    return t("audio_attack.stopping", lang)


def _finished(clip, model, kind, budget, steps, target, all_steps, session: str, lang: str):
    """The finished attack with these settings that this session ran (and was shown): key, clip, clean transcript,
    plan, outcome. Not one another student or the warm-up ran: Transfer before any Attack judged a clip the page had
    never played (the teacher review)."""
    settings = _settings(kind, budget, steps, target, lang, all_steps)
    key = _model_key(model)
    audio = _clip(clip, lang)
    listener = _listener(key)
    clean = _heard(key, audio.key, audio.audio)
    plan = _attack(settings, listener, audio, clean)
    found = MINE.peek(session, (key, audio.key, plan))
    if found is None:
        raise UserInputError("audio_attack.attack_first")
    if not _fooled(_heard(key, audio.key, audio.audio + found.delta), clean, plan, said(audio)):
        raise UserInputError("audio_attack.attack_missed")
    return key, audio, clean, plan, found


def _fooled(heard: logic.Heard, clean: logic.Heard, plan: Attack, truth: str | None = None) -> bool:
    """Targeted: the model hears the target; untargeted: something else than in the clean clip, not the truth."""
    return _goal_reached(heard.text, clean.text, plan, truth)


def _noise_heard(key: str, clip: Clip, eps: float, draws: int, tick=lambda: None) -> list[str]:
    """What model ``key`` hears with each of ``draws`` random ±ε noises (memoised per draw); ``tick()`` before
    each."""
    heard = []
    for seed in range(draws):
        tick()
        heard.append(_heard(key, clip.key, clip.audio + logic.random_noise(clip.audio, eps, seed)).text)
    return heard


def _listens(progress, total: int, lang: str):
    """A ``tick()`` to call before each of ``total`` listens: the progress bar says "the model listens: 2 of 7", so
    a student sees the action begin (one listen takes up to a second, several on a busy server)."""
    done = 0

    def tick():
        nonlocal done
        done += 1
        progress((done - 1) / total, desc=t("audio_attack.progress_listen", lang, done=min(done, total), total=total))

    return tick


def _measured_contrast(key: str, budget: float, lang: str) -> str:
    """The measured rates behind "size or direction?" for this model and budget, from results.json (the
    example clips, several draws each; the held-out clips at −30 dB), or that none were measured."""
    from demos.audio_attack.strings import load_results

    results = load_results() or {}
    noise, pgd, fgsm = (_measured(key, name, budget) for name in ("noise", "pgd", "fgsm"))
    lines = []
    if noise and pgd and fgsm:
        lines.append(t_named("audio_attack.contrast_examples", lang, clips=len(results["clips"]), draws=noise["draws"],
                       budget=_minus(f"{budget:.0f}"), model=model_name(key, lang), **_rate("noise", noise),
                       **_rate("pgd", pgd), **_rate("fgsm", fgsm), steps=results["settings"]["pgd_steps"]))
    held = results.get("heldout", {})
    found = held.get("models", {}).get(key)
    if found and float(budget) == held.get("budget_db"):
        lines.append(t_named("audio_attack.contrast_heldout", lang, clips=len(held["clips"]), draws=held["noise_draws"],
                       model=model_name(key, lang), **_rate("noise", found["noise"]),
                       **_rate("fgsm", found["fgsm"])))
    return "\n\n".join(lines) or t_named("audio_attack.contrast_none", lang, budget=_minus(f"{budget:.0f}"),
                                     model=model_name(key, lang))


def _measured(key: str, name: str, budget: float) -> dict | None:
    """results.json's rate of ``name`` ("noise", "pgd", "fgsm") on the example clips for model ``key`` at this whole
    budget in dB (hits, n, ...), or None where none was measured."""
    from demos.audio_attack.strings import load_results

    if not float(budget).is_integer():
        return None
    found = (load_results() or {}).get("models", {}).get(key, {}).get(f"{name}_{-int(budget)}")
    return found if found and "n" in found else None


def _untargeted_caveat(key: str, budget: float, lang: str) -> list[str]:
    """Under an untargeted "Fooled": any change counts, and noise of the same size may change the transcript by itself
    (the teacher review: FGSM at −30 dB "fooled" Whisper on a clip that 1 of 5 noise draws changed too). With the
    rate measured for this model and budget on the example clips; none when noise changed none of them there."""
    noise = _measured(key, "noise", budget)
    if noise is None:
        return [t("audio_attack.untargeted_caveat", lang)]
    if int(noise["hits"]) == 0:
        return []
    return [t_named("audio_attack.untargeted_caveat_measured", lang, budget=_minus(f"{budget:.0f}"),
                    model=model_name(key, lang), **_rate("noise", noise))]


def _rate(name: str, found: dict) -> dict:
    """{name}_hits, {name}_n, {name}_rate, {name}_low, {name}_high (95% Wilson interval) for a sentence."""
    hits, total = int(found["hits"]), int(found["n"])
    low, high = wilson_interval(hits / total if total else 0.0, total)
    return {f"{name}_hits": hits, f"{name}_n": total, f"{name}_rate": f"{hits / total:.0%}" if total else "–",
            f"{name}_low": f"{low:.0%}", f"{name}_high": f"{high:.0%}"}


@handler
@heavy(gpu_seconds=30)
def random_noise(clip, model=None, budget=-30, progress=gr.Progress(), lang="en"):
    """The control: random ±ε noise of the same size as the attack, added to the clip, five independent draws.
    How many of them change what the model hears (the attack's noise is as loud; only its direction differs),
    the first draw's transcript and player, and the rates measured over the example clips and held-out clips."""
    watch = Stopwatch()
    budget = _budget(budget, lang)
    key = _model_key(model)
    audio = _clip(clip, lang)
    clean = _heard(key, audio.key, audio.audio)
    eps = logic.epsilon(audio.audio, budget)
    with heavy_threads():
        heard = _noise_heard(key, audio, eps, NOISE_DRAWS, _listens(progress, NOISE_DRAWS, lang))
    changed = sum(not logic.same(text, clean.text) for text in heard)
    noise = logic.random_noise(audio.audio, eps, seed=0)
    verdict = "audio_attack.noise_unchanged" if changed == 0 else "audio_attack.noise_changed"
    lines = [*_trimmed_line(audio, lang), *_misheard_line(audio, clean, lang),
             t(verdict, lang, budget=_minus(f"{budget:.0f}"), snr=logic.snr_db(audio.audio, noise), changed=changed,
               draws=NOISE_DRAWS),
             t("audio_attack.noise_line", lang, text=heard[0] or "∅"),
             _changes(clean.text, heard[0], lang),
             _measured_contrast(key, budget, lang)]
    noisy = export.wav((audio.audio + noise).numpy(), SAMPLE_RATE,
                       export.file_name(TOPIC, key, "noise", budget=f"{budget:.0f}dB"))
    return "\n\n".join(lines), noisy, watch.label(lang)


_CJK, _LATIN = "\u3400-\u9fff\uf900-\ufaff", "A-Za-z0-9"
_GLUED = re.compile(f"(?<=[{_CJK}])(?=[{_LATIN}])|(?<=[{_LATIN}])(?=[{_CJK}])")


def t_named(key: str, lang: str, **params) -> str:
    """A sentence that names models ({model}, {made}): in Chinese, a space between a Latin name and the Chinese
    around it ("播給 Whisper tiny.en 聽"), none around a Chinese one ("播給內建 CTC 模型聽")."""
    text = t(key, lang, **params)
    return _GLUED.sub(" ", text) if lang == "zh" else text


def model_name(key: str, lang: str) -> str:
    """How the results name a model: 'Whisper tiny.en', 'the bundled CTC model'."""
    return t(f"audio_attack.model_{key.replace('-', '_').replace('.', '_')}", lang)


def _other(key: str) -> str:
    """The model an adversarial clip is played to: the bundled CTC model for a Whisper, Whisper for a CTC."""
    kind = getattr(RECOGNISER.choice(key), "key", key)
    return WHISPER_TINY_EN.key if kind in (SPEECH_CTC.key, "wav2vec2-base-960h") else SPEECH_CTC.key


@handler
@heavy(gpu_seconds=60)
def transfer(clip, model=None, kind="targeted", budget=-30, steps=100, target=DEFAULT_TARGET, all_steps=False,
             progress=gr.Progress(), session="", lang="en"):
    """Play the adversarial clip of the last attack with these settings to the other model (made on Whisper:
    the bundled CTC model; made on a CTC model: Whisper tiny.en). Does it fool that one too? Always beside the
    control on that model: random noise of the same size, three draws; and whether that model understands the
    clean clip in the first place."""
    watch = Stopwatch()
    tick = _listens(progress, 3 + TRANSFER_NOISE_DRAWS, lang)
    tick()  # the progress bar first: the check that the attack fooled its model listens too (a busy class: 47 s)
    key, audio, clean, plan, outcome = _finished(clip, model, kind, budget, steps, target, all_steps, session, lang)
    other = _other(key)
    with heavy_threads():
        tick()
        other_clean = _heard(other, audio.key, audio.audio)
        tick()
        other_heard = _heard(other, audio.key, audio.audio + outcome.delta)
        noise = _noise_heard(other, audio, logic.epsilon(audio.audio, plan.budget_db), TRANSFER_NOISE_DRAWS, tick)
    noise_changed = sum(not logic.same(text, other_clean.text) for text in noise)
    names = dict(model=model_name(other, lang), made=model_name(key, lang))
    if plan.target is not None and logic.same(other_heard.text, plan.target):
        verdict = "audio_attack.transfer_target"
    elif logic.same(other_heard.text, other_clean.text):
        verdict = "audio_attack.transfer_unchanged"
    elif noise_changed:
        verdict = "audio_attack.transfer_changed_like_noise"
    else:
        verdict = "audio_attack.transfer_changed"
    lines = [t_named(verdict, lang, changed=noise_changed, draws=TRANSFER_NOISE_DRAWS, **names)]
    truth = said(audio)
    if truth is not None and not logic.same(other_clean.text, truth):
        lines.append(t_named("audio_attack.transfer_misheard", lang, said=truth, **names))
    elif truth is None and not logic.same(other_clean.text, clean.text):
        lines.append(t_named("audio_attack.transfer_disagree", lang, heard=clean.text or "∅", **names))
    lines += [t_named("audio_attack.other_clean", lang, text=other_clean.text or "∅", **names),
              t_named("audio_attack.other_adversarial", lang, text=other_heard.text or "∅", **names),
              t_named("audio_attack.transfer_noise", lang, changed=noise_changed, draws=TRANSFER_NOISE_DRAWS,
                budget=_minus(f"{plan.budget_db:.0f}"), **names)]
    return "\n\n".join(lines), watch.label(lang)


@handler
@heavy(gpu_seconds=60)
def defend(clip, model=None, kind="targeted", budget=-30, steps=100, target=DEFAULT_TARGET, all_steps=False,
           progress=gr.Progress(), session="", lang="en"):
    """Passive defences on the last attack with these settings: each transforms the clean and the adversarial
    clip (low-pass 4 kHz, resample to 8 kHz and back, 8-bit quantisation, μ-law telephone codec, random noise
    at −30 dB) before the model listens. A table: what it hears in each, and whether the attack survives."""
    watch = Stopwatch()
    tick = _listens(progress, 1 + 2 * len(logic.DEFENCES), lang)
    tick()  # the progress bar first: the check that the attack fooled the model listens (a busy class: 39 s)
    key, audio, clean, plan, outcome = _finished(clip, model, kind, budget, steps, target, all_steps, session, lang)
    adversarial = audio.audio + outcome.delta
    attacked = _heard(key, audio.key, adversarial)  # heard in _finished
    rows = [(t("audio_attack.defence_none", lang), clean.text, attacked.text,
             _survives(clean, clean, attacked, plan, lang))]
    with heavy_threads():
        for name, defence in logic.DEFENCES.items():
            tick()
            defended_clean = _heard(key, audio.key, defence(audio.audio))
            tick()
            defended = _heard(key, audio.key, defence(adversarial))
            rows.append((t(f"audio_attack.defence_{name}", lang), defended_clean.text, defended.text,
                         _survives(clean, defended_clean, defended, plan, lang)))
    header = [t("audio_attack.col_defence", lang), t("audio_attack.col_clean", lang),
              t("audio_attack.col_adversarial", lang), t("audio_attack.col_survives", lang)]
    table = "| " + " | ".join(header) + " |\n|" + " --- |" * len(header) + "\n"
    table += "\n".join("| " + " | ".join(cell.replace("|", "/") or "∅" for cell in row) + " |" for row in rows)
    table_csv = export.csv(rows, attack_name(key, plan) + "-defences", header=header)
    return table + "\n\n" + t("audio_attack.defence_rule", lang), watch.label(lang), table_csv


def _survives(clean: logic.Heard, defended_clean: logic.Heard, defended: logic.Heard, plan: Attack, lang: str) -> str:
    ok = logic.attack_survives(clean.text, defended_clean.text, defended.text, plan.target)
    return t("audio_attack.yes" if ok else "audio_attack.no", lang)


RESULT_COUNT = 20  # the outputs a new clip empties (see _wiring)
ATTACK_OUTPUTS = 12  # the attack's outputs (see _wiring)


@handler
def new_clip(lang="en"):
    """A new clip: the previous clip's results disappear."""
    return ("", _loss_frame([]), "", "", None, None, None, None, "", None, None, None, "", None, "", "", "", "",
            "", None)


@handler
def settings_changed(verdict, lang="en"):
    """A setting moved after an attack: its result (greyed by the page) is not for these settings; the status
    says so until the next attack."""
    return t("audio_attack.stale", lang) if verdict else gr.skip()


@handler
def cleared(lang="en"):
    """The clip was removed: no transcript, no example picked, no results."""
    return ("", "", None) + new_clip()


# ------------------------------------------------------------------ layout

def ctc_commands_text(lang: str) -> str:
    """The closed vocabulary of the bundled CTC model, as the tab lists it."""
    from demos.audio_attack.speech import commands

    found = commands()
    return t("audio_attack.ctc_commands", lang, count=len(found), commands=", ".join(f"“{c}”" for c in found))


register({lang: {"audio_attack.ctc_commands_full": ctc_commands_text(lang)} for lang in ("en", "zh")})


def first_example():
    """The first example clip, as the page opens (a default value would be fetched before the page shows)."""
    return pick(0)


def build_tab(i18n, demo) -> None:
    """The tab, section by section: the clip beside the attack and its result (the first screen), the attack's
    other settings beside its loss, the signals, the controls (random noise, transfer, defence) and the notes;
    then the events and the questions."""
    with gr.Tab(i18n("audio_attack.tab"), id=TOPIC, elem_id="tab-audio_attack"):
        gr.Markdown(i18n("audio_attack.intro"), elem_classes=["tab-intro"])
        # First screen (a 1280x720 projector): the clip and what the model hears, beside the attack's button,
        # what the model hears after the attack, and the players.
        with gr.Row(equal_height=False):
            source = _clip_section(i18n)
            result = _result_section(i18n)
        # Below: the attack's other settings, the model, and the loss and signals of the last attack.
        with gr.Row(equal_height=False):
            setup = _settings_section(i18n)
            loss = _loss_section(i18n)
        picture = Image(show_label=False, interactive=False, buttons=["fullscreen"], elem_id="audio_attack-signals")
        timing = gr.Markdown(elem_id="audio_attack-timing")
        controls = _controls_section(i18n)
        export.downloadable(picture)
        with gr.Accordion(i18n("app.notes"), open=False, elem_classes=["lecture-notes"]):
            gr.Markdown(i18n("audio_attack.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                                     {"left": "$", "right": "$", "display": False}])

        # ---- events (after the layout: a new clip empties the results of every section)
        page = SimpleNamespace(**vars(source), **vars(result), **vars(setup), **vars(loss), picture=picture,
                               timing=timing, **vars(controls))
        wiring = _wiring(page)
        transcribe_args = _clip_events(demo, page, wiring)
        _attack_events(demo, page, wiring)
        if page.model is not None:
            _model_events(page, transcribe_args)
        _control_events(page, wiring)
        _questions(i18n, page, wiring)


def _clip_section(i18n) -> SimpleNamespace:
    """The clip (upload or microphone), what the model hears in it, the attack's kind and the example sentences."""
    with gr.Column(scale=5, min_width=320):
        clip = Audio(sources=["upload", "microphone"], type="filepath", label=i18n("audio_attack.clip"),
                     buttons=["download"], elem_id="audio_attack-clip")
        clean_line = gr.Markdown(elem_id="audio_attack-clean")
        clean_timing = gr.Markdown(elem_id="audio_attack-clean-timing")
        kind = Radio([(i18n(f"audio_attack.attack_{a}"), a) for a in ATTACKS], value=DEFAULTS["attack"],
                     label=i18n("audio_attack.attack"), elem_id="audio_attack-kind")
        picker = Radio([(sentence, i) for i, (_, sentence) in enumerate(examples())], value=None,
                       label=i18n("audio_attack.examples"), elem_id="audio_attack-examples")
    return SimpleNamespace(clip=clip, clean_line=clean_line, clean_timing=clean_timing, kind=kind, picker=picker)


def _result_section(i18n) -> SimpleNamespace:
    """The budget, the run and stop buttons with the status, the verdict, the players and the attack's numbers."""
    with gr.Column(scale=7, min_width=320, elem_classes=["results-first"]):
        budget = Slider(*BUDGET_RANGE, value=DEFAULTS["budget"], step=1, label=i18n("audio_attack.budget"),
                        elem_id="audio_attack-budget")
        with gr.Row(equal_height=True):  # the status beside the buttons: the players stay on the first screen
            run = gr.Button(i18n("audio_attack.run"), variant="primary", size="md", scale=1, min_width=100,
                            elem_id="audio_attack-run")
            halt = gr.Button(i18n("audio_attack.stop"), variant="stop", size="md", scale=1, min_width=100,
                             elem_id="audio_attack-stop")
            status = gr.Markdown(elem_id="audio_attack-status", min_width=160)  # wide: style.css
        verdict = gr.Markdown(elem_id="audio_attack-verdict")
        with gr.Row():
            adversarial_player = Audio(label=i18n("audio_attack.play_adversarial"), interactive=False,
                                       buttons=["download"], elem_id="audio_attack-play-adversarial")
            perturbation_player = Audio(label=i18n("audio_attack.play_perturbation"), interactive=False,
                                        buttons=["download"], elem_id="audio_attack-play-perturbation")
        numbers = gr.Markdown(elem_id="audio_attack-numbers")
        numbers_csv = export.download_button(i18n, elem_id="audio_attack-numbers-csv")
    return SimpleNamespace(budget=budget, run=run, halt=halt, status=status, verdict=verdict,
                           adversarial_player=adversarial_player, perturbation_player=perturbation_player,
                           numbers=numbers, numbers_csv=numbers_csv)


def _settings_section(i18n) -> SimpleNamespace:
    """The attack's other settings (steps, all steps, target), the clean player, the model and the CTC commands."""
    with gr.Column(scale=5, min_width=320):
        steps = Slider(*STEPS_RANGE, value=DEFAULTS["steps"], step=1, label=i18n("audio_attack.steps"),
                       elem_id="audio_attack-steps")
        all_steps = gr.Checkbox(False, label=i18n("audio_attack.all_steps"),
                                info=i18n("audio_attack.all_steps_info"), elem_id="audio_attack-all-steps")
        target = gr.Textbox(value=DEFAULT_TARGET, label=i18n("audio_attack.target"), max_lines=1,
                            max_length=MAX_TARGET_CHARS * 5, elem_id="audio_attack-target")
        clean_player = Audio(label=i18n("audio_attack.play_clean"), interactive=False, buttons=["download"],
                             elem_id="audio_attack-play-clean")
        model, model_status = model_picker(RECOGNISER, i18n, elem_id="audio_attack-model")
        gr.Markdown(i18n("audio_attack.model_hint"), elem_classes=["hint"])
        with gr.Accordion(i18n("audio_attack.ctc_commands_title"), open=False):
            gr.Markdown(i18n("audio_attack.ctc_commands_full"), elem_id="audio_attack-ctc-commands")
    return SimpleNamespace(steps=steps, all_steps=all_steps, target=target, clean_player=clean_player, model=model,
                           model_status=model_status)


def _loss_section(i18n) -> SimpleNamespace:
    """The last attack's loss curve and its downloads (PNG, CSV)."""
    with gr.Column(scale=7, min_width=320):
        gr.Markdown(i18n("audio_attack.loss_caption"), elem_classes=["plot-caption"])
        losses = gr.LinePlot(x="step", y="loss", height=220, show_label=False, x_title=" ", y_title=" ",
                             elem_id="audio_attack-loss")
        with gr.Row():
            loss_png = export.download_button(i18n, elem_id="audio_attack-loss-png", kind="png")
            loss_csv = export.download_button(i18n, elem_id="audio_attack-loss-csv")
    return SimpleNamespace(losses=losses, loss_png=loss_png, loss_csv=loss_csv)


def _controls_section(i18n) -> SimpleNamespace:
    """The controls: random noise of the attack's size, transfer to the other model, and the defence."""
    gr.Markdown(i18n("audio_attack.controls_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("audio_attack.noise_intro"))
    noise_button = gr.Button(i18n("audio_attack.noise_button"), elem_id="audio_attack-noise-button")
    noise_result = gr.Markdown(elem_id="audio_attack-noise")
    noise_player = Audio(label=i18n("audio_attack.play_noise"), interactive=False, buttons=["download"],
                         elem_id="audio_attack-play-noise")
    noise_timing = gr.Markdown(elem_id="audio_attack-noise-timing")
    gr.Markdown(i18n("audio_attack.transfer_intro"))
    transfer_button = gr.Button(i18n("audio_attack.transfer_button"), elem_id="audio_attack-transfer-button")
    transfer_result = gr.Markdown(elem_id="audio_attack-transfer")
    transfer_timing = gr.Markdown(elem_id="audio_attack-transfer-timing")
    gr.Markdown(i18n("audio_attack.defence_intro"))
    defence_button = gr.Button(i18n("audio_attack.defence_button"), elem_id="audio_attack-defence-button")
    defence_result = gr.Markdown(elem_id="audio_attack-defence", elem_classes=["results-table"])
    defence_timing = gr.Markdown(elem_id="audio_attack-defence-timing")
    defence_csv = export.download_button(i18n, elem_id="audio_attack-defence-csv")
    return SimpleNamespace(noise_button=noise_button, noise_result=noise_result, noise_player=noise_player,
                           noise_timing=noise_timing, transfer_button=transfer_button,
                           transfer_result=transfer_result, transfer_timing=transfer_timing,
                           defence_button=defence_button, defence_result=defence_result,
                           defence_timing=defence_timing, defence_csv=defence_csv)


def _wiring(page: SimpleNamespace) -> SimpleNamespace:
    """What the events read and write: the clip (and the model), the attack's settings, the attack's outputs and
    every result a new clip empties."""
    inputs = [page.clip, page.model] if page.model is not None else [page.clip]
    settings = [page.kind, page.budget, page.steps, page.target, page.all_steps]
    attack_outputs = [page.status, page.losses, page.verdict, page.numbers, page.clean_player,
                      page.adversarial_player, page.perturbation_player, page.picture, page.timing, page.loss_png,
                      page.loss_csv, page.numbers_csv]
    results = attack_outputs + [page.noise_result, page.noise_player, page.noise_timing, page.transfer_result,
                                page.transfer_timing, page.defence_result, page.defence_timing]
    results.append(page.defence_csv)  # a new clip empties the table's download too
    assert len(results) == RESULT_COUNT and len(attack_outputs) == ATTACK_OUTPUTS
    return SimpleNamespace(inputs=inputs, settings=settings, attack_outputs=attack_outputs, results=results)


def _clip_events(demo, page: SimpleNamespace, wiring: SimpleNamespace) -> dict:
    """A new clip (the first example, an upload, a recording, a pick) empties the results and is transcribed; a
    cleared clip empties everything. Returns the transcription's event arguments."""
    # A transcript is one forward pass (memoised): light, so a new clip is not queued behind the class's attacks.
    transcribe_args = dict(fn=transcribe, inputs=wiring.inputs, outputs=[page.clean_line, page.clean_timing],
                           **LIGHT)
    empty_args = dict(fn=new_clip, inputs=None, outputs=wiring.results, show_progress="hidden", **LIGHT)

    demo.load(first_example, None, page.clip, api_name="audio_attack_start", api_visibility="private",
              show_progress="hidden", **LIGHT).then(
        api_name="audio_attack_transcribe_start", api_visibility="private", **transcribe_args).success(
        opening_attack, wiring.inputs + wiring.settings, wiring.attack_outputs, api_name="audio_attack_opening",
        api_visibility="private", show_progress="hidden", **LIGHT)
    gr.on([page.clip.upload, page.clip.stop_recording], api_name="audio_attack_new_clip", api_visibility="private",
          **empty_args).then(api_name="audio_attack_transcribe", **transcribe_args)
    page.clip.clear(cleared, None, [page.clean_line, page.clean_timing, page.picker] + wiring.results,
                    api_name="audio_attack_cleared", api_visibility="private", show_progress="hidden", **LIGHT)
    page.picker.input(pick, page.picker, page.clip, api_name="audio_attack_pick", show_progress="hidden",
                      **LIGHT).then(
        api_name="audio_attack_new_pick", api_visibility="private", **empty_args).then(
        api_name="audio_attack_transcribe_picked", api_visibility="private", **transcribe_args)
    return transcribe_args


def _attack_events(demo: gr.Blocks, page: SimpleNamespace, wiring: SimpleNamespace) -> None:
    """Run and stop the attack; a result made with other settings is greyed until the next attack."""
    # A result made with other settings is greyed, with a word why, until the next attack.
    results_shown = ["audio_attack-verdict", "audio_attack-numbers", "audio_attack-play-adversarial",
                     "audio_attack-play-perturbation", "audio_attack-play-clean", "audio_attack-signals"]
    # Progress shows on the verdict (empty while the attack runs), not over the streamed loss curve.
    attack_event = page.run.click(attack, wiring.inputs + wiring.settings, wiring.attack_outputs,
                                  api_name="audio_attack_run", show_progress_on=[page.verdict],
                                  js=starting_js(results_shown), **HEAVY)
    page.halt.click(stop, None, page.status, api_name="audio_attack_stop", show_progress="hidden", **LIGHT)
    setting_moved = [page.kind.input, page.budget.input, page.steps.input, page.target.input, page.all_steps.input]
    grey_until_rerun(attack_event, setting_moved, results_shown, "audio_attack-verdict")
    demo.load(None, js=stale_on_typing_js("audio_attack-target", results_shown, "audio_attack-verdict"))
    gr.on(setting_moved, settings_changed, page.verdict, page.status, api_name="audio_attack_settings_changed",
          api_visibility="private", show_progress="hidden", **LIGHT)
    gr.on([page.clip.upload, page.clip.clear, page.picker.input], None, js=fresh_js(results_shown))


def _model_events(page: SimpleNamespace, transcribe_args: dict) -> None:
    """Choosing a model loads it, then transcribes the clip again."""
    page.model.select(model_loader(RECOGNISER), page.model, [page.model, page.model_status],
                      api_name="audio_attack_model", **MODEL_LANE).success(
        api_name="audio_attack_transcribe_model", api_visibility="private", **transcribe_args)


def _control_events(page: SimpleNamespace, wiring: SimpleNamespace) -> None:
    """The controls' buttons: random noise, transfer and defence."""
    page.noise_button.click(random_noise, wiring.inputs + [page.budget],
                            [page.noise_result, page.noise_player, page.noise_timing],
                            api_name="audio_attack_noise", **HEAVY)
    page.transfer_button.click(transfer, wiring.inputs + wiring.settings, [page.transfer_result, page.transfer_timing],
                               api_name="audio_attack_transfer", **HEAVY)
    page.defence_button.click(defend, wiring.inputs + wiring.settings,
                              [page.defence_result, page.defence_timing, page.defence_csv],
                              api_name="audio_attack_defend", **HEAVY)


def _questions(i18n, page: SimpleNamespace, wiring: SimpleNamespace) -> None:
    """The questions (predict, then check), which set the attack's settings and run the attack or the noise."""
    questions_panel(i18n, TOPIC, QUESTIONS,
                    controls={"kind": page.kind, "budget": page.budget, "steps": page.steps, "target": page.target},
                    actions={"attack": dict(fn=attack, inputs=wiring.inputs + wiring.settings,
                                            outputs=wiring.attack_outputs, show_progress_on=[page.verdict], **HEAVY),
                             "noise": dict(fn=random_noise, inputs=wiring.inputs + [page.budget],
                                           outputs=[page.noise_result, page.noise_player, page.noise_timing],
                                           **HEAVY)})


def warm_up() -> None:
    """Before the first student asks: the default model, the first example's transcript and the default
    targeted attack on it (about 10 s on Whisper tiny.en, in the background), which every page then opens on
    (``opening_attack``)."""
    if not examples():
        return
    key = RECOGNISER.best().key
    audio = _clip(pick(0), "en")  # the page's first clip as its player holds it: an int16 WAV
    listener = _listener(key)
    clean = _heard(key, audio.key, audio.audio)
    plan = _attack(_settings(DEFAULTS["attack"], DEFAULTS["budget"], DEFAULTS["steps"], DEFAULT_TARGET, "en"),
                   listener, audio, clean)
    def compute():
        with heavy_threads():
            return _drain(_stream(listener, audio, plan, clean))
    outcome, _ = RESULTS.get((key, audio.key, plan), compute)  # (once: a second warm-up finds it there)
    WARMED[key, audio.key, plan] = outcome  # what every page opens on (opening_attack), whatever the memo drops
    _heard(key, audio.key, audio.audio + outcome.delta)  # what the opening page says it hears: not in a light event
    logic.error_rates("go left", "go right")  # jiwer's import (48 modules) before a class, not in a student's call


def _drain(stream) -> Outcome:
    """Run a stream to its end; its return value."""
    while True:
        try:
            next(stream)
        except StopIteration as finished:
            return finished.value
