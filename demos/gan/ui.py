"""The GAN tab: layout and events. The science is in logic.py, the words in strings.py, the pictures in
figures.py."""
from __future__ import annotations

import copy
import functools
import hashlib
import math
import os
import secrets
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pandas as pd
import torch

from core import export, plots
from core.data.digits import TEST, TRAIN, load_split
from core.device import few_shapes
from core.heavy import Last, give_way, heavy, pause
from core.i18n import UserInputError, check_number, is_empty, shown, t
from core.memo import Memo
from core.models import read_card
from core.plots import COLORS
from core.questions import Question, questions_panel
from core.ui import (
    HEAVY,
    LIGHT,
    Dropdown,
    Gallery,
    Image,
    Number,
    Radio,
    Slider,
    StopRequests,
    Stopwatch,
    grey_when_refused,
    handler,
    model_picker,
    slider_value,
    stopped_note,
)
from demos.gan import figures, logic, strings  # noqa: F401  strings registers the words
from demos.gan.model import DIGIT_GAN, GENERATOR, JUDGE, timeline_generators

TOPIC = "gan"
#: Slide links (app.py): ?tab=gan&preset=NAME presses the button with this elem_id once the tab is open.
PRESETS = {"collapse": "gan-preset-collapse", "cure": "gan-preset-cure"}
SEED_MAX = 2**32 - 1
COUNT_RANGE, PSI_RANGE, FRAMES_RANGE, VALUE_RANGE = (1, logic.MAX_GRID), (0, 2), (2, 32), (-4, 4)
DIGIT_CHOICES = ["random"] + [str(d) for d in range(10)]
#: What the grid's seed, digit and ψ made, section by section: greyed while a refused input (an emptied or
#: out-of-range seed) stands beside them, at full contrast again once they are made anew (core.ui.grey_when_refused).
GRID_IDS = ["gan-grid", "gan-histogram", "gan-meter", "gan-timing"]
WALK_IDS = ["gan-frames-gallery", "gan-gif", "gan-norms", "gan-norm-note", "gan-walk-timing"]
VARY_IDS = ["gan-varied", "gan-vary-note", "gan-vary-timing"]
DEFAULTS = {"seed": 2024, "count": 40, "digit": "random", "psi": 1.0, "frames": 10, "path": "slerp", "dimension": 0,
            "value": 0.0}
#: Seed B: by a rule, not by hand: the first seed whose sample is of another digit than seed A's, so the default walk
#: crosses from one digit to another.
DEFAULTS["seed_b"] = logic.seed_of_another_class(DEFAULTS["seed"])
#: Confidence this far above the share of samples read as the requested digit: the classifier is sure of blobs.
OVERCONFIDENT = 0.2
LEARNING_RATES = ["0.0001", "0.0003", "0.001", "0.003", "0.01"]
D_STEPS_RANGE, PLAY_STEPS_RANGE = (1, 10), (10, 2000)
PLAY_DEFAULTS = {"dataset": "gaussians", "loss": "gan", "lr_d": "0.001", "lr_g": "0.001", "d_steps": 1,
                 "steps": 200, "seed": 0}
STREAM_EVERY_S = 1.0  # a new picture at most every second while the playground trains (drawing one: ~0.2 s)
CHUNK = 25  # generator steps between two looks at the clock (and at the Stop button)

STOPS = StopRequests()
#: Predict, then check (core.questions): the words are in strings.py, QUESTIONS. A question that changes the grid's
#: inputs redraws the walk and the "one coordinate" grid too, which follow them.
QUESTIONS = (Question("psi0", {"digit": "3", "count": 40, "psi": 0.0}, run=("sample", "walk", "vary")),
             Question("lerp", {"psi": 1.0, "path": "lerp"}, run=("sample", "walk", "vary")),
             Question("timeline", {"snapshot": 0}, run=("timeline",)),
             Question("collapse", press="gan-preset-collapse"),
             Question("cure", press="gan-preset-cure"))
PRESET_RUNS = Memo(maxsize=4)  # the presets' trained playgrounds: 50 students pressing it train once
NORM_FILES = export.Drawn()  # the ‖z‖ plot's PNG per walk and language
GIF_DIR = Path(tempfile.gettempdir()) / "mldemo-gan"


# ------------------------------------------------------------------ reading the inputs

def read_seed(value, name: str, random_button: bool = False) -> int:
    """A seed box's whole number; an empty box's message offers 'Random seed' only where that button fills it
    (``random_button``: the grid's seed)."""
    if is_empty(value):
        raise UserInputError("gan.seed_empty_random" if random_button else "gan.seed_empty", name=name)
    try:
        return check_number(value, name, 0, SEED_MAX, integer=True)
    except UserInputError:
        raise UserInputError("gan.seed_invalid", name=name, value=shown(value)) from None


def read_digit(value, lang: str) -> int | None:
    if value in (None, ""):
        raise UserInputError("gan.digit_empty")
    if str(value) == "random":
        return None
    if str(value) in DIGIT_CHOICES:
        return int(value)
    raise UserInputError("gan.digit_invalid", value=shown(value))


def read_grid(seed, count, digit, psi, lang: str, live: bool = False) -> tuple[int, int, int | None, float]:
    return (read_seed(seed, t("gan.name_seed", lang), random_button=True),
            slider_value(count, t("gan.name_count", lang), *COUNT_RANGE, integer=True, live=live),
            read_digit(digit, lang),
            slider_value(psi, t("gan.name_psi", lang), *PSI_RANGE, live=live))


def generator_model():
    return GENERATOR.get().model


def judge_model():
    return JUDGE.get().model


# ------------------------------------------------------------------ sample, meter

def histogram_frame(meter: logic.Meter) -> pd.DataFrame:
    return pd.DataFrame({"digit": [str(d) for d in range(10)], "n": meter.histogram.astype(int)})


@functools.lru_cache(maxsize=4 * logic.MAX_GRID)
def reference_features(digit: int, count: int) -> np.ndarray:
    """The judge's features of ``count`` real training digits of ``digit`` (a fixed draw): what a grid of
    ``count`` samples of that digit is compared with (the digits the generator learned to imitate)."""
    data = load_split(TRAIN)
    return logic.features(judge_model(), logic.real_reference(data.images, data.labels, digit, count))


def grid_precision_recall(images: np.ndarray, digit: int | None) -> logic.PrecisionRecall | None:
    """Precision and recall of the grid against as many real digits of the requested class; None without a
    requested digit or with fewer than logic.PR_MIN_SAMPLES samples."""
    if digit is None or len(images) < logic.PR_MIN_SAMPLES:
        return None
    return logic.precision_recall(reference_features(digit, len(images)), logic.features(judge_model(), images))


def meter_text(meter: logic.Meter, lang: str, digit: int | None = None,
               scores: logic.PrecisionRecall | None = None) -> str:
    classes = int((meter.histogram > 0).sum())
    spread = "gan.meter_entropy" if digit is None else "gan.meter_entropy_digit"
    lines = [t("gan.meter_confidence", lang, p=meter.mean_confidence),
             t(spread, lang, h=meter.entropy_bits, top=np.log2(10), classes=classes)]
    if 0 < meter.distinct < len(meter.predicted):  # ψ = 0: each class is one image drawn again and again
        lines.append(t("gan.meter_copies", lang, distinct=meter.distinct, n=len(meter.predicted)))
    if meter.match is not None:
        lines.insert(0, t("gan.meter_match", lang, p=meter.match))
        if meter.mean_confidence - meter.match >= OVERCONFIDENT:
            lines.insert(2, t("gan.meter_overconfident", lang))
    if digit is None:
        lines.append(t("gan.meter_pr_random", lang))
    elif scores is None:
        lines.append(t("gan.meter_pr_few", lang, n=len(meter.predicted), least=logic.PR_MIN_SAMPLES))
    else:
        (p_low, p_high), (r_low, r_high) = scores.interval("precision"), scores.interval("recall")
        lines.append(t("gan.meter_pr", lang, digit=digit, n=scores.real, k=scores.k, p=scores.precision,
                       p_low=p_low, p_high=p_high, r=scores.recall, r_low=r_low, r_high=r_high))
    return "\n\n".join(lines)


def _sample(seed, count, digit, psi, lang: str, live: bool):
    watch = Stopwatch()
    seed, count, digit, psi = read_grid(seed, count, digit, psi, lang, live)
    images, labels = logic.sample(generator_model(), seed, count, digit, psi)
    meter = logic.meter(judge_model(), images, labels)
    scores = grid_precision_recall(images, digit)
    picture = figures.tile(images, figures.columns_for(count))
    name = export.file_name(TOPIC, seed=seed, psi=psi, digit=digit, n=count)
    counts = histogram_frame(meter)
    table = export.csv(counts.itertuples(index=False), f"{name}-classes",
                       header=[t("gan.csv_digit", lang), t("gan.csv_count", lang)])
    return (export.png(picture, name), counts, meter_text(meter, lang, digit, scores), watch.label(lang), table,
            meter_csv(meter, scores, name, lang))


def meter_rows(meter: logic.Meter, scores: logic.PrecisionRecall | None) -> list[tuple[str, float]]:
    """The meter's numbers (shares as fractions of 1), each under its key in strings.py (gan.csv_KEY)."""
    rows = [] if meter.match is None else [("match", float(meter.match))]
    rows += [("confidence", meter.mean_confidence), ("entropy", float(meter.entropy_bits)),
             ("classes", int((meter.histogram > 0).sum())), ("count", len(meter.predicted))]
    if scores is not None:
        for which in ("precision", "recall"):
            low, high = scores.interval(which)
            rows += [(which, float(getattr(scores, which))), (f"{which}_low", float(low)),
                     (f"{which}_high", float(high))]
        rows += [("real", int(scores.real)), ("k", int(scores.k))]
    return rows


def meter_csv(meter: logic.Meter, scores: logic.PrecisionRecall | None, name: str, lang: str) -> str:
    """The meter's numbers as a two-column CSV (measure, value), in the user's language."""
    rows = [(t(f"gan.csv_{key}", lang), value) for key, value in meter_rows(meter, scores)]
    return export.csv(rows, f"{name}-meter", header=[t("gan.csv_measure", lang), t("gan.csv_value", lang)])


@handler
def sample(seed=DEFAULTS["seed"], count=DEFAULTS["count"], digit=DEFAULTS["digit"], psi=DEFAULTS["psi"], lang="en"):
    """A grid of ``count`` (1-64) generated digits for ``seed`` (0 to 2³²−1), all of ``digit`` ("0"-"9") or
    each of a random class ("random"), with truncation ψ (0-2: z is scaled by ψ). Returns the grid, the
    classifier's predicted-class counts, the meter (match, confidence, spread of classes; with one digit and at
    least 10 samples, improved precision and recall against as many real digits of that class, with 95%
    intervals), the timing, the class counts as CSV and the meter's numbers as CSV."""
    return _sample(seed, count, digit, psi, lang, live=False)


@handler
def sample_live(seed, count, digit, psi, lang="en"):
    """The page's own call while a slider moves (a number being typed counts as the slider's nearest end)."""
    return _sample(seed, count, digit, psi, lang, live=True)


@handler
def randomise():
    """A new random seed (0 to 2³²−1)."""
    return secrets.randbelow(SEED_MAX + 1)


# ------------------------------------------------------------------ interpolation

def _gif_file(frames: np.ndarray, name: str = "gan-walk") -> str:
    """The animation, written once per content into the app's temporary folder (atomically), under a folder of
    its content so that its download is named ``name`` (the tab and the walk's settings)."""
    data = figures.gif(frames)
    folder = GIF_DIR / hashlib.sha256(data).hexdigest()[:32]
    path = folder / f"{export.safe_name(name)}.gif"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{os.getpid()}-{time.monotonic_ns()}.gif"
        temporary.write_bytes(data)
        os.replace(temporary, path)
    return str(path)


def norms_frame(walks: dict[str, logic.Walk], lang: str) -> pd.DataFrame:
    # (not "path": gradio_client would take the plot's {"path": "nominal"} column type for a file)
    rows = [{"t": float(ti), "‖z‖": float(n), "curve": t(f"gan.path_{name}", lang)}
            for name, walk in walks.items() for ti, n in zip(walk.t, walk.norms)]
    return pd.DataFrame(rows, columns=["t", "‖z‖", "curve"])


def _walks(seed_a, seed_b, frames, digit, psi, lang: str, live: bool):
    """The inputs read, and the walks along both paths (the ‖z‖ plot shows both): the model, the walks, the
    inputs and the plot's file name."""
    seed_a = read_seed(seed_a, t("gan.name_seed", lang), random_button=True)
    seed_b = read_seed(seed_b, t("gan.name_seed_b", lang))
    frames = slider_value(frames, t("gan.name_frames", lang), *FRAMES_RANGE, integer=True, live=live)
    digit, psi = read_digit(digit, lang), slider_value(psi, t("gan.name_psi", lang), *PSI_RANGE, live=live)
    model = generator_model()
    walks = {name: logic.interpolate(model, seed_a, seed_b, frames, digit, psi, name == "slerp")
             for name in ("lerp", "slerp")}
    norms_name = export.file_name(TOPIC, "norms", seed=seed_a, to=seed_b, n=frames, psi=psi, digit=digit)
    return model, walks, SimpleNamespace(seed_a=seed_a, seed_b=seed_b, digit=digit, psi=psi, norms_name=norms_name)


def _interpolate(seed_a, seed_b, frames, digit, psi, path, lang: str, live: bool):
    watch = Stopwatch()
    model, walks, asked = _walks(seed_a, seed_b, frames, digit, psi, lang, live)
    if path not in ("lerp", "slerp"):
        raise UserInputError("gan.path_invalid", value=shown(path))
    walk = walks[path]
    gallery = [np.kron(image, np.ones((3, 3), np.uint8)) for image in walk.images]  # t: the plot's x axis
    walk_name = export.file_name(TOPIC, "walk", path, seed=asked.seed_a, to=asked.seed_b, psi=asked.psi,
                                 digit=asked.digit)
    gallery = [export.png(image, f"{walk_name}-frame{number}") for number, image in enumerate(gallery)]
    lerp_norms = walks["lerp"].norms
    note = t("gan.norm_note", lang, start=lerp_norms[0], middle=float(lerp_norms.min()), end=lerp_norms[-1],
             slerp_min=float(walks["slerp"].norms.min()), dim=model.z_dim, typical=np.sqrt(model.z_dim) * asked.psi)
    note = walk_ends_text(walk, asked.seed_a, asked.seed_b, asked.digit, lang) + "\n\n" + note
    norms = norms_frame(walks, lang)
    return (gallery, _gif_file(walk.images, walk_name), norms, note, watch.label(lang),
            export.frame_csv(norms, asked.norms_name))


@handler
def chart(seed_a=DEFAULTS["seed"], seed_b=DEFAULTS["seed_b"], frames=DEFAULTS["frames"], digit=DEFAULTS["digit"],
          psi=DEFAULTS["psi"], lang="en"):
    """The ‖z‖ plot of the walk (both paths) as a PNG file: drawn when its button is clicked (~0.1 s, once per walk
    and language while the file is kept), not at every walk."""
    _, walks, asked = _walks(seed_a, seed_b, frames, digit, psi, lang, live=False)

    def draw():
        series = {t(f"gan.path_{key}", lang): (walk.t, walk.norms) for key, walk in walks.items()}
        figure = plots.line_figure(series, path_colors(), title=t("gan.norm_caption", lang), xlabel="t", ylabel="‖z‖",
                                   marker="o")
        return (export.png(figure, asked.norms_name),)

    return NORM_FILES.get((asked.norms_name, lang), draw)[0]


def walk_ends_text(walk: logic.Walk, seed_a: int, seed_b: int, digit: int | None, lang: str) -> str:
    """What the walk's ends are (the requested classes and what the judge reads in the first and last frame), and
    what the judge reads along it: one digit in every frame (the walk changes the style, not the digit) or the
    digits it passes through, in order. The verdict comes from the frames read, not from the classes asked for."""
    asked = [int(logic.classes(s, 1, digit)[0]) for s in (seed_a, seed_b)]
    judged = logic.meter(judge_model(), walk.images)
    read, sure = judged.predicted.tolist(), judged.confidence.tolist()
    text = t("gan.walk_ends", lang, a=asked[0], b=asked[1], read_a=read[0], read_b=read[-1], p_a=sure[0],
             p_b=sure[-1])
    if judged.distinct == 1:
        return text + " " + t("gan.walk_still", lang, n=len(read))
    passes = [d for i, d in enumerate(read) if i == 0 or d != read[i - 1]]  # the readings, each run once
    if len(passes) == 1:
        line = t("gan.walk_one_digit", lang, digit=passes[0], n=len(read))
        if digit is None and asked[0] == asked[1]:
            line += " " + t("gan.walk_other_seed", lang, other=logic.seed_of_another_class(seed_a))
    else:
        line = t("gan.walk_digits", lang, path=" → ".join(map(str, passes)))
        if digit is not None:
            line += " " + t("gan.walk_digits_chosen", lang, digit=digit)
    return text + " " + line


@handler
def interpolate(seed_a=DEFAULTS["seed"], seed_b=DEFAULTS["seed_b"], frames=DEFAULTS["frames"],
                digit=DEFAULTS["digit"], psi=DEFAULTS["psi"], path=DEFAULTS["path"], lang="en"):
    """From seed a's first sample to seed b's in ``frames`` (2-32) steps along ``path`` ("lerp": a straight line;
    "slerp": along the sphere). Returns the frames (gallery), an animated GIF, ‖z‖ along both paths, a note (the
    two ends: the requested digits and what the classifier reads; ‖z‖ along the paths), the timing, and the ‖z‖
    plot's numbers as CSV (its PNG: ``chart``)."""
    return _interpolate(seed_a, seed_b, frames, digit, psi, path, lang, live=False)


@handler
def interpolate_live(seed_a, seed_b, frames, digit, psi, path, lang="en"):
    """The page's own call (a number being typed counts as the slider's nearest end)."""
    return _interpolate(seed_a, seed_b, frames, digit, psi, path, lang, live=True)


@handler
def interpolate_follow(seed_a, seed_b, frames, digit, psi, path, lang="en"):
    """The page's own call when the grid changed (a new seed A, digit or ψ): the walk follows it. With seed B
    emptied, the old walk goes and a line says what to type, not a pop-up about a box the click never touched."""
    if is_empty(seed_b):
        return [], None, norms_frame({}, lang), t("gan.walk_needs_seed_b", lang), "", None
    return _interpolate(seed_a, seed_b, frames, digit, psi, path, lang, live=True)


# ------------------------------------------------------------------ one latent dimension

def _vary(seed, count, digit, psi, dimension, value, lang: str, live: bool):
    watch = Stopwatch()
    seed, count, digit, psi = read_grid(seed, count, digit, psi, lang, live)
    count = min(count, 20)
    model = generator_model()
    dimension = slider_value(dimension, t("gan.name_dimension", lang), 0, model.z_dim - 1, integer=True, live=live)
    value = slider_value(value, t("gan.name_value", lang), *VALUE_RANGE, live=live)
    moved, original = logic.vary(model, seed, count, digit, psi, dimension, value)
    change = np.abs(moved.astype(np.float32) - original.astype(np.float32)).mean() / 255
    pictures = figures.before_after(original, moved, figures.columns_for(count) if count >= 10 else count)
    pictures = export.png(pictures, export.file_name(TOPIC, "vary", seed=seed, psi=psi, digit=digit, n=count,
                                                     z=dimension, value=value))
    z = logic.latents(seed, count, model.z_dim, psi)[:, dimension]
    text = t("gan.vary_note", lang, dim=dimension, value=value, was=float(z.mean()), change=change)
    return pictures, text, watch.label(lang)


@handler
def vary(seed=DEFAULTS["seed"], count=DEFAULTS["count"], digit=DEFAULTS["digit"], psi=DEFAULTS["psi"],
         dimension=DEFAULTS["dimension"], value=DEFAULTS["value"], lang="en"):
    """The first ≤ 20 samples of the grid (top) and the same samples with coordinate ``dimension`` (0-63) of
    every z set to ``value`` (−4 to 4) (bottom); a note with the mean pixel change; the timing."""
    return _vary(seed, count, digit, psi, dimension, value, lang, live=False)


@handler
def vary_live(seed, count, digit, psi, dimension, value, lang="en"):
    """The page's own call while a slider moves."""
    return _vary(seed, count, digit, psi, dimension, value, lang, live=True)


# ------------------------------------------------------------------ training timeline

@functools.lru_cache(maxsize=1)
def timeline() -> tuple[tuple[int, torch.nn.Module], ...]:
    return tuple(timeline_generators())


@functools.lru_cache(maxsize=1)
def card() -> dict:
    return read_card(DIGIT_GAN.directory)


def timeline_text(position: int, lang: str) -> str:
    entry = card()["timeline"][position]
    metrics = card()["metrics"]
    lines = [t("gan.timeline_note", lang, step=entry["step"], acc=entry["class_accuracy"],
               conf=entry["mean_confidence"], classes=entry["random_class_coverage"], fid=entry["digit_fid"],
               ceiling=metrics["digit_fid_ceiling_untrained"])]
    if entry["mean_confidence"] - entry["class_accuracy"] >= OVERCONFIDENT:
        lines.append(t("gan.timeline_overconfident", lang, conf=entry["mean_confidence"], acc=entry["class_accuracy"]))
    lines.append(fid_verdict(entry["digit_fid"], metrics, lang))
    return "\n\n".join(lines)


def fid_verdict(fid: float, metrics: dict, lang: str) -> str:
    """Where a digit-FID stands against the two real-data references, with their sample sizes: between or below
    them means 'as close as real digits are at these sizes', never 'better than real data'."""
    real, halves = metrics["digit_fid_real_training_1000"], metrics["digit_fid_floor_real_halves"]
    low, high = min(real, halves), max(real, halves)
    test_digits = len(load_split(TEST))
    sizes = dict(n=metrics["samples"], reference=test_digits, half=test_digits // 2,
                 other=test_digits - test_digits // 2, fid=fid, real=real, halves=halves, low=low, high=high,
                 spread=high - low)
    if fid > high:
        return t("gan.fid_above", lang, times=fid / low, **sizes)
    return t("gan.fid_within" if fid >= low else "gan.fid_below", lang, **sizes)


def _timeline(position, lang: str, live: bool):
    snapshots = timeline()
    position = slider_value(position, t("gan.name_snapshot", lang), 0, len(snapshots) - 1, integer=True, live=live)
    _, model = snapshots[position]
    labels = torch.arange(10).repeat(4)  # four rows of 0-9, the same z in every snapshot
    z = logic.latents(0, len(labels), model.z_dim)
    images = logic.generate(model, z, logic.one_hot(labels))
    step = snapshots[position][0]
    picture = export.png(figures.tile(images, 10), export.file_name(TOPIC, "timeline", step=step))
    return picture, timeline_text(position, lang)


@handler
def timeline_view(position=0, lang="en"):
    """Snapshot ``position`` (0 = untrained … last = the shipped generator) of the training run: the same 40
    latent vectors (four rows of 0-9) drawn by it, and its quality meter and digit-FID from the card."""
    return _timeline(position, lang, live=False)


@handler
def timeline_live(position, lang="en"):
    """The page's own call while the slider moves."""
    return _timeline(position, lang, live=True)


# ------------------------------------------------------------------ the playground

def read_play(dataset, loss, lr_d, lr_g, d_steps, steps, seed, lang: str) -> tuple[logic.PlayConfig, int]:
    if dataset not in logic.DATASETS:
        raise UserInputError("gan.choice_invalid", name=t("gan.name_dataset", lang), value=shown(dataset),
                             known=", ".join(logic.DATASETS))
    if loss not in logic.LOSSES:
        raise UserInputError("gan.choice_invalid", name=t("gan.name_loss", lang), value=shown(loss),
                             known=", ".join(logic.LOSSES))
    rates = []
    for value, name in ((lr_d, "gan.name_lr_d"), (lr_g, "gan.name_lr_g")):
        rates.append(check_number(value, t(name, lang), 1e-5, 0.1))
    config = logic.PlayConfig(dataset, loss, rates[0], rates[1],
                              slider_value(d_steps, t("gan.name_d_steps", lang), *D_STEPS_RANGE, integer=True),
                              read_seed(seed, t("gan.name_play_seed", lang)))
    return config, slider_value(steps, t("gan.name_steps", lang), *PLAY_STEPS_RANGE, integer=True)


def continue_or_start(play: logic.Playground | None, config: logic.PlayConfig) -> logic.Playground:
    """The session's playground, carried on with the new learning rates and D steps (as in GAN Lab); a new
    one when there is none or the data, the loss or the seed changed."""
    same_game = play is not None and (play.config.dataset, play.config.loss, play.config.seed) == (
        config.dataset, config.loss, config.seed)
    if not same_game:
        return logic.new_playground(config)
    for optimiser, rate in ((play.opt_d, config.lr_d), (play.opt_g, config.lr_g)):
        for group in optimiser.param_groups:
            group["lr"] = rate
    play.config = config
    return play


def board(play: logic.Playground, lang: str, stopped: str | None = None) -> tuple[np.ndarray, str]:
    """The playground's picture and its numbers, from one look at the field; ``stopped``: why the training ended
    before its last step (``StopRequests.why``: "you", "busy" or "long")."""
    view = logic.field_view(play)
    kind = "gan" if play.config.loss == "gan" else "wgan"
    picture = figures.playground(
        view, play.history, critic_title=t(f"gan.critic_title_{kind}", lang),
        loss_title=t("gan.loss_title", lang), step_label=t("gan.step", lang), real_label=t("gan.real", lang),
        fake_label=t("gan.fake", lang), d_label=t(f"gan.d_loss_{kind}", lang), g_label=t("gan.g_loss", lang))
    config = play.config
    picture = export.png(picture, export.file_name(TOPIC, "play", config.dataset, config.loss, lr_d=config.lr_d,
                                                   lr_g=config.lr_g, d_steps=config.d_steps, seed=config.seed,
                                                   step=play.steps))
    lines = [t("gan.play_step", lang, step=play.steps)]
    if play.history:
        _, d, g = play.history[-1]
        lines[0] += " · " + t("gan.play_losses", lang, d=d, g=g)
    if play.config.dataset == "gaussians":
        covered, near = logic.mode_coverage(view.fake)
        lines.append(t("gan.play_modes", lang, covered=covered, near=near))
    if stopped:
        lines.append(stopped_note("gan.play_stopped", lang, stopped))
    return picture, "\n\n".join(lines)


def _train_chunks(play: logic.Playground, steps: int, stop_wanted):
    """Train ``steps`` steps in chunks, yielding after each chunk; returns why it stopped early (what
    ``stop_wanted()`` said: "you", "busy" or "long"), or None."""
    done = 0
    while done < steps:
        chunk = min(CHUNK, steps - done)
        logic.train_steps(play, chunk, pause)
        done += chunk
        if why := stop_wanted():
            return why
        yield done
    return None


@handler
@heavy(gpu_seconds=60)
def play(dataset=PLAY_DEFAULTS["dataset"], loss=PLAY_DEFAULTS["loss"], lr_d=PLAY_DEFAULTS["lr_d"],
         lr_g=PLAY_DEFAULTS["lr_g"], d_steps=PLAY_DEFAULTS["d_steps"], steps=PLAY_DEFAULTS["steps"],
         seed=PLAY_DEFAULTS["seed"], state=None, progress=gr.Progress(), session="", lang="en"):
    """Train this session's 2-D GAN ``steps`` more generator steps (10-2000), each after ``d_steps`` (1-10)
    discriminator steps. ``dataset``: gaussians, ring, moons or line; ``loss``: gan (non-saturating), wgan_clip
    or wgan_gp; learning rates 1e-5 to 0.1; ``seed`` 0 to 2³²−1. Changing the data, the loss or the seed starts
    a new GAN. Streams the picture and the numbers; the Stop button ends it after the current chunk."""
    watch = Stopwatch()
    started = time.monotonic()
    config, steps = read_play(dataset, loss, lr_d, lr_g, d_steps, steps, seed, lang)
    game = continue_or_start(state, config)
    shown_at, stopped = -math.inf, None  # the first chunk's picture at once: the first update comes in the first turn
    chunks = _train_chunks(game, steps, lambda: STOPS.why(session, started))
    with STOPS.running(session):  # left before the result is shown: a Stop from then on has nothing to stop
        progress(0, desc=t("gan.play_progress", lang, step=0, target=steps))  # the bar shows before the first chunk
        while True:
            try:
                done = next(chunks)
            except StopIteration as finished:
                stopped = finished.value
                break
            progress(done / steps, desc=t("gan.play_progress", lang, step=done, target=steps))
            if time.monotonic() - shown_at >= STREAM_EVERY_S:
                shown_at = time.monotonic()
                yield game, *board(game, lang), gr.skip()
            else:
                give_way()  # a chunk between two pictures: the other heavy jobs' steps go first (core.heavy)
    yield Last((game, *board(game, lang, stopped), watch.label(lang)))  # the run ends with it (core.heavy)


@handler
def play_reset(dataset=PLAY_DEFAULTS["dataset"], loss=PLAY_DEFAULTS["loss"], lr_d=PLAY_DEFAULTS["lr_d"],
               lr_g=PLAY_DEFAULTS["lr_g"], d_steps=PLAY_DEFAULTS["d_steps"], steps=PLAY_DEFAULTS["steps"],
               seed=PLAY_DEFAULTS["seed"], lang="en"):
    """A new, untrained 2-D GAN with these settings (step 0): its picture and numbers."""
    config, _ = read_play(dataset, loss, lr_d, lr_g, d_steps, steps, seed, lang)
    game = logic.new_playground(config)
    return game, *board(game, lang), ""


@handler
def play_stop(session="", lang="en"):
    """Stop this browser session's running playground training after its current chunk of steps (a note says
    so; the numbers stay as they are). With nothing training, the note says so and nothing is stopped later."""
    if not STOPS.is_running(session):
        gr.Info(t("gan.play_nothing_running", lang), title=t("app.info_title", lang))
        return
    STOPS.request(session)
    gr.Info(t("gan.play_stopping", lang), title=t("app.info_title", lang))


def preset_settings(name: str) -> tuple:
    """The preset as the playground's inputs: dataset, loss, lr_d, lr_g, d_steps, steps per click, seed."""
    config, _, per_click = logic.PRESETS[name]
    return (config.dataset, config.loss, f"{config.lr_d:g}", f"{config.lr_g:g}", config.d_steps, per_click,
            config.seed)


def preset_run(name: str) -> logic.Playground:
    """The preset's playground trained for its steps: computed once, then copied for each session."""
    config, steps, _ = logic.PRESETS[name]

    trained, _ = PRESET_RUNS.get(name, lambda: logic.train_steps(logic.new_playground(config), steps, pause))
    return trained


def _preset(name: str, lang: str):
    watch = Stopwatch()
    cached = name in PRESET_RUNS
    game = copy.deepcopy(preset_run(name))
    settings = preset_settings(name)
    return (*settings, game, *board(game, lang), watch.label(lang, cached))


@handler
@heavy(gpu_seconds=30, memoised=True, ready=lambda lang="en": "collapse" in PRESET_RUNS)
def preset_collapse(lang="en"):
    """Mode collapse: the standard GAN on 8 Gaussians with the generator's learning rate 10x the
    discriminator's, trained 200 steps: it sits on one mode (Train 50 more: it hops to another). Returns the
    settings (dataset, loss, lr_d, lr_g, d_steps, steps per click, seed), then the session's GAN, its picture,
    numbers and the timing."""
    return _preset("collapse", lang)


@handler
@heavy(gpu_seconds=30, memoised=True, ready=lambda lang="en": "cure" in PRESET_RUNS)
def preset_cure(lang="en"):
    """Its cure: WGAN-GP with the same seed and learning rates and 5 critic steps per generator step, trained
    400 steps: all 8 modes. Returns what ``preset_collapse`` returns."""
    return _preset("cure", lang)


# ------------------------------------------------------------------ layout

def build_tab(i18n: gr.I18n, demo: gr.Blocks) -> None:
    """The tab, section by section: samples, a walk, one coordinate, the timeline, the playground, notes, questions."""
    with gr.Tab(i18n("gan.tab"), id=TOPIC, elem_id="tab-gan"):
        gr.Markdown(i18n("gan.intro"), elem_classes=["tab-intro"])
        model_picker(GENERATOR, i18n, elem_id="gan-model")
        sampler = _sample_section(i18n, demo)
        path, walk_args = _walk_section(i18n, demo, sampler)
        varied, vary_args = _vary_section(i18n, demo, sampler)
        snapshot, snapshot_grid, timeline_args = _timeline_section(i18n, demo)
        board = _play_section(i18n, demo)
        export.downloadable(sampler.grid, varied, snapshot_grid, board)
        with gr.Accordion(i18n("app.notes"), open=False, elem_classes=["lecture-notes"]):
            gr.Markdown(i18n("gan.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                             {"left": "$", "right": "$", "display": False}])
        questions_panel(i18n, TOPIC, QUESTIONS,
                        controls={"digit": sampler.digit, "count": sampler.count, "psi": sampler.psi, "path": path,
                                  "snapshot": snapshot},
                        actions={"sample": {"fn": sample, **sampler.args}, "walk": {"fn": interpolate, **walk_args},
                                 "vary": {"fn": vary, **vary_args}, "timeline": {"fn": timeline_view, **timeline_args}})


def _sample_section(i18n: gr.I18n, demo: gr.Blocks) -> SimpleNamespace:
    """A grid of samples (seed, digit, count, ψ) and the classifier's meter on it; the sections below follow it."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            with gr.Row():
                seed = Number(DEFAULTS["seed"], precision=0,
                              label=i18n("gan.seed"), elem_id="gan-seed", min_width=140)
                dice = gr.Button(i18n("gan.randomise"), elem_id="gan-randomise", min_width=120)
            digit = Dropdown([(i18n("gan.digit_random"), "random")] + [str(d) for d in range(10)],
                             value=DEFAULTS["digit"], label=i18n("gan.digit"), elem_id="gan-digit")
            count = Slider(*COUNT_RANGE, value=DEFAULTS["count"], step=1, precision=0, buttons=[],
                           label=i18n("gan.count"), elem_id="gan-count")
            psi = Slider(*PSI_RANGE, value=DEFAULTS["psi"], step=0.05, buttons=[], label=i18n("gan.psi"),
                         elem_id="gan-psi")
            gr.Markdown(i18n("gan.psi_hint"))
        with gr.Column(scale=3, min_width=300, elem_classes=["results-first"]):
            grid = Image(show_label=False, interactive=False, buttons=["fullscreen"], elem_id="gan-grid",
                         elem_classes=["pixel-art"])
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=240):
                    gr.Markdown(i18n("gan.meter_caption"), elem_classes=["plot-caption"])
                    histogram = gr.BarPlot(x="digit", y="n", height=180, x_title=" ", y_title="n", sort="x",
                                           y_lim=[0, None],  # bars from 0: a class of 2 shows a bar
                                           show_label=False, color_map={"n": COLORS["main"]},
                                           elem_id="gan-histogram")
                    counts_csv = export.download_button(i18n, elem_id="gan-histogram-csv")  # under its bars
                with gr.Column(scale=2, min_width=220):
                    meter = gr.Markdown(elem_id="gan-meter")
                    meter_table = export.download_button(i18n, elem_id="gan-meter-csv")
                    timing = gr.Markdown(elem_id="gan-timing")
    grid_inputs = [seed, count, digit, psi]
    grid_outputs = [grid, histogram, meter, timing]
    grid_outputs += [counts_csv, meter_table]  # the classifier's class counts and the meter's numbers as CSV
    sample_args = dict(inputs=grid_inputs, outputs=grid_outputs, show_progress="hidden",
                       trigger_mode="always_last", **LIGHT)
    demo.load(sample, api_name="gan_sample", **sample_args)
    resampled = [  # the grid changes; the "one coordinate" section below follows it if it succeeded
        gr.on([seed.submit, seed.blur, digit.input, count.input, psi.input], sample_live,
              api_name="gan_sample_live", api_visibility="private", **sample_args),
        dice.click(randomise, None, seed, api_name="gan_randomise", show_progress="hidden", **LIGHT).then(
            sample_live, api_name="gan_sample_randomised", api_visibility="private", **sample_args)]
    grey_when_refused(resampled, GRID_IDS + WALK_IDS + VARY_IDS, "gan-meter")  # the sections below used seed A

    return SimpleNamespace(seed=seed, digit=digit, count=count, psi=psi, grid=grid, args=sample_args,
                           resampled=resampled)


def _walk_section(i18n: gr.I18n, demo: gr.Blocks, sampler: SimpleNamespace):
    """The walk from seed A to seed B: its frames, the GIF, and the norm of z along lerp and slerp."""
    gr.Markdown(i18n("gan.walk_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("gan.walk_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            seed_b = Number(DEFAULTS["seed_b"], precision=0,
                            label=i18n("gan.seed_b"), elem_id="gan-seed-b")
            frames = Slider(*FRAMES_RANGE, value=DEFAULTS["frames"], step=1, precision=0, buttons=[],
                            label=i18n("gan.frames"), elem_id="gan-frames")
            path = Radio([(i18n("gan.path_lerp"), "lerp"), (i18n("gan.path_slerp"), "slerp")],
                         value=DEFAULTS["path"], label=i18n("gan.path"), elem_id="gan-path")
            walk_button = gr.Button(i18n("gan.walk_button"), variant="primary", elem_id="gan-walk")
            gr.Markdown(i18n("gan.norm_caption"), elem_classes=["plot-caption"])
            # the legend in the page's own letters: Vega's draws 10-px labels, unreadable on a projector
            gr.Markdown(i18n("gan.norm_legend"))
            norms = gr.LinePlot(x="t", y="‖z‖", color="curve", height=220, show_label=False, y_title="‖z‖",
                                color_map=path_colors(), colors_in_legend=[], elem_id="gan-norms")
            with gr.Row():
                norms_png = export.drawn_button(i18n, elem_id="gan-norms-png")
                norms_csv = export.download_button(i18n, elem_id="gan-norms-csv")
            norm_note = gr.Markdown(elem_id="gan-norm-note")
        with gr.Column(scale=3, min_width=300):
            frames_gallery = Gallery(show_label=False, columns=5, height="auto", allow_preview=False,
                                     object_fit="contain", buttons=[], elem_id="gan-frames-gallery",
                                     elem_classes=["thumb-gallery"])
            animation = gr.Image(show_label=False, interactive=False, type="filepath", height=200,
                                 buttons=["download"], elem_id="gan-gif")
            walk_timing = gr.Markdown(elem_id="gan-walk-timing")
    walk_args = dict(inputs=[sampler.seed, seed_b, frames, sampler.digit, sampler.psi, path],
                     outputs=[frames_gallery, animation, norms, norm_note, walk_timing, norms_csv],
                     show_progress="hidden", trigger_mode="always_last", **LIGHT)
    demo.load(interpolate, api_name="gan_interpolate", **walk_args)
    export.when_clicked(norms_png, chart, [sampler.seed, seed_b, frames, sampler.digit, sampler.psi],
                        api_name="gan_chart", **LIGHT)
    walked = [gr.on([walk_button.click, path.input, frames.release, seed_b.submit], interpolate_live,
                    api_name="gan_interpolate_live", api_visibility="private", **walk_args)]
    # seed A, the digit and ψ are the walk's too: its note follows them
    for number, event in enumerate(sampler.resampled):
        walked.append(event.success(interpolate_follow, api_name=f"gan_interpolate_follow_{number}",
                                    api_visibility="private", **walk_args))
    grey_when_refused(walked, WALK_IDS, "gan-walk-timing")

    return path, walk_args


def _vary_section(i18n: gr.I18n, demo: gr.Blocks, sampler: SimpleNamespace):
    """One coordinate of z set to a value in the grid's samples."""
    gr.Markdown(i18n("gan.vary_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("gan.vary_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            dimension = Slider(0, 63, value=DEFAULTS["dimension"], step=1, precision=0, buttons=[],
                               label=i18n("gan.dimension"), elem_id="gan-dimension")
            value = Slider(*VALUE_RANGE, value=DEFAULTS["value"], step=0.1, buttons=[], label=i18n("gan.value"),
                           elem_id="gan-value")
            vary_note = gr.Markdown(elem_id="gan-vary-note")
            vary_timing = gr.Markdown(elem_id="gan-vary-timing")
        with gr.Column(scale=3, min_width=300):
            gr.Markdown(i18n("gan.vary_caption"), elem_classes=["plot-caption"])
            varied = Image(show_label=False, interactive=False, buttons=["fullscreen"], elem_id="gan-varied",
                           elem_classes=["pixel-art"])
    vary_args = dict(inputs=[sampler.seed, sampler.count, sampler.digit, sampler.psi, dimension, value],
                     outputs=[varied, vary_note, vary_timing], show_progress="hidden", trigger_mode="always_last",
                     **LIGHT)
    demo.load(vary, api_name="gan_vary", **vary_args)
    varied_events = [gr.on([dimension.input, value.input], vary_live, api_name="gan_vary_live",
                           api_visibility="private", **vary_args)]
    for number, event in enumerate(sampler.resampled):
        varied_events.append(event.success(vary_live, api_name=f"gan_vary_follow_{number}", api_visibility="private",
                                           **vary_args))
    grey_when_refused(varied_events, VARY_IDS, "gan-vary-timing")

    return varied, vary_args


def _timeline_section(i18n: gr.I18n, demo: gr.Blocks):
    """The training timeline: the same 40 latent vectors drawn by each saved snapshot of the generator."""
    snapshots = card()["timeline"]
    gr.Markdown(i18n("gan.timeline_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("gan.timeline_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            snapshot = Slider(0, len(snapshots) - 1, value=len(snapshots) - 1, step=1, precision=0, buttons=[],
                              label=i18n("gan.snapshot"), elem_id="gan-snapshot")
            gr.Markdown(i18n("gan.snapshot_steps"))
            snapshot_note = gr.Markdown(elem_id="gan-snapshot-note")
        with gr.Column(scale=3, min_width=300):
            snapshot_grid = Image(show_label=False, interactive=False, buttons=["fullscreen"],
                                  elem_id="gan-snapshot-grid", elem_classes=["pixel-art"])
    timeline_args = dict(inputs=snapshot, outputs=[snapshot_grid, snapshot_note], show_progress="hidden",
                         trigger_mode="always_last", **LIGHT)
    demo.load(timeline_view, api_name="gan_timeline", **timeline_args)
    snapshot.input(timeline_live, api_name="gan_timeline_live", api_visibility="private", **timeline_args)

    return snapshot, snapshot_grid, timeline_args


def _play_section(i18n: gr.I18n, demo: gr.Blocks):
    """The playground: train a GAN on 2-D data, with the collapse and cure presets."""
    gr.Markdown(i18n("gan.play_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("gan.play_intro"))
    state = gr.State(None)
    with gr.Row():
        dataset = Dropdown([(i18n(f"gan.dataset_{name}"), name) for name in logic.DATASETS],
                           value=PLAY_DEFAULTS["dataset"], label=i18n("gan.dataset"), elem_id="gan-dataset",
                           min_width=260)
        loss = Radio([(i18n(f"gan.loss_{name}"), name) for name in logic.LOSSES], value=PLAY_DEFAULTS["loss"],
                     label=i18n("gan.loss"), elem_id="gan-loss")
    with gr.Row():
        lr_d = Dropdown(LEARNING_RATES, value=PLAY_DEFAULTS["lr_d"], label=i18n("gan.lr_d"), elem_id="gan-lr-d")
        lr_g = Dropdown(LEARNING_RATES, value=PLAY_DEFAULTS["lr_g"], label=i18n("gan.lr_g"), elem_id="gan-lr-g")
        d_steps = Slider(*D_STEPS_RANGE, value=PLAY_DEFAULTS["d_steps"], step=1, precision=0,
                         label=i18n("gan.d_steps"), elem_id="gan-d-steps")
        steps = Slider(*PLAY_STEPS_RANGE, value=PLAY_DEFAULTS["steps"], step=10, precision=0,
                       label=i18n("gan.steps"), elem_id="gan-steps")
        play_seed = Number(PLAY_DEFAULTS["seed"], precision=0,
                           label=i18n("gan.play_seed"), elem_id="gan-play-seed")
    with gr.Row():
        train_button = gr.Button(i18n("gan.train"), variant="primary", elem_id="gan-train")
        halt = gr.Button(i18n("gan.stop"), variant="stop", elem_id="gan-stop")
        reset = gr.Button(i18n("gan.reset"), elem_id="gan-reset")
    with gr.Row():
        collapse = gr.Button(i18n("gan.preset_collapse"), elem_id="gan-preset-collapse")
        cure = gr.Button(i18n("gan.preset_cure"), elem_id="gan-preset-cure")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            board = Image(show_label=False, interactive=False, buttons=["fullscreen"], elem_id="gan-board")
        with gr.Column(scale=1, min_width=240):
            play_numbers = gr.Markdown(elem_id="gan-play-numbers")
            gr.Markdown(i18n("gan.board_legend"))
            play_timing = gr.Markdown(elem_id="gan-play-timing")
    settings = [dataset, loss, lr_d, lr_g, d_steps, steps, play_seed]
    board_outputs = [state, board, play_numbers, play_timing]
    train_button.click(play, [*settings, state], board_outputs, api_name="gan_play", trigger_mode="always_last",
                       show_progress_on=[play_numbers], **HEAVY)
    halt.click(play_stop, None, None, api_name="gan_stop", show_progress="hidden", **LIGHT)
    reset_args = dict(fn=play_reset, inputs=settings, outputs=board_outputs, show_progress="hidden", **LIGHT)
    reset.click(api_name="gan_reset", **reset_args)
    demo.load(api_name="gan_play_start", api_visibility="private", **reset_args)
    gr.on([dataset.input, loss.input, play_seed.submit], api_name="gan_play_restart", api_visibility="private",
          **reset_args)
    for button, fn, name in ((collapse, preset_collapse, "collapse"), (cure, preset_cure, "cure")):
        button.click(fn, None, [*settings, *board_outputs], api_name=f"gan_{name}",
                     show_progress_on=[play_numbers], **HEAVY)

    return board


def path_colors() -> dict[str, str]:
    return {t(f"gan.path_{key}", lang): color for lang in ("en", "zh")
            for key, color in (("lerp", COLORS["second"]), ("slerp", COLORS["main"]))}


def warm_up() -> None:
    """After launch: the models, every batch shape of the generator and its judge (so a class compiles no kernel
    and keeps no memory for one: core.device.few_shapes), the timeline's snapshots and the two playground presets."""
    generator, judge = generator_model(), judge_model()
    for count in few_shapes(logic.MAX_GRID):
        images, _ = logic.sample(generator, 0, count, None, 1.0)
        logic.meter(judge, images), logic.features(judge, images)
    timeline()
    for name in logic.PRESETS:
        preset_run(name)
