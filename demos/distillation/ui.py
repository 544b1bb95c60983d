"""The knowledge-distillation tab: soft targets under a temperature slider, the T^2 factor,
and a live student-vs-student training run. The science is in logic.py."""
from __future__ import annotations

import functools
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
import torch

from core import plots
from core.data.digits import STYLE_NAMES, TEST, load_split, normalize_digit
from core.i18n import UserInputError, check_number, register, t
from core.models import ASSETS
from core.ui import SafeSketchpad, Stopwatch, drawing_to_gray, handler
from demos.distillation import logic

TOPIC = "distillation"
HERE = Path(__file__).parent
RESULTS = ASSETS / TOPIC / "results.json"
T_RANGE, ALPHA_RANGE, EPOCH_RANGE, FRACTION_RANGE, SEED_RANGE = (0.5, 20), (0, 1), (1, 100), (1, 100), (1, 5)
GRAD_TEMPERATURES = np.geomspace(1, 20, 40)

register({
    "en": {
        "distillation.tab": "Knowledge distillation",
        "distillation.intro": "A big **teacher** (the bundled digit CNN) teaches a tiny **student** (an MLP) with its "
                              "*soft targets* softmax(z/T). Raise the temperature T to see the teacher's "
                              "**dark knowledge**: how much a 7 looks like a 1 or a 9.",
        "distillation.gallery": "Pick a test digit",
        "distillation.test_index": "Test digit #",
        "distillation.sketch": "…or draw one (thick strokes)",
        "distillation.use_drawing": "Use my drawing",
        "distillation.temperature": "Temperature T",
        "distillation.at_your_t": "At your T",
        "distillation.soft_plot": "Teacher probabilities at T = 1 and at your T",
        "distillation.grad_plot": "Soft-target gradient vs T, with and without T²",
        "distillation.seen": "What the teacher sees (28×28)",
        "distillation.stats": "Numbers",
        "distillation.train_header": "Train a student, live",
        "distillation.train_intro": "Two identical MLP students (same data, same initial weights, same seed): one learns "
                                    "from the teacher's soft targets, one from the hard labels only. Soft targets help "
                                    "most when labelled data is scarce: try 1% (about 5 digits per class) and 100%.",
        "distillation.alpha": "α (weight of the soft targets)",
        "distillation.epochs": "Epochs (20 mini-batches each)",
        "distillation.fraction": "Transfer set (% of the training digits)",
        "distillation.held_out": "Hold out a class (the paper omitted every 3)",
        "distillation.held_out_none": "none",
        "distillation.seeds": "Seeds (runs per student)",
        "distillation.train_button": "Train both students",
        "distillation.curves": "Test accuracy during training (mean, band = min–max over seeds)",
        "distillation.table": "Final test accuracy",
        "distillation.precomputed": "Precomputed results (from train.py)",
        "distillation.heatmap": "Student test accuracy over T × α",
        "distillation.gap_plot": "Distilled vs hard-label student as the transfer set grows",
        "distillation.pick_needs_click": "Click a digit in the gallery to pick it.",
        "distillation.prediction": "Teacher's prediction: **{digit}**",
        "distillation.entropy": "Entropy: **{h1:.2f} bits** at T = 1 → **{ht:.2f} bits** at T = {temp:g} (uniform = 3.32)",
        "distillation.dark": "Dark knowledge at T = {temp:g} (the other classes, most likely first): {ranking}",
        "distillation.grad_ratio": "At T = {temp:g} the soft-target gradient is **{ratio:.0f}×** smaller without the T² factor.",
        "distillation.source_test": "Test digit #{index} ({style}, label {label})",
        "distillation.source_drawing": "Your drawing",
        "distillation.style_handwritten": "handwritten",
        "distillation.style_typeset": "typeset",
        "distillation.col_student": "Student",
        "distillation.col_accuracy": "Test accuracy (mean ± std)",
        "distillation.row_distilled": "Distilled (soft targets, T = {temp:g}, α = {alpha:g})",
        "distillation.row_hard": "Hard labels only",
        "distillation.row_held": "On the held-out {cls}s",
        "distillation.row_held_corrected": "On the held-out {cls}s, bias corrected",
        "distillation.heldout_note": "The students never saw a {cls}. Bias correction raises the {cls}-logit until {cls} "
                                     "is predicted for 1 in 10 unlabelled training digits (its prior); no {cls} label is used.",
        "distillation.legend_distilled": "distilled",
        "distillation.legend_hard": "hard labels",
        "distillation.no_results": "No precomputed results yet: run `python -m demos.distillation.train`.",
        "distillation.name_t": "Temperature T",
        "distillation.name_alpha": "α",
        "distillation.name_epochs": "Epochs",
        "distillation.name_fraction": "Transfer set %",
        "distillation.name_seeds": "Seeds",
        "distillation.name_index": "Test digit #",
        "distillation.name_held_out": "Held-out class",
    },
    "zh": {
        "distillation.tab": "知識蒸餾",
        "distillation.intro": "大的**老師**（內建的數字 CNN）用它的*軟標籤* softmax(z/T) 教小小的**學生**（MLP）。"
                              "把溫度 T 調高，就能看見老師的**暗知識**：一個 7 有多像 1、又有多像 9。",
        "distillation.gallery": "選一個測試數字",
        "distillation.test_index": "測試數字編號",
        "distillation.sketch": "……或自己畫一個（筆畫粗一點）",
        "distillation.use_drawing": "使用我的手寫",
        "distillation.temperature": "溫度 T",
        "distillation.at_your_t": "在你選的 T",
        "distillation.soft_plot": "老師在 T = 1 與你選的 T 下的機率",
        "distillation.grad_plot": "軟標籤梯度大小與 T 的關係（有無乘上 T²）",
        "distillation.seen": "老師看到的圖（28×28）",
        "distillation.stats": "數字",
        "distillation.train_header": "現場訓練學生",
        "distillation.train_intro": "兩個一模一樣的 MLP 學生（同樣資料、同樣初始權重、同樣亂數種子）：一個向老師的軟標籤學，"
                                    "一個只看硬標籤。有標籤的資料越少，軟標籤越有幫助：試試 1%（每類約 5 張）和 100%。",
        "distillation.alpha": "α（軟標籤的權重）",
        "distillation.epochs": "訓練輪數（每輪 20 個小批次）",
        "distillation.fraction": "轉移資料集（訓練數字的百分比）",
        "distillation.held_out": "拿掉一個類別（論文拿掉了所有的 3）",
        "distillation.held_out_none": "不拿掉",
        "distillation.seeds": "亂數種子數（每個學生跑幾次）",
        "distillation.train_button": "訓練兩個學生",
        "distillation.curves": "訓練過程中的測試準確率（平均；色帶為各種子的最小到最大值）",
        "distillation.table": "最終測試準確率",
        "distillation.precomputed": "預先算好的結果（由 train.py 產生）",
        "distillation.heatmap": "學生在不同 T × α 下的測試準確率",
        "distillation.gap_plot": "轉移資料集變大時，蒸餾學生與硬標籤學生的比較",
        "distillation.pick_needs_click": "請在圖庫中點選一個數字。",
        "distillation.prediction": "老師的預測：**{digit}**",
        "distillation.entropy": "熵：T = 1 時 **{h1:.2f} 位元** → T = {temp:g} 時 **{ht:.2f} 位元**（均勻分布 = 3.32）",
        "distillation.dark": "T = {temp:g} 時的暗知識（其他類別，由可能到不可能）：{ranking}",
        "distillation.grad_ratio": "在 T = {temp:g} 時，不乘 T² 的軟標籤梯度小了 **{ratio:.0f} 倍**。",
        "distillation.source_test": "測試數字 #{index}（{style}，標籤 {label}）",
        "distillation.source_drawing": "你的手寫",
        "distillation.style_handwritten": "手寫",
        "distillation.style_typeset": "印刷",
        "distillation.col_student": "學生",
        "distillation.col_accuracy": "測試準確率（平均 ± 標準差）",
        "distillation.row_distilled": "蒸餾（軟標籤，T = {temp:g}，α = {alpha:g}）",
        "distillation.row_hard": "只用硬標籤",
        "distillation.row_held": "在被拿掉的 {cls} 上",
        "distillation.row_held_corrected": "在被拿掉的 {cls} 上（偏差校正後）",
        "distillation.heldout_note": "學生從沒看過 {cls}。偏差校正把 {cls} 的 logit 調高，直到未標記的訓練數字中有十分之一"
                                     "被預測為 {cls}（它的先驗機率）；完全沒用到 {cls} 的標籤。",
        "distillation.legend_distilled": "蒸餾",
        "distillation.legend_hard": "硬標籤",
        "distillation.no_results": "還沒有預先算好的結果：請執行 `python -m demos.distillation.train`。",
        "distillation.name_t": "溫度 T",
        "distillation.name_alpha": "α",
        "distillation.name_epochs": "訓練輪數",
        "distillation.name_fraction": "轉移資料集百分比",
        "distillation.name_seeds": "亂數種子數",
        "distillation.name_index": "測試數字編號",
        "distillation.name_held_out": "被拿掉的類別",
    },
})
register({lang: {"distillation.notes": (HERE / f"notes.{lang}.md").read_text(encoding="utf-8")} for lang in ("en", "zh")})

@functools.lru_cache(maxsize=1)
def showcase_indices() -> tuple[int, ...]:
    """Two test digits per class (one handwritten, one typeset): the gallery, in order 0-9."""
    test = load_split(TEST)
    picks = []
    for style in (0, 1):
        for digit in range(10):
            picks.append(int(np.flatnonzero((test.labels == digit) & (test.style == style))[0]))
    return tuple(picks)


def class_frame(probs: np.ndarray, prediction: int) -> pd.DataFrame:
    """Probabilities over classes 0-9 for a bar plot; the predicted class is drawn dark."""
    return pd.DataFrame({"class": [str(c) for c in range(len(probs))], "p": probs.astype(float),
                         "kind": ["prediction" if c == prediction else "other" for c in range(len(probs))]})


def enlarge(image: np.ndarray, factor: int = 6) -> np.ndarray:
    return np.kron(image, np.ones((factor, factor), dtype=np.uint8))


# ------------------------------------------------------------------ handlers

def _soften(image: np.ndarray, temperature, source_text: str, lang: str):
    watch = Stopwatch()
    temperature = check_number(temperature, t("distillation.name_t", lang), *T_RANGE)
    logits = logic.teacher_logits(image[None])[0]
    view = logic.teacher_view(logits, temperature)
    # One call for the curve and for the point at the chosen T (its last entry).
    with_t2, without_t2 = logic.soft_gradient_norms(logits[None], torch.zeros(1, 10),
                                                    np.append(GRAD_TEMPERATURES, temperature))
    (with_t2, here_with), (without_t2, here_without) = np.split(with_t2, [-1]), np.split(without_t2, [-1])

    # Native plots: the browser draws them, so dragging the slider costs the server almost nothing.
    soft_t1, soft_t = class_frame(view.probs_t1, view.prediction), class_frame(view.probs_t, view.prediction)
    gradients = pd.DataFrame({
        "T": np.concatenate([GRAD_TEMPERATURES, GRAD_TEMPERATURES]),
        "gradient": np.concatenate([with_t2, without_t2]),
        "curve": ["× T²"] * len(GRAD_TEMPERATURES) + ["without T²"] * len(GRAD_TEMPERATURES),
    })

    ranking = ", ".join(f"{c} ({p:.1%})" for c, p in view.dark_knowledge[:5])
    stats = "\n\n".join([
        source_text,
        t("distillation.prediction", lang, digit=view.prediction),
        t("distillation.entropy", lang, h1=view.entropy_t1, ht=view.entropy_t, temp=temperature),
        t("distillation.dark", lang, temp=temperature, ranking=ranking),
        t("distillation.grad_ratio", lang, temp=temperature, ratio=here_with[0] / max(here_without[0], 1e-30)),
    ])
    return soft_t1, soft_t, gradients, enlarge(image), stats, watch.label(lang)


def _test_digit(index, lang: str):
    test = load_split(TEST)
    index = check_number(index, t("distillation.name_index", lang), 0, len(test) - 1, integer=True)
    style = t(f"distillation.style_{STYLE_NAMES[int(test.style[index])]}", lang)
    return test.images[index], t("distillation.source_test", lang, index=index, style=style, label=int(test.labels[index]))


@handler
def soften(test_index, drawing, use_drawing, temperature, lang="en"):
    """Teacher probabilities at T = 1 and T for a test digit or the drawing."""
    if use_drawing:
        return _soften(normalize_digit(drawing_to_gray(drawing)), temperature, t("distillation.source_drawing", lang), lang)
    image, source = _test_digit(test_index, lang)
    return _soften(image, temperature, source, lang)


@handler
def draw(drawing, temperature, lang="en"):
    """A new stroke on the sketchpad: show the drawing's soft targets and switch to it."""
    image = normalize_digit(drawing_to_gray(drawing))
    return (*_soften(image, temperature, t("distillation.source_drawing", lang), lang), True)


@handler
def pick(evt: gr.EventData, lang="en"):
    """A click in the gallery -> that test digit (and back from the drawing).

    Typed as gr.EventData, not gr.SelectData: an API call carries no click, and SelectData would
    fail inside Gradio before this function could say so."""
    data = getattr(evt, "_data", None)
    index = data.get("index") if isinstance(data, dict) else None
    if isinstance(index, (list, tuple)):
        index = index[0] if index else None
    picks = showcase_indices()
    if not isinstance(index, int) or not 0 <= index < len(picks):
        raise UserInputError("distillation.pick_needs_click")
    return picks[index], False


@handler
def train(temperature, alpha, epochs, fraction_percent, held_out, seeds, progress=gr.Progress(), lang="en"):
    """Train the distilled and the hard-label student live; curves, table and held-out numbers."""
    watch = Stopwatch()
    name = lambda key: t(f"distillation.name_{key}", lang)  # noqa: E731
    config = logic.StudentConfig(
        temperature=check_number(temperature, name("t"), *T_RANGE),
        alpha=check_number(alpha, name("alpha"), *ALPHA_RANGE),
        epochs=check_number(epochs, name("epochs"), *EPOCH_RANGE, integer=True),
        transfer_fraction=check_number(fraction_percent, name("fraction"), *FRACTION_RANGE) / 100,
        seeds=check_number(seeds, name("seeds"), *SEED_RANGE, integer=True),
        held_out_class=None if held_out in (None, "", "none") else check_number(held_out, name("held_out"), 0, 9, integer=True),
    )
    progress(0, desc="teacher")
    runs = logic.train_students(config, report=lambda share, text: progress(share, desc=text))
    summary = logic.summarize(runs)

    fig, ax = plots.new_figure(8, 3.8)
    plots.curves_with_band(ax, {
        t("distillation.legend_distilled", lang): np.array([r.distilled_curve for r in runs]),
        t("distillation.legend_hard", lang): np.array([r.hard_curve for r in runs]),
    }, {t("distillation.legend_distilled", lang): plots.COLORS["main"], t("distillation.legend_hard", lang): plots.COLORS["second"]})
    plots.style(ax, "", "epoch", "test accuracy")

    fmt = lambda key: f"{summary[key][0]:.1%} ± {summary[key][1]:.1%}"  # noqa: E731
    rows = [[t("distillation.row_distilled", lang, temp=config.temperature, alpha=config.alpha), fmt("distilled")],
            [t("distillation.row_hard", lang), fmt("hard")]]
    note = ""
    if config.held_out_class is not None:
        cls = config.held_out_class
        for student, label in (("distilled", "distillation.legend_distilled"), ("hard", "distillation.legend_hard")):
            rows.append([f"{t(label, lang)} · {t('distillation.row_held', lang, cls=cls)}", fmt(f"held_out:{student}")])
            rows.append([f"{t(label, lang)} · {t('distillation.row_held_corrected', lang, cls=cls)}",
                         fmt(f"held_out:{student}_corrected")])
        note = t("distillation.heldout_note", lang, cls=cls)
    table = {"headers": [t("distillation.col_student", lang), t("distillation.col_accuracy", lang)], "data": rows}
    return fig, table, note, watch.label(lang)


# ------------------------------------------------------------------ precomputed results

HEATMAP_PNG, GAP_PNG = RESULTS.parent / "grid.png", RESULTS.parent / "fractions.png"


def precomputed_figures(results: dict):
    """The T x alpha heat map and the transfer-set curve; train.py saves them as PNGs next to results.json,
    so the app shows them without drawing anything at start-up."""
    grid = results["grid"]
    fig, ax = plots.new_figure(7, 4)
    values = np.array(grid["accuracy"], dtype=float)
    image = plots.heatmap(ax, values, grid["temperatures"], grid["alphas"])
    fig.colorbar(image, ax=ax)
    plots.style(ax, f"transfer set {grid['fraction']:.0%}, {grid['seeds']} seeds", "α", "T")

    gap = results["fractions"]
    gfig, gax = plots.new_figure(7, 4)
    x = np.array(gap["fractions"]) * 100
    for key, color in (("distilled", plots.COLORS["main"]), ("hard", plots.COLORS["second"])):
        mean, std = np.array(gap[key]["mean"]), np.array(gap[key]["std"])
        gax.errorbar(x, mean, yerr=std, color=color, linewidth=2.2, capsize=4, marker="o", label=key)
    gax.set_xscale("log")
    gax.legend(fontsize=plots.FONT - 1, frameon=False)
    gax.grid(alpha=0.3)
    plots.style(gax, f"T = {gap['temperature']:g}, α = {gap['alpha']:g}, {gap['seeds']} seeds", "transfer set (%)", "test accuracy")
    return fig, gfig


# ------------------------------------------------------------------ layout

def build_tab(i18n: gr.I18n, demo: gr.Blocks) -> None:
    test = load_split(TEST)
    picks = showcase_indices()
    with gr.Tab(i18n("distillation.tab"), id=TOPIC, elem_id="tab-distillation"):
        gr.Markdown(i18n("distillation.intro"))
        gallery = gr.Gallery([enlarge(test.images[i], 3) for i in picks], label=i18n("distillation.gallery"),
                             columns=20, rows=1, height=110, allow_preview=False, interactive=False,
                             object_fit="contain", elem_id="distillation-gallery")
        with gr.Row():
            with gr.Column(scale=2):
                test_index = gr.Slider(0, len(test) - 1, value=picks[7], step=1, label=i18n("distillation.test_index"),
                                       elem_id="distillation-index")
                sketch = SafeSketchpad(type="numpy", image_mode="L", label=i18n("distillation.sketch"),
                                       canvas_size=(280, 280), height=320,
                                       brush=gr.Brush(default_size=16, colors=["#000000"], color_mode="fixed"),
                                       elem_id="distillation-sketch")
                use_drawing = gr.Checkbox(False, label=i18n("distillation.use_drawing"))
            with gr.Column(scale=3):
                temperature = gr.Slider(*T_RANGE, value=4, step=0.1, label=i18n("distillation.temperature"),
                                        elem_id="distillation-temperature")
                gr.Markdown(i18n("distillation.soft_plot"), elem_classes=["plot-caption"])
                bar_style = dict(x="class", y="p", color="kind", y_lim=[0, 1], height=260, sort="x",
                                 color_map={"prediction": "#111827", "other": plots.COLORS["main"]},
                                 colors_in_legend=[], x_title="class", y_title="p")
                with gr.Row(elem_id="distillation-soft-plot"):
                    soft_t1 = gr.BarPlot(label="T = 1", **bar_style)
                    soft_t = gr.BarPlot(label=i18n("distillation.at_your_t"), **bar_style)
                with gr.Row():
                    seen = gr.Image(label=i18n("distillation.seen"), height=180, width=180, interactive=False,
                                    buttons=[], scale=1)
                    stats = gr.Markdown(label=i18n("distillation.stats"), elem_id="distillation-stats")
                gr.Markdown(i18n("distillation.grad_plot"), elem_classes=["plot-caption"])
                grad_plot = gr.LinePlot(x="T", y="gradient", color="curve", height=260, show_label=False,
                                        color_map={"× T²": plots.COLORS["main"], "without T²": plots.COLORS["second"]},
                                        x_title="T", y_title="‖∂L_soft/∂z‖", elem_id="distillation-grad-plot")
                timing = gr.Markdown(elem_id="distillation-timing")

        soft_outputs = [soft_t1, soft_t, grad_plot, seen, stats, timing]
        gr.on([demo.load, temperature.change, test_index.change, use_drawing.change], soften,
              inputs=[test_index, sketch, use_drawing, temperature], outputs=soft_outputs,
              api_name="distillation_soften", concurrency_limit=4, show_progress="hidden", trigger_mode="always_last")
        sketch.change(draw, inputs=[sketch, temperature], outputs=[*soft_outputs, use_drawing],
                      api_name="distillation_draw", concurrency_limit=4, show_progress="hidden", trigger_mode="always_last")
        gallery.select(pick, inputs=None, outputs=[test_index, use_drawing], api_name="distillation_pick")

        gr.Markdown(i18n("distillation.train_header"), elem_classes=["section-title"])
        gr.Markdown(i18n("distillation.train_intro"))
        with gr.Row():
            alpha = gr.Slider(*ALPHA_RANGE, value=0.9, step=0.05, label=i18n("distillation.alpha"))
            epochs = gr.Slider(*EPOCH_RANGE, value=30, step=1, label=i18n("distillation.epochs"))
            fraction = gr.Slider(*FRACTION_RANGE, value=1, step=1, label=i18n("distillation.fraction"))
        with gr.Row():
            held_out = gr.Dropdown(["none"] + [str(d) for d in range(10)], value="none",
                                   label=i18n("distillation.held_out"))
            seeds = gr.Slider(*SEED_RANGE, value=3, step=1, label=i18n("distillation.seeds"))
            train_button = gr.Button(i18n("distillation.train_button"), variant="primary", elem_id="distillation-train")
        with gr.Row():
            with gr.Column():
                gr.Markdown(i18n("distillation.curves"), elem_classes=["plot-caption"])
                curves = gr.Plot(show_label=False, elem_id="distillation-curves")
            with gr.Column():
                table = gr.Dataframe(label=i18n("distillation.table"), interactive=False, elem_id="distillation-table",
                                     headers=["Student · 學生", "Test accuracy · 測試準確率"], value=[["", ""]])
                held_note = gr.Markdown()
                train_timing = gr.Markdown()
        train_button.click(train, inputs=[temperature, alpha, epochs, fraction, held_out, seeds],
                           outputs=[curves, table, held_note, train_timing], api_name="distillation_train",
                           concurrency_limit=1)

        with gr.Accordion(i18n("distillation.precomputed"), open=False):
            if not (HEATMAP_PNG.is_file() and GAP_PNG.is_file()):
                gr.Markdown(i18n("distillation.no_results"))
            else:
                with gr.Row():
                    with gr.Column():
                        gr.Markdown(i18n("distillation.heatmap"), elem_classes=["plot-caption"])
                        gr.Image(str(HEATMAP_PNG), show_label=False, interactive=False, buttons=["fullscreen"])
                    with gr.Column():
                        gr.Markdown(i18n("distillation.gap_plot"), elem_classes=["plot-caption"])
                        gr.Image(str(GAP_PNG), show_label=False, interactive=False, buttons=["fullscreen"])
        with gr.Accordion(i18n("app.notes"), open=False):
            gr.Markdown(i18n("distillation.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                                     {"left": "$", "right": "$", "display": False}])


def warm_up() -> None:
    """Load the teacher and its soft targets before the first student asks (runs after launch)."""
    logic.teacher_targets()
    logic.test_set()
