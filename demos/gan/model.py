"""The GAN tab's models: the bundled class-conditional DCGAN for digits, and the playground's 2-D MLPs.

``DigitGenerator``: z (64-d, N(0, I)) and a class vector (one-hot, or a blend of two during an
interpolation) -> a 28x28 digit in [0, 1], the input the shared digit CNN takes. ``DigitDiscriminator``
is a projection discriminator (Miyato & Koyama 2018) with spectral normalisation; only train.py uses it.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from core.classifier import DIGIT_CNN
from core.models import ASSETS, BundledChoice, slot

Z_DIM = 64
CLASSES = 10
WIDTH = 96


class DigitGenerator(nn.Module):
    """(z: (B, 64), c: (B, 10)) -> (B, 1, 28, 28) in [0, 1]. Linear to 7x7, two transposed convs up to 28x28."""

    def __init__(self, z_dim: int = Z_DIM, width: int = WIDTH):
        super().__init__()
        self.z_dim, self.width = z_dim, width
        size = width * 7 * 7
        self.project = nn.Sequential(nn.Linear(z_dim + CLASSES, size), nn.BatchNorm1d(size), nn.ReLU())
        self.up = nn.Sequential(
            nn.ConvTranspose2d(width, width // 2, 4, 2, 1), nn.BatchNorm2d(width // 2), nn.ReLU(),  # 14x14
            nn.ConvTranspose2d(width // 2, 1, 4, 2, 1),  # 28x28
        )

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h = self.project(torch.cat([z, c], dim=1)).view(-1, self.width, 7, 7)
        return (torch.tanh(self.up(h)) + 1) / 2


class DigitDiscriminator(nn.Module):
    """(x: (B, 1, 28, 28) in [0, 1], y: (B,) class) -> (B,) score. Projection: psi(h) + <embed(y), h>."""

    def __init__(self, width: int = 32, hidden: int = 128):
        super().__init__()
        self.features = nn.Sequential(
            spectral_norm(nn.Conv2d(1, width, 4, 2, 1)), nn.LeakyReLU(0.2),  # 14x14
            spectral_norm(nn.Conv2d(width, 2 * width, 4, 2, 1)), nn.LeakyReLU(0.2),  # 7x7
            nn.Flatten(), spectral_norm(nn.Linear(2 * width * 7 * 7, hidden)), nn.LeakyReLU(0.2),
        )
        self.score = spectral_norm(nn.Linear(hidden, 1))
        self.embed = spectral_norm(nn.Embedding(CLASSES, hidden))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.features(x * 2 - 1)
        return self.score(h).squeeze(1) + (self.embed(y) * h).sum(1)


class PlaygroundMLP(nn.Module):
    """The playground's generator (2 -> 2) or discriminator (2 -> 1): two hidden layers of 64 ReLUs."""

    def __init__(self, out: int, hidden: int = 64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


DIGIT_GAN = BundledChoice("digit-gan", ASSETS / "gan" / "digit_gan", DigitGenerator)
#: The one bundled choice. No Hub choice: the well-known pretrained image GANs (BigGAN, StyleGAN, the
#: huggan DCGANs) ship as pickles or with their own code, not as safetensors for an architecture this
#: project defines; see the notes and the README.
GENERATOR = slot("gan", "generator", [DIGIT_GAN])

#: The digit CNN that judges the samples (quality meter, digit-FID): the same one the other tabs use.
JUDGE = slot("gan", "judge", [DIGIT_CNN])


def timeline_generators(directory=None) -> list[tuple[int, DigitGenerator]]:
    """The generator snapshots saved during training (timeline.safetensors, float16), by step, in float32."""
    from pathlib import Path

    from core.models import read_tensors

    tensors = read_tensors(Path(directory or DIGIT_GAN.directory) / "timeline.safetensors")
    steps = sorted({int(name.split(".", 1)[0][len("step"):]) for name in tensors})
    out = []
    for step in steps:
        prefix = f"step{step}."
        model = DigitGenerator()
        model.load_state_dict({k[len(prefix):]: v.float() if v.is_floating_point() else v
                               for k, v in tensors.items() if k.startswith(prefix)})
        out.append((step, model.eval()))
    return out
