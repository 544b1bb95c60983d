"""The GAN tab's words, in English and Traditional Chinese (registered on import).

The lecture notes (notes.en.md, notes.zh.md) quote measured numbers as {{name}} placeholders, filled from the
bundled generator's card.json and from results.json (the playground presets, written by train.py)."""
from __future__ import annotations

from pathlib import Path

from core.i18n import lecture_notes, read_results, register
from core.models import ASSETS

HERE = Path(__file__).parent
CARD = ASSETS / "gan" / "digit_gan" / "card.json"
RESULTS = ASSETS / "gan" / "results.json"
TRUNCATION = ASSETS / "gan" / "truncation.json"

STRINGS = {
    "en": {
        "gan.tab": "GAN",
        "gan.intro": "**A generator turns random noise z ~ N(0, I) into data.** This one was trained here, against a "
                     "discriminator, on the offline digits: pick a seed (it fixes z), a digit, and how far from the "
                     "centre z may go (truncation ψ). The shared digit classifier judges every grid: how many "
                     "samples it reads as the **requested digit**; for one digit, **precision** (samples that look "
                     "like real digits of it) and **recall** (how much of the real digits' variety the samples "
                     "reach); for random digits, predictions **spread over all ten classes** mean no mode collapse. "
                     "Its confidence alone is not quality: it is sure of blobs too (see the training timeline).",
        "gan.seed": "Seed (fixes z)",
        "gan.csv_digit": "Digit read by the classifier",
        "gan.csv_count": "Samples",
        "gan.csv_measure": "Measure",
        "gan.csv_value": "Value",
        "gan.csv_match": "Classified as the requested digit",
        "gan.csv_confidence": "Classifier's mean confidence",
        "gan.csv_entropy": "Spread of the predicted classes (bits)",
        "gan.csv_classes": "Classes present (of 10)",
        "gan.csv_precision": "Precision",
        "gan.csv_precision_low": "Precision, 95% interval, low",
        "gan.csv_precision_high": "Precision, 95% interval, high",
        "gan.csv_recall": "Recall",
        "gan.csv_recall_low": "Recall, 95% interval, low",
        "gan.csv_recall_high": "Recall, 95% interval, high",
        "gan.csv_real": "Real digits compared",
        "gan.csv_k": "k (nearest neighbours)",
        "gan.randomise": "Random seed",
        "gan.digit": "Digit",
        "gan.digit_random": "random (each sample its own)",
        "gan.count": "Samples",
        "gan.psi": "Truncation ψ (z is multiplied by ψ)",
        "gan.psi_hint": "ψ < 1: z closer to the centre, typical and clean samples, less variety; ψ = 0: every "
                        "sample of a digit is the same 'average' one; ψ > 1: rarer z, stranger samples.",
        "gan.meter_caption": "Quality and diversity: how many samples the classifier puts in each class",
        "gan.meter_match": "Classified as the requested digit: **{p:.0%}**",
        "gan.meter_confidence": "Classifier's mean confidence: **{p:.0%}**",
        "gan.meter_entropy": "Spread of the predicted classes (diversity): **{h:.2f} bits** of {top:.2f} at most "
                             "· {classes} of 10 classes appear",
        "gan.meter_overconfident": "It is much surer than it is right about the requested digit: here its "
                                   "confidence is not quality.",
        "gan.meter_entropy_digit": "Spread of the predicted classes: **{h:.2f} bits** · {classes} of 10 classes "
                                   "appear. For one digit, a spread counts mistakes, not variety (that is the recall).",
        "gan.meter_pr": "Against {n} real {digit}s of the training digits (classifier features, k = {k}): "
                        "**precision {p:.0%}** (95%: {p_low:.0%}–{p_high:.0%}), the samples that look like some real "
                        "{digit} (quality) · **recall {r:.0%}** ({r_low:.0%}–{r_high:.0%}), the real {digit}s that "
                        "some sample looks like (variety).",
        "gan.meter_copies": "Only **{distinct} different images** among these {n}: the others are copies. The spread "
                            "counts every copy, so it says nothing about the variety within a class; the precision's "
                            "interval counts each different image once.",
        "gan.meter_pr_few": "Precision and recall need at least {least} samples of one digit; {n} would say little.",
        "gan.meter_pr_random": "Precision and recall are measured per digit: choose one to see what truncation trades.",
        "gan.walk_header": "Walk from one seed to another",
        "gan.walk_intro": "Interpolate between the first sample of this seed and of seed B. A straight line (**lerp**) "
                          "passes near the centre of z-space, where a 64-dimensional Gaussian almost never puts a "
                          "sample; the arc along the sphere (**slerp**) stays where the samples live. Watch ‖z‖.",
        "gan.seed_b": "Seed B",
        "gan.frames": "Frames",
        "gan.path": "Path",
        "gan.path_lerp": "lerp (straight line)",
        "gan.path_slerp": "slerp (along the sphere)",
        "gan.walk_button": "Interpolate",
        "gan.norm_caption": "‖z‖ along the two paths",
        "gan.norm_legend": '<span style="color:#2563eb">■ slerp (along the sphere)</span> &nbsp; '
                           '<span style="color:#f97316">■ lerp (straight line)</span>',
        "gan.walk_ends": "From a **{a}** (seed A; the classifier reads {read_a}, {p_a:.0%} sure) to a **{b}** "
                         "(seed B; it reads {read_b}, {p_b:.0%} sure).",
        "gan.walk_one_digit": "The classifier reads a {digit} in all {n} frames: this walk changes the style, not "
                               "the digit.",
        "gan.walk_other_seed": "Seed B = {other} is the first seed of another digit.",
        "gan.walk_digits": "Along the walk the classifier reads {path}.",
        "gan.walk_digits_chosen": "A {digit} is asked for in every frame: where it reads another digit, the "
                                  "generator drew something else.",
        "gan.walk_still": "All {n} frames are the same image (the same z at both ends): nothing to walk.",
        "gan.norm_note": "lerp: ‖z‖ goes {start:.1f} → **{middle:.1f}** → {end:.1f}; slerp never goes below "
                         "{slerp_min:.1f}. A {dim}-dimensional Gaussian sample has ‖z‖ ≈ √{dim} · ψ = {typical:.1f}.",
        "gan.vary_header": "Move one coordinate of z",
        "gan.vary_intro": "Set one of the 64 numbers in z to a value, in every sample of the grid above (up to 20), "
                          "and see what it controls. Most coordinates change several things at once: the features "
                          "are entangled.",
        "gan.dimension": "Coordinate of z (0-63)",
        "gan.value": "Its value",
        "gan.vary_caption": "Top: the samples; bottom: the same samples with this coordinate set",
        "gan.vary_note": "z[{dim}] set to {value:+.1f} (its mean over these samples was {was:+.2f}); the pixels "
                         "changed by **{change:.1%}** on average.",
        "gan.timeline_header": "Training timeline",
        "gan.timeline_intro": "The same 40 latent vectors (four rows of 0-9), drawn by snapshots of the generator "
                              "saved during training: from noise to digits.",
        "gan.snapshot": "Snapshot",
        "gan.snapshot_steps": "Training steps of the snapshots: {steps}",
        "gan.timeline_note": "**Step {step}** · classified as the requested digit **{acc:.0%}** · mean confidence "
                             "{conf:.0%} · {classes} of 10 classes when the class is random · **digit-FID {fid:.0f}** "
                             "(untrained: {ceiling:.0f}; lower is better)",
        "gan.timeline_overconfident": "The classifier is **{conf:.0%}** sure on average but reads the requested "
                                      "digit in only **{acc:.0%}** of the samples: it has no answer 'not a digit', "
                                      "so its confidence on blobs is not quality. The match and digit-FID are.",
        "gan.fid_within": "Digit-FID {fid:.0f} ({n:,} samples against the {reference:,} test digits) lies between "
                          "the two real-data references: {real:.0f} for 1,000 real training digits and {halves:.0f} "
                          "for two halves ({half} and {other}) of the test digits. That is as close as real digits "
                          "come at these sample sizes, not 'better than real data': FID is biased upwards when fewer "
                          "samples are compared, so the real references differ by {spread:.0f} among themselves.",
        "gan.fid_below": "Digit-FID {fid:.0f} ({n:,} samples) lies below both real-data references ({real:.0f} for "
                         "1,000 real training digits, {halves:.0f} for two halves of the test digits). Not 'better "
                         "than real data': FID depends on the sample size (the references differ by {spread:.0f}), "
                         "and these test digits chose the shipped snapshot, which makes its score slightly optimistic.",
        "gan.fid_above": "Digit-FID {fid:.0f} ({n:,} samples) is {times:.1f}× the lower real-data reference "
                         "({low:.0f}): further from the test digits than real digits are.",
        "gan.play_header": "Train a GAN yourself (2-D playground)",
        "gan.play_intro": "Real data (black) on a plane; the generator (orange) turns 2-D noise into points. The "
                          "background is the discriminator's verdict (red: real, blue: generated); arrows show where "
                          "the generator's loss pushes a generated point. Train, change the loss, and try the "
                          "presets: **mode collapse** with the standard loss, and its **cure**, from the same seed: "
                          "WGAN-GP *and* 5 critic steps per generator step (either alone was not enough here).",
        "gan.dataset": "Real data",
        "gan.dataset_gaussians": "8 Gaussians on a ring",
        "gan.dataset_ring": "ring",
        "gan.dataset_moons": "two moons",
        "gan.dataset_line": "line",
        "gan.loss": "Loss",
        "gan.loss_gan": "GAN (non-saturating)",
        "gan.loss_wgan_clip": "WGAN, weight clipping",
        "gan.loss_wgan_gp": "WGAN-GP (gradient penalty)",
        "gan.lr_d": "Discriminator learning rate",
        "gan.lr_g": "Generator learning rate",
        "gan.d_steps": "D steps per G step",
        "gan.steps": "Generator steps per click",
        "gan.play_seed": "Seed",
        "gan.train": "Train",
        "gan.stop": "Stop",
        "gan.reset": "Start over",
        "gan.preset_collapse": "Preset: mode collapse (GAN)",
        "gan.preset_cure": "Preset: the cure (WGAN-GP, 5 critic steps)",
        "gan.board_legend": "Changing the data, the loss or the seed starts a new GAN; learning rates and D steps "
                            "apply from the next click on.",
        "gan.critic_title_gan": "D(x): probability of 'real'",
        "gan.critic_title_wgan": "Critic D(x): a score, higher = more real",
        "gan.loss_title": "Losses",
        "gan.step": "generator step",
        "gan.real": "real",
        "gan.fake": "generated",
        "gan.d_loss_gan": "D loss (cross-entropy)",
        "gan.d_loss_wgan": "critic loss (−W estimate)",
        "gan.g_loss": "G loss",
        "gan.play_step": "Step **{step}**",
        "gan.play_losses": "D loss {d:.3f} · G loss {g:.3f}",
        "gan.play_modes": "Modes covered: **{covered} of 8** · generated points at a mode: {near:.0%}",
        "gan.play_progress": "step {step} of {target} of this click",
        "gan.play_stopped": "Stopped.",
        "gan.play_stopped_busy": "Stopped after {seconds:.0f} s: the class is busy, and others were waiting. Click "
                                 "Train again to go on from here.",
        "gan.play_stopped_long": "Stopped after {seconds:.0f} s, the time limit of a run (every answer comes within "
                                 "two minutes). Click Train again to go on from here.",
        "gan.play_stopping": "Stopping after the current steps…",
        "gan.play_nothing_running": "Nothing is training: Stop ends the playground's training while it runs.",
        "gan.name_seed": "Seed",
        "gan.name_seed_b": "Seed B",
        "gan.name_play_seed": "Seed (playground)",
        "gan.name_count": "Samples",
        "gan.name_psi": "Truncation ψ",
        "gan.name_frames": "Frames",
        "gan.name_dimension": "Coordinate of z",
        "gan.name_value": "Its value",
        "gan.name_snapshot": "Snapshot",
        "gan.name_dataset": "Real data",
        "gan.name_loss": "Loss",
        "gan.name_lr_d": "Discriminator learning rate",
        "gan.name_lr_g": "Generator learning rate",
        "gan.name_d_steps": "D steps per G step",
        "gan.name_steps": "Generator steps per click",
        "gan.digit_empty": "Choose a digit (0-9) or 'random'.",
        "gan.seed_invalid": "{name} must be a whole number from 0 to 4,294,967,295 (2³² − 1); got {value}.",
        "gan.seed_empty": "{name} is empty: type a whole number from 0 to 4,294,967,295 (2³² − 1).",
        "gan.walk_needs_seed_b": "Seed B is empty, so there is no walk for these samples: type a seed there (a whole "
                                 "number from 0 to 4,294,967,295) and press Interpolate.",
        "gan.seed_empty_random": "{name} is empty: type a whole number from 0 to 4,294,967,295 (2³² − 1), or press "
                                 "'Random seed'.",
        "gan.digit_invalid": "There is no digit {value}: choose 0-9 or 'random'.",
        "gan.path_invalid": "There is no path {value}: choose lerp or slerp.",
        "gan.choice_invalid": "{name}: there is no choice {value}. Choose one of: {known}.",
    },
    "zh": {
        "gan.tab": "生成對抗網路 GAN",
        "gan.intro": "**生成器把隨機雜訊 z ~ N(0, I) 變成資料。** 這個生成器是在本機用離線手寫與印刷數字、和鑑別器對抗"
                     "訓練出來的：選一個種子（決定 z）、一個數字，以及 z 能離中心多遠（截斷 ψ）。共用的數字分類器會評判"
                     "每一組樣本：有多少樣本被讀成**指定的數字**；指定一個數字時，還有**精確率**（看起來像該數字真實樣本的生成樣本比例）"
                     "與**召回率**（生成樣本涵蓋了多少真實數字的變化）；數字隨機時，預測**分散在全部十個類別**代表沒有"
                     "模式崩潰。分類器的信心本身不等於品質：它對一團模糊也可能很有信心（見訓練過程）。",
        "gan.seed": "種子（決定 z）",
        "gan.csv_digit": "分類器讀出的數字",
        "gan.csv_count": "樣本數",
        "gan.csv_measure": "指標",
        "gan.csv_value": "數值",
        "gan.csv_match": "被分類成指定數字的比例",
        "gan.csv_confidence": "分類器的平均信心",
        "gan.csv_entropy": "預測類別的分散程度（位元）",
        "gan.csv_classes": "出現的類別數（共 10 個）",
        "gan.csv_precision": "精確率",
        "gan.csv_precision_low": "精確率 95% 區間下限",
        "gan.csv_precision_high": "精確率 95% 區間上限",
        "gan.csv_recall": "召回率",
        "gan.csv_recall_low": "召回率 95% 區間下限",
        "gan.csv_recall_high": "召回率 95% 區間上限",
        "gan.csv_real": "比較的真實數字數",
        "gan.csv_k": "k（最近鄰個數）",
        "gan.randomise": "隨機種子",
        "gan.digit": "數字",
        "gan.digit_random": "隨機（每個樣本各自抽）",
        "gan.count": "樣本數",
        "gan.psi": "截斷 ψ（z 乘上 ψ）",
        "gan.psi_hint": "ψ < 1：z 更靠近中心，樣本典型又乾淨，但變化較少；ψ = 0：同一個數字的樣本全都一樣，是「平均」"
                        "的那一個；ψ > 1：較罕見的 z，樣本較奇怪。",
        "gan.meter_caption": "品質與多樣性：分類器把多少樣本分到每個類別",
        "gan.meter_match": "被分類成指定數字的比例：**{p:.0%}**",
        "gan.meter_confidence": "分類器的平均信心：**{p:.0%}**",
        "gan.meter_entropy": "預測類別的分散程度（多樣性）：**{h:.2f} 位元**，最多 {top:.2f} · "
                             "出現 {classes} / 10 個類別",
        "gan.meter_overconfident": "它的信心遠高於它讀對指定數字的比例：這時信心不代表品質。",
        "gan.meter_entropy_digit": "預測類別的分散程度：**{h:.2f} 位元** · 出現 {classes} / 10 個類別。"
                                   "指定一個數字時，分散代表錯誤，而不是多樣性（多樣性看召回率）。",
        "gan.meter_pr": "以 {n} 個真實訓練數字 {digit} 為參考（分類器特徵，k = {k}）：**精確率 {p:.0%}**"
                        "（95%：{p_low:.0%}–{p_high:.0%}），看起來像某個真實 {digit} 的樣本比例（品質）· "
                        "**召回率 {r:.0%}**（{r_low:.0%}–{r_high:.0%}），有某個樣本像它的真實 {digit} 比例（多樣性）。",
        "gan.meter_copies": "這 {n} 張中只有 **{distinct} 張不同的圖**，其餘都是複本。分散程度把每個複本都算進去，"
                            "所以說明不了同一類別內的多樣性；精確率的區間把每張不同的圖只算一次。",
        "gan.meter_pr_few": "精確率與召回率至少需要同一個數字的 {least} 個樣本；{n} 個說明不了什麼。",
        "gan.meter_pr_random": "精確率與召回率是對每個數字分別衡量的：選一個數字，看看截斷換掉了什麼。",
        "gan.walk_header": "從一個種子走到另一個種子",
        "gan.walk_intro": "在這個種子與種子 B 的第一個樣本之間內插。直線（**lerp**）會經過 z 空間的中心附近，而 64 維"
                          "高斯分布幾乎從不在那裡取樣；沿著球面的弧線（**slerp**）則一直留在樣本所在的地方。請看 ‖z‖。",
        "gan.seed_b": "種子 B",
        "gan.frames": "畫格數",
        "gan.path": "路徑",
        "gan.path_lerp": "lerp（直線）",
        "gan.path_slerp": "slerp（沿球面）",
        "gan.walk_button": "內插",
        "gan.norm_caption": "兩條路徑上的 ‖z‖",
        "gan.norm_legend": '<span style="color:#2563eb">■ slerp（沿球面）</span> &nbsp; '
                           '<span style="color:#f97316">■ lerp（直線）</span>',
        "gan.walk_ends": "從 **{a}**（種子 A；分類器讀成 {read_a}，信心 {p_a:.0%}）走到 **{b}**"
                         "（種子 B；讀成 {read_b}，信心 {p_b:.0%}）。",
        "gan.walk_one_digit": "分類器在全部 {n} 格都讀成 {digit}：這段路徑改變的是筆跡風格，不是數字。",
        "gan.walk_other_seed": "種子 B = {other} 是第一個屬於其他數字的種子。",
        "gan.walk_digits": "沿著路徑，分類器依序讀成 {path}。",
        "gan.walk_digits_chosen": "每一格都指定了 {digit}：讀成其他數字的地方，是生成器畫成了別的東西。",
        "gan.walk_still": "全部 {n} 格都是同一張圖（兩端是同一個 z）：沒有路可走。",
        "gan.norm_note": "lerp：‖z‖ 從 {start:.1f} → **{middle:.1f}** → {end:.1f}；slerp 從未低於 {slerp_min:.1f}。"
                         "{dim} 維高斯樣本的 ‖z‖ ≈ √{dim} · ψ = {typical:.1f}。",
        "gan.vary_header": "移動 z 的一個座標",
        "gan.vary_intro": "把 z 的 64 個數字之一，在上方每個樣本（最多 20 個）中設成某個值，看看它控制什麼。"
                          "大多數座標會同時改變好幾件事：特徵是糾纏在一起的。",
        "gan.dimension": "z 的座標（0-63）",
        "gan.value": "它的值",
        "gan.vary_caption": "上：原本的樣本；下：同樣的樣本，這個座標被設成指定的值",
        "gan.vary_note": "z[{dim}] 設為 {value:+.1f}（這些樣本原本的平均是 {was:+.2f}）；"
                         "像素平均改變了 **{change:.1%}**。",
        "gan.timeline_header": "訓練過程",
        "gan.timeline_intro": "同樣的 40 個潛在向量（四列 0-9），由訓練過程中存下的生成器快照畫出："
                              "從雜訊變成數字。",
        "gan.snapshot": "快照",
        "gan.snapshot_steps": "各快照的訓練步數：{steps}",
        "gan.timeline_note": "**第 {step} 步** · 被分類成指定數字 **{acc:.0%}** · 平均信心 {conf:.0%} · 類別隨機時出現 "
                             "{classes} / 10 個類別 · **digit-FID {fid:.0f}**"
                             "（未訓練：{ceiling:.0f}；越低越好）",
        "gan.timeline_overconfident": "分類器平均有 **{conf:.0%}** 的信心，卻只把 **{acc:.0%}** 的樣本讀成指定的數字："
                                      "它沒有「不是數字」這個答案，所以它對一團模糊的信心不代表品質。"
                                      "要看的是符合比例與 digit-FID。",
        "gan.fid_within": "digit-FID {fid:.0f}（{n:,} 個樣本對 {reference:,} 個測試數字）落在兩個真實資料參考值之間："
                          "1,000 個真實訓練數字為 {real:.0f}，"
                          "測試數字分兩半（{half} 與 {other} 個）互比為 {halves:.0f}。"
                          "這表示在這些樣本數下，它和真實數字一樣接近，而不是「比真實資料更好」：比較的樣本越少，"
                          "FID 越偏高，所以兩個真實參考值彼此就差了 {spread:.0f}。",
        "gan.fid_below": "digit-FID {fid:.0f}（{n:,} 個樣本）低於兩個真實資料參考值（1,000 個真實訓練數字為 "
                         "{real:.0f}，測試數字分兩半互比為 {halves:.0f}）。這不代表「比真實資料更好」：FID 取決於樣本數"
                         "（兩個參考值彼此差了 {spread:.0f}），而且內建快照正是用這些測試數字挑出來的，分數略為樂觀。",
        "gan.fid_above": "digit-FID {fid:.0f}（{n:,} 個樣本）是較低的真實資料參考值（{low:.0f}）的 {times:.1f} 倍："
                         "離測試數字比真實數字還遠。",
        "gan.play_header": "自己訓練一個 GAN（二維遊樂場）",
        "gan.play_intro": "平面上的真實資料（黑點）；生成器（橘點）把二維雜訊變成點。"
                          "背景是鑑別器的判斷（紅：真、藍：生成），"
                          "箭頭是生成器的損失把生成點往哪裡推。訓練看看、換個損失函數，再試試預設："
                          "標準損失的**模式崩潰**，以及同一個種子下的**解方**：WGAN-GP *加上*每一步生成器配 5 步評論家"
                          "（在這裡，只做其中一項都不夠）。",
        "gan.dataset": "真實資料",
        "gan.dataset_gaussians": "環上 8 個高斯分布",
        "gan.dataset_ring": "圓環",
        "gan.dataset_moons": "兩個月牙",
        "gan.dataset_line": "直線",
        "gan.loss": "損失函數",
        "gan.loss_gan": "GAN（非飽和）",
        "gan.loss_wgan_clip": "WGAN，權重裁剪",
        "gan.loss_wgan_gp": "WGAN-GP（梯度懲罰）",
        "gan.lr_d": "鑑別器學習率",
        "gan.lr_g": "生成器學習率",
        "gan.d_steps": "每步生成器前的鑑別器步數",
        "gan.steps": "每次點擊的生成器步數",
        "gan.play_seed": "種子",
        "gan.train": "訓練",
        "gan.stop": "停止",
        "gan.reset": "重新開始",
        "gan.preset_collapse": "預設：模式崩潰（GAN）",
        "gan.preset_cure": "預設：解方（WGAN-GP、5 步評論家）",
        "gan.board_legend": "改變資料、損失函數或種子會重新開始一個 GAN；學習率與鑑別器步數從下一次點擊起生效。",
        "gan.critic_title_gan": "D(x)：判為「真」的機率",
        "gan.critic_title_wgan": "評論家 D(x)：分數，越高越像真的",
        "gan.loss_title": "損失",
        "gan.step": "生成器步數",
        "gan.real": "真實",
        "gan.fake": "生成",
        "gan.d_loss_gan": "D 損失（交叉熵）",
        "gan.d_loss_wgan": "評論家損失（−W 估計）",
        "gan.g_loss": "G 損失",
        "gan.play_step": "第 **{step}** 步",
        "gan.play_losses": "D 損失 {d:.3f} · G 損失 {g:.3f}",
        "gan.play_modes": "涵蓋的模式：**{covered} / 8** · 落在某個模式上的生成點：{near:.0%}",
        "gan.play_progress": "這次點擊的第 {step} / {target} 步",
        "gan.play_stopped": "已停止。",
        "gan.play_stopped_busy": "{seconds:.0f} 秒後停止：伺服器正忙，有其他同學在排隊。再按一次「訓練」可從這裡繼續。",
        "gan.play_stopped_long": "{seconds:.0f} 秒後停止：已達單次執行的時間上限（讓每個答案都在兩分鐘內出現）。"
                                 "再按一次「訓練」可從這裡繼續。",
        "gan.play_stopping": "目前這幾步做完就停止……",
        "gan.play_nothing_running": "目前沒有正在訓練：「停止」只在遊樂場訓練時有作用。",
        "gan.name_seed": "種子",
        "gan.name_seed_b": "種子 B",
        "gan.name_play_seed": "種子（遊樂場）",
        "gan.name_count": "樣本數",
        "gan.name_psi": "截斷 ψ",
        "gan.name_frames": "畫格數",
        "gan.name_dimension": "z 的座標",
        "gan.name_value": "它的值",
        "gan.name_snapshot": "快照",
        "gan.name_dataset": "真實資料",
        "gan.name_loss": "損失函數",
        "gan.name_lr_d": "鑑別器學習率",
        "gan.name_lr_g": "生成器學習率",
        "gan.name_d_steps": "每步生成器前的鑑別器步數",
        "gan.name_steps": "每次點擊的生成器步數",
        "gan.digit_empty": "請選一個數字（0-9）或「隨機」。",
        "gan.seed_invalid": "「{name}」必須是 0 到 4,294,967,295（2³² − 1）之間的整數；收到 {value}。",
        "gan.seed_empty": "「{name}」是空的：請輸入 0 到 4,294,967,295（2³² − 1）之間的整數。",
        "gan.walk_needs_seed_b": "「種子 B」是空的，所以這組樣本沒有漫步可走：請在那裡輸入一個種子"
                                 "（0 到 4,294,967,295 之間的整數），再按「內插」。",
        "gan.seed_empty_random": "「{name}」是空的：請輸入 0 到 4,294,967,295（2³² − 1）之間的整數，或按「隨機種子」。",
        "gan.digit_invalid": "沒有 {value} 這個數字：請選 0-9 或「隨機」。",
        "gan.path_invalid": "沒有 {value} 這種路徑：請選 lerp 或 slerp。",
        "gan.choice_invalid": "{name}：沒有 {value} 這個選項。請從以下選擇：{known}。",
    },
}


def load_results() -> dict | None:
    """The bundled generator's card (its quality bar and timeline), the playground's measured presets and
    truncation's precision/recall trade-off."""
    card, playground, truncation = read_results(CARD), read_results(RESULTS), load_truncation()
    return {"card": card, "playground": playground, "truncation": truncation} if card and playground and truncation \
        else None


def load_truncation() -> dict | None:
    """Precision and recall against ψ (python -m demos.gan.train --truncation)."""
    return read_results(TRUNCATION)


def note_numbers(results: dict) -> dict[str, str]:
    """The numbers the lecture notes quote, formatted."""
    metrics, timeline, play = results["card"]["metrics"], results["card"]["timeline"], results["playground"]
    pct = lambda value: f"{value:.0%}"  # noqa: E731
    middle = timeline[len(timeline) // 2]
    return {
        "class_accuracy": pct(metrics["class_accuracy"]), "worst_class": pct(metrics["worst_class_accuracy"]),
        "confidence": pct(metrics["mean_confidence"]), "coverage": str(metrics["random_class_coverage"]),
        "entropy": f"{metrics['random_class_entropy_bits']:.2f}",
        "fid": f"{metrics['digit_fid']:.0f}", "fid_floor": f"{metrics['digit_fid_floor_real_halves']:.0f}",
        "fid_ceiling": f"{metrics['digit_fid_ceiling_untrained']:.0f}",
        "fid_real": f"{metrics['digit_fid_real_training_1000']:.0f}",
        "mid_step": f"{middle['step']:,}", "mid_fid": f"{middle['digit_fid']:.0f}",
        "mid_accuracy": pct(middle["class_accuracy"]), "best_step": f"{timeline[-1]['step']:,}",
        "collapse_steps": str(play["collapse"]["preset_steps"]),
        "collapse_modes": str(play["collapse"]["at_preset"]["modes"]),
        "collapse_share": pct(play["collapse"]["at_preset"]["at_a_mode"]),
        "collapse_hops": ", ".join("–" if c["busiest_mode"] is None else str(c["busiest_mode"])
                                   for c in play["collapse"]["checkpoints"]),
        "horizon": str(play["horizon"]),
        "cure_steps": str(play["cure"]["preset_steps"]), "cure_modes": str(play["cure"]["at_preset"]["modes"]),
        "cure_every": ", ".join(map(str, play["cure"]["modes_every_100"])),
        "gan_5_modes": ", ".join(map(str, play["gan_d5"]["modes_every_100"])),
        "train_minutes": f"{results['card']['training']['seconds'] / 60:.0f}",
        **truncation_numbers(results["truncation"]),
    }


def truncation_numbers(truncation: dict) -> dict[str, str]:
    """The ψ trade-off as the notes quote it: precision and recall at each measured ψ, and the sample sizes."""
    rows = truncation["rows"]
    pct = lambda value: f"{value:.0%}"  # noqa: E731
    return {
        "trunc_psis": ", ".join(f"{row['psi']:g}" for row in rows),
        "trunc_precision": ", ".join(pct(row["training"]["precision"]) for row in rows),
        "trunc_recall": ", ".join(pct(row["training"]["recall"]) for row in rows),
        "trunc_test_precision": ", ".join(pct(row["test"]["precision"]) for row in rows),
        "trunc_test_recall": ", ".join(pct(row["test"]["recall"]) for row in rows),
        "trunc_bits": ", ".join(f"{row['class_spread_bits']:.2f}" for row in rows),
        "trunc_samples": str(truncation["samples_per_grid"]), "trunc_grids": str(truncation["grids_per_psi"]),
        "trunc_k": str(truncation["k"]),
    }


def notes(lang: str, results: dict | None) -> str:
    """notes.<lang>.md with its {{placeholders}} filled in from the shipped results."""
    return lecture_notes(HERE, lang, results, note_numbers)


def snapshot_steps() -> str:
    found = read_results(CARD)
    return " · ".join(f"{i}: {entry['step']:,}" for i, entry in enumerate(found["timeline"])) if found else "?"


register(STRINGS)
_results = load_results()
register({lang: {"gan.notes": notes(lang, _results)} for lang in ("en", "zh")})
register({lang: {"gan.snapshot_steps": STRINGS[lang]["gan.snapshot_steps"].format(steps=snapshot_steps())}
          for lang in ("en", "zh")})

#: Predict, then check (core.questions): each question is answered by one click in the tab (ui.QUESTIONS).
QUESTIONS = {
    "en": {
        "gan.q_psi0": "What happens to the variety of the samples as ψ → 0?",
        "gan.q_psi0_answer": "The grid now shows 40 samples of the digit 3 with ψ = 0. Every z is multiplied by ψ, so "
                             "all of them become the centre z = 0 and the generator draws the same 3 forty times. "
                             "Read the meter: recall (variety) drops to about zero while precision (quality) stays "
                             "high. Truncation trades variety for quality; ψ = 1 is the distribution the generator "
                             "was trained on.",
        "gan.q_lerp": "Walking from one z to another: why along the sphere (slerp), not a straight line (lerp)?",
        "gan.q_lerp_answer": "The walk now takes the straight line, at ψ = 1. Read the note under the ‖z‖ plot: "
                             "halfway between the two seeds, ‖z‖ dips well below √64 ≈ 8, where a 64-dimensional "
                             "Gaussian almost never puts its samples: the middle frames come from a region the "
                             "generator never trained on. slerp keeps ‖z‖ near its usual length.",
        "gan.q_timeline": "What did the generator draw before any training, and does the classifier notice?",
        "gan.q_timeline_answer": "The timeline is now at snapshot 0, the untrained generator: the same 40 latent "
                                 "vectors give pixel noise, no digits at all. Read the note: the classifier still "
                                 "gives the noise a confidence, because it has no answer \"not a digit\"; its match "
                                 "with the requested digit and the digit-FID tell how far the noise is from digits.",
        "gan.q_collapse": "What does mode collapse look like?",
        "gan.q_collapse_answer": "The playground trained the preset: the plain GAN loss on 8 Gaussians, with a "
                                 "generator learning 10× faster than the discriminator. Look at the board and read "
                                 "\"Modes covered\": the generated points pile up on a few of the 8 modes instead of "
                                 "spreading over all of them: the generator found outputs that fool the discriminator "
                                 "for now and stopped covering the data.",
        "gan.q_cure": "Does the Wasserstein loss with a gradient penalty cure it?",
        "gan.q_cure_answer": "Same data and learning rates, but the WGAN-GP loss, 5 critic steps per generator step "
                             "and 400 steps. Read \"Modes covered\" beside the board: the points now reach all 8 "
                             "modes. The critic's score keeps a useful gradient everywhere, so a generator stuck on "
                             "one mode is pushed towards the others, if the critic is trained well enough: on 6 seeds "
                             "tried here, WGAN-GP with 1 critic step covered 0-2 modes and the standard loss with 5 "
                             "steps 5-8; only the two together covered all 8 every time.",
    },
    "zh": {
        "gan.q_psi0": "ψ → 0 時，樣本的多樣性會怎樣？",
        "gan.q_psi0_answer": "網格現在顯示 ψ = 0 時數字 3 的 40 個樣本。每個 z 都乘上 ψ，所以全部都變成中心 z = 0，生"
                             "成器把同一個 3 畫了四十次。看評量：召回率（多樣性）掉到幾乎為零，精確率（品質）仍然很高"
                             "。截斷是用多樣性換品質；ψ = 1 才是生成器訓練時的分布。",
        "gan.q_lerp": "從一個 z 走到另一個 z：為什麼沿著球面（slerp）而不走直線（lerp）？",
        "gan.q_lerp_answer": "走法已改成直線，ψ = 1。看 ‖z‖ 圖下方的說明：在兩個種子的正中間，‖z‖ 掉到遠低於 √64 ≈ 8，"
                             "而 64 維的高斯分布幾乎不會在那裡取樣：中間幾格來自生成器從沒訓練過的區域。slerp 讓 ‖z‖ "
                             "保持在平常的長度附近。",
        "gan.q_timeline": "訓練之前，生成器畫出什麼？分類器看得出來嗎？",
        "gan.q_timeline_answer": "時間軸現在停在快照 0，也就是還沒訓練的生成器：同樣的 40 個潛在向量只畫出像素雜點，完"
                                 "全沒有數字。看說明：分類器仍然對這些雜點給出信心，因為它沒有「不是數字」這個選項；和"
                                 "指定數字的吻合率與數字 FID 才說明雜點離數字有多遠。",
        "gan.q_collapse": "模式崩潰長什麼樣子？",
        "gan.q_collapse_answer": "遊樂場剛訓練了這個預設：8 個高斯分布上的一般 GAN 損失，生成器的學習率是鑑別器的 10 "
                                 "倍。看圖並讀「涵蓋的模式」：生成的點擠在 8 個模式中的少數幾個上，而不是散布到全部："
                                 "生成器找到了暫時騙得過鑑別器的輸出，就不再涵蓋整個資料。",
        "gan.q_cure": "加上梯度懲罰的 Wasserstein 損失能治好它嗎？",
        "gan.q_cure_answer": "同樣的資料與學習率，但改用 WGAN-GP 損失、每一步生成器配 5 步評論家，共 400 步。讀圖旁的"
                             "「涵蓋的模式」：這次點落到了全部 8 個模式。評論家的分數處處都保有有用的梯度，所以卡在一"
                             "個模式上的生成器會被推向其他模式，前提是評論家訓練得夠好：這裡試過的 6 個種子中，"
                             "WGAN-GP 配 1 步評論家只涵蓋 0-2 個模式，標準損失配 5 步是 5-8 個；"
                             "兩者一起才每次都涵蓋全部 8 個。",
    },
}
register(QUESTIONS)
