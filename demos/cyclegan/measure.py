"""Measure what the CycleGAN tab's lecture notes quote, from the shipped models, and write results.json.

    python -m demos.cyclegan.measure            # writes assets/models/cyclegan/results.json (about 30 s)
    python -m demos.cyclegan.measure --quick --out /tmp/x   # two photos, into another folder (CI)

The digits pair on every test digit, both ways: the digit kept, the style reached, the cycle error, and the
"ghosts" (translations that read as another digit but come back right). vintagify on the example photos at the
CPU working size: how much G changes a photo, and how much it changes its own output (the identity test).
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from core.classifier import DIGIT_CNN
from core.data.digits import HANDWRITTEN, TEST, TRAIN, TYPESET, load_split, to_tensor
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
                     "lost": lost, "hidden": hidden, "ghost_calls": ghost_calls(classifier, trip, test.labels)}
    return out


DRAWN = 200  # held-out drawn digits (drawn.py), 20 of each class


def trip_figures(trip: logic.RoundTrip, labels: np.ndarray, target: int, judge) -> dict:
    """What the page says about a batch of round trips: the digit kept, the style reached (and how sure the
    calibrated judge is), the change |G(x) − x|, the cycle error, and the ghosts under the page's rule."""
    change = np.abs(trip.translated.astype(np.float32) - trip.x.astype(np.float32)).mean(axis=(1, 2)) / 255
    style_p = logic.style_probabilities(judge, trip.translated)[:, target]
    return {"digit_kept": round(float((trip.read_translated == labels).mean()), 4),
            "target_style": round(float((trip.style_translated == target).mean()), 4),
            "target_style_p_mean": round(float(style_p.mean()), 4),
            "change": round(float(change.mean()), 4),
            "digit_back": round(float((trip.read_reconstructed == labels).mean()), 4),
            "cycle_l1": round(float(trip.cycle_l1.mean()), 4)}


@torch.inference_mode()
def ghost_calls(classifier, trip: logic.RoundTrip, labels: np.ndarray, given: np.ndarray | None = None) -> dict:
    """How often a page would call a ghost, by the old rule (x, G(x), F(G(x)) read as a, b ≠ a, a) and by the
    page's rule now (logic.is_ghost: the classifier also sure of x, and x read as the picture before its scan when
    there was one: ``given``, the pictures before into_domain), and how many of those calls were on a digit whose
    x the classifier misread (a ghost that is the classifier's mistake)."""
    from core.data.digits import to_tensor

    readings = [classifier(to_tensor(images)).softmax(1) for images in (trip.x, trip.translated, trip.reconstructed)]
    read = np.stack([p.argmax(1).numpy() for p in readings], 1)
    confidence = np.stack([p.max(1).values.numpy() for p in readings], 1)
    before = [None] * len(read) if given is None else classifier(to_tensor(given)).argmax(1).tolist()
    old = (read[:, 1] != read[:, 0]) & (read[:, 2] == read[:, 0])
    new = np.array([logic.is_ghost(r, c, b) for r, c, b in zip(read, confidence, before)], bool)
    misread = read[:, 0] != labels
    return {"old_rule": int(old.sum()), "old_rule_x_misread": int((old & misread).sum()),
            "page_rule": int(new.sum()), "page_rule_x_misread": int((new & misread).sum())}


def drawn(count: int = DRAWN) -> dict:
    """The held-out drawn digits (drawn.py: strokes on the sketchpad's canvas, through drawing_to_gray and
    normalize_digit), both ways, as the page took them before (as they are) and now (logic.into_domain)."""
    from demos.cyclegan.drawn import SEED, drawn_digits
    from demos.cyclegan.model import raw_style_judge

    device = torch.device("cpu")
    pair, classifier = DIGITS.load(device).model, DIGIT_CNN.load(device).model
    judge, raw = style_judge(), raw_style_judge()
    _, digits, labels = drawn_digits(count, SEED)
    out = {"digits": count, "seed": SEED,
           "sha256_first_100": hashlib.sha256(np.ascontiguousarray(digits[:100]).tobytes()).hexdigest(),
           "read_x": round(float((classifier(to_tensor(digits)).argmax(1).numpy() == labels).mean()), 4),
           "judged_typeset": round(float((logic.style_probabilities(judge, digits).argmax(1) == TYPESET).mean()), 4)}
    for name, source, (forward, backward) in (("a_to_b", HANDWRITTEN, (pair.g, pair.f)),
                                              ("b_to_a", TYPESET, (pair.f, pair.g))):
        mapped = [logic.into_domain(judge, digit, name) for digit in digits]
        scanned = np.array([s for _, s in mapped])
        x = np.stack([m for m, _ in mapped])
        before = logic.round_trip(forward, backward, classifier, judge, digits)
        after = logic.round_trip(forward, backward, classifier, judge, x)
        out[name] = {"scanned": round(float(scanned.mean()), 4),
                     "before": trip_figures(before, labels, 1 - source, judge),
                     "after": {**trip_figures(after, labels, 1 - source, judge),
                               "x_judged_handwritten": round(float((logic.style_probabilities(judge, x).argmax(1)
                                                                    == HANDWRITTEN).mean()), 4)},
                     "ghosts_before": ghost_calls(classifier, before, labels),
                     "ghosts_after": ghost_calls(classifier, after, labels, digits)}
        out[name]["before"]["raw_judge_target_p_mean"] = round(float(
            logic.style_probabilities(raw, before.translated)[:, 1 - source].mean()), 4)
    # The levels the bar compares with: G on the handwritten test digits, G on typeset ones (which it should
    # leave alone)
    hand, typeset = load_split(TEST, HANDWRITTEN), load_split(TEST, TYPESET)
    for key, images, gen in (("handwritten_test_change", hand.images, pair.g),
                             ("typeset_test_change_by_g", typeset.images, pair.g)):
        translated = logic.apply_batch(gen, images)
        out[key] = round(float(np.abs(translated.astype(np.float32) - images.astype(np.float32)).mean() / 255), 4)
    return out


def scan_ink() -> dict:
    """SCAN_INK's reason: the ink per 8×8 grid (sum of the 0-16 counts) of the training scans, overall and per digit
    class (about the same for all: thin strokes were thickened), and of the typeset training digits (font renders)
    put through scan_grid (at least SCAN_INK: thickening only adds ink)."""
    from sklearn.datasets import load_digits as sklearn_digits

    from core.data.digits import load_digits

    digits = load_digits()
    training = digits.split[digits.style == HANDWRITTEN] == TRAIN
    sklearn = sklearn_digits()
    grids, classes = sklearn.images[training], sklearn.target[training]
    fonts = load_split(TRAIN, TYPESET).images[::4]
    return {"training_scans": round(float(grids.sum(axis=(1, 2)).mean()), 1),
            "training_scans_by_class": [round(float(grids[classes == k].sum(axis=(1, 2)).mean()), 1)
                                        for k in range(10)],
            "font_renders_scanned": round(float(np.mean([logic.scan_grid(x).sum() for x in fonts])), 1),
            "ink": logic.SCAN_INK}


def scan_grey_levels() -> dict:
    """SCAN_GREY_LEVELS' reason: the quantiles (0, 1/32, ..., 1) of the non-zero 28×28 pixel values of the
    handwritten training scans (no test or held-out digit used), which match_grey_levels maps a scan onto."""
    scans = load_split(TRAIN, HANDWRITTEN).images
    inked = scans[scans > 0].astype(np.float64)
    levels = np.quantile(inked, np.linspace(0, 1, len(logic.SCAN_GREY_LEVELS)))
    return {"training_scans": [int(v) for v in np.rint(levels)], "levels": list(logic.SCAN_GREY_LEVELS)}


def scan_slant(count: int = DRAWN) -> dict:
    """deskew's reason: the spread (standard deviation) of the slant (logic.slant) of the training scans' 8×8
    grids, against that of the held-out drawings' grids (scan_grid) without and with deskew."""
    from sklearn.datasets import load_digits as sklearn_digits

    from core.data.digits import load_digits
    from demos.cyclegan.drawn import SEED, drawn_digits

    digits = load_digits()
    training = digits.split[digits.style == HANDWRITTEN] == TRAIN
    grids = sklearn_digits().images[training]
    _, drawings, _ = drawn_digits(count, SEED)

    def spread(pictures) -> float:
        return round(float(np.std([logic.slant(p) for p in pictures])), 3)

    return {"training_scans": spread(grids), "drawn": spread([logic.scan_grid(d) for d in drawings]),
            "drawn_deskewed": spread([logic.scan_grid(logic.deskew(d)) for d in drawings])}


def style_calibration() -> dict:
    """The style judge on what the page shows it: F's translations of the typeset test digits (B → A), before
    and after its temperature; and its calibration on the test digits (calibrate.py)."""
    import json

    from demos.cyclegan.model import STYLE_CALIBRATION, raw_style_judge

    pair = DIGITS.load(torch.device("cpu")).model
    typeset = load_split(TEST, TYPESET)
    translated = logic.apply_batch(pair.f, typeset.images)
    found = {}
    for name, judge in (("before", raw_style_judge()), ("after", style_judge())):
        p = logic.style_probabilities(judge, translated)
        handwritten = p.argmax(1) == HANDWRITTEN
        shown = p[handwritten, HANDWRITTEN]
        found[name] = {"handwritten_verdicts": int(handwritten.sum()),
                       "p_min": round(float(shown.min()), 4), "p_max": round(float(shown.max()), 4),
                       "p_mean": round(float(shown.mean()), 4)}
    fit = json.loads(STYLE_CALIBRATION.read_text(encoding="utf-8"))
    return {"b_to_a_translations": found, "temperature": fit["temperature"], "test": fit["test"]}


def vintage(photos=PHOTOS) -> dict:
    g = VINTAGE.load(torch.device("cpu")).model.g
    rows = {}
    for name, photo in zip(photos, example_photos(photos)):
        x = logic.to_working_size(photo, SIDE)
        translated = logic.apply(g, x)
        corr = float(np.corrcoef(x.astype(np.float32).ravel(), translated.astype(np.float32).ravel())[0, 1])
        rows[name] = {"size": list(x.shape[1::-1]), "change": round(float(logic.cycle_error(x, translated).mean()), 4),
                      "identity_change": round(logic.identity_change(g, translated)[1], 4),
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
               "drawn": drawn(40 if args.quick else DRAWN), "style_judge": style_calibration(),
               "ghost_sure": logic.SURE,
               "vintage": vintage(PHOTOS[:2] if args.quick else PHOTOS), "vintage_side": SIDE}
    if not args.quick:
        results["scan_ink"] = scan_ink()
        results["scan_grey_levels"] = scan_grey_levels()
    results["scan_slant"] = scan_slant(40 if args.quick else DRAWN)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / RESULTS.name).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "card"}, indent=1))
    return results


if __name__ == "__main__":
    main()
