"""The tab's matplotlib figures, in the user's language (no Gradio here: train.py draws them too)."""
from __future__ import annotations

import numpy as np

from core import plots
from core.i18n import t
from demos.distillation import strings  # noqa: F401  registers the words the figures use

LANGS = ("en", "zh")


def training_curves(distilled: np.ndarray, hard: np.ndarray, lang: str):
    """Test accuracy per epoch, mean line and min-max band over seeds; arrays are (seeds, epochs)."""
    fig, ax = plots.new_figure(8, 3.8)
    names = {key: t(f"distillation.legend_{key}", lang) for key in ("distilled", "hard")}
    plots.curves_with_band(ax, {names["distilled"]: distilled, names["hard"]: hard},
                           {names["distilled"]: plots.COLORS["main"], names["hard"]: plots.COLORS["second"]})
    plots.style(ax, "", t("distillation.axis_epoch", lang), t("distillation.axis_accuracy", lang))
    return fig


def gradient_curves(temperatures: np.ndarray, with_t2: np.ndarray, without_t2: np.ndarray, lang: str):
    """The soft-target gradient's size against T, with and without the T² factor: the page's line plot, for a
    download."""
    with_name, without_name = (t(f"distillation.curve_{key}", lang) for key in ("with_t2", "without_t2"))
    return plots.line_figure({with_name: (temperatures, with_t2), without_name: (temperatures, without_t2)},
                             {with_name: plots.COLORS["main"], without_name: plots.COLORS["second"]},
                             title=t("distillation.grad_plot", lang), xlabel="T", ylabel="‖∂L/∂v‖", width=9,
                             title_size=plots.FONT - 1)


def accuracy_grid(results: dict, lang: str):
    """The precomputed T x alpha heat map of the distilled student's test accuracy."""
    grid = results["grid"]
    fig, ax = plots.new_figure(7, 4.2)
    image = plots.heatmap(ax, np.array(grid["accuracy"], dtype=float), grid["temperatures"], grid["alphas"])
    fig.colorbar(image, ax=ax)
    title = t("distillation.grid_title", lang, fraction=grid["fraction"], epochs=grid.get("epochs", 30),
              seeds=grid["seeds"])
    plots.style(ax, title, t("distillation.axis_alpha", lang), "T")
    return fig


def transfer_curve(results: dict, lang: str):
    """When distillation beats hard labels: the paired gap (distilled - hard, percentage points) with its 95%
    interval over seeds, against the transfer-set share, one line per number of epochs; on the test digits and
    on the stroke-drawn held-out digits."""
    sweep = results["sweep"]
    fig, axes = plots.new_figure(11, 4.4, ncols=2, sharey=True)
    x = np.array(sweep["fractions"]) * 100
    palette = ["#9ca3af", "#f97316", "#16a34a", "#2563eb", "#7c3aed"]
    for ax, test_set in zip(axes, ("test", "strokes")):
        ax.axhline(0, color="black", linewidth=1)
        for number, epochs in enumerate(sweep["epochs"]):
            cells = sorted((c for c in sweep["cells"] if c["epochs"] == epochs), key=lambda c: c["fraction"])
            gaps = [c[test_set]["gap"] for c in cells]
            mean = np.array([g["mean"] for g in gaps]) * 100
            low = mean - np.array([g["low"] for g in gaps]) * 100
            high = np.array([g["high"] for g in gaps]) * 100 - mean
            shift = 1 + 0.04 * (number - (len(sweep["epochs"]) - 1) / 2)  # side by side, not on top of each other
            ax.errorbar(x * shift, mean, yerr=[low, high], color=palette[number % len(palette)], linewidth=2,
                        capsize=3, marker="o", markersize=4,
                        label=str(epochs))
        ax.set_xscale("log")
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.minorticks_off()
        ax.grid(alpha=0.3)
        plots.style(ax, t(f"distillation.gap_title_{test_set}", lang), "",
                    t("distillation.axis_gap", lang) if test_set == "test" else "")
    axes[1].legend(fontsize=plots.FONT - 2, title=t("distillation.legend_epochs", lang), title_fontsize=plots.FONT - 2,
                   frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.supxlabel(t("distillation.axis_fraction", lang), fontsize=plots.FONT)
    fig.suptitle(t("distillation.fractions_title", lang, temp=sweep["temperature"], alpha=sweep["alpha"],
                   seeds=sweep["seeds"]), fontsize=plots.FONT)
    return fig


PRECOMPUTED = {"grid": accuracy_grid, "fractions": transfer_curve}


def precomputed_png(name: str, lang: str, directory) -> str:
    """Where train.py saves a precomputed figure: e.g. grid.zh.png."""
    return str(directory / f"{name}.{lang}.png")


def save_precomputed(results: dict, directory) -> None:
    for name, draw in PRECOMPUTED.items():
        for lang in LANGS:
            draw(results, lang).savefig(precomputed_png(name, lang, directory), dpi=110)
