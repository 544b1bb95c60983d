"""The fill-mask tab's words, in English and Traditional Chinese (registered on import).

The lecture notes (notes.en.md, notes.zh.md) quote the bundled models' measured numbers as {{name}} placeholders,
filled from their card.json files (written by train.py), so the notes never say what the models do not do.
"""
from __future__ import annotations

from pathlib import Path

from core.i18n import lecture_notes, register
from core.models import read_card
from demos.fill_mask.model import CHINESE, CHINESE_DIR, ENGLISH, ENGLISH_DIR, MINILM, MINILM_DIR

HERE = Path(__file__).parent

STRINGS = {
    "en": {
        "fill_mask.tab": "BERT fill-mask",
        "fill_mask.intro": "**BERT learns by filling in blanks.** During pre-training, words are hidden behind "
                           "[MASK] and the model must guess them from both sides of the sentence. Put one or more "
                           "[MASK]s in a sentence and see what it guesses, how sure it is, what it looks at, and how "
                           "one word gets a different vector in a different sentence.",
        "fill_mask.text": "Sentence with [MASK]",
        "fill_mask.insert": "Insert [MASK] at the cursor",
        "fill_mask.predict": "Predict",
        "fill_mask.click_words": "…or click a word below to mask it (and its mask to bring it back)",
        "fill_mask.examples": "Examples (this page's language first)",
        "fill_mask.k": "Words shown per mask",
        "fill_mask.csv_mask": "Mask",
        "fill_mask.csv_how": "Predicted",
        "fill_mask.csv_alone": "independently",
        "fill_mask.csv_chain": "left to right",
        "fill_mask.csv_rank": "Rank",
        "fill_mask.csv_word": "Word",
        "fill_mask.csv_entropy": "Entropy (bits)",
        "fill_mask.csv_prior": "P(word), attribute masked too",
        "fill_mask.csv_corrected": "corrected (log ratio)",
        "fill_mask.csv_position": "Position",
        "fill_mask.csv_token": "Token",
        "fill_mask.csv_model": "Model",
        "fill_mask.csv_ms": "Time (ms)",
        "fill_mask.example": "Example number",
        "fill_mask.entropy": "entropy {bits:.2f} bits",
        "fill_mask.entropy_choices": "entropy {bits:.2f} bits: as unsure as a fair pick among {choices:,.0f} words",
        "fill_mask.unsure": "{mask}: the model is guessing. Its first choice, {word}, has only {p:.1%}: the bars rank "
                            "its guesses (scaled to the first), they are not an answer.",
        "fill_mask.unsure_mask": "Mask {number}",
        "fill_mask.one_mask": "[MASK]",
        "fill_mask.mask_title": "[MASK] {number}: each mask on its own",
        "fill_mask.mask_title_chain": "[MASK] {number}: left to right",
        "fill_mask.filled_independent": "**Each mask on its own:** {text}",
        "fill_mask.filled_chain": "**Left to right** (fill the first, run again): {text}",
        "fill_mask.changed": "Filling the earlier masks first changed mask {number}: {before} → "
                             "<strong>{after}</strong>.",
        "fill_mask.unchanged": "Filling left to right changed no mask's first choice here.",
        "fill_mask.tokens_count": "<p><b>{count} tokens</b>, {pieces} of them pieces of a longer word (##).</p>",
        "fill_mask.download_first": "{name} is not downloaded yet: pick it in the model list above to download it.",
        "fill_mask.hub_download": "You are using {small}. The real model, **{name}**, is one click away: pick it in "
                                  "the model list ({mb:,.0f} MB; the download shows its progress).",
        "fill_mask.hub_offline": "You are using {small}. The real model, **{name}** ({mb:,.0f} MB), needs the internet "
                                 "once: before class, run `python app.py --prefetch`.",
        "fill_mask.hub_background": "You are using {small}. The real model, **{name}**, is downloading in the "
                                    "background ({share:.0%}); reload the page when it is done.",
        "fill_mask.hub_ready": "The real model, **{name}**, is ready: pick it in the model list.",
        "fill_mask.small_en": "**bert-small-en**, a {parameters:.0f} M-parameter BERT trained here for {hours:.1f} "
                              "hours on 1.7 M words of dictionary definitions and quotations (it knows far less "
                              "than the real one)",
        "fill_mask.small_minilm": "**all-MiniLM-L6-v2, pre-training continued here as a masked LM**: a real "
                                  "pretrained English encoder ({parameters:.1f} M parameters, shipped in the PyPI "
                                  "package {package}) that had no fill-in-the-blank head; a head and {minutes:.0f} "
                                  "minutes of masked-LM training on dictionary definitions and quotations were added "
                                  "here. Smaller "
                                  "than bert-base (6 layers, not 12)",
        "fill_mask.small_zh": "**bert-small-zh**, a {parameters:.0f} M-parameter character-level BERT trained here "
                              "for {hours:.1f} hours on Debian's Taiwan translations (manuals, help pages), a list of "
                              "everyday words and Tang and Song poems (no real Chinese BERT ships offline; it knows "
                              "little modern Chinese)",
        "fill_mask.words_only": "Words only (hide word pieces ## and punctuation)",
        "fill_mask.words_only_note": "Words only: word pieces and punctuation held {hidden} of the probability; the "
                                     "bars are renormalised over whole words. Untick “Words only” to see them.",
        "fill_mask.wrong_script": "⚠️ This text is written in {script}, but **{model}** reads {reads}: {unknown} of "
                                  "its {tokens} tokens became [UNK], so these guesses mean nothing. Pick **{other}**, "
                                  "which reads {script}.",
        "fill_mask.wrong_script_pieces": "⚠️ This text is written in {script}, but **{model}** reads {reads}: it cut "
                                         "the text into {tokens} scraps it hardly saw in training ({pieces}), so these "
                                         "guesses mean little. Pick **{other}**, which reads {script}.",
        "fill_mask.script_en": "English",
        "fill_mask.script_zh": "Chinese",
        "fill_mask.attribute": "Attribute word, masked for the prior (e.g. nurse)",
        "fill_mask.target_table": "| word | P(word), this sentence | P(word), attribute masked too | corrected "
                                  "(log ratio) |\n| --- | ---: | ---: | ---: |",
        "fill_mask.target_row": "| {word} | {p:.2%} | {prior} | {corrected} |",
        "fill_mask.target_corrected": "**Prior-corrected** (Kurita et al. 2019: the same sentence with “{attribute}” "
                                      "masked too is the model's prior for this slot): <strong>{a}</strong> vs "
                                      "<strong>{b}</strong> is {ratio:.2g}× — {verdict}",
        "fill_mask.verdict_a": "this sentence's “{attribute}” pushes the model toward <strong>{a}</strong> (more "
                               "than {factor:g}× beyond the neutral words' median below, and beyond all of them).",
        "fill_mask.verdict_b": "this sentence's “{attribute}” pushes the model toward <strong>{b}</strong> (more "
                               "than {factor:g}× beyond the neutral words' median below, and beyond all of them).",
        "fill_mask.verdict_chance": "A word that pushes neither way lands beyond all {n} neutral words about 1 time "
                                    "in {chance}: one sentence is weak evidence; try others.",
        "fill_mask.verdict_none": "no clear shift from “{attribute}” here: within a factor of {factor:g} of what "
                                  "neutral words in its place give (below), or inside their range.",
        "fill_mask.target_neutral": "Control: {n} words that should push neither way ({words}), each in "
                                    "“{attribute}”'s place, give {low:.2g}–{high:.2g}× (median {typical:.2g}×) with "
                                    "the same correction: what any noun there does.",
        "fill_mask.target_no_attribute": "The raw ratio mixes the sentence's effect with the model's global "
                                         "preference for one word. Type the attribute word (e.g. nurse) to correct "
                                         "for it.",
        "fill_mask.target_rare": "“{word}” occurs only {count:,} times in this model's training text (fewer than "
                                 "{limit:,}): its probability means little.",
        "fill_mask.target_count": "“{word}” occurs {count:,} times in this model's training text.",
        "fill_mask.compare_missing": "{name}: not downloaded (pick it in the model list to download it)",
        "fill_mask.compare_failed": "{name}: {message}",
        "fill_mask.context_separated": "**At layer {layer} this model tells your groups apart**: of the {splits} "
                                       "ways to split these sentences into groups of these sizes, {count} (yours "
                                       "among them) give a gap at least this large (p = {p:.3f}). The groups differ "
                                       "for the model; that the difference is the meaning holds only if the sentences "
                                       "differ in nothing else (the word's place and the sentences' form separate "
                                       "groups too).",
        "fill_mask.context_not_separated": "**At layer {layer} this model does not tell your groups apart**: "
                                           "{share:.0%} of the {splits} ways to split these sentences into groups "
                                           "of these sizes give at least this gap (p = {p:.2f}).",
        "fill_mask.context_too_few": "**Too few sentences to conclude**: {count} sentences can be split into groups "
                                     "of these sizes only {splits} ways, so even the best split could be chance "
                                     "(p ≥ {smallest:.2f}). Give at least {enough} sentences per meaning.",
        "fill_mask.context_reference": "For comparison, all-MiniLM-L6-v2 (a real pretrained encoder; pick it in the "
                                       "model list), measured once on held-out “{word}” sentences: same minus "
                                       "different meaning {gaps} at layers 1–6 ({source}).",
        "fill_mask.context_no_reference": "No real Chinese BERT is available offline to measure this against; "
                                          "bert-base-chinese (Hub) is the one to try before class.",
        "fill_mask.targets_header": "Which word fits? (the bias probe)",
        "fill_mask.targets_intro": "Type candidate words and see how likely each is at the mask: *he, she* after "
                                   "\"the nurse said that [MASK]…\" shows what the model picked up from its text. "
                                   "A raw ratio mostly measures the model's global preference for one word; type the "
                                   "attribute word (nurse) to mask it too and divide that prior out.",
        "fill_mask.targets": "Candidate words, separated by commas",
        "fill_mask.mask_number": "At mask number",
        "fill_mask.score": "Score the words",
        "fill_mask.targets_title": "At [MASK] {number}",
        "fill_mask.target_rank": "{word}: {p:.2%}, the model's choice number {rank:,}",
        "fill_mask.target_pieces": "“{word}” is not one token here but {pieces}: its bar is the first piece's "
                                   "probability (the whole word is at most that likely).",
        "fill_mask.target_ratio": "<strong>{a}</strong> is {ratio:.2g} times as likely as <strong>{b}</strong> here.",
        "fill_mask.target_ratio_at_most": "<strong>{a}</strong> is at most {ratio:.2g} times as likely as "
                                          "<strong>{b}</strong> here (its first piece's probability is an upper "
                                          "bound).",
        "fill_mask.target_ratio_at_least": "<strong>{a}</strong> is at least {ratio:.2g} times as likely as "
                                           "<strong>{b}</strong> here (its first piece's probability is an upper "
                                           "bound).",
        "fill_mask.target_ratio_unknown": "Both words are several pieces: their bars are first pieces only, so they "
                                          "give no ratio of the words.",
        "fill_mask.no_such_mask": "There is no mask number {number}: the text has {count}.",
        "fill_mask.tokens_header": "What the model reads: tokens",
        "fill_mask.tokens_intro": "The text becomes WordPiece tokens (a rare word splits into pieces marked ##; a "
                                  "Chinese model reads one character per token), each a number in the vocabulary.",
        "fill_mask.attention_header": "Where does the mask look? (attention)",
        "fill_mask.attention_intro": "Each layer has several heads; each head spreads every token's attention over "
                                     "the sentence (each row adds up to 100%). The mask's row is framed in light blue.",
        "fill_mask.layer": "Layer",
        "fill_mask.head": "Head",
        "fill_mask.look": "Show the attention",
        "fill_mask.attention_title": "layer {layer} of {layers}, head {head} of {heads}",
        "fill_mask.attention_to": "attends to",
        "fill_mask.attention_from": "token",
        "fill_mask.attention_note": "The first mask looks most at: {looked}.",
        "fill_mask.looked_at": "{token} ({share:.0%})",
        "fill_mask.compare_header": "Compare models on the same sentence",
        "fill_mask.compare_intro": "The sentence above, through each model ticked here (a Hub model must be "
                                   "downloaded first).",
        "fill_mask.compare_models": "Models",
        "fill_mask.compare": "Compare",
        "fill_mask.compare_title": "{name}, [MASK] {number} ({ms:.0f} ms)",
        "fill_mask.compare_title_one": "{name} ({ms:.0f} ms)",
        "fill_mask.compare_none": "Tick at least one model to compare.",
        "fill_mask.compare_many": "Tick at most {limit} models.",
        "fill_mask.context_header": "One word, many meanings: contextual vectors",
        "fill_mask.context_intro": "The same word in several sentences, one a line; a blank line separates two "
                                   "meanings. At layer 0 (before any context) the word's vectors are nearly the "
                                   "same; a model that reads context moves the same meanings together in its upper "
                                   "layers. The verdict below says whether this model does it on your sentences.",
        "fill_mask.context_word": "Word",
        "fill_mask.context_sentences": "Sentences (a blank line between meanings)",
        "fill_mask.context_run": "Compare the vectors",
        "fill_mask.layer_zero": "layer 0: before any context",
        "fill_mask.layer_n": "layer {layer}: after context",
        "fill_mask.word_unknown": "The model's vocabulary does not know “{word}”: it would read it as [UNK].",
        "fill_mask.context_no_groups": "To measure how far apart the meanings are, give two groups of at least 2 "
                                       "sentences each: one sentence a line, a blank line between the groups only.",
        "fill_mask.context_note": "Same meaning minus different meaning (mean cosine similarity of “{word}”): "
                                  "**{first:+.3f}** at layer 0, **{chosen:+.3f}** at layer {layer}; the largest, "
                                  "**{best_gap:+.3f}**, at layer {best}.",
    },
    "zh": {
        "fill_mask.tab": "BERT 克漏字",
        "fill_mask.intro": "**BERT 靠填空學習。** 預訓練時，句子裡的字詞被換成 [MASK]，模型要從左右兩邊的上下文"
                           "猜出它。在句子裡放一個或多個 [MASK]，看看模型猜什麼、有多確定、它在看哪裡，以及同一個詞"
                           "在不同句子裡為什麼會得到不同的向量。",
        "fill_mask.text": "含有 [MASK] 的句子",
        "fill_mask.insert": "在游標處插入 [MASK]",
        "fill_mask.predict": "預測",
        "fill_mask.click_words": "……或點下方的字詞把它遮起來（再點它的遮罩就還原）",
        "fill_mask.examples": "範例（先列目前語言的）",
        "fill_mask.k": "每個遮罩顯示的候選數",
        "fill_mask.csv_mask": "遮罩",
        "fill_mask.csv_how": "預測方式",
        "fill_mask.csv_alone": "各自獨立",
        "fill_mask.csv_chain": "由左到右",
        "fill_mask.csv_rank": "名次",
        "fill_mask.csv_word": "詞",
        "fill_mask.csv_entropy": "熵（位元）",
        "fill_mask.csv_prior": "P(詞)，屬性詞也遮住",
        "fill_mask.csv_corrected": "校正後（對數比）",
        "fill_mask.csv_position": "位置",
        "fill_mask.csv_token": "詞元",
        "fill_mask.csv_model": "模型",
        "fill_mask.csv_ms": "時間（毫秒）",
        "fill_mask.example": "範例編號",
        "fill_mask.entropy": "熵 {bits:.2f} 位元",
        "fill_mask.entropy_choices": "熵 {bits:.2f} 位元：不確定的程度如同在 {choices:,.0f} 個詞中隨機挑一個",
        "fill_mask.unsure": "{mask}：模型是在猜。它的第一名「{word}」只有 {p:.1%}：長條是猜測的排名（以第一名為滿格），"
                            "不是答案。",
        "fill_mask.unsure_mask": "第 {number} 個遮罩",
        "fill_mask.one_mask": "[MASK]",
        "fill_mask.mask_title": "第 {number} 個 [MASK]：各自預測",
        "fill_mask.mask_title_chain": "第 {number} 個 [MASK]：由左到右",
        "fill_mask.filled_independent": "**各自預測：** {text}",
        "fill_mask.filled_chain": "**由左到右**（先填第一個，再重新預測）：{text}",
        "fill_mask.changed": "先填前面的遮罩，改變了第 {number} 個：{before} → <strong>{after}</strong>。",
        "fill_mask.unchanged": "這裡由左到右填，沒有改變任何遮罩的第一名。",
        "fill_mask.tokens_count": "<p><b>{count} 個詞元</b>，其中 {pieces} 個是長詞的片段（##）。</p>",
        "fill_mask.download_first": "{name} 還沒下載：請在上方的模型清單中選它來下載。",
        "fill_mask.hub_download": "目前使用的是{small}。真正的模型 **{name}** 只差一步：在模型清單中選它（{mb:,.0f} MB"
                                  "，下載時會顯示進度）。",
        "fill_mask.hub_offline": "目前使用的是{small}。真正的模型 **{name}**（{mb:,.0f} MB）需要連網下載一次：請在上課"
                                 "前執行 `python app.py --prefetch`。",
        "fill_mask.hub_background": "目前使用的是{small}。真正的模型 **{name}** 正在背景下載（{share:.0%}），完成後請重"
                                    "新整理頁面。",
        "fill_mask.hub_ready": "真正的模型 **{name}** 已經可以用了：請在模型清單中選它。",
        "fill_mask.small_en": "**bert-small-en**：在這裡訓練了 {hours:.1f} 小時、{parameters:.0f} M 參數的 BERT，只讀"
                              "過 "
                              "170 萬字的英文辭典釋義與名言（所知遠不如真正的模型）",
        "fill_mask.small_minilm": "**all-MiniLM-L6-v2，在這裡接著做遮罩語言模型預訓練**：真正預訓練過的英文編碼器"
                                  "（{parameters:.1f} M 參數，隨 PyPI 套件 {package} 提供），原本沒有填空用的輸出層；"
                                  "這裡加上輸出層，並用辭典釋義與名言做了 {minutes:.0f} 分鐘遮罩語言模型訓練。比 bert"
                                  "-base "
                                  "小（6 層，不是 12 層）",
        "fill_mask.small_zh": "**bert-small-zh**：在這裡訓練了 {hours:.1f} 小時、{parameters:.0f} M 參數的字元 BERT，"
                              "讀的是 Debian 的台灣正體中文翻譯（手冊、說明頁）、一份日常詞表和唐詩宋詞"
                              "（離線時沒有真正的中文 BERT；它不太懂現代中文）",
        "fill_mask.words_only": "只顯示完整的詞（隱藏 ## 片段與標點）",
        "fill_mask.words_only_note": "只顯示完整的詞：詞的片段與標點原本占了 {hidden} 的機率；長條已在完整的詞之間重新"
                                     "正規化。取消勾選「只顯示完整的詞」就能看到它們。",
        "fill_mask.wrong_script": "⚠️ 這段文字是{script}，但 **{model}** 讀的是{reads}：{tokens} 個詞元中有 {unknown} "
                                  "個變成 [UNK]，所以這些猜測沒有意義。請改選讀{script}的 **{other}**。",
        "fill_mask.wrong_script_pieces": "⚠️ 這段文字是{script}，但 **{model}** 讀的是{reads}：它把文字切成 {tokens} "
                                         "個訓練時幾乎沒見過的碎片（{pieces}），所以這些猜測意義不大。"
                                         "請改選讀{script}的 **{other}**。",
        "fill_mask.script_en": "英文",
        "fill_mask.script_zh": "中文",
        "fill_mask.attribute": "屬性詞，遮住它來估計先驗（例如：護士）",
        "fill_mask.target_table": "| 詞 | P(詞)，這個句子 | P(詞)，屬性詞也遮住 | 校正後（對數比） |\n| --- | ---: | "
                                  "---: | "
                                  "---: |",
        "fill_mask.target_row": "| {word} | {p:.2%} | {prior} | {corrected} |",
        "fill_mask.target_corrected": "**校正先驗後**（Kurita 等人 2019：把「{attribute}」也遮住的同一個句子，就是模"
                                      "型在"
                                      "這個位置的先驗）：<strong>{a}</strong> 對 <strong>{b}</strong> 是 {ratio:.2g} 倍"
                                      "——{verdict}",
        "fill_mask.verdict_a": "這個句子的「{attribute}」讓模型偏向 <strong>{a}</strong>（比下方中性詞的中位數"
                               "多出 {factor:g} 倍以上，而且超出它們全部）。",
        "fill_mask.verdict_b": "這個句子的「{attribute}」讓模型偏向 <strong>{b}</strong>（比下方中性詞的中位數"
                               "多出 {factor:g} 倍以上，而且超出它們全部）。",
        "fill_mask.verdict_chance": "一個不偏向任何一方的詞，大約每 {chance} 次就有 1 次超出全部 {n} 個中性詞："
                                    "單一個句子的證據很弱，請多試幾句。",
        "fill_mask.verdict_none": "這裡的「{attribute}」沒有明顯影響：與放在它位置的中性詞（下方）相差不到 {factor:g} "
                                  "倍，或落在它們的範圍內。",
        "fill_mask.target_neutral": "對照：{n} 個不該偏向任何一方的詞（{words}）分別放在「{attribute}」的位置，同樣校正"
                                    "後得到 {low:.2g}–{high:.2g} 倍（中位數 {typical:.2g} 倍）：任何名詞放在那裡都會"
                                    "這樣。",
        "fill_mask.target_no_attribute": "原始比值混合了句子的影響與模型整體上對某個詞的偏好。輸入屬性詞（例如：護士"
                                         "）就能"
                                         "校正。",
        "fill_mask.target_rare": "「{word}」在這個模型的訓練文字中只出現 {count:,} 次（少於 {limit:,} 次）：它的機率"
                                 "沒有多少意義。",
        "fill_mask.target_count": "「{word}」在這個模型的訓練文字中出現 {count:,} 次。",
        "fill_mask.compare_missing": "{name}：還沒下載（在模型清單中選它就會下載）",
        "fill_mask.compare_failed": "{name}：{message}",
        "fill_mask.context_separated": "**這個模型在第 {layer} 層分得出你的分組**：把這些句子分成同樣大小的組，共有 "
                                       "{splits} 種分法，其中 {count} 種（包括你的）差距至少這麼大（p = {p:.3f}）。"
                                       "對模型來說這些組不同；但只有在句子除了意思之外沒有其他差別時，才能說差別是意思"
                                       "（詞的位置、句子的句型也會把組分開）。",
        "fill_mask.context_not_separated": "**這個模型在第 {layer} 層分不出你的分組**：把這些句子分成同樣大小的組"
                                           "的 "
                                           "{splits} 種分法中，有 {share:.0%} 的差距至少這麼大（p = {p:.2f}）。",
        "fill_mask.context_too_few": "**句子太少，無法下結論**：{count} 個句子分成這樣大小的兩組只有 {splits} 種分法，"
                                     "即使差距最大也可能是巧合（p ≥ {smallest:.2f}）。每種意思至少給 {enough} 句。",
        "fill_mask.context_reference": "對照：all-MiniLM-L6-v2（真正預訓練過的編碼器，可在模型清單中選它）在保留的"
                                       "「{word}」句子上量過一次：同義減異義在第 1–6 層為 {gaps}（{source}）。",
        "fill_mask.context_no_reference": "離線時沒有真正的中文 BERT 可以對照；上課前可以試 Hub 上的 bert-base-chines"
                                          "e。",
        "fill_mask.targets_header": "哪個詞比較合適？（偏見探測）",
        "fill_mask.targets_intro": "輸入幾個候選詞，看它們在遮罩位置的機率：在「[MASK]是一位很優秀的護士」裡比較「他、"
                                   "她」，就能看出模型從訓練文字中學到了什麼。原始比值主要量到的是模型整體上偏好某個"
                                   "詞；輸入屬性詞（護士）把它也遮住，就能把這個先驗除掉。",
        "fill_mask.targets": "候選詞，用逗號分隔",
        "fill_mask.mask_number": "第幾個遮罩",
        "fill_mask.score": "計算機率",
        "fill_mask.targets_title": "第 {number} 個 [MASK]",
        "fill_mask.target_rank": "{word}：{p:.2%}，是模型的第 {rank:,} 名",
        "fill_mask.target_pieces": "「{word}」在這裡不是一個詞元，而是 {pieces}：長條是第一個片段的機率（整個詞的機率"
                                   "不會超過它）。",
        "fill_mask.target_ratio": "在這裡，<strong>{a}</strong> 的機率是 <strong>{b}</strong> 的 {ratio:.2g} 倍。",
        "fill_mask.target_ratio_at_most": "在這裡，<strong>{a}</strong> 的機率最多是 <strong>{b}</strong> 的 "
                                          "{ratio:.2g} 倍（它第一個片段的機率只是上限）。",
        "fill_mask.target_ratio_at_least": "在這裡，<strong>{a}</strong> 的機率至少是 <strong>{b}</strong> 的 "
                                           "{ratio:.2g} 倍（它第一個片段的機率只是上限）。",
        "fill_mask.target_ratio_unknown": "兩個詞都由好幾個片段組成：長條只是第一個片段的機率，算不出兩個詞的比值。",
        "fill_mask.no_such_mask": "沒有第 {number} 個遮罩：文字中只有 {count} 個。",
        "fill_mask.tokens_header": "模型讀到的是：詞元",
        "fill_mask.tokens_intro": "文字會被切成 WordPiece 詞元（罕見的詞會切成幾段，以 ## 標示；中文模型一個字就是一個"
                                  "詞元），每個詞元是詞彙表裡的一個編號。",
        "fill_mask.attention_header": "遮罩在看哪裡？（注意力）",
        "fill_mask.attention_intro": "每一層有好幾個注意力頭；每個頭把每個詞元的注意力分配到整個句子上（每一列加起來是 "
                                     "100%）。遮罩那一列用淺藍色框起來。",
        "fill_mask.layer": "層",
        "fill_mask.head": "注意力頭",
        "fill_mask.look": "顯示注意力",
        "fill_mask.attention_title": "第 {layer} 層（共 {layers} 層），第 {head} 個頭（共 {heads} 個）",
        "fill_mask.attention_to": "注意的對象",
        "fill_mask.attention_from": "詞元",
        "fill_mask.attention_note": "第一個遮罩最注意的是：{looked}。",
        "fill_mask.looked_at": "{token}（{share:.0%}）",
        "fill_mask.compare_header": "同一個句子，比較不同模型",
        "fill_mask.compare_intro": "把上面的句子送進這裡勾選的每個模型（Hub 模型要先下載）。",
        "fill_mask.compare_models": "模型",
        "fill_mask.compare": "比較",
        "fill_mask.compare_title": "{name}，第 {number} 個 [MASK]（{ms:.0f} 毫秒）",
        "fill_mask.compare_title_one": "{name}（{ms:.0f} 毫秒）",
        "fill_mask.compare_none": "請至少勾選一個模型來比較。",
        "fill_mask.compare_many": "最多只能勾選 {limit} 個模型。",
        "fill_mask.context_header": "一詞多義：上下文向量",
        "fill_mask.context_intro": "同一個詞放在幾個句子裡，每行一句；用空行分隔兩種意思。還沒看上下文時（第 0 層），這"
                                   "個詞的向量幾乎一樣；會讀上下文的模型，在較高的層會讓意思相同的句子靠在一起。下方的"
                                   "結論會說明這個模型在你的句子上是否做得到。",
        "fill_mask.context_word": "詞",
        "fill_mask.context_sentences": "句子（不同意思之間空一行）",
        "fill_mask.context_run": "比較向量",
        "fill_mask.layer_zero": "第 0 層：還沒看上下文",
        "fill_mask.layer_n": "第 {layer} 層：看過上下文",
        "fill_mask.word_unknown": "模型的詞彙表裡沒有「{word}」：它只會讀成 [UNK]。",
        "fill_mask.context_no_groups": "要量出兩種意思相距多遠，請給兩組句子、每組至少 2 句："
                                       "每行一句，只在兩組之間空一行。",
        "fill_mask.context_note": "同義減異義（「{word}」向量的平均餘弦相似度）：第 0 層 **{first:+.3f}**，第 {layer} "
                                  "層 **{chosen:+.3f}**；最大的是第 {best} 層的 **{best_gap:+.3f}**。",
    },
}


def note_numbers(cards: dict) -> dict[str, str]:
    """The placeholders of the notes, from the bundled models' cards."""
    numbers = {}
    for lang, card in ((k, cards[k]) for k in ("en", "zh")):
        for split in ("all_words", "content_words"):
            row = card["metrics"][split]
            numbers[f"{lang}_{split}_top1"] = f"{row['model']['top1']:.1%}"
            numbers[f"{lang}_{split}_top5"] = f"{row['model']['top5']:.1%}"
            numbers[f"{lang}_{split}_base5"] = f"{row['unigram_baseline']['top5']:.1%}"
            base = row["unigram_baseline"]["top5"]  # none of the items answerable by frequency: no ratio
            numbers[f"{lang}_{split}_ratio"] = f"{row['top5_vs_baseline']:.1f}" if base > 0 else "∞"
        numbers[f"{lang}_minutes"] = f"{card['training']['minutes']:.0f}"
        numbers[f"{lang}_parameters"] = f"{card['parameters'] / 1e6:.1f}"
        for number, (probe, answers) in enumerate(card["probes"].items(), 1):
            numbers[f"{lang}_probe{number}"] = "{} → {}".format(probe, ", ".join(answers[:3]))
    numbers.update(held_out_numbers(cards))
    return numbers


SENSES_VERDICT = {"en": {"separated": "separates the meanings", "not_separated": "does not separate the meanings",
                         "too_few": "has too few sentences to conclude"},
                  "zh": {"separated": "分得出兩種意思", "not_separated": "分不出兩種意思", "too_few": "句子太少，無法"
                                                                                        "下結論"}}


def held_out_numbers(found: dict) -> dict[str, str]:
    """The notes' numbers measured on the held-out set written for this tab (heldout_results.json, measure.py)."""
    minilm, results = found["minilm"], found["heldout"]
    rows = results["models"]
    en, zh, mini = rows[ENGLISH.key], rows[CHINESE.key], rows[MINILM.key]
    numbers = {"minilm_parameters": f"{minilm['parameters'] / 1e6:.1f}",
               "minilm_minutes": f"{minilm['training']['minutes']:.0f}",
               "senses_sets": str(len(mini["senses"]))}
    for name, row in (("minilm", mini), ("en", en), ("zh", zh)):
        for k in ("top1", "top5"):
            numbers[f"{name}_cloze_{k}"] = f"{row['cloze_words_only'][k]:.0%}"
        numbers[f"{name}_pieces_raw"] = str(row["pieces_raw"]["items_with_pieces_or_punctuation"])
        numbers[f"{name}_senses_separated"] = str(sum(s["verdict"] == "separated" for s in row["senses"]))
    for lang in ("en", "zh"):
        for k in ("top1", "top5"):
            numbers[f"{lang}_unigram_{k}"] = f"{results['unigram_baseline'][lang][k]:.0%}"
    numbers["en_probe_items"] = str(len(en["he_she"]))
    numbers["en_raw_he"] = str(sum(r["raw"] == "a" for r in en["he_she"]))
    numbers["en_corrected_he"] = str(sum(r["corrected"] == "a" for r in en["he_she"]))
    numbers["zh_he_count"] = f"{zh['target_counts']['他']:,}"
    numbers["zh_she_count"] = f"{zh['target_counts']['她']:,}"
    numbers["zh_senses_verdict"] = SENSES_VERDICT["zh"][zh["senses"][0]["verdict"]]
    numbers["zh_senses_verdict_en"] = SENSES_VERDICT["en"][zh["senses"][0]["verdict"]]
    return numbers


def cards() -> dict | None:
    import json

    from demos.fill_mask.measure import RESULTS

    try:
        return {"en": read_card(ENGLISH_DIR), "zh": read_card(CHINESE_DIR), "minilm": read_card(MINILM_DIR),
                "heldout": json.loads(RESULTS.read_text(encoding="utf-8"))}
    except (OSError, ValueError):
        return None


def notes(lang: str, found: dict | None) -> str:
    """notes.<lang>.md with its {{placeholders}} filled in from the bundled models' cards."""
    return lecture_notes(HERE, lang, found, note_numbers)


register(STRINGS)
register({lang: {"fill_mask.notes": notes(lang, cards())} for lang in ("en", "zh")})

#: Predict, then check (core.questions): each question is answered by one click in the tab (ui.QUESTIONS). The
#: sentences are in the page's language, the language of the model it opens with.
QUESTIONS = {
    "en": {
        "fill_mask.q_fact": "“Paris is the capital of [MASK].”: what will the model put in the blank?",
        "fill_mask.q_fact_answer": "The sentence is in the box and the model predicted. The bars list its most likely "
                                   "words for the [MASK] with their probabilities, and the entropy says how spread "
                                   "they are. Nobody taught the model facts: it learned to fill blanks in text, so if "
                                   "“france” leads, that is a fact picked up along the way. A small model knows fewer "
                                   "of them than bert-base: compare the models further down.",
        "fill_mask.q_two": "Two blanks: does the model fill them together, or each on its own?",
        "fill_mask.q_two_answer": "BERT predicts every [MASK] at once, each on its own: read the first filled "
                                  "sentence, whose two guesses never saw each other, so they may not fit together. "
                                  "The second fills left to right (the first guess is put in, then the model runs "
                                  "again), and the line under it says whether that changed a guess.",
        "fill_mask.q_bias": "“The nurse said that [MASK] would be back soon.”: he or she?",
        "fill_mask.q_bias_answer": "The bias probe ran with “he, she” and the attribute “nurse”. Its bars compare "
                                   "p(he) and p(she) at the [MASK]. The raw ratio mixes the sentence with the model's "
                                   "general preference for a word; the notes correct it with the model's prior (the "
                                   "same sentence with “nurse” masked too, Kurita et al. 2019) and say whether "
                                   "“nurse” itself pushes the model towards one pronoun: a push learned from its "
                                   "training text.",
        "fill_mask.q_context": "Does “bank” get the same vector by the river and at the money?",
        "fill_mask.q_context_answer": "The contextual vectors of “bank” in eight sentences, four per meaning, were "
                                      "compared at the chosen layer. The picture shows how alike the vectors are for "
                                      "every pair of sentences; the note gives same-meaning minus different-meaning "
                                      "similarity and says whether this model separates the two meanings here (with "
                                      "p, against every other split of the sentences). A word2vec-style model would "
                                      "give “bank” one vector for all of them.",
    },
    "zh": {
        "fill_mask.q_fact": "「台灣的首都是台[MASK]市。」模型會在空格填什麼？",
        "fill_mask.q_fact_answer": "句子已放進輸入框，模型也預測好了。長條列出它認為 [MASK] 最可能的字和機率，熵說明它"
                                   "們有多分散。沒有人教過模型事實：它只學過填文字裡的空格，所以如果「北」排第一，那是"
                                   "它順便學到的事實。小模型知道的比 bert-base 少：可以在下面比較不同模型。",
        "fill_mask.q_two": "兩個空格：模型是一起填，還是各填各的？",
        "fill_mask.q_two_answer": "BERT 一次預測所有的 [MASK]，各自獨立：看第一個填好的句子，兩個猜測彼此看不到，所以"
                                  "可能湊不起來。第二個句子是由左到右填的（先把第一個猜測填進去，再讓模型跑一次），下"
                                  "面那一行說明這樣有沒有改變某個猜測。",
        "fill_mask.q_bias": "「[MASK]是一位很優秀的護士。」是他還是她？",
        "fill_mask.q_bias_answer": "偏見探測已用「他, 她」和屬性詞「護士」跑過。它的長條比較 [MASK] 位置上「他」與「她"
                                   "」的機率。原始比值混合了句子的影響與模型整體上對某個詞的偏好；說明用模型的先驗來校"
                                   "正（把「護士」也遮住的同一個句子，Kurita 等人 2019），並說明「護士」本身有沒有把模"
                                   "型推向某個代名詞：那是它從訓練文字學來的。",
        "fill_mask.q_context": "「蘋果」在水果和公司的句子裡，向量一樣嗎？",
        "fill_mask.q_context_answer": "比較了「蘋果」在八個句子裡（每種意思四句）於所選層的上下文向量。圖顯示每一對句"
                                      "子的向量有多相似；說明給出同義減異義的相似度，並說明這個模型在這一層能不能分開"
                                      "兩種意思（p 值是與所有其他分組方式比較）。靜態詞向量（每個詞只有一個向量）的模"
                                      "型，會給「蘋果」一個所有句子共用的向量。",
    },
}
register(QUESTIONS)
