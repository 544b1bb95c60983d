"""Adversarial noise against speech recognition, as pure functions (models and losses passed in).

* FGSM (Goodfellow et al. 2015): one step, x' = x + ε·sign(∇ₓL). Untargeted: L is the loss of the clean
  transcript, made larger. Targeted: L is the loss of the phrase the attacker wants, made smaller.
* PGD (Madry et al. 2018): many small steps of size α, each followed by the projection back into the budget
  |δ| ≤ ε (L∞) and the valid range |x + δ| ≤ 1.
* The budget is in dB relative to the clip's peak: ε = max|x| · 10^(dB/20); −40 dB is 1% of the peak.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

Loss = Callable[[torch.Tensor], torch.Tensor]  # waveform (T,) -> scalar loss, differentiable


def epsilon(audio: torch.Tensor, db: float) -> float:
    """The L∞ budget for a perturbation ``db`` decibels below the clip's peak."""
    return float(audio.abs().max()) * 10.0 ** (db / 20.0)


def peak_db(delta: torch.Tensor, audio: torch.Tensor) -> float:
    """20·log10(max|δ| / max|x|): how loud the perturbation's peak is next to the clip's (−inf for none)."""
    peak = float(delta.abs().max())
    return float("-inf") if peak == 0 else 20.0 * torch.log10(torch.tensor(peak / float(audio.abs().max()))).item()


def snr_db(audio: torch.Tensor, delta: torch.Tensor) -> float:
    """Signal-to-noise ratio 10·log10(Σx² / Σδ²) in dB (inf for no perturbation)."""
    noise = float((delta.double() ** 2).sum())
    return float("inf") if noise == 0 else 10.0 * torch.log10((audio.double() ** 2).sum() / noise).item()


def project(audio: torch.Tensor, delta: torch.Tensor, eps: float) -> torch.Tensor:
    """δ clipped into the budget |δ| ≤ ε, then so that the adversarial clip stays within [−1, 1]."""
    delta = delta.clamp(-eps, eps)
    return (audio + delta).clamp(-1.0, 1.0) - audio


def _gradient(loss: Loss, audio: torch.Tensor, delta: torch.Tensor) -> tuple[torch.Tensor, float]:
    delta = delta.detach().requires_grad_(True)
    value = loss(audio + delta)
    (grad,) = torch.autograd.grad(value, delta)
    return grad, float(value.detach())


def fgsm(loss: Loss, audio: torch.Tensor, eps: float, *, targeted: bool = False) -> torch.Tensor:
    """One step of size ε along the sign of the gradient (down it when targeted); returns δ."""
    grad, _ = _gradient(loss, audio, torch.zeros_like(audio))
    direction = -grad.sign() if targeted else grad.sign()
    return project(audio, eps * direction, eps)


@dataclass(frozen=True)
class Step:
    number: int
    delta: torch.Tensor
    loss: float  # the loss at the start of this step (before its update)


def pgd(loss: Loss, audio: torch.Tensor, eps: float, steps: int, *, alpha: float | None = None,
        targeted: bool = False, start: torch.Tensor | None = None) -> Iterator[Step]:
    """Projected gradient descent (targeted) or ascent (untargeted), yielding δ after every step so a UI can
    stream it. The step size α defaults to 2.5·ε/steps (Madry et al.), at least ε/10."""
    alpha = alpha if alpha is not None else max(2.5 * eps / steps, eps / 10)
    delta = torch.zeros_like(audio) if start is None else project(audio, start, eps)
    for number in range(1, steps + 1):
        grad, value = _gradient(loss, audio, delta)
        direction = -grad.sign() if targeted else grad.sign()
        delta = project(audio, delta + alpha * direction, eps)
        yield Step(number, delta.detach(), value)


def random_noise(audio: torch.Tensor, eps: float, seed: int = 0) -> torch.Tensor:
    """±ε at random on every sample: the same size as an attack, without its direction."""
    gen = torch.Generator().manual_seed(int(seed))
    signs = torch.randint(0, 2, audio.shape, generator=gen).to(audio.dtype) * 2 - 1
    return project(audio, eps * signs, eps)


# ------------------------------------------------------------------ Whisper (encoder-decoder): teacher-forced loss

WHISPER_PREFIX = (50257, 50362)  # <|startoftranscript|> <|notimestamps|> (English-only models: no language token)
WHISPER_EOT = 50256


def whisper_ids(tokenizer, text: str) -> list[int]:
    """The tokens of ``text`` as Whisper writes it (a leading space, as its transcripts have), then end-of-text."""
    text = text if text.startswith(" ") else " " + text
    return tokenizer.encode(text, add_special_tokens=False).ids + [WHISPER_EOT]


def whisper_loss(model, ids: list[int]) -> Loss:
    """Cross-entropy of the transcript ``ids`` given the audio (teacher forcing), through the torch log-mel,
    so its gradient reaches the waveform."""
    from demos.audio_attack.features import log_mel

    decoder = torch.tensor([list(WHISPER_PREFIX) + ids[:-1]])
    labels = torch.tensor(ids)
    skip = len(WHISPER_PREFIX) - 1

    def loss(audio: torch.Tensor) -> torch.Tensor:
        logits = model(input_features=log_mel(audio), decoder_input_ids=decoder).logits[0, skip:]
        return torch.nn.functional.cross_entropy(logits, labels)

    return loss


@torch.no_grad()
def whisper_transcribe(model, tokenizer, audio: torch.Tensor, max_tokens: int = 60) -> str:
    """Greedy transcript of a clip (≤ 30 s)."""
    from demos.audio_attack.features import log_mel

    ids = model.generate(input_features=log_mel(audio), decoder_input_ids=torch.tensor([list(WHISPER_PREFIX)]),
                         max_new_tokens=max_tokens)
    return tokenizer.decode(ids[0].tolist(), skip_special_tokens=True).strip()


# ------------------------------------------------------------------ CTC recognisers (the bundled one)

def ctc_loss(model, targets: torch.Tensor) -> Loss:
    """CTC loss of the character indices ``targets`` given the audio (blank = 0)."""
    def loss(audio: torch.Tensor) -> torch.Tensor:
        log_probs = model(audio[None])[0]  # (frames, classes)
        return torch.nn.functional.ctc_loss(log_probs[:, None], targets[None], torch.tensor([log_probs.shape[0]]),
                                            torch.tensor([len(targets)]), blank=0, zero_infinity=True)

    return loss
