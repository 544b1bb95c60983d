"""The saliency tab's words, in English and Traditional Chinese (registered on import).

The lecture notes (notes.en.md, notes.zh.md) quote measured numbers as {{name}} placeholders, filled from
assets/models/saliency/results.json (written by measure.py), so the notes never say what the tab does not show.
"""
from __future__ import annotations

from pathlib import Path

from core.i18n import lecture_notes, read_results, register
from core.models import ASSETS
from demos.saliency.names import imagenet_name

HERE = Path(__file__).parent
RESULTS = ASSETS / "saliency" / "results.json"

STRINGS = {
    "en": {
        "saliency.tab": "Saliency",
        "saliency.intro": "**Why did the classifier say that?** A saliency map colours each pixel by how much the "
                          "class score y changes when that pixel changes, |∂y/∂x|. Pick a photo, choose the class "
                          "to explain (a wrong one too: *why not dog?*) and compare the methods. Then check them: "
                          "does the map change when the model's weights are destroyed?",
        "saliency.picture": "Your picture",
        "saliency.examples": "…or pick an example: photos, then test digits (for the digit model)",
        "saliency.sketch": "…or draw a digit (for the digit model)",
        "saliency.sketch_placeholder": "Draw a digit here",
        "saliency.use_drawing": "Explain my drawing",
        "saliency.seen": "What the model sees",
        "saliency.predictions": "Top 5 predictions",
        "saliency.target": "Class to explain",
        "saliency.methods": "Methods",
        "saliency.method_saliency": "Saliency (gradient)",
        "saliency.method_smoothgrad": "SmoothGrad",
        "saliency.method_smoothgrad_sq": "SmoothGrad²",
        "saliency.method_vargrad": "VarGrad",
        "saliency.method_integrated_gradients": "Integrated Gradients",
        "saliency.method_gradcam": "Grad-CAM",
        "saliency.method_occlusion": "Occlusion",
        "saliency.method_random": "Random order (reference)",
        "saliency.settings": "Method settings",
        "saliency.sigma": "SmoothGrad noise σ, % of the input's range (paper's sweet spot: 10–20%)",
        "saliency.samples": "SmoothGrad samples N",
        "saliency.ig_steps": "Integrated Gradients steps",
        "saliency.baseline": "Integrated Gradients baseline",
        "saliency.baseline_black": "black",
        "saliency.baseline_blurred": "blurred picture",
        "saliency.baseline_noise": "noise",
        "saliency.window": "Occlusion window, % of the side",
        "saliency.stride": "Occlusion stride, % of the side (at most the window)",
        "saliency.opacity": "Heat-map opacity (0 = picture only, 1 = heat map only)",
        "saliency.explain": "Explain",
        "saliency.maps": "Attribution maps, one shared colour scale (each map divided by its 99th percentile)",
        "saliency.samples_header": "SmoothGrad: watch the noise average out",
        "saliency.samples_intro": "The same SmoothGrad with N = 1, 5, 25 and 100 noisy copies at your σ, on one "
                                  "colour scale. One copy is as noisy as the plain gradient; the average sharpens.",
        "saliency.samples_button": "Compare N = 1, 5, 25, 100",
        "saliency.sanity_header": "Sanity check: randomise the model, layer by layer",
        "saliency.sanity_intro": "Adebayo et al. 2018: re-initialise the layers from the top (the logits) down and "
                                 "recompute each map. A faithful map changes; a map that stays the same shows the "
                                 "picture (its edges), not the model's reasons. Each map is compared with the original "
                                 "by the paper's four similarities, after a blur that ignores pixel jitter; the first "
                                 "two rows of pictures are the paper's references: the input and an edge detector, "
                                 "which know no model at all.",
        "saliency.sanity_button": "Run the sanity check",
        "saliency.sanity_plot": "Similarity with the original map, as more layers are randomised (1 = the same map)",
        "saliency.sanity_maps": "Input, edge detector, then the maps after each step (left: original; right: "
                                "everything randomised)",
        "saliency.metric_spearman_abs": "Spearman ρ of |map|",
        "saliency.metric_spearman_signed": "Spearman ρ, signed map",
        "saliency.metric_ssim": "SSIM",
        "saliency.metric_hog": "HOG similarity",
        "saliency.reference_input": "input",
        "saliency.reference_edge": "edge detector",
        "saliency.verdict_changed": "changed with the model",
        "saliency.verdict_tied": "still tied to the original (draws the picture)",
        "saliency.verdict_unclear": "unclear: the similarities disagree or sit in between",
        "saliency.sanity_rule": "How the verdict is read: each similarity s (all layers random vs original) is placed "
                                "between a misaligned copy of the original map (rolled by half the side: no relation "
                                "to the picture; 0 if lower) and 1 (the same map). Below {low:.0%} of that scale it "
                                "votes changed (✓), above {high:.0%} still tied (✗), between unclear (?). A negative "
                                "s counts as changed (the map now lights other pixels); a map that only flipped its "
                                "sign keeps ρ of |map| at 1. The verdict needs {votes} of the {total} votes, "
                                "otherwise it is unclear.",
        "saliency.deletion_header": "Deletion and insertion: do the salient pixels carry the class?",
        "saliency.deletion_intro": "Remove the pixels in the order a map ranks them, most salient first, and follow "
                                   "the class probability: the smaller the area under the curve (AUC), the better the "
                                   "map found what the model needs. Insertion does the opposite: start from the fill "
                                   "and put the most salient pixels back first: the larger its AUC, the better. Pixels "
                                   "a map ranks equally are taken in random order, averaged over several orders; "
                                   "random orders are the reference.",
        "saliency.fill": "Removed pixels become",
        "saliency.fill_grey": "the model's zero input (grey; black for digits)",
        "saliency.fill_blurred": "the blurred picture",
        "saliency.deletion_button": "Draw the deletion and insertion curves",
        "saliency.deletion_plot": "Deletion: p(class) as pixels are removed, most salient first",
        "saliency.insertion_plot": "Insertion: p(class) as pixels are put back, most salient first",
        "saliency.axis_removed": "% of pixels removed",
        "saliency.axis_inserted": "% of pixels put back",
        "saliency.col_method": "Method",
        "saliency.col_similarity": "Similarity",
        "saliency.col_curve": "Curve",
        "saliency.col_class": "Class",
        "saliency.bar_class": "{rank}. {name}",
        "saliency.bar_digit": "{rank}. digit {name}",
        "saliency.col_probability": "Probability",
        "saliency.col_step": "Step",
        "saliency.curve_deletion": "deletion",
        "saliency.curve_insertion": "insertion",
        "saliency.col_auc": "Deletion AUC (lower is better)",
        "saliency.col_insertion": "Insertion AUC (higher is better)",
        "saliency.col_verdict": "Verdict",
        "saliency.reading_better": "better than random",
        "saliency.reading_worse": "worse than random",
        "saliency.reading_same": "not distinguishable from random",
        "saliency.deletion_rule": "± is half the range over {orders} random tie-breaking orders (one order for a map "
                                  "without ties). A curve is read as better or worse than random only when its AUC "
                                  "differs from the random orders' mean by more than {gap} and more than the two "
                                  "ranges over the orders added up.",
        "saliency.deletion_low_p": "⚠ The model gives this class only p = {p:.2f} (below {low:.1f}) on the intact "
                                   "picture: the curves have little room to move, so small AUC differences say "
                                   "nothing.",
        "saliency.low_confidence": "⚠ The model is unsure (p below {low:.0%}): the maps explain a weak score.",
        "saliency.layer_original": "original",
        "saliency.layer_logits": "logits",
        "saliency.layer_head": "head",
        "saliency.layer_stage": "stage {number}",
        "saliency.layer_stem": "stem",
        "saliency.layer_fc": "fc",
        "saliency.layer_conv": "conv {number}",
        "saliency.prediction_line": "The model says **{label}** ({p:.1%}). Explaining **{target}** ({pt:.1%}).",
        "saliency.prediction_same": "The model says **{label}** ({p:.1%}), and that is the class explained.",
        "saliency.seen_digit": "The digit CNN knows only the digits 0–9: any picture becomes a centred {size}×{size} "
                               "digit (shown first below), so a photo gets a meaningless answer.",
        "saliency.seen_line": "The model sees the centre square of the picture at {size}×{size} pixels.",
        "saliency.sigma_line": "The SmoothGrad methods' noise: σ = {sigma:g}% of the range = {value:.3f} in the "
                               "model's input units.",
        "saliency.sanity_capped": "For speed the sanity check uses at most {samples} SmoothGrad samples, {steps} "
                                  "Integrated Gradients steps and an Occlusion stride of at least {stride}% of the "
                                  "side, its window at least as wide ({positions} window positions per map).",
        "saliency.progress_method": "computing {method} ({done}/{total})",
        "saliency.progress_step": "randomised down to: {step}",
        "saliency.progress_samples": "SmoothGrad with N = {n}",
        "saliency.samples_stopped_busy": "**Stopped after N = {n}:** the class is busy, and others were waiting. "
                                         "Click “Compare N = 1, 5, 25, 100” again when the class is quieter.",
        "saliency.sanity_skipped_busy": "**The class is busy, so these steps were skipped: {steps}** "
                                        "(others were waiting). The last column is still the model with every layer "
                                        "randomised, so the verdict stands; only the curves lack the steps between. "
                                        "Run the check again when the class is quieter to see every step.",
        "saliency.explain_stopped_busy": "**Stopped early:** the class is busy, and others were waiting. Not "
                                         "computed: {methods}. Click “Explain” again when the class is quieter.",
        "saliency.deletion_stopped_busy": "**Stopped early:** the class is busy, and others were waiting. Not "
                                          "measured: {methods}. Draw the curves again when the class is quieter.",
        "saliency.samples_stopped_long": "**Stopped after N = {n}:** the time limit of a run ({seconds:.0f} s) was "
                                         "reached; every answer comes within two minutes.",
        "saliency.sanity_skipped_long": "**These steps were skipped to stay within the time limit of a run "
                                        "({seconds:.0f} s): {steps}**. The last column is still the model with every "
                                        "layer randomised, so the verdict stands; only the curves lack the steps "
                                        "between.",
        "saliency.explain_stopped_long": "**Stopped early:** the time limit of a run ({seconds:.0f} s) was reached. "
                                         "Not computed: {methods}. Fewer methods, samples or steps fit in the time.",
        "saliency.deletion_stopped_long": "**Stopped early:** the time limit of a run ({seconds:.0f} s) was reached. "
                                          "Not measured: {methods}. Fewer methods fit in the time.",
        "saliency.progress_deletion": "deletion and insertion curves: {method}",
        "saliency.name_target": "Class to explain",
        "saliency.name_sigma": "σ",
        "saliency.name_samples": "Samples N",
        "saliency.name_ig_steps": "Integrated Gradients steps",
        "saliency.name_window": "Occlusion window",
        "saliency.name_stride": "Occlusion stride",
        "saliency.name_opacity": "Opacity",
        "saliency.no_methods": "Pick at least one method.",
        "saliency.unknown_method": "There is no method {value}. Methods: {known}.",
        "saliency.unknown_option": "{value} is not one of: {known}.",
        "saliency.canvas_empty": "The drawing is empty: draw a digit first, or untick \"Explain my drawing\".",
        "saliency.switched_to_digit": "A handwritten digit: switched to the digit model {model} (the photo models "
                                      "learnt ImageNet photos and would read it as some object).",
        "saliency.switched_to_photo": "A photo: switched to the photo model {model} (the digit model knows only "
                                      "the digits 0–9).",
        "saliency.image_too_small": "The picture is {width}×{height} pixels; it needs at least {minimum}×{minimum}.",
        "saliency.target_unknown": "Class {value} does not exist: this model knows the classes 0–{last}.",
    },
    "zh": {
        "saliency.tab": "顯著圖",
        "saliency.intro": "**分類器為什麼這樣判斷？** 顯著圖依照「改變這個像素時，類別分數 y 變化多少」（|∂y/∂x|）為"
                          "每個像素上色。選一張照片、選要解釋的類別（也可以選錯的：*為什麼不是狗？*），比較各種方法；"
                          "再檢查它們：把模型的權重破壞掉之後，圖還會一樣嗎？",
        "saliency.picture": "你的圖片",
        "saliency.examples": "……或挑一個範例：照片，然後是測試數字（給數字模型用）",
        "saliency.sketch": "……或畫一個數字（給數字模型用）",
        "saliency.sketch_placeholder": "在這裡畫一個數字",
        "saliency.use_drawing": "解釋我畫的數字",
        "saliency.seen": "模型看到的畫面",
        "saliency.predictions": "前 5 名預測",
        "saliency.target": "要解釋的類別",
        "saliency.methods": "方法",
        "saliency.method_saliency": "顯著圖（梯度）",
        "saliency.method_smoothgrad": "SmoothGrad",
        "saliency.method_smoothgrad_sq": "SmoothGrad²",
        "saliency.method_vargrad": "VarGrad",
        "saliency.method_integrated_gradients": "積分梯度（IG）",
        "saliency.method_gradcam": "Grad-CAM",
        "saliency.method_occlusion": "遮擋法",
        "saliency.method_random": "隨機順序（對照組）",
        "saliency.settings": "方法設定",
        "saliency.sigma": "SmoothGrad 雜訊 σ，占輸入範圍的百分比（論文建議：10–20%）",
        "saliency.samples": "SmoothGrad 樣本數 N",
        "saliency.ig_steps": "積分梯度的步數",
        "saliency.baseline": "積分梯度的基準圖",
        "saliency.baseline_black": "全黑",
        "saliency.baseline_blurred": "模糊後的圖片",
        "saliency.baseline_noise": "雜訊",
        "saliency.window": "遮擋窗大小，占邊長的百分比",
        "saliency.stride": "遮擋步幅，占邊長的百分比（不超過遮擋窗）",
        "saliency.opacity": "熱圖不透明度（0 = 只有圖片，1 = 只有熱圖）",
        "saliency.explain": "解釋",
        "saliency.maps": "歸因圖，共用同一個色階（每張圖除以自己的第 99 百分位數）",
        "saliency.samples_header": "SmoothGrad：看雜訊如何被平均掉",
        "saliency.samples_intro": "在你的 σ 下，用 N = 1、5、25、100 個加了雜訊的副本計算 SmoothGrad，共用同一個色階。"
                                  "一個副本跟原本的梯度一樣雜亂；平均之後越來越清楚。",
        "saliency.samples_button": "比較 N = 1、5、25、100",
        "saliency.sanity_header": "合理性檢查：逐層隨機化模型",
        "saliency.sanity_intro": "Adebayo 等人（2018）：從最上層（輸出層）往下逐層重新初始化，再重算每張圖。"
                                 "可信的圖會改變；始終不變的圖只是畫出圖片（的邊緣），而不是模型的理由。每張圖先模糊"
                                 "（忽略像素層級的抖動），再用論文的四種相似度與原圖比較；圖片的前兩列是論文的對照："
                                 "輸入本身與邊緣偵測器，兩者完全不依賴模型。",
        "saliency.sanity_button": "執行合理性檢查",
        "saliency.sanity_plot": "隨機化的層數增加時，與原圖的相似度（1 = 同一張圖）",
        "saliency.sanity_maps": "輸入、邊緣偵測器，然後是每一步之後的圖（左：原本；右：全部隨機化）",
        "saliency.metric_spearman_abs": "|圖| 的 Spearman ρ",
        "saliency.metric_spearman_signed": "帶正負號的圖的 Spearman ρ",
        "saliency.metric_ssim": "SSIM",
        "saliency.metric_hog": "HOG 相似度",
        "saliency.reference_input": "輸入",
        "saliency.reference_edge": "邊緣偵測器",
        "saliency.verdict_changed": "會隨模型改變",
        "saliency.verdict_tied": "仍與原圖綁在一起（畫的是圖片）",
        "saliency.verdict_unclear": "不明確：各相似度意見不一或落在中間",
        "saliency.sanity_rule": "判定方式：把每個相似度 s（全部隨機化 vs. 原圖）放在兩個參考點之間：錯位的原圖"
                                "（平移半個邊長：與圖片毫無對應；若為負則取 0）與 1（同一張圖）。低於這個刻度的 "
                                "{low:.0%} 投「改變」（✓），高於 {high:.0%} 投「仍綁在一起」（✗），中間投「不明確」"
                                "（?）。負的 s 算作改變（圖改亮了別的像素）；只是正負號翻轉的圖，|圖| 的 ρ 仍是 1。"
                                "{total} 票中要有 {votes} 票一致才下結論，否則為不明確。",
        "saliency.deletion_header": "刪除與插入：類別是由顯著的像素撐起來的嗎？",
        "saliency.deletion_intro": "依照一張圖排出的順序拿掉像素（最顯著的先拿），觀察類別機率：曲線下面積（AUC）越小，"
                                   "代表這張圖越能找出模型需要的東西。插入曲線相反：從填入的圖開始，把最顯著的像素先放"
                                   "回去：AUC 越大越好。同分的像素以隨機順序處理，並對多種順序取平均；"
                                   "隨機順序是對照組。",
        "saliency.fill": "被拿掉的像素換成",
        "saliency.fill_grey": "模型的零輸入（灰色；數字為黑色）",
        "saliency.fill_blurred": "模糊後的圖片",
        "saliency.deletion_button": "畫出刪除與插入曲線",
        "saliency.deletion_plot": "刪除：依顯著程度由高到低拿掉像素時，該類別的機率",
        "saliency.insertion_plot": "插入：依顯著程度由高到低放回像素時，該類別的機率",
        "saliency.axis_removed": "拿掉的像素百分比",
        "saliency.axis_inserted": "放回的像素百分比",
        "saliency.col_method": "方法",
        "saliency.col_similarity": "相似度",
        "saliency.col_curve": "曲線",
        "saliency.col_class": "類別",
        "saliency.bar_class": "{rank}. {name}",
        "saliency.bar_digit": "{rank}. 數字 {name}",
        "saliency.col_probability": "機率",
        "saliency.col_step": "步驟",
        "saliency.curve_deletion": "刪除",
        "saliency.curve_insertion": "插入",
        "saliency.col_auc": "刪除曲線 AUC（越小越好）",
        "saliency.col_insertion": "插入曲線 AUC（越大越好）",
        "saliency.col_verdict": "結果",
        "saliency.reading_better": "優於隨機",
        "saliency.reading_worse": "劣於隨機",
        "saliency.reading_same": "與隨機無法區分",
        "saliency.deletion_rule": "± 是 {orders} 種隨機同分排序之間範圍的一半（沒有同分的圖只有一種順序）。只有當 AUC "
                                  "與隨機順序的平均相差超過 {gap}、也超過兩者在各順序間的範圍相加時，"
                                  "才判定優於或劣於隨機。",
        "saliency.deletion_low_p": "⚠ 模型在完整圖片上給這個類別的機率只有 p = {p:.2f}（低於 {low:.1f}）：曲線沒有"
                                   "多少變化空間，AUC 的小差異不代表什麼。",
        "saliency.low_confidence": "⚠ 模型並不確定（p 低於 {low:.0%}）：這些圖解釋的是一個微弱的分數。",
        "saliency.layer_original": "原本",
        "saliency.layer_logits": "輸出層",
        "saliency.layer_head": "頭部",
        "saliency.layer_stage": "第 {number} 階段",
        "saliency.layer_stem": "起始層",
        "saliency.layer_fc": "全連接層",
        "saliency.layer_conv": "卷積層 {number}",
        "saliency.prediction_line": "模型認為是 **{label}**（{p:.1%}）。正在解釋 **{target}**（{pt:.1%}）。",
        "saliency.prediction_same": "模型認為是 **{label}**（{p:.1%}），正在解釋的就是這個類別。",
        "saliency.seen_digit": "數字 CNN 只認得 0–9：任何圖片都會變成置中的 {size}×{size} 數字（下方第一張），"
                               "所以照片只會得到沒有意義的答案。",
        "saliency.seen_line": "模型看到的是圖片中央的正方形，大小 {size}×{size} 像素。",
        "saliency.sigma_line": "SmoothGrad 類方法的雜訊：σ = 範圍的 {sigma:g}% = 模型輸入單位中的 {value:.3f}。",
        "saliency.sanity_capped": "為了速度，合理性檢查最多使用 {samples} 個 SmoothGrad 樣本、{steps} 步積分梯度，"
                                  "遮擋法的步幅至少為邊長的 {stride}%，遮擋窗不小於步幅"
                                  "（每張圖 {positions} 個遮擋位置）。",
        "saliency.progress_method": "正在計算{method}（{done}/{total}）",
        "saliency.progress_step": "隨機化到：{step}",
        "saliency.progress_samples": "SmoothGrad，N = {n}",
        "saliency.samples_stopped_busy": "**算到 N = {n} 就停止**：伺服器正忙，有其他同學在排隊。"
                                         "等課堂空一點再按一次「比較 N = 1、5、25、100」。",
        "saliency.sanity_skipped_busy": "**伺服器正忙，所以跳過了這些步驟：{steps}**（有其他同學在排隊）。"
                                        "最後一欄仍然是每一層都隨機化後的模型，所以結論不變；只是曲線少了中間的步驟。"
                                        "等課堂空一點再執行一次，就能看到每一步。",
        "saliency.explain_stopped_busy": "**提早停止**：伺服器正忙，有其他同學在排隊。沒有算到：{methods}。"
                                         "等課堂空一點再按一次「解釋」。",
        "saliency.deletion_stopped_busy": "**提早停止**：伺服器正忙，有其他同學在排隊。沒有量到：{methods}。"
                                          "等課堂空一點再畫一次曲線。",
        "saliency.samples_stopped_long": "**算到 N = {n} 就停止**：已達單次執行的時間上限（{seconds:.0f} 秒，"
                                         "讓每個答案都在兩分鐘內出現）。",
        "saliency.sanity_skipped_long": "**為了不超過單次執行的時間上限（{seconds:.0f} 秒），"
                                        "跳過了這些步驟：{steps}**。最後一欄仍然是每一層都隨機化後的模型，"
                                        "所以結論不變；只是曲線少了中間的步驟。",
        "saliency.explain_stopped_long": "**提早停止**：已達單次執行的時間上限（{seconds:.0f} 秒）。"
                                         "沒有算到：{methods}。減少方法、樣本數或步數，就能在時間內完成。",
        "saliency.deletion_stopped_long": "**提早停止**：已達單次執行的時間上限（{seconds:.0f} 秒）。"
                                          "沒有量到：{methods}。減少方法，就能在時間內完成。",
        "saliency.progress_deletion": "刪除與插入曲線：{method}",
        "saliency.name_target": "要解釋的類別",
        "saliency.name_sigma": "σ",
        "saliency.name_samples": "樣本數 N",
        "saliency.name_ig_steps": "積分梯度的步數",
        "saliency.name_window": "遮擋窗大小",
        "saliency.name_stride": "遮擋步幅",
        "saliency.name_opacity": "不透明度",
        "saliency.no_methods": "請至少選一種方法。",
        "saliency.unknown_method": "沒有 {value} 這種方法。可用的方法：{known}。",
        "saliency.unknown_option": "{value} 不是下列選項之一：{known}。",
        "saliency.canvas_empty": "畫布是空的：請先畫一個數字，或取消勾選「解釋我畫的數字」。",
        "saliency.switched_to_digit": "這是手寫數字：已切換到數字模型 {model}（照片模型學的是 ImageNet 照片，"
                                      "會把它看成某種物體）。",
        "saliency.switched_to_photo": "這是照片：已切換到照片模型 {model}（數字模型只認得 0 到 9）。",
        "saliency.image_too_small": "圖片只有 {width}×{height} 像素，至少需要 {minimum}×{minimum}。",
        "saliency.target_unknown": "沒有類別 {value}：這個模型的類別是 0–{last}。",
    },
}


HELDOUT = ASSETS / "saliency" / "heldout.json"
MARKS = {"changed": "✓", "tied": "✗", "unclear": "?"}  # the sanity table's marks, the same in both languages


def load_results() -> dict | None:
    """results.json (the examples) with heldout.json (the held-out set) under "heldout", when both are there."""
    results = read_results(RESULTS)
    found = read_results(HELDOUT)
    if results is not None and found is not None:
        results = results | {"heldout": found}
    return results


def note_numbers(results: dict) -> dict[str, str]:
    """The numbers the lecture notes quote, formatted, from results.json and heldout.json."""
    cat = results["examples"]["chelsea"]
    numbers = {}
    for method, entry in cat["sanity"]["methods"].items():
        numbers[f"cat_s_{method}"] = f"{entry['similarity']['spearman_abs'][-1]:.2f}".replace("-0.00", "0.00")
        numbers[f"cat_mark_{method}"] = MARKS[entry["verdict"]]
    grey = cat["curves"]["grey"]
    for method, entry in grey["methods"].items():
        numbers[f"cat_del_{method}"] = f"{entry['deletion']['auc']:.3f}"
        numbers[f"cat_ins_{method}"] = f"{entry['insertion']['auc']:.3f}"
    numbers["cat_del_random"] = f"{grey['random']['deletion']['auc']:.3f}"
    numbers["cat_ins_random"] = f"{grey['random']['insertion']['auc']:.3f}"
    seven = results["examples"]["digit_7"]["sanity"]["methods"]
    numbers.update({f"seven_s_{m}": f"{v['similarity']['spearman_abs'][-1]:.2f}" for m, v in seven.items()})
    numbers.update({f"seven_mark_{m}": MARKS[v["verdict"]] for m, v in seven.items()})
    photos = results["heldout"]["photos"]
    ig = [item["sanity"]["methods"]["integrated_gradients"] for item in photos.values()]
    before = [abs(entry["before"]["rho"]) for entry in ig]
    after = [entry["similarity"]["spearman_abs"][-1] for entry in ig]
    numbers.update(
        heldout_photos=str(len(photos)),
        ig_before_min=f"{min(before):.2f}", ig_before_max=f"{max(before):.2f}",
        ig_before_passes=str(sum(entry["before"]["verdict"] == "passes" for entry in ig)),
        ig_after_min=f"{min(after):.2f}", ig_after_max=f"{max(after):.2f}",
        ig_after_changed=str(sum(entry["verdict"] == "changed" for entry in ig)),
    )
    quality = results["quality"]
    numbers.update(
        cat_label=cat["top"][0][1], cat_label_zh=imagenet_name(*cat["top"][0][:2], "zh"),
        cat_p=f"{cat['top'][0][2]:.0%}",
        lite_top1=f"{quality['efficientnet-lite0']['top1']:.0%}",
        lite_top5=f"{quality['efficientnet-lite0']['top5']:.0%}",
        photos=str(quality["efficientnet-lite0"]["photos"]),
        digit_accuracy=f"{quality['digit-cnn']['accuracy']:.1%}",
    )
    return numbers


def notes(lang: str, results: dict | None) -> str:
    """notes.<lang>.md with its {{placeholders}} filled in from the shipped results."""
    return lecture_notes(HERE, lang, results, note_numbers)


register(STRINGS)
_results = load_results()
register({lang: {"saliency.notes": notes(lang, _results)} for lang in ("en", "zh")})

#: Predict, then check (core.questions): each question is answered by one click in the tab (ui.QUESTIONS).
QUESTIONS = {
    "en": {
        "saliency.q_sanity": "If we randomise the model's weights, should the maps change?",
        "saliency.q_sanity_answer": "The sanity check ran (Adebayo et al. 2018): the layers were re-initialised from "
                                    "the top down and every map recomputed after each step. A map that explains the "
                                    "model must change as the model is destroyed; one that stays the same was drawing "
                                    "the picture (its edges), not the model's reasons. Read the verdict per method in "
                                    "the table under the similarity plots, and the strips of maps below it.",
        "saliency.q_sigma0": "What is SmoothGrad with no noise (σ = 0)?",
        "saliency.q_sigma0_answer": "σ is now 0 and the maps were redrawn. SmoothGrad averages the gradient over N "
                                    "noisy copies of the picture; with σ = 0 every copy is the picture itself, so the "
                                    "average is the plain gradient: the SmoothGrad panel is the same as the Saliency "
                                    "(gradient) panel. The noise is what smooths the speckle away: set σ back to 15% "
                                    "(under “Method settings”) to see the difference.",
        "saliency.q_deletion": "Does deleting the pixels a map ranks first make the prediction fall faster than "
                               "deleting random ones?",
        "saliency.q_deletion_answer": "The deletion and insertion curves are drawn for this picture. A map that finds "
                                      "the pixels carrying the class makes p(class) fall faster than random orders "
                                      "when they are removed first (a smaller deletion AUC), and rise faster when "
                                      "they are put back first (a larger insertion AUC). Read the table: per method, "
                                      "better than random, worse, or not distinguishable, on this picture.",
    },
    "zh": {
        "saliency.q_sanity": "如果把模型的權重隨機化，這些圖應該改變嗎？",
        "saliency.q_sanity_answer": "剛剛執行了合理性檢查（Adebayo 等人 2018）：從最上層往下逐層重新初始化，每一步之後"
                                    "重算每張圖。能解釋模型的圖，在模型被破壞時一定會改變；始終不變的圖畫的是圖片（的"
                                    "邊緣），而不是模型的理由。看相似度圖下方表格中每個方法的結果，以及更下面一排排的"
                                    "圖。",
        "saliency.q_sigma0": "沒有雜訊（σ = 0）的 SmoothGrad 是什麼？",
        "saliency.q_sigma0_answer": "σ 已設為 0，圖也重畫了。SmoothGrad 把 N 張加了雜訊的圖片的梯度平均起來；σ = 0 時"
                                    "每一張都是原圖，所以平均就是原本的梯度：SmoothGrad 那一格和「顯著圖（梯度）」那一"
                                    "格一樣。把斑點抹平的正是雜訊：在「方法設定」裡把 σ 調回 15% 就看得出差別。",
        "saliency.q_deletion": "先刪掉圖上排名最前面的像素，預測會比隨機刪除掉得更快嗎？",
        "saliency.q_deletion_answer": "這張圖片的刪除與插入曲線已畫好。若一張圖找到的是撐起這個類別的像素，先拿掉它們"
                                      "時類別機率會比隨機順序掉得更快（刪除 AUC 較小），先放回它們時也升得更快（插入 "
                                      "AUC 較大）。看表格：每個方法在這張圖片上是優於隨機、劣於隨機，還是與隨機無法區"
                                      "分。",
    },
}
register(QUESTIONS)
