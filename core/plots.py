"""Matplotlib figures built with ``Figure()`` directly (pyplot is not thread-safe), sized and
lettered for a projector. Gradio renders and releases them; nothing here touches pyplot.

Chinese labels need a CJK font: matplotlib falls back glyph by glyph along ``SANS``, so the first
CJK font found there draws them (Debian/Spaces: fonts-noto-cjk, from packages.txt; Windows:
Microsoft JhengHei; macOS: PingFang TC). Without one, Chinese text would be drawn as empty boxes.
"""
from __future__ import annotations

import functools

import numpy as np

FONT = 15
COLORS = {"main": "#2563eb", "second": "#f97316"}
SANS = ["DejaVu Sans", "Noto Sans CJK TC", "Noto Sans TC", "Microsoft JhengHei", "PingFang TC", "Heiti TC",
        "Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Arial Unicode MS"]
#: For text that is only digits (numbers in a heatmap's cells): one font, no fallback list to look through.
DIGITS_FONT = SANS[0]


@functools.lru_cache(maxsize=1)
def _configure_fonts() -> None:
    import logging

    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # absent fallbacks are expected
    # A list of names, not the generic "sans-serif": only named families take part in glyph fallback.
    matplotlib.rcParams["font.family"] = SANS
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK fonts lack U+2212
    from core.device import also_on_trim

    also_on_trim(forget_fonts)


def forget_fonts() -> None:
    """Empties matplotlib's cache of open fonts. It keeps each font once per drawing thread (FreeType faces are not
    thread-safe), up to 64, about 6 MB each with a CJK fallback; Gradio's worker threads come and go, so a class
    filled it with fonts of threads long gone (40 threads drawing at once: +370 MB kept; emptied after each wave:
    +130 MB). Run before each trim; the next figure reopens its fonts (~20 ms)."""
    from matplotlib import font_manager

    cached = getattr(font_manager, "_get_font", None)  # private: a later matplotlib may have none
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


def new_figure(width: float = 8, height: float = 3.6, ncols: int = 1, nrows: int = 1,
               layout: str | None = "constrained", **kwargs):
    """A Figure and its axes. ``layout=None`` skips matplotlib's constrained layout (about half the drawing time
    of a small figure): for a figure redrawn many times a second, placed with ``fig.subplots_adjust``."""
    from matplotlib.figure import Figure  # imported on first use: keeps app start-up fast

    _configure_fonts()
    fig = Figure(figsize=(width, height), dpi=100, layout=layout)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def style(ax, title: str = "", xlabel: str = "", ylabel: str = "") -> None:
    ax.set_title(title, fontsize=FONT + 1)
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.spines[["top", "right"]].set_visible(False)


def curves_with_band(ax, series: dict[str, np.ndarray], colors: dict[str, str]) -> None:
    """Mean line and min-max band across seeds for each named (seeds, steps) array."""
    from matplotlib.ticker import MaxNLocator

    for name, values in series.items():
        values = np.atleast_2d(values)
        x = np.arange(1, values.shape[1] + 1)
        marker = "o" if len(x) <= 12 else None  # a short run is a few points: show them
        ax.plot(x, values.mean(0), color=colors[name], label=name, linewidth=2.2, marker=marker)
        if values.shape[0] > 1:
            ax.fill_between(x, values.min(0), values.max(0), color=colors[name], alpha=0.18)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.legend(fontsize=FONT - 1, frameon=False)
    ax.grid(alpha=0.3)


def line_figure(series: dict[str, tuple], colors: dict[str, str], *, title: str, xlabel: str, ylabel: str,
                width: float = 7, marker: str | None = None, title_size: int = FONT + 1):
    """Named (x, y) lines in one figure: a chart the page draws itself (gr.LinePlot), as a PNG to download. A
    legend when there is more than one line. Returns the figure: the caller saves it."""
    fig, ax = new_figure(width, 3.6)
    for name, (x, y) in series.items():
        ax.plot(x, y, color=colors[name], linewidth=2.2, marker=marker, markersize=3, label=name)
    if len(series) > 1:
        ax.legend(fontsize=FONT - 1, frameon=False)
    ax.grid(alpha=0.3)
    style(ax, title, xlabel, ylabel)
    ax.title.set_fontsize(title_size)
    return fig


def heatmap(ax, values: np.ndarray, row_labels, col_labels, fmt: str = "{:.1%}") -> None:
    """Annotated heat map; rows top to bottom, columns left to right."""
    image = ax.imshow(values, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(col_labels)), [str(c) for c in col_labels])
    ax.set_yticks(range(len(row_labels)), [str(r) for r in row_labels])
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=FONT - 3,
                        color="black" if values[i, j] > middle else "white")
    return image


def to_rgb(fig) -> np.ndarray:
    """The figure as an RGB uint8 picture (white background), for an Image output: drawn by Agg at the figure's
    own dpi and read from its pixel buffer (the same pixels as a PNG written and read back, in about 70% of the time;
    bench/figures.py)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
