"""The cost of a figure, same run, same figures: the picture an Image output shows (``core.plots.to_rgb``,
Agg's pixel buffer, against the PNG written and read back that it replaced), and a download's PNG
(``core.export.png_bytes``, one drawing of a constrained figure, against "tight", which drew it twice); and the
fill-mask context figure's 128 cell numbers, out of the constrained layout in one font, against the layout measuring
each of them with the CJK fallback list (as it did before).

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


def tight_png(fig) -> bytes:
    """The old download: cut to what the figure draws, which draws it once more to measure it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def downloads() -> dict:
    """Builders of the figures drawn per call for a download button."""
    from core import plots
    from demos.distillation import figures as distillation
    from demos.saliency import figures as saliency

    temperatures = np.geomspace(1, 20, 40)
    names = ["Egyptian cat", "tabby, tabby cat", "tiger cat", "lynx, catamount", "paper towel"]
    t = np.linspace(0, 1, 9)
    return {
        "distillation gradient against T": lambda: distillation.gradient_curves(
            temperatures, 0.3 * temperatures, 1 / temperatures, "en"),
        "saliency top-5 bars": lambda: saliency.top_bars(names, [0.61, 0.2, 0.1, 0.03, 0.01], title="Top 5",
                                                         xlabel="probability"),
        "GAN ‖z‖ along two paths": lambda: plots.line_figure(
            {"lerp": (t, 8 - 2 * np.sin(np.pi * t)), "slerp": (t, np.full_like(t, 8.0))},
            {"lerp": plots.COLORS["main"], "slerp": plots.COLORS["second"]}, title="‖z‖", xlabel="t",
            ylabel="‖z‖", marker="o"),
    }


def context_cells(cells_in_layout: bool):
    """The context figure of the tab's 8 example sentences; ``cells_in_layout`` puts its cell numbers back as they
    were: measured by the constrained layout, in the fallback list of fonts."""
    from core import plots
    from demos.fill_mask import figures as fill_mask

    lines = [f"Sentence {i} about the bank of the river." for i in range(8)]
    similarity = np.clip(np.random.default_rng(0).normal(0.8, 0.1, (7, 8, 8)), -1, 1)
    fig = fill_mask.similarity_figure(similarity, 3, lines, "en")
    if cells_in_layout:
        for ax in fig.axes:
            for text in ax.texts:
                text.set_in_layout(True)
                text.set_family(plots.SANS)
    return fig


def main() -> int:
    from core.export import png_bytes
    from core.plots import to_rgb

    rows = []
    for name, build in figures().items():
        same = bool(np.array_equal(to_rgb(build()), png_round_trip(build())))
        built = timed(build, repeat=10)
        old = timed(lambda build=build: png_round_trip(build()), repeat=10)
        new = timed(lambda build=build: to_rgb(build()), repeat=10)
        rows.append(f"| {name} | {built:.0f} | {old:.0f} | {new:.0f} | {new / old:.2f} | {'yes' if same else 'NO'} |")
    saved = []
    for name, build in downloads().items():
        built = timed(build, repeat=10)
        old = timed(lambda build=build: tight_png(build()), repeat=10)
        new = timed(lambda build=build: png_bytes(build()), repeat=10)
        saved.append(f"| {name} | {built:.0f} | {old:.0f} | {new:.0f} | {new / old:.2f} |")
    old = timed(lambda: to_rgb(context_cells(True)), repeat=10)
    new = timed(lambda: to_rgb(context_cells(False)), repeat=10)
    same = bool(np.array_equal(to_rgb(context_cells(True)), to_rgb(context_cells(False))))
    cells = f"| fill-mask context (8 sentences) | {old:.0f} | {new:.0f} | {new / old:.2f} | {'yes' if same else 'no'} |"
    report = "\n".join([
        "# Figures into pictures", "", f"Machine: {machine()}. `python -m bench.figures`; medians of 10 calls, "
        "milliseconds, each a new figure built and drawn (as a handler does).", "",
        "| figure | build only | PNG written and read back (before) | `to_rgb` (Agg buffer) | ratio | same pixels |",
        "| --- | ---: | ---: | ---: | ---: | --- |", *rows, "",
        "A download's PNG (150 dpi):", "",
        "| figure | build only | \"tight\" (before) | `png_bytes` (one drawing) | ratio |",
        "| --- | ---: | ---: | ---: | ---: |", *saved, "",
        "Cell numbers (`to_rgb`, 100 dpi):", "",
        "| figure | cells in the layout, font list (before) | cells out of it, one font | ratio | same pixels |",
        "| --- | ---: | ---: | ---: | --- |", cells, ""])
    print(report)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
