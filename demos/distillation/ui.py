"""The knowledge-distillation tab: layout and events. The science is in logic.py, the words in
strings.py, the matplotlib figures in figures.py."""
from __future__ import annotations

import dataclasses
import functools
import hashlib

import gradio as gr
import numpy as np
import pandas as pd
import torch
from PIL import Image as PILImage

from core import export
from core.classifier import familiarity, unfamiliar_note
from core.data.digits import STYLE_NAMES, TEST, TRAIN, load_split, to_tensor
from core.device import heavy_threads
from core.heavy import give_way, heavy, out_of_time, pause
from core.i18n import UserInputError, listed, shown, t
from core.memo import Memo
from core.models import ASSETS
from core.plots import COLORS
from core.questions import Question, questions_panel
from core.ui import (
    HEAVY,
    LIGHT,
    Dropdown,
    Image,
    Slider,
    Stopwatch,
    digit_pad,
    drawn_digit,
    gallery_position,
    grey_until_rerun,
    handler,
    model_picker,
    notify,
    on_gallery_click,
    select_brush_js,
    slider_value,
    starting_js,
    stopped_note,
)
from demos.distillation import figures, logic, strokes
from demos.distillation.model import TEACHER

TOPIC = "distillation"
#: Slide links (app.py): ?tab=distillation&preset=NAME presses the button with this elem_id.
PRESETS = {"hinton": "distillation-preset"}
#: What a training shows (greyed when a training setting moves, until the next training).
TRAINED_IDS = ["distillation-curves", "distillation-table", "distillation-held-note", "distillation-train-timing"]
RESULTS_DIR = ASSETS / TOPIC
T_RANGE, ALPHA_RANGE, EPOCH_RANGE, FRACTION_RANGE, SEED_RANGE = (0.5, 20), (0, 1), (1, 100), (1, 100), (1, 10)
#: T, α and the transfer set's % are used, and shown in their boxes and results, to 2 decimals: a typed
#: 3.33333 is T = 3.33 everywhere (rounded once, as the value comes in).
DECIMALS = 2
#: The button's defaults are the settings train.py's sweep measures (5 seeds: the notes quote what it shows).
DEFAULTS = {"temperature": 4.0, "alpha": 0.9, "epochs": 30, "fraction": 1, "held_out": "none", "seeds": 5}
#: Hinton et al. 2015, section 3 (T = 20, every 3 held out, the whole transfer set), with the rest as
#: train.py ran it, so the button reproduces the numbers the lecture notes quote.
PAPER = {"temperature": 20.0, "alpha": 0.9, "epochs": 30, "fraction": 100, "held_out": "3", "seeds": 5}
TRAIN_INPUTS = ("temperature", "alpha", "epochs", "fraction", "held_out", "seeds")
#: Hinton et al. 2015, section 3: 133 of the 1,010 test 3s wrong before the bias correction, 14 after.
PAPER_HELD_OUT = {"before": 1 - 133 / 1010, "after": 1 - 14 / 1010}
GRAD_TEMPERATURES = np.geomspace(1, 20, 40)
BAR_COLORS = {"prediction": "#111827", "other": COLORS["main"], "cut": "#111827"}  # cut: the pick, zoomed past

#: Predict, then check (core.questions): the words are in strings.py, QUESTIONS.
QUESTIONS = (Question("entropy", {"temperature": 20.0}, run=("soften",)),
             Question("t2", {"temperature": 20.0}, run=("soften",)),
             Question("alpha0", {"alpha": 0.0}, run=("train",)),
             Question("heldout", press="distillation-preset"))

TRAINING = Memo(maxsize=64)  # finished runs, keyed on every input: 30 identical clicks, one training
TEACHER_TARGETS = Memo(maxsize=2)  # the teacher's logits over the training digits, per teacher
GRADIENT_FILES = export.Drawn()  # the gradient plot's PNG per digit and language


# ------------------------------------------------------------------ data for the browser's plots

@functools.lru_cache(maxsize=1)
def showcase_indices() -> tuple[int, ...]:
    """Two test digits per class: the gallery, handwritten 0-9 then typeset 0-9."""
    test = load_split(TEST)
    picks = []
    for style in (0, 1):
        for digit in range(10):
            picks.append(int(np.flatnonzero((test.labels == digit) & (test.style == style))[0]))
    return tuple(picks)


def class_frame(probs: np.ndarray, prediction: int, logits: np.ndarray) -> pd.DataFrame:
    """p_i over the classes i = 0-9, for a bar plot; the predicted class is drawn dark. The teacher's logits z_i
    ride along (not drawn): from them the browser redraws the bars at a new T while the slider moves
    (``soften_in_browser``)."""
    return pd.DataFrame({"i": [str(c) for c in range(len(probs))], "p": probs.astype(float),
                         "kind": ["prediction" if c == prediction else "other" for c in range(len(probs))],
                         "z": logits.astype(float)})


#: The zoom box shows the zoomed pair of plots instead of the plain one (style.css), at once, without the server.
ZOOM_JS = "(zoom) => { document.getElementById('distillation-plots')?.classList.toggle('zoomed', !!zoom); }"


def cut_at(frame: pd.DataFrame, top: float) -> pd.DataFrame:
    """A class frame for the zoomed panels: every bar over ``top`` (the teacher's pick) cut to it, its kind "cut".
    The zoomed plots scale themselves to their data (y from 0 to the largest bar) instead of being sent a y-axis
    range: Gradio 6.31 redraws a plot whose range and data change in one update with the old data (the teacher
    review: the zoomed bars froze), and a range that never changes is never sent again."""
    over = frame["p"] > top
    return frame.assign(p=frame["p"].clip(upper=top), kind=np.where(over, "cut", frame["kind"]))


def soften_in_browser(low: float, high: float) -> str:
    """A js= listener: the bars at T redrawn in the browser from the plot's own z column, the moment T moves,
    with logic.softmax_with_temperature's formula, softmax(z / T) (tests/test_browser.py checks the two agree).
    The server's answer (numbers, downloads) follows; until then the bars are already right. With the zoom box
    ticked (the zoomed pair shown instead, ``cut_at``) every bar waits for the server."""
    return f"""(t, plot, zoom) => {{
        if (zoom || !plot || !plot.data || t === null || t === '' || isNaN(t)) return plot;
        const T = Math.min(Math.max(Number(t), {low}), {high});
        const z = plot.columns.indexOf('z'), p = plot.columns.indexOf('p');
        if (z < 0 || p < 0 || !(T > 0)) return plot;
        const scaled = plot.data.map(row => row[z] / T), top = Math.max(...scaled);
        const weights = scaled.map(v => Math.exp(v - top)), total = weights.reduce((a, b) => a + b, 0);
        return {{...plot, data: plot.data.map((row, k) => row.map((v, j) => j === p ? weights[k] / total : v))}};
    }}"""


def enlarge(image: np.ndarray, factor: int = 6) -> np.ndarray:
    return np.kron(image, np.ones((factor, factor), dtype=np.uint8))


def counted(key: str, n: int, lang: str) -> str:
    """"1 epoch", "30 epochs" (the ``_one`` form of ``key`` for one)."""
    return t(key + "_one" if n == 1 else key, lang, n=n)


def factor_text(factor: float, lang: str) -> str:
    """"1.3× smaller", "78× smaller", "5.1× larger": one decimal below 10 (a 1.3× change is not "1×")."""
    if abs(factor - 1) < 0.05:
        return t("distillation.same", lang)
    size = 1 / factor if factor < 1 else factor
    shown = f"{size:.1f}" if size < 9.95 else f"{size:.0f}"
    return t("distillation.smaller" if factor < 1 else "distillation.larger", lang, factor=shown)


# ------------------------------------------------------------------ handlers

def decimal_value(value, name: str, low: float, high: float, *, live: bool = False) -> float:
    """A number box's value, checked (``slider_value``) and rounded to ``DECIMALS``: the value the tab uses."""
    return round(slider_value(value, name, low, high, live=live), DECIMALS)


def box_value(value, low: float, high: float):
    """What a number box shows once the user leaves it: its number as the tab uses it (rounded to ``DECIMALS``,
    inside the range, as Gradio clamps the box), or ``gr.skip()`` when that is already what it shows (or it
    is no number: the handlers explain that)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return gr.skip()
    if number != number:  # NaN
        return gr.skip()
    used = round(min(max(number, low), high), DECIMALS)
    return gr.skip() if used == number else used


def soft_csv(probs_t1: np.ndarray, probs_t: np.ndarray, temperature: float, source: tuple[str, ...], lang: str) -> str:
    """The two bar plots as a table: each class, its probability at T = 1 and at the chosen T."""
    rows = [(c, f"{a:.6g}", f"{b:.6g}") for c, (a, b) in enumerate(zip(probs_t1, probs_t))]
    header = ["i", t("distillation.at_t1", lang), t("distillation.at_your_t", lang)]
    return export.csv(rows, export.file_name(TOPIC, *source, T=temperature), header=header)


def _soften(image: np.ndarray, temperature, source_text: str, lang: str, live: bool,
            source: tuple[str, ...] = ("digit",)):
    watch = Stopwatch()
    temperature = decimal_value(temperature, t("distillation.name_t", lang), *T_RANGE, live=live)
    teacher = TEACHER.get()
    logits = logic.teacher_logits(teacher.model, image[None])[0]
    view = logic.teacher_view(logits, temperature)
    # One call for the curve, the point at T = 1 and the point at the chosen T (the last two entries).
    with_t2, without_t2 = logic.soft_gradient_norms(logits[None], torch.zeros(1, 10),
                                                    np.append(GRAD_TEMPERATURES, [1.0, temperature]))

    # Native plots: the browser draws them, so dragging the slider costs the server almost nothing.
    z = logits.numpy()
    soft_t1, soft_t = class_frame(view.probs_t1, view.prediction, z), class_frame(view.probs_t, view.prediction, z)
    # The zoomed pair: one scale for both panels, fitted to the classes the teacher did not pick
    others = np.delete(np.concatenate([view.probs_t1, view.probs_t]), [view.prediction, 10 + view.prediction])
    top = float(min(1.0, max(others.max() * 1.15, 1e-3)))
    zoom_t1, zoom_t = (gr.BarPlot(cut_at(frame, top), y_lim=[0, None]) for frame in (soft_t1, soft_t))
    soft_t1, soft_t = gr.BarPlot(soft_t1, y_lim=[0, 1]), gr.BarPlot(soft_t, y_lim=[0, 1])  # the same range always
    count = len(GRAD_TEMPERATURES)
    gradients = pd.DataFrame({
        "T": np.concatenate([GRAD_TEMPERATURES, GRAD_TEMPERATURES]),
        "‖∂L/∂v‖": np.concatenate([with_t2[:count], without_t2[:count]]),
        "curve": [t("distillation.curve_with_t2", lang)] * count + [t("distillation.curve_without_t2", lang)] * count,
    })

    ranking = listed(
        (t("distillation.rank_item", lang, cls=c, p=p) for c, p in view.dark_knowledge[:5]), lang)
    change = t("distillation.grad_change", lang, temp=temperature,
               without=factor_text(without_t2[-1] / without_t2[-2], lang),
               with_t2=factor_text(with_t2[-1] / with_t2[-2], lang))
    stats = "\n\n".join(filter(None, [  # the lecture's numbers first: they must sit on a projector's first screen
        t("distillation.entropy", lang, h1=view.entropy_t1, ht=view.entropy_t, temp=temperature),
        t("distillation.dark", lang, temp=temperature, ranking=ranking),
        f"{source_text} · {t('distillation.prediction', lang, digit=view.prediction)}",
        unfamiliar_note(teacher.model, image, lang) if source == ("drawing",) else "",  # a scribble, not a digit
        change,
    ]))
    table = soft_csv(view.probs_t1, view.probs_t, temperature, source, lang)
    name = export.file_name(TOPIC, *source)
    seen_png = export.png(enlarge(image), f"{name}-seen")
    return (soft_t1, soft_t, gradients, enlarge(image), stats, watch.label(lang), table,
            export.frame_csv(gradients, f"{name}-gradient"), seen_png, zoom_t1, zoom_t)


def _test_digit(index, lang: str, live: bool = False):
    test = load_split(TEST)
    index = slider_value(index, t("distillation.name_index", lang), 0, len(test) - 1, integer=True, live=live)
    style = t(f"distillation.style_{STYLE_NAMES[int(test.style[index])]}", lang)
    source = t("distillation.source_test", lang, index=index, style=style, label=int(test.labels[index]))
    return test.images[index], source, (f"test{index}", f"digit{int(test.labels[index])}")


def _digit(test_index, drawing, use_drawing, lang: str, *, say_if_empty: bool = False, live: bool = False):
    """The digit the teacher reads: the drawing (if used and not empty) or the test digit; its source line, its
    file-name parts and whether the drawing is used. An empty canvas falls back to the test digit (with a note
    when the user asked for it and ``say_if_empty``)."""
    image = drawn_digit(drawing) if use_drawing else None
    if image is not None:
        return image, t("distillation.source_drawing", lang), ("drawing",), True
    if use_drawing and say_if_empty:
        notify(t("distillation.canvas_empty", lang), lang, seconds=4)  # not still up once the student draws
    return (*_test_digit(test_index, lang, live), False)


def _view(test_index, drawing, use_drawing, temperature, lang: str, *, say_if_empty: bool, live: bool = False):
    """The soft-target view of the digit (``_digit``), and whether the drawing is used."""
    image, source, name, used = _digit(test_index, drawing, use_drawing, lang, say_if_empty=say_if_empty, live=live)
    return (*_soften(image, temperature, source, lang, live, name), used)


@handler
def soften(test_index, drawing, use_drawing, temperature, zoom=False, lang="en"):
    """The teacher's probabilities at T = 1 and at T for a test digit (or the drawing, if use_drawing and
    the canvas is not empty), the soft-target gradient against T, what the teacher sees, the numbers, the
    timing, the downloads (the probabilities as CSV, the gradient as CSV (its PNG: ``chart``), what the teacher
    sees as PNG), the two zoomed panels (``cut_at``) and whether the drawing was used. ``zoom`` (the page's box)
    only chooses which pair the page shows: both are returned."""
    return _view(test_index, drawing, use_drawing, temperature, lang, say_if_empty=True)


@handler
def soften_live(test_index, drawing, use_drawing, temperature, zoom=False, lang="en"):
    """The page's own call as the user drags or types: a number outside a slider's range counts as its
    nearest end (what Gradio writes back into the box) instead of an error at every keystroke."""
    return _view(test_index, drawing, use_drawing, temperature, lang, say_if_empty=True, live=True)


@handler
def draw(test_index, drawing, temperature, zoom=False, lang="en"):
    """The same for a new stroke: the drawing is used; an empty (cleared) canvas goes back to the test digit."""
    return _view(test_index, drawing, True, temperature, lang, say_if_empty=False)


@handler
def chart(test_index, drawing=None, use_drawing=False, lang="en"):
    """The soft-target gradient against T (both curves) for the digit shown, as a PNG file: drawn when its button is
    clicked (~0.1 s, once per digit and language while the file is kept), not at each new digit. The curve does
    not depend on the chosen T."""
    image, _, name, _ = _digit(test_index, drawing, use_drawing, lang)

    def draw():
        logits = logic.teacher_logits(TEACHER.get().model, image[None])
        with_t2, without_t2 = logic.soft_gradient_norms(logits, torch.zeros(1, 10), GRAD_TEMPERATURES)
        figure = figures.gradient_curves(GRAD_TEMPERATURES, with_t2, without_t2, lang)
        return (export.png(figure, f"{export.file_name(TOPIC, *name)}-gradient"),)

    return GRADIENT_FILES.get((hashlib.sha256(image.tobytes()).hexdigest(), name, lang), draw)[0]


@handler
def pick(position):
    """Gallery position (0-19: handwritten 0-9, then typeset 0-9) -> its test digit #, and the drawing unticked."""
    picks = showcase_indices()
    position = gallery_position(position, len(picks))
    return picks[position], False


def transfer_data(teacher) -> logic.TransferData:
    """The teacher's soft targets for the training digits: computed once per teacher (~2 s)."""
    data, _ = TEACHER_TARGETS.get(teacher.name, lambda: logic.transfer_data(
        teacher.model, load_split(TRAIN), load_split(TEST)))
    return data


@functools.lru_cache(maxsize=1)
def stroke_tests() -> dict:
    """The held-out stroke-drawn digits every run is also scored on (made once, ~0.5 s)."""
    images, labels = strokes.held_out()
    return {"strokes": (to_tensor(images), torch.from_numpy(labels))}


def training_key(teacher, config: logic.StudentConfig) -> tuple:
    """The memo's key for the runs of ``config`` under ``teacher``."""
    return teacher.name, config


def run_training(config: logic.StudentConfig, report=None, stop=None) -> tuple[list[logic.StudentRun], bool]:
    """The students' runs for ``config`` from the memo, or trained now; and whether they came from the memo.
    ``stop()``: asked between epochs (a run it ends is shorter than ``config.epochs`` and not memoised); in a busy
    class a heavy turn gives way between mini-batches too (``core.heavy.pause``), so an epoch is not one long step."""
    teacher = TEACHER.get()
    return TRAINING.get(training_key(teacher, config), lambda: logic.train_students(
        transfer_data(teacher), config, report, extra_tests=stroke_tests(), stop=stop, pause=pause))


def read_config(temperature, alpha, epochs, fraction_percent, held_out, seeds, lang: str) -> logic.StudentConfig:
    name = lambda key: t(f"distillation.name_{key}", lang)  # noqa: E731
    if held_out in (None, "", "none"):
        held = None
    elif str(held_out) in [str(d) for d in range(10)]:
        held = int(held_out)
    else:
        raise UserInputError("distillation.held_out_invalid", value=shown(held_out))
    return logic.StudentConfig(
        temperature=decimal_value(temperature, name("t"), *T_RANGE),
        alpha=decimal_value(alpha, name("alpha"), *ALPHA_RANGE),
        epochs=slider_value(epochs, name("epochs"), *EPOCH_RANGE, integer=True),
        transfer_fraction=decimal_value(fraction_percent, name("fraction"), *FRACTION_RANGE) / 100,
        seeds=slider_value(seeds, name("seeds"), *SEED_RANGE, integer=True),
        held_out_class=held,
    )


def results_table(config: logic.StudentConfig, runs: list[logic.StudentRun], labels: np.ndarray, lang: str) -> str:
    """The settings, the final accuracies (test digits and stroke-drawn digits) as a Markdown table, and the
    verdict on each set computed from this run's per-seed gaps (a table wraps instead of cutting numbers)."""
    summary = logic.summarize(runs)
    drawn = {"distilled": [r.extra["strokes"][0] for r in runs], "hard": [r.extra["strokes"][1] for r in runs]}
    if config.held_out_class is not None:
        drawn.update({f"held_out:{key}": [r.held_out[f"strokes:{key}"] for r in runs]
                      for key in ("distilled", "hard", "distilled_corrected", "hard_corrected")})
    strokes_summary = {key: (float(np.mean(values)), float(np.std(values))) for key, values in drawn.items()}
    # A line break before ±: the table's last column does not wrap (app.py), and on a phone it would be cut.
    fmt = lambda table, key: f"{table[key][0]:.1%}<br>± {table[key][1]:.1%}"  # noqa: E731
    both = lambda key: (fmt(summary, key), fmt(strokes_summary, key))  # noqa: E731
    rows = [(t("distillation.row_distilled", lang, temp=config.temperature, alpha=config.alpha), *both("distilled")),
            (t("distillation.row_hard", lang), *both("hard"))]
    cls = config.held_out_class
    if cls is not None:
        for student in ("distilled", "hard"):
            name = t(f"distillation.student_{student}", lang)
            rows.append((t("distillation.row_held", lang, student=name, cls=cls), *both(f"held_out:{student}")))
            rows.append((t("distillation.row_held_corrected", lang, student=name, cls=cls),
                         *both(f"held_out:{student}_corrected")))
        if cls == 3:
            rows.append((t("distillation.row_paper", lang), f"{PAPER_HELD_OUT['before']:.1%}", "–"))
            rows.append((t("distillation.row_paper_corrected", lang), f"{PAPER_HELD_OUT['after']:.1%}", "–"))
    digits = len(logic.transfer_indices(torch.from_numpy(labels), config.transfer_fraction, cls,
                                        torch.Generator().manual_seed(0)))
    classes = 10 - (cls is not None)
    settings = t("distillation.settings", lang, temp=config.temperature, alpha=config.alpha,
                 epochs=counted("distillation.n_epochs", config.epochs, lang),
                 percent=round(config.transfer_fraction * 100, 2), digits=digits,
                 per_class=max(1, round(digits / classes)), seeds=counted("distillation.n_seeds", config.seeds, lang))
    lines = [settings, "",
             f"| {t('distillation.col_student', lang)} | {t('distillation.col_test', lang)} | "
             f"{t('distillation.col_strokes', lang)} |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | **{test}** | {drawn} |" for label, test, drawn in rows]
    lines.append("")
    for where, test_set in (("where_test", None), ("where_strokes", "strokes")):
        lines += [verdict_text(logic.compare_runs(runs, test_set), t(f"distillation.{where}", lang), lang), ""]
    lines.append(t("distillation.verdict_how", lang))
    return "\n".join(lines)


def verdict_text(comparison: logic.Comparison, where: str, lang: str) -> str:
    """One sentence: did distillation help on this set, by how much, and how sure (in percentage points). One
    decimal, or more while an interval's end that is not zero would read "+0.0" (a "helped" beside "+0.0 to +1.0"
    looks as if the interval touched zero)."""
    values = [comparison.mean * 100, comparison.low * 100, comparison.high * 100]
    decimals = 1
    while decimals < 3 and any(v != 0 and round(v, decimals) == 0 for v in values[1:]):
        decimals += 1
    gap, low, high = (f"{v:+.{decimals}f}" for v in values)
    return t(f"distillation.verdict_{comparison.verdict}", lang, where=where, gap=gap, low=low, high=high,
             seeds=comparison.seeds)


def trained_already(temperature, alpha, epochs, fraction_percent, held_out, seeds, lang="en") -> bool:
    """Whether these settings' runs are in the memo (the defaults and the paper's preset are, after the warm-up)."""
    config = read_config(temperature, alpha, epochs, fraction_percent, held_out, seeds, lang)
    return training_key(TEACHER.get(), config) in TRAINING


@handler
@heavy(gpu_seconds=120, memoised=True, ready=trained_already)
def train(temperature, alpha, epochs, fraction_percent, held_out, seeds, progress=gr.Progress(), lang="en"):
    """Train the distilled and the hard-label students (settings trained before are answered at once, and
    the timing says "cached"): accuracy curves, the results table, the held-out note and the timing."""
    watch = Stopwatch()
    config = read_config(temperature, alpha, epochs, fraction_percent, held_out, seeds, lang)
    progress(0, desc=t("distillation.progress_teacher", lang))

    def report(share, seeds_count, epoch):
        progress(share, desc=t("distillation.progress", lang, epoch=epoch, epochs=config.epochs,
                               students=2 * seeds_count))
        give_way()  # each epoch, the other heavy jobs' steps queued meanwhile run first

    with heavy_threads():
        runs, cached = run_training(config, report, out_of_time)
    done, asked = len(runs[0].distilled_curve), config.epochs
    config = dataclasses.replace(config, epochs=done)  # what was trained: fewer epochs when a busy class cut it
    curves = figures.training_curves(np.array([r.distilled_curve for r in runs]),
                                     np.array([r.hard_curve for r in runs]), lang)
    cls = config.held_out_class
    note = t("distillation.heldout_note", lang, cls=cls) if cls is not None else ""
    table = results_table(config, runs, load_split(TRAIN).labels, lang)
    if done < asked:  # cut short: a busy class, or the time limit of a run
        table = stopped_note("distillation.stopped", lang, done=done, epochs=asked) + "\n\n" + table
    name = export.file_name(TOPIC, T=config.temperature, alpha=config.alpha, epochs=config.epochs,
                            transfer=round(config.transfer_fraction * 100, 2), held=cls, seeds=config.seeds)
    return (curves, table, note, watch.label(lang, cached), export.png(curves, f"{name}-curves"),
            export.csv(results_rows(config, runs, lang), f"{name}-accuracy", header=results_header(lang)))


def results_header(lang: str) -> list[str]:
    return [t("distillation.col_student", lang), t("distillation.col_test", lang), "±",
            t("distillation.col_strokes", lang).replace("<br>", " "), "±"]


def results_rows(config: logic.StudentConfig, runs: list[logic.StudentRun], lang: str) -> list[tuple]:
    """The results table's numbers for a CSV: each student's mean accuracy and its spread over the seeds, on the
    test digits and the stroke-drawn digits."""
    summary = logic.summarize(runs)
    keys = {"distilled": t("distillation.row_distilled", lang, temp=config.temperature, alpha=config.alpha),
            "hard": t("distillation.row_hard", lang)}
    drawn = {"distilled": [r.extra["strokes"][0] for r in runs], "hard": [r.extra["strokes"][1] for r in runs]}
    cls = config.held_out_class
    if cls is not None:
        for student in ("distilled", "hard"):
            name = t(f"distillation.student_{student}", lang)
            keys[f"held_out:{student}"] = t("distillation.row_held", lang, student=name, cls=cls)
            keys[f"held_out:{student}_corrected"] = t("distillation.row_held_corrected", lang, student=name, cls=cls)
            for key in (student, f"{student}_corrected"):
                drawn[f"held_out:{key}"] = [r.held_out[f"strokes:{key}"] for r in runs]
    return [(label, f"{summary[key][0]:.4f}", f"{summary[key][1]:.4f}", f"{np.mean(drawn[key]):.4f}",
             f"{np.std(drawn[key]):.4f}") for key, label in keys.items()]


@handler
def paper_preset():
    """The settings of Hinton et al. 2015's held-out experiment (T = 20, every 3 held out, the whole transfer
    set) with alpha 0.9, 30 epochs and 5 seeds: T, alpha, epochs, transfer set %, held-out class, seeds."""
    return tuple(PAPER[key] for key in TRAIN_INPUTS)


@handler
def precomputed(lang="en"):
    """The precomputed figures (T x alpha grid, transfer-set curve) in the user's language."""
    return tuple(export.png(PILImage.open(figures.precomputed_png(name, lang, RESULTS_DIR)),
                            export.file_name(TOPIC, "precomputed", name, lang)) for name in figures.PRECOMPUTED)


# ------------------------------------------------------------------ layout

def build_tab(i18n: gr.I18n, demo: gr.Blocks) -> None:
    """The tab, section by section: the teacher's soft targets for a digit or a drawing, training the students,
    the precomputed figures, the notes and the questions."""
    with gr.Tab(i18n("distillation.tab"), id=TOPIC, elem_id="tab-distillation"):
        gr.Markdown(i18n("distillation.intro"), elem_classes=["tab-intro"])
        temperature, soft_args = _soften_section(i18n, demo)
        alpha, train_args = _train_section(i18n, demo, temperature, soft_args)
        _precomputed_section(i18n, demo)
        with gr.Accordion(i18n("app.notes"), open=False, elem_classes=["lecture-notes"]):
            gr.Markdown(i18n("distillation.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                                     {"left": "$", "right": "$", "display": False}])
        questions_panel(i18n, TOPIC, QUESTIONS, controls={"temperature": temperature, "alpha": alpha},
                        actions={"soften": soft_args, "train": train_args})


def _soften_section(i18n: gr.I18n, demo: gr.Blocks):
    """A test digit (gallery, slider) or a drawing beside the teacher's probabilities at T = 1 and at T, what it
    sees and the soft-target gradient, then the teacher's name. Returns the T slider and the soften event's
    arguments."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=300):
            gallery, test_index, sketch, use_drawing = _digit_inputs(i18n)
        with gr.Column(scale=7, min_width=300, elem_classes=["results-first"]):
            temperature, zoom, grad_png, soft_results = _soft_results(i18n)
    model_picker(TEACHER, i18n, elem_id="distillation-model")  # one choice: a line naming the teacher

    soft_inputs = [test_index, sketch, use_drawing, temperature, zoom]
    soft_outputs = [*soft_results, use_drawing]  # the downloads come before the drawing's box
    soft_args = dict(fn=soften, inputs=soft_inputs, outputs=soft_outputs, show_progress="hidden",
                     trigger_mode="always_last", **LIGHT)
    # Each user action runs once: .input fires for what the user changed, not for what an event set.
    demo.load(api_name="distillation_soften", **soft_args)
    export.when_clicked(grad_png, chart, [test_index, sketch, use_drawing], api_name="distillation_chart", **LIGHT)
    soft_t = soft_outputs[1]
    temperature.input(None, [temperature, soft_t, zoom], soft_t, js=soften_in_browser(*T_RANGE))  # bars at once
    gr.on([temperature.input, test_index.input, use_drawing.input],
          api_name="distillation_soften_live", api_visibility="private", **{**soft_args, "fn": soften_live})
    zoom.input(None, zoom, None, js=ZOOM_JS)  # which pair of plots shows: the browser's own business
    gr.on([sketch.input, sketch.clear], draw, inputs=[test_index, sketch, temperature, zoom],
          outputs=soft_outputs, api_name="distillation_draw", show_progress="hidden",
          trigger_mode="always_last", **LIGHT)
    demo.load(None, js=select_brush_js("distillation-sketch"))
    sketch.clear(None, js=select_brush_js("distillation-sketch"))
    on_gallery_click(gallery, pick, outputs=[test_index, use_drawing], api_name="distillation_pick",
                     elsewhere=[sketch.input, test_index.input, use_drawing.input],
                     show_progress="hidden", **LIGHT).then(api_name="distillation_soften_picked",
                                                                api_visibility="private", **soft_args)
    return temperature, soft_args


def _digit_inputs(i18n: gr.I18n):
    """The digit the teacher reads: the gallery of test digits, the test digit's slider, the drawing pad and its
    box. Returns the gallery, the slider, the pad and the box."""
    test = load_split(TEST)
    picks = showcase_indices()
    gr.Markdown(i18n("distillation.gallery"), elem_classes=["plot-caption"])
    gallery = gr.Gallery([enlarge(test.images[i], 3) for i in picks], show_label=False, columns=10,
                         rows=2, height="auto", allow_preview=False, interactive=False,
                         object_fit="contain", buttons=[], elem_id="distillation-gallery",
                         elem_classes=["thumb-gallery"])
    # No reset buttons on the live sliders: Gradio's reset moves the box without an event.
    test_index = Slider(0, len(test) - 1, value=picks[7], step=1, precision=0, buttons=[],
                        label=i18n("distillation.test_index"), elem_id="distillation-index")
    gr.Markdown(i18n("distillation.sketch"), elem_classes=["plot-caption"])
    sketch, use_drawing = digit_pad(i18n, TOPIC)
    return gallery, test_index, sketch, use_drawing


def _soft_results(i18n: gr.I18n):
    """T and the zoom box above the two bar plots (T = 1, your T), the numbers, what the teacher sees, the gradient
    against T, the timing and the downloads. Returns T, the zoom box and the outputs in soften's order (all but
    the drawing's box)."""
    with gr.Row(equal_height=True, elem_id="distillation-t-row"):
        temperature = Slider(*T_RANGE, value=DEFAULTS["temperature"], step=0.1, buttons=[], scale=3,
                             label=i18n("distillation.temperature"), elem_id="distillation-temperature")
        zoom = gr.Checkbox(False, label=i18n("distillation.zoom"), scale=1, min_width=160,
                           elem_id="distillation-zoom")
    gr.Markdown(i18n("distillation.soft_plot"), elem_classes=["plot-caption"])
    bar_style = dict(x="i", y="p", color="kind", y_lim=[0, 1], height=200, sort="x", x_title=" ",
                     y_title="p", color_map=BAR_COLORS, colors_in_legend=[])
    with gr.Column(elem_id="distillation-plots"):
        with gr.Row(elem_id="distillation-soft-plot"):
            soft_t1 = gr.BarPlot(label=i18n("distillation.at_t1"), **bar_style)
            soft_t = gr.BarPlot(label=i18n("distillation.at_your_t"), **bar_style)
        with gr.Row(elem_id="distillation-zoom-plot"):  # instead of the row above while the zoom box is ticked
            zoom_style = {**bar_style, "y_lim": [0, None]}  # from 0 to the largest bar: ``cut_at``
            zoom_t1 = gr.BarPlot(label=i18n("distillation.zoom_at_t1"), **zoom_style)
            zoom_t = gr.BarPlot(label=i18n("distillation.zoom_at_your_t"), **zoom_style)
    stats = gr.Markdown(elem_id="distillation-stats")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=170):
            gr.Markdown(i18n("distillation.seen"), elem_classes=["plot-caption"])
            seen = Image(show_label=False, height=170, width=170, interactive=False, buttons=[],
                         elem_id="distillation-seen", elem_classes=["no-buttons"])
            seen_png = export.download_button(i18n, elem_id="distillation-seen-png", kind="png")
        with gr.Column(scale=2, min_width=260):  # under the picture on a phone, beside it elsewhere
            gr.Markdown(i18n("distillation.grad_plot"), elem_classes=["plot-caption"])
            gr.Markdown(i18n("distillation.grad_legend"))
            # y is named in the caption: Vega drew the formula turned on its side, unreadable on a projector
            grad_plot = gr.LinePlot(x="T", y="‖∂L/∂v‖", color="curve", height=240, show_label=False,
                                    color_map=gradient_colors(), colors_in_legend=[],
                                    y_title=" ", elem_id="distillation-grad-plot")
            with gr.Row():
                grad_png = export.drawn_button(i18n, elem_id="distillation-grad-png")
                grad_csv = export.download_button(i18n, elem_id="distillation-grad-csv")
    timing = gr.Markdown(elem_id="distillation-timing")
    soft_table = export.download_button(i18n, elem_id="distillation-soft-csv")
    return temperature, zoom, grad_png, [soft_t1, soft_t, grad_plot, seen, stats, timing, soft_table, grad_csv,
                                         seen_png, zoom_t1, zoom_t]


def _train_section(i18n: gr.I18n, demo: gr.Blocks, temperature, soft_args: dict):
    """Training the students: the settings, the paper's preset, the learning curves and the results table.
    Returns the alpha slider and the training event's arguments."""
    gr.Markdown(i18n("distillation.train_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("distillation.train_intro"))
    alpha, epochs, fraction, held_out, seeds, train_t, preset_button, train_button = _train_settings(i18n)
    table, train_outputs = _train_results(i18n)
    train_inputs = [temperature, alpha, epochs, fraction, held_out, seeds]
    train_args = dict(fn=train, inputs=train_inputs, outputs=train_outputs, js=starting_js(TRAINED_IDS),
                      show_progress_on=[table], **HEAVY)  # one progress bar, covering the old table
    trained = [train_button.click(api_name="distillation_train", **train_args)]
    preset = preset_button.click(paper_preset, None, train_inputs, api_name="distillation_preset",
                                 show_progress="hidden", **LIGHT)
    preset.then(api_name="distillation_soften_preset", api_visibility="private", **soft_args)
    trained.append(preset.then(api_name="distillation_train_preset", api_visibility="private", **train_args))
    # Curves and table trained with other settings (T moved at the top of the tab, alpha, epochs...) are greyed
    # until the next training.
    grey_until_rerun(trained, [box.input for box in train_inputs], TRAINED_IDS, "distillation-table")
    # Leaving a box (or letting go of a slider) puts in it the number the tab uses: 3.33333 -> 3.33.
    for name, box, (low, high) in (("t", temperature, T_RANGE), ("alpha", alpha, ALPHA_RANGE),
                                   ("fraction", fraction, FRACTION_RANGE)):
        box.release(functools.partial(box_value, low=low, high=high), box, box, show_progress="hidden",
                    api_name=f"distillation_round_{name}", api_visibility="private", **LIGHT)
    low, high = T_RANGE  # the copy of T follows the slider, in the browser (an emptied box is the minimum)
    copy_t = f"(t) => (t === null || t === '' || isNaN(t)) ? {low} : Math.min(Math.max(Number(t), {low}), {high})"
    temperature.change(None, temperature, train_t, js=copy_t)  # typed, preset or rounded on leaving
    return alpha, train_args


def _train_settings(i18n: gr.I18n):
    """The training settings (alpha, epochs, transfer set %, held-out class, seeds, a copy of T) and the preset and
    train buttons. Returns them in that order."""
    with gr.Row():
        alpha = Slider(*ALPHA_RANGE, value=DEFAULTS["alpha"], step=0.05, label=i18n("distillation.alpha"),
                       elem_id="distillation-alpha")
        epochs = Slider(*EPOCH_RANGE, value=DEFAULTS["epochs"], step=1, precision=0,
                        label=i18n("distillation.epochs"), elem_id="distillation-epochs")
        fraction = Slider(*FRACTION_RANGE, value=DEFAULTS["fraction"], step=1, label=i18n("distillation.fraction"),
                          elem_id="distillation-fraction")
    with gr.Row():
        held_out = Dropdown([(i18n("distillation.held_out_none"), "none")] + [str(d) for d in range(10)],
                            value=DEFAULTS["held_out"], label=i18n("distillation.held_out"),
                            elem_id="distillation-held-out")
        seeds = Slider(*SEED_RANGE, value=DEFAULTS["seeds"], step=1, precision=0, label=i18n("distillation.seeds"),
                       elem_id="distillation-seeds")
        # Training uses the T set at the top of the tab, often off-screen on a projector: shown here too.
        train_t = gr.Number(DEFAULTS["temperature"], label=i18n("distillation.train_t"), interactive=False,
                            elem_id="distillation-train-t")
    with gr.Row():
        preset_button = gr.Button(i18n("distillation.preset"), elem_id="distillation-preset")
        train_button = gr.Button(i18n("distillation.train_button"), variant="primary", elem_id="distillation-train")
    return alpha, epochs, fraction, held_out, seeds, train_t, preset_button, train_button


def _train_results(i18n: gr.I18n):
    """The learning curves beside the results table, the held-out note, the timing and the downloads. Returns
    the table (it shows the progress) and all of them in train's order."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            gr.Markdown(i18n("distillation.curves"), elem_classes=["plot-caption"])
            curves = gr.Plot(show_label=False, elem_id="distillation-curves")
            curves_png = export.download_button(i18n, elem_id="distillation-curves-png", kind="png")
        with gr.Column(scale=2):
            gr.Markdown(i18n("distillation.table"), elem_classes=["plot-caption"])
            table = gr.Markdown(elem_id="distillation-table", elem_classes=["results-table"])
            held_note = gr.Markdown(elem_id="distillation-held-note")
            train_timing = gr.Markdown(elem_id="distillation-train-timing")
            table_csv = export.download_button(i18n, elem_id="distillation-table-csv")
    return table, [curves, table, held_note, train_timing, curves_png, table_csv]


def _precomputed_section(i18n: gr.I18n, demo: gr.Blocks) -> None:
    """The precomputed figures in an accordion: the T x alpha grid and the transfer-set curve (or a note that
    train.py has not made them)."""
    with gr.Accordion(i18n("distillation.precomputed"), open=False):
        if not all((RESULTS_DIR / f"{name}.en.png").is_file() for name in figures.PRECOMPUTED):
            gr.Markdown(i18n("distillation.no_results"))
            return
        with gr.Row():
            with gr.Column():
                gr.Markdown(i18n("distillation.heatmap"), elem_classes=["plot-caption"])
                grid_png = gr.Image(show_label=False, interactive=False, buttons=["fullscreen"],
                                    elem_id="distillation-grid")
            with gr.Column():
                gr.Markdown(i18n("distillation.gap_plot"), elem_classes=["plot-caption"])
                fractions_png = gr.Image(show_label=False, interactive=False, buttons=["fullscreen"],
                                         elem_id="distillation-fractions")
        export.downloadable(grid_png, fractions_png)
        demo.load(precomputed, None, [grid_png, fractions_png], api_name="distillation_figures",
                  show_progress="hidden", **LIGHT)


def gradient_colors() -> dict[str, str]:
    """Series colours of the gradient plot, for the series names of both languages."""
    return {t(f"distillation.curve_{key}", lang): color for lang in ("en", "zh")
            for key, color in (("with_t2", COLORS["main"]), ("without_t2", COLORS["second"]))}


def warm_up() -> None:
    """Before the first student asks (runs after launch): the teacher's soft targets, the digit CNN's familiarity
    (core.classifier) and the stroke-drawn digits, then the runs of the two settings every class starts with (the
    defaults and the paper's preset)."""
    transfer_data(TEACHER.get())
    familiarity(TEACHER.get().model)  # the note for a drawing that is no digit: fitted once (~1 s), shared by 3 tabs
    stroke_tests()
    for settings in (DEFAULTS, PAPER):
        run_training(read_config(*(settings[key] for key in TRAIN_INPUTS), lang="en"))

