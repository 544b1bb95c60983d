"""Recompute the distillation tab's precomputed results (the student is trained live in the app,
so what ships is results, not weights): test accuracy over a T x alpha grid, distilled vs
hard-label students as the transfer set grows, the held-out-3 experiments (with the paper's
settings), and the teacher's numbers the lecture notes quote; each averaged over several seeds.

    python -m demos.distillation.train                    # writes assets/models/distillation/
    python -m demos.distillation.train --quick --out /tmp/x   # CI smoke run (a few steps)
    python -m demos.distillation.train --redraw           # only the figures, from results.json
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

from core.data.digits import TEST, TRAIN, load_split
from core.models import ASSETS, read_card, write_card
from demos.distillation import figures, logic
from demos.distillation.model import TEACHER

OUT = ASSETS / "distillation"
TEMPERATURES = [1, 2, 4, 8, 16]
ALPHAS = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0]
FRACTIONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
#: Hinton, Vinyals & Dean (2015), section 3: every 3 left out of the transfer set, T = 20.
PAPER_PRESET = {"temperature": 20.0, "transfer_fraction": 1.0, "held_out_class": 3}
GRADIENT_PAIRS = [(1, 5), (1, 10), (10, 20)]
CONFUSION_TEMPERATURE = 4.0


def teacher_numbers(teacher: torch.nn.Module) -> dict:
    """What the notes quote about the teacher, measured on the test digits."""
    test = load_split(TEST)
    logits = logic.teacher_logits(teacher, test.images)
    labels = torch.from_numpy(test.labels)
    confusions = logic.typical_confusions(logits, labels, CONFUSION_TEMPERATURE)
    return {
        "confusion_temperature": CONFUSION_TEMPERATURE,
        "confusions": {str(c): [[o, round(p, 4)] for o, p in others] for c, others in confusions.items()},
        "gradient_pairs": GRADIENT_PAIRS,
        "gradient_change": [{k: round(v, 4) for k, v in change.items()}
                            for change in logic.gradient_change(logits, GRADIENT_PAIRS)],
    }


def held_out_summary(data: logic.TransferData, config: logic.StudentConfig) -> dict:
    summary = logic.summarize(logic.train_students(data, config))
    return {key.split(":", 1)[1]: round(value[0], 4) for key, value in summary.items() if key.startswith("held_out:")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--grid-fraction", type=float, default=0.01)
    parser.add_argument("--quick", action="store_true", help="2 x 2 grid, 2 fractions, 1 seed, 2 epochs")
    parser.add_argument("--redraw", action="store_true", help="only draw the figures again from results.json")
    args = parser.parse_args(argv)
    if args.redraw:
        return redraw(args.out)
    temperatures, alphas, fractions = TEMPERATURES, ALPHAS, FRACTIONS
    if args.quick:
        temperatures, alphas, fractions, args.seeds, args.epochs = [1, 4], [0.0, 0.9], [0.01, 1.0], 1, 2
    started = time.time()
    base = logic.StudentConfig(epochs=args.epochs, seeds=args.seeds)
    teacher = TEACHER.get(device=torch.device("cpu")).model
    data = logic.transfer_data(teacher, load_split(TRAIN), load_split(TEST))

    grid = []
    for temperature in temperatures:
        row = []
        for alpha in alphas:
            config = dataclasses.replace(base, temperature=temperature, alpha=alpha,
                                         transfer_fraction=args.grid_fraction)
            row.append(round(logic.summarize(logic.train_students(data, config))["distilled"][0], 4))
            print(f"T={temperature:<4} alpha={alpha:<5} accuracy={row[-1]:.4f}", flush=True)
        grid.append(row)

    by_fraction = {"distilled": {"mean": [], "std": []}, "hard": {"mean": [], "std": []}}
    for fraction in fractions:
        summary = logic.summarize(logic.train_students(data, dataclasses.replace(base, transfer_fraction=fraction)))
        for key in by_fraction:
            by_fraction[key]["mean"].append(round(summary[key][0], 4))
            by_fraction[key]["std"].append(round(summary[key][1], 4))
        print(f"fraction={fraction:<5} distilled={summary['distilled'][0]:.4f}±{summary['distilled'][1]:.4f} "
              f"hard={summary['hard'][0]:.4f}±{summary['hard'][1]:.4f}", flush=True)

    held_out = {}
    for fraction in ([1.0] if args.quick else [0.05, 1.0]):
        held_out[str(fraction)] = held_out_summary(data, dataclasses.replace(base, transfer_fraction=fraction,
                                                                             held_out_class=3))
        print(f"held-out 3 at fraction {fraction}, T={base.temperature:g}: {held_out[str(fraction)]}", flush=True)
    preset = held_out_summary(data, dataclasses.replace(base, **PAPER_PRESET))
    print(f"paper preset {PAPER_PRESET}: {preset}", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "grid": {"temperatures": temperatures, "alphas": alphas, "fraction": args.grid_fraction,
                 "seeds": args.seeds, "accuracy": grid},
        "fractions": {"fractions": fractions, "temperature": base.temperature, "alpha": base.alpha,
                      "seeds": args.seeds, **by_fraction},
        "held_out_3": held_out,
        "paper_preset": {"settings": PAPER_PRESET, "alpha": base.alpha, "seeds": args.seeds, **preset},
        "notes": teacher_numbers(teacher),
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    figures.save_precomputed(results, args.out)
    teacher_card = TEACHER.choice("digit-cnn").card()
    write_card(args.out, {
        "name": "distillation-results", "topic": "distillation",
        "architecture": f"student MLP 784-{base.hidden}-10; teacher digit-cnn (sha256 "
                        f"{teacher_card['files']['weights.safetensors'][:16]})",
        "data": "offline digits training split as transfer set (class-balanced random fraction); "
                "test split for accuracy",
        "training": {"command": "python -m demos.distillation.train", "seconds": round(time.time() - started, 1),
                     "epochs": args.epochs, "steps_per_epoch": base.steps_per_epoch, "batch_size": base.batch_size,
                     "optimizer": f"Adam lr {base.lr}", "seeds": args.seeds,
                     "defaults": {"temperature": base.temperature, "alpha": base.alpha}},
        "metrics": {
            "distilled_at_1pct": by_fraction["distilled"]["mean"][0], "hard_at_1pct": by_fraction["hard"]["mean"][0],
            "distilled_at_100pct": by_fraction["distilled"]["mean"][-1],
            "hard_at_100pct": by_fraction["hard"]["mean"][-1],
            "paper_preset_distilled_3s_corrected": preset["distilled_corrected"],
            "paper_preset_hard_3s_corrected": preset["hard_corrected"],
        },
        "license": "MIT",
    })
    print(f"wrote {args.out} in {time.time() - started:.0f} s")


def redraw(out: Path = OUT) -> None:
    """Draw the figures again from results.json, without retraining, and update the card's hashes."""
    figures.save_precomputed(json.loads((out / "results.json").read_text(encoding="utf-8")), out)
    card = read_card(out)
    write_card(out, {k: v for k, v in card.items() if k != "files"})


if __name__ == "__main__":
    torch.set_num_threads(1)  # the students are tiny: one thread is as fast, and leaves a core free
    np.set_printoptions(precision=4)
    main()
