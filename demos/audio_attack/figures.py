"""Waveforms and spectrograms of the clean clip, the adversarial clip and the perturbation (a one-off result
per attack, so matplotlib; its labels need CJK fonts). No Gradio here."""
from __future__ import annotations

import numpy as np

from core import plots

SAMPLE_RATE = 16_000


def spectrogram_db(samples: np.ndarray, n_fft: int = 400, hop: int = 160) -> np.ndarray:
    """|STFT|² in dB relative to full scale, (frequencies, frames)."""
    samples = np.pad(np.asarray(samples, dtype=np.float64), (n_fft // 2, n_fft // 2))
    frames = 1 + max(0, len(samples) - n_fft) // hop
    window = np.hanning(n_fft)
    stack = np.stack([samples[i * hop: i * hop + n_fft] * window for i in range(frames)], axis=1)
    power = np.abs(np.fft.rfft(stack, axis=0)) ** 2 / (window.sum() ** 2 / 4)
    return 10 * np.log10(np.maximum(power, 1e-12))


def envelope(samples: np.ndarray, columns: int = 1200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum and maximum of each of ``columns`` stretches of the clip, and where each stretch starts: the
    waveform as drawn at this size, without drawing every one of its samples."""
    samples = np.asarray(samples, dtype=np.float64)
    width = max(1, len(samples) // columns)
    usable = len(samples) // width * width
    blocks = samples[:usable].reshape(-1, width)
    return blocks.min(1), blocks.max(1), np.arange(blocks.shape[0]) * width


def signals(rows: list[tuple[str, np.ndarray, float]], *, wave_title: str, spec_title: str, time_label: str,
            freq_label: str) -> np.ndarray:
    """One row per (name, samples, shown gain in dB): the waveform (gain applied, so a quiet perturbation is
    visible; the name says the gain) and the spectrogram (no gain: every row on one dB colour scale, so the
    perturbation looks as quiet as it is). Returns an RGB uint8 picture."""

    fig, axes = plots.new_figure(10, 2.2 * len(rows) + 0.7, ncols=2, nrows=len(rows), squeeze=False,
                                 gridspec_kw={"width_ratios": [1, 1.15]})
    colors = ("#2563eb", "#dc2626", "#111827")
    image = None
    for r, (name, samples, gain_db) in enumerate(rows):
        seconds = np.arange(len(samples)) / SAMPLE_RATE
        wave, spec = axes[r]
        low, high, at = envelope(samples * 10 ** (gain_db / 20))
        wave.fill_between(at / SAMPLE_RATE, low, high, color=colors[r % len(colors)], linewidth=0.7)
        wave.set_ylim(-1, 1)
        wave.set_xlim(0, max(seconds[-1], 1e-3))
        wave.set_ylabel(name, fontsize=plots.FONT, rotation=0, ha="right", va="center")
        wave.tick_params(labelsize=plots.FONT - 2)
        wave.spines[["top", "right"]].set_visible(False)
        image = spec.imshow(spectrogram_db(samples), origin="lower", aspect="auto", cmap="magma", vmin=-100, vmax=0,
                            extent=(0, len(samples) / SAMPLE_RATE, 0, SAMPLE_RATE / 2000))
        spec.tick_params(labelsize=plots.FONT - 2)
        spec.set_ylabel(freq_label, fontsize=plots.FONT - 2)
        if r == 0:
            wave.set_title(wave_title, fontsize=plots.FONT)
            spec.set_title(spec_title, fontsize=plots.FONT)
        if r == len(rows) - 1:
            wave.set_xlabel(time_label, fontsize=plots.FONT)
            spec.set_xlabel(time_label, fontsize=plots.FONT)
    bar = fig.colorbar(image, ax=axes[:, 1], shrink=0.8)
    bar.set_label("dB", fontsize=plots.FONT)
    bar.ax.tick_params(labelsize=plots.FONT - 2)
    return plots.to_rgb(fig)

