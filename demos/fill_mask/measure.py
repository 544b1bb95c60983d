"""Measure every verdict of the fill-mask tab on the held-out set written for it (tests/data/fill_mask/heldout.json:
sentences written by hand for the test, not from the training text nor the tab's examples), for each model ready
offline, and write assets/models/fill_mask/heldout_results.json. The notes quote it; tests/test_fill_mask_claims.py
re-checks a fast part of it.

    nice -n 10 python -m demos.fill_mask.measure            # all of it (a minute or two)
    python -m demos.fill_mask.measure --quick --out /tmp/x   # CI: a few items of each part

What it measures, per model:
* cloze: held-out whole-word top-1 / top-5 (any accepted answer), raw and "words only", against the unigram
  baseline (the most frequent words of the training text, whatever the sentence);
* pieces: how many held-out items have a word piece (##…) or punctuation in the raw top 5;
* he/she: the raw ratio P(he)/P(she) and the prior-corrected one (Kurita et al. 2019), per item;
* senses: same-meaning minus other-meaning similarity at each layer, with the exact permutation p at the last layer;
* script: the share of held-out tokens read as [UNK] when a sentence goes through the other language's model.
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

import torch

from core.models import ASSETS
from demos.fill_mask import logic

HELD_OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "fill_mask" / "heldout.json"
RESULTS = ASSETS / "fill_mask" / "heldout_results.json"
COUNTS = ASSETS / "fill_mask" / "counts"


def held_out() -> dict:
    return json.loads(HELD_OUT.read_text(encoding="utf-8"))


def top5(model, tok, items) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each item's top 5, (raw, words only), from one forward pass."""
    answers = []
    for sentence, _ in items:
        _, (position,), probs = logic.distributions(model, tok, sentence)
        (whole,) = logic.whole_word_masks(sentence, tok.mask_token)
        answers.append((logic._guess(tok, position, probs[0], 5).tokens,
                        logic._guess(tok, position, probs[0], 5, True, whole).tokens))
    return answers


def cloze(answers, items, only_words: bool) -> dict:
    """Top-1 / top-5 on items (sentence with one [MASK], accepted answers), from ``top5``'s answers."""
    tops = [pair[only_words] for pair in answers]
    hits1 = sum(top[0] in accepted for top, (_, accepted) in zip(tops, items))
    hits5 = sum(any(token in accepted for token in top) for top, (_, accepted) in zip(tops, items))
    return {"top1": round(hits1 / len(items), 4), "top5": round(hits5 / len(items), 4), "items": len(items)}


def not_word_answers(tok, answers, only_words: bool) -> dict:
    """How many items have a word piece or a punctuation mark (or stray letter) among their top 5."""
    pieces, non_words = logic.not_words(tok)
    bad = pieces | non_words
    found = sum(any(bool(bad[tok.convert_tokens_to_ids(t)]) for t in pair[only_words]) for pair in answers)
    return {"items_with_pieces_or_punctuation": found, "items": len(answers)}


def unigram(counts: Counter, items, chinese: bool) -> dict:
    """The baseline: the five most frequent words (characters) of the training text, for every item."""
    ranked = [w for w, _ in counts.most_common() if (logic.is_cjk(w) if chinese else w.isalpha() and len(w) > 1)][:5]
    return {"top1": round(sum(ranked[0] in a for _, a in items) / len(items), 4),
            "top5": round(sum(any(w in a for w in ranked) for _, a in items) / len(items), 4), "words": ranked}


def he_she(model, tok, items, targets) -> list[dict]:
    rows = []
    for sentence, attribute in items:
        a, b = logic.score_targets(model, tok, sentence, targets, 0, attribute)
        raw, corrected = logic.preference(a, b, False), logic.preference(a, b, True)
        rows.append({"sentence": sentence, "raw_ratio": round(raw[0], 3), "raw": raw[1],
                     "corrected_ratio": round(corrected[0], 3), "corrected": corrected[1]})
    return rows


def senses(model, tok, sets) -> list[dict]:
    rows = []
    for entry in sets:
        lines = [s for group in entry["groups"] for s in group]
        groups = [g for g, group in enumerate(entry["groups"]) for _ in group]
        matrices = logic.cosine_matrices(logic.word_vectors(model, tok, lines, entry["word"]))
        last = len(matrices) - 1
        test = logic.separation_test(matrices, groups, last)
        rows.append({"word": entry["word"], "gaps": [round(g, 4) for g in logic.separation(matrices, groups)],
                     "last_layer": {"gap": round(test["gap"], 4), "p": round(test["p"], 4), "splits": test["splits"]},
                     "verdict": logic.separation_verdict(test)})
    return rows


def training_counts(tok, sentences) -> Counter:
    """How often each token of the vocabulary occurs in the model's training text."""
    counts = Counter()
    for start in range(0, len(sentences), 4096):
        for ids in tok(sentences[start:start + 4096], add_special_tokens=False)["input_ids"]:
            counts.update(ids)
    return counts


def word_counts(sentences, chinese: bool) -> Counter:
    counts = Counter()
    for s in sentences:
        counts.update(list(re.sub(r"\s", "", s)) if chinese else re.findall(r"[a-z]+", s.lower()))
    return counts


def write_counts(name: str, tok, sentences) -> dict[str, int]:
    """counts/<name>.json: each vocabulary token's count in the training text (the bias probe's rarity check)."""
    counts = training_counts(tok, sentences)
    table = {tok.convert_ids_to_tokens(i): c for i, c in counts.most_common()}
    COUNTS.mkdir(parents=True, exist_ok=True)
    (COUNTS / f"{name}.json").write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n",
                                         encoding="utf-8")
    return table


def measure(quick: bool = False) -> dict:
    from demos.fill_mask import corpus
    from demos.fill_mask.model import CHINESE, ENGLISH, MINILM

    data = held_out()
    n = 6 if quick else None
    english, _ = corpus.english(3000 if quick else None)
    chinese, _ = corpus.chinese(3000 if quick else None)
    results = {"held_out": str(HELD_OUT.relative_to(HELD_OUT.parents[3])), "quick": quick, "models": {}}
    base_en, base_zh = word_counts(english, False), word_counts(chinese, True)
    results["unigram_baseline"] = {"en": unigram(base_en, data["en_cloze"][:n], False),
                                   "zh": unigram(base_zh, data["zh_cloze"][:n], True)}
    for choice, lang in ((ENGLISH, "en"), (MINILM, "en"), (CHINESE, "zh")):
        if not choice.available():
            continue
        bundle = choice.load(torch.device("cpu"))
        model, tok = bundle.model, bundle.tokenizer
        items = data[f"{lang}_cloze"][:n]
        answers = top5(model, tok, items)
        row = {"language": lang,
               "cloze_raw": cloze(answers, items, False), "cloze_words_only": cloze(answers, items, True),
               "pieces_raw": not_word_answers(tok, answers, False),
               "pieces_words_only": not_word_answers(tok, answers, True)}
        probe = data["he_she" if lang == "en" else "zh_he_she"]
        row["he_she"] = he_she(model, tok, probe["items"][:n], probe["targets"])
        sense_sets = data["senses"] if lang == "en" else data["zh_senses"]
        row["senses"] = senses(model, tok, sense_sets[:1 if quick else None])
        other = data["zh_cloze" if lang == "en" else "en_cloze"][:n]
        unknown = [logic.unknown_share(tok, s) for s, _ in other]
        row["other_language_unk_share"] = round(sum(u for u, _ in unknown) / max(1, sum(t for _, t in unknown)), 4)
        row["script_detected"] = round(sum(logic.script(s) == lang for s, _ in items) / len(items), 4)
        if choice.kind == "bundled" and not quick:
            table = write_counts(choice.key, tok, english if lang == "en" else chinese)
            row["target_counts"] = {w: table.get(w, 0) for w in probe["targets"]}
        results["models"][choice.key] = row
    if MINILM.key in results["models"]:
        first = results["models"][MINILM.key]["senses"][0]
        results["reference_senses"] = {"word": first["word"], "gaps": first["gaps"],
                                       "source": f"{MINILM.key}, demos/fill_mask/measure.py on "
                                                 f"{results['held_out']}"}
    if not quick and MINILM.available():  # the encoder exactly as the package ships it (no training here)
        from demos.fill_mask.train_minilm import package_model

        model, tok, _ = package_model()
        results["packaged_encoder_senses"] = senses(model.eval(), tok, data["senses"])
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="a folder (default: assets/models/fill_mask)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    results = measure(args.quick)
    out = (args.out / RESULTS.name) if args.out else RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: {m: r.get("cloze_words_only") for m, r in v.items()} if k == "models" else v
                      for k, v in results.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
