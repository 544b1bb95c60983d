"""Recompute the distillation tab's precomputed results (the student is trained live in the app,
so what ships is results, not weights): test accuracy over a T x alpha grid; the sweep of epochs x
transfer-set share that says when distillation beats hard labels (per-seed accuracies on the test
digits and on the stroke-drawn held-out digits, with the paired 95% interval of the gap, at the
button's defaults and seed count); the held-out-3 experiments (with the paper's settings); and the
teacher's numbers the lecture notes quote.

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

from core.data.digits import TEST, TRAIN, load_split, to_tensor
from core.models import ASSETS, read_card, write_card
from demos.distillation import figures, logic, strokes
from demos.distillation.model import TEACHER

OUT = ASSETS / "distillation"
TEMPERATURES = [1, 2, 4, 8, 16]
ALPHAS = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0]
FRACTIONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
EPOCHS = [1, 5, 10, 30, 100]
#: What the train button does unless the user changes it (ui.DEFAULTS): the sweep runs the same.
BUTTON_SEEDS = 5
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
    images, stroke_labels = strokes.held_out()
    stroke_logits = logic.teacher_logits(teacher, images)
    on_strokes = logic.typical_confusions(stroke_logits, torch.from_numpy(stroke_labels), CONFUSION_TEMPERATURE)
    return {
        "confusion_temperature": CONFUSION_TEMPERATURE,
        "confusions": {str(c): [[o, round(p, 4)] for o, p in others] for c, others in confusions.items()},
        "confusions_strokes": {str(c): [[o, round(p, 4)] for o, p in others] for c, others in on_strokes.items()},
        "teacher_accuracy": {"test": round(logic.accuracy(logits, labels), 4),
                             "strokes": round(logic.accuracy(stroke_logits, torch.from_numpy(stroke_labels)), 4)},
        "gradient_change_strokes": [{k: round(v, 4) for k, v in change.items()}
                                    for change in logic.gradient_change(stroke_logits, GRADIENT_PAIRS)],
        "gradient_pairs": GRADIENT_PAIRS,
        "gradient_change": [{k: round(v, 4) for k, v in change.items()}
                            for change in logic.gradient_change(logits, GRADIENT_PAIRS)],
    }


def stroke_tests() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The held-out stroke-drawn digits (demos/distillation/strokes.py), as the students' extra test set."""
    images, labels = strokes.held_out()
    return {"strokes": (to_tensor(images), torch.from_numpy(labels))}


def held_out_summary(data: logic.TransferData, config: logic.StudentConfig) -> dict:
    summary = logic.summarize(logic.train_students(data, config, extra_tests=stroke_tests()))
    return {key.split(":", 1)[1]: round(value[0], 4) for key, value in summary.items() if key.startswith("held_out:")}


def comparison_record(comparison: logic.Comparison) -> dict:
    return {"mean": round(comparison.mean, 6), "low": round(comparison.low, 6), "high": round(comparison.high, 6),
            "verdict": comparison.verdict}


def sweep_cell(data: logic.TransferData, config: logic.StudentConfig) -> dict:
    """One setting of the sweep: per-seed final accuracies of both students on both test sets, and the verdicts."""
    runs = logic.train_students(data, config, extra_tests=stroke_tests())
    cell = {"epochs": config.epochs, "fraction": config.transfer_fraction}
    for test_set in ("test", "strokes"):
        name = None if test_set == "test" else test_set
        distilled = [r.distilled_curve[-1] if name is None else r.extra[name][0] for r in runs]
        hard = [r.hard_curve[-1] if name is None else r.extra[name][1] for r in runs]
        # 6 decimals: the notes' interval, recomputed from these, rounds as the live table's does (4 did not)
        cell[test_set] = {"distilled": [round(a, 6) for a in distilled], "hard": [round(a, 6) for a in hard],
                          "gap": comparison_record(logic.compare(distilled, hard))}
    return cell


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seeds", type=int, default=BUTTON_SEEDS)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--grid-fraction", type=float, default=0.01)
    parser.add_argument("--quick", action="store_true", help="2 x 2 grid, 2 x 2 sweep, 2 seeds, 2 epochs")
    parser.add_argument("--redraw", action="store_true", help="only draw the figures again from results.json")
    args = parser.parse_args(argv)
    if args.redraw:
        return redraw(args.out)
    temperatures, alphas, fractions, epochs_list = TEMPERATURES, ALPHAS, FRACTIONS, EPOCHS
    if args.quick:
        temperatures, alphas, fractions, epochs_list = [1, 4], [0.0, 0.9], [0.01, 1.0], [1, 2]
        args.seeds, args.epochs = 2, 2
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

    cells = []
    for epochs in epochs_list:
        for fraction in fractions:
            cells.append(sweep_cell(data, dataclasses.replace(base, epochs=epochs, transfer_fraction=fraction)))
            test_gap, stroke_gap = cells[-1]["test"]["gap"], cells[-1]["strokes"]["gap"]
            print(f"epochs={epochs:<4} fraction={fraction:<5} gap test {test_gap['mean']:+.4f} "
                  f"[{test_gap['low']:+.4f}, {test_gap['high']:+.4f}] {test_gap['verdict']:<9} strokes "
                  f"{stroke_gap['mean']:+.4f} [{stroke_gap['low']:+.4f}, {stroke_gap['high']:+.4f}] "
                  f"{stroke_gap['verdict']}", flush=True)

    held_out = {}
    for fraction in ([1.0] if args.quick else [0.05, 1.0]):
        held_out[str(fraction)] = held_out_summary(data, dataclasses.replace(base, transfer_fraction=fraction,
                                                                             held_out_class=3))
        print(f"held-out 3 at fraction {fraction}, T={base.temperature:g}: {held_out[str(fraction)]}", flush=True)
    preset = held_out_summary(data, dataclasses.replace(base, **PAPER_PRESET))
    print(f"paper preset {PAPER_PRESET}: {preset}", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    default_cell = next((c for c in cells if c["epochs"] == base.epochs and c["fraction"] == base.transfer_fraction),
                        cells[0])
    results = {
        "grid": {"temperatures": temperatures, "alphas": alphas, "fraction": args.grid_fraction,
                 "epochs": args.epochs, "seeds": args.seeds, "accuracy": grid},
        "sweep": {"temperature": base.temperature, "alpha": base.alpha, "seeds": args.seeds,
                  "epochs": epochs_list, "fractions": fractions, "cells": cells,
                  "strokes": {"seed": strokes.HELD_OUT_SEED, "per_digit": strokes.HELD_OUT_PER_DIGIT}},
        "held_out_3": held_out,
        "paper_preset": {"settings": PAPER_PRESET, "alpha": base.alpha, "seeds": args.seeds, **preset},
        "notes": teacher_numbers(teacher),
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    figures.save_precomputed(results, args.out)
    teacher_card = TEACHER.choice("digit-cnn").card()
    mean = lambda values: round(float(np.mean(values)), 4)  # noqa: E731
    write_card(args.out, {
        "name": "distillation-results", "topic": "distillation",
        "architecture": f"student MLP 784-{base.hidden}-10; teacher digit-cnn (sha256 "
                        f"{teacher_card['files']['weights.safetensors'][:16]})",
        "data": "offline digits training split as transfer set (class-balanced random fraction); "
                "test split for accuracy; held out: stroke-drawn digits (demos/distillation/strokes.py, "
                f"seed {strokes.HELD_OUT_SEED}, {strokes.HELD_OUT_PER_DIGIT} per digit)",
        "training": {"command": "python -m demos.distillation.train", "seconds": round(time.time() - started, 1),
                     "epochs": args.epochs, "sweep_epochs": epochs_list, "steps_per_epoch": base.steps_per_epoch,
                     "batch_size": base.batch_size, "optimizer": f"Adam lr {base.lr}", "seeds": args.seeds,
                     "defaults": {"temperature": base.temperature, "alpha": base.alpha}},
        "metrics": {
            "distilled_default": mean(default_cell["test"]["distilled"]),
            "hard_default": mean(default_cell["test"]["hard"]),
            "distilled_default_strokes": mean(default_cell["strokes"]["distilled"]),
            "hard_default_strokes": mean(default_cell["strokes"]["hard"]),
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
