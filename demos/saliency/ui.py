"""The saliency tab: layout and events. The science is in logic.py, the words in strings.py."""
from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import time
from dataclasses import dataclass
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pandas as pd
import torch

from core import export, models
from core.classifier import DIGIT_CNN, unfamiliar_note
from core.data.digits import TEST, load_split, normalize_digit
from core.device import heavy_threads
from core.heavy import breaks, give_way, heavy, out_of_time
from core.i18n import UserInputError, check_number, listed, shown, space, t
from core.images import example_photos, overlay, shared_scale
from core.memo import Memo
from core.questions import Question, questions_panel
from core.ui import (
    HEAVY,
    LIGHT,
    MODEL_LANE,
    CheckboxGroup,
    Dropdown,
    Gallery,
    Image,
    Radio,
    Slider,
    Stopwatch,
    check_drawn_digit,
    digit_pad,
    drawing_to_gray,
    gallery_position,
    grey_until_rerun,
    grey_when_refused,
    handler,
    model_loader,
    model_picker,
    notify,
    on_gallery_click,
    pad_ink,
    select_brush_js,
    slider_value,
    starting_js,
    stopped_note,
)
from core.uploads import decode_image
from demos.saliency import figures, logic, similarity, strings  # noqa: F401  strings registers the words
from demos.saliency.model import CLASSIFIER, EFFICIENTNET_LITE0, cam_layer, class_names, input_spec, randomization_steps
from demos.saliency.names import shown_class

TOPIC = "saliency"
#: Slide links (app.py): ?tab=saliency&preset=NAME presses the button with this elem_id.
PRESETS = {"sanity": "saliency-sanity-button"}
MAP_IDS = ["saliency-maps", "saliency-timing"]  # the maps on the first screen and the line that says how long
EXAMPLE_PHOTOS = ("chelsea.png", "coffee.png", "rocket.jpg", "astronaut.png", "motorcycle.png")
EXAMPLE_DIGITS = 4  # the first test digits of classes 3, 5, 7, 8
DEFAULT_METHODS = ("saliency", "smoothgrad", "gradcam")
#: The order maps are computed in: one pass first (a gradient, Grad-CAM), then the ones that take tens or hundreds
#: of passes, so a busy class that stops a run early (core.heavy.out_of_time) has spent its time on the cheap ones.
CHEAP_FIRST = ("saliency", "gradcam", "smoothgrad", "smoothgrad_sq", "vargrad", "integrated_gradients", "occlusion")
DEFAULT_SETTINGS = (15, 25, 32, "black", 14, 7)  # σ %, N, IG steps, IG baseline, occlusion window %, stride %
SIGMA_RANGE, SAMPLES_RANGE, STEPS_RANGE = (0, 50), (1, 200), (2, 200)
WINDOW_RANGE, STRIDE_RANGE, OPACITY_RANGE = (2, 50), (2, 50), (0, 1)
SCRUB_SAMPLES = (1, 5, 25, 100)
#: The methods' lines in the plots. The three shown first (saliency, SmoothGrad, Grad-CAM) differ in hue and lightness
#: (Grad-CAM's dark yellow beside SmoothGrad's orange was hard to tell apart on a projector).
METHOD_COLORS = {"saliency": "#2563eb", "smoothgrad": "#f97316", "smoothgrad_sq": "#dc2626", "vargrad": "#0d9488",
                 "integrated_gradients": "#16a34a", "gradcam": "#db2777", "occlusion": "#9333ea", "random": "#111827"}
MIN_SIDE = 16
PANEL = 224  # shown size of every panel (digits are enlarged without smoothing)

#: Predict, then check (core.questions): the words are in strings.py, QUESTIONS.
QUESTIONS = (Question("sanity", press="saliency-sanity-button"),
             Question("sigma0", {"sigma": 0, "methods": list(DEFAULT_METHODS)}, run=("explain",)),
             Question("deletion", press="saliency-deletion-button"))

EXPLAINED = Memo(maxsize=64, max_mb=16)  # maps, keyed on the picture, model, class and every setting
CHECKS = Memo(maxsize=32, max_mb=32)  # a sanity check ~13 MB; sanity checks, deletion curves and sample sweeps
SANITY_DRAWN = export.Drawn(maxsize=32)  # a sanity check's pictures and CSV, per check and language
PREDICTED = Memo(maxsize=256)  # class probabilities per picture and model
TOP5_FILES = export.Drawn()  # the top 5's PNG per picture, model and language


@dataclass(frozen=True)
class Subject:
    """The picture as the model sees it, and the model."""

    picture: np.ndarray  # uint8, size x size (x 3)
    x: torch.Tensor  # (1, C, size, size), normalised
    bundle: object
    key: str  # the model's name and a hash of the picture: memo keys

    @property
    def labels(self):
        return class_names(self.bundle)

    def name(self, index: int, lang: str) -> str:
        """Class ``index`` as the user reads it: "埃及貓 Egyptian cat" in the Chinese page."""
        return shown_class(self.labels, index, lang)

    @property
    def probs(self) -> torch.Tensor:
        """The model's probabilities for the picture (computed once per picture and model)."""
        probs, _ = PREDICTED.get(self.key, lambda: logic.probabilities(self.bundle.model, self.x)[0])
        return probs


# ------------------------------------------------------------------ inputs

@functools.lru_cache(maxsize=1)
def examples() -> tuple[np.ndarray, ...]:
    """The example gallery: photos (assets/examples), then a few test digits."""
    photos = example_photos(EXAMPLE_PHOTOS)
    test = load_split(TEST)
    digits = [test.images[int(np.flatnonzero(test.labels == d)[0])] for d in (3, 5, 7, 8)[:EXAMPLE_DIGITS]]
    return tuple(photos) + tuple(logic.enlarge(d) for d in digits)


def _subject(picture, drawing, use_drawing, model_key, lang: str) -> Subject:
    choice = CLASSIFIER.choice(_model_key(model_key))
    if choice.needs_download():  # picked in the dropdown, but its download failed or never happened
        raise UserInputError("model.needs_internet", name=choice.key)
    bundle = CLASSIFIER.get(choice.key)
    breaks(bundle.model)  # a heavy step gives way between its forward passes (core.heavy)
    spec = input_spec(bundle)
    gray = drawing_to_gray(drawing) if use_drawing else None
    if use_drawing and gray is None:
        raise UserInputError("saliency.canvas_empty")
    if gray is None:
        rgb = decode_image(picture, max_side=1024)
        height, width = rgb.shape[:2]
        if spec.channels == 3 and min(height, width) < MIN_SIDE:
            raise UserInputError("saliency.image_too_small", width=width, height=height, minimum=MIN_SIDE)
    if spec.channels == 1:  # the digit CNN: any picture becomes a centred 28x28 digit, like the data set
        seen = normalize_digit(check_drawn_digit(gray) if gray is not None else rgb)
    else:
        seen = logic.square_crop(gray if gray is not None else rgb, spec.size, spec.channels)
    digest = hashlib.sha256(seen.tobytes()).hexdigest()[:16]
    return Subject(seen, spec(seen).to(next(bundle.model.parameters()).device), bundle,
                   f"{bundle.name}:{digest}")


def _model_key(value) -> str | None:
    if value in (None, ""):
        return None
    if value not in {c.key for c in CLASSIFIER.choices}:
        raise UserInputError("model.unknown", choice=shown(value, 40, quote=False))
    return value


def _target(value, subject: Subject, lang: str) -> int:
    """The class to explain: the given index, or the top prediction when none is given."""
    if value in (None, ""):
        return int(subject.probs.argmax())
    last = len(subject.labels) - 1
    try:
        return check_number(value, t("saliency.name_target", lang), 0, last, integer=True)
    except UserInputError:
        raise UserInputError("saliency.target_unknown", value=shown(value), last=last) from None


def _methods(values, lang: str) -> tuple[str, ...]:
    values = [values] if isinstance(values, str) else list(values or [])
    unknown = [v for v in values if v not in logic.METHODS]
    if unknown:
        raise UserInputError("saliency.unknown_method", value=shown(unknown[0]), known=", ".join(logic.METHODS))
    if not values:
        raise UserInputError("saliency.no_methods")
    return tuple(m for m in logic.METHODS if m in values)  # one order, whatever the order sent


def _option(value, options, default):
    if value in (None, ""):
        return default
    if value not in options:
        raise UserInputError("saliency.unknown_option", value=shown(value), known=", ".join(options))
    return value


def _settings(sigma, samples, ig_steps, baseline, window, stride, lang: str, live: bool = False) -> logic.Settings:
    name = lambda key: t(f"saliency.name_{key}", lang)  # noqa: E731
    return logic.Settings(
        sigma_percent=slider_value(sigma, name("sigma"), *SIGMA_RANGE, live=live),
        samples=slider_value(samples, name("samples"), *SAMPLES_RANGE, integer=True, live=live),
        ig_steps=slider_value(ig_steps, name("ig_steps"), *STEPS_RANGE, integer=True, live=live),
        baseline=_option(baseline, logic.BASELINES, "black"),
        window_percent=slider_value(window, name("window"), *WINDOW_RANGE, live=live),
        stride_percent=slider_value(stride, name("stride"), *STRIDE_RANGE, live=live),
    )


def _baseline(subject: Subject, settings: logic.Settings) -> torch.Tensor:
    spec = input_spec(subject.bundle)
    return spec(logic.baseline_picture(subject.picture, settings.baseline, settings.seed)).to(subject.x.device)


# ------------------------------------------------------------------ pictures

def _zoom(subject: Subject) -> int:
    """How many times a panel enlarges the model's input: a 28x28 digit 8x, without blurring its pixels."""
    return max(1, PANEL // subject.picture.shape[0])


def _seen(subject: Subject) -> np.ndarray:
    return logic.enlarge(subject.picture, _zoom(subject))


def _panel(subject: Subject, heat: np.ndarray, opacity: float, scale=(0.0, 1.0), colorbar: bool = True):
    heat = logic.enlarge(heat, _zoom(subject))
    return overlay(_seen(subject), heat, scale, alpha=float(opacity), smooth=False, colorbar=colorbar)


def method_name(method: str, lang: str) -> str:
    return t(f"saliency.method_{method}", lang)


def method_key(method: str, lang: str) -> str:
    """The method's name with its colour in the plots: the tables under the plots are their legends
    (Vega's own legend is cut off on a phone and too small for a projector)."""
    return f'<span style="color:{METHOD_COLORS[method]}">■</span> {method_name(method, lang)}'


def plot_colors() -> dict[str, str]:
    """Series colours of the sanity and deletion plots, for the method names of both languages."""
    return {t(f"saliency.method_{m}", lang): color for lang in ("en", "zh") for m, color in METHOD_COLORS.items()}


def step_name(step: str, lang: str) -> str:
    kind, _, number = step.partition(":")
    return t(f"saliency.layer_{kind}", lang, number=number) if number else t(f"saliency.layer_{kind}", lang)


# ------------------------------------------------------------------ handlers

def prediction_line(subject: Subject, target: int, lang: str) -> str:
    """'The model says **tabby** (38%).', which class is explained when it is another one, and a warning when the
    explained class is a weak score."""
    probs = subject.probs
    top = int(probs.argmax())
    if target == top:
        line = t("saliency.prediction_same", lang, label=subject.name(top, lang), p=float(probs[top]))
    else:
        line = t("saliency.prediction_line", lang, label=subject.name(top, lang), p=float(probs[top]),
                 target=subject.name(target, lang), pt=float(probs[target]))
    if float(probs[target]) < logic.LOW_CLASS_P:
        line += " " + t("saliency.low_confidence", lang, low=logic.LOW_CLASS_P)
    return line


def seen_line(subject: Subject, lang: str) -> str:
    """What the model sees; for the digit CNN, a note when the picture is unlike every digit it learnt."""
    if input_spec(subject.bundle).channels == 3:
        return t("saliency.seen_line", lang, size=subject.picture.shape[0])
    note = unfamiliar_note(subject.bundle.model, subject.picture, lang)
    return space(lang).join(filter(None, [t("saliency.seen_digit", lang, size=subject.picture.shape[0]), note]))


@functools.lru_cache(maxsize=8)
def target_choices(labels: tuple[str, ...], lang: str) -> tuple[tuple[str, int], ...]:
    """The target list's (name, index) pairs of a model's classes in ``lang``: built once per model and language,
    not at every prediction (ImageNet's 1,000 names took 5% of the server's busy time in a class)."""
    names = [shown_class(labels, i, lang) for i in range(len(labels))]
    return tuple((name if name == str(i) else f"{i} · {name}", i) for i, name in enumerate(names))


def _top5(subject: Subject, lang: str) -> tuple[list[tuple[int, str, float]], int]:
    """The 5 most likely classes as (index, name in ``lang``, probability), most likely first, and the top class."""
    top = [(i, subject.name(i, lang), p) for i, _, p in logic.top_k(subject.probs, subject.labels, 5)]
    return top, top[0][0]


def _top5_rows(top: list[tuple[int, str, float]]) -> list[tuple[str, float]]:
    """The top 5 as a table's rows: "Egyptian cat (285)", 0.383 (a digit model's class is its own number)."""
    return [(name if name == str(i) else f"{name} ({i})", p) for i, name, p in top]


def _bars(top: list[tuple[int, str, float]], lang: str) -> pd.DataFrame:
    """The bar plot's rows: horizontal bars (a class name reads across; slanted under a bar it was cut at the plot's
    left edge), each labelled with its rank, which also orders them (the plot sorts its labels as text), and no class
    number, which the table and the class list give (a phone cut the longer labels short)."""
    key = "saliency.bar_digit" if all(name == str(i) for i, name, _ in top) else "saliency.bar_class"
    return pd.DataFrame({"class": [t(key, lang, rank=rank, name=name) for rank, (_, name, _) in enumerate(top, 1)],
                         "p": [p for _, _, p in top]})


def _top5_name(subject: Subject, top: int) -> str:
    return export.file_name(TOPIC, class_part(subject, top), "top5")


def _top5_header(lang: str) -> list[str]:
    return [t("saliency.col_class", lang), t("saliency.col_probability", lang)]


def _predicted(subject: Subject, lang: str):
    top, index = _top5(subject, lang)
    line = "\n\n".join([prediction_line(subject, index, lang), seen_line(subject, lang)])
    table = export.csv(_top5_rows(top), _top5_name(subject, index), header=_top5_header(lang))
    return _bars(top, lang), gr.Dropdown(choices=list(target_choices(subject.labels, lang)), value=index), line, table


@handler
def predict(picture, drawing=None, use_drawing=False, model=None, lang="en"):
    """The model's top 5 classes (bar plot), the class to explain (set to the top one, with every
    class as a choice), a line saying what the model predicts, and the top 5 as CSV (as PNG: ``chart``)."""
    return _predicted(_subject(picture, drawing, use_drawing, model, lang), lang)


@handler
def chart(picture, drawing=None, use_drawing=False, model=None, lang="en"):
    """The top-5 bar plot as a PNG file: drawn when its button is clicked (~0.1 s, once per picture, model and
    language while the file is kept), not at every prediction."""
    subject = _subject(picture, drawing, use_drawing, model, lang)

    def draw():
        five, top = _top5(subject, lang)
        rows = _top5_rows(five)
        figure = figures.top_bars([name for name, _ in rows], [p for _, p in rows],
                                  title=t("saliency.predictions", lang), xlabel=_top5_header(lang)[1])
        return (export.png(figure, _top5_name(subject, top)),)

    return TOP5_FILES.get((subject.key, lang), draw)[0]


@handler
def draw(picture, drawing=None, model=None, lang="en"):
    """A stroke on the pad: the drawing is predicted and "explain my drawing" ticked; the bin (an empty pad) goes
    quietly back to the picture. The same outputs as ``predict``, then the box. The drawing is read as ``predict``
    reads it: a digit for the digit model (a tap gets its message there, in ``_subject``), a photo for the others."""
    gray = drawing_to_gray(drawing)
    use_drawing = gray is not None and bool(pad_ink(gray).any())
    return (*_predicted(_subject(picture, drawing, use_drawing, model, lang), lang), use_drawing)


def no_progress(share, desc=None) -> None:
    """The progress bar of a computation nobody watches (the warm-up, the opacity slider's redraw). A ``gr.Progress``
    itself cannot be tested for with ``if progress:``: it is falsy until it tracks an iterable."""


def _explained(subject: Subject, target: int, methods, settings: logic.Settings, progress=no_progress, lang="en",
               after: float = 0.0):
    """The maps, memoised; a busy class stops computing them in time to leave ``after`` seconds for what the caller
    does with them (``core.heavy.out_of_time``)."""
    order = sorted(methods, key=CHEAP_FIRST.index)

    def compute():
        def report(i, method):
            progress(i / len(methods), desc=t("saliency.progress_method", lang, method=method_name(method, lang),
                                              done=i + 1, total=len(methods)))
            give_way()  # between methods, the other heavy jobs' queued steps run first (core.heavy)
        with heavy_threads():
            maps = logic.attribute_all(subject.bundle.model, subject.x, target, order, settings,
                                       cam_layer=cam_layer(subject.bundle.model),
                                       baseline=_baseline(subject, settings), report=report,
                                       stop=lambda: out_of_time(after=after))
        return {method: maps[method] for method in methods if method in maps}  # the page's order
    return EXPLAINED.get((subject.key, target, methods, settings), compute)


def not_measured(methods, done, lang: str) -> str:
    """The methods a busy class left out ("" when none), named in the user's language."""
    return listed((method_name(m, lang) for m in methods if m not in done), lang)


def class_part(subject: Subject, target: int) -> str:
    """The explained class in a file name: "Egyptian_cat", or "7" for a digit."""
    return export.safe_part(subject.labels[target])


def method_settings(method: str, settings: logic.Settings) -> dict:
    """The settings a method's map depends on, for its file name."""
    if method in logic.NOISE_TYPES:
        return {"sigma": settings.sigma_percent, "n": settings.samples}
    if method == "integrated_gradients":
        return {"steps": settings.ig_steps, "baseline": settings.baseline}
    if method == "occlusion":
        return {"window": settings.window_percent, "stride": settings.stride_percent}
    return {}


def _explain(picture, drawing, use_drawing, model, target, methods, sigma, samples, ig_steps, baseline, window,
             stride, opacity, progress, lang, live=False):
    watch = Stopwatch()
    subject = _subject(picture, drawing, use_drawing, model, lang)
    target = _target(target, subject, lang)
    methods = _methods(methods, lang)
    settings = _settings(sigma, samples, ig_steps, baseline, window, stride, lang, live)
    opacity = slider_value(opacity, t("saliency.name_opacity", lang), *OPACITY_RANGE, live=live)
    maps, cached = _explained(subject, target, methods, settings, progress, lang)
    name = class_part(subject, target)
    panels = [(export.png(_seen(subject), export.file_name(TOPIC, name, "picture")), t("saliency.seen", lang))]
    panels += [(export.png(_panel(subject, logic.unit_scale(maps[m]), opacity),
                           export.file_name(TOPIC, name, m, **method_settings(m, settings))), method_name(m, lang))
               for m in methods if m in maps]
    line = "\n\n".join([prediction_line(subject, target, lang), seen_line(subject, lang)])  # the digit CNN's warning
    if missing := not_measured(methods, maps, lang):
        line += "\n\n" + stopped_note("saliency.explain_stopped", lang, methods=missing)
    if any(m in logic.NOISE_TYPES for m in methods):
        line += "\n\n" + t("saliency.sigma_line", lang, sigma=settings.sigma_percent,
                           value=logic.noise_sigma(subject.x, settings.sigma_percent))
    return panels, line, watch.label(lang, cached)


@handler
@heavy(gpu_seconds=30, memoised=True)
def explain(picture, drawing=None, use_drawing=False, model=None, target=None, methods=DEFAULT_METHODS, sigma=15,
            samples=25, ig_steps=32, baseline="black", window=14, stride=7, opacity=0.6, progress=gr.Progress(),
            lang="en"):
    """Attribution maps of the chosen methods for the class ``target`` (a class index; empty = the top
    prediction), blended over the picture at ``opacity`` on one shared colour scale: a gallery of
    (panel, method name), the prediction line and the timing. Identical requests are answered from a memo."""
    return _explain(picture, drawing, use_drawing, model, target, methods, sigma, samples, ig_steps, baseline,
                    window, stride, opacity, progress, lang)


@handler
def redraw(picture, drawing=None, use_drawing=False, model=None, target=None, methods=DEFAULT_METHODS, sigma=15,
           samples=25, ig_steps=32, baseline="black", window=14, stride=7, opacity=0.6, lang="en"):
    """The page's own call while the opacity slider moves: the maps come from the memo."""
    return _explain(picture, drawing, use_drawing, model, target, methods, sigma, samples, ig_steps, baseline,
                    window, stride, opacity, no_progress, lang, live=True)


@handler
@heavy(gpu_seconds=60, memoised=True)
def sample_sweep(picture, drawing=None, use_drawing=False, model=None, target=None, sigma=15, opacity=0.6,
                 progress=gr.Progress(), lang="en"):
    """SmoothGrad at ``sigma`` with N = 1, 5, 25 and 100 samples, on one colour scale: a gallery and the timing."""
    watch = Stopwatch()
    subject = _subject(picture, drawing, use_drawing, model, lang)
    target = _target(target, subject, lang)
    sigma = slider_value(sigma, t("saliency.name_sigma", lang), *SIGMA_RANGE)
    opacity = slider_value(opacity, t("saliency.name_opacity", lang), *OPACITY_RANGE)

    def compute():
        maps, started = [], time.monotonic()
        with heavy_threads():
            for i, n in enumerate(SCRUB_SAMPLES):
                progress(i / len(SCRUB_SAMPLES), desc=t("saliency.progress_samples", lang, n=n))
                give_way()
                per_sample = (time.monotonic() - started) / sum(SCRUB_SAMPLES[:i]) if i else 0.0
                if maps and out_of_time(next_part=per_sample * n):  # a busy class: the sweep so far (not memoised)
                    break
                settings = logic.Settings(sigma_percent=sigma, samples=n)
                maps.append(logic.attribute(subject.bundle.model, subject.x, target, "smoothgrad", settings))
        return maps

    maps, cached = CHECKS.get(("samples", subject.key, target, sigma), compute)
    scale = shared_scale(*maps, percentile=99)
    name = class_part(subject, target)
    panels = [(export.png(_panel(subject, heat, opacity, scale),
                          export.file_name(TOPIC, name, "smoothgrad", sigma=sigma, n=n)), f"N = {n}")
              for n, heat in zip(SCRUB_SAMPLES, maps)]
    label = watch.label(lang, cached)
    if len(maps) < len(SCRUB_SAMPLES):
        label = stopped_note("saliency.samples_stopped", lang, n=SCRUB_SAMPLES[len(maps) - 1]) + "\n\n" + label
    return panels, label


def _sanity_result(subject: Subject, target: int, methods, settings: logic.Settings, progress=no_progress,
                   lang="en"):
    capped = logic.sanity_settings(settings)
    model = subject.bundle.model

    def report(share, step):
        progress(share, desc=t("saliency.progress_step", lang, step=step_name(step, lang)))
        give_way()

    def compute():
        with heavy_threads():
            return logic.cascading_randomization(lambda: copy.deepcopy(model), randomization_steps(model), subject.x,
                                                 target, methods, capped, cam_layer, _baseline(subject, capped),
                                                 report, picture=subject.picture,
                                                 stop=lambda: out_of_time(parts=2))  # the next step, then the last
    return CHECKS.get(("sanity", subject.key, target, methods, capped), compute)


def number(value: float, digits: int = 2) -> str:
    """A figure for a table: never "-0.00"."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def sanity_frames(result: logic.SanityResult, lang: str) -> list[pd.DataFrame]:
    """One frame per similarity (Spearman |·|, Spearman signed, SSIM, HOG): step, method, value."""
    steps = [step_name(s, lang) for s in result.steps]
    frames = []
    for metric in similarity.METRICS:
        rows = [(steps[i], method_name(m, lang), float(values[metric][i]))
                for m, values in result.similarity.items() for i in range(len(steps))]
        frames.append(pd.DataFrame(rows, columns=["step", "method", "s"]))
    return frames


def sanity_table(result: logic.SanityResult, lang: str) -> str:
    """A row per method: each similarity once every layer is random, with its vote, and the verdict."""
    columns = [t("saliency.col_method", lang)] + [t(f"saliency.metric_{m}", lang).replace("|", "\\|")
                                                  for m in similarity.METRICS]  # a bare | would split the cell
    lines = ["| " + " | ".join(columns + [t("saliency.col_verdict", lang)]) + " |",
             "| --- |" + " ---: |" * len(similarity.METRICS) + " --- |"]
    marks = {"changed": "✓", "tied": "✗", "unclear": "?"}
    for method, verdict in result.verdicts.items():
        cells = [f"{number(verdict.similarity[m])} {marks[verdict.votes[m]]}" for m in similarity.METRICS]
        lines.append(f"| {method_key(method, lang)} | " + " | ".join(cells)
                     + f" | {t('saliency.verdict_' + verdict.verdict, lang)} |")
    return "\n".join(lines)


@handler
@heavy(gpu_seconds=60, memoised=True)
def sanity(picture, drawing=None, use_drawing=False, model=None, target=None, methods=DEFAULT_METHODS, sigma=15,
           samples=25, ig_steps=32, baseline="black", window=14, stride=7, progress=gr.Progress(), lang="en"):
    """Cascading randomisation (Adebayo et al. 2018): the maps after each step (one picture: a row per method and
    the two references, the input and an edge detector's map; a column per step), four pictures of curves
    (Spearman rank correlation of the maps' sizes and of the signed maps, SSIM, HOG similarity with the original,
    per step and method; the numbers are in the CSV), a verdict table (changed / still tied / unclear,
    from the four similarities) and the timing. Memoised; at most 10 SmoothGrad samples, 16 IG steps and an
    Occlusion stride of at least 14%."""
    watch = Stopwatch()
    subject = _subject(picture, drawing, use_drawing, model, lang)
    target = _target(target, subject, lang)
    methods = _methods(methods, lang)
    settings = _settings(sigma, samples, ig_steps, baseline, window, stride, lang)
    result, cached = _sanity_result(subject, target, methods, settings, progress, lang)
    capped = logic.sanity_settings(settings)
    notes = [t("saliency.sanity_rule", lang, low=similarity.CHANGED_BELOW, high=similarity.TIED_ABOVE,
               votes=similarity.VOTES_NEEDED, total=len(similarity.METRICS)),
             t("saliency.sanity_capped", lang, samples=logic.SANITY_CAP["samples"], steps=logic.SANITY_CAP["ig_steps"],
               stride=number(capped.stride_percent, 0),
               positions=logic.occlusion_positions(subject.x.shape[-1], capped))]
    if result.skipped:
        notes.insert(0, stopped_note("saliency.sanity_skipped", lang, steps=listed(
            (step_name(step, lang) for step in result.skipped), lang)))
    *pictures, table = _sanity_files(subject, target, methods, capped, result, lang)
    return (*pictures, sanity_table(result, lang) + "\n\n" + "\n\n".join(notes), watch.label(lang, cached), table)


def _sanity_files(subject: Subject, target: int, methods, capped: logic.Settings, result: logic.SanityResult,
                  lang: str) -> tuple[str, ...]:
    """The sanity check's files: the strips of maps, a picture of curves per similarity, and the CSV; drawn once
    per check and language (~2 s for the five pictures) and handed out again to the next student asking."""
    def draw():
        steps = [step_name(s, lang) for s in result.steps]
        names = {m: method_name(m, lang) for m in methods}
        rows = {"input": t("saliency.reference_input", lang), "edge": t("saliency.reference_edge", lang)} | names
        maps = {"input": (result.picture,) * len(steps), "edge": (result.edge,) * len(steps)} | dict(result.maps)
        name = export.file_name(TOPIC, class_part(subject, target), "sanity", *methods)
        curves = [export.png(figures.sanity_curves({m: values[metric] for m, values in result.similarity.items()},
                                                   steps, names, METHOD_COLORS, t(f"saliency.metric_{metric}", lang)),
                             f"{name}-{metric.replace('_', '-')}") for metric in similarity.METRICS]
        frames = sanity_frames(result, lang)
        table = export.csv([(t(f"saliency.metric_{metric}", lang), *row) for metric, frame
                            in zip(similarity.METRICS, frames) for row in frame.itertuples(index=False)],
                           name, header=[t("saliency.col_similarity", lang), t("saliency.col_step", lang),
                                         t("saliency.col_method", lang), "s"])
        return export.png(figures.sanity_grid(maps, rows, steps), name), *curves, table
    return SANITY_DRAWN.get(("sanity", subject.key, target, tuple(methods), capped, lang), draw)


def _fill(subject: Subject, fill: str):
    return _baseline(subject, logic.Settings(baseline="blurred")) if fill == "blurred" else None


def _deletion_result(subject: Subject, target: int, methods, settings: logic.Settings, fill: str, progress=no_progress,
                     lang="en"):
    def compute():
        fill_x = _fill(subject, fill)

        def curves_for(method: str, heat: np.ndarray | None, share: float) -> logic.Curves:
            progress(share, desc=t("saliency.progress_deletion", lang, method=method_name(method, lang)))
            give_way()
            with heavy_threads():
                if heat is None:
                    return logic.random_reference(subject.bundle.model, subject.x, target, fill_x)
                return logic.perturbation_curves(subject.bundle.model, subject.x, target, heat, fill_x)

        # Random first (every method is read against it), timed: in a busy class the maps step leaves time for one
        # method's curves (about as long), and each method's curves start only if they can end in time. When not
        # even one map and its curves fit (a slow machine at the start of a class), the answer says so at once.
        started = time.monotonic()
        curves = {"random": curves_for("random", None, 0.0)}
        one_curve = time.monotonic() - started
        maps = {}
        if not out_of_time(next_part=one_curve, after=one_curve):  # a map about as long as a curve, then its curves
            def maps_bar(share, desc=None):  # the maps fill the bar's middle third
                progress((1 + share) / 3, desc=desc)
            maps, _ = _explained(subject, target, methods, settings, maps_bar, lang, after=one_curve)
        for i, (method, heat) in enumerate(maps.items()):
            if out_of_time(next_part=one_curve):  # a busy class: the methods measured so far (not memoised)
                break
            curves[method] = curves_for(method, heat, (2 + i / len(maps)) / 3)  # the bar's last third
        return {method: curves[method] for method in [*methods, "random"] if method in curves}  # random last
    return CHECKS.get(("deletion", subject.key, target, methods, settings, fill), compute)


def curve_frame(curves: dict[str, logic.Curves], kind: str, lang: str) -> pd.DataFrame:
    percent = logic.DELETION_STEPS * 100
    return pd.DataFrame([(float(x), method_name(m, lang), float(p)) for m, c in curves.items()
                         for x, p in zip(percent, getattr(c, kind).mean(axis=0))], columns=["removed", "method", "p"])


def deletion_table(curves: dict[str, logic.Curves], p_start: float, lang: str, missing: str = "") -> str:
    """AUCs (mean ± half the spread over the tie-breaking orders), and what each curve says against random;
    ``missing``: the methods a busy class left out (``not_measured``)."""
    reference = curves["random"]
    head = [t("saliency.col_method", lang), t("saliency.col_auc", lang), t("saliency.col_insertion", lang)]
    lines = ["| " + " | ".join(head) + " |", "| --- | --- | --- |"]
    for method, c in curves.items():
        cells = []
        for kind in ("deletion", "insertion"):
            auc = c.auc(kind)
            cell = f"{number(auc.mean(), 3)}"
            if auc.size > 1:  # no-break spaces: the number stays on one line where the verdict wraps (a phone)
                cell += f"\u00a0±\u00a0{number(np.ptp(auc) / 2, 3)}"
            if method != "random":
                cell += " · " + t(f"saliency.reading_{logic.read_curves(c, reference, kind).verdict}", lang)
            cells.append(cell)
        lines.append(f"| {method_key(method, lang)} | " + " | ".join(cells) + " |")
    notes = [t("saliency.deletion_rule", lang, orders=logic.TIE_ORDERS, gap=logic.MIN_AUC_GAP)]
    if p_start < logic.LOW_CLASS_P:
        notes.insert(0, t("saliency.deletion_low_p", lang, p=p_start, low=logic.LOW_CLASS_P))
    if missing:
        notes.insert(0, stopped_note("saliency.deletion_stopped", lang, methods=missing))
    return "\n".join(lines) + "\n\n" + "\n\n".join(notes)


@handler
@heavy(gpu_seconds=60, memoised=True)
def deletion(picture, drawing=None, use_drawing=False, model=None, target=None, methods=DEFAULT_METHODS, sigma=15,
             samples=25, ig_steps=32, baseline="black", window=14, stride=7, fill="grey", progress=gr.Progress(),
             lang="en"):
    """Deletion and insertion curves (Petsiuk et al. 2018): p(target) as 0-100% of the pixels are removed (set to
    ``fill``: "grey", the model's zero input, or "blurred"), most salient first, and as they are put back into the
    fill; per method and for random orders (two line plots; ties broken at random, 3 orders averaged), the AUC
    table with what each curve says against random (a warning when p(target) is below 0.5) and the timing.
    Memoised."""
    watch = Stopwatch()
    subject = _subject(picture, drawing, use_drawing, model, lang)
    target = _target(target, subject, lang)
    methods = _methods(methods, lang)
    settings = _settings(sigma, samples, ig_steps, baseline, window, stride, lang)
    fill = _option(fill, ("grey", "blurred"), "grey")
    curves, cached = _deletion_result(subject, target, methods, settings, fill, progress, lang)
    p_start = float(subject.probs[target])
    frames = {kind: curve_frame(curves, kind, lang) for kind in ("deletion", "insertion")}
    table = export.csv([(t(f"saliency.curve_{kind}", lang), *row) for kind, frame in frames.items()
                        for row in frame.itertuples(index=False)],
                       export.file_name(TOPIC, class_part(subject, target), "deletion", fill, *methods),
                       header=[t("saliency.col_curve", lang), t("saliency.axis_removed", lang),
                               t("saliency.col_method", lang), "p"])
    missing = not_measured(methods, curves, lang)
    return (frames["deletion"], frames["insertion"], deletion_table(curves, p_start, lang, missing),
            watch.label(lang, cached), table)


@handler
def first_example():
    """The picture the tab opens with."""
    return examples()[0]


@handler
def cleared():
    """The picture was removed: no predictions (nor their downloads), no maps (until the next picture)."""
    return pd.DataFrame({"class": [], "p": []}), "", [], "", None


@handler
def uploaded():
    """A picture was uploaded: it is explained, not the drawing ("explain my drawing" unticked)."""
    return False


@handler
def pick(position, model=None, lang="en"):
    """Example position (photos first, then test digits) -> the picture, "explain my drawing" unticked, and the
    model that reads it: a test digit picked while a photo model is chosen switches to the digit model, a photo
    picked under the digit model to the packaged photo model, with a note (before, a test digit ran on the
    ImageNet model, which read it as some object). Returns (picture, use drawing, model, model line)."""
    pictures = examples()
    position = gallery_position(position, len(pictures))
    key = _model_key(model) or CLASSIFIER.best().key
    digit = position >= len(pictures) - EXAMPLE_DIGITS
    if digit != (key == DIGIT_CNN.key):
        key = DIGIT_CNN.key if digit else EFFICIENTNET_LITE0.key
        notify(t("saliency.switched_to_digit" if digit else "saliency.switched_to_photo", lang, model=key), lang)
    return pictures[position], False, key, models.choice_line(CLASSIFIER.choice(key), lang)


# ------------------------------------------------------------------ layout

def build_tab(i18n: gr.I18n, demo: gr.Blocks) -> None:
    """The tab, section by section: the maps, SmoothGrad's N, the sanity check, deletion, the notes, questions."""
    with gr.Tab(i18n("saliency.tab"), id=TOPIC, elem_id="tab-saliency"):
        gr.Markdown(i18n("saliency.intro"), elem_classes=["tab-intro"])
        explained = _explain_section(i18n, demo)
        sweep = _samples_section(i18n, explained)
        sanity_pictures = _sanity_section(i18n, explained)
        _deletion_section(i18n, explained)
        export.downloadable(explained.maps, sweep, *sanity_pictures)
        with gr.Accordion(i18n("app.notes"), open=False, elem_classes=["lecture-notes"]):
            gr.Markdown(i18n("saliency.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                                 {"left": "$", "right": "$", "display": False}])
        questions_panel(i18n, TOPIC, QUESTIONS, controls={"sigma": explained.sigma, "methods": explained.methods},
                        actions={"explain": explained.args})


def _explain_section(i18n: gr.I18n, demo: gr.Blocks) -> SimpleNamespace:
    """A picture (an example, an upload or a drawing), the model's top 5 and the maps of the chosen methods."""
    screen = _first_screen(i18n)
    form = _explain_controls(i18n)
    picture, sketch, use_drawing, model = screen.picture, form.sketch, form.use_drawing, form.model
    subject_inputs = [picture, sketch, use_drawing, model] if model is not None else [picture, sketch, use_drawing]
    setting_inputs = [form.sigma, form.samples, form.ig_steps, form.baseline, form.window, form.stride]
    explain_inputs = subject_inputs + [form.target, form.methods] + setting_inputs
    predicted = [form.bars, form.target, screen.line, form.bars_csv]
    predict_args = dict(fn=predict, inputs=subject_inputs, outputs=predicted, show_progress="hidden", **LIGHT)
    maps_outputs = [screen.maps, screen.line, screen.timing]
    explain_args = dict(fn=explain, inputs=explain_inputs + [screen.opacity], outputs=maps_outputs, **HEAVY)

    # The first example arrives with the page (as a default value, Gradio's API page would show an
    # example picture from the internet), then is predicted and explained like any picture.
    explains = [demo.load(first_example, None, picture, api_name="saliency_start", api_visibility="private",
                          show_progress="hidden", **LIGHT).then(
        api_name="saliency_predict_start", api_visibility="private", **predict_args).then(
        api_name="saliency_explain_start", api_visibility="private", **explain_args)]
    export.when_clicked(form.bars_png, chart, subject_inputs, api_name="saliency_chart", **LIGHT)
    explains.append(gr.on([use_drawing.input], api_name="saliency_predict", **predict_args).then(
        api_name="saliency_explain_input", api_visibility="private", **explain_args))
    # An uploaded picture replaces a drawing, as a picked example does.
    explains.append(picture.upload(uploaded, None, use_drawing, api_name="saliency_uploaded",
                                   api_visibility="private", show_progress="hidden", **LIGHT).then(
        api_name="saliency_predict_upload", api_visibility="private", **predict_args).then(
        api_name="saliency_explain_upload", api_visibility="private", **explain_args))
    picture.clear(cleared, None, [form.bars, screen.line, screen.maps, screen.timing, form.bars_csv],
                  api_name="saliency_cleared", api_visibility="private", show_progress="hidden", **LIGHT)
    # A drawing explains itself (no box to find first); the bin goes quietly back to the picture.
    explains.append(gr.on(
        [sketch.input, sketch.clear], draw, inputs=[picture, sketch] + ([model] if model is not None else []),
        outputs=[*predicted, use_drawing], api_name="saliency_draw", api_visibility="private",
        trigger_mode="always_last", show_progress="hidden", **LIGHT).then(
        api_name="saliency_explain_drawing", api_visibility="private", **explain_args))
    demo.load(None, js=select_brush_js("saliency-sketch"))
    sketch.clear(None, js=select_brush_js("saliency-sketch"))
    explains.append(on_gallery_click(screen.gallery, pick, inputs=[model],  # the slot has three choices: a list
                                     outputs=[picture, use_drawing, model, form.model_status], api_name="saliency_pick",
                                     elsewhere=[picture.upload, picture.clear, sketch.input, use_drawing.input],
                                     show_progress="hidden", **LIGHT).then(
        api_name="saliency_predict_picked", api_visibility="private", **predict_args).then(
        api_name="saliency_explain_picked", api_visibility="private", **explain_args))
    explains.append(gr.on([form.explain_button.click, form.target.input], api_name="saliency_explain",
                          **explain_args))
    explains.append(screen.opacity.input(redraw, explain_inputs + [screen.opacity], maps_outputs,
                                         api_name="saliency_redraw", api_visibility="private", show_progress="hidden",
                                         trigger_mode="always_last", **LIGHT))
    if model is not None:
        explains.append(model.select(model_loader(CLASSIFIER), model, [model, form.model_status],
                                     api_name="saliency_model", **MODEL_LANE).success(
            api_name="saliency_predict_model", api_visibility="private", **predict_args).then(
            api_name="saliency_explain_model", api_visibility="private", **explain_args))
    # Maps refused (no method ticked, a busy class) are another picture's or other methods': greyed, without
    # Gradio's red badges over them (the pop-up says why), until maps are made again.
    grey_when_refused(explains, MAP_IDS, "saliency-timing", badges_on=["saliency-line"])

    # What makes the sections below (SmoothGrad's N, the sanity check, deletion) stale: another picture or drawing,
    # class, model, method or setting.
    changed = [picture.upload, picture.clear, screen.gallery.select, sketch.input, sketch.clear, use_drawing.input,
               form.target.input, form.methods.input, *(setting.input for setting in setting_inputs)]
    changed += [model.select] if model is not None else []
    return SimpleNamespace(subject_inputs=subject_inputs, explain_inputs=explain_inputs, target=form.target,
                           methods=form.methods, sigma=form.sigma, opacity=screen.opacity, maps=screen.maps,
                           args=explain_args, changed=changed)


def _first_screen(i18n: gr.I18n) -> SimpleNamespace:
    """First screen (a 1280x720 projector): the picture and its examples beside the predicted class and the maps."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=280):
            picture = Image(type="filepath", sources=["upload", "clipboard"], height=250,
                            label=i18n("saliency.picture"), elem_id="saliency-picture")
            gr.Markdown(i18n("saliency.examples"), elem_classes=["plot-caption"])
            gallery = gr.Gallery(list(examples()), show_label=False, columns=9, rows=1, height="auto",
                                 allow_preview=False, interactive=False, object_fit="cover", buttons=[],
                                 elem_id="saliency-gallery", elem_classes=["thumb-gallery"])
        with gr.Column(scale=8, min_width=300, elem_classes=["results-first"]):
            line = gr.Markdown(elem_id="saliency-line")
            gr.Markdown(i18n("saliency.maps"), elem_classes=["plot-caption"])
            maps = Gallery(show_label=False, columns=4, object_fit="contain", allow_preview=True, format="png",
                           buttons=["fullscreen"], elem_id="saliency-maps", elem_classes=["panel-gallery"])
            opacity = Slider(*OPACITY_RANGE, value=0.6, step=0.05, buttons=[], label=i18n("saliency.opacity"),
                             elem_id="saliency-opacity")
            timing = gr.Markdown(elem_id="saliency-timing")

    return SimpleNamespace(picture=picture, gallery=gallery, line=line, maps=maps, opacity=opacity, timing=timing)


def _explain_controls(i18n: gr.I18n) -> SimpleNamespace:
    """Below the first screen: what to explain and how, the top 5, the drawing pad and the model."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=280):
            with gr.Accordion(i18n("saliency.sketch"), open=False):
                sketch, use_drawing = digit_pad(i18n, TOPIC)
            gr.Markdown(i18n("saliency.predictions"), elem_classes=["plot-caption"])
            bars = gr.BarPlot(x="p", y="class", x_lim=[0, 1], height=240, x_title="p", y_title=" ",
                              show_label=False, elem_id="saliency-predictions")
            with gr.Row():
                bars_png = export.drawn_button(i18n, elem_id="saliency-predictions-png")
                bars_csv = export.download_button(i18n, elem_id="saliency-predictions-csv")
            model, model_status = model_picker(CLASSIFIER, i18n, elem_id="saliency-model")
        with gr.Column(scale=8, min_width=300):
            target = Dropdown([], value=None, label=i18n("saliency.target"), filterable=True,
                              elem_id="saliency-target")
            methods = CheckboxGroup([(i18n(f"saliency.method_{m}"), m) for m in logic.METHODS],
                                    value=list(DEFAULT_METHODS), label=i18n("saliency.methods"),
                                    elem_id="saliency-methods")
            with gr.Accordion(i18n("saliency.settings"), open=False):
                with gr.Row():
                    sigma = Slider(*SIGMA_RANGE, value=15, step=1, label=i18n("saliency.sigma"),
                                   elem_id="saliency-sigma")
                    samples = Slider(*SAMPLES_RANGE, value=25, step=1, precision=0,
                                     label=i18n("saliency.samples"), elem_id="saliency-samples")
                with gr.Row():
                    ig_steps = Slider(*STEPS_RANGE, value=32, step=1, precision=0, label=i18n("saliency.ig_steps"),
                                      elem_id="saliency-ig-steps")
                    baseline = Radio([(i18n(f"saliency.baseline_{b}"), b) for b in logic.BASELINES],
                                     value="black", label=i18n("saliency.baseline"), elem_id="saliency-baseline")
                with gr.Row():
                    window = Slider(*WINDOW_RANGE, value=14, step=1, label=i18n("saliency.window"),
                                    elem_id="saliency-window")
                    stride = Slider(*STRIDE_RANGE, value=7, step=1, label=i18n("saliency.stride"),
                                    elem_id="saliency-stride")
            explain_button = gr.Button(i18n("saliency.explain"), variant="primary", elem_id="saliency-explain")

    return SimpleNamespace(sketch=sketch, use_drawing=use_drawing, bars=bars, bars_png=bars_png, bars_csv=bars_csv,
                           model=model, model_status=model_status, target=target, methods=methods, sigma=sigma,
                           samples=samples, ig_steps=ig_steps, baseline=baseline, window=window, stride=stride,
                           explain_button=explain_button)


def _samples_section(i18n: gr.I18n, explained: SimpleNamespace):
    """SmoothGrad with N = 1, 5, 25 and 100 noisy copies, on one colour scale."""
    gr.Markdown(i18n("saliency.samples_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("saliency.samples_intro"))
    samples_button = gr.Button(i18n("saliency.samples_button"), elem_id="saliency-samples-button")
    sweep = Gallery(show_label=False, columns=4, object_fit="contain", format="png", buttons=["fullscreen"],
                    elem_id="saliency-sweep", elem_classes=["panel-gallery"])
    sweep_timing = gr.Markdown(elem_id="saliency-sweep-timing")
    sweep_inputs = explained.subject_inputs + [explained.target, explained.sigma, explained.opacity]
    shown = ["saliency-sweep", "saliency-sweep-timing"]
    run = samples_button.click(sample_sweep, sweep_inputs, [sweep, sweep_timing], api_name="saliency_samples",
                               js=starting_js(shown), **HEAVY)
    grey_until_rerun(run, explained.changed, shown, "saliency-sweep-timing")

    return sweep


def _sanity_section(i18n: gr.I18n, explained: SimpleNamespace):
    """The sanity check: the maps as the model is randomised layer by layer, and their similarity to the original."""
    gr.Markdown(i18n("saliency.sanity_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("saliency.sanity_intro"))
    sanity_button = gr.Button(i18n("saliency.sanity_button"), elem_id="saliency-sanity-button")
    gr.Markdown(i18n("saliency.sanity_plot"), elem_classes=["plot-caption"])
    curves = []
    for row in (similarity.METRICS[:2], similarity.METRICS[2:]):
        with gr.Row():
            for metric in row:
                with gr.Column(min_width=280):
                    curves.append(Image(show_label=False, interactive=False, buttons=["fullscreen"],
                                        elem_id=f"saliency-sanity-{metric.replace('_', '-')}"))
    sanity_text = gr.Markdown(elem_id="saliency-sanity-table", elem_classes=["results-table"])
    gr.Markdown(i18n("saliency.sanity_maps"), elem_classes=["plot-caption"])
    strips = Image(show_label=False, interactive=False, buttons=["fullscreen"], elem_id="saliency-sanity-maps")
    sanity_timing = gr.Markdown(elem_id="saliency-sanity-timing")
    sanity_csv = export.download_button(i18n, elem_id="saliency-sanity-csv")
    shown = ["saliency-sanity-maps", "saliency-sanity-table", "saliency-sanity-timing",
             *(curve.elem_id for curve in curves)]
    run = sanity_button.click(sanity, explained.explain_inputs,
                              [strips, *curves, sanity_text, sanity_timing, sanity_csv],
                              api_name="saliency_sanity", js=starting_js(shown), **HEAVY)
    grey_until_rerun(run, explained.changed, shown, "saliency-sanity-table")

    return [strips, *curves]


def _deletion_section(i18n: gr.I18n, explained: SimpleNamespace) -> None:
    """Deletion and insertion: the class probability as the most salient pixels are removed, or put back."""
    gr.Markdown(i18n("saliency.deletion_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("saliency.deletion_intro"))
    with gr.Row():
        fill = Radio([(i18n("saliency.fill_grey"), "grey"), (i18n("saliency.fill_blurred"), "blurred")],
                     value="grey", label=i18n("saliency.fill"), elem_id="saliency-fill")
        deletion_button = gr.Button(i18n("saliency.deletion_button"), elem_id="saliency-deletion-button")
    with gr.Row():
        with gr.Column(min_width=280):
            gr.Markdown(i18n("saliency.deletion_plot"), elem_classes=["plot-caption"])
            deletion_plot = gr.LinePlot(x="removed", y="p", color="method", height=260, show_label=False,
                                        x_title=i18n("saliency.axis_removed"), color_map=plot_colors(),
                                        colors_in_legend=[], elem_id="saliency-deletion-plot")
        with gr.Column(min_width=280):
            gr.Markdown(i18n("saliency.insertion_plot"), elem_classes=["plot-caption"])
            insertion_plot = gr.LinePlot(x="removed", y="p", color="method", height=260, show_label=False,
                                         x_title=i18n("saliency.axis_inserted"), color_map=plot_colors(),
                                         colors_in_legend=[], elem_id="saliency-insertion-plot")
    deletion_text = gr.Markdown(elem_id="saliency-deletion-table", elem_classes=["results-table"])
    deletion_timing = gr.Markdown(elem_id="saliency-deletion-timing")
    deletion_csv = export.download_button(i18n, elem_id="saliency-deletion-csv")
    shown = ["saliency-deletion-plot", "saliency-insertion-plot", "saliency-deletion-table", "saliency-deletion-timing"]
    run = deletion_button.click(deletion, explained.explain_inputs + [fill],
                                [deletion_plot, insertion_plot, deletion_text, deletion_timing, deletion_csv],
                                api_name="saliency_deletion", js=starting_js(shown), **HEAVY)
    grey_until_rerun(run, [*explained.changed, fill.input], shown, "saliency-deletion-table")


def warm_up() -> None:
    """Before the first student asks: the default model, and the default maps, sanity check and deletion
    curves of the first example photo, then each batched method on each ready model (about 25 s on one core, in
    the background)."""
    pictures = examples()
    if not pictures:
        return
    import tempfile

    from PIL import Image as PILImage

    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        PILImage.fromarray(pictures[0]).save(handle.name)
        subject = _subject(handle.name, None, False, None, "en")
        target = int(subject.probs.argmax())
        settings = _settings(*DEFAULT_SETTINGS, lang="en")
        _explained(subject, target, DEFAULT_METHODS, settings)
        _sanity_result(subject, target, DEFAULT_METHODS, settings)  # the two buttons a class presses first
        _deletion_result(subject, target, DEFAULT_METHODS, settings, "grey")
        # Each batched method on each ready model, at small settings. Every run of a method uses one batch shape
        # (logic.in_chunks), so this compiles all the kernels a class needs, which are kept for good (oneDNN).
        # Captum's IG takes another path, with other memory layouts, past one batch of steps: both are run.
        small = dataclasses.replace(settings, samples=settings.batch, ig_steps=logic.ig_batch(settings),
                                    window_percent=30, stride_percent=30)  # 3x3 windows: one Occlusion batch
        for choice in CLASSIFIER.choices:
            if choice.available() and not choice.needs_download():
                ready = _subject(handle.name, None, False, choice.key, "en")
                for method in ("smoothgrad", "integrated_gradients", "occlusion"):
                    logic.attribute_pair(ready.bundle.model, ready.x, 0, method, small)
                logic.attribute_pair(ready.bundle.model, ready.x, 0, "integrated_gradients",
                                     dataclasses.replace(small, ig_steps=small.ig_steps + 1))
