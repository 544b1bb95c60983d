"""The distillation tab's words, in English and Traditional Chinese (registered on import).

The lecture notes (notes.en.md, notes.zh.md) quote measured numbers as {{name}} placeholders, filled
from the shipped results.json, so the notes never say what the screen does not show.
"""
from __future__ import annotations

from pathlib import Path

from core.i18n import lecture_notes, read_results, register
from core.models import ASSETS

HERE = Path(__file__).parent
RESULTS = ASSETS / "distillation" / "results.json"

STRINGS = {
    "en": {
        "distillation.tab": "Distillation",
        "distillation.intro": "A big **teacher** (the bundled digit CNN) teaches a tiny **student** (an MLP) with its "
                              "*soft targets* softmax(z/T). Raise the temperature T to see the teacher's "
                              "**dark knowledge**: how much a 7 looks like a 1 or a 3.",
        "distillation.gallery": "Pick a test digit: 0–9 handwritten, then 0–9 typeset",
        "distillation.test_index": "Test digit #",
        "distillation.sketch": "…or draw one (thick strokes; the bin clears it)",
        "distillation.sketch_placeholder": "Draw a digit here",
        "distillation.use_drawing": "Use my drawing",
        "distillation.temperature": "Temperature T",
        "distillation.zoom": "Zoom in on the small probabilities (the dark knowledge)",
        "distillation.soft_plot": "Teacher probabilities for the classes 0–9, at T = 1 and at your T",
        "distillation.at_t1": "T = 1",
        "distillation.at_your_t": "At your T",
        "distillation.zoom_at_t1": "T = 1, zoomed (the pick cut)",
        "distillation.zoom_at_your_t": "At your T, zoomed (the pick cut)",
        "distillation.grad_plot": "Size of the soft-target gradient, ‖∂L/∂v‖, as T grows, with and without the T² "
                                   "factor",
        "distillation.grad_legend": '<span style="color:#2563eb">■ × T²</span> &nbsp; '
                                    '<span style="color:#f97316">■ without T²</span>',
        "distillation.seen": "What the teacher sees (28×28)",
        "distillation.train_header": "Train a student, live",
        "distillation.train_intro": "Two identical MLP students (same data, same initial weights, same seed): "
                                    "one learns from the teacher's soft targets, one from the hard labels only. In the "
                                    "precomputed runs soft targets helped only with little labelled data and enough "
                                    "epochs: try 1% (about 5 digits per class) at 30 epochs, then 1 epoch, then 100%. "
                                    "Press **Train both students**; the results, and a verdict computed from your "
                                    "run's seeds, appear below.",
        "distillation.alpha": "α (weight of the soft targets)",
        "distillation.epochs": "Epochs (20 mini-batches each)",
        "distillation.fraction": "Transfer set (% of the training digits)",
        "distillation.held_out": "Hold out a class (the paper omitted every 3)",
        "distillation.held_out_none": "none",
        "distillation.seeds": "Seeds (runs per student)",
        "distillation.train_button": "Train both students",
        "distillation.preset": "Hinton et al. 2015: hold out the 3s, T = 20, all data",
        "distillation.train_t": "Temperature T (set above)",
        "distillation.canvas_empty": "The canvas is empty, so the test digit is shown: draw a digit first.",
        "distillation.rank_item": "{cls} ({p:.1%})",
        "distillation.held_out_invalid": "Held-out class must be \"none\" or a digit from 0 to 9 (got {value}).",
        "distillation.curves": "Test accuracy during training (line = mean, band = min–max over seeds)",
        "distillation.table": "Final test accuracy",
        "distillation.precomputed": "Precomputed results (5 seeds each, as the button runs by default)",
        "distillation.heatmap": "Student test accuracy over T × α",
        "distillation.gap_plot": "When does distillation beat hard labels? The gap over epochs × transfer set",
        "distillation.prediction": "Teacher's prediction: **{digit}**",
        "distillation.entropy": "Entropy: **{h1:.2f} bits** at T = 1 → **{ht:.2f} bits** at T = {temp:g} "
                                "(uniform = 3.32)",
        "distillation.dark": "Dark knowledge at T = {temp:g} (the other classes, most likely first): {ranking}",
        "distillation.grad_change": "Soft-target gradient at T = {temp:g} against T = 1, for a student that has "
                                    "learned nothing yet (all its logits equal): {without} without T², {with_t2} "
                                    "with T².",
        "distillation.smaller": "**{factor}× smaller**",
        "distillation.larger": "**{factor}× larger**",
        "distillation.same": "**the same**",
        "distillation.source_test": "Test digit #{index} ({style}, label {label})",
        "distillation.source_drawing": "Your drawing",
        "distillation.style_handwritten": "handwritten",
        "distillation.style_typeset": "typeset",
        "distillation.col_student": "Student",
        "distillation.col_accuracy": "Test accuracy",
        "distillation.row_distilled": "Distilled (soft targets, T\u00a0=\u00a0{temp:g}, α\u00a0=\u00a0{alpha:g})",
        "distillation.row_hard": "Hard labels only",
        "distillation.row_held": "{student} student: the held-out {cls}s",
        "distillation.row_held_corrected": "{student} student: the held-out {cls}s, bias corrected",
        "distillation.student_distilled": "Distilled",
        "distillation.student_hard": "Hard-label",
        "distillation.row_paper": "Hinton et al. 2015 (MNIST, much bigger nets): the held-out 3s",
        "distillation.row_paper_corrected": "Hinton et al. 2015: the held-out 3s, bias corrected",
        "distillation.heldout_note": "The students never saw a {cls}. Bias correction raises the {cls}-logit until "
                                     "{cls} is predicted for 1 in 10 unlabelled training digits (its prior); no {cls} "
                                     "label is used. (The paper chose its bias, +3.5, on the test set.)",
        "distillation.legend_distilled": "distilled",
        "distillation.legend_hard": "hard labels",
        "distillation.curve_with_t2": "× T²",
        "distillation.curve_without_t2": "without T²",
        "distillation.axis_epoch": "epoch",
        "distillation.axis_accuracy": "test accuracy",
        "distillation.axis_alpha": "α (weight of the soft targets)",
        "distillation.axis_fraction": "transfer set (% of the training digits, log scale)",
        "distillation.grid_title": "distilled student, transfer set {fraction:.0%}, {epochs} epochs, {seeds} seeds",
        "distillation.fractions_title": "T = {temp:g}, α = {alpha:g}: mean gap and its 95% interval over {seeds} seeds",
        "distillation.progress_teacher": "the teacher labels the training digits",
        "distillation.progress": "epoch {epoch}/{epochs} · {students} students at once",
        "distillation.stopped_busy": "**Stopped after {done} of {epochs} epochs:** the class is busy, and others were "
                                     "waiting. Both kinds of student trained the same {done} epochs, so the comparison "
                                     "is fair, but shorter than asked. Click “Train both students” again when the "
                                     "class is quieter.",
        "distillation.stopped_long": "**Stopped after {done} of {epochs} epochs:** a training ends after "
                                     "{seconds:.0f} s, the time limit of a run (every answer comes within two "
                                     "minutes). Both kinds of student trained the same {done} epochs, so the "
                                     "comparison is fair, but shorter than asked. Fewer epochs, seeds or training "
                                     "digits fit in the time.",
        "distillation.no_results": "No precomputed results yet: run `python -m demos.distillation.train`.",
        "distillation.col_test": "Test digits",
        "distillation.col_strokes": "Stroke<br>digits",
        "distillation.settings": "Trained with T\u00a0=\u00a0{temp:g}, α\u00a0=\u00a0{alpha:g}, **{epochs}**, "
                                 "transfer set **{percent:g}%** ({digits} labelled digits, about {per_class} per "
                                 "class), **{seeds}**; mean ± std over the seeds.",
        "distillation.n_epochs": "{n} epochs",
        "distillation.n_epochs_one": "{n} epoch",
        "distillation.n_seeds": "{n} seeds",
        "distillation.n_seeds_one": "{n} seed",
        "distillation.where_test": "On the test digits",
        "distillation.where_strokes": "On the stroke-drawn digits (held out: drawn with pen strokes, unlike the "
                                      "training scans and fonts)",
        "distillation.verdict_distilled": "{where}: distillation **helped**, {gap} points (95% interval "
                                          "{low} to {high} over {seeds} seeds).",
        "distillation.verdict_hard": "{where}: hard labels **did better**, {gap} points (95% interval "
                                     "{low} to {high} over {seeds} seeds).",
        "distillation.verdict_tie": "{where}: **no clear difference**, {gap} points, but the 95% interval over "
                                    "{seeds} seeds ({low} to {high}) covers zero.",
        "distillation.verdict_one_seed": "{where}: {gap} points from **one seed**, too little to conclude (one "
                                         "run shows no spread): train 3 or more seeds.",
        "distillation.verdict_how": "Gap = distilled − hard labels in percentage points, per seed (both students of "
                                    "a seed share data, start and batches); the interval is the t-interval of the "
                                    "mean gap.",
        "distillation.legend_epochs": "epochs",
        "distillation.gap_title_test": "test digits",
        "distillation.gap_title_strokes": "stroke-drawn digits (held out)",
        "distillation.axis_gap": "distilled − hard labels (points)",
        "distillation.name_t": "Temperature T",
        "distillation.name_alpha": "α",
        "distillation.name_epochs": "Epochs",
        "distillation.name_fraction": "Transfer set %",
        "distillation.name_seeds": "Seeds",
        "distillation.name_index": "Test digit #",
    },
    "zh": {
        "distillation.tab": "知識蒸餾",
        "distillation.intro": "大的**老師**（內建的數字 CNN）用它的*軟標籤* softmax(z/T) 教小小的**學生**（MLP）。"
                              "把溫度 T 調高，就能看見老師的**暗知識**：一個 7 有多像 1、又有多像 3。",
        "distillation.gallery": "選一個測試數字：先是手寫的 0–9，再來是印刷的 0–9",
        "distillation.test_index": "測試數字編號",
        "distillation.sketch": "……或自己畫一個（筆畫粗一點；垃圾桶可清除）",
        "distillation.sketch_placeholder": "在這裡寫一個數字",
        "distillation.use_drawing": "使用我的手寫",
        "distillation.temperature": "溫度 T",
        "distillation.zoom": "放大小機率（暗知識）",
        "distillation.soft_plot": "老師對類別 0–9 的機率：T = 1 與你選的 T",
        "distillation.at_t1": "T = 1",
        "distillation.at_your_t": "你選的 T",
        "distillation.zoom_at_t1": "T = 1，放大（預測類別截斷）",
        "distillation.zoom_at_your_t": "你選的 T，放大（預測類別截斷）",
        "distillation.grad_plot": "T 變大時軟標籤梯度的大小 ‖∂L/∂v‖：有乘 T² 與不乘 T²",
        "distillation.grad_legend": '<span style="color:#2563eb">■ × T²</span> &nbsp; '
                                    '<span style="color:#f97316">■ 不乘 T²</span>',
        "distillation.seen": "老師看到的圖（28×28）",
        "distillation.train_header": "現場訓練學生",
        "distillation.train_intro": "兩個一模一樣的 MLP 學生（同樣資料、同樣初始權重、同樣亂數種子）："
                                    "一個向老師的軟標籤學，一個只看硬標籤。在預先算好的結果中，只有在有標籤的資料很少、"
                                    "而且訓練輪數夠多時，軟標籤才有幫助：試試 1%（每類約 5 張）訓練 30 輪，再試 1 輪，"
                                    "再試 100%。按下**訓練兩個學生**，結果和根據你這次各種子算出的結論會出現在下方。",
        "distillation.alpha": "α（軟標籤的權重）",
        "distillation.epochs": "訓練輪數（每輪 20 個小批次）",
        "distillation.fraction": "轉移資料集（訓練數字的百分比）",
        "distillation.held_out": "拿掉一個類別（論文拿掉了所有的 3）",
        "distillation.held_out_none": "不拿掉",
        "distillation.seeds": "亂數種子數（每個學生跑幾次）",
        "distillation.train_button": "訓練兩個學生",
        "distillation.preset": "Hinton 等人 2015：拿掉 3、T = 20、全部資料",
        "distillation.train_t": "溫度 T（在上方設定）",
        "distillation.canvas_empty": "畫布是空的，所以顯示測試數字：請先畫一個數字。",
        "distillation.rank_item": "{cls}（{p:.1%}）",
        "distillation.held_out_invalid": "「被拿掉的類別」必須是 \"none\" 或 0 到 9 的數字（收到 {value}）。",
        "distillation.curves": "訓練過程中的測試準確率（線為平均，色帶為各種子的最小到最大值）",
        "distillation.table": "最終測試準確率",
        "distillation.precomputed": "預先算好的結果（各 5 個種子，和按鈕預設一樣）",
        "distillation.heatmap": "學生在不同 T × α 下的測試準確率",
        "distillation.gap_plot": "蒸餾什麼時候贏過硬標籤？不同訓練輪數 × 轉移資料集下的差距",
        "distillation.prediction": "老師的預測：**{digit}**",
        "distillation.entropy": "熵：T = 1 時 **{h1:.2f} 位元** → T = {temp:g} 時 **{ht:.2f} 位元**（均勻分布 = 3.32）",
        "distillation.dark": "T = {temp:g} 時的暗知識（其他類別，由可能到不可能）：{ranking}",
        "distillation.grad_change": "對還沒學到任何東西的學生（所有 logit 相等），T = {temp:g} 與 T = 1 相比，"
                                    "軟標籤梯度：不乘 T² 時{without}，乘上 T² 時{with_t2}。",
        "distillation.smaller": "**小了 {factor} 倍**",
        "distillation.larger": "**大了 {factor} 倍**",
        "distillation.same": "**一樣大**",
        "distillation.source_test": "測試數字 #{index}（{style}，標籤 {label}）",
        "distillation.source_drawing": "你的手寫",
        "distillation.style_handwritten": "手寫",
        "distillation.style_typeset": "印刷",
        "distillation.col_student": "學生",
        "distillation.col_accuracy": "測試準確率",
        "distillation.row_distilled": "蒸餾（軟標籤，T\u00a0=\u00a0{temp:g}，α\u00a0=\u00a0{alpha:g}）",
        "distillation.row_hard": "只用硬標籤",
        "distillation.row_held": "{student}學生：被拿掉的 {cls}",
        "distillation.row_held_corrected": "{student}學生：被拿掉的 {cls}（偏差校正後）",
        "distillation.student_distilled": "蒸餾",
        "distillation.student_hard": "硬標籤",
        "distillation.row_paper": "Hinton 等人 2015（MNIST，網路大得多）：被拿掉的 3",
        "distillation.row_paper_corrected": "Hinton 等人 2015：被拿掉的 3（偏差校正後）",
        "distillation.heldout_note": "學生從沒看過 {cls}。偏差校正把 {cls} 的 logit 調高，"
                                     "直到未標記的訓練數字中有十分之一被預測為 {cls}（它的先驗機率）；"
                                     "完全沒用到 {cls} 的標籤。（論文的偏差 +3.5 是在測試集上選的。）",
        "distillation.legend_distilled": "蒸餾",
        "distillation.legend_hard": "硬標籤",
        "distillation.curve_with_t2": "× T²",
        "distillation.curve_without_t2": "不乘 T²",
        "distillation.axis_epoch": "訓練輪數",
        "distillation.axis_accuracy": "測試準確率",
        "distillation.axis_alpha": "α（軟標籤的權重）",
        "distillation.axis_fraction": "轉移資料集（訓練數字的百分比，對數刻度）",
        "distillation.grid_title": "蒸餾學生，轉移資料集 {fraction:.0%}，{epochs} 輪，{seeds} 個種子",
        "distillation.fractions_title": "T = {temp:g}，α = {alpha:g}：平均差距與 {seeds} 個種子的 95% 區間",
        "distillation.progress_teacher": "老師正在為訓練數字產生軟標籤",
        "distillation.progress": "第 {epoch}/{epochs} 輪 · {students} 位學生同時訓練",
        "distillation.stopped_busy": "**訓練了 {done}/{epochs} 輪就停止**：伺服器正忙，有其他同學在排隊。"
                                     "兩種學生都訓練了同樣的 {done} 輪，所以比較仍然公平，只是比設定的短。"
                                     "等課堂空一點再按一次「訓練兩個學生」。",
        "distillation.stopped_long": "**訓練了 {done}/{epochs} 輪就停止**：每次訓練最多 {seconds:.0f} 秒，"
                                     "這是單次執行的時間上限（讓每個答案都在兩分鐘內出現）。兩種學生都訓練了同樣的 "
                                     "{done} 輪，所以比較仍然公平，只是比設定的短。減少輪數、種子數或訓練資料比例，"
                                     "就能在時間內完成。",
        "distillation.no_results": "還沒有預先算好的結果：請執行 `python -m demos.distillation.train`。",
        "distillation.col_test": "測試數字",
        "distillation.col_strokes": "筆畫手繪數字",
        "distillation.settings": "訓練設定：T\u00a0=\u00a0{temp:g}，α\u00a0=\u00a0{alpha:g}，**{epochs}**，"
                                 "轉移資料集 **{percent:g}%**（{digits} 張有標籤的數字，每類約 {per_class} 張），"
                                 "**{seeds}**；數字為各種子的平均 ± 標準差。",
        "distillation.n_epochs": "{n} 輪",
        "distillation.n_epochs_one": "{n} 輪",
        "distillation.n_seeds": "{n} 個種子",
        "distillation.n_seeds_one": "{n} 個種子",
        "distillation.where_test": "在測試數字上",
        "distillation.where_strokes": "在筆畫手繪數字上（保留集：用筆畫畫出來的，和訓練用的掃描及字型都不同）",
        "distillation.verdict_distilled": "{where}：蒸餾**有幫助**，差 {gap} 個百分點"
                                          "（{seeds} 個種子的 95% 區間 {low} 到 {high}）。",
        "distillation.verdict_hard": "{where}：硬標籤**比較好**，差 {gap} 個百分點"
                                     "（{seeds} 個種子的 95% 區間 {low} 到 {high}）。",
        "distillation.verdict_tie": "{where}：**看不出明顯差異**，差 {gap} 個百分點，"
                                    "但 {seeds} 個種子的 95% 區間（{low} 到 {high}）包含零。",
        "distillation.verdict_one_seed": "{where}：只有**一個種子**，差 {gap} 個百分點，不足以下結論"
                                         "（一次訓練看不出變異）：請用 3 個以上的種子。",
        "distillation.verdict_how": "差距 = 蒸餾 − 硬標籤（百分點），逐一種子計算（同一種子的兩個學生用相同的資料、"
                                    "初始權重與小批次）；區間是平均差距的 t 信賴區間。",
        "distillation.legend_epochs": "訓練輪數",
        "distillation.gap_title_test": "測試數字",
        "distillation.gap_title_strokes": "筆畫手繪數字（保留集）",
        "distillation.axis_gap": "蒸餾 − 硬標籤（百分點）",
        "distillation.name_t": "溫度 T",
        "distillation.name_alpha": "α",
        "distillation.name_epochs": "訓練輪數",
        "distillation.name_fraction": "轉移資料集百分比",
        "distillation.name_seeds": "亂數種子數",
        "distillation.name_index": "測試數字編號",
    },
}



def load_results() -> dict | None:
    return read_results(RESULTS)


SYMBOLS = {"distilled": "▲", "hard": "▼", "tie": "≈", "one_seed": "·"}


def sweep_cell(results: dict, epochs: int, fraction: float) -> dict:
    """One setting of the shipped sweep (per-seed accuracies and the gap's verdict on both test sets)."""
    return next(c for c in results["sweep"]["cells"] if c["epochs"] == epochs and c["fraction"] == fraction)


def points(share: float) -> str:
    """A gap in percentage points with its sign, '+4.7'; 0.0 without a sign ('-0.0' reads like a loss)."""
    value = round(share * 100, 1)
    return f"{value:+.1f}" if value else "0.0"


def gap_text(gap: dict) -> str:
    """'+4.7 (+1.7 … +7.7)': the mean gap and its 95% interval, in percentage points."""
    return f"{points(gap['mean'])} ({points(gap['low'])} … {points(gap['high'])})"


def sweep_table(results: dict, test_set: str) -> str:
    """The sweep as a Markdown table: rows = epochs, columns = transfer set %, cells = gap and its verdict."""
    sweep = results["sweep"]
    lines = ["| | " + " | ".join(f"{f * 100:g}%" for f in sweep["fractions"]) + " |",
             "| ---: |" + " ---: |" * len(sweep["fractions"])]
    for epochs in sweep["epochs"]:
        cells = [sweep_cell(results, epochs, f)[test_set]["gap"] for f in sweep["fractions"]]
        lines.append(f"| **{epochs}** | " + " | ".join(f"{points(g['mean'])} {SYMBOLS[g['verdict']]}"
                                                      for g in cells) + " |")
    return "\n".join(lines)


def note_numbers(results: dict) -> dict[str, str]:
    """The numbers the lecture notes quote, formatted, from results.json."""
    notes, preset = results["notes"], results["paper_preset"]
    pct = lambda value: f"{value * 100:.1f}%"  # noqa: E731  (one decimal, as the results table shows it)
    mean_pct = lambda values: pct(sum(values) / len(values))  # noqa: E731
    confusions = {int(c): others for c, others in notes["confusions"].items()}
    on_strokes = {int(c): others for c, others in notes["confusions_strokes"].items()}
    change = {f"{a:g}_{b:g}": numbers for (a, b), numbers in zip(notes["gradient_pairs"], notes["gradient_change"])}
    numbers = {
        "confusion_t": f"{notes['confusion_temperature']:g}",
        "seven_like": " > ".join(str(c) for c, _ in confusions[7]),
        "three_like": " > ".join(str(c) for c, _ in confusions[3]),
        "four_like": " > ".join(str(c) for c, _ in confusions[4]),
        "seven_like_strokes": " > ".join(str(c) for c, _ in on_strokes[7]),
        "three_like_strokes": " > ".join(str(c) for c, _ in on_strokes[3]),
        "four_like_strokes": " > ".join(str(c) for c, _ in on_strokes[4]),
        "without_1_10": f"{1 / change['1_10']['without_t2']:.0f}",
        "without_10_20": f"{1 / change['10_20']['without_t2']:.1f}",
        "with_1_5": f"{change['1_5']['with_t2']:.1f}",
        "with_10_20_change": f"{abs(1 - change['10_20']['with_t2']) * 100:.0f}%",
        "preset_distilled": pct(preset["distilled"]), "preset_distilled_corrected": pct(preset["distilled_corrected"]),
        "preset_hard": pct(preset["hard"]), "preset_hard_corrected": pct(preset["hard_corrected"]),
        "preset_distilled_corrected_strokes": pct(preset["strokes:distilled_corrected"]),
        "preset_hard_corrected_strokes": pct(preset["strokes:hard_corrected"]),
        "seeds": str(results["sweep"]["seeds"]),
        "sweep_epochs": ", ".join(str(e) for e in results["sweep"]["epochs"]),
        "sweep_table_test": sweep_table(results, "test"),
        "sweep_table_strokes": sweep_table(results, "strokes"),
    }
    cells = results["sweep"]["cells"]
    on_strokes_gaps = [c["strokes"]["gap"] for c in cells]
    ahead = [g for g in on_strokes_gaps if g["verdict"] == "distilled"]
    numbers.update({
        "cell_count": str(len(cells)),
        "strokes_ahead": str(len(ahead)),
        "strokes_behind": str(sum(g["verdict"] == "hard" for g in on_strokes_gaps)),
        "strokes_best": f"{max([g['mean'] for g in ahead], default=0) * 100:.1f}",
        "stroke_count": str(results["sweep"]["strokes"]["per_digit"] * 10),
        "teacher_strokes": pct(notes["teacher_accuracy"]["strokes"]),
        "teacher_test": pct(notes["teacher_accuracy"]["test"]),
    })
    for name, (epochs, fraction) in NOTED_CELLS.items():
        cell = sweep_cell(results, epochs, fraction)
        for test_set, suffix in (("test", ""), ("strokes", "_strokes"))[:2 if name == "default" else 1]:
            numbers[f"distilled_{name}{suffix}"] = mean_pct(cell[test_set]["distilled"])
            numbers[f"hard_{name}{suffix}"] = mean_pct(cell[test_set]["hard"])
            numbers[f"gap_{name}{suffix}"] = gap_text(cell[test_set]["gap"])
    return numbers


#: The settings of the sweep the notes name: (epochs, transfer-set share).
NOTED_CELLS = {"default": (30, 0.01), "one_epoch": (1, 0.01), "all_data": (30, 1.0)}


def notes(lang: str, results: dict | None) -> str:
    """notes.<lang>.md with its {{placeholders}} filled in from the shipped results."""
    return lecture_notes(HERE, lang, results, note_numbers)


register(STRINGS)
_results = load_results()
register({lang: {"distillation.notes": notes(lang, _results)} for lang in ("en", "zh")})

#: Predict, then check (core.questions): each question is answered by one click in the tab (ui.QUESTIONS).
QUESTIONS = {
    "en": {
        "distillation.q_entropy": "What happens to the entropy of the soft targets as T → ∞?",
        "distillation.q_entropy_answer": "T is now 20. Read the entropy line beside the digit: it is higher at T = 20 "
                                         "than at T = 1, and the bars at your T are flatter. Dividing the logits by a "
                                         "large T shrinks their differences, so the softmax tends to the uniform "
                                         "distribution: as T → ∞ the entropy rises to its maximum, log₂ 10 = 3.32 "
                                         "bits.",
        "distillation.q_t2": "Why is the soft-target loss multiplied by T²?",
        "distillation.q_t2_answer": "T is now 20. Read the gradient line (and the plot under it): without T², the "
                                    "soft-target gradient at T = 20 is many times smaller than at T = 1: once T is "
                                    "large it shrinks like 1/T². Multiplying the loss by T² undoes that, so the soft "
                                    "targets keep their weight against the hard labels whatever T you choose.",
        "distillation.q_alpha0": "What does α = 0 mean for the distilled student?",
        "distillation.q_alpha0_answer": "α is now 0 and the students trained (same T, epochs, transfer set and seeds "
                                        "as before). α weighs the soft targets: with α = 0 the loss is the hard "
                                        "labels' cross-entropy alone, so the \"distilled\" student is trained exactly "
                                        "like the hard-label one (per seed, same data, start and batches). Read the "
                                        "table: its two rows are the same and the gap is +0.0 points.",
        "distillation.q_heldout": "Can a student recognise a digit it never saw?",
        "distillation.q_heldout_answer": "This ran Hinton et al.'s experiment: every 3 removed from the transfer set, "
                                         "T = 20. Compare the held-out 3s rows of the table: the hard-label student "
                                         "gets (almost) none of the 3s right, it never saw that class; the distilled "
                                         "student also never saw a 3, yet gets many right: the teacher's soft targets "
                                         "said how much each other digit looks like a 3. The bias correction only "
                                         "sets how often 3 is predicted; it uses no 3 label.",
    },
    "zh": {
        "distillation.q_entropy": "T → ∞ 時，軟標籤的熵會怎樣？",
        "distillation.q_entropy_answer": "T 已設為 20。看數字旁的熵那一行：T = 20 時比 T = 1 時高，你的 T 那邊的長條也"
                                         "比較平。把 logit 除以很大的 T 會縮小它們之間的差距，所以 softmax 趨向均勻分"
                                         "布：T → ∞ 時熵升到最大值 3.32 位元（十個類別一樣可能）。",
        "distillation.q_t2": "為什麼軟標籤的損失要乘上 T²？",
        "distillation.q_t2_answer": "T 已設為 20。看梯度那一行（和下面的圖）：不乘 T² 時，T = 20 的軟標籤梯度比 T = 1 "
                                    "時小了好幾倍：T 夠大以後，它大約像 1/T² 一樣縮小。把損失乘上 T² 正好抵銷這件事，"
                                    "所以不管選哪個 T，軟標籤相對於硬標籤的份量都維持住。",
        "distillation.q_alpha0": "α = 0 對蒸餾的學生代表什麼？",
        "distillation.q_alpha0_answer": "α 已設為 0，學生也訓練好了（T、訓練輪數、轉移資料集與種子數都和原本一樣）。α "
                                        "是軟標籤的權重：α = 0 時損失只剩硬標籤的交叉熵，所以「蒸餾」的學生和只用硬標"
                                        "籤的學生訓練方式完全一樣（每個種子的資料、初始權重與小批次都相同）。看表格："
                                        "兩列一模一樣，差距是 +0.0 個百分點。",
        "distillation.q_heldout": "學生認得出一個它從沒看過的數字嗎？",
        "distillation.q_heldout_answer": "剛剛跑的是 Hinton 等人的實驗：轉移資料集裡所有的 3 都拿掉，T = 20。比較表格"
                                         "中「被拿掉的 3」那幾列：只用硬標籤的學生（幾乎）一個 3 都認不出來，因為它從"
                                         "沒看過這一類；蒸餾的學生也從沒看過 3，卻認對了很多：老師的軟標籤告訴它其他每"
                                         "個數字有多像 3。偏差校正只調整多常預測成 3，完全沒用到 3 的標籤。",
    },
}
register(QUESTIONS)
