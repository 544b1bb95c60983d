"""Pre-train the bundled small English BERT on offline Debian text (corpus.py): its own WordPiece vocabulary,
sentence packing, whole-word masking; write weights, config, vocabulary and card.json with what it measures.

    python -m demos.fill_mask.train --threads 2 --minutes 35            # the first run of assets/models/fill_mask/en
    python -m demos.fill_mask.train --resume --minutes 90 --lr 5e-4     # ... continued from its weights
    python -m demos.fill_mask.train --lang zh --minutes 60 --vocab 8000 --dropout 0   # assets/models/fill_mask/zh
    python -m demos.fill_mask.train --quick --out /tmp/x [--lang zh]    # CI: a few steps on a little text

Masked-language modelling as in BERT (Devlin et al. 2019), with whole-word masking: 15% of the words are chosen,
and all of a chosen word's pieces are replaced (80% [MASK], 10% a random token, 10% kept); the loss is the cross
entropy at the chosen positions. Packing: consecutive sentences, separated by [SEP], fill each 64-token sequence,
so no compute is spent on padding. AdamW, a short warm-up, then the learning rate falls linearly with the time
left. Every few minutes the held-out sentences measure it (whole-word top-1/top-5 on single-piece words), and
the best measurement is the one kept.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from core.models import write_card
from demos.fill_mask import corpus
from demos.fill_mask.model import CHINESE_DIR, ENGLISH_DIR, SPECIALS, bert, tokenizer

SEQ = 64
COMMON = 100  # the most frequent words: left out of the content-word measurement
SHAPE = {"hidden_size": 192, "num_hidden_layers": 4, "num_attention_heads": 3, "intermediate_size": 768}
LANGUAGES = {
    "en": {"name": "bert-small-en", "out": ENGLISH_DIR, "text": corpus.english, "alphabet": 200,
           "data": "WordNet 3.0 glosses and examples (wordnet-base), English fortunes (fortunes)",
           "vocabulary": "lower-cased WordPiece vocabulary",
           "license": "data: WordNet 3.0 licence (Princeton), fortunes (BSD / public domain, Debian); weights: MIT",
           "probes": ("the cat sat on the [MASK].", "paris is the capital of [MASK].", "she drank a cup of hot [MASK].",
                      "a [MASK] is a large animal with a trunk.", "he opened the [MASK] and walked into the room.",
                      "the sun rises in the [MASK].", "birds can [MASK] through the air.", "ice is frozen [MASK].",
                      "a doctor works in a [MASK].", "you can't teach an old dog new [MASK].")},
    "zh": {"name": "bert-small-zh", "out": CHINESE_DIR, "text": corpus.chinese, "alphabet": 8000,
           "data": "Debian's fortunes-zh (313 Tang poems, 95 Song lyrics, 5,265 Chinese fortunes, converted to "
                   "traditional characters with OpenCC s2tw); modern Taiwan Chinese from the zh-TW translations of the "
                   "Debian Reference (debian-reference-zh-tw), the New Maintainers' Guide (maint-guide-zh-tw), "
                   "LibreOffice's help (libreoffice-help-zh-tw) and user interface (libreoffice-l10n-zh-tw's .mo "
                   "strings) and the zh_TW manual pages (manpages-zh); 60,000 pseudo-sentences of 6 everyday words "
                   "each, drawn by frequency from python3-jieba's word list (s2tw; words, not grammar)",
           "vocabulary": "character vocabulary (one token per Chinese character, as bert-base-chinese; WordPiece for "
                         "the little Latin text)",
           "license": "data: fortunes-zh (Debian, free to redistribute), debian-reference-zh-tw and maint-guide-zh-tw "
                      "(GPL-2+), libreoffice-help-zh-tw and libreoffice-l10n-zh-tw (MPL-2.0), manpages-zh (GFDL-1.2+), "
                      "python3-jieba's dict.txt (MIT/Expat); weights: MIT for this project's own work (whether "
                      "the GPL-2+ and GFDL terms of the texts it learnt from reach the weights is not settled here)",
           "probes": ("床前明月[MASK]，疑是地上霜。", "白日依山[MASK]，黃河入海流。",
                      "春眠不覺[MASK]，處處聞啼鳥。", "紅豆生南[MASK]，春來發幾枝。",
                      "獨在異鄉為異[MASK]，每逢佳節倍思親。", "舉頭望明月，低頭思故[MASK]。",
                      "子曰：學而時[MASK]之。", "今天天氣很[MASK]。", "我喜歡吃[MASK]果。", "山高[MASK]長。")},
}


def wordpiece(sentences: list[str], vocab_size: int, directory: Path, alphabet: int = 200):
    """Train a lower-cased WordPiece vocabulary on ``sentences`` (each Chinese character is a word of its own, and
    ``alphabet`` characters at most are kept); write vocab.txt; return the tokenizer."""
    from tokenizers import BertWordPieceTokenizer

    trainer = BertWordPieceTokenizer(lowercase=True, strip_accents=True, handle_chinese_chars=True)
    trainer.train_from_iterator(sentences, vocab_size=vocab_size, min_frequency=2, special_tokens=list(SPECIALS),
                                limit_alphabet=alphabet)
    directory.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(directory))
    return tokenizer(directory)


def pack(sentences: list[str], tok, seq: int = SEQ) -> np.ndarray:
    """Token ids of consecutive sentences, [SEP] between them, cut into rows of ``seq`` ([CLS] first)."""
    stream: list[int] = []
    for ids in tok(sentences, add_special_tokens=False)["input_ids"]:
        stream += ids[: seq - 2] + [tok.sep_token_id]
    body = seq - 1
    rows = len(stream) // body
    packed = np.asarray(stream[: rows * body], dtype=np.int64).reshape(rows, body)
    return np.concatenate([np.full((rows, 1), tok.cls_token_id), packed], axis=1)


def continuation_table(tok) -> torch.Tensor:
    """True for the ids of word pieces that continue a word ("##ing"): whole-word masking keeps them together."""
    table = torch.zeros(len(tok), dtype=torch.bool)
    for token, index in tok.get_vocab().items():
        table[index] = token.startswith("##")
    return table


def mask_words(ids: torch.Tensor, continues: torch.Tensor, tok, gen: torch.Generator, rate: float = 0.15,
               lowest_random: int = len(SPECIALS)):
    """Whole-word masking of a batch: (inputs, labels) with labels -100 where nothing is predicted (the random
    replacements are drawn from the ids ``lowest_random`` and up: a vocabulary's real tokens)."""
    special = ids <= max(tok.convert_tokens_to_ids(list(SPECIALS)))
    starts = ~continues[ids] & ~special
    word = torch.cumsum(starts.long(), dim=1)  # the word each position belongs to (0 before the first)
    chosen_words = torch.rand(word.shape, generator=gen) < rate  # a draw per word number, per row
    chosen = torch.gather(chosen_words, 1, word.clamp(max=word.shape[1] - 1)) & (word > 0) & ~special
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand(ids.shape, generator=gen)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = tok.mask_token_id
    random_tokens = torch.randint(lowest_random, len(tok), ids.shape, generator=gen)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = random_tokens[swap]
    return inputs, labels


def is_word(token: str) -> bool:
    """A token that is a whole word by itself: an English word of two letters or more, or a Chinese character."""
    return token.isalpha() and (len(token) > 1 or ord(token) >= 0x2E80)


def probe_items(sentences: list[str], tok, limit: int, exclude: frozenset[int] = frozenset()
                ) -> list[tuple[list[int], int, int]]:
    """Held-out items: a sentence with one single-piece word (or character) masked (a fixed, hash-chosen word, not one
    of ``exclude``): (input ids, masked position, the word's id)."""
    items = []
    for text in sentences:
        ids = tok(text, truncation=True, max_length=SEQ)["input_ids"]
        tokens = tok.convert_ids_to_tokens(ids)
        candidates = [i for i in range(1, len(ids) - 1) if is_word(tokens[i])
                      and not tokens[i + 1].startswith("##") and ids[i] not in exclude]
        if not candidates:
            continue
        pick = candidates[int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % len(candidates)]
        items.append((ids[:pick] + [tok.mask_token_id] + ids[pick + 1:], pick, ids[pick]))
        if len(items) >= limit:
            break
    return items


def not_words(tok) -> torch.Tensor:
    """The ids that cannot be a whole word: the special tokens (and bert-base's "[unused7]" slots) and the pieces
    that continue a word ("##ing")."""
    table = continuation_table(tok)
    for token, index in tok.get_vocab().items():
        if token.startswith("[") and token.endswith("]"):
            table[index] = True
    return table


@torch.inference_mode()
def measure(model, tok, items, batch: int = 128, exclude: frozenset[int] = frozenset()) -> dict:
    """Whole-word top-1 and top-5 on the held-out items (special tokens and "##" pieces never count as answers;
    nor do the words ``exclude``: the content-word items rule out the common words for the model as for the
    baseline)."""
    excluded = not_words(tok)
    excluded[list(exclude)] = True
    hits1 = hits5 = 0
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        width = max(len(ids) for ids, _, _ in chunk)
        ids = torch.full((len(chunk), width), tok.pad_token_id)
        for row, (item, _, _) in enumerate(chunk):
            ids[row, :len(item)] = torch.tensor(item)
        hidden = model.bert(input_ids=ids, attention_mask=(ids != tok.pad_token_id).long()).last_hidden_state
        picked = model.cls(hidden[torch.arange(len(chunk)), torch.tensor([p for _, p, _ in chunk])])  # the output
        # layer only where the answer is read (with bert-base's 30,522 tokens it costs as much as the encoder)
        picked[:, excluded] = -math.inf
        top = picked.topk(5).indices
        truth = torch.tensor([t for _, _, t in chunk])
        hits1 += int((top[:, 0] == truth).sum())
        hits5 += int((top == truth[:, None]).any(1).sum())
    return {"top1": round(hits1 / len(items), 4), "top5": round(hits5 / len(items), 4), "items": len(items)}


def frequent_words(packed: np.ndarray, tok) -> list[int]:
    """Single-piece words (or Chinese characters), most frequent first in the training text."""
    counts = Counter(packed.ravel().tolist())
    tokens = tok.convert_ids_to_tokens(list(counts))
    return [i for i, t in sorted(zip(counts, tokens), key=lambda pair: -counts[pair[0]])
            if is_word(t)]


def unigram_baseline(ranked: list[int], tok, items, exclude: frozenset[int] = frozenset()) -> dict:
    """The same items answered by word frequency alone (the most frequent words of the training text that the
    items could hold, whatever the context): the number the model must beat."""
    ranked = [i for i in ranked if i not in exclude]
    top5 = set(ranked[:5])
    return {"top1": round(sum(t == ranked[0] for _, _, t in items) / len(items), 4),
            "top5": round(sum(t in top5 for _, _, t in items) / len(items), 4),
            "top5_words": tok.convert_ids_to_tokens(ranked[:5])}


@torch.inference_mode()
def probe(model, tok, probes) -> dict[str, list[str]]:
    answers, excluded = {}, not_words(tok)
    for text in probes:
        encoded = tok(text, return_tensors="pt")
        position = int((encoded["input_ids"][0] == tok.mask_token_id).nonzero()[0])
        logits = model(**encoded).logits[0, position]
        logits[excluded] = -math.inf
        answers[text] = tok.convert_ids_to_tokens(logits.topk(5).indices.tolist())
    return answers


def held_out_items(packed: np.ndarray, tok, held: list[str]) -> tuple[list[int], dict]:
    """The words by frequency, and the held-out items with the words each rules out as answers: all words (none);
    content words (the common ones: "the", "of", "a", …, half of all masked words, answerable by frequency)."""
    ranked = frequent_words(packed, tok)
    common = frozenset(ranked[:COMMON])
    return ranked, {"all_words": (probe_items(held, tok, 2000), frozenset()),
                    "content_words": (probe_items(held, tok, 2000, common), common)}


def checkpoint_row(model, tok, content, common, step: int, elapsed: float, loss) -> dict:
    """One line of the training history: held-out content-word top-1/top-5 on 500 items, measured in eval mode."""
    model.eval()
    found = measure(model, tok, content[:500], exclude=common)
    model.train()
    return {"step": step, "minutes": round(elapsed / 60, 1), "loss": None if loss is None else round(loss.item(), 3),
            **{k: found[k] for k in ("top1", "top5")}}


def measured(model, tok, ranked: list[int], items: dict) -> dict:
    """The card's numbers: held-out whole-word accuracy (all words; content words) next to the unigram baseline."""
    metrics = {name: {"model": measure(model, tok, found, exclude=ruled_out),
                      "unigram_baseline": unigram_baseline(ranked, tok, found, ruled_out)}
               for name, (found, ruled_out) in items.items()}
    for row in metrics.values():
        row["top5_vs_baseline"] = round(row["model"]["top5"] / max(row["unigram_baseline"]["top5"], 1e-9), 2)
    return metrics


def load(out: Path):
    """(model, tokenizer, config) of a trained model's folder."""
    from core.models import read_tensors

    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    model = bert(config)
    model.load_state_dict(read_tensors(out / "weights.safetensors"), strict=True)
    return model.eval(), tokenizer(out), config


def remeasure(out: Path, lang: str = "en") -> dict:
    """The shipped model's card, measured again with this file's measures (the training section kept)."""
    from core.models import read_card

    card = read_card(out)
    model, tok, _ = load(out)
    sentences, held = LANGUAGES[lang]["text"]()
    ranked, items = held_out_items(pack(sentences, tok), tok, held)
    card.update(metrics=measured(model, tok, ranked, items), probes=probe(model, tok, LANGUAGES[lang]["probes"]),
                **CARD_TEXT)
    card.pop("files", None)
    return write_card(out, card, model)


def train(out: Path, minutes: float, seed: int = 0, vocab_size: int = 6000, batch: int = 64, lr: float = 1e-3,
          eval_minutes: float = 5.0, limit: int | None = None, max_steps: int | None = None, lang: str = "en",
          resume: bool = False, mask_rate: float = 0.15, warmup: int = 300, dropout: float = 0.1) -> dict:
    """Pre-train (or, with ``resume``, continue pre-training the model in ``out``, its vocabulary kept) for
    ``minutes``; keep the best held-out measurement; write weights, config, vocabulary and card."""
    started, language = time.time(), LANGUAGES[lang]
    sentences, held = language["text"](limit)
    if resume:
        from core.models import read_card

        earlier, (model, tok, config) = read_card(out), load(out)
        model.train()
    else:
        earlier, tok = None, wordpiece(sentences, vocab_size, out, language["alphabet"])
    packed = torch.from_numpy(pack(sentences, tok))
    ranked, items = held_out_items(packed.numpy(), tok, held)
    content, common = items["content_words"]
    continues = continuation_table(tok)
    torch.manual_seed(seed)
    if not resume:
        dropped = {} if dropout == 0.1 else {"hidden_dropout_prob": dropout, "attention_probs_dropout_prob": dropout}
        config = {"vocab_size": len(tok), "max_position_embeddings": SEQ, "type_vocab_size": 2, **SHAPE, **dropped}
        model = bert(config).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    gen = torch.Generator().manual_seed(seed)
    budget = minutes * 60
    best, best_state, history, step, next_eval, loss = -1.0, None, [], 0, eval_minutes * 60, None
    while True:
        elapsed = time.time() - started
        done = elapsed >= budget or (max_steps is not None and step >= max_steps)
        if elapsed >= next_eval or done:
            found = checkpoint_row(model, tok, content, common, step, elapsed, loss)
            history.append(found)
            print(found, flush=True)
            if found["top5"] >= best:  # ties: the later, longer-trained one
                best, best_state = found["top5"], {k: v.detach().clone() for k, v in model.state_dict().items()}
            next_eval += eval_minutes * 60
        if done:
            break
        step += 1
        rows = torch.randint(0, len(packed), (batch,), generator=gen)
        inputs, labels = mask_words(packed[rows], continues, tok, gen, mask_rate)
        for group in opt.param_groups:
            group["lr"] = lr * min(1.0, step / warmup) * max(0.02, 1 - elapsed / budget)
        chosen = labels != -100  # the output layer (hidden × vocabulary) only where there is something to predict
        logits = model.cls(model.bert(input_ids=inputs).last_hidden_state[chosen])
        loss = F.cross_entropy(logits, labels[chosen])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    model.load_state_dict(best_state)
    model.eval()
    metrics = measured(model, tok, ranked, items)
    save_file({k: v.contiguous().clone() for k, v in model.state_dict().items()}, str(out / "weights.safetensors"))
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    options = "".join(f" --{name} {value:g}" for name, value, default in (
        ("mask-rate", mask_rate, 0.15), ("warmup", warmup, 300), ("vocab", vocab_size, 6000), ("dropout", dropout, 0.1))
        if value != default)
    run = {"command": f"python -m demos.fill_mask.train --lang {lang} --minutes {minutes:g} --lr {lr:g}{options} "
                      f"--threads {torch.get_num_threads()}" + (" --resume" if resume else ""),
           "minutes": round((time.time() - started) / 60, 1), "steps": step, "batch": batch, "seed": seed}
    if earlier:  # the earlier run's totals and history come first
        before = earlier["training"]
        run.update(minutes=round(before["minutes"] + run["minutes"], 1), steps=before["steps"] + step,
                   runs=[*before.get("runs", [{k: before[k] for k in ("command", "minutes", "steps")}]),
                         {k: run[k] for k in ("command", "minutes", "steps")}])
        history = [*before["history"], *({**h, "run": len(run["runs"])} for h in history)]
    card = {
        "name": language["name"],
        "topic": "fill_mask",
        "architecture": f"BERT (transformers BertForMaskedLM): {config['num_hidden_layers']} layers, hidden "
                        f"{config['hidden_size']}, {config['num_attention_heads']} heads, {SEQ} positions; its own "
                        f"{language['vocabulary']} of {len(tok)} tokens",
        "data": f"offline Debian text (demos/fill_mask/corpus.py): {language['data']}; {len(sentences)} training "
                f"sentences packed into {len(packed)} rows of {SEQ} tokens; {len(held)} held-out sentences (2% by "
                "hash), only measured",
        "training": {**run,
                     "objective": f"masked LM, whole-word masking {mask_rate:.0%} (80/10/10), sentence packing",
                     "optimizer": f"AdamW lr {lr} (warm-up {warmup} steps, then linear in the time left), "
                                  "weight decay 0.01",
                     "model_selection": f"best held-out content-word top-5 (500 items) every {eval_minutes:g} minutes",
                     "history": history},
        "metrics": metrics,
        **CARD_TEXT,
        "probes": probe(model, tok, language["probes"]),
        "license": language["license"],
    }
    return write_card(out, card, model)


CARD_TEXT = {
    "targets": {"top5": ">= 2x the unigram baseline (content words; on all words the baseline's top-5 is about half, "
                        "so twice it cannot be reached)"},
    "evaluation": f"whole-word accuracy on held-out sentences: one single-piece word (a Chinese character) of each "
                  f"masked (chosen by a hash of the sentence); content words: not one of the {COMMON} most frequent "
                  "training words, which are then ruled out as answers for the model and the baseline alike; special "
                  "tokens and '##' pieces never count as answers",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default="en")
    parser.add_argument("--out", type=Path, help="default: the language's folder in assets/models/fill_mask")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--resume", action="store_true", help="continue training the model in --out")
    parser.add_argument("--minutes", type=float, default=45.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mask-rate", type=float, default=0.15, help="the share of words masked")
    parser.add_argument("--warmup", type=int, default=300, help="steps of linear learning-rate warm-up")
    parser.add_argument("--vocab", type=int, default=6000, help="vocabulary size (a new model)")
    parser.add_argument("--dropout", type=float, default=0.1, help="BERT's dropout (hidden and attention; a new model)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="a few steps on a little text, for CI")
    parser.add_argument("--remeasure", action="store_true", help="measure the model in --out again; rewrite its card")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = args.out or LANGUAGES[args.lang]["out"]
    missing = corpus.missing_chinese_sources() if args.lang == "zh" and not (args.quick or args.remeasure) else []
    if missing:  # the card's data line names every source: a model trained without one would carry a false card
        parser.error(f"the Chinese model's card names text this machine lacks: apt-get install {' '.join(missing)}")
    if args.remeasure:
        card = remeasure(out, args.lang)
    elif args.quick:
        card = train(out, 2.0, args.seed, vocab_size=400, batch=8, eval_minutes=60, limit=3000, max_steps=5,
                     lang=args.lang, resume=args.resume)
    else:
        card = train(out, args.minutes, args.seed, vocab_size=args.vocab, lr=args.lr, lang=args.lang,
                     resume=args.resume, mask_rate=args.mask_rate, warmup=args.warmup, dropout=args.dropout)
    print(json.dumps({"metrics": card["metrics"], "probes": card["probes"]}))


if __name__ == "__main__":
    main()
