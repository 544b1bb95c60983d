"""The fill-mask tab's pictures: probability bars and tokens as HTML (sharp on a projector, any script, drawn in
no time), attention and similarity heat maps as matplotlib figures. No gradio here."""
from __future__ import annotations

import html

import numpy as np

from core import plots
from core.i18n import t

BAR = "#2563eb"
CHANGED = "#f97316"
FRAME = "#22d3ee"  # the mask rows in the attention map: cyan stands out on magma's blacks and oranges


def _token(token: str) -> str:
    return html.escape(token if token.strip() else repr(token))


def bars(title: str, tokens, probs, entropy: float | None, lang: str, highlight: str | None = None) -> str:
    """One card: a title, the entropy, and a bar per token (its probability in %; the bars' lengths relative to
    the card's most likely token, so that small probabilities still differ visibly on a projector)."""
    rows, top = [], max([*probs, 1e-12])
    for token, p in zip(tokens, probs):
        colour = CHANGED if highlight is not None and token == highlight else BAR
        rows.append(f'<div class="fm-row"><span class="fm-token">{_token(token)}</span>'
                    f'<span class="fm-track"><span class="fm-bar" style="width:{max(p / top, 0.01) * 100:.1f}%;'
                    f'background:{colour}"></span></span><span class="fm-p">{percent(p)}%</span></div>')
    foot = "" if entropy is None else f'<div class="fm-entropy">{entropy_text(entropy, lang)}</div>'
    return f'<div class="fm-card"><div class="fm-title">{html.escape(title)}</div>{"".join(rows)}{foot}</div>'


def entropy_text(bits: float, lang: str) -> str:
    """The entropy in bits and, from 1 bit on, what it means: as unsure as a fair pick among 2^H words."""
    if bits < 1:
        return t("fill_mask.entropy", lang, bits=bits)
    return t("fill_mask.entropy_choices", lang, bits=bits, choices=2 ** bits)


def percent(p: float) -> str:
    """A probability in % with the digits that tell small ones apart: 42.3, 1.5, 0.04, 0.0012."""
    value = p * 100
    if value >= 1 or value == 0:
        return f"{value:.1f}"
    return f"{value:.2g}" if value >= 1e-4 else f"{value:.1e}"


def message_card(text: str) -> str:
    """A card that says why a model has no bars (not downloaded, cannot read the text)."""
    return f'<div class="fm-card fm-message"><div class="fm-title">{html.escape(text)}</div></div>'


def grid(cards: list[str], columns: int) -> str:
    return f'<div class="fm-grid" style="--fm-columns:{columns}">{"".join(cards)}</div>'


def tokens_html(tokens: list[str], ids: list[int], masks: set[int]) -> str:
    """The model's tokens with their ids under them; the masks stand out."""
    chips = "".join(f'<span class="fm-chip{" fm-chip-mask" if i in masks else ""}"><b>{_token(token)}</b>'
                    f'<small>{number}</small></span>' for i, (token, number) in enumerate(zip(tokens, ids)))
    return f'<div class="fm-chips">{chips}</div>'


def _labels(tokens: list[str], limit: int = 40) -> tuple[list[int], list[str]]:
    step = max(1, int(np.ceil(len(tokens) / limit)))
    return list(range(0, len(tokens), step)), tokens[::step]


def attention_figure(tokens: list[str], matrix: np.ndarray, masks: list[int], title: str, lang: str):
    """The head's attention matrix (rows: from, columns: to), the mask rows framed in cyan."""
    from matplotlib.patches import Rectangle

    side = min(9.0, 3.5 + 0.22 * len(tokens))
    fig, ax = plots.new_figure(side + 1.2, side)
    image = ax.imshow(matrix, cmap="magma", vmin=0, vmax=max(float(matrix.max()), 1e-6))
    ticks, labels = _labels(tokens)
    ax.set_xticks(ticks, labels, fontsize=plots.FONT - 2)
    for label in ax.get_xticklabels():  # a Chinese character reads upright; a word ([CLS], "doctor") turns
        label.set_rotation(0 if len(label.get_text()) <= 1 else 90)
    ax.set_yticks(ticks, labels, fontsize=plots.FONT - 2)
    for row in masks:
        ax.add_patch(Rectangle((-0.5, row - 0.5), len(tokens), 1, fill=False, edgecolor=FRAME, linewidth=3))
    plots.style(ax, title, t("fill_mask.attention_to", lang), t("fill_mask.attention_from", lang))
    ax.tick_params(labelsize=plots.FONT - 2)
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def similarity_figure(matrices: np.ndarray, layer: int, labels: list[str], lang: str):
    """The cosine similarity of the word's vectors between the sentences: before any context (the layer-0
    embedding) and at ``layer``, on one colour scale."""
    fig, axes = plots.new_figure(11, 5.2, ncols=2)
    names = [f"{i + 1}. {label[:14]}{'…' if len(label) > 14 else ''}" for i, label in enumerate(labels)]
    low = float(min(matrices[0].min(), matrices[layer].min()))  # the colours span what the two pictures hold
    low = min(low, 0.7)  # at least 0.7-1: two vectors at 0.96 are not drawn as far apart as the colours go
    for ax, index in zip(axes, (0, layer)):
        values = matrices[index]
        ax.imshow(values, cmap="viridis", vmin=low, vmax=1)
        for i in range(len(values)):
            for j in range(len(values)):
                # Digits need one font (no CJK fallback list to search), and the cells sit inside the axes: out
                # of the constrained layout, the same pixels in 3/4 of the time (bench/figures-results.md)
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=plots.FONT - 3,
                        family=plots.DIGITS_FONT, color="black" if values[i, j] > (low + 1) / 2 else "white",
                        in_layout=False)
        numbers = [str(i + 1) for i in range(len(names))]
        ax.set_xticks(range(len(names)), numbers)
        ax.set_yticks(range(len(names)), names if index == 0 else numbers)  # the right one's rows are the left's
        title = t("fill_mask.layer_zero", lang) if index == 0 else t("fill_mask.layer_n", lang, layer=index)
        plots.style(ax, title)
        ax.tick_params(labelsize=plots.FONT - 3)
    return fig
