"""Measure what the CycleGAN tab's lecture notes quote, from the shipped models, and write results.json.

    python -m demos.cyclegan.measure            # writes assets/models/cyclegan/results.json (about 30 s)
    python -m demos.cyclegan.measure --quick --out /tmp/x   # two photos, into another folder (CI)

The digits pair on every test digit, both ways: the digit kept, the style reached, the cycle error, and the
"ghosts" (translations that read as another digit but come back right). vintagify on the example photos at the
CPU working size: how much G changes a photo, and how much it changes its own output (the identity test).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from core.classifier import DIGIT_CNN
from core.data.digits import HANDWRITTEN, TEST, TYPESET, load_split
from core.images import example_photos
from core.models import ASSETS, read_card
from demos.cyclegan import logic
from demos.cyclegan.model import DIGITS, VINTAGE, style_judge

RESULTS = ASSETS / "cyclegan" / "results.json"
PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle.png")
SIDE = 256


def digits_pair() -> dict:
    device = torch.device("cpu")
    pair, classifier = DIGITS.load(device).model, DIGIT_CNN.load(device).model
    out = {}
    for name, source, (forward, backward) in (("a_to_b", HANDWRITTEN, (pair.g, pair.f)),
                                              ("b_to_a", TYPESET, (pair.f, pair.g))):
        test = load_split(TEST, source)
        trip = logic.round_trip(forward, backward, classifier, style_judge(), test.images)
        lost, hidden = logic.hidden_digits(trip, test.labels)
        out[name] = {"digits": len(test.labels),
                     "digit_kept": round(float((trip.read_translated == test.labels).mean()), 4),
                     "digit_back": round(float((trip.read_reconstructed == test.labels).mean()), 4),
                     "target_style": round(float((trip.style_translated == 1 - source).mean()), 4),
                     "cycle_l1": round(float(trip.cycle_l1.mean()), 4),
                     "lost": lost, "hidden": hidden}
    return out


def vintage(photos=PHOTOS) -> dict:
    g = VINTAGE.load(torch.device("cpu")).model.g
    rows = {}
    for name, photo in zip(photos, example_photos(photos)):
        x = logic.to_working_size(photo, SIDE)
        translated = logic.apply(g, x)
        again = logic.apply(g, translated)
        corr = float(np.corrcoef(x.astype(np.float32).ravel(), translated.astype(np.float32).ravel())[0, 1])
        rows[name] = {"size": list(x.shape[1::-1]), "change": round(float(logic.cycle_error(x, translated).mean()), 4),
                      "identity_change": round(float(logic.cycle_error(translated, again).mean()), 4),
                      "correlation": round(corr, 3),
                      "mean_rgb_shift": [round(float(v), 1) for v in
                                         translated.reshape(-1, 3).mean(0) - x.reshape(-1, 3).mean(0)]}
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=RESULTS.parent, help="the folder results.json is written to")
    parser.add_argument("--quick", action="store_true", help="two photos only (CI)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = {"card": read_card(DIGITS.directory), "digits": digits_pair(),
               "vintage": vintage(PHOTOS[:2] if args.quick else PHOTOS), "vintage_side": SIDE}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / RESULTS.name).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "card"}, indent=1))
    return results


if __name__ == "__main__":
    main()
