"""Recompute the distillation tab's precomputed results (the student is trained live in the app,
so what ships is results, not weights): test accuracy over a T x alpha grid, and distilled vs
hard-label students as the transfer set grows, each averaged over several seeds.

    python -m demos.distillation.train                    # writes assets/models/distillation/
    python -m demos.distillation.train --quick --out /tmp/x   # CI smoke run (a few steps)
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

from core.models import ASSETS, read_card, write_card
from demos.distillation.logic import TEACHER, StudentConfig, summarize, train_students

OUT = ASSETS / "distillation"
TEMPERATURES = [1, 2, 4, 8, 16]
ALPHAS = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0]
FRACTIONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--grid-fraction", type=float, default=0.01)
    parser.add_argument("--quick", action="store_true", help="2 x 2 grid, 2 fractions, 1 seed, 2 epochs")
    parser.add_argument("--redraw", action="store_true", help="only draw the PNGs again from results.json")
    args = parser.parse_args(argv)
    if args.redraw:
        return redraw(args.out)
    temperatures, alphas, fractions = TEMPERATURES, ALPHAS, FRACTIONS
    if args.quick:
        temperatures, alphas, fractions, args.seeds, args.epochs = [1, 4], [0.0, 0.9], [0.01, 1.0], 1, 2
    started = time.time()
    base = StudentConfig(epochs=args.epochs, seeds=args.seeds)

    grid = []
    for temperature in temperatures:
        row = []
        for alpha in alphas:
            config = dataclasses.replace(base, temperature=temperature, alpha=alpha,
                                         transfer_fraction=args.grid_fraction)
            row.append(round(summarize(train_students(config))["distilled"][0], 4))
            print(f"T={temperature:<4} alpha={alpha:<5} accuracy={row[-1]:.4f}", flush=True)
        grid.append(row)

    by_fraction = {"distilled": {"mean": [], "std": []}, "hard": {"mean": [], "std": []}}
    for fraction in fractions:
        summary = summarize(train_students(dataclasses.replace(base, transfer_fraction=fraction)))
        for key in by_fraction:
            by_fraction[key]["mean"].append(round(summary[key][0], 4))
            by_fraction[key]["std"].append(round(summary[key][1], 4))
        print(f"fraction={fraction:<5} distilled={summary['distilled'][0]:.4f}±{summary['distilled'][1]:.4f} "
              f"hard={summary['hard'][0]:.4f}±{summary['hard'][1]:.4f}", flush=True)

    held_out = {}
    for fraction in ([1.0] if args.quick else [0.05, 1.0]):
        config = dataclasses.replace(base, transfer_fraction=fraction, held_out_class=3)
        summary = summarize(train_students(config))
        held_out[str(fraction)] = {k.split(":", 1)[1]: round(v[0], 4) for k, v in summary.items() if k.startswith("held_out:")}
        print(f"held-out 3 at fraction {fraction}: {held_out[str(fraction)]}", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "grid": {"temperatures": temperatures, "alphas": alphas, "fraction": args.grid_fraction,
                 "seeds": args.seeds, "accuracy": grid},
        "fractions": {"fractions": fractions, "temperature": base.temperature, "alpha": base.alpha,
                      "seeds": args.seeds, **by_fraction},
        "held_out_3": held_out,
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    save_figures(results, args.out)
    teacher_card = TEACHER.choice("digit-cnn").card()
    write_card(args.out, {
        "name": "distillation-results", "topic": "distillation",
        "architecture": f"student MLP 784-{base.hidden}-10; teacher digit-cnn (sha256 "
                        f"{teacher_card['files']['weights.safetensors'][:16]})",
        "data": "offline digits training split as transfer set (class-balanced random fraction); test split for accuracy",
        "training": {"command": "python -m demos.distillation.train", "seconds": round(time.time() - started, 1),
                     "epochs": args.epochs, "steps_per_epoch": base.steps_per_epoch, "batch_size": base.batch_size,
                     "optimizer": f"Adam lr {base.lr}", "seeds": args.seeds,
                     "defaults": {"temperature": base.temperature, "alpha": base.alpha}},
        "metrics": {
            "distilled_at_1pct": by_fraction["distilled"]["mean"][0], "hard_at_1pct": by_fraction["hard"]["mean"][0],
            "distilled_at_100pct": by_fraction["distilled"]["mean"][-1], "hard_at_100pct": by_fraction["hard"]["mean"][-1],
        },
        "license": "MIT",
    })
    print(f"wrote {args.out} in {time.time() - started:.0f} s")


def save_figures(results: dict, out: Path) -> None:
    """The PNGs the tab shows, drawn by the tab's own figure code."""
    from demos.distillation.ui import precomputed_figures

    for figure, name in zip(precomputed_figures(results), ("grid.png", "fractions.png")):
        figure.savefig(out / name, dpi=110)


def redraw(out: Path = OUT) -> None:
    """Draw the PNGs again from results.json, without retraining (python -m demos.distillation.train --redraw)."""
    save_figures(json.loads((out / "results.json").read_text(encoding="utf-8")), out)
    card = read_card(out)
    write_card(out, {k: v for k, v in card.items() if k != "files"})


if __name__ == "__main__":
    torch.set_num_threads(2)
    np.set_printoptions(precision=4)
    main()
