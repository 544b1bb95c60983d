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


def accuracy_grid(results: dict, lang: str):
    """The precomputed T x alpha heat map of the distilled student's test accuracy."""
    grid = results["grid"]
    fig, ax = plots.new_figure(7, 4.2)
    image = plots.heatmap(ax, np.array(grid["accuracy"], dtype=float), grid["temperatures"], grid["alphas"])
    fig.colorbar(image, ax=ax)
    title = t("distillation.grid_title", lang, fraction=grid["fraction"], seeds=grid["seeds"])
    plots.style(ax, title, t("distillation.axis_alpha", lang), "T")
    return fig


def transfer_curve(results: dict, lang: str):
    """The precomputed distilled vs hard-label accuracy as the transfer set grows."""
    gap = results["fractions"]
    fig, ax = plots.new_figure(7, 4.2)
    x = np.array(gap["fractions"]) * 100
    for key, color in (("distilled", plots.COLORS["main"]), ("hard", plots.COLORS["second"])):
        mean, std = np.array(gap[key]["mean"]), np.array(gap[key]["std"])
        ax.errorbar(x, mean, yerr=std, color=color, linewidth=2.2, capsize=4, marker="o",
                    label=t(f"distillation.legend_{key}", lang))
    ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.legend(fontsize=plots.FONT - 1, frameon=False)
    ax.grid(alpha=0.3)
    title = t("distillation.fractions_title", lang, temp=gap["temperature"], alpha=gap["alpha"], seeds=gap["seeds"])
    plots.style(ax, title, t("distillation.axis_fraction", lang), t("distillation.axis_accuracy", lang))
    return fig


PRECOMPUTED = {"grid": accuracy_grid, "fractions": transfer_curve}


def precomputed_png(name: str, lang: str, directory) -> str:
    """Where train.py saves a precomputed figure: e.g. grid.zh.png."""
    return str(directory / f"{name}.{lang}.png")


def save_precomputed(results: dict, directory) -> None:
    for name, draw in PRECOMPUTED.items():
        for lang in LANGS:
            draw(results, lang).savefig(precomputed_png(name, lang, directory), dpi=110)
