"""Calibrate the digits pair's style judge: fit a temperature (Guo et al. 2017) on the validation tenth of the
training digits (the split train.py held out to choose the checkpoint, as train.domain_parts makes it for the
shipped recipe; the judge never trained on it), and write
assets/models/cyclegan/style_calibration.json with the fit and the calibration before and after on the test digits.

    python -m demos.cyclegan.calibrate                  # writes assets/models/cyclegan/style_calibration.json
    python -m demos.cyclegan.calibrate --out /tmp/x     # into another folder (CI)

Neither the test digits nor the held-out drawn digits (drawn.py) choose anything here: they are only measured.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from core.data.digits import HANDWRITTEN, TEST, TYPESET, to_tensor
from demos.cyclegan import logic
from demos.cyclegan.model import STYLE_CALIBRATION, raw_style_judge
from demos.cyclegan.train import SCAN_SHARP, SHARP_COPIES, digit_parts, domain_parts


def labelled(images: np.ndarray | torch.Tensor, style: int) -> tuple[torch.Tensor, np.ndarray]:
    x = images if isinstance(images, torch.Tensor) else to_tensor(images)
    return x, np.full(len(x), style)


@torch.inference_mode()
def logits_of(judge, parts) -> tuple[np.ndarray, np.ndarray]:
    xs, truth = zip(*parts)
    return judge(torch.cat(xs)).numpy(), np.concatenate(truth)


def calibration(logits: np.ndarray, truth: np.ndarray, temperature: float) -> dict:
    """Accuracy, mean confidence, ECE and the handwritten digits' highest confidence, at ``temperature``."""
    z = logits / temperature
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    confidence, verdict = p.max(1), p.argmax(1)
    correct = verdict == truth
    hand = truth == HANDWRITTEN
    return {"accuracy": round(float(correct.mean()), 4), "mean_confidence": round(float(confidence.mean()), 4),
            "ece": round(logic.expected_calibration_error(confidence, correct), 4),
            "handwritten_mean_p": round(float(p[hand, HANDWRITTEN].mean()), 4),
            "handwritten_max_p": round(float(p[hand, HANDWRITTEN].max()), 4)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=STYLE_CALIBRATION.parent)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    from core.classifier import DIGIT_CNN

    parts = digit_parts()
    _, validation, _ = domain_parts(parts, 0, SHARP_COPIES, DIGIT_CNN.load(torch.device("cpu")).model,
                                    validation_only=True, scanned=SCAN_SHARP)
    judge = raw_style_judge()
    val_logits, val_truth = logits_of(judge, [labelled(validation[s][0], s) for s in (HANDWRITTEN, TYPESET)])
    temperature = logic.fit_temperature(val_logits, val_truth)
    test_logits, test_truth = logits_of(judge, [labelled(parts[TEST, s][0], s) for s in (HANDWRITTEN, TYPESET)])
    found = {"temperature": round(temperature, 4),
             "fitted_on": f"the validation tenth of the training digits (train.validation_split, seed 0): "
                          f"{int((val_truth == HANDWRITTEN).sum())} handwritten, {int((val_truth == TYPESET).sum())} "
                          "typeset; minimum negative log-likelihood",
             "validation": {"before": calibration(val_logits, val_truth, 1.0),
                            "after": calibration(val_logits, val_truth, temperature)},
             "test": {"before": calibration(test_logits, test_truth, 1.0),
                      "after": calibration(test_logits, test_truth, temperature)},
             "command": "python -m demos.cyclegan.calibrate"}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / STYLE_CALIBRATION.name).write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(found, indent=1))
    return found


if __name__ == "__main__":
    main()
