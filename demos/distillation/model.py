"""The student: a small MLP, much smaller than the CNN teacher (about 25k vs 430k parameters)."""
from __future__ import annotations

from torch import nn


class StudentMLP(nn.Module):
    def __init__(self, hidden: int = 32):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    def forward(self, x):
        return self.net(x)
