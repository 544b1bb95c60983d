"""Pictures of the GAN tab: grids of digits, the interpolation as an animated GIF, and the playground's
frame (matplotlib: the critic's heat map, real and generated points, the generator's arrows, the losses).
No Gradio here."""
from __future__ import annotations

import io
import textwrap

import numpy as np

from core import plots

CRITIC_CMAP = "RdBu_r"  # red where the critic says "real", blue where it says "generated"
REAL, FAKE = "#111827", "#f97316"


def tile(images: np.ndarray, columns: int, scale: int = 3, gap: int = 2) -> np.ndarray:
    """(N, 28, 28) uint8 -> one grey picture, ``columns`` wide, each digit enlarged ``scale`` times (pixels
    kept sharp), separated by mid-grey lines so that black backgrounds do not merge."""
    count = len(images)
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    size = images.shape[1] * scale
    out = np.full((rows * (size + gap) + gap, columns * (size + gap) + gap), 96, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        top, left = gap + r * (size + gap), gap + c * (size + gap)
        out[top:top + size, left:left + size] = np.kron(image, np.ones((scale, scale), np.uint8))
    return out


def before_after(before: np.ndarray, after: np.ndarray, columns: int, divider: int = 10) -> np.ndarray:
    """Two grids of the same digits, ``before`` above ``after`` (tile), split by a white band ``divider`` pixels
    high so that the eye sees two grids, not one."""
    top, bottom = tile(before, columns), tile(after, columns)
    return np.concatenate([top, np.full((divider, top.shape[1]), 255, np.uint8), bottom])


def columns_for(count: int) -> int:
    """Grid width: 10 columns for 10 or more pictures (a row per digit when each digit is asked for)."""
    return min(count, 10) if count != 16 and count != 64 else int(np.sqrt(count))


def gif(frames: np.ndarray, scale: int = 6, frame_ms: int = 120) -> bytes:
    """The interpolation as an animated GIF that plays forth and back, forever."""
    from PIL import Image

    pictures = [Image.fromarray(np.kron(f, np.ones((scale, scale), np.uint8))) for f in frames]
    loop = pictures + pictures[-2:0:-1]
    buffer = io.BytesIO()
    loop[0].save(buffer, format="GIF", save_all=True, append_images=loop[1:], duration=frame_ms, loop=0)
    return buffer.getvalue()


def playground(view, history: list[tuple[int, float, float]], *, critic_title: str, loss_title: str,
               step_label: str, real_label: str, fake_label: str, d_label: str, g_label: str) -> np.ndarray:
    """Left: the critic's output on the plane (heat map), real points, generated points (the same noise every
    frame, so each point's motion can be followed) and the generator's pull (arrows: where the generator's loss
    pushes a generated point). Right: the two losses per step. An RGB uint8 picture."""
    fig, (plane, losses) = plots.new_figure(11, 4.8, ncols=2, layout=None, gridspec_kw={"width_ratios": [1, 1.05]})
    fig.subplots_adjust(left=0.01, right=0.97, bottom=0.14, top=0.86, wspace=0.28)  # fixed: redrawn many times
    extent = (view.xs[0], view.xs[-1], view.xs[0], view.xs[-1])
    values = view.critic
    if values.min() >= 0 and values.max() <= 1:  # GAN: a probability, centred on 0.5
        scale = dict(vmin=0, vmax=1)
    else:  # WGAN: a score whose level means nothing (only differences do): centred on the plane's middle value
        centre = float(np.median(values))
        top = float(np.abs(values - centre).max()) or 1.0
        scale = dict(vmin=centre - top, vmax=centre + top)
    image = plane.imshow(values, origin="lower", extent=extent, cmap=CRITIC_CMAP, alpha=0.55, **scale)
    bar = fig.colorbar(image, ax=plane, shrink=0.85)
    bar.ax.tick_params(labelsize=plots.FONT - 3)
    plane.scatter(view.real[:, 0], view.real[:, 1], s=7, color=REAL, alpha=0.55, label=real_label)
    plane.scatter(view.fake[:, 0], view.fake[:, 1], s=9, color=FAKE, alpha=0.85, label=fake_label)
    length = np.linalg.norm(view.arrows, axis=1, keepdims=True)
    direction = view.arrows / np.maximum(length, 1e-12)
    strength = length / max(float(length.max()), 1e-12)  # the longest arrow has length 1 grid cell
    cell = (extent[1] - extent[0]) / 14
    plane.quiver(view.arrows_at[:, 0], view.arrows_at[:, 1], *(direction * strength * cell).T, angles="xy",
                 scale_units="xy", scale=1, width=0.004, color="#374151")
    plane.set_xlim(extent[0], extent[1])
    plane.set_ylim(extent[2], extent[3])
    plane.set_aspect("equal")
    plane.set_xticks([])
    plane.set_yticks([])
    plane.set_title(textwrap.fill(critic_title, 30), fontsize=plots.FONT)  # two lines, not cut at the edge
    plane.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=plots.FONT - 2, markerscale=2.5,
                 frameon=False)  # under the plane: no mode hidden behind it
    if history:
        steps, d, g = (np.array(column) for column in zip(*history))
        losses.plot(steps, d, color=plots.COLORS["main"], linewidth=1.6, label=d_label)
        losses.plot(steps, g, color=plots.COLORS["second"], linewidth=1.6, label=g_label)
        losses.legend(fontsize=plots.FONT - 2, frameon=False)
    plots.style(losses, loss_title, step_label, "")
    losses.grid(alpha=0.3)
    return plots.to_rgb(fig)
