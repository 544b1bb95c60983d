"""The bundled speech recogniser: a small character CTC model, trained by ``python -m demos.audio_attack.train``
on espeak-ng speech (synthetic voices, a closed vocabulary of commands and digit strings).

Raw waveform (B, T) in [-1, 1] at 16 kHz -> log-mel (torchaudio: n_fft 400, hop 160, 80 mels) -> two 1-D convs
(the first with stride 2 in time: 50 frames a second) -> 2-layer BiGRU -> per-frame log-probabilities over
``VOCAB`` (blank, space, apostrophe, a-z). Everything is differentiable down to the samples, so attacks can
follow the gradient of the CTC loss to the waveform.
"""
from __future__ import annotations

import re

import torch
import torchaudio
from torch import nn

from core.models import ASSETS, BundledChoice

SAMPLE_RATE = 16_000
BLANK = "_"
VOCAB: tuple[str, ...] = (BLANK, " ", "'", *"abcdefghijklmnopqrstuvwxyz")
INDEX = {c: i for i, c in enumerate(VOCAB)}
HOP = 160
FLOOR = 1e-3  # added to the mel power before the log: digital silence and faint noise look alike
STRIDE = 2  # time stride of the convolutions: one output frame per 20 ms


class SpeechCTC(nn.Module):
    """Waveform (B, T) -> log-probabilities (B, frames, len(VOCAB))."""

    def __init__(self, n_mels: int = 80, channels: int = 160, hidden: int = 192, layers: int = 2):
        super().__init__()
        self.mel = torchaudio.transforms.MelSpectrogram(SAMPLE_RATE, n_fft=400, hop_length=HOP, n_mels=n_mels)
        self.norm = nn.BatchNorm1d(n_mels)
        self.conv = nn.Sequential(
            nn.Conv1d(n_mels, channels, 5, stride=STRIDE, padding=2), nn.BatchNorm1d(channels), nn.GELU(),
            nn.Conv1d(channels, channels, 5, padding=2), nn.BatchNorm1d(channels), nn.GELU(),
        )
        self.rnn = nn.GRU(channels, hidden, num_layers=layers, batch_first=True, bidirectional=True, dropout=0.1)
        self.dropout = nn.Dropout(0.1)
        self.out = nn.Linear(2 * hidden, len(VOCAB))

    def features(self, wave: torch.Tensor) -> torch.Tensor:
        """(B, T) waveform -> (B, n_mels, frames) log-mel."""
        return torch.log(self.mel(wave) + FLOOR)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        if wave.dim() == 1:
            wave = wave.unsqueeze(0)
        x = self.conv(self.norm(self.features(wave)))  # (B, C, frames)
        x, _ = self.rnn(x.transpose(1, 2))
        return self.out(self.dropout(x)).log_softmax(-1)

    @staticmethod
    def output_lengths(samples: torch.Tensor) -> torch.Tensor:
        """Number of output frames for inputs of ``samples`` samples (centred STFT, then the stride)."""
        frames = torch.div(samples, HOP, rounding_mode="floor") + 1
        return torch.div(frames - 1, STRIDE, rounding_mode="floor") + 1


def encode(text: str) -> torch.Tensor:
    """Text -> target indices (raises KeyError on a character outside VOCAB: spell first, logic.ctc_recogniser)."""
    return torch.tensor([INDEX[c] for c in text], dtype=torch.long)


def greedy_decode(log_probs: torch.Tensor) -> str | list[str]:
    """Best path: argmax per frame, merge repeats, drop blanks. (frames, C) -> str; (B, frames, C) -> list."""
    if log_probs.dim() == 3:
        return [greedy_decode(one) for one in log_probs]
    best = log_probs.argmax(-1).tolist()
    chars, previous = [], None
    for index in best:
        if index != previous and index != 0:
            chars.append(VOCAB[index])
        previous = index
    return re.sub(r" +", " ", "".join(chars)).strip()


def transcribe(model: nn.Module, wave: torch.Tensor) -> str:
    """One clip (T,) at 16 kHz -> text."""
    with torch.inference_mode():
        return greedy_decode(model(wave.reshape(1, -1).to(next(model.parameters()).device))[0])


SPEECH_CTC = BundledChoice("speech-ctc", ASSETS / "audio_attack" / "ctc", SpeechCTC,
                           companions=lambda: {"labels": VOCAB})
