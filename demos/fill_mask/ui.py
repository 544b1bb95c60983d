"""The fill-mask (BERT) tab: layout and events. The science is in logic.py, the words in strings.py, the bars and
heat maps in figures.py."""
from __future__ import annotations

import html
import re
import statistics
import threading
from types import SimpleNamespace

import gradio as gr

from core import export, models
from core.i18n import UserInputError, listed, shown, space, t
from core.memo import Memo, nbytes
from core.plots import to_rgb
from core.questions import Question, questions_panel
from core.ui import (
    LIGHT,
    MODEL_LANE,
    CheckboxGroup,
    Image,
    Slider,
    Stopwatch,
    grey_when_refused,
    handler,
    model_loader,
    model_picker,
    slider_value,
    stale_on_typing_js,
)
from demos.fill_mask import figures, logic, strings  # noqa: F401  strings registers the words
from demos.fill_mask.model import BERT_BASE_EN, BERT_BASE_ZH, CHINESE, ENGLISH, LANGUAGE, MINILM, MODELS

TOPIC = "fill_mask"
#: Predictions: a few milliseconds on the bundled models, ~0.1 s on bert-base; two at once share the 2 cores.
LANE = {"concurrency_id": "fill_mask", "concurrency_limit": 2}
MAX_K = 20
#: The answers a class asks for again and again, computed once per model and input: the guesses; what the sliders
#: look into (every head's attention over a sentence, the word's similarities at every layer for a set of
#: sentences); and the pictures of them per slider position and language. A class moving the layer and head
#: sliders over the same sentences then costs a lookup, not a pass through the model.
GUESSES = Memo(maxsize=256)  # the guesses of a sentence, per model, k and whole-words box
ATTENTIONS = Memo(maxsize=32, max_mb=16)
SIMILARITIES = Memo(maxsize=32)
PICTURES = export.Drawn(maxsize=128)
MAX_COMPARED = 5
#: (language, sentence, target words, attribute word): the bias probe, several masks, a poem line, a fact.
EXAMPLES = (
    ("en", "The nurse said that [MASK] would be back soon.", "he, she", "nurse"),
    ("en", "Paris is the capital of [MASK].", "france, italy, europe", ""),
    ("en", "I went to the [MASK] to buy some [MASK].", "store, bank, park", ""),
    ("en", "The doctor asked the [MASK] to come back next week.", "patient, nurse", "doctor"),
    ("zh", "床前明月[MASK]，疑是地上霜。", "光, 月", ""),
    ("zh", "[MASK]是一位很優秀的護士。", "他, 她", "護士"),
    ("zh", "白日依山[MASK]，黃河入海[MASK]。", "盡, 流", ""),
    ("zh", "台灣的首都是台[MASK]市。", "北, 中, 南", ""),
)
#: 4 + 4 sentences: with 2 + 2 no split of the sentences can be told from chance (p >= 1/3).
CONTEXT_EXAMPLES = {
    "en": ("bank", "She sat on the bank of the river.\nThe boat drifted to the bank.\n"
                   "Reeds grew thick along the bank.\nThe river rose over its bank.\n\n"
                   "He put his money in the bank.\nThe bank raised its interest rate.\n"
                   "She works as a clerk at the bank.\nThe bank refused to lend him money."),
    "zh": ("蘋果", "我今天吃了一個蘋果。\n這顆蘋果又紅又甜。\n媽媽削了一顆蘋果。\n蘋果樹結滿了果實。\n\n"
                   "蘋果發表了新的手機。\n他在蘋果公司上班。\n蘋果的財報超出預期。\n蘋果的新電腦很貴。"),
}
#: Predict, then check (core.questions): the words are in strings.py, QUESTIONS; each sentence in the page's language.
QUESTIONS = (Question("fact", {"text": {"en": EXAMPLES[1][1], "zh": EXAMPLES[7][1]}}, run=("predict",)),
             Question("two", {"text": {"en": EXAMPLES[2][1], "zh": EXAMPLES[6][1]}}, run=("predict",)),
             Question("bias", {"text": {"en": EXAMPLES[0][1], "zh": EXAMPLES[5][1]},
                               "target_words": {"en": EXAMPLES[0][2], "zh": EXAMPLES[5][2]},
                               "attribute": {"en": EXAMPLES[0][3], "zh": EXAMPLES[5][3]}, "mask_number": 1},
                      run=("predict", "targets")),
             Question("context", {"context_word": {lang: CONTEXT_EXAMPLES[lang][0] for lang in ("en", "zh")},
                                  "context_sentences": {lang: CONTEXT_EXAMPLES[lang][1] for lang in ("en", "zh")}},
                      run=("context",)))


# ---------------------------------------------------------------- models

def choice_keys() -> list[str]:
    return [choice.key for choice in MODELS.choices]


def ready_now(choice) -> bool:
    return choice.available() and not choice.needs_download()


def model_for(lang: str, current: str | None = None) -> str:
    """The model a page in ``lang`` opens on: the current one if it reads that language, else the best ready one
    that does (a cached Hub model before the bundled one), else the slot's default."""
    if current in LANGUAGE and LANGUAGE[current] == lang and ready_now(MODELS.choice(current)):
        return current
    ready = [c for c in MODELS.choices if LANGUAGE[c.key] == lang and ready_now(c)]
    if not ready:
        return MODELS.best().key
    return min(ready, key=lambda c: models.KIND_ORDER.index(c.kind)).key


def loaded(key):
    """(model, tokenizer) of a ready choice; a Hub model not downloaded yet is never fetched behind a click."""
    if key not in choice_keys():
        raise UserInputError("model.unknown", choice=shown(key, 40, quote=False))
    if MODELS.choice(key).needs_download():
        raise UserInputError("model.needs_internet" if models.is_offline() else "fill_mask.download_first", name=key)
    bundle = MODELS.get(key)
    return logic.eager(bundle.model), bundle.tokenizer  # before any request reads attention weights from it


def shape(model) -> tuple[int, int]:
    """(layers, heads) of a BERT-like model."""
    config = model.config
    return (getattr(config, "num_hidden_layers", None) or config.n_layers,
            getattr(config, "num_attention_heads", None) or config.n_heads)


def describe(key: str, lang: str) -> str:
    """What the model in use is, plainly (size, what it read, how long it trained here), from its card."""
    choice = MODELS.choice(key) if key in choice_keys() else None
    try:
        card = choice.card() if choice is not None and hasattr(choice, "card") else {}
    except (OSError, ValueError):  # a card not written yet (a training run under way): the words without numbers
        card = {}
    if choice is MINILM:
        return t("fill_mask.small_minilm", lang, parameters=card.get("parameters", 22.7e6) / 1e6,
                 package=MINILM.distribution, minutes=card.get("training", {}).get("minutes", 0))
    if choice in (ENGLISH, CHINESE):
        name = "small_en" if choice is ENGLISH else "small_zh"
        return t(f"fill_mask.{name}", lang, parameters=card.get("parameters", 3e6) / 1e6,
                 hours=card.get("training", {}).get("minutes", 0) / 60)
    return key


def hub_note(key: str, lang: str) -> str:
    """What a page says up front about the model in use and the real model for its language: downloading in the
    background, one click away, or (offline) how to bring it to class. Nothing once it is the one in use."""
    real = BERT_BASE_ZH if LANGUAGE.get(key, lang) == "zh" else BERT_BASE_EN
    if key == real.key:
        return ""
    share = models.BACKGROUND.get(real.key)
    small = describe(key, lang)
    if real.needs_download() and share is not None and 0 <= share < 1:
        return t("fill_mask.hub_background", lang, name=real.key, share=share, small=small)
    if real.needs_download():
        offline = models.is_offline()
        return t("fill_mask.hub_offline" if offline else "fill_mask.hub_download", lang, name=real.key,
                 mb=real.size_mb, small=small)
    return t("fill_mask.hub_ready", lang, name=real.key)


def background_downloads(offline: bool, on_space: bool, lang: str) -> list:
    """The real BERTs to fetch in the background at start-up: none offline, none on a Space (core does it there),
    else each one not downloaded yet, the page language's first."""
    if offline or on_space:
        return []
    order = (BERT_BASE_ZH, BERT_BASE_EN) if lang == "zh" else (BERT_BASE_EN, BERT_BASE_ZH)
    return [choice for choice in order if choice.needs_download()]


def start_background_downloads(lang: str, report=print) -> threading.Thread | None:
    """On a machine that reaches the Hub: download the real BERTs one after the other (BACKGROUND shows the
    progress on the page); each becomes the default for its language when complete."""
    import os

    wanted = background_downloads(models.is_offline(), bool(os.environ.get("SPACE_ID")), lang)
    if not wanted:
        return None
    for choice in wanted:
        models.BACKGROUND[choice.key] = 0.0

    def run():
        for choice in wanted:
            try:
                choice.download(lambda share, text, key=choice.key: models.BACKGROUND.__setitem__(key, share))
                models.BACKGROUND[choice.key] = 1.0
                MODELS.refresh()
            except Exception as exc:  # network errors come in many types: the offline model stays the default
                models.BACKGROUND[choice.key] = -1.0
                report(f"background download of {choice.key} failed: {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=run, name="fill-mask-downloads", daemon=True)
    thread.start()
    return thread


def dropdown_update(key: str, lang: str):
    """The model list as it is now (a background download may have finished since the page was built)."""
    return gr.update(choices=[(models.choice_option(c, lang), c.key) for c in MODELS.choices], value=key)


def sliders(key: str) -> tuple:
    """The layer and head sliders (attention) and the layer slider (vectors), sized for the model ``key`` (left as
    they are for a model that is not one of the choices or not downloaded yet)."""
    if key not in choice_keys() or MODELS.choice(key).needs_download():
        return gr.update(), gr.update(), gr.update()
    layers, heads = shape(loaded(key)[0])
    return (gr.update(maximum=layers, value=layers), gr.update(maximum=heads, value=1),
            gr.update(maximum=layers, value=layers))


# ---------------------------------------------------------------- events

def script_warning(text: str, key: str, tok, lang: str) -> str | None:
    """A text in the other language's script: what the model read ([UNK]s) and which model reads it."""
    written = logic.script(text)
    reads = LANGUAGE.get(key)
    if written is None or reads is None or written == reads:
        return None
    unknown, tokens = logic.unknown_share(tok, text)
    names = dict(script=t(f"fill_mask.script_{written}", lang), model=key, reads=t(f"fill_mask.script_{reads}", lang),
                 tokens=tokens, other=model_for(written))
    if unknown == 0:  # no [UNK]: the vocabulary cut the words into letters and scraps (English to a Chinese model)
        pieces = " ".join(as_text(piece) for piece in tok.tokenize(text)[:8] if piece != tok.mask_token)
        return t("fill_mask.wrong_script_pieces", lang, pieces=pieces, **names)
    return t("fill_mask.wrong_script", lang, unknown=unknown, **names)


#: What Markdown reads as a mark in the middle of a line (emphasis, code, links, strikethrough, table cells).
MARKDOWN_MARKS = re.compile(r"([\\`*_\[\]~|])")


def as_text(text: str) -> str:
    """What the user typed (or a token of it), to put in the tab's Markdown and HTML and be shown as typed: HTML
    escaped ("<b>" is seen, not bold), Markdown's marks backslashed ("*x*" is not italics), and line breaks as
    <br> (so no typed line starts a heading or a list). The boxes that show it have no LaTeX."""
    escaped = MARKDOWN_MARKS.sub(r"\\\1", html.escape(str(text), quote=False))
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _filled(text: str, guesses: list[logic.Guess]) -> str:
    """The text with each mask replaced by its first choice, in bold (HTML: Markdown's ** does not hold around
    punctuation between Chinese characters, "明月**，**，疑"); the rest as typed."""
    parts = text.split("[MASK]")
    words = [f"<strong>{as_text(guess.tokens[0].removeprefix('##'))}</strong>" for guess in guesses]
    words += [as_text("[MASK]")] * (len(parts) - 1 - len(words))
    return "".join(as_text(part) + word for part, word in zip(parts, [*words, ""]))


#: Below this probability a mask's first choice is called a guess on the page (a round number, not fitted).
GUESS_BELOW = 0.10


def unsure_lines(guesses: list[logic.Guess], lang: str) -> list[str]:
    """A line for each mask whose first choice has less than ``GUESS_BELOW`` (the bars are scaled to the first, so a
    1% answer is drawn as long as a 90% one): what the current sentence's numbers say, not a verdict on the model."""
    lines = []
    for number, guess in enumerate(guesses, 1):
        if len(guess.probs) and guess.probs[0] < GUESS_BELOW:
            mask = t("fill_mask.one_mask", lang) if len(guesses) == 1 else t("fill_mask.unsure_mask", lang,
                                                                              number=number)
            lines.append(t("fill_mask.unsure", lang, mask=mask, word=as_text(guess.tokens[0]), p=guess.probs[0]))
    return lines


@handler
def predict(text, model_key, k, only_words=True, lang="en"):
    """Each [MASK]'s top-k words with their probabilities and the entropy, predicted independently and (several
    masks) left to right; the filled sentences; the tokens. ``only_words``: whole words only, renormalised (the
    share left out is said). Returns (sentences, bars, tokens, timing, bars CSV, tokens CSV)."""
    clock = Stopwatch()
    k = slider_value(k, t("fill_mask.k", lang), 3, MAX_K, integer=True)
    only_words = only_words is not False  # None (an API call without it) means the default: on
    model, tok = loaded(model_key)
    text = logic.check_text(text, tok.mask_token)

    def guess():  # each mask alone, then (several masks) left to right
        alone = logic.predict(model, tok, text, k, only_words=only_words)
        several = len(alone) > 1
        return alone, logic.fill_left_to_right(model, tok, text, k, only_words=only_words) if several else alone
    (guesses, chained), cached = GUESSES.get((model_key, id(model), text, k, only_words), guess)
    several = len(guesses) > 1
    lines = [t("fill_mask.filled_independent", lang, text=_filled(text, guesses)), *unsure_lines(guesses, lang)]
    warning = script_warning(text, model_key, tok, lang)
    if warning:
        lines.insert(0, warning)
    cards = []
    for number, (alone, chain) in enumerate(zip(guesses, chained), 1):
        title = t("fill_mask.mask_title", lang, number=number) if several else t("fill_mask.one_mask", lang)
        cards.append(figures.bars(title, alone.tokens, alone.probs, alone.entropy, lang))
        if several:
            changed = chain.tokens[0] != alone.tokens[0]
            cards.append(figures.bars(t("fill_mask.mask_title_chain", lang, number=number), chain.tokens,
                                      chain.probs, chain.entropy, lang, highlight=chain.tokens[0] if changed else None))
    if several:
        lines.append(t("fill_mask.filled_chain", lang, text=_filled(text, chained)))
        changes = [t("fill_mask.changed", lang, number=n, before=as_text(a.tokens[0]), after=as_text(c.tokens[0]))
                   for n, (a, c) in enumerate(zip(guesses, chained), 1) if a.tokens[0] != c.tokens[0]]
        lines.append(" ".join(changes) if changes else t("fill_mask.unchanged", lang))
    hidden = [g.hidden for g in guesses if g.hidden >= 0.005]
    if only_words and hidden:
        shares = listed((f"{h:.0%}" for h in (g.hidden for g in guesses)), lang)
        lines.append(t("fill_mask.words_only_note", lang, hidden=shares))
    encoded = tok(text)
    ids = encoded["input_ids"]
    tokens = tok.convert_ids_to_tokens(ids)
    masks = {i for i, token_id in enumerate(ids) if token_id == tok.mask_token_id}
    token_line = t("fill_mask.tokens_count", lang, count=len(ids), pieces=sum(x.startswith("##") for x in tokens))
    rows = [(number, t("fill_mask.csv_alone", lang), rank, token, f"{p:.6g}", f"{guess.entropy:.4g}")
            for number, guess in enumerate(guesses, 1)
            for rank, (token, p) in enumerate(zip(guess.tokens, guess.probs), 1)]
    if several:
        rows += [(number, t("fill_mask.csv_chain", lang), rank, token, f"{p:.6g}", f"{guess.entropy:.4g}")
                 for number, guess in enumerate(chained, 1)
                 for rank, (token, p) in enumerate(zip(guess.tokens, guess.probs), 1)]
    header = [t("fill_mask.csv_mask", lang), t("fill_mask.csv_how", lang), t("fill_mask.csv_rank", lang),
              t("fill_mask.csv_word", lang), "p", t("fill_mask.csv_entropy", lang)]
    table = export.csv(rows, export.file_name(TOPIC, model_key, sentence_part(text), k=k), header=header)
    return ("\n\n".join(lines), figures.grid(cards, 2 if several else 1),
            token_line + figures.tokens_html(tokens, ids, masks), clock.label(lang, cached), table,
            tokens_csv(tokens, ids, export.file_name(TOPIC, model_key, sentence_part(text), "tokens"), lang))


def sentence_part(text: str) -> str:
    """The sentence's start, for a file name ("Paris_is_the_capital_of_MASK")."""
    return export.safe_part(text.replace("[MASK]", "MASK").replace("<mask>", "MASK")[:40])


def tokens_csv(tokens: list[str], ids: list[int], name: str, lang: str) -> str:
    """The token table as CSV: each token's position (from 0, [CLS] first), the token and its id."""
    header = [t("fill_mask.csv_position", lang), t("fill_mask.csv_token", lang), "id"]
    return export.csv([(i, token, token_id) for i, (token, token_id) in enumerate(zip(tokens, ids))], name,
                      header=header)


def training_count(key: str, word: str) -> int | None:
    """How often ``word`` (one token) occurs in the training text of a bundled model (None: not a bundled model,
    or the count file is missing: a pretrained model's text is not known here)."""
    import json

    from demos.fill_mask.measure import COUNTS

    if key not in (ENGLISH.key, CHINESE.key):
        return None
    if key not in _COUNTS:
        path = COUNTS / f"{key}.json"
        _COUNTS[key] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    table = _COUNTS[key]
    return None if table is None else int(table.get(word, 0))


_COUNTS: dict[str, dict | None] = {}


@handler
def targets(text, model_key, words, mask_number, attribute="", lang="en"):
    """The probability of each typed word at the chosen mask (the bias probe: he/she, 他/她), raw and (with an
    attribute word) prior-corrected, with how often each word occurs in a bundled model's training text. Returns
    (bars, note)."""
    model, tok = loaded(model_key)
    text = logic.check_text(text, tok.mask_token)
    count = text.count(tok.mask_token)
    number = slider_value(mask_number, t("fill_mask.mask_number", lang), 1, logic.MAX_MASKS, integer=True)
    if number > count:
        raise UserInputError("fill_mask.no_such_mask", number=number, count=count)
    words = words if isinstance(words, str) else ""
    attribute = (attribute if isinstance(attribute, str) else "").strip()[:40]
    scores = logic.score_targets(model, tok, text[:logic.MAX_CHARS], words[:500].replace("，", ",").replace("、", ","),
                                 number - 1, attribute or None)[:12]
    card = figures.bars(t("fill_mask.targets_title", lang, number=number),
                        [s.word for s in scores], [s.prob for s in scores], None, lang)
    notes = [t("fill_mask.target_rank", lang, word=as_text(s.word), p=s.prob, rank=s.rank) for s in scores]
    notes += [t("fill_mask.target_pieces", lang, word=as_text(s.word), pieces=" + ".join(map(as_text, s.pieces)))
              for s in scores if len(s.pieces) > 1 or s.pieces[0] == tok.unk_token]
    for s in scores:
        count = training_count(model_key, s.pieces[0]) if len(s.pieces) == 1 else None
        if count is not None:
            key = "fill_mask.target_rare" if count < logic.RARE_COUNT else "fill_mask.target_count"
            notes.append(t(key, lang, word=as_text(s.word), count=count, limit=logic.RARE_COUNT))
    head = []
    if len(scores) >= 2 and min(scores[0].prob, scores[1].prob) > 0:
        a, b = scores[0], scores[1]
        # a word of several pieces is scored by its first: its probability is an upper bound
        bound = {(False, False): "", (True, False): "_at_most", (False, True): "_at_least"}.get(
            (len(a.pieces) > 1, len(b.pieces) > 1), "_unknown")
        head.append(t("fill_mask.target_ratio" + bound, lang, a=as_text(a.word), b=as_text(b.word),
                      ratio=a.prob / b.prob))
        corrected = logic.preference(a, b, corrected=True)
        if corrected is not None:
            language = logic.script(text) or LANGUAGE[model_key]
            neutral = logic.neutral_ratios(model, tok, text[:logic.MAX_CHARS], a.word, b.word, number - 1, attribute,
                                           language)
            shift = logic.shift_verdict(corrected[0], neutral.values())
            verdict = t(f"fill_mask.verdict_{shift}", lang,
                        a=as_text(a.word), b=as_text(b.word), attribute=as_text(attribute), factor=logic.CLEAR_FACTOR)
            if shift != "none" and neutral:  # beyond every control: how often chance alone does that (a rank test)
                verdict += space(lang) + t("fill_mask.verdict_chance", lang, n=len(neutral), chance=len(neutral) + 1)
            head.append(t("fill_mask.target_corrected", lang, a=as_text(a.word), b=as_text(b.word),
                          attribute=as_text(attribute), ratio=corrected[0], verdict=verdict))
            if neutral:
                head.append(t("fill_mask.target_neutral", lang, n=len(neutral), attribute=as_text(attribute),
                              words=listed(map(as_text, neutral), lang), low=min(neutral.values()),
                              high=max(neutral.values()), typical=statistics.median(neutral.values())))
        elif not attribute:
            head.append(t("fill_mask.target_no_attribute", lang))
    table = ""
    if attribute:
        rows = [t("fill_mask.target_row", lang, word=as_text(s.word), p=s.prob,
                  prior="–" if s.prior is None else f"{s.prior:.2%}",
                  corrected="–" if s.corrected is None else f"{s.corrected:+.2f}") for s in scores]
        table = "\n\n" + "\n".join([t("fill_mask.target_table", lang), *rows])
    header = [t("fill_mask.csv_word", lang), "p", t("fill_mask.csv_rank", lang), t("fill_mask.csv_prior", lang),
              t("fill_mask.csv_corrected", lang)]
    numbers = [(s.word, f"{s.prob:.6g}", s.rank, "" if s.prior is None else f"{s.prior:.6g}",
                "" if s.corrected is None else f"{s.corrected:.4g}") for s in scores]
    name = export.file_name(TOPIC, model_key, sentence_part(text), "targets", mask=number, attribute=attribute or None)
    return card, "\n".join(f"- {line}" for line in head + notes) + table, export.csv(numbers, name, header=header)


@handler
def attention(text, model_key, layer, head, lang="en"):
    """One head's attention over the tokens (rows: from, columns: to), the mask rows framed; and where the first
    mask looks most. Returns (heat map, note)."""
    model, tok = loaded(model_key)
    layers, heads = shape(model)
    layer = slider_value(layer, t("fill_mask.layer", lang), 1, layers, integer=True)
    head = slider_value(head, t("fill_mask.head", lang), 1, heads, integer=True)
    text = logic.check_text(text, tok.mask_token)
    tokens, every = heads_of(model_key, model, tok, text)
    masks = [i for i, token in enumerate(tokens) if token == tok.mask_token]
    matrix = every[layer - 1, head - 1].float().numpy()

    def draw():
        title = t("fill_mask.attention_title", lang, layer=layer, head=head, layers=layers, heads=heads)
        picture = to_rgb(figures.attention_figure(tokens, matrix, masks, title, lang))
        return (export.png(picture, export.file_name(TOPIC, model_key, sentence_part(text), "attention",
                                                     layer=layer, head=head)),)
    picture, = PICTURES.get(("attention", model_key, id(model), text, layer, head, lang), draw)
    row = matrix[masks[0]]
    top = row.argsort()[::-1][:3]
    looked = listed(
        (t("fill_mask.looked_at", lang, token=as_text(tokens[i]), share=row[i]) for i in top), lang)
    return picture, t("fill_mask.attention_note", lang, looked=looked)


def heads_of(model_key: str, model, tok, text: str):
    """``logic.attentions`` of the text, from the memo when it was asked before. A long text's heads (up to ~75 MB
    for 512 tokens) are not kept: the memo holds a class's short sentences, not one essay."""
    key = (model_key, id(model), text)
    found = ATTENTIONS.peek(key)
    if found is None:
        found = logic.attentions(model, tok, text)
        if nbytes(found) <= ATTENTIONS.max_bytes // 8:
            ATTENTIONS.put(key, found)
    return found


@handler
def context(sentences, word, model_key, layer, lang="en"):
    """The same word in several sentences: the cosine similarity of its vectors before any context and at a
    layer, and how far apart the meanings (groups split by a blank line) are at each layer. Returns (picture,
    note)."""
    model, tok = loaded(model_key)
    layers, _ = shape(model)
    layer = slider_value(layer, t("fill_mask.layer", lang), 1, layers, integer=True)
    word, lines, groups = logic.check_sentences(sentences, word)
    if tok.unk_token in tok.tokenize(word):
        raise UserInputError("fill_mask.word_unknown", word=shown(word, 20, quote=False))
    key = (model_key, id(model), tuple(lines), word)
    matrices, _ = SIMILARITIES.get(key, lambda: logic.cosine_matrices(logic.word_vectors(model, tok, lines, word)))

    def draw():
        picture = to_rgb(figures.similarity_figure(matrices.numpy(), layer, lines, lang))
        return (export.png(picture, export.file_name(TOPIC, model_key, "context", word, layer=layer)),)
    picture, = PICTURES.get(("context", *key, layer, lang), draw)
    gaps = logic.separation(matrices, groups)
    if not gaps:
        return picture, t("fill_mask.context_no_groups", lang)
    best = max(range(len(gaps)), key=gaps.__getitem__)
    lines = [t("fill_mask.context_note", lang, first=gaps[0], chosen=gaps[layer], layer=layer, best=best,
               best_gap=gaps[best], word=as_text(word))]
    test = logic.separation_test(matrices, groups, layer)
    verdict = logic.separation_verdict(test)
    if verdict == "separated":
        lines.append(t("fill_mask.context_separated", lang, layer=layer, splits=test["splits"], p=test["p"],
                       count=round(test["p"] * test["splits"])))
    elif verdict == "not_separated":
        lines.append(t("fill_mask.context_not_separated", lang, layer=layer, splits=test["splits"], p=test["p"],
                       share=test["p"]))
    else:
        lines.append(t("fill_mask.context_too_few", lang, count=len(groups), splits=test.get("splits", 1),
                       smallest=test.get("smallest_p", 1.0), enough=logic.ENOUGH_PER_MEANING))
    if verdict != "separated" and MODELS.choice(model_key).kind != "hub":
        lines.append(reference_line(LANGUAGE[model_key], lang))
    return picture, "\n\n".join(lines)


def reference_line(language: str, lang: str) -> str:
    """What a real pretrained encoder measured on held-out sentences (stored by measure.py with its source)."""
    import json

    from demos.fill_mask.measure import RESULTS

    if language == "en" and RESULTS.is_file():
        reference = json.loads(RESULTS.read_text(encoding="utf-8")).get("reference_senses")
        if reference:
            gaps = ", ".join(f"{g:+.3f}" for g in reference["gaps"][1:])
            return t("fill_mask.context_reference", lang, word=reference["word"], gaps=gaps,
                     source=reference["source"])
    return t("fill_mask.context_no_reference", lang)


@handler
def compare(text, keys, lang="en"):
    """The same text through several models side by side: each mask's top 5 per model, and its time. Returns the
    cards and their numbers as CSV (None when no model could be compared)."""
    import time

    keys = [key for key in (keys if isinstance(keys, list | tuple) else []) if isinstance(key, str)]
    if not keys:
        raise UserInputError("fill_mask.compare_none")
    if len(keys) > MAX_COMPARED:
        raise UserInputError("fill_mask.compare_many", limit=MAX_COMPARED)
    cards, rows = [], []
    for key in keys:
        if key in choice_keys() and MODELS.choice(key).needs_download():  # the others are still compared
            cards.append(figures.message_card(t("fill_mask.compare_missing", lang, name=key)))
            continue
        try:
            model, tok = loaded(key)
            checked = logic.check_text(text, tok.mask_token)
        except UserInputError as error:
            if key not in choice_keys() or len(keys) == 1:
                raise
            cards.append(figures.message_card(t("fill_mask.compare_failed", lang, name=key,
                                                message=error.message(lang))))
            continue
        started = time.perf_counter()
        guesses = logic.predict(model, tok, checked, 5, only_words=True)
        ms = (time.perf_counter() - started) * 1000
        for number, guess in enumerate(guesses, 1):
            title = t("fill_mask.compare_title", lang, name=key, number=number, ms=ms) if len(guesses) > 1 else \
                t("fill_mask.compare_title_one", lang, name=key, ms=ms)
            cards.append(figures.bars(title, guess.tokens, guess.probs, guess.entropy, lang))
            rows += [(key, number, rank, token, f"{p:.6g}", f"{guess.entropy:.4g}", f"{ms:.3f}")
                     for rank, (token, p) in enumerate(zip(guess.tokens, guess.probs), 1)]
    return figures.grid(cards, min(len(cards), 3)), comparison_csv(rows, text, keys, lang)


def comparison_csv(rows: list[tuple], text, keys: list[str], lang: str) -> str | None:
    """The comparison's numbers as CSV: model, mask, rank, word, p, entropy and the model's time."""
    if not rows:
        return None
    header = [t("fill_mask.csv_model", lang), t("fill_mask.csv_mask", lang), t("fill_mask.csv_rank", lang),
              t("fill_mask.csv_word", lang), "p", t("fill_mask.csv_entropy", lang), t("fill_mask.csv_ms", lang)]
    name = export.file_name(TOPIC, "compare", sentence_part(str(text)), *keys)
    return export.csv(rows, name, header=header)


def same_language(key: str) -> str:
    """The best ready model that reads the language of model ``key``."""
    return model_for(LANGUAGE[key])


def switched(key: str, lang: str = "en") -> tuple:
    """Offline, a Hub model not downloaded falls back to the best ready model of its language. Also returns the
    note about the real model and the attention layer/head and vector layer sliders sized for the model."""
    return hub_note(key, lang), *sliders(key)


def example_order(lang: str) -> list[int]:
    """The examples as listed on a page in ``lang``: that language's sentences first."""
    return sorted(range(len(EXAMPLES)), key=lambda i: EXAMPLES[i][0] != lang)


@handler
def pick(index, model_key, lang="en"):
    """Example ``index`` (its position in the list as shown in the user's language: that language's sentences
    first): its sentence and target words; the model switches to one that reads its language.
    Returns (text, targets, attribute, model, model line, note)."""
    index = slider_value(index, t("fill_mask.example", lang), 0, len(EXAMPLES) - 1, integer=True)
    language, sentence, words, attribute = EXAMPLES[example_order(lang)[index]]
    key = model_for(language, model_key if model_key in choice_keys() else None)
    return (sentence, words, attribute, key, models.choice_line(MODELS.choice(key), lang), hub_note(key, lang))


@handler
def opened(lang="en"):
    """A page opens: the model for its language, an example in that language, the note about the real model.
    Returns (text, targets, attribute, model list, model line, note, context word, context sentences, models
    compared, the examples with that language's first)."""
    key = model_for(lang)
    language = LANGUAGE[key]
    _, sentence, words, attribute = next(example for example in EXAMPLES if example[0] == language)
    word, sentences = CONTEXT_EXAMPLES[language]
    same_language = [c.key for c in MODELS.choices if LANGUAGE[c.key] == language and ready_now(c)]
    return (sentence, words, attribute, dropdown_update(key, lang), models.choice_line(MODELS.choice(key), lang),
            hub_note(key, lang), word, sentences, same_language[:MAX_COMPARED],
            gr.Dataset(samples=[[EXAMPLES[i][1]] for i in example_order(lang)]))


@handler
def clicked(text, memory, evt: gr.SelectData):
    """A click on a word of the sentence masks it; a click on a mask that a click made brings its word back.
    ``memory``: the text the last click left and the word under each of its masks. Returns (text, memory)."""
    index = evt.index if isinstance(evt.index, int) else (evt.index or [0])[0]
    text = text if isinstance(text, str) else ""
    known = memory.get("words") if isinstance(memory, dict) and memory.get("text") == text else None
    text, words = logic.toggle_segment(text, int(index), known)
    return text, {"text": text, "words": words}


def words_of(text):
    """The sentence as clickable pieces (a word or a character each)."""
    parts = logic.segments((text if isinstance(text, str) else "")[:logic.MAX_CHARS])
    return [(part, "mask" if part == "[MASK]" else None) for part in parts]


INSERT_MASK_JS = r"""(text) => {
    const value = text || '';
    const box = document.querySelector('#fill-mask-text textarea');
    const start = box ? box.selectionStart : value.length, end = box ? box.selectionEnd : value.length;
    const before = value.slice(0, start), after = value.slice(end);
    return before + (/[A-Za-z0-9\]]/.test(before.slice(-1)) ? ' ' : '') + '[MASK]'
        + (/[A-Za-z0-9\[]/.test(after.slice(0, 1)) ? ' ' : '') + after;
}"""  # at the cursor (the textarea keeps its selection after the click), or replacing the selected word; a space
# where it would otherwise stick to an English word (Chinese needs none)


# ---------------------------------------------------------------- layout

def build_tab(i18n: gr.I18n, demo: gr.Blocks) -> None:
    """The tab, section by section (the layout, then each section's events), the notes and the questions."""
    with gr.Tab(i18n("fill_mask.tab"), id=TOPIC, elem_id="tab-fill_mask"):
        gr.Markdown(i18n("fill_mask.intro"), elem_classes=["tab-intro"])
        sentence_ui = _sentence_section(i18n)
        target_ui = _targets_section(i18n)
        tokens_table = _tokens_section(i18n, sentence_ui.tokens_box)
        attention_ui = _attention_section(i18n)
        compare_ui = _compare_section(i18n)
        context_ui = _context_section(i18n)
        export.downloadable(attention_ui.map, context_ui.picture)

        with gr.Accordion(i18n("app.notes"), open=False, elem_classes=["lecture-notes"]):
            gr.Markdown(i18n("fill_mask.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                                   {"left": "$", "right": "$", "display": False}])

        # ---- events: once every section exists (opening the tab and a prediction fill the sections below)
        predict_args = _sentence_events(demo, sentence_ui, tokens_table, target_ui, attention_ui, compare_ui,
                                        context_ui)
        targets_args = _targets_events(sentence_ui, target_ui)
        _attention_events(sentence_ui, attention_ui)
        _compare_events(sentence_ui, compare_ui)
        context_args = _context_events(sentence_ui, context_ui)
        questions_panel(i18n, TOPIC, QUESTIONS,
                        controls={"text": sentence_ui.text, "target_words": target_ui.target_words,
                                  "attribute": target_ui.attribute, "mask_number": target_ui.mask_number,
                                  "context_word": context_ui.context_word,
                                  "context_sentences": context_ui.context_sentences},
                        actions={"predict": predict_args, "context": context_args, "targets": targets_args})


def _sentence_section(i18n: gr.I18n) -> SimpleNamespace:
    """The sentence with its masks, the model, the predicted words at each mask, and the examples."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=300, elem_id="fill-mask-inputs"):
            text = gr.Textbox(lines=2, max_lines=6, label=i18n("fill_mask.text"), elem_id="fill-mask-text",
                              max_length=logic.MAX_CHARS * 2)
            with gr.Row():
                insert = gr.Button(i18n("fill_mask.insert"), size="md", elem_id="fill-mask-insert")
                run = gr.Button(i18n("fill_mask.predict"), variant="primary", elem_id="fill-mask-predict")
            gr.Markdown(i18n("fill_mask.click_words"), elem_classes=["plot-caption"])
            words = gr.HighlightedText(show_label=False, show_legend=False, show_inline_category=False,
                                       combine_adjacent=False,
                                       color_map={"mask": "#f97316"}, elem_id="fill-mask-words")
            k = Slider(3, MAX_K, value=8, step=1, precision=0, label=i18n("fill_mask.k"), elem_id="fill-mask-k")
            only_words = gr.Checkbox(value=True, label=i18n("fill_mask.words_only"),
                                     elem_id="fill-mask-words-only")
            # the model under the sentence, not above it: the bars stay on a projector's first screen
            model, model_status = model_picker(MODELS, i18n, elem_id="fill-mask-model")
            note = gr.Markdown(elem_id="fill-mask-hub-note", elem_classes=["hub-note"])
        with gr.Column(scale=7, min_width=300, elem_id="fill-mask-results"):
            # what the user typed is shown in these notes: no LaTeX in them ("$$" stays as typed)
            sentences = gr.Markdown(elem_id="fill-mask-sentences", latex_delimiters=[])
            bars = gr.HTML(elem_id="fill-mask-bars")
            timing = gr.Markdown(elem_id="fill-mask-timing")
            bars_csv = export.download_button(i18n, elem_id="fill-mask-bars-csv")
    # below the results, so that on a phone the bars come right after the sentence and its buttons
    gr.Markdown(i18n("fill_mask.examples"), elem_classes=["plot-caption"])
    examples = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[[e[1]] for e in EXAMPLES],
                          type="index", show_label=False, elem_id="fill-mask-examples")
    tokens_box = gr.HTML(render=False, elem_id="fill-mask-tokens")  # shown further down, filled by predict

    return SimpleNamespace(text=text, insert=insert, run=run, words=words, k=k, only_words=only_words, model=model,
                           model_status=model_status, note=note, sentences=sentences, bars=bars, timing=timing,
                           bars_csv=bars_csv, examples=examples, tokens_box=tokens_box)


#: The prediction's results on the page, the sentences first (a result is shown when they have text).
PREDICTED_IDS = ["fill-mask-sentences", "fill-mask-bars", "fill-mask-timing"]


def _sentence_events(demo: gr.Blocks, sentence: SimpleNamespace, tokens_table, target_ui: SimpleNamespace,
                     attention_ui: SimpleNamespace, compare_ui: SimpleNamespace, context_ui: SimpleNamespace):
    """The sentence's events: opening the tab, predicting, masking by a click, an example, a model change."""
    text, model, model_status, note = sentence.text, sentence.model, sentence.model_status, sentence.note
    examples = sentence.examples
    predicted = [sentence.sentences, sentence.bars, sentence.tokens_box, sentence.timing, sentence.bars_csv]
    predicted.append(tokens_table)  # the token table as CSV, under it
    predict_args = dict(fn=predict, inputs=[text, model, sentence.k, sentence.only_words], outputs=predicted,
                        trigger_mode="always_last", show_progress_on=[sentence.sentences], **LANE)
    slider_outputs = [attention_ui.layer, attention_ui.head, context_ui.context_layer]
    demo.load(opened, None, [text, target_ui.target_words, target_ui.attribute, model, model_status, note,
                             context_ui.context_word, context_ui.context_sentences, compare_ui.compared, examples],
              api_name="fill_mask_open", api_visibility="private", show_progress="hidden", **LIGHT).then(
        sliders, model, slider_outputs, api_name="fill_mask_sliders", api_visibility="private",
        show_progress="hidden", **LIGHT).then(
        api_name="fill_mask_predict_open", api_visibility="private", **predict_args)
    # The bars of another sentence are greyed from the first key typed until a prediction of this one comes; a
    # refused prediction (no [MASK], an empty box) leaves them grey, without Gradio's badge over them.
    demo.load(None, js=stale_on_typing_js("fill-mask-text", PREDICTED_IDS, PREDICTED_IDS[0]))
    predictions = [
        sentence.run.click(api_name="fill_mask_predict", **predict_args),
        text.submit(api_name="fill_mask_predict_submit", api_visibility="private", **predict_args),
        sentence.k.release(api_name="fill_mask_predict_k", api_visibility="private", **predict_args),
        sentence.only_words.input(api_name="fill_mask_predict_words_only", api_visibility="private",
                                  **predict_args)]
    text.change(words_of, text, sentence.words, api_name="fill_mask_words", api_visibility="private",
                show_progress="hidden", trigger_mode="always_last", **LIGHT)
    predictions.append(sentence.insert.click(None, text, text, js=INSERT_MASK_JS).then(
        api_name="fill_mask_predict_insert", api_visibility="private", **predict_args))
    masked_words = gr.State(None)  # what the clicks masked, to give it back (see clicked)
    predictions.append(sentence.words.select(
        clicked, [text, masked_words], [text, masked_words], api_name="fill_mask_click", api_visibility="private",
        show_progress="hidden", **LIGHT).then(api_name="fill_mask_predict_click", api_visibility="private",
                                              **predict_args))
    picked = [text, target_ui.target_words, target_ui.attribute, model, model_status, note]
    predictions.append(examples.click(
        pick, [examples, model], picked, api_name="fill_mask_pick", show_progress="hidden", **LIGHT).then(
        sliders, model, slider_outputs, api_name="fill_mask_sliders_pick",
        api_visibility="private", show_progress="hidden", **LIGHT).then(
        api_name="fill_mask_predict_pick", api_visibility="private", **predict_args))
    predictions.append(model.select(model_loader(MODELS, fallback=same_language, then=switched), model,
                                    [model, model_status, note, *slider_outputs], api_name="fill_mask_model",
                                    show_progress_on=[model_status], **MODEL_LANE).success(
        api_name="fill_mask_predict_model", api_visibility="private", **predict_args))
    grey_when_refused(predictions, PREDICTED_IDS, PREDICTED_IDS[0])

    return predict_args


def _targets_section(i18n: gr.I18n) -> SimpleNamespace:
    """Which word fits: the probability of each typed word at one mask (the bias probe)."""
    gr.Markdown(i18n("fill_mask.targets_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("fill_mask.targets_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=300):
            target_words = gr.Textbox(label=i18n("fill_mask.targets"), elem_id="fill-mask-targets", max_lines=1)
            attribute = gr.Textbox(label=i18n("fill_mask.attribute"), elem_id="fill-mask-attribute", max_lines=1)
            mask_number = Slider(1, logic.MAX_MASKS, value=1, step=1, precision=0,
                                 label=i18n("fill_mask.mask_number"), elem_id="fill-mask-mask-number")
            score = gr.Button(i18n("fill_mask.score"), elem_id="fill-mask-score")
        with gr.Column(scale=7, min_width=300):
            target_bars = gr.HTML(elem_id="fill-mask-target-bars")
            target_note = gr.Markdown(elem_id="fill-mask-target-note", latex_delimiters=[])
            target_csv = export.download_button(i18n, elem_id="fill-mask-targets-csv")

    return SimpleNamespace(target_words=target_words, attribute=attribute, mask_number=mask_number, score=score,
                           target_bars=target_bars, target_note=target_note, target_csv=target_csv)


def _targets_events(sentence: SimpleNamespace, ui: SimpleNamespace) -> dict:
    """Scoring the typed words: the button, or Enter in their box. Returns the event's arguments."""
    targets_args = dict(fn=targets,
                        inputs=[sentence.text, sentence.model, ui.target_words, ui.mask_number, ui.attribute],
                        outputs=[ui.target_bars, ui.target_note, ui.target_csv], show_progress_on=[ui.target_note],
                        **LANE)
    ui.score.click(api_name="fill_mask_targets", **targets_args)
    ui.target_words.submit(api_name="fill_mask_targets_submit", api_visibility="private", **targets_args)

    return targets_args


def _tokens_section(i18n: gr.I18n, tokens_box: gr.HTML):
    """The tokens the model reads (filled by each prediction). Returns their CSV download."""
    gr.Markdown(i18n("fill_mask.tokens_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("fill_mask.tokens_intro"))
    tokens_box.render()
    return export.download_button(i18n, elem_id="fill-mask-tokens-csv")


def _attention_section(i18n: gr.I18n) -> SimpleNamespace:
    """Where the mask looks: one attention head of one layer as a heat map."""
    gr.Markdown(i18n("fill_mask.attention_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("fill_mask.attention_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=260):
            layer = Slider(1, 12, value=4, step=1, precision=0, label=i18n("fill_mask.layer"),
                           elem_id="fill-mask-layer")
            head = Slider(1, 12, value=1, step=1, precision=0, label=i18n("fill_mask.head"),
                          elem_id="fill-mask-head")
            look = gr.Button(i18n("fill_mask.look"), elem_id="fill-mask-look")
            attention_note = gr.Markdown(elem_id="fill-mask-attention-note", latex_delimiters=[])
        with gr.Column(scale=7, min_width=300):
            attention_map = Image(show_label=False, interactive=False, buttons=["fullscreen"],
                                  elem_id="fill-mask-attention")

    return SimpleNamespace(layer=layer, head=head, look=look, note=attention_note, map=attention_map)


def _attention_events(sentence: SimpleNamespace, ui: SimpleNamespace) -> None:
    """Drawing the head: the button, or a slider let go."""
    attention_args = dict(fn=attention, inputs=[sentence.text, sentence.model, ui.layer, ui.head],
                          outputs=[ui.map, ui.note], show_progress_on=[ui.note], trigger_mode="always_last", **LANE)
    ui.look.click(api_name="fill_mask_attention", **attention_args)
    gr.on([ui.layer.release, ui.head.release], api_name="fill_mask_attention_slider", api_visibility="private",
          **attention_args)


def _compare_section(i18n: gr.I18n) -> SimpleNamespace:
    """The sentence through several models, side by side."""
    gr.Markdown(i18n("fill_mask.compare_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("fill_mask.compare_intro"))
    compared = CheckboxGroup([(c.key, c.key) for c in MODELS.choices],
                             value=[c.key for c in MODELS.choices if ready_now(c)][:MAX_COMPARED],
                             label=i18n("fill_mask.compare_models"), elem_id="fill-mask-compare-models")
    compare_button = gr.Button(i18n("fill_mask.compare"), elem_id="fill-mask-compare")
    comparison = gr.HTML(elem_id="fill-mask-comparison")
    comparison_table = export.download_button(i18n, elem_id="fill-mask-comparison-csv")

    return SimpleNamespace(compared=compared, button=compare_button, comparison=comparison, table=comparison_table)


def _compare_events(sentence: SimpleNamespace, ui: SimpleNamespace) -> None:
    """Comparing the ticked models."""
    ui.button.click(compare, [sentence.text, ui.compared], [ui.comparison, ui.table], api_name="fill_mask_compare",
                    show_progress_on=[ui.comparison], **LANE)


def _context_section(i18n: gr.I18n) -> SimpleNamespace:
    """One word in several sentences: its contextual vectors at one layer."""
    gr.Markdown(i18n("fill_mask.context_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("fill_mask.context_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=260):
            context_word = gr.Textbox(label=i18n("fill_mask.context_word"), max_lines=1,
                                      elem_id="fill-mask-context-word")
            context_sentences = gr.Textbox(lines=6, max_lines=12, label=i18n("fill_mask.context_sentences"),
                                           elem_id="fill-mask-context-sentences")
            context_layer = Slider(1, 12, value=4, step=1, precision=0, label=i18n("fill_mask.layer"),
                                   elem_id="fill-mask-context-layer")
            context_button = gr.Button(i18n("fill_mask.context_run"), elem_id="fill-mask-context-run")
        with gr.Column(scale=7, min_width=300):
            context_picture = Image(show_label=False, interactive=False, buttons=["fullscreen"],
                                    elem_id="fill-mask-context")
            context_note = gr.Markdown(elem_id="fill-mask-context-note", latex_delimiters=[])

    return SimpleNamespace(context_word=context_word, context_sentences=context_sentences,
                           context_layer=context_layer, button=context_button, picture=context_picture,
                           note=context_note)


def _context_events(sentence: SimpleNamespace, ui: SimpleNamespace) -> dict:
    """Drawing the word's vectors: the button, or the layer slider let go. Returns the event's arguments."""
    context_args = dict(fn=context, inputs=[ui.context_sentences, ui.context_word, sentence.model, ui.context_layer],
                        outputs=[ui.picture, ui.note], show_progress_on=[ui.note],
                        trigger_mode="always_last", **LANE)
    ui.button.click(api_name="fill_mask_context", **context_args)
    ui.context_layer.release(api_name="fill_mask_context_layer", api_visibility="private", **context_args)

    return context_args


def warm_up() -> None:
    """After launch: the real BERTs start downloading in the background if the Hub is reachable (not on a Space,
    where core does it); every model ready without a download is loaded (a few MB each for the bundled ones; a
    cached bert-base takes a second or two), with one prediction each (the first call of a model builds its
    kernels)."""
    from core.i18n import default_lang

    start_background_downloads(default_lang())
    for choice in MODELS.choices:
        if ready_now(choice):
            model, tok = loaded(choice.key)
            logic.predict(model, tok, f"a {tok.mask_token} .", 5)
