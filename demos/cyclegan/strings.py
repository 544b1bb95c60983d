"""The CycleGAN tab's words, in English and Traditional Chinese (registered on import).

The lecture notes (notes.en.md, notes.zh.md) quote measured numbers as {{name}} placeholders, filled from
assets/models/cyclegan/results.json (written by measure.py), so the notes never say what the tab does not show.
"""
from __future__ import annotations

from pathlib import Path

from core.i18n import lecture_notes, read_results, register
from core.models import ASSETS

HERE = Path(__file__).parent
RESULTS = ASSETS / "cyclegan" / "results.json"
CALM_RATIO = 1.25  # the identity test: G changes its own output this many times less than x, or more

STRINGS = {
    "en": {
        "cyclegan.tab": "CycleGAN",
        "cyclegan.intro": "**Translation without pairs.** G turns a picture of domain A into domain B, F turns it "
                          "back, and nobody ever showed them a matching pair. What keeps G from drawing *any* B "
                          "picture? The cycle: F(G(x)) must give x back. Translate a handwritten digit into a typeset "
                          "one and back, look at what the round trip lost, or age a photo with a real pretrained "
                          "generator.",
        "cyclegan.picture": "Your picture",
        "cyclegan.examples": "…or pick an example: photos, then test digits (handwritten 3, 7; typeset 5, 2)",
        "cyclegan.sketch": "Draw a digit (for the digits pair)",
        "cyclegan.sketch_placeholder": "Draw a digit here",
        "cyclegan.use_drawing": "Translate my drawing",
        "cyclegan.direction": "Direction",
        "cyclegan.direction_a_to_b": "A → B with G",
        "cyclegan.direction_b_to_a": "B → A with F",
        "cyclegan.translate": "Translate",
        "cyclegan.panels": "x, its translation, and the way back with what the round trip lost (a model shipped "
                           "without a way back: what the translation changed)",
        "cyclegan.identity_header": "Identity test: a picture already in B should pass through G unchanged",
        "cyclegan.identity_intro": ("G(x) is already in domain B. Feed it to G again: a generator that learned "
                                    "*what makes a picture B* leaves it nearly as it is; one that learned a fixed "
                                    "filter keeps applying it. The paper's identity loss ‖G(b) − b‖₁ trains exactly "
                                    "this, and stops colours from drifting. Both change maps share one colour scale."),
        "cyclegan.identity_button": "Run the identity test",
        "cyclegan.strip_header": "The digits pair on the test set",
        "cyclegan.strip_intro": "Ten test digits the pair never saw, one of each class, translated and translated "
                                "back. Under each picture, the digit the shared digit classifier reads.",
        "cyclegan.strip_a_to_b": "handwritten → typeset → handwritten",
        "cyclegan.strip_b_to_a": "typeset → handwritten → typeset",
        "cyclegan.set": "Which test digits (the n-th of each class)",
        "cyclegan.strip_rows": "Rows: x, translated, translated back. Green: the true digit; red and framed: "
                               "another one (in the first row, the classifier's own mistake)",
        "cyclegan.name_set": "Which test digits",
        "cyclegan.direction_invalid": "The direction must be \"a_to_b\" or \"b_to_a\" (got {value}).",
        "cyclegan.canvas_empty": "The canvas is empty: draw a digit first, or untick \"Translate my drawing\".",
        "cyclegan.image_too_small": "The picture is {width}×{height} px: too small to translate. Use one at least "
                                    "{minimum} px on each side.",
        "cyclegan.no_way_back": "{model} has no F (it was trained and shipped one way only): choose A → B, or the "
                                "digits pair for both ways.",
        "cyclegan.turned_back": "{model} has no F (it was trained and shipped one way only), so it stays on A → B. "
                                "The digits pair goes both ways.",
        "cyclegan.domain_handwritten": "handwritten",
        "cyclegan.domain_typeset": "typeset",
        "cyclegan.domain_modern": "modern photo",
        "cyclegan.domain_vintage": "vintage look",
        "cyclegan.domains": "A = {a}, B = {b}.",
        "cyclegan.device_cpu": "on this CPU",
        "cyclegan.device_gpu": "on this GPU",
        "cyclegan.size_digit": "Working size: 28×28 px, like the digits the pair was trained on (shown 8× larger).",
        "cyclegan.no_digit": "No digit found in this picture: the digits pair needs one digit, dark on light paper "
                             "(or light on dark). For a photo, choose a photo model.",
        "cyclegan.switched_to_photo": "A colour photo: switched to the photo model {model} (the digits pair would "
                                      "read it as one digit).",
        "cyclegan.photo_hint": "For a photo, choose a photo model: the digits pair sees every picture as one digit.",
        "cyclegan.size_photo": "Working size: **{width}×{height} px** (your picture: {ow}×{oh} px; {device} the "
                               "longest side is at most {side} px).",
        "cyclegan.size_drawing": "Working size: {width}×{height} px ({device} the longest side is at most {side} px).",
        "cyclegan.panel_x": "x ({domain})",
        "cyclegan.panel_gx": "{g}(x): toward {domain}",
        "cyclegan.panel_given": "your digit (looks {style})",
        "cyclegan.panel_scan": "x: scanned to 8×8 (looks {style})",
        "cyclegan.panel_x_judged": "x (looks {style})",
        "cyclegan.judge_input": "**Which domain:** the style judge calls the digit **{style}** ({p:.0%}).",
        "cyclegan.judge_unsure_input": "**Which domain:** the style judge cannot tell the digit's style (it leans "
                                       "{style}, {p:.0%}).",
        "cyclegan.judge_sharp": "The judge learnt handwriting from the data set's blurry 8×8 scans only, so to it a "
                                "sharp pen stroke looks like a font, whoever drew it.",
        "cyclegan.scanned": "{g} learned handwriting only as upright 8×8 scans scaled up (scikit-learn's digits), so "
                            "the digit was straightened and scanned to 8×8 first, the way those were made: the "
                            "second picture, x, is what {g} translates.",
        "cyclegan.scan_in_domain": "The judge calls the scan {style} ({p:.0%}): in {g}'s domain.",
        "cyclegan.scan_outside": "The judge still calls the scan {style} ({p:.0%}): {g} gets a picture outside its "
                                 "domain, and what it does with it was never trained.",
        "cyclegan.in_domain": "{g} takes it as it is: it is in {g}'s input domain ({domain}).",
        "cyclegan.outside_domain": "But {g} takes {domain} digits: this one is outside its domain, and what {g} does "
                                   "with it was never trained.",
        "cyclegan.ghost_unsure": "{g}(x) reads as {gx} and {f}({g}(x)) as {x} again, but the classifier is not sure "
                                 "of x ({px:.0%}, under {sure:.0%}): it may have misread x, and {g} only showed the "
                                 "digit x really is. No ghost can be told here.",
        "cyclegan.ghost_scan": "{g}(x) reads as {gx} and {f}({g}(x)) as {x} again, but your digit read as {given} "
                               "before the scan: the scan may have changed the digit, and {g} only changed it back. "
                               "No ghost can be told here.",
        "cyclegan.style_unsure": "The style judge cannot tell {g}(x)'s style: it leans {style}, at {p:.0%} only.",
        "cyclegan.style_same": "The style judge calls {g}(x) **{style}** ({p:.0%}), the style x already had: "
                               "there was no other domain to reach.",
        "cyclegan.panel_fgx": "{f}({g}(x)): back to {domain}",
        "cyclegan.panel_error": "|x − {f}({g}(x))|, mean {mean:.3f}",
        "cyclegan.panel_change": "|{g}(x) − x|: what {g} changed, mean {mean:.3f}",
        "cyclegan.cycle_line": "**Cycle error** mean |x − {f}({g}(x))| = **{mean:.3f}** (0 = x comes back exactly; "
                               "1 = every pixel inverted).",
        "cyclegan.cycle_reference": "On the test digits it averages {mean:.3f}.",
        "cyclegan.one_way": "**No F, so no cycle:** {model} was trained one way and ships G alone, so there is no way "
                            "back and no reconstruction to compare. The third panel shows what G changed instead. "
                            "Choose the digits pair to see the whole cycle.",
        "cyclegan.reads": "The digit classifier reads **{x}** in x ({px:.0%}), **{gx}** in {g}(x) ({pgx:.0%}) and "
                          "**{fgx}** in {f}({g}(x)) ({pfgx:.0%}).",
        "cyclegan.ghost": "**A ghost:** {g}(x) reads as {gx}, yet {f} brought back {x} (the classifier is at least "
                          "{sure:.0%} sure of x). The translation hides what it needs to come back, "
                          "where the classifier (and you) cannot see it.",
        "cyclegan.style_ok": "The style judge calls {g}(x) **{style}** ({p:.0%}): the translation reached the other "
                             "domain.",
        "cyclegan.style_missed": "The style judge calls {g}(x) **{style}** ({p:.0%}): this translation did not reach "
                                 "the other domain.",
        "cyclegan.panel_x_short": "x",
        "cyclegan.panel_gx_short": "{g}(x)",
        "cyclegan.panel_first_change": "|{g}(x) − x|, mean {mean:.3f}",
        "cyclegan.panel_ggx": "{g}({g}(x))",
        "cyclegan.panel_second_change": "|{g}({g}(x)) − {g}(x)|, mean {mean:.3f}",
        "cyclegan.identity_line": "{g} changed x by **{first:.3f}** on average, and its own output by "
                                  "**{second:.3f}**.",
        "cyclegan.identity_calm": "The second is only {share:.0%} of the first: {g} treats its own output as "
                                  "already translated.",
        "cyclegan.identity_filter": "About as much: on this picture {g} acts like a filter applied again, not like a "
                                    "translation that has arrived.",
        "cyclegan.identity_reference": "On real pictures of the target domain (the test digits), {g} changes them by "
                                       "{mean:.3f} on average.",
        "cyclegan.strip_line": "{g}(x) keeps the digit in **{kept}/10**, {f}({g}(x)) brings it back in "
                               "**{back}/10**; the "
                               "style judge puts **{styled}/10** translations in the other style. Mean cycle error "
                               "{cycle:.3f}.",
        "cyclegan.photo_astronaut": "astronaut",
        "cyclegan.photo_chelsea": "cat",
        "cyclegan.photo_coffee": "coffee",
        "cyclegan.photo_rocket": "rocket",
        "cyclegan.photo_motorcycle": "motorcycle",
        "cyclegan.strip_ghosts": "**Ghosts:** of the {lost} digits read right in x whose translation reads as "
                                 "another digit, {hidden} come back as the right one: the information was hidden, "
                                 "not lost.",
    },
    "zh": {
        "cyclegan.tab": "CycleGAN",
        "cyclegan.intro": "**沒有成對資料的轉換。** G 把 A 領域的圖轉成 B 領域，F 再轉回來，而從來沒有人給過它們"
                          "一組對應好的圖。是什麼讓 G 不會隨便畫一張 B 領域的圖？答案是循環：F(G(x)) 必須還原出 x。"
                          "把手寫數字轉成印刷體再轉回來，看看這一趟來回損失了什麼；或用真正預訓練好的生成器把照片變復古。",
        "cyclegan.picture": "你的圖片",
        "cyclegan.examples": "……或挑一個範例：先是照片，再來是測試數字（手寫 3、7；印刷體 5、2）",
        "cyclegan.sketch": "自己畫一個數字（給數字模型用）",
        "cyclegan.sketch_placeholder": "在這裡畫一個數字",
        "cyclegan.use_drawing": "轉換我畫的數字",
        "cyclegan.direction": "方向",
        "cyclegan.direction_a_to_b": "A → B，用 G",
        "cyclegan.direction_b_to_a": "B → A，用 F",
        "cyclegan.translate": "轉換",
        "cyclegan.panels": "x、它的轉換結果、轉回來的圖，以及來回一趟損失了什麼"
                           "（只附單向生成器的模型：轉換改變了什麼）",
        "cyclegan.identity_header": "恆等測試：已經屬於 B 的圖，經過 G 應該幾乎不變",
        "cyclegan.identity_intro": "G(x) 已經屬於 B 領域。再把它餵給 G 一次：學會「什麼讓一張圖屬於 B」的生成器"
                                   "幾乎不會改動它；只學到固定濾鏡的生成器則會一直套用下去。論文中的恆等損失 "
                                   "‖G(b) − b‖₁ 訓練的正是這件事，也防止顏色跑掉。兩張變化圖使用同一個色階。",
        "cyclegan.identity_button": "執行恆等測試",
        "cyclegan.strip_header": "數字模型在測試集上的表現",
        "cyclegan.strip_intro": "十個模型從沒看過的測試數字，每個類別一個，轉換之後再轉回來。"
                                "每張圖下方是共用的數字分類器讀出的數字。",
        "cyclegan.strip_a_to_b": "手寫 → 印刷體 → 手寫",
        "cyclegan.strip_b_to_a": "印刷體 → 手寫 → 印刷體",
        "cyclegan.set": "選哪些測試數字（每個類別的第 n 個）",
        "cyclegan.strip_rows": "各列：x、轉換結果、轉回來的結果。綠色：正確的數字；紅色加框：讀成別的數字"
                               "（第一列的紅框是分類器自己的錯誤）",
        "cyclegan.name_set": "選哪些測試數字",
        "cyclegan.direction_invalid": "方向必須是 \"a_to_b\" 或 \"b_to_a\"（收到 {value}）。",
        "cyclegan.canvas_empty": "畫布是空的：請先畫一個數字，或取消勾選「轉換我畫的數字」。",
        "cyclegan.image_too_small": "這張圖只有 {width}×{height} 像素，太小了無法轉換。"
                                    "請使用每邊至少 {minimum} 像素的圖。",
        "cyclegan.no_way_back": "{model} 沒有 F（它只訓練、也只釋出了單一方向）：請選 A → B，"
                                "或改用數字模型來看雙向轉換。",
        "cyclegan.turned_back": "{model} 沒有 F（它只訓練、也只釋出了單一方向），所以維持 A → B。"
                                "數字模型可以雙向轉換。",
        "cyclegan.domain_handwritten": "手寫",
        "cyclegan.domain_typeset": "印刷體",
        "cyclegan.domain_modern": "現代照片",
        "cyclegan.domain_vintage": "復古風格",
        "cyclegan.domains": "A = {a}，B = {b}。",
        "cyclegan.device_cpu": "在這台 CPU 上",
        "cyclegan.device_gpu": "在這張 GPU 上",
        "cyclegan.size_digit": "運算尺寸：28×28 像素，和模型訓練用的數字一樣（顯示時放大 8 倍）。",
        "cyclegan.no_digit": "這張圖裡找不到數字：數字模型需要一個數字，淺色紙上的深色筆跡（或深底淺字）。"
                             "照片請選照片模型。",
        "cyclegan.switched_to_photo": "這是一張彩色照片：已切換到照片模型 {model}（數字模型會把它當成一個數字）。",
        "cyclegan.photo_hint": "照片請選照片模型：數字模型會把每張圖都當成一個數字。",
        "cyclegan.size_photo": "運算尺寸：**{width}×{height} 像素**（你的圖：{ow}×{oh} 像素；{device}最長邊最多 "
                               "{side} 像素）。",
        "cyclegan.size_drawing": "運算尺寸：{width}×{height} 像素（{device}最長邊最多 {side} 像素）。",
        "cyclegan.panel_x": "x（{domain}）",
        "cyclegan.panel_gx": "{g}(x)：轉向{domain}",
        "cyclegan.panel_given": "你的數字（看起來是{style}）",
        "cyclegan.panel_scan": "x：掃描成 8×8（看起來是{style}）",
        "cyclegan.panel_x_judged": "x（看起來是{style}）",
        "cyclegan.judge_input": "**屬於哪個領域：** 風格判別器認為這個數字是**{style}**（{p:.0%}）。",
        "cyclegan.judge_unsure_input": "**屬於哪個領域：** 風格判別器分不出這個數字的風格（略偏{style}，{p:.0%}）。",
        "cyclegan.judge_sharp": "判別器只從資料集模糊的 8×8 掃描學過手寫，所以不論是誰畫的，清晰的筆畫在它看來"
                                "都像字型。",
        "cyclegan.scanned": "{g} 只學過扶正後掃描成 8×8 再放大的手寫數字（scikit-learn 的數字資料），所以先照同樣的"
                            "方式把這個數字扶正、掃描成 8×8：第二張圖 x 才是 {g} 轉換的對象。",
        "cyclegan.scan_in_domain": "判別器認為掃描後的圖是{style}（{p:.0%}）：落在 {g} 的領域內。",
        "cyclegan.scan_outside": "判別器仍認為掃描後的圖是{style}（{p:.0%}）：{g} 拿到的是它領域外的圖，"
                                 "它會怎麼處理從未被訓練過。",
        "cyclegan.in_domain": "{g} 直接轉換它：它就在 {g} 的輸入領域（{domain}）內。",
        "cyclegan.outside_domain": "但 {g} 接受的是{domain}數字：這個數字在它的領域外，{g} 會怎麼處理它從未被訓練過。",
        "cyclegan.ghost_unsure": "{g}(x) 讀成 {gx}，{f}({g}(x)) 又讀回 {x}，但分類器對 x 沒有把握"
                                 "（{px:.0%}，未達 {sure:.0%}）：它可能讀錯了 x，而 {g} 只是顯示出 x 真正的數字。"
                                 "這裡無法判斷是不是幽靈現象。",
        "cyclegan.ghost_scan": "{g}(x) 讀成 {gx}，{f}({g}(x)) 又讀回 {x}，但你的數字在掃描前讀成 {given}："
                               "可能是掃描改變了數字，{g} 只是把它改回來。這裡無法判斷是不是幽靈現象。",
        "cyclegan.style_unsure": "風格判別器分不出 {g}(x) 的風格：只以 {p:.0%} 略偏{style}。",
        "cyclegan.style_same": "風格判別器認為 {g}(x) 是**{style}**（{p:.0%}），和 x 原本的風格相同："
                               "本來就沒有另一個領域要到達。",
        "cyclegan.panel_fgx": "{f}({g}(x))：轉回{domain}",
        "cyclegan.panel_error": "|x − {f}({g}(x))|，平均 {mean:.3f}",
        "cyclegan.panel_change": "|{g}(x) − x|：{g} 改了哪裡，平均 {mean:.3f}",
        "cyclegan.cycle_line": "**循環誤差** 平均 |x − {f}({g}(x))| = **{mean:.3f}**"
                               "（0 = x 完全還原；1 = 每個像素都反轉）。",
        "cyclegan.cycle_reference": "在測試數字上的平均是 {mean:.3f}。",
        "cyclegan.one_way": "**沒有 F，就沒有循環：** {model} 只訓練了單一方向，也只附上 G，所以無法轉回去，"
                            "也沒有重建結果可以比較。第三張圖改為顯示 G 改了哪裡。想看完整的循環，請選數字模型。",
        "cyclegan.reads": "數字分類器在 x 中讀到 **{x}**（{px:.0%}），在 {g}(x) 中讀到 **{gx}**（{pgx:.0%}），"
                          "在 {f}({g}(x)) 中讀到 **{fgx}**（{pfgx:.0%}）。",
        "cyclegan.ghost": "**幽靈現象：** {g}(x) 看起來是 {gx}，{f} 卻還原出 {x}（分類器對 x 至少有 "
                          "{sure:.0%} 把握）。轉換結果把回程需要的資訊藏了起來，"
                          "分類器（和你）都看不到。",
        "cyclegan.style_ok": "風格判別器認為 {g}(x) 是**{style}**（{p:.0%}）：轉換成功到達另一個領域。",
        "cyclegan.style_missed": "風格判別器認為 {g}(x) 是**{style}**（{p:.0%}）：這次轉換沒有到達另一個領域。",
        "cyclegan.panel_x_short": "x",
        "cyclegan.panel_gx_short": "{g}(x)",
        "cyclegan.panel_first_change": "|{g}(x) − x|，平均 {mean:.3f}",
        "cyclegan.panel_ggx": "{g}({g}(x))",
        "cyclegan.panel_second_change": "|{g}({g}(x)) − {g}(x)|，平均 {mean:.3f}",
        "cyclegan.identity_line": "{g} 對 x 的平均改變量是 **{first:.3f}**，對它自己的輸出是 **{second:.3f}**。",
        "cyclegan.identity_calm": "後者只有前者的 {share:.0%}：{g} 把自己的輸出當成已經轉換好的圖。",
        "cyclegan.identity_filter": "兩者差不多：在這張圖上，{g} 像是再套用一次的濾鏡，而不是已經抵達目標領域的轉換。",
        "cyclegan.identity_reference": "對目標領域的真實圖片（測試數字），{g} 平均只改變 {mean:.3f}。",
        "cyclegan.strip_line": "{g}(x) 保住數字的有 **{kept}/10**，{f}({g}(x)) 還原成功的有 **{back}/10**；"
                               "風格判別器認為 **{styled}/10** 的轉換到達了另一種風格。平均循環誤差 {cycle:.3f}。",
        "cyclegan.photo_astronaut": "太空人",
        "cyclegan.photo_chelsea": "貓",
        "cyclegan.photo_coffee": "咖啡",
        "cyclegan.photo_rocket": "火箭",
        "cyclegan.photo_motorcycle": "機車",
        "cyclegan.strip_ghosts": "**幽靈現象：** 在 x 讀對、轉換後卻被讀成別的數字的 {lost} 個數字中，有 "
                                 "{hidden} 個轉回來又變成正確的數字：資訊是被藏起來了，而不是遺失。",
    },
}


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def note_numbers(results: dict, lang: str = "en") -> dict[str, str]:
    """The notes' {{placeholders}} from results.json (photo names in ``lang``)."""
    digits, card = results["digits"], results["card"]["metrics"]
    photos = results["vintage"]
    calmer = [name for name, row in photos.items() if row["change"] >= CALM_RATIO * row["identity_change"]]
    others = [STRINGS[lang][f"cyclegan.photo_{name.split('.')[0]}"] for name in photos if name not in calmer]
    numbers = {"side": str(results["vintage_side"]), "photos": str(len(photos)), "calmer": str(len(calmer)),
               "not_calmer": ("、" if lang == "zh" else ", ").join(others) or "–",
               "style_judge": pct(card["style_classifier_test_accuracy"]),
               "astronaut_change": f"{photos['astronaut.png']['change']:.3f}",
               "astronaut_identity": f"{photos['astronaut.png']['identity_change']:.3f}",
               "astronaut_corr": f"{photos['astronaut.png']['correlation']:.2f}"}
    drawn, judge = results["drawn"], results["style_judge"]
    before, after = drawn["a_to_b"]["before"], drawn["a_to_b"]["after"]
    numbers.update({"drawn_digits": str(drawn["digits"]), "drawn_judged_typeset": pct(drawn["judged_typeset"]),
                    "drawn_before_change": f"{before['change']:.3f}", "drawn_before_cycle": f"{before['cycle_l1']:.3f}",
                    "typeset_change_by_g": f"{drawn['typeset_test_change_by_g']:.3f}",
                    "handwritten_test_change": f"{drawn['handwritten_test_change']:.3f}",
                    "drawn_scan_handwritten": pct(after["x_judged_handwritten"]),
                    "drawn_after_kept": pct(after["digit_kept"]), "drawn_after_style": pct(after["target_style"]),
                    "drawn_after_change": f"{after['change']:.3f}", "drawn_after_cycle": f"{after['cycle_l1']:.3f}",
                    "style_raw_ceiling": f"{judge['test']['before']['handwritten_max_p']:.0%}",
                    "style_temperature": f"{judge['temperature']:.3f}",
                    "style_ece_before": f"{judge['test']['before']['ece']:.3f}",
                    "style_ece_after": f"{judge['test']['after']['ece']:.3f}",
                    "scan_slant_training": f"{results['scan_slant']['training_scans']:.2f}",
                    "scan_slant_drawn": f"{results['scan_slant']['drawn']:.2f}",
                    "ghost_sure": f"{results['ghost_sure']:.0%}",
                    "ghost_old_misread": str(digits["a_to_b"]["ghost_calls"]["old_rule_x_misread"])})
    for way in ("a_to_b", "b_to_a"):
        row = digits[way]
        numbers.update({f"{way}_kept": pct(row["digit_kept"]), f"{way}_back": pct(row["digit_back"]),
                        f"{way}_style": pct(row["target_style"]), f"{way}_cycle": f"{row['cycle_l1']:.3f}",
                        f"{way}_lost": str(row["lost"]), f"{way}_hidden": str(row["hidden"]),
                        f"{way}_digits": str(row["digits"]),
                        f"{way}_identity": f"{card[way]['identity_l1']:.3f}"})
    return numbers


def notes(lang: str, results: dict | None) -> str:
    """notes.<lang>.md with its {{placeholders}} filled in from the shipped results."""
    return lecture_notes(HERE, lang, results, lambda found: note_numbers(found, lang))


register(STRINGS)
register({lang: {"cyclegan.notes": notes(lang, read_results(RESULTS))} for lang in ("en", "zh")})

#: Predict, then check (core.questions): each question is answered by one click in the tab (ui.QUESTIONS).
QUESTIONS = {
    "en": {
        "cyclegan.q_cycle": "What does the cycle error measure?",
        "cyclegan.q_cycle_answer": "The test-set strip now goes typeset → handwritten → typeset. The cycle error "
                                   "compares the third row, the way back, with the first, pixel by pixel: the mean |x "
                                   "− G(F(x))| (0 = every digit comes back exactly); the line beside the strip gives "
                                   "it for these ten digits. With no matching pairs to learn from, this is what keeps "
                                   "F from drawing just any handwritten digit: G must be able to undo it.",
        "cyclegan.q_ghost": "Can a translation read as the wrong digit, and the way back still give the right one?",
        "cyclegan.q_ghost_answer": "The strip now shows set 1, handwritten → typeset → handwritten. Look for red "
                                   "frames in the second row and read the “Ghosts” line: on this set, some "
                                   "translations read as another digit, yet F brings the right digit back. The cycle "
                                   "loss rewards coming back, not looking right, so G can hide what F needs where the "
                                   "classifier (and you) cannot see it.",
        "cyclegan.q_identity": "What does G do to a picture that is already in domain B?",
        "cyclegan.q_identity_answer": "The identity test ran on your picture: G(x) was fed to G again. Read the line "
                                      "under its panels: how much G changed x, and how much it changed its own "
                                      "output. A generator that learned what makes a picture B leaves G(x) nearly as "
                                      "it is; one that learned a fixed filter changes it about as much again. The "
                                      "paper's identity loss ‖G(b) − b‖₁ trains the first behaviour.",
    },
    "zh": {
        "cyclegan.q_cycle": "循環誤差量的是什麼？",
        "cyclegan.q_cycle_answer": "測試集那一排現在是印刷體 → 手寫 → 印刷體。循環誤差逐像素比較第三列（轉回來的）和第"
                                   "一列：平均 |x − G(F(x))|（0 = 每個數字都原封不動地回來）；旁邊那一行寫出這十個數字"
                                   "的值。沒有成對的資料可學，就是它讓 F 不能隨便畫一個手寫數字：G 必須能把它還原。",
        "cyclegan.q_ghost": "轉換後被讀成錯的數字，轉回來卻還是對的，可能嗎？",
        "cyclegan.q_ghost_answer": "那一排現在顯示第 1 組，手寫 → 印刷體 → 手寫。找第二列的紅框，並讀「幽靈現象」那一"
                                   "行：在這一組上，有些轉換被讀成別的數字，F 卻把正確的數字帶了回來。循環損失獎勵的是"
                                   "能轉回來，而不是看起來對，所以 G 可以把 F 需要的資訊藏在分類器（和你）看不到的地方"
                                   "。",
        "cyclegan.q_identity": "G 會怎麼處理一張本來就在 B 領域的圖片？",
        "cyclegan.q_identity_answer": "剛剛對你的圖片做了恆等測試：把 G(x) 再餵給 G 一次。看那幾格下方的說明：G 改變了"
                                      " x 多少，又改變了它自己的輸出多少。學到「什麼讓圖片屬於 B」的生成器，幾乎不會再"
                                      "改動 G(x)；學到固定濾鏡的，會再改動差不多一樣多。論文的恆等損失 ‖G(b) − b‖₁ 訓"
                                      "練的正是前一種行為。",
    },
}
register(QUESTIONS)
