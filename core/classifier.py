"""The bundled digit classifier (a small CNN), shared by several tabs: distillation teacher,
saliency subject, GAN/CycleGAN evaluator. Trained by ``python -m core.train_classifier``."""
from __future__ import annotations

import torch
from torch import nn

from core.models import ASSETS, BundledChoice


class DigitCNN(nn.Module):
    """28x28 grey digit -> 10 logits. Two conv blocks and two fully connected layers."""

    def __init__(self, width: int = 32, hidden: int = 128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 7x7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * width * 7 * 7, hidden), nn.ReLU(), nn.Dropout(0.3), nn.Linear(hidden, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


DIGIT_CNN = BundledChoice("digit-cnn", ASSETS / "core" / "digit_cnn", DigitCNN)
