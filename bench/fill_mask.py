"""The fill-mask (BERT) tab's speed goals, on this machine (2 CPU cores), in one run:

* a prediction: the tab's handler (check, one forward, top-k, the bars and tokens as HTML) vs the raw model
  forward on the same tokens, ratio ≤ 1.25x; end to end (through gradio_client) ≤ 0.3 s on the bundled models;
* the same for the Hub models' shapes: bert-base-uncased, bert-base-chinese and DistilBERT cannot be downloaded
  here (no Hub), so stand-ins of exactly their shapes (random weights, a vocabulary of their size) are saved in
  the Hub cache layout under the pinned revisions and loaded by the app's own Hub loader: their compute and load
  times are real, their words are not;
* the other actions (targets, attention, contextual vectors, comparing models) in-process;
* first-use load time of each choice (a fresh load from disk, as the first click after start-up would).

    python -m bench.fill_mask    # writes bench/fill_mask-results.md
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "fill_mask-results.md"
SENTENCES = {"en": ("Paris is the capital of [MASK].", "I went to the [MASK] to buy some [MASK]."),
             "zh": ("床前明月[MASK]，疑是地上霜。", "白日依山[MASK]，黃河入海[MASK]。")}


def stand_ins(cache: Path) -> None:
    """bert-base-uncased, bert-base-chinese and DistilBERT as the Hub would cache them at the pinned revisions, but
    with random weights: their shapes (and so their cost) are the real ones."""
    import torch
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer, DistilBertConfig, DistilBertForMaskedLM

    from demos.fill_mask.model import BERT_BASE_EN, BERT_BASE_ZH, CHINESE_DIR, DISTILBERT_EN, ENGLISH_DIR

    torch.manual_seed(0)
    shapes = ((BERT_BASE_EN, BertForMaskedLM(BertConfig(vocab_size=30522)), ENGLISH_DIR),
              (BERT_BASE_ZH, BertForMaskedLM(BertConfig(vocab_size=21128)), CHINESE_DIR),
              (DISTILBERT_EN, DistilBertForMaskedLM(DistilBertConfig(vocab_size=30522)), ENGLISH_DIR))
    for choice, model, bundled in shapes:
        words = (bundled / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
        size = model.config.vocab_size
        vocab = cache / f"{choice.key}-vocab.txt"
        vocab.write_text("\n".join(words + [f"[unused{i}]" for i in range(size - len(words))]) + "\n",
                         encoding="utf-8")
        repo = cache / ("models--" + choice.repo_id.replace("/", "--"))
        snapshot = repo / "snapshots" / choice.revision
        model.save_pretrained(snapshot)
        BertTokenizer(vocab=str(vocab), do_lower_case=True).save_pretrained(snapshot)
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / "main").write_text(choice.revision)


def main() -> None:
    import torch
    from gradio_client import Client

    from bench.common import machine, settle, start_app, stop_app, timed
    from bench.cyclegan import cpu_seconds, others
    from core import models
    from core.device import configure_process
    from demos.fill_mask import logic
    from demos.fill_mask import ui as tab
    from demos.fill_mask.model import LANGUAGE, MODELS

    models.set_offline(True)
    configure_process()  # as the app runs: one torch thread per request
    cache = Path(tempfile.mkdtemp(prefix="bench-fill-mask-"))
    os.environ["DEMO_HUB_CACHE"] = str(cache)  # this process and the app process started below
    stand_ins(cache)
    models.clear_cache()
    start = cpu_seconds()

    # ---- first use: each choice loaded fresh from disk (the app's warm-up does this once after start-up)
    load_s = {}
    for choice in MODELS.choices:
        began = time.perf_counter()
        choice.load(torch.device("cpu"))
        load_s[choice.key] = time.perf_counter() - began

    # ---- in-process: the handler vs the raw forward on the same tokens
    rows = []
    for choice in MODELS.choices:
        model, tok = tab.loaded(choice.key)
        for text in SENTENCES[LANGUAGE[choice.key]]:
            masks = text.count("[MASK]")
            encoded = logic.encode(tok, text, model)
            # several masks: one forward for the independent predictions, then one per mask left to right
            forwards = 1 + (masks if masks > 1 else 0)

            def raw(encoded=encoded, model=model, forwards=forwards):
                with torch.inference_mode():
                    for _ in range(forwards):
                        model(**encoded)

            raw_ms = timed(raw, 20)
            handler_ms = timed(lambda text=text, key=choice.key: tab.predict(text, key, 8), 20)
            rows.append((choice.key, text, len(encoded["input_ids"][0]), masks, raw_ms, forwards, handler_ms))
    english = "bert-small-en"
    others_ms = {
        "targets (he, she)": timed(lambda: tab.targets("The nurse said that [MASK] was tired.", english, "he, she", 1),
                                   20),
        "attention (layer 4, head 1, heat map)": timed(lambda: tab.attention("The nurse said that [MASK] was tired.",
                                                                             english, 4, 1), 5),
        "contextual vectors (4 sentences, picture)": timed(lambda: tab.context(tab.CONTEXT_EXAMPLES["en"][1], "bank",
                                                                               english, 4), 5),
        "compare (both bundled models)": timed(lambda: tab.compare("The [MASK] sat.", [english, "bert-small-zh"]), 10),
    }
    in_process = cpu_seconds()

    # ---- end to end through gradio_client: the app in its own process, with the stand-ins in its Hub cache
    server, url, _ = start_app()
    try:
        settle(server.pid)  # the warm-up loads every ready model and runs one prediction each
        client = Client(url, verbose=False)
        e2e = {}
        for choice in MODELS.choices:
            for text in SENTENCES[LANGUAGE[choice.key]]:
                def call(text=text, key=choice.key):
                    return client.predict(text, key, 8, api_name="/fill_mask_predict")

                e2e[(choice.key, text)] = timed(call, 15) / 1000
    finally:
        stop_app(server)
    done = cpu_seconds()
    shutil.rmtree(cache, ignore_errors=True)

    lines = ["# Fill-mask (BERT) tab: speed", "", f"Machine: {machine()}.",
             f"Run: {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench.fill_mask`; medians; one torch thread per "
             "request (the app's `configure_process`).",
             f"Other processes on the machine meanwhile (CPU contention): {others(start, in_process)} during the "
             f"in-process part, {others(in_process, done)} during the end-to-end part.", "",
             "The Hub models (bert-base-uncased, bert-base-chinese, distilbert-base-uncased) are **stand-ins**: "
             "their exact shapes with random weights, saved in the Hub cache layout and loaded by the app's Hub "
             "loader (this machine cannot reach the Hub). Their times are what the real ones cost; their "
             "predictions mean nothing.", "",
             "## A prediction: handler vs raw forward, end to end", "",
             "| model | text | tokens | masks | forwards the handler needs | raw forwards | handler `predict` "
             "| handler ÷ raw (goal ≤ 1.25x) | end to end (goal ≤ 0.3 s, bundled) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key, text, tokens, masks, raw_ms, forwards, handler_ms in rows:
        lines.append(f"| {key} | {text} | {tokens} | {masks} | {forwards} | {raw_ms:.1f} ms | {handler_ms:.1f} ms "
                     f"| {handler_ms / raw_ms:.2f}x | {e2e[(key, text)]:.3f} s |")
    lines += ["", "Several masks: the tab shows each mask predicted on its own (one forward) and the left-to-right "
              "fill (one forward per mask), so its handler runs 1 + masks forwards; the raw column times as many.", "",
              "## The other actions, in-process (bert-small-en)", "", "| action | handler |", "| --- | ---: |"]
    lines += [f"| {name} | {ms:.1f} ms |" for name, ms in others_ms.items()]
    lines += ["", "## First use: loading each choice from disk", "", "| model | kind | load |", "| --- | --- | ---: |"]
    lines += [f"| {key} | {MODELS.choice(key).kind} | {seconds:.2f} s |" for key, seconds in load_s.items()]
    lines += ["", "A Hub model is loaded this fast only once it is cached; its download (269–441 MB) comes first and "
              "is never started behind a prediction: the tab says so up front and downloads on one click, with "
              "progress (on a Space, in the background at start-up).", "",
              "## Goals", "", *verdicts(rows, e2e), ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def verdicts(rows, e2e) -> list[str]:
    """The goals met and missed, in words, from the measured numbers."""
    lines = []
    for key, text, _, masks, raw_ms, forwards, handler_ms in rows:
        ratio = handler_ms / raw_ms
        seconds = e2e[(key, text)]
        bundled = key.startswith("bert-small")
        ratio_word = "met" if ratio <= 1.25 else "**missed**"
        line = f"- {key}, {masks} mask(s): handler/raw {ratio:.2f}x, {ratio_word} (the handler adds " \
               f"{handler_ms - raw_ms:.1f} ms to {forwards} forward(s) taking {raw_ms:.1f} ms)"
        if bundled:
            line += f"; end to end {seconds:.3f} s, {'met' if seconds <= 0.3 else '**missed**'} (goal ≤ 0.3 s)"
        else:
            line += f"; end to end {seconds:.3f} s (no goal for the Hub models)"
        lines.append(line + ".")
    return lines


if __name__ == "__main__":
    main()
