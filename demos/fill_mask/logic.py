"""The fill-mask tab's science: what a masked language model predicts at each [MASK], with what certainty
(entropy), how likely chosen words are there (the bias probe), what a left-to-right fill does to later masks, where
the mask position attends, and how a word's vector depends on its sentence. Models come in as arguments
(a transformers masked LM and its tokenizer); nothing here imports gradio.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import torch

from core.i18n import UserInputError, register

MAX_CHARS = 1000
MAX_MASKS = 8
MAX_SENTENCES = 8  # contextual vectors: sentences compared at once

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
    entropy: float  # bits, of the whole distribution over the vocabulary


def word_probs(tok, logits: torch.Tensor) -> torch.Tensor:
    """Probabilities over the vocabulary from logits (..., vocabulary): special tokens ([CLS], [SEP], [PAD],
    [MASK]) are never a word, nor are the ids past the tokenizer's vocabulary (a model may pad its output layer)."""
    logits = logits.clone()
    logits[..., [i for i in tok.all_special_ids if i < logits.shape[-1]]] = -math.inf
    logits[..., len(tok):] = -math.inf
    return logits.softmax(-1)


def _guess(tok, position: int, p: torch.Tensor, k: int) -> Guess:
    top = p.topk(min(k, p.numel()))
    return Guess(position, tuple(tok.convert_ids_to_tokens(top.indices.tolist())),
                 tuple(float(v) for v in top.values), entropy_bits(p))


def max_positions(model) -> int:
    return int(getattr(model.config, "max_position_embeddings", 512))


@torch.inference_mode()
def distributions(model, tok, text: str) -> tuple[dict[str, torch.Tensor], list[int], torch.Tensor]:
    """(the encoded text, the mask positions, the probabilities over the vocabulary at each mask)."""
    encoded = encode(tok, text, model)
    positions = mask_positions(encoded["input_ids"][0], tok.mask_token_id)
    return encoded, positions, word_probs(tok, model(**encoded).logits[0, positions])


def predict(model, tok, text: str, k: int = 10) -> list[Guess]:
    """Each mask predicted independently: its top ``k`` tokens with their probabilities, and the entropy."""
    _, positions, probs = distributions(model, tok, text)
    return [_guess(tok, position, p, k) for position, p in zip(positions, probs)]


def fill_left_to_right(model, tok, text: str, k: int = 5) -> list[Guess]:
    """The masks filled one at a time, left to right: each later mask is predicted with the earlier ones already
    filled by their most likely token (what the independent prediction cannot see)."""
    ids = encode(tok, text, model)["input_ids"][0].clone()
    guesses = []
    for position in mask_positions(ids, tok.mask_token_id):
        with torch.inference_mode():
            logits = model(input_ids=ids[None], attention_mask=torch.ones_like(ids)[None]).logits[0, position]
            p = word_probs(tok, logits)
        guesses.append(_guess(tok, position, p, k))
        ids[position] = int(p.argmax())
    return guesses


@dataclass(frozen=True)
class TargetScore:
    word: str
    pieces: tuple[str, ...]  # how the vocabulary splits it (one piece: scored exactly)
    prob: float  # at the mask; for a word of several pieces, its first piece's probability (an upper bound)
    rank: int  # 1 = the model's first choice (of the first piece)


def score_targets(model, tok, text: str, targets, mask_index: int = 0) -> list[TargetScore]:
    """The probability of each candidate word at mask ``mask_index`` (e.g. he/she: the bias probe)."""
    words = [w.strip() for w in (targets.split(",") if isinstance(targets, str) else targets or []) if w.strip()]
    if not words:
        raise UserInputError("fill_mask.no_targets")
    _, _, probs = distributions(model, tok, text)
    p = probs[min(mask_index, len(probs) - 1)]
    order = p.argsort(descending=True)
    rank_of = torch.empty_like(order)
    rank_of[order] = torch.arange(1, len(order) + 1)
    scores = []
    for word in words:
        pieces = tuple(tok.tokenize(word)) or (tok.unk_token,)
        first = tok.convert_tokens_to_ids(pieces[0])
        scores.append(TargetScore(word, pieces, float(p[first]), int(rank_of[first])))
    return scores


@torch.inference_mode()
def attention(model, tok, text: str, layer: int, head: int) -> tuple[list[str], torch.Tensor]:
    """The tokens and one head's attention matrix (rows: from, columns: to; each row sums to 1)."""
    encoded = encode(tok, text, model)
    if getattr(model.config, "_attn_implementation", "eager") != "eager":
        model.set_attn_implementation("eager")  # the fused kernels do not return the attention weights
    out = model(**encoded, output_attentions=True)
    return tok.convert_ids_to_tokens(encoded["input_ids"][0].tolist()), out.attentions[layer][0, head].cpu()


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


def mask_segment(text: str, index: int, mask_token: str = "[MASK]") -> str:
    """The text with its ``index``-th segment (a word or a character) replaced by the mask; a space, a punctuation
    mark or a mask already there leaves it as it was."""
    parts = segments(text)
    if 0 <= index < len(parts) and is_maskable(parts[index]):
        parts[index] = mask_token
    return "".join(parts)


register({
    "en": {"fill_mask.word_missing": "“{word}” is not in the sentence “{sentence}”.",
           "fill_mask.no_word": "Type the word whose vectors to compare (e.g. apple).",
           "fill_mask.sentences": "Give 2 to {limit} sentences, one a line (there are {count})."},
    "zh": {"fill_mask.word_missing": "句子「{sentence}」裡沒有「{word}」。",
           "fill_mask.no_word": "請輸入要比較向量的詞（例如：蘋果）。",
           "fill_mask.sentences": "請輸入 2 到 {limit} 個句子，每行一句（目前有 {count} 句）。"},
})
