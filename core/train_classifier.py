"""Train the bundled digit CNN on the offline digits and write weights + card.json.

    python -m core.train_classifier              # the full run that made assets/models/core/digit_cnn
    python -m core.train_classifier --quick --out /tmp/x   # CI's smoke run (a few steps)

No label smoothing: it erases the 'dark knowledge' the distillation tab shows (Müller et al., 2019).
"""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from core.classifier import DIGIT_CNN, DigitCNN
from core.data.digits import HANDWRITTEN, STYLE_NAMES, TEST, TRAIN, TYPESET, fingerprint, load_digits, to_tensor
from core.models import write_card


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random small rotation, scale and shift of a batch (N, 1, 28, 28)."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=generator) - 0.5) * math.radians(24)
    scale = 1 + (torch.rand(n, generator=generator) - 0.5) * 0.2
    shift = (torch.rand(n, 2, generator=generator) - 0.5) * (4 / 14)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


@torch.inference_mode()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x).argmax(1) == y).float().mean())


def evaluate(model: torch.nn.Module) -> dict[str, float]:
    digits = load_digits()
    out = {}
    for style in (HANDWRITTEN, TYPESET):
        test = digits.subset(TEST, style)
        out[f"test_accuracy_{STYLE_NAMES[style]}"] = round(
            accuracy(model, to_tensor(test.images), torch.from_numpy(test.labels)), 4)
    return out


def train(max_epochs: int = 40, patience: int = 8, max_steps: int | None = None, seed: int = 0,
          batch_size: int = 128, lr: float = 2e-3):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    digits = load_digits()
    train_set = digits.subset(TRAIN)
    # 10% of the training digits steer early stopping; the test split is never looked at here.
    order = np.random.default_rng(seed).permutation(len(train_set))
    n_val = len(order) // 10
    val_idx, fit_idx = order[:n_val], order[n_val:]
    x_all, y_all = to_tensor(train_set.images), torch.from_numpy(train_set.labels)
    x_fit, y_fit, x_val, y_val = x_all[fit_idx], y_all[fit_idx], x_all[val_idx], y_all[val_idx]

    model = DigitCNN()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(y_fit) / batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max_epochs * steps_per_epoch)
    best, best_state, since_best, steps, epochs_run = -1.0, None, 0, 0, 0
    for epoch in range(max_epochs):
        model.train()
        perm = torch.randperm(len(y_fit), generator=generator)
        for start in range(0, len(perm), batch_size):
            idx = perm[start:start + batch_size]
            loss = F.cross_entropy(model(augment(x_fit[idx], generator)), y_fit[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            steps += 1
            if max_steps and steps >= max_steps:
                break
        epochs_run = epoch + 1
        val = accuracy(model, x_val, y_val)
        print(f"epoch {epoch + 1:2d}  loss {loss.item():.4f}  val {val:.4f}", flush=True)
        if val > best:
            best, since_best = val, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            since_best += 1
        if since_best >= patience or (max_steps and steps >= max_steps):
            break
    model.load_state_dict(best_state)
    return model.eval(), {"steps": steps, "epochs": epochs_run, "best_val_accuracy": round(best, 4)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DIGIT_CNN.directory)
    parser.add_argument("--max-epochs", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="a few steps, for CI")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    started = time.time()
    model, run = train(max_epochs=args.max_epochs, max_steps=3 if args.quick else None, seed=args.seed)
    seconds = round(time.time() - started, 1)
    metrics = evaluate(model)
    print(metrics)
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(args.out / "weights.safetensors"))
    digits = load_digits()
    card = {
        "name": "digit-cnn", "topic": "core",
        "architecture": "CNN: 3 conv (32-32-64, 3x3, ReLU, 2 max-pools) + 2 fc (3136-128-10, dropout 0.3)",
        "data": (f"offline digits (core/data/digits.py, sha256 {fingerprint(digits)[:16]}): 1,797 handwritten "
                 f"8x8 scikit-learn digits brought to 28x28 (stratified 80/20 split, seed 0) + "
                 f"{int((digits.style == TYPESET).sum())} typeset renders of {len(digits.fonts)} Debian fonts "
                 f"with random size/rotation/shear/weight/blur (20% of fonts held out for test)"),
        "training": {"command": "python -m core.train_classifier", "seconds": seconds, "seed": args.seed,
                     "optimizer": "AdamW lr 2e-3 one-cycle, batch 128, weight decay 1e-4",
                     "augmentation": "rotation ±12°, scale ±10%, shift ±2 px",
                     "early_stopping": "best of 10% validation split from train, patience 8 epochs", **run},
        "metrics": metrics,
        "targets": {"test_accuracy_handwritten": ">= 0.98", "test_accuracy_typeset": ">= 0.98"},
        "license": "data: scikit-learn digits (BSD-3, UCI optdigits); fonts: DejaVu, Liberation (OFL), "
                   "FreeFont (GPL with font exception), URW base35 (AGPL with font exception); weights: MIT",
    }
    write_card(args.out, card, model)
    print(f"wrote {args.out} in {seconds} s")


if __name__ == "__main__":
    main()
