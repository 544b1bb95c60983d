"""Train the bundled CTC speech recogniser on espeak-ng speech and write weights + card.json.

    python -m demos.audio_attack.train                       # the run that made assets/models/audio_attack/ctc
    python -m demos.audio_attack.train --quick --out /tmp/x  # CI: a few steps (the shipped clips without espeak-ng)

The data is synthesised once (cached under /tmp) so epochs are fast. Voice variants and sentences listed in
``speech.TEST_VARIANTS`` / ``HELD_OUT_COMMANDS`` / ``HELD_OUT_DIGITS`` never reach training: the card's CER and
WER are measured on them. Early stopping on a validation split (training voices, training sentences).
"""
from __future__ import annotations

import argparse
import hashlib
import math
import subprocess
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from core.models import write_card
from core.seeding import generator, init_weights
from demos.audio_attack import speech
from demos.audio_attack.ctc import SPEECH_CTC, VOCAB, SpeechCTC, encode, greedy_decode

CACHE = Path("/tmp/audio_attack_ctc_cache")


# ---------------------------------------------------------------- error rates

def edit_distance(a, b) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def error_rates(references: list[str], hypotheses: list[str]) -> dict[str, float]:
    """Corpus CER and WER: total edits over total reference characters / words."""
    chars = sum(edit_distance(r, h) for r, h in zip(references, hypotheses)) / max(1, sum(map(len, references)))
    words = (sum(edit_distance(r.split(), h.split()) for r, h in zip(references, hypotheses))
             / max(1, sum(len(r.split()) for r in references)))
    exact = sum(r == h for r, h in zip(references, hypotheses)) / max(1, len(references))
    return {"cer": round(chars, 4), "wer": round(words, 4), "sentence_accuracy": round(exact, 4)}


@torch.inference_mode()
def evaluate(model: torch.nn.Module, items, batch_size: int = 32) -> dict[str, float]:
    model.eval()
    hypotheses, references = [], []
    for batch in batches(items, batch_size):  # sorted by length: keep the references in the same order
        references += [text for text, _, _ in batch]
        waves, lengths = pad([audio for _, _, audio in batch])
        log_probs = model(waves)
        frames = model.output_lengths(lengths)
        hypotheses += [greedy_decode(lp[:n]) for lp, n in zip(log_probs, frames)]
    return {**error_rates(references, hypotheses), "clips": len(items)}


# ---------------------------------------------------------------- data

def pad(waves: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(w) for w in waves])
    out = torch.zeros(len(waves), int(lengths.max()))
    for row, wave in zip(out, waves):
        row[: len(wave)] = wave
    return out, lengths


def batches(items, batch_size: int):
    """Consecutive batches of items sorted by length (little padding)."""
    order = sorted(range(len(items)), key=lambda i: len(items[i][2]))
    for start in range(0, len(order), batch_size):
        yield [items[i] for i in order[start:start + batch_size]]


def espeak_version() -> str:
    return subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.strip()


def dataset(counts: dict[str, int], seed: int) -> dict[str, list]:
    """Synthesise (or read from the /tmp cache) the train/val/test splits."""
    key = hashlib.sha256(repr((counts, seed, espeak_version(), speech.commands(), speech.TRAIN_VARIANTS,
                                speech.TEST_VARIANTS, speech.HELD_OUT_DIGITS)).encode()).hexdigest()[:16]
    path = CACHE / f"{key}.pt"
    if path.exists():
        return torch.load(path, weights_only=True)
    started = time.time()
    data = {split: speech.make_split(split, n, seed + i) for i, (split, n) in enumerate(counts.items())}
    print(f"synthesised {sum(counts.values())} clips in {time.time() - started:.0f} s", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    torch.save(data, path)
    return data


# ---------------------------------------------------------------- training

def train(data: dict[str, list], *, seed: int = 0, batch_size: int = 32, lr: float = 2e-3, max_epochs: int = 30,
          patience: int = 5, max_steps: int | None = None, max_seconds: float = 25 * 60):
    gen = generator(seed)
    model = init_weights(SpeechCTC(), gen)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-2)
    fit = data["train"]
    steps_per_epoch = math.ceil(len(fit) / batch_size)
    total = max_steps or max_epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total, pct_start=0.15)
    targets = [encode(text) for text, _, _ in fit]
    started = time.time()
    best, best_state, since_best, steps, epochs_run, history = math.inf, None, 0, 0, 0, []
    for epoch in range(max_epochs):
        model.train()
        # length-sorted batches in a random order (each epoch: fresh augmentation and a shuffled sort of ties)
        order = sorted(torch.randperm(len(fit), generator=gen).tolist(), key=lambda i: len(fit[i][2]) // 1600)
        chunks = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
        for c in torch.randperm(len(chunks), generator=gen).tolist():
            idx = chunks[c]
            waves, lengths = pad([speech.augment(fit[i][2], gen) for i in idx])
            log_probs = model(waves)
            loss = F.ctc_loss(log_probs.transpose(0, 1), torch.cat([targets[i] for i in idx]),
                              model.output_lengths(lengths), torch.tensor([len(targets[i]) for i in idx]),
                              blank=0, zero_infinity=True)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            steps += 1
            if steps < total:
                scheduler.step()
            if steps % 100 == 0:
                print(f"  step {steps}  loss {loss.item():.3f}  {time.time() - started:.0f} s", flush=True)
            if steps >= total or time.time() - started > max_seconds:
                break
        epochs_run = epoch + 1
        val = evaluate(model, data["val"])
        history.append(val["cer"])
        print(f"epoch {epochs_run}  loss {loss.item():.3f}  val {val}  {time.time() - started:.0f} s", flush=True)
        if val["cer"] < best:
            best, since_best = val["cer"], 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            since_best += 1
        if since_best >= patience or steps >= total or time.time() - started > max_seconds:
            break
    model.load_state_dict(best_state)
    return model.eval(), {"steps": steps, "epochs": epochs_run, "best_val_cer": best, "val_cer_by_epoch": history}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SPEECH_CTC.directory)
    parser.add_argument("--quick", action="store_true", help="a few steps on a tiny data set (CI)")
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--max-minutes", type=float, default=14.0, help="wall-clock cap on training")
    parser.add_argument("--train-clips", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    started = time.time()
    if args.quick and not speech.espeak_available():
        clips = speech.load_examples()
        data, source = {"train": clips, "val": clips, "test": clips}, "the shipped example clips (no espeak-ng)"
    else:
        counts = {"train": 64, "val": 16, "test": 16} if args.quick else {"train": args.train_clips, "val": 600,
                                                                          "test": 1000}
        data, source = dataset(counts, args.seed), f"espeak-ng ({espeak_version()})"
    model, run = train(data, seed=args.seed, max_epochs=1 if args.quick else args.max_epochs,
                       max_steps=3 if args.quick else None, max_seconds=args.max_minutes * 60)
    seconds = round(time.time() - started, 1)
    metrics = {"test_held_out_voices_and_sentences": evaluate(model, data["test"]),
               "examples": evaluate(model, speech.load_examples())}
    metrics.update(cer=metrics["test_held_out_voices_and_sentences"]["cer"],
                   wer=metrics["test_held_out_voices_and_sentences"]["wer"])
    print(metrics)
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(args.out / "weights.safetensors"))
    card = {
        "name": "speech-ctc", "topic": "audio_attack",
        "architecture": ("waveform 16 kHz -> log-mel (torchaudio, n_fft 400, hop 160, 80 mels) -> BatchNorm -> "
                         "2 Conv1d (160 ch, k5, stride 2 then 1, GELU) -> 2-layer BiGRU (192 per direction) -> "
                         f"linear over {len(VOCAB)} characters (blank, space, apostrophe, a-z); greedy CTC decoding"),
        "data": (f"synthetic speech from {source}: {len(speech.commands())} short commands over a closed word list "
                 f"and random 2-5 digit strings; {len(speech.ACCENTS)} English accents x voice variants, rate "
                 f"120-200 wpm, pitch 20-80; clips: train {len(data['train'])}, validation {len(data['val'])}, "
                 f"test {len(data['test'])}. Test = voice variants {', '.join(speech.TEST_VARIANTS)} and sentences "
                 f"{len(speech.HELD_OUT_COMMANDS)} commands + {len(speech.HELD_OUT_DIGITS)} digit strings, "
                 "none of them heard in training. The recogniser knows synthetic voices and this vocabulary only."),
        "training": {"command": "python -m demos.audio_attack.train" + (" --quick" if args.quick else ""),
                     "seconds": seconds, "seed": args.seed, "threads": 2,
                     "optimizer": "AdamW lr 2e-3 one-cycle, batch 32, weight decay 1e-2, grad-norm clip 5",
                     "loss": "CTC (blank 0)",
                     "augmentation": ("peak level 0.1-0.95, 0-0.2 s silence at each end, "
                                      "white noise at 20-60 dB SNR on 70% of clips"),
                     "early_stopping": "best validation CER (training voices and sentences), patience 5 epochs",
                     **run},
        "metrics": metrics,
        "targets": {"cer": "<= 0.05", "size_mb": "<= 10"},
        "license": ("data: rendered here with espeak-ng (GPL-3.0-or-later; the program's output is not covered by "
                    "its licence), no recorded speech; weights: MIT"),
    }
    write_card(args.out, card, model)
    print(f"wrote {args.out} in {seconds} s")


if __name__ == "__main__":
    main()
