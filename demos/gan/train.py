"""Train the bundled class-conditional digit GAN on the offline digits; write its weights, the training
timeline's snapshots and card.json with the quality bar measured by the shared digit classifier.

    python -m demos.gan.train                        # the run that made assets/models/gan/digit_gan
    python -m demos.gan.train --quick --out /tmp/x   # CI smoke run (a few steps)
    python -m demos.gan.train --remeasure            # only the card, from the shipped weights
    python -m demos.gan.train --playground           # only the playground presets -> assets/models/gan/results.json
    python -m demos.gan.train --truncation           # precision/recall vs ψ -> assets/models/gan/truncation.json

Hinge loss, a projection discriminator with spectral normalisation, Adam (2e-4, β = 0, 0.9), batch 64,
an exponential moving average of the generator's weights (what ships), and model selection by digit-FID
on held-out evaluation draws every ``--eval-every`` steps (early stopping after ``--patience`` evaluations
without improvement). The test digits are the FID reference; they are never trained on.
"""
from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from core.classifier import DIGIT_CNN
from core.data.digits import TEST, TRAIN, fingerprint, load_digits, load_split, to_tensor
from core.models import read_card, read_tensors, write_card
from core.seeding import generator
from demos.gan import logic
from demos.gan.model import DIGIT_GAN, DigitDiscriminator, DigitGenerator, timeline_generators

OUT = DIGIT_GAN.directory
EVAL_SAMPLES = 1000
TIMELINE_STEPS = (0, 300, 1000, 2000, 4000)  # plus the final (best) generator
EMA = 0.999


@torch.no_grad()
def recalibrate(model: DigitGenerator, seed: int = 0, batches: int = 20, size: int = 250) -> DigitGenerator:
    """Batch-norm statistics measured afresh on the generator's own draws (the running averages lag
    behind a generator that is still changing, and an EMA copy never had its own)."""
    gen = generator(seed)
    for layer in model.modules():
        if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
            layer.reset_running_stats()
            layer.momentum = None  # cumulative average over the batches below
    model.train()
    for _ in range(batches):
        labels = torch.randint(0, 10, (size,), generator=gen)
        model(torch.randn(size, model.z_dim, generator=gen), logic.one_hot(labels))
    return model.eval()


def evaluate(model: DigitGenerator, classifier, reference: np.ndarray, seed: int = 12345) -> dict:
    """The quality bar on EVAL_SAMPLES draws (100 of each digit, then EVAL_SAMPLES with random classes)."""
    gen = generator(seed)
    labels = torch.arange(10).repeat_interleave(EVAL_SAMPLES // 10)
    z = torch.randn(len(labels), model.z_dim, generator=gen)
    images = logic.generate(model, z, logic.one_hot(labels))
    judged = logic.meter(classifier, images, labels.numpy())
    per_class = [float((judged.predicted[labels.numpy() == d] == d).mean()) for d in range(10)]
    random_labels = torch.randint(0, 10, (EVAL_SAMPLES,), generator=gen)
    random_images = logic.generate(model, torch.randn(EVAL_SAMPLES, model.z_dim, generator=gen),
                                   logic.one_hot(random_labels))
    free = logic.meter(classifier, random_images)
    return {
        "class_accuracy": round(judged.match, 4),
        "worst_class_accuracy": round(min(per_class), 4),
        "per_class_accuracy": [round(a, 3) for a in per_class],
        "mean_confidence": round(judged.mean_confidence, 4),
        "random_class_coverage": int((free.histogram > 0).sum()),
        "random_class_entropy_bits": round(free.entropy_bits, 3),
        "digit_fid": round(logic.digit_fid(classifier, images, reference), 2),
    }


def fid_bounds(classifier, reference: np.ndarray, untrained: DigitGenerator) -> dict:
    """The floor: two halves of the real test digits (660 against 659), and, with the generator's sample size,
    1,000 real training digits against the test digits (FID is biased upwards for fewer samples, so a
    generator measured on 1,000 can land below the halves); the ceiling: an untrained generator."""
    order = np.random.default_rng(0).permutation(len(reference))
    half = len(order) // 2
    floor = logic.digit_fid(classifier, reference[order[:half]], reference[order[half:]])
    training = load_split(TRAIN).images
    real = logic.digit_fid(classifier, training[np.random.default_rng(1).permutation(len(training))[:EVAL_SAMPLES]],
                           reference)
    ceiling = evaluate(untrained, classifier, reference)["digit_fid"]
    return {"digit_fid_floor_real_halves": round(floor, 2), "digit_fid_real_training_1000": round(real, 2),
            "digit_fid_ceiling_untrained": ceiling}


def snapshot(model: DigitGenerator) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in recalibrate(copy.deepcopy(model)).state_dict().items()}


def train(steps: int, out: Path, seed: int = 0, eval_every: int = 500, patience: int = 4, batch: int = 64,
          lr: float = 2e-4) -> dict:
    started = time.time()
    torch.manual_seed(seed)
    gen = generator(seed)
    data = load_split(TRAIN)
    images, labels = to_tensor(data.images), torch.from_numpy(data.labels)
    reference = load_split(TEST).images
    classifier = DIGIT_CNN.load(torch.device("cpu")).model

    g, d = DigitGenerator(), DigitDiscriminator()
    ema = copy.deepcopy(g).eval()
    opt_g = torch.optim.Adam(g.parameters(), lr, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(d.parameters(), lr, betas=(0.0, 0.9))
    timeline = {0: snapshot(g)}
    best, best_step, best_fid, waited, history = None, 0, float("inf"), 0, []
    for step in range(1, steps + 1):
        pick = torch.randint(0, len(images), (batch,), generator=gen)
        real, y = images[pick], labels[pick]
        fake_y = torch.randint(0, 10, (batch,), generator=gen)
        fake = g(torch.randn(batch, g.z_dim, generator=gen), logic.one_hot(fake_y))
        loss_d = torch.relu(1 - d(real, y)).mean() + torch.relu(1 + d(fake.detach(), fake_y)).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = -d(fake, fake_y).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():
            for e, p in zip(ema.parameters(), g.parameters()):
                e.lerp_(p, 1 - EMA if step > 200 else 1.0)  # follow exactly at first, then average
        if step in TIMELINE_STEPS:
            timeline[step] = snapshot(ema)
        if step % eval_every == 0 or step == steps:
            scores = evaluate(recalibrate(copy.deepcopy(ema)), classifier, reference)
            history.append({"step": step, "loss_d": round(loss_d.item(), 4), "loss_g": round(loss_g.item(), 4),
                            **{k: scores[k] for k in ("class_accuracy", "digit_fid")}})
            print(history[-1], f"{time.time() - started:.0f}s", flush=True)
            if scores["digit_fid"] < best_fid:
                best, best_step, best_fid, waited = copy.deepcopy(ema), step, scores["digit_fid"], 0
            else:
                waited += 1
                if waited >= patience:
                    break
    final = recalibrate(best)
    timeline[best_step] = {k: v.detach().clone() for k, v in final.state_dict().items()}
    training = {
        "command": "python -m demos.gan.train",
        "seconds": round(time.time() - started, 1),
        "seed": seed,
        "loss": "hinge",
        "optimizer": f"Adam lr {lr}, betas (0, 0.9), batch {batch}, generator weights averaged (EMA {EMA})",
        "steps_run": history[-1]["step"],
        "best_step": best_step,
        "model_selection": f"lowest digit-FID every {eval_every} steps, patience {patience}; the FID reference is "
                           "the test digits, so the selection has seen them (never trained on them)",
        "history": history,
    }
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in final.state_dict().items()}, str(out / "weights.safetensors"))
    save_file({f"step{at}.{k}": (v.half() if v.is_floating_point() else v).contiguous()
               for at, state in timeline.items() for k, v in state.items()}, str(out / "timeline.safetensors"))
    return measure(out, training)


def measure(out: Path, training: dict) -> dict:
    """Measure the generator and the timeline snapshots saved in ``out`` and write the card."""
    classifier = DIGIT_CNN.load(torch.device("cpu")).model
    reference = load_split(TEST).images
    final = DigitGenerator()
    final.load_state_dict(read_tensors(out / "weights.safetensors"))
    final.eval()
    metrics = evaluate(final, classifier, reference)
    timeline_metrics, untrained = [], None
    for at, model in timeline_generators(out):
        untrained = model if at == 0 else untrained
        scores = evaluate(model, classifier, reference)
        timeline_metrics.append({"step": at, **{k: scores[k] for k in ("class_accuracy", "mean_confidence",
                                                                        "random_class_coverage", "digit_fid")}})
    bounds = fid_bounds(classifier, reference, untrained)  # the ceiling: the snapshot at step 0
    card = {
        "name": DIGIT_GAN.key,
        "topic": "gan",
        "architecture": "class-conditional DCGAN: z 64-d + one-hot class -> linear 96x7x7 -> 2 transposed convs "
                        "(batch norm, ReLU) -> tanh, 28x28; projection discriminator with spectral norm",
        "data": f"offline digits, training split only (core/data/digits.py, sha256 {fingerprint(load_digits())}): "
                f"{len(load_split(TRAIN))} images, handwritten and typeset",
        "training": training,
        "metrics": {**metrics, **bounds, "samples": EVAL_SAMPLES},
        "timeline": timeline_metrics,
        "targets": {"class_accuracy": ">= 0.9", "random_class_coverage": "10 of 10",
                    "digit_fid": "between the floors (real digits) and the ceiling (untrained), near the floors"},
        "evaluation": "shared digit CNN (assets/models/core/digit_cnn); digit-FID = Fréchet distance of its 128 "
                      "penultimate features, 1,000 samples vs the 1,319 real test digits (the same reference chose the "
                      "best checkpoint, so the generator's FID is slightly optimistic; it never trained on them)",
        "license": "data: scikit-learn digits (BSD-3), Debian fonts (see the digit CNN's card); weights: MIT",
    }
    return write_card(out, card, final)


def measure_playground(out: Path, every: int = 50, horizon: int = 600) -> dict:
    """The playground's presets as the tab runs them (logic.PRESETS), and the collapse preset with 5
    discriminator steps (is it the loss or the extra steps?), each trained ``horizon`` steps: the modes covered
    and the share of points at a mode every ``every`` steps, and the seconds per 200 steps on one thread."""
    import dataclasses
    import json

    collapse, cure = logic.PRESETS["collapse"][0], logic.PRESETS["cure"][0]
    runs = {"collapse": collapse, "cure": cure, "gan_d5": dataclasses.replace(collapse, d_steps=5)}
    found = {}
    for name, config in runs.items():
        play = logic.new_playground(config)
        checkpoints, started = [], time.perf_counter()
        while play.steps < horizon:
            logic.train_steps(play, every)
            fake = logic.field_view(play, resolution=2, arrows=2).fake
            covered, near = logic.mode_coverage(fake)
            counts = logic.mode_counts(fake)
            checkpoints.append({"step": play.steps, "modes": covered, "at_a_mode": round(near, 3),
                                "busiest_mode": int(counts.argmax()) if counts.sum() else None})
        seconds = time.perf_counter() - started
        at = {c["step"]: c for c in checkpoints}
        preset_steps = logic.PRESETS[name][1] if name in logic.PRESETS else None
        found[name] = {"settings": dataclasses.asdict(config), "preset_steps": preset_steps,
                       "at_preset": at.get(preset_steps), "checkpoints": checkpoints,
                       "modes_every_100": [c["modes"] for c in checkpoints if c["step"] % 100 == 0],
                       "seconds_per_200_steps": round(seconds / horizon * 200, 2)}
        print(name, found[name]["modes_every_100"], found[name]["at_preset"], found[name]["seconds_per_200_steps"],
              flush=True)
    results = {"date": time.strftime("%Y-%m-%d"), "torch": torch.__version__, "threads": torch.get_num_threads(),
               "checkpoint_every": every, "horizon": horizon, **found}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


TRUNCATION_PSIS = (0.0, 0.5, 1.0, 1.5, 2.0)
TRUNCATION_SEEDS = (2024, 1, 2)


def measure_truncation(out: Path, samples: int = logic.MAX_GRID, seeds: tuple[int, ...] = TRUNCATION_SEEDS,
                       digits: tuple[int, ...] = tuple(range(10))) -> dict:
    """Truncation's trade-off as the tab measures it: for each ψ, improved precision and recall (k = 3) of a grid
    of ``samples`` samples of one digit against as many real training digits of that digit (the tab's reference),
    averaged over the digits and the grid seeds; the same against the real test digits (never trained on); and
    the class-histogram 'diversity' (bits) the old meter showed for one requested digit."""
    import json

    classifier = DIGIT_CNN.load(torch.device("cpu")).model
    model = DIGIT_GAN.load(torch.device("cpu")).model
    splits = {"training": load_split(TRAIN), "test": load_split(TEST)}
    rows = []
    for psi in TRUNCATION_PSIS:
        scores = {name: [] for name in splits}
        bits = []
        for digit in digits:
            for seed in seeds:
                images, labels = logic.sample(model, seed, samples, digit, psi)
                fake = logic.features(classifier, images)
                bits.append(logic.meter(classifier, images, labels).entropy_bits)
                for name, data in splits.items():
                    real = logic.features(classifier, logic.real_reference(data.images, data.labels, digit, samples))
                    found = logic.precision_recall(real, fake)
                    scores[name].append((found.precision, found.recall))
        row = {"psi": psi, "class_spread_bits": round(float(np.mean(bits)), 3)}
        for name, pairs in scores.items():
            pairs = np.array(pairs)
            row[name] = {"precision": round(float(pairs[:, 0].mean()), 3),
                         "recall": round(float(pairs[:, 1].mean()), 3),
                         "precision_min": round(float(pairs[:, 0].min()), 3),
                         "recall_max": round(float(pairs[:, 1].max()), 3)}
        rows.append(row)
        print(row, flush=True)
    results = {"date": time.strftime("%Y-%m-%d"), "command": "python -m demos.gan.train --truncation",
               "samples_per_grid": samples, "k": logic.PR_K, "digits": list(digits), "seeds": list(seeds),
               "grids_per_psi": len(digits) * len(seeds),
               "reference": "as many real digits of the requested class as samples, a fixed draw "
                            "(logic.real_reference, seed 0); 'training': the digits the GAN trained on (the tab's "
                            "reference); 'test': the test digits, never trained on",
               "rows": rows}
    out.mkdir(parents=True, exist_ok=True)
    (out / "truncation.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--steps", type=int, default=8000)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a few steps, for CI")
    parser.add_argument("--playground", action="store_true", help="only measure the playground's presets")
    parser.add_argument("--truncation", action="store_true",
                        help="only measure precision/recall against ψ (with --quick: 2 digits, 1 seed)")
    parser.add_argument("--remeasure", action="store_true", help="only measure the weights in --out again")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.playground:
        measure_playground(args.out.parent if args.out == OUT else args.out)
        return
    if args.truncation:
        quick = dict(samples=16, seeds=(2024,), digits=(1, 7)) if args.quick else {}
        measure_truncation(args.out.parent if args.out == OUT else args.out, **quick)
        return
    if args.remeasure:
        card = measure(args.out, read_card(args.out)["training"])
    elif args.quick:
        card = train(4, args.out, args.seed, eval_every=4)
    else:
        card = train(args.steps, args.out, args.seed, args.eval_every)
    print({k: card["metrics"][k] for k in ("class_accuracy", "digit_fid", "digit_fid_floor_real_halves",
                                           "digit_fid_ceiling_untrained")})


if __name__ == "__main__":
    main()
