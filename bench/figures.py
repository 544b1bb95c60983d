"""The cost of turning a figure into the picture an Image output shows: ``core.plots.to_rgb`` (Agg's pixel
buffer) against the PNG written and read back that it replaced, same run, same figures.

    python -m bench.figures            # writes bench/figures-results.md
"""
from __future__ import annotations

import io
import sys

import numpy as np

from bench.common import ROOT, machine, timed

sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "figures-results.md"


def png_round_trip(fig) -> np.ndarray:
    """The old way: the figure as PNG bytes, decoded again."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, facecolor="white")
    return np.asarray(Image.open(buffer).convert("RGB"))


def figures() -> dict:
    """Builders of the figures the light actions draw per call (a new figure each time, as the handlers do)."""
    from demos.fill_mask import figures as fill_mask

    rng = np.random.default_rng(0)
    tokens = ["[CLS]", "the", "cat", "sat", "on", "the", "[MASK]", ".", "[SEP]"]
    attention = rng.random((len(tokens), len(tokens)))
    attention /= attention.sum(axis=1, keepdims=True)
    lines = ["I sat by the river bank.", "The bank lent me money.", "We fished from the bank.", "The bank closed."]
    similarity = np.clip(rng.normal(0.7, 0.1, (7, 4, 4)), -1, 1)
    return {
        "fill-mask attention (9 tokens)": lambda: fill_mask.attention_figure(tokens, attention, [6], "Layer 1",
                                                                              "en"),
        "fill-mask context (4 sentences)": lambda: fill_mask.similarity_figure(similarity, 3, lines, "en"),
    }


def main() -> int:
    from core.plots import to_rgb

    rows = []
    for name, build in figures().items():
        same = bool(np.array_equal(to_rgb(build()), png_round_trip(build())))
        built = timed(build, repeat=10)
        old = timed(lambda build=build: png_round_trip(build()), repeat=10)
        new = timed(lambda build=build: to_rgb(build()), repeat=10)
        rows.append(f"| {name} | {built:.0f} | {old:.0f} | {new:.0f} | {new / old:.2f} | {'yes' if same else 'NO'} |")
    report = "\n".join([
        "# Figures into pictures", "", f"Machine: {machine()}. `python -m bench.figures`; medians of 10 calls, "
        "milliseconds, each a new figure built and drawn (as a handler does).", "",
        "| figure | build only | PNG written and read back (before) | `to_rgb` (Agg buffer) | ratio | same pixels |",
        "| --- | ---: | ---: | ---: | ---: | --- |", *rows, ""])
    print(report)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
