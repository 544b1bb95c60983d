"""The sanity check's grid of maps and its similarity curves (one-off heavy results, so matplotlib: their labels
need CJK fonts) and the top 5 for a download.
No Gradio here."""
from __future__ import annotations

import numpy as np

from core import plots


def sanity_grid(maps: dict[str, tuple[np.ndarray, ...]], row_names: dict[str, str], column_names: list[str],
                grey_rows: tuple[str, ...] = ("input",)) -> np.ndarray:
    """Rows = methods (and references), columns = randomisation steps (original first); each map on its own 0-1
    scale (divided by its 99th percentile), as an RGB uint8 picture; ``grey_rows`` in grey (the input itself)."""

    rows, columns = len(maps), len(column_names)
    fig, axes = plots.new_figure(1.25 * columns + 1.6, 1.35 * rows + 0.9, ncols=columns, nrows=rows, squeeze=False)
    for r, (method, series) in enumerate(maps.items()):
        for c, heat in enumerate(series):
            ax = axes[r][c]
            top = float(np.percentile(heat, 99)) or 1.0
            ax.imshow(np.clip(heat / top, 0, 1), cmap="gray" if method in grey_rows else "inferno", vmin=0, vmax=1,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:  # the grid is shown at about 3/4 of its pixels: 14-pt names, ~14 px on the page
                ax.set_title(column_names[c], fontsize=plots.FONT - 1)
            if c == 0:
                ax.set_ylabel(row_names[method], fontsize=plots.FONT - 1, rotation=0, ha="right", va="center")
    return plots.to_rgb(fig)


def sanity_curves(similarity: dict[str, np.ndarray], steps: list[str], names: dict[str, str],
                  colors: dict[str, str], title: str):
    """One similarity of the sanity check (``title``) with the original map at each randomisation step: a line per
    method (``similarity[method]``, one value per step; ``names``, ``colors``), the steps as the x axis. A picture,
    not Gradio's native line plot: a native plot that was still drawing when a new model's curves came kept the old
    model's (once in CI, Chromium 156). Returns the figure."""
    fig, ax = plots.new_figure(6.4, 4.4)
    x = np.arange(len(steps))
    for method, values in similarity.items():
        ax.plot(x, values, color=colors[method], label=names[method], linewidth=2.4, marker="o", markersize=5)
    ax.axhline(0, color="#9ca3af", linewidth=1)
    ax.set_ylim(-1.05, 1.05)  # one scale for every similarity and every model
    ax.set_xticks(x, steps, rotation=35, ha="right", rotation_mode="anchor")
    ax.grid(alpha=0.3)
    plots.style(ax, title)
    fig.legend(loc="outside lower center", ncols=min(len(similarity), 3), fontsize=plots.FONT - 1, frameon=False)
    return fig


def top_bars(names: list[str], probs: list[float], *, title: str, xlabel: str):
    """The top predictions as horizontal bars (the first on top), for a download (the page draws its own
    gr.BarPlot). Returns the figure: the caller saves it."""
    fig, ax = plots.new_figure(7, 0.55 * len(names) + 1.4)
    rows = np.arange(len(names))
    ax.barh(rows, probs, color=plots.COLORS["main"])
    ax.set_yticks(rows, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    for row, p in zip(rows, probs):
        ax.text(min(p + 0.01, 0.9), row, f"{p:.2f}", va="center", fontsize=plots.FONT - 2)
    plots.style(ax, title, xlabel, "")
    return fig
