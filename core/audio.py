"""Audio for the browser at a loudness we choose.

Gradio peak-normalises float audio before playing it, so a -40 dB adversarial perturbation sent as
floats would play at full volume and sound like the attack it is not. Sending int16 at a fixed,
stated gain keeps "barely audible" barely audible.
"""
from __future__ import annotations

import numpy as np

INT16_FULL_SCALE = 32767


def int16_audio(samples: np.ndarray, sample_rate: int, *, gain_db: float = 0.0) -> tuple[int, np.ndarray]:
    """Float samples (1.0 = full scale) -> ``(sample_rate, int16 array)`` for ``gr.Audio``, scaled by
    ``gain_db`` and never normalised. Louder than full scale is clipped; NaN/inf become silence."""
    gain = 10.0 ** (float(gain_db) / 20.0)
    scaled = np.nan_to_num(np.asarray(samples, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0) * gain
    return int(sample_rate), np.clip(np.rint(scaled * INT16_FULL_SCALE), -INT16_FULL_SCALE, INT16_FULL_SCALE).astype(
        np.int16)
