"""The fill-mask tab's science: what a masked language model predicts at each [MASK], with what certainty
(entropy), how likely chosen words are there (the bias probe), what a left-to-right fill does to later masks, where
the mask position attends, and how a word's vector depends on its sentence. Models come in as arguments
(a transformers masked LM and its tokenizer); nothing here imports gradio.
"""
from __future__ import annotations

import math
import re
import statistics
import threading
from dataclasses import dataclass

import torch

from core.i18n import UserInputError, register

MAX_CHARS = 1000
MAX_MASKS = 8
MAX_SENTENCES = 8  # contextual vectors: sentences compared at once
_EAGER = threading.Lock()  # see eager()

register({
    "en": {
        "fill_mask.empty": "The text is empty: type a sentence with {mask} where a word is missing.",
        "fill_mask.no_mask": "There is no {mask} in the text: put one where the model should guess a word.",
        "fill_mask.other_mask": "This model's mask is {mask}, not {typed}: type {mask} instead.",
        "fill_mask.too_many": "The text has {count} masks; at most {limit} are predicted at once.",
        "fill_mask.too_long": "The text has {count:,} characters; at most {limit:,} are read.",
        "fill_mask.too_many_tokens": "The text is {count} tokens long; this model reads at most {limit}.",
        "fill_mask.no_targets": "Type one or more words to score at the mask, separated by commas.",
    },
    "zh": {
        "fill_mask.empty": "文字是空的：請輸入一個句子，在缺字的地方放 {mask}。",
        "fill_mask.no_mask": "文字中沒有 {mask}：請把它放在要模型猜字的位置。",
        "fill_mask.other_mask": "這個模型的遮罩符號是 {mask}，不是 {typed}：請改輸入 {mask}。",
        "fill_mask.too_many": "文字中有 {count} 個遮罩；一次最多預測 {limit} 個。",
        "fill_mask.too_long": "文字有 {count:,} 個字元；最多只讀 {limit:,} 個。",
        "fill_mask.too_many_tokens": "文字有 {count} 個詞元；這個模型最多只能讀 {limit} 個。",
        "fill_mask.no_targets": "請輸入一個或多個要在遮罩位置評分的詞，用逗號分隔。",
    },
})

OTHER_MASKS = ("<mask>", "[mask]", "<MASK>", "__", "___")


def check_text(text, mask_token: str = "[MASK]", max_masks: int = MAX_MASKS) -> str:
    """The text, checked: not empty, not too long, with 1 to ``max_masks`` of the model's mask token (another
    model's mask, e.g. RoBERTa's <mask>, gets a message that names the right one)."""
    text = "" if text is None else str(text)
    if not text.strip():
        raise UserInputError("fill_mask.empty", mask=mask_token)
    if len(text) > MAX_CHARS:
        raise UserInputError("fill_mask.too_long", count=len(text), limit=MAX_CHARS)
    count = text.count(mask_token)
    if count == 0:
        typed = next((other for other in OTHER_MASKS if other != mask_token and other in text), None)
        if typed is not None:
            raise UserInputError("fill_mask.other_mask", mask=mask_token, typed=typed)
        raise UserInputError("fill_mask.no_mask", mask=mask_token)
    if count > max_masks:
        raise UserInputError("fill_mask.too_many", count=count, limit=max_masks)
    return text


def encode(tok, text: str, model) -> dict[str, torch.Tensor]:
    """The text's token ids (and masks) on the model's device; a text longer than the model reads is refused."""
    encoded = tok(text, return_tensors="pt")
    limit = max_positions(model)
    if encoded["input_ids"].shape[1] > limit:
        raise UserInputError("fill_mask.too_many_tokens", count=encoded["input_ids"].shape[1], limit=limit)
    return {key: value.to(model.device) for key, value in encoded.items()}


def mask_positions(input_ids: torch.Tensor, mask_id: int) -> list[int]:
    """Where the masks are in one encoded text (1-D ids)."""
    return (input_ids == mask_id).nonzero().flatten().tolist()


def entropy_bits(probs: torch.Tensor) -> float:
    """The entropy of a distribution, in bits (0: certain; log2 of the vocabulary: no idea)."""
    p = probs[probs > 0]
    return float(-(p * p.log2()).sum())


@dataclass(frozen=True)
class Guess:
    """The model's prediction at one mask."""

    position: int  # in the token sequence
    tokens: tuple[str, ...]  # top k, most likely first
    probs: tuple[float, ...]
    entropy: float  # bits, of the distribution the probabilities come from (renormalised over words: of that one)
    hidden: float = 0.0  # the probability the model gave to what "words only" left out (pieces, punctuation)
    whole_word: bool = True  # the mask stands alone (not "un[MASK]"): a continuing piece "##…" cannot fill it


def word_probs(tok, logits: torch.Tensor) -> torch.Tensor:
    """Probabilities over the vocabulary from logits (..., vocabulary): special tokens ([CLS], [SEP], [PAD],
    [MASK]) are never a word, nor are the ids past the tokenizer's vocabulary (a model may pad its output layer)."""
    logits = logits.clone()
    logits[..., [i for i in tok.all_special_ids if i < logits.shape[-1]]] = -math.inf
    logits[..., len(tok):] = -math.inf
    return logits.softmax(-1)


_NOT_WORDS: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}


def not_words(tok) -> tuple[torch.Tensor, torch.Tensor]:
    """(pieces, non_words): True for the ids of pieces that continue a word ("##s", "##ed"), and for the ids that are
    no word at all: punctuation and symbols, a single Latin letter other than "a" and "i", the special and unused
    slots. Computed once per vocabulary."""
    key = id(tok)
    if key not in _NOT_WORDS:
        tokens = tok.convert_ids_to_tokens(list(range(len(tok))))
        pieces = torch.tensor([t.startswith("##") for t in tokens])

        def no_word(token: str) -> bool:
            bare = token.removeprefix("##")
            if token.startswith("[") and token.endswith("]"):
                return True
            if not any(c.isalnum() for c in bare):
                return True
            return len(bare) == 1 and bare.isascii() and bare.isalpha() and bare not in "ai"

        _NOT_WORDS[key] = pieces, torch.tensor([no_word(t) for t in tokens])
    return _NOT_WORDS[key]


def whole_word_masks(text: str, mask_token: str = "[MASK]") -> list[bool]:
    """For each mask of the text: does it stand for a whole word (nothing of a word glued to it, "the [MASK] ran";
    Chinese characters count as words of their own) rather than a piece of one ("un[MASK]able")?"""
    flags, start = [], 0
    while (at := text.find(mask_token, start)) >= 0:
        before, after = text[at - 1:at], text[at + len(mask_token):at + len(mask_token) + 1]
        glued = [c for c in (before, after) if c and c.isalnum() and not is_cjk(c)]
        flags.append(not glued)
        start = at + len(mask_token)
    return flags


def words_only(tok, p: torch.Tensor, whole_word: bool) -> tuple[torch.Tensor, float]:
    """The distribution over words only (renormalised): at a whole-word mask no continuing piece ("##s"), and no
    punctuation or stray letter anywhere; with the share of probability that was left out."""
    pieces, non_words = not_words(tok)
    drop = non_words.clone()
    if whole_word:
        drop |= pieces
    drop = torch.nn.functional.pad(drop, (0, max(0, p.shape[-1] - len(drop))), value=True)[: p.shape[-1]]
    kept = p.masked_fill(drop.to(p.device), 0.0)
    total = float(kept.sum())
    if total <= 0:
        return p, 0.0
    return kept / total, 1.0 - total


def _guess(tok, position: int, p: torch.Tensor, k: int, only_words: bool = False, whole_word: bool = True) -> Guess:
    hidden = 0.0
    if only_words:
        p, hidden = words_only(tok, p, whole_word)
    top = p.topk(min(k, p.numel()))
    return Guess(position, tuple(tok.convert_ids_to_tokens(top.indices.tolist())),
                 tuple(float(v) for v in top.values), entropy_bits(p), hidden, whole_word)


def max_positions(model) -> int:
    return int(getattr(model.config, "max_position_embeddings", 512))


@torch.inference_mode()
def distributions(model, tok, text: str) -> tuple[dict[str, torch.Tensor], list[int], torch.Tensor]:
    """(the encoded text, the mask positions, the probabilities over the vocabulary at each mask)."""
    encoded = encode(tok, text, model)
    positions = mask_positions(encoded["input_ids"][0], tok.mask_token_id)
    return encoded, positions, word_probs(tok, model(**encoded).logits[0, positions])


def predict(model, tok, text: str, k: int = 10, only_words: bool = False) -> list[Guess]:
    """Each mask predicted independently: its top ``k`` tokens with their probabilities, and the entropy. With
    ``only_words``, whole words only (renormalised; ``Guess.hidden`` is the share left out)."""
    _, positions, probs = distributions(model, tok, text)
    whole = whole_word_masks(text, tok.mask_token)
    return [_guess(tok, position, p, k, only_words, whole[i] if i < len(whole) else True)
            for i, (position, p) in enumerate(zip(positions, probs))]


def fill_left_to_right(model, tok, text: str, k: int = 5, only_words: bool = False) -> list[Guess]:
    """The masks filled one at a time, left to right: each later mask is predicted with the earlier ones already
    filled by their most likely token (what the independent prediction cannot see)."""
    ids = encode(tok, text, model)["input_ids"][0].clone()
    whole = whole_word_masks(text, tok.mask_token)
    guesses = []
    for i, position in enumerate(mask_positions(ids, tok.mask_token_id)):
        with torch.inference_mode():
            logits = model(input_ids=ids[None], attention_mask=torch.ones_like(ids)[None]).logits[0, position]
            p = word_probs(tok, logits)
        guess = _guess(tok, position, p, k, only_words, whole[i] if i < len(whole) else True)
        guesses.append(guess)
        ids[position] = tok.convert_tokens_to_ids(guess.tokens[0])
    return guesses


@dataclass(frozen=True)
class TargetScore:
    word: str
    pieces: tuple[str, ...]  # how the vocabulary splits it (one piece: scored exactly)
    prob: float  # at the mask; for a word of several pieces, its first piece's probability (an upper bound)
    rank: int  # 1 = the model's first choice (of the first piece)
    prior: float | None = None  # the same, with the attribute word masked too (the model's prior for the slot)

    @property
    def corrected(self) -> float | None:
        """Kurita et al. (2019)'s increased log probability: log P(word | sentence) − log P(word | the sentence with
        the attribute masked too). Positive: this sentence's attribute raised the word above the model's prior."""
        if self.prior is None or self.prior <= 0 or self.prob <= 0:
            return None
        return math.log(self.prob) - math.log(self.prior)


def target_words(targets) -> list[str]:
    words = [w.strip() for w in (targets.split(",") if isinstance(targets, str) else targets or []) if w.strip()]
    if not words:
        raise UserInputError("fill_mask.no_targets")
    return words


def attribute_masked(tok, ids: list[int], attribute: str) -> list[int]:
    """The token ids with every occurrence of the attribute word's pieces replaced by masks (the prior sentence of
    Kurita et al.: "[MASK] is a [MASK]." for "[MASK] is a nurse."); refused if the sentence does not hold it."""
    pieces = tok.convert_tokens_to_ids(tok.tokenize(attribute))
    if tok.mask_token_id in pieces:  # the prior masks the attribute: a mask is not a word of the sentence
        raise UserInputError("fill_mask.attribute_is_mask", mask=tok.mask_token)
    out, found, i = list(ids), False, 0
    while pieces and i <= len(ids) - len(pieces):
        if ids[i:i + len(pieces)] == pieces:
            out[i:i + len(pieces)] = [tok.mask_token_id] * len(pieces)
            found, i = True, i + len(pieces)
        else:
            i += 1
    if not found:
        raise UserInputError("fill_mask.attribute_missing", word=attribute)
    return out


@torch.inference_mode()
def _probs_at(model, tok, ids: list[int], position: int) -> torch.Tensor:
    tensor = torch.tensor([ids], device=model.device)
    return word_probs(tok, model(input_ids=tensor, attention_mask=torch.ones_like(tensor)).logits[0, position])


def word_pieces(tok, word: str) -> tuple[tuple[str, ...], int]:
    """How the vocabulary splits ``word`` ([UNK] for nothing), and the id of its first piece (what scores it)."""
    pieces = tuple(tok.tokenize(word)) or (tok.unk_token,)
    return pieces, tok.convert_tokens_to_ids(pieces[0])


def score_targets(model, tok, text: str, targets, mask_index: int = 0, attribute: str | None = None
                  ) -> list[TargetScore]:
    """The probability of each candidate word at mask ``mask_index`` (e.g. he/she: the bias probe); with an
    ``attribute`` word (e.g. nurse), also its probability with that word masked too (the prior the correction
    divides out)."""
    words = target_words(targets)
    ids = encode(tok, text, model)["input_ids"][0].tolist()
    positions = [i for i, x in enumerate(ids) if x == tok.mask_token_id]
    position = positions[min(mask_index, len(positions) - 1)]
    p = _probs_at(model, tok, ids, position)
    prior = _probs_at(model, tok, attribute_masked(tok, ids, attribute), position) if attribute else None
    order = p.argsort(descending=True)
    rank_of = torch.empty_like(order)
    rank_of[order] = torch.arange(1, len(order) + 1, device=order.device)
    scores = []
    for word in words:
        pieces, first = word_pieces(tok, word)
        scores.append(TargetScore(word, pieces, float(p[first]), int(rank_of[first]),
                                  None if prior is None else float(prior[first])))
    return scores


CLEAR_FACTOR = 2.0  # a corrected ratio between 1/2 and 2 is not called a preference (a stated margin, not fitted)
RARE_COUNT = 100  # a target seen fewer times than this in a model's training text: its probability means little


def preference(a: TargetScore, b: TargetScore, corrected: bool) -> tuple[float, str] | None:
    """(ratio of a to b, verdict) raw or prior-corrected: "a" / "b" when the ratio is beyond CLEAR_FACTOR, "none"
    inside it; None when a probability is 0 (or no prior was measured)."""
    if corrected:
        if a.corrected is None or b.corrected is None:
            return None
        ratio = math.exp(a.corrected - b.corrected)
    else:
        if a.prob <= 0 or b.prob <= 0:
            return None
        ratio = a.prob / b.prob
    verdict = "a" if ratio >= CLEAR_FACTOR else "b" if ratio <= 1 / CLEAR_FACTOR else "none"
    return ratio, verdict


#: Nouns that should push no pronoun either way (people, but no occupation with a gender stereotype). Put in the
#: attribute's place, they show how far any noun there moves the corrected ratio: the control the correction alone
#: lacks (a helper found "window" pushing all-MiniLM toward "she", 0.47×, where these give 0.42-0.98×).
NEUTRAL = {"en": ("person", "student", "friend", "visitor", "customer", "tourist", "passenger", "neighbor",
                  "stranger", "client", "guest", "adult"),
           "zh": ("人", "學生", "朋友", "客人", "顧客", "遊客", "乘客", "鄰居", "陌生人", "病人", "大人", "同學")}


def in_place_of(text: str, attribute: str, word: str) -> str:
    """The text with ``word`` wherever the attribute word stands (a whole word in a Latin script)."""
    pattern = re.escape(attribute)
    if LATIN.search(attribute):
        pattern = rf"(?<!\w){pattern}(?!\w)"
    return re.sub(pattern, lambda _: word, text, flags=re.IGNORECASE)


@torch.inference_mode()
def neutral_ratios(model, tok, text: str, a: str, b: str, mask_index: int, attribute: str,
                   language: str) -> dict[str, float]:
    """The prior-corrected ratio of ``a`` to ``b`` (as ``preference`` computes it) with each NEUTRAL word of the
    language in the attribute's place: every sentence and its attribute-masked prior in one batch."""
    rows, wanted = [], []
    for word in NEUTRAL[language]:
        sentence = in_place_of(text, attribute, word)
        if word.lower() == attribute.lower() or sentence == text:
            continue
        ids = encode(tok, sentence, model)["input_ids"][0].tolist()
        positions = [i for i, x in enumerate(ids) if x == tok.mask_token_id]
        rows += [ids, attribute_masked(tok, ids, word)]
        wanted.append((word, positions[min(mask_index, len(positions) - 1)]))
    if not rows:
        return {}
    width, pad = max(map(len, rows)), tok.pad_token_id or 0
    ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows], device=model.device)
    attention = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows], device=model.device)
    logits = model(input_ids=ids, attention_mask=attention).logits
    first = [word_pieces(tok, word)[1] for word in (a, b)]
    ratios = {}
    for k, (word, position) in enumerate(wanted):
        p, prior = word_probs(tok, logits[2 * k, position]), word_probs(tok, logits[2 * k + 1, position])
        values = [float(v) for v in (p[first[0]], prior[first[0]], p[first[1]], prior[first[1]])]
        if min(values) > 0:
            ratios[word] = math.exp(math.log(values[0] / values[1]) - math.log(values[2] / values[3]))
    return ratios


def shift_verdict(ratio: float, neutral) -> str:
    """"a" / "b": the attribute pushes toward a (b): its corrected ratio is more than CLEAR_FACTOR beyond the
    neutral words' median (what any noun in its place does; 1 without them) and beyond every one of them; "none"
    otherwise."""
    neutral = list(neutral)
    typical = statistics.median(neutral) if neutral else 1.0
    if ratio >= CLEAR_FACTOR * typical and all(ratio > v for v in neutral):
        return "a"
    if ratio <= typical / CLEAR_FACTOR and all(ratio < v for v in neutral):
        return "b"
    return "none"


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # ideographs (not the CJK punctuation 。，)
LATIN = re.compile(r"[A-Za-z]")


def is_cjk(char: str) -> bool:
    return bool(CJK.match(char))


def script(text: str) -> str | None:
    """"zh" when most letters of the text (its masks left out) are Chinese characters, "en" when most are Latin
    letters, None when it has neither."""
    bare = (text or "").replace("[MASK]", " ")
    chinese, latin = len(CJK.findall(bare)), len(LATIN.findall(bare))
    if chinese == latin == 0:
        return None
    return "zh" if chinese >= latin else "en"


def unknown_share(tok, text: str) -> tuple[int, int]:
    """(tokens read as [UNK], tokens) of the text, masks left out."""
    tokens = [x for x in tok.tokenize(text) if x != tok.mask_token]
    return sum(x == tok.unk_token for x in tokens), len(tokens)


def eager(model):
    """``model`` switched to eager attention (the fused kernels do not return the attention weights), once and for
    good: the switch is made under a lock, so threads that call ``attentions`` (or this) on the same model at once
    switch it once. Eager and fused attention give the same outputs, so a prediction running meanwhile is unharmed."""
    if getattr(model.config, "_attn_implementation", "eager") != "eager":
        with _EAGER:
            if getattr(model.config, "_attn_implementation", "eager") != "eager":  # another thread may have been first
                model.set_attn_implementation("eager")
    return model


@torch.inference_mode()
def attentions(model, tok, text: str) -> tuple[list[str], torch.Tensor]:
    """The tokens and every head's attention matrix, (layers, heads, tokens, tokens) (rows: from, columns: to;
    each row sums to 1): one pass for all the layers and heads a slider can show."""
    encoded = encode(tok, text, model)
    out = eager(model)(**encoded, output_attentions=True)
    return tok.convert_ids_to_tokens(encoded["input_ids"][0].tolist()), torch.cat(out.attentions).cpu()


@torch.inference_mode()
def word_vectors(model, tok, sentences: list[str], word: str) -> torch.Tensor:
    """(layers + 1, sentences, hidden): the hidden vector of ``word`` in each sentence, at every layer (the mean of
    its pieces, at its first occurrence)."""
    pieces = tok.tokenize(word)
    vectors = []
    for sentence in sentences:
        encoded = encode(tok, sentence, model)
        tokens = tok.convert_ids_to_tokens(encoded["input_ids"][0].tolist())
        start = next((i for i in range(len(tokens)) if tokens[i:i + len(pieces)] == pieces), None)
        if start is None:
            raise UserInputError("fill_mask.word_missing", word=word,
                                 sentence=sentence if len(sentence) <= 40 else sentence[:40] + "…")
        hidden = model(**encoded, output_hidden_states=True).hidden_states
        vectors.append(torch.stack([h[0, start:start + len(pieces)].mean(0) for h in hidden]).cpu())
    return torch.stack(vectors, dim=1)


def cosine_matrices(vectors: torch.Tensor) -> torch.Tensor:
    """(layers, n, n) cosine similarity between the sentences' vectors of the word, per layer."""
    unit = torch.nn.functional.normalize(vectors, dim=-1)
    return unit @ unit.transpose(1, 2)


def separation(matrices: torch.Tensor, groups: list[int]) -> list[float]:
    """Per layer: the mean cosine similarity of the word's vectors within a group minus across groups (sentence i
    is in group ``groups[i]``; 0: the layer does not tell the meanings apart, larger: the groups cluster apart)."""
    g = torch.tensor(groups)
    same = g[:, None] == g[None, :]
    off_diagonal = ~torch.eye(len(groups), dtype=torch.bool)
    within, across = same & off_diagonal, ~same
    if not within.any() or not across.any():
        return []
    return [float(m[within].mean() - m[across].mean()) for m in matrices]


def separation_test(matrices: torch.Tensor, groups: list[int], layer: int) -> dict:
    """Is the separation at ``layer`` more than chance? An exact permutation test: every way of splitting the same
    sentences into groups of the same sizes; p is the share of splits whose separation is at least the one
    observed (the observed one included). With 2 + 2 sentences there are only 3 splits, so p cannot go below 1/3:
    too few to conclude."""
    from itertools import permutations

    observed = separation(matrices[layer:layer + 1], groups)
    if not observed:
        return {}
    splits = set()
    for order in permutations(groups):  # at most 8! = 40,320 orders of 8 labels; the distinct splits are far fewer
        canonical = {}
        splits.add(tuple(canonical.setdefault(g, len(canonical)) for g in order))
    gaps = [separation(matrices[layer:layer + 1], list(split))[0] for split in splits]
    p = sum(gap >= observed[0] - 1e-9 for gap in gaps) / len(gaps)
    return {"gap": observed[0], "p": p, "splits": len(gaps), "smallest_p": 1 / len(gaps)}


ALPHA = 0.05
#: Sentences per meaning the page asks for when there are too few: with 4 + 4 the best of the 35 splits is chance
#: at p = 1/35 (3 + 3 gives 10 splits, p >= 0.10, never below ALPHA).
ENOUGH_PER_MEANING = 4


def separation_verdict(test: dict) -> str:
    """"separated" (the gap is positive and p <= 0.05), "too_few" (no split could reach p <= 0.05: add sentences),
    or "not_separated"."""
    if not test:
        return "too_few"
    if test["smallest_p"] > ALPHA:
        return "too_few"
    return "separated" if test["gap"] > 0 and test["p"] <= ALPHA else "not_separated"


def check_sentences(text, word) -> tuple[str, list[str], list[int]]:
    """(word, sentences, group of each) from a box of sentences, one a line, a blank line between meanings."""
    word = "" if word is None else str(word).strip()
    if not word:
        raise UserInputError("fill_mask.no_word")
    sentences, groups, group = [], [], 0
    for line in ("" if text is None else str(text))[: MAX_CHARS * 2].splitlines():
        if not line.strip():
            group += bool(sentences) and groups[-1] == group
            continue
        sentences.append(line.strip()[:MAX_CHARS])
        groups.append(group)
    if not 2 <= len(sentences) <= MAX_SENTENCES:
        raise UserInputError("fill_mask.sentences", count=len(sentences), limit=MAX_SENTENCES)
    return word, sentences, groups


SEGMENT = re.compile(r"\[MASK\]|[\u2e80-\u9fff\uf900-\ufaff]|[^\W_]+(?:['’][^\W_]+)*|\s+|.", re.S)


def segments(text: str) -> list[str]:
    """The text cut into what a click can mask: words, Chinese characters (one each), [MASK]s, and the spaces and
    punctuation between them; joined again they give the text back."""
    return SEGMENT.findall(text or "")


def is_maskable(segment: str) -> bool:
    return segment != "[MASK]" and any(c.isalnum() for c in segment)


def toggle_segment(text: str, index: int, words: list[str | None] | None,
                   mask_token: str = "[MASK]") -> tuple[str, list[str | None]]:
    """A click on the ``index``-th segment: a word or character is masked, and a mask that a click made gets its
    word back. ``words``: the word under each mask of ``text``, in order (None: a mask typed or from an example,
    which stays); None or the wrong length (the text was edited since) counts as all unknown. Returns the new
    text and its words."""
    parts = segments(text)
    masks = [i for i, part in enumerate(parts) if part == mask_token]
    words = list(words) if words is not None and len(words) == len(masks) else [None] * len(masks)
    if not 0 <= index < len(parts):
        return text, words
    before = sum(i < index for i in masks)  # the masks before the clicked segment
    if parts[index] == mask_token:
        if words[before] is None:
            return text, words
        parts[index] = words.pop(before)
    elif is_maskable(parts[index]):
        words.insert(before, parts[index])
        parts[index] = mask_token
    return "".join(parts), words


register({
    "en": {"fill_mask.word_missing": "“{word}” is not in the sentence “{sentence}”.",
           "fill_mask.attribute_missing": "The attribute word “{word}” is not in the sentence: type a word of it "
                                          "(e.g. nurse), or leave the box empty.",
           "fill_mask.attribute_is_mask": "The attribute word cannot be {mask}: type a word of the sentence (e.g. "
                                          "nurse), or leave the box empty.",
           "fill_mask.no_word": "Type the word whose vectors to compare (e.g. apple).",
           "fill_mask.sentences": "Give 2 to {limit} sentences, one a line (there are {count})."},
    "zh": {"fill_mask.word_missing": "句子「{sentence}」裡沒有「{word}」。",
           "fill_mask.attribute_missing": "句子裡沒有屬性詞「{word}」：請輸入句子中的一個詞（例如：護士），或留空。",
           "fill_mask.attribute_is_mask": "屬性詞不能是 {mask}：請輸入句子中的一個詞（例如：護士），或留空。",
           "fill_mask.no_word": "請輸入要比較向量的詞（例如：蘋果）。",
           "fill_mask.sentences": "請輸入 2 到 {limit} 個句子，每行一句（目前有 {count} 句）。"},
})
