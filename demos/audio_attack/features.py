"""Whisper's log-mel front end in torch, differentiable, so an attack's gradient reaches the waveform
(transformers' WhisperFeatureExtractor computes the same numbers in numpy, without gradients).

n_fft 400 (25 ms), hop 160 (10 ms), Hann window, 80 Slaney mel bands up to 8 kHz, log10, floor at the
maximum − 8 (80 dB), then (x + 4) / 4; the clip is zero-padded to 30 s first, as Whisper was trained.
"""
from __future__ import annotations

import functools

import torch

SAMPLE_RATE = 16_000
N_FFT, HOP, N_MELS = 400, 160, 80
CHUNK_SAMPLES = 30 * SAMPLE_RATE  # 3,000 frames


@functools.lru_cache(maxsize=4)
def mel_filters(device: str = "cpu") -> torch.Tensor:
    """(201, 80) Slaney-normalised mel filter bank on the Slaney mel scale, 0-8 kHz."""
    import torchaudio.functional as AF

    return AF.melscale_fbanks(N_FFT // 2 + 1, 0.0, SAMPLE_RATE / 2, N_MELS, SAMPLE_RATE, norm="slaney",
                              mel_scale="slaney").to(device)


def log_mel(audio: torch.Tensor, pad_to: int | None = CHUNK_SAMPLES) -> torch.Tensor:
    """(B, T) or (T,) float waveform at 16 kHz -> (B, 80, frames) Whisper input features."""
    batch = audio if audio.dim() == 2 else audio[None]
    if pad_to is not None:
        batch = torch.nn.functional.pad(batch[:, :pad_to], (0, max(0, pad_to - batch.shape[1])))
    window = torch.hann_window(N_FFT, device=batch.device, dtype=batch.dtype)
    spectrum = torch.stft(batch, N_FFT, HOP, window=window, center=True, pad_mode="reflect", return_complex=True)
    power = spectrum[..., :-1].abs() ** 2  # Whisper drops the last frame
    mel = torch.einsum("bft,fm->bmt", power, mel_filters(str(batch.device)).to(batch.dtype))
    log_spec = torch.clamp(mel, min=1e-10).log10()
    floor = log_spec.amax(dim=(1, 2), keepdim=True) - 8.0
    return (torch.maximum(log_spec, floor) + 4.0) / 4.0
