"""The adversarial audio tab's words, in English and Traditional Chinese (registered on import).

The lecture notes (notes.en.md, notes.zh.md) quote measured numbers as {{name}} placeholders, filled from
assets/models/audio_attack/results.json (written by measure.py), so the notes never say what the tab does not show.
"""
from __future__ import annotations

from pathlib import Path

from core.i18n import lecture_notes, read_results, register
from core.models import ASSETS

HERE = Path(__file__).parent
RESULTS = ASSETS / "audio_attack" / "results.json"

STRINGS = {
    "en": {
        "audio_attack.tab": "Adversarial audio",
        "audio_attack.intro": "**Noise you can barely hear can make a speech recogniser hear something else.** "
                              "Pick a clip (or record your own), see what the model hears, then attack it: the "
                              "attack adds a perturbation at most ε loud (in dB below the clip's peak) that follows "
                              "the gradient of the model's loss. Further down: random noise, other models, defences.",
        "audio_attack.clip": "Your clip (first 15 s)",
        "audio_attack.examples": "…or pick an example clip (synthetic voices)",
        "audio_attack.model_hint": "Whisper tiny.en is a real recogniser (OpenAI); it writes English only (Latin "
                                   "letters, digits, punctuation), as does Whisper base.en. The bundled CTC model "
                                   "is small and fast, but knows only synthetic voices and a closed vocabulary: "
                                   "the commands below and the digits zero to nine; it writes the letters a–z, the "
                                   "apostrophe and spaces (wav2vec 2.0 base: capital letters and the apostrophe).",
        "audio_attack.ctc_commands_title": "What the bundled CTC model can hear",
        "audio_attack.ctc_commands": "It was trained on these {count} commands and on strings of 2 to 5 digits "
                                     "spoken as words (zero … nine), all by espeak-ng voices: {commands}. Anything "
                                     "else it hears as the nearest of these, and a real voice may confuse it.",
        "audio_attack.attack": "Kind of attack",
        "audio_attack.attack_fgsm": "FGSM (one step)",
        "audio_attack.attack_pgd": "PGD (untargeted)",  # short: one row with FGSM on a projector
        "audio_attack.attack_targeted": "Targeted PGD (toward a phrase)",
        "audio_attack.budget": "Budget ε: dB below the clip's peak (−60 = 0.1%, −20 = 10%)",
        "audio_attack.steps": "Steps (PGD)",
        "audio_attack.target": "Target phrase (targeted PGD)",
        "audio_attack.run": "Attack",
        "audio_attack.stop": "Stop",
        "audio_attack.loss_caption": "Loss per step: targeted, the loss of the target (falls); untargeted, the "
                                     "loss of the clean transcript (rises); FGSM takes one step, so it draws none",
        "audio_attack.play_clean": "Clean clip",
        "audio_attack.play_adversarial": "Adversarial clip",
        "audio_attack.play_perturbation": "Perturbation alone (louder)",
        "audio_attack.play_noise": "Clip + random noise of the same size",
        "audio_attack.controls_header": "Is it the size or the direction?",
        "audio_attack.noise_intro": "**Random noise of the same size**: every sample gets ±ε at random, the full "
                                    "budget everywhere (so it is even louder than the attack, whose samples are at "
                                    "most ε), in five independent draws. Only where noise of this size leaves the "
                                    "transcript alone while the attack changes it is it the attack's *direction* "
                                    "that fools the model; where the noise changes it too, the size alone is "
                                    "enough. Below the draws: the rates measured over many clips.",
        "audio_attack.noise_button": "Add random noise instead",
        "audio_attack.transfer_intro": "**Transfer**: play the last adversarial clip (same settings) to the other "
                                       "model: made on Whisper, the bundled CTC model listens; made on a CTC model, "
                                       "Whisper tiny.en listens.",
        "audio_attack.transfer_button": "Play it to the other model",
        "audio_attack.defence_intro": "**Passive defences**: transform the clip before the model listens. Does the "
                                      "attack survive, and what does the defence cost the clean clip?",
        "audio_attack.defence_button": "Try the defences",
        "audio_attack.defence_none": "none",
        "audio_attack.defence_low_pass": "low-pass 4 kHz",
        "audio_attack.defence_resample": "resample 8 kHz and back",
        "audio_attack.defence_quantise": "8-bit quantisation",
        "audio_attack.defence_mu_law": "μ-law telephone codec",
        "audio_attack.defence_noise": "random noise −30 dB",
        "audio_attack.col_defence": "defence",
        "audio_attack.col_clean": "clean clip: heard",
        "audio_attack.col_adversarial": "adversarial clip: heard",
        "audio_attack.col_survives": "attack survives?",
        "audio_attack.yes": "yes",
        "audio_attack.no": "no",
        "audio_attack.clean_line": "The model hears: **{text}** (mean token probability {p:.0%}: not a calibrated "
                                   "confidence)",
        "audio_attack.adversarial_line": "After the attack it hears: **{text}** (mean token probability {p:.0%})",
        "audio_attack.clean_line_plain": "The model hears: **{text}**",
        "audio_attack.adversarial_line_plain": "After the attack it hears: **{text}**",
        "audio_attack.noise_line": "With the first noise draw it hears: **{text}**",
        "audio_attack.misheard_before": "⚠ **Before any attack, the model already mishears this example**: it says "
                                        "“{said}”, the model hears “{heard}”. Every verdict here compares with "
                                        "what the model heard in the clean clip, not with what was said.",
        "audio_attack.target_not_english": "This model writes English only and cannot write these characters: "
                                           "{chars}. Type the target in English (Latin letters, digits, "
                                           "punctuation).",
        "audio_attack.gain_line": "perturbation player: {gain} dB (the most that does not clip, at most +30)",
        "audio_attack.example_position": "Pick one of the {count} example clips: a position from 0 to {last}.",
        "audio_attack.unreadable": "This is not audio we can read: {english_detail}. Accepted: WAV (8/16/24/32-bit, "
                                   "float), FLAC, OGG, MP3.",
        "audio_attack.contrast_examples": "**Measured on the {clips} example clips at {budget} dB, {model}**: random "
                                          "noise changed the transcript in {noise_hits} of {noise_n} draws "
                                          "({noise_rate}, 95% interval {noise_low}–{noise_high}; {draws} a clip); "
                                          "untargeted PGD-{steps} in {pgd_hits} of {pgd_n} clips ({pgd_rate}, "
                                          "{pgd_low}–{pgd_high}); FGSM in {fgsm_hits} of {fgsm_n} ({fgsm_rate}).",
        "audio_attack.contrast_heldout": "**On {clips} held-out clips (another synthesiser, flite), {model}**: "
                                         "random noise {noise_hits} of {noise_n} draws ({noise_rate}, "
                                         "{noise_low}–{noise_high}); FGSM {fgsm_hits} of {fgsm_n} clips "
                                         "({fgsm_rate}, {fgsm_low}–{fgsm_high}).",
        "audio_attack.contrast_none": "No rates over many clips were measured for {model} at {budget} dB: only "
                                      "the draws on this clip above.",
        "audio_attack.transfer_changed_like_noise": "### Played to {model}: it hears something different, but "
                                                    "random noise of the same size changes what it hears too "
                                                    "({changed} "
                                                    "of {draws} draws): no evidence that the attack made on {made} "
                                                    "transfers.",
        "audio_attack.transfer_misheard": "⚠ {model} does not understand the clean clip in the first place (it says "
                                          "“{said}”): a transfer verdict on this clip says little.",
        "audio_attack.transfer_disagree": "⚠ {model} hears the clean clip differently from {made} (“{heard}”): it "
                                          "may not understand this clip in the first place.",
        "audio_attack.transfer_noise": "Control on {model}: random noise of the attack's size ({budget} dB) changes "
                                       "what it hears in {changed} of {draws} draws.",
        "audio_attack.defence_rule": "An untargeted attack survives a defence when the defended adversarial clip is "
                                     "heard differently from the clean clip, with that defence and without it (the "
                                     "defence alone may change what the model hears). A targeted attack survives "
                                     "when the model still hears the target.",
        "audio_attack.diff_none": "Changes: none",
        "audio_attack.stopped_after": "Stopped after {steps} steps.",
        "audio_attack.stopped_after_busy": "Stopped after {steps} steps: the class is busy, so an attack ends with "
                                           "its result so far after {seconds:.0f} s while others wait.",
        "audio_attack.stopped_after_long": "Stopped after {steps} steps: the time limit of a run ({seconds:.0f} s) "
                                           "was reached, so the attack ends with its result so far; every answer "
                                           "comes within two minutes. Fewer steps run to the end.",
        "audio_attack.done_early": "Done early: the goal was reached at step {step} of {steps}.",
        "audio_attack.stopped_early": "stopped early at step {step} of {steps}: the goal was reached (tick “Run all "
                                      "steps” to run them all)",
        "audio_attack.all_steps": "Run all steps",
        "audio_attack.all_steps_info": "Off: PGD stops at the first step that fools the model. On: it runs every "
                                       "step, to show the loss going on.",
        "audio_attack.all_steps_not_bool": "“Run all steps” is true or false, not {value}.",
        "audio_attack.no_clip": "No clip yet: upload or record one, or pick an example.",
        "audio_attack.attack_missed": "The last attack with these settings did not fool the model: there is nothing "
                                      "to transfer or defend against. Try a larger budget or more steps.",
        "audio_attack.model_whisper_tiny_en": "Whisper tiny.en",
        "audio_attack.model_speech_ctc": "the bundled CTC model",
        "audio_attack.model_wav2vec2_base_960h": "wav2vec 2.0 base",
        "audio_attack.model_whisper_base_en": "Whisper base.en",
        "audio_attack.diff_line": "Changes: {diff}",
        "audio_attack.rates": "WER {wer:.0%} · CER {cer:.0%} (adversarial against clean, both counted on the "
                              "words as spoken: numbers spelled out)",
        "audio_attack.rates_none": "WER/CER: the clean clip has no words to compare with",
        "audio_attack.size_line": "SNR {snr:.1f} dB · perturbation peak {peak} dB (budget {budget} dB)",
        "audio_attack.steps_line": "{steps} steps in {seconds:.1f} s",
        "audio_attack.steps_line_one": "one step in {seconds:.1f} s",
        "audio_attack.stopped": "stopped by you",
        "audio_attack.stopped_busy": "stopped after {seconds:.0f} s: others were waiting",
        "audio_attack.stopped_long": "stopped after {seconds:.0f} s: the time limit of a run",
        "audio_attack.verdict_target": "### Fooled: the model hears the target, “{target}”.",
        "audio_attack.verdict_missed": "### Not yet: the model does not hear “{target}”. Try more steps or a "
                                       "larger budget.",
        "audio_attack.verdict_fooled": "### Fooled: the model's transcript changed.",
        "audio_attack.verdict_corrected": "### Changed, but to the words actually said: the noise undid the model's "
                                          "mistake on this clip instead of fooling it.",
        "audio_attack.verdict_unchanged": "### Not fooled: the model still hears the clean sentence.",
        "audio_attack.untargeted_caveat": "An untargeted attack counts any change, and random noise of the same size "
                                          "may change a transcript by itself (not measured at this budget): compare "
                                          "with **Add random noise instead** below before concluding that the "
                                          "direction matters.",
        "audio_attack.untargeted_caveat_measured": "An untargeted attack counts any change, and noise this loud can "
                                                   "change a transcript by itself (random noise of the same size "
                                                   "changed {noise_hits} of {noise_n} transcripts of {model} on the "
                                                   "example clips at {budget} dB): compare with **Add random noise "
                                                   "instead** below before concluding that the direction matters.",
        "audio_attack.noise_unchanged": "Random ±ε noise at {budget} dB (SNR {snr:.1f} dB): the transcript "
                                        "stays the same in all {draws} draws on this clip.",
        "audio_attack.noise_changed": "Random ±ε noise at {budget} dB (SNR {snr:.1f} dB) **changes what the "
                                      "model hears in {changed} of {draws} draws** on this clip: here the size "
                                      "alone is enough, and a changed transcript after an attack says little "
                                      "about its direction.",
        "audio_attack.transfer_target": "### Played to {model}: it hears the target too. The attack made on {made} "
                                        "transfers.",
        "audio_attack.transfer_changed": "### Played to {model}: it hears something different, but not the target.",
        "audio_attack.transfer_unchanged": "### Played to {model}: not fooled. The attack made on {made} does not "
                                           "transfer.",
        "audio_attack.other_clean": "The clean clip, to {model}: **{text}**",
        "audio_attack.other_adversarial": "The adversarial clip, to {model}: **{text}**",
        "audio_attack.progress": "Step {step}/{steps} · loss {loss:.3f}",
        "audio_attack.progress_heard": "hears: “{heard}”",
        "audio_attack.progress_short": "step {step} of {steps}",
        "audio_attack.progress_start": "Starting the attack…",
        "audio_attack.progress_listen": "the model listens: {done} of {total}",
        "audio_attack.stale": "The settings changed: the greyed result below is from the last attack. Press Attack "
                              "for these settings.",
        "audio_attack.done": "Done after {steps} steps.",
        "audio_attack.done_one": "Done: one step.",
        "audio_attack.stopping": "Stopping after this step…",
        "audio_attack.row_clean": "clean",
        "audio_attack.row_adversarial": "adversarial",
        "audio_attack.row_perturbation": "perturbation\n(+{gain} dB)",
        "audio_attack.fig_wave": "waveform",
        "audio_attack.fig_spec": "spectrogram (one dB scale for all three)",
        "audio_attack.fig_time": "time (s)",
        "audio_attack.fig_freq": "kHz",
        "audio_attack.fig_step": "step",
        "audio_attack.fig_loss": "loss",
        "audio_attack.name_budget": "the budget ε (dB)",
        "audio_attack.name_steps": "the number of steps",
        "audio_attack.trimmed": "The clip is {seconds:.0f} s long: only its first {limit:.0f} s are used.",
        "audio_attack.too_short": "The clip is {seconds:.2f} s long: give at least {minimum:.1f} s of speech.",
        "audio_attack.nothing_heard": "The model hears no words in this clip: there is no transcript to attack. "
                                      "Try a targeted attack, or another clip.",
        "audio_attack.unknown_attack": "There is no attack {value}. Choose one of: {known}.",
        "audio_attack.target_empty": "Type the phrase the model should hear (for example “open the window”).",
        "audio_attack.target_too_long": "The target phrase has {count} characters: at most {limit}, please.",
        "audio_attack.target_unspellable": "This model cannot write these characters: {chars}. It knows the letters "
                                           "a–z, the apostrophe and spaces: write numbers as words.",
        "audio_attack.target_characters": "A target phrase is English words a model could hear: letters, digits, "
                                          "apostrophes, spaces and punctuation such as . , ? ! These characters "
                                          "cannot be spoken: {chars}. Emoji, other scripts, control characters and "
                                          "the symbols of special tokens (angle and square brackets, | and _) are not "
                                          "words.",
        "audio_attack.nothing_running": "Nothing is running: Stop ends an attack while it runs.",
        "audio_attack.not_audio": "This file is a {kind} file, not audio: upload or record a sound clip "
                                  "(WAV, FLAC, OGG or MP3).",
        "audio_attack.target_too_long_for_clip": "The target needs {count} characters but this clip leaves room for "
                                                 "{room}: choose a shorter phrase or a longer clip.",
        "audio_attack.target_is_clean": "The model already hears {target}: choose another target phrase.",
        "audio_attack.attack_first": "Run an attack with these settings first (the Attack button above): to its "
                                     "end, or stopped once it has fooled the model.",
    },
    "zh": {
        "audio_attack.tab": "對抗式音訊",
        "audio_attack.intro": "**幾乎聽不見的雜訊，就能讓語音辨識模型聽成別的話。** 選一段音檔（或自己錄音），"
                              "看看模型聽到什麼，然後攻擊它：攻擊會沿著模型損失的梯度加上一段擾動，"
                              "其音量最多為 ε（以低於音檔峰值多少 dB 表示）。往下還有：隨機雜訊、其他模型、防禦方法。",
        "audio_attack.clip": "你的音檔（只用前 15 秒）",
        "audio_attack.examples": "……或選一段範例音檔（合成語音）",
        "audio_attack.model_hint": "Whisper tiny.en 是真正的語音辨識模型（OpenAI），只會寫英文（拉丁字母、數字、"
                                   "標點），Whisper base.en 也一樣。內建的 CTC 模型小而快，但只認得合成語音和封閉詞彙："
                                   "下方列出的指令，以及數字 zero 到 nine；它只會寫 a–z 字母、撇號和空格"
                                   "（wav2vec 2.0 base：大寫字母和撇號）。",
        "audio_attack.ctc_commands_title": "內建 CTC 模型聽得懂什麼",
        "audio_attack.ctc_commands": "它只用這 {count} 個指令，以及 2 到 5 個用英文唸出的數字（zero … nine）訓練，"
                                     "全部是 espeak-ng 的合成語音：{commands}。其他任何內容，它都會聽成最接近的"
                                     "這些句子之一，真人的聲音也可能讓它混淆。",
        "audio_attack.attack": "攻擊方式",
        "audio_attack.attack_fgsm": "FGSM（一步）",
        "audio_attack.attack_pgd": "PGD（多步，遠離原本的轉錄）",
        "audio_attack.attack_targeted": "目標式 PGD（朝向指定的句子）",
        "audio_attack.budget": "預算 ε：低於音檔峰值的 dB 數（−60 = 0.1%，−20 = 10%）",
        "audio_attack.steps": "步數（PGD）",
        "audio_attack.target": "目標句子（目標式 PGD）",
        "audio_attack.run": "攻擊",
        "audio_attack.stop": "停止",
        "audio_attack.loss_caption": ("每一步的損失：目標式攻擊看目標句子的損失（下降）；"
                                     "非目標式攻擊看原本轉錄的損失（上升）；FGSM 只走一步，所以沒有曲線"),
        "audio_attack.play_clean": "原始音檔",
        "audio_attack.play_adversarial": "對抗音檔",
        "audio_attack.play_perturbation": "單獨的擾動（放大播放）",
        "audio_attack.play_noise": "音檔＋同樣大小的隨機雜訊",
        "audio_attack.controls_header": "重要的是大小，還是方向？",
        "audio_attack.noise_intro": "**同樣大小的隨機雜訊**：每個取樣點隨機加上 ±ε，處處都用滿預算"
                                    "（所以比攻擊還大聲，攻擊的取樣點最多才 ε），共抽五次。"
                                    "只有在這樣大小的雜訊不改變轉錄、攻擊卻改變了它時，騙過模型的才是攻擊的*方向*；"
                                    "如果雜訊也會改變轉錄，光是大小就夠了。抽樣結果下方是在許多音檔上量到的比率。",
        "audio_attack.noise_button": "改加隨機雜訊",
        "audio_attack.transfer_intro": "**遷移**：把上一個對抗音檔（同樣設定）播給另一個模型聽："
                                       "在 Whisper 上做的，由內建 CTC 模型聽；"
                                       "在 CTC 模型上做的，由 Whisper tiny.en 聽。",
        "audio_attack.transfer_button": "播給另一個模型聽",
        "audio_attack.defence_intro": ("**被動防禦**：在模型聽之前先轉換音檔。攻擊還有效嗎？"
                                      "防禦又讓原始音檔付出什麼代價？"),
        "audio_attack.defence_button": "試試防禦方法",
        "audio_attack.defence_none": "無",
        "audio_attack.defence_low_pass": "低通濾波 4 kHz",
        "audio_attack.defence_resample": "重新取樣到 8 kHz 再回來",
        "audio_attack.defence_quantise": "8 位元量化",
        "audio_attack.defence_mu_law": "μ 律電話編碼",
        "audio_attack.defence_noise": "隨機雜訊 −30 dB",
        "audio_attack.col_defence": "防禦",
        "audio_attack.col_clean": "原始音檔：聽到",
        "audio_attack.col_adversarial": "對抗音檔：聽到",
        "audio_attack.col_survives": "攻擊仍有效？",
        "audio_attack.yes": "是",
        "audio_attack.no": "否",
        "audio_attack.clean_line": "模型聽到：**{text}**（詞元平均機率 {p:.0%}：不是校準過的信心）",
        "audio_attack.adversarial_line": "攻擊後聽到：**{text}**（詞元平均機率 {p:.0%}）",
        "audio_attack.clean_line_plain": "模型聽到：**{text}**",
        "audio_attack.adversarial_line_plain": "攻擊後聽到：**{text}**",
        "audio_attack.noise_line": "加上第一次抽到的雜訊後聽到：**{text}**",
        "audio_attack.misheard_before": "⚠ **還沒攻擊，模型就已經聽錯這段範例**：它說的是「{said}」，"
                                        "模型聽到「{heard}」。"
                                        "這裡的每個判定都是和模型在原始音檔聽到的內容比較，而不是和實際說的話比較。",
        "audio_attack.target_not_english": "這個模型只會寫英文，寫不出這些字元：{chars}。請用英文輸入目標句子"
                                           "（拉丁字母、數字、標點）。",
        "audio_attack.gain_line": "擾動播放器：{gain} dB（不會削波的最大增益，最多 +30）",
        "audio_attack.example_position": "請從 {count} 段範例音檔中選一段：位置 0 到 {last}。",
        "audio_attack.unreadable": "無法讀取這段音訊：檔案可能已損毀，或不是支援的格式。"
                                   "支援格式：WAV（8/16/24/32 位元、浮點）、FLAC、OGG、MP3。",
        "audio_attack.contrast_examples": "**在 {clips} 段範例音檔上、{budget} dB、{model} 量到的結果**："
                                          "隨機雜訊在 {noise_n} 次抽樣中改變了 {noise_hits} 次轉錄（{noise_rate}，"
                                          "95% 區間 {noise_low}–{noise_high}；每段 {draws} 次）；"
                                          "非目標式 PGD-{steps} 改變了 {pgd_n} 段中的 {pgd_hits} 段（{pgd_rate}，"
                                          "{pgd_low}–{pgd_high}）；"
                                          "FGSM {fgsm_n} 段中的 {fgsm_hits} 段（{fgsm_rate}）。",
        "audio_attack.contrast_heldout": "**在 {clips} 段保留測試音檔上（另一個合成器 flite），{model}**："
                                         "隨機雜訊 {noise_n} 次中 {noise_hits} 次（{noise_rate}，"
                                         "{noise_low}–{noise_high}）；FGSM {fgsm_n} 段中 {fgsm_hits} 段"
                                         "（{fgsm_rate}，{fgsm_low}–{fgsm_high}）。",
        "audio_attack.contrast_none": "沒有在許多音檔上量過 {model} 在 {budget} dB 的比率："
                                      "只有上面這段音檔的抽樣結果。",
        "audio_attack.transfer_changed_like_noise": "### 播給{model}聽：它聽到的內容改變了，但同樣大小的隨機雜訊"
                                                    "也會改變它聽到的內容（{draws} 次中 {changed} 次）："
                                                    "沒有證據顯示在{made}上做的攻擊能遷移。",
        "audio_attack.transfer_misheard": "⚠ {model}本來就聽不懂原始音檔（實際說的是「{said}」）："
                                          "這段音檔上的遷移判定沒有什麼意義。",
        "audio_attack.transfer_disagree": "⚠ {model}聽到的原始音檔和{made}不同（{made}聽到「{heard}」）："
                                          "它可能本來就聽不懂這段音檔。",
        "audio_attack.transfer_noise": "{model}上的對照：和攻擊同樣大小（{budget} dB）的隨機雜訊，"
                                       "在 {draws} 次抽樣中改變了 {changed} 次它聽到的內容。",
        "audio_attack.defence_rule": "非目標式攻擊在防禦後仍有效，是指防禦後的對抗音檔聽起來和原始音檔不同："
                                     "不論原始音檔有沒有經過同樣的防禦（防禦本身就可能改變模型聽到的內容）。"
                                     "目標式攻擊仍有效，是指模型仍然聽到目標句子。",
        "audio_attack.diff_none": "差異：無",
        "audio_attack.stopped_after": "已在第 {steps} 步後停止。",
        "audio_attack.stopped_after_busy": "已在第 {steps} 步後停止：伺服器正忙，有其他同學在排隊時，"
                                           "攻擊在 {seconds:.0f} 秒後以目前的結果結束。",
        "audio_attack.stopped_after_long": "已在第 {steps} 步後停止：已達單次執行的時間上限（{seconds:.0f} 秒），"
                                           "攻擊以目前的結果結束；每個答案都在兩分鐘內出現。步數少一點就能跑完。",
        "audio_attack.done_early": "提早完成：在第 {step} 步（共 {steps} 步）就達成目標。",
        "audio_attack.stopped_early": "在第 {step} 步（共 {steps} 步）達成目標，提早停止（勾選「跑完所有步數」"
                                      "可跑完全部）",
        "audio_attack.all_steps": "跑完所有步數",
        "audio_attack.all_steps_info": ("不勾選：PGD 在第一個騙過模型的步驟就停止。"
                                        "勾選：跑完每一步，展示損失如何繼續變化。"),
        "audio_attack.all_steps_not_bool": "「跑完所有步數」只能是 true 或 false，不能是 {value}。",
        "audio_attack.no_clip": "還沒有音檔：請上傳或錄一段音檔，或選一段範例。",
        "audio_attack.attack_missed": ("用這些設定的上一次攻擊沒有騙過模型：沒有東西可以遷移或防禦。"
                                       "請試試更大的預算或更多步數。"),
        "audio_attack.model_whisper_tiny_en": "Whisper tiny.en",
        "audio_attack.model_speech_ctc": "內建 CTC 模型",
        "audio_attack.model_wav2vec2_base_960h": "wav2vec 2.0 base",
        "audio_attack.model_whisper_base_en": "Whisper base.en",
        "audio_attack.diff_line": "差異：{diff}",
        "audio_attack.rates": "WER {wer:.0%} · CER {cer:.0%}（對抗轉錄相對於原始轉錄，兩者都以唸出來的字計算："
                              "數字拼成英文單字）",
        "audio_attack.rates_none": "WER/CER：原始音檔沒有可比較的字詞",
        "audio_attack.size_line": "SNR {snr:.1f} dB · 擾動峰值 {peak} dB（預算 {budget} dB）",
        "audio_attack.steps_line": "{steps} 步，共 {seconds:.1f} 秒",
        "audio_attack.steps_line_one": "1 步，共 {seconds:.1f} 秒",
        "audio_attack.stopped": "已由你停止",
        "audio_attack.stopped_busy": "{seconds:.0f} 秒後停止：其他同學在排隊",
        "audio_attack.stopped_long": "{seconds:.0f} 秒後停止：已達單次執行的時間上限",
        "audio_attack.verdict_target": "### 成功騙過：模型聽到了目標句子「{target}」。",
        "audio_attack.verdict_missed": "### 還沒成功：模型沒有聽到「{target}」。試試更多步數或更大的預算。",
        "audio_attack.verdict_fooled": "### 成功騙過：模型的轉錄改變了。",
        "audio_attack.verdict_corrected": "### 轉錄改變了，但變成實際說的話：雜訊反而修正了模型原本的錯誤，"
                                          "並沒有騙過它。",
        "audio_attack.verdict_unchanged": "### 沒有騙過：模型仍然聽到原本的句子。",
        "audio_attack.untargeted_caveat": "非目標式攻擊只要轉錄有任何改變就算成功，而同樣大小的隨機雜訊本身也可能改變"
                                          "轉錄（這個預算沒有量過）：在下結論說「方向」才是關鍵之前，先和下方的"
                                          "「改加隨機雜訊」比較。",
        "audio_attack.untargeted_caveat_measured": "非目標式攻擊只要轉錄有任何改變就算成功，而這麼大聲的雜訊本身也可能"
                                                   "改變轉錄（在範例音檔上、{budget} dB 時，同樣大小的隨機雜訊改變了"
                                                   "{model}的 {noise_n} 次轉錄中的 {noise_hits} 次）："
                                                   "在下結論說「方向」才是關鍵之前，先和下方的「改加隨機雜訊」比較。",
        "audio_attack.noise_unchanged": "{budget} dB 的隨機 ±ε 雜訊（SNR {snr:.1f} dB）：在這段音檔上抽了 {draws} 次，"
                                        "轉錄都沒有改變。",
        "audio_attack.noise_changed": "{budget} dB 的隨機 ±ε 雜訊（SNR {snr:.1f} dB）**在這段音檔上抽 {draws} 次，"
                                      "有 {changed} 次改變了模型聽到的內容**：在這裡光是大小就夠了，"
                                      "攻擊後轉錄改變，也說明不了攻擊的方向。",
        "audio_attack.transfer_target": "### 播給{model}聽：它也聽到了目標句子。在{made}上做的攻擊成功遷移。",
        "audio_attack.transfer_changed": "### 播給{model}聽：它聽到的內容改變了，但不是目標句子。",
        "audio_attack.transfer_unchanged": "### 播給{model}聽：沒有被騙。在{made}上做的攻擊無法遷移。",
        "audio_attack.other_clean": "原始音檔，{model}聽到：**{text}**",
        "audio_attack.other_adversarial": "對抗音檔，{model}聽到：**{text}**",
        "audio_attack.progress": "第 {step}/{steps} 步 · 損失 {loss:.3f}",
        "audio_attack.progress_heard": "聽到：「{heard}」",
        "audio_attack.progress_short": "第 {step} 步，共 {steps} 步",
        "audio_attack.progress_start": "開始攻擊……",
        "audio_attack.progress_listen": "模型聆聽中：第 {done} 段，共 {total} 段",
        "audio_attack.stale": "設定已改變：下方變灰的結果來自上一次攻擊。按「攻擊」以目前的設定重新計算。",
        "audio_attack.done": "完成，共 {steps} 步。",
        "audio_attack.done_one": "完成：1 步。",
        "audio_attack.stopping": "這一步結束後停止……",
        "audio_attack.row_clean": "原始",
        "audio_attack.row_adversarial": "對抗",
        "audio_attack.row_perturbation": "擾動\n（+{gain} dB）",
        "audio_attack.fig_wave": "波形",
        "audio_attack.fig_spec": "頻譜圖（三者使用同一個 dB 色階）",
        "audio_attack.fig_time": "時間（秒）",
        "audio_attack.fig_freq": "kHz",
        "audio_attack.fig_step": "步",
        "audio_attack.fig_loss": "損失",
        "audio_attack.name_budget": "預算 ε（dB）",
        "audio_attack.name_steps": "步數",
        "audio_attack.trimmed": "這段音檔長 {seconds:.0f} 秒：只使用前 {limit:.0f} 秒。",
        "audio_attack.too_short": "這段音檔只有 {seconds:.2f} 秒：請提供至少 {minimum:.1f} 秒的語音。",
        "audio_attack.nothing_heard": ("模型在這段音檔裡聽不到任何字：沒有可以攻擊的轉錄。"
                                      "請試試目標式攻擊，或換一段音檔。"),
        "audio_attack.unknown_attack": "沒有 {value} 這種攻擊。請從以下選擇：{known}。",
        "audio_attack.target_empty": "請輸入要讓模型聽到的句子（例如「open the window」）。",
        "audio_attack.target_too_long": "目標句子有 {count} 個字元：請不要超過 {limit} 個。",
        "audio_attack.target_unspellable": "這個模型寫不出這些字元：{chars}。它只認得英文字母 a–z、撇號和空格："
                                           "數字請用英文單字拼出來。",
        "audio_attack.target_characters": "目標句子必須是模型聽得出來的英文字詞：字母、數字、撇號、空格和 . , ? ! "
                                          "等標點。這些字元唸不出來：{chars}。表情符號、其他文字、控制字元，"
                                          "以及特殊詞元的符號（角括號、方括號、| 和 _）都不是字詞。",
        "audio_attack.nothing_running": "目前沒有正在執行的攻擊：「停止」只在攻擊執行時有作用。",
        "audio_attack.not_audio": "這個檔案是 {kind} 檔，不是音訊：請上傳或錄一段聲音（WAV、FLAC、OGG 或 MP3）。",
        "audio_attack.target_too_long_for_clip": "目標句子需要 {count} 個字元，但這段音檔只容得下 {room} 個："
                                                 "請選短一點的句子或長一點的音檔。",
        "audio_attack.target_is_clean": "模型已經聽到 {target} 了：請選另一個目標句子。",
        "audio_attack.attack_first": ("請先用這些設定執行一次攻擊（上方的「攻擊」按鈕）："
                                     "跑完，或在它騙過模型之後才停止。"),
    },
}


def load_results() -> dict | None:
    return read_results(RESULTS)


def note_numbers(results: dict) -> dict[str, str]:
    """The numbers the lecture notes quote, formatted, from results.json."""
    from core.models import read_card
    from demos.audio_attack import logic

    ctc, whisper = results["models"]["speech-ctc"], results["models"]["whisper-tiny.en"]
    pct = lambda value: f"{value:.0%}"  # noqa: E731
    transfer = results["transfer"]
    card = read_card(RESULTS.parent / "ctc")
    numbers = {
        "clips": str(len(results["clips"])),
        "ctc_pgd_40": pct(ctc["pgd_40"]["changed"]), "ctc_fgsm_40": pct(ctc["fgsm_40"]["changed"]),
        "ctc_targeted_30": pct(ctc["targeted_30"]["reached"]), "ctc_targeted_40": pct(ctc["targeted_40"]["reached"]),
        "ctc_targeted_steps": f"{ctc['targeted_30']['mean_steps']:.0f}",
        "ctc_snr_30": f"{ctc['targeted_30']['snr_db']:.0f}",
        "ctc_power_ratio": f"{10 ** (ctc['targeted_30']['snr_db'] / 10):,.0f}",
        "ctc_noise_30": pct(ctc["noise_30"]["changed"]), "whisper_noise_30": pct(whisper["noise_30"]["changed"]),
        "whisper_pgd_40": pct(whisper["pgd_40"]["changed"]), "whisper_pgd_30": pct(whisper["pgd_30"]["changed"]),
        "whisper_targeted_30": pct(whisper["targeted_30"]["reached"]),
        "whisper_targeted_40": pct(whisper["targeted_40"]["reached"]),
        "transfer_ctc_whisper_target": pct(transfer["speech-ctc->whisper-tiny.en:targeted_30"]["target_heard"]),
        "transfer_ctc_whisper_changed": pct(transfer["speech-ctc->whisper-tiny.en:targeted_30"]["changed"]),
        "transfer_whisper_ctc_changed": pct(transfer["whisper-tiny.en->speech-ctc:targeted_30"]["changed"]),
        "transfer_whisper_ctc_target": pct(transfer["whisper-tiny.en->speech-ctc:targeted_30"]["target_heard"]),
        "whisper_wer": pct(whisper["wer"]), "ctc_wer": pct(ctc["wer"]),
        "whisper_misheard": ", ".join(f"“{sentence}” → “{whisper['clean'][name]}”" for name, sentence in
                                      zip(results["clips"], results["sentences"])
                                      if not logic.same(whisper["clean"][name], sentence)) or "–",
        "ctc_cer_test": f"{card['metrics']['cer']:.1%}",
    }
    count = lambda found: f"{found['hits']}/{found['n']} ({found['hits'] / found['n']:.0%})"  # noqa: E731
    numbers["noise_draws"] = str(ctc["noise_30"]["draws"])
    for model, found in (("ctc", ctc), ("whisper", whisper)):
        numbers.update({f"{model}_{kind}_30_count": count(found[f"{kind}_30"]) for kind in ("noise", "pgd", "fgsm")})
    held = results["heldout"]
    numbers["held_clips"] = str(len(held["clips"]))
    for model, key in (("ctc", "speech-ctc"), ("whisper", "whisper-tiny.en")):
        found = held["models"][key]
        numbers.update({f"held_{model}_{kind}": count(found[kind]) if kind in found else "–"
                        for kind in ("noise", "pgd", "fgsm")})
        numbers[f"held_{model}_correct"] = f"{len(found['correct'])}/{len(held['clips'])}"
    defended = held["models"]["whisper-tiny.en"]["defences_fgsm"]
    numbers.update(held_def_n=str(defended["n"]), held_def_whisper_old=str(defended["judged_old_survives"]),
                   held_def_whisper_new=str(defended["judged_new_survives"]))
    for source, other in (("speech-ctc", "whisper-tiny.en"), ("whisper-tiny.en", "speech-ctc")):
        short = "ctc_whisper" if source == "speech-ctc" else "whisper_ctc"
        found = held["transfer"][f"{source}->{other}:fgsm_30"]
        numbers[f"held_transfer_{short}"] = f"{found['hits']}/{found['n']} ({found['changed']:.0%})"
        numbers[f"held_transfer_{short}_noise"] = (f"{found['noise_hits']}/{found['noise_n']} "
                                                   f"({found['noise_changed']:.0%})")
    numbers.update({f"def_ctc_{name}": pct(found["target_survives"])
                    for name, found in ctc["defences_targeted_30"].items()})
    numbers.update({f"cost_ctc_{name}": pct(found["clean_still_correct"])
                    for name, found in ctc["defences_targeted_30"].items()})
    return numbers


def notes(lang: str, results: dict | None) -> str:
    """notes.<lang>.md with its {{placeholders}} filled in from the shipped results."""
    return lecture_notes(HERE, lang, results, note_numbers)


register(STRINGS)
register({lang: {"audio_attack.notes": notes(lang, load_results())} for lang in ("en", "zh")})

#: Predict, then check (core.questions): each question is answered by one click in the tab (ui.QUESTIONS).
QUESTIONS = {
    "en": {
        "audio_attack.q_target": "Can a change 30 dB below the clip's peak make the model hear a phrase of our choice?",
        "audio_attack.q_target_answer": "The targeted attack now runs at −30 dB towards “open the window” (up to 100 "
                                        "steps). Read the verdict and the word diff above the players, then play the "
                                        "perturbation alone (made louder): every step follows the gradient of the "
                                        "loss towards the phrase, so a change far quieter than the speech can steer "
                                        "the transcript. On the first example clip, Whisper tiny.en hears “Open the "
                                        "window.” within a few steps.",
        "audio_attack.q_direction": "Is it the size of the change, or its direction? Would random noise of the same "
                                    "size do it?",
        "audio_attack.q_direction_answer": "Random ±ε noise at −30 dB, the attack's own budget, was added in 5 draws. "
                                           "Read the line under “Add random noise instead”: how many draws changed "
                                           "the transcript on this clip, and the rates measured over many clips "
                                           "against the attacks of the same size. Noise may garble a transcript; only "
                                           "the gradient's direction steers it to a chosen phrase. On the first "
                                           "example clip with Whisper tiny.en, none of the 5 draws changed it.",
        "audio_attack.q_loud": "How loud must random noise be before the transcript changes?",
        "audio_attack.q_loud_answer": "The budget is now −20 dB (10% of the clip's peak, the loudest here), and the "
                                      "random noise ran again. Read its line: the SNR and how many of the 5 draws "
                                      "change what the model hears. On the first example clip with Whisper tiny.en, "
                                      "−30 dB changed none of them and −20 dB changed most: random noise must be far "
                                      "louder than an attack to matter.",
    },
    "zh": {
        "audio_attack.q_target": "一個比音檔峰值低 30 dB 的改變，能讓模型聽到我們指定的句子嗎？",
        "audio_attack.q_target_answer": "目標式攻擊正以 −30 dB 朝目標句子進行（最多 100 步）。看播放器上方的結果與逐字"
                                        "差異，再播放單獨的擾動（已放大）：每一步都沿著損失對目標句子的梯度走，所以比"
                                        "語音小聲得多的改變也能左右轉錄。在第一段範例音檔上，Whisper tiny.en 幾步之內"
                                        "就聽成了目標句子。",
        "audio_attack.q_direction": "重要的是改變的大小，還是方向？同樣大小的隨機雜訊也做得到嗎？",
        "audio_attack.q_direction_answer": "剛剛加上了 −30 dB（就是攻擊的預算）的隨機 ±ε 雜訊，抽了 5 次。看「改加隨機"
                                           "雜訊」下方那一行：在這段音檔上有幾次改變了轉錄，以及在許多音檔上量到、與同"
                                           "樣大小的攻擊相比的比率。雜訊可能把轉錄弄亂，但只有梯度的方向能把它帶到指定"
                                           "的句子。在第一段範例音檔上用 Whisper tiny.en，5 次都沒有改變轉錄。",
        "audio_attack.q_loud": "隨機雜訊要多大聲，轉錄才會改變？",
        "audio_attack.q_loud_answer": "預算已改成 −20 dB（音檔峰值的 10%，這裡最大聲的），並重新加上隨機雜訊。看那一行"
                                      "：SNR，以及 5 次抽樣中有幾次改變了模型聽到的內容。在第一段範例音檔上用 Whisper "
                                      "tiny.en，−30 dB 一次都沒改變，−20 dB 則大多改變了：隨機雜訊要比攻擊大聲得多才有"
                                      "作用。",
    },
}
register(QUESTIONS)
