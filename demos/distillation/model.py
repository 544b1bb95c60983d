"""The teacher's model choices and the students.

Each student is a small MLP (784-32-10, about 25k parameters against the teacher's 430k). The live
run trains several of them at once (a distilled and a hard-label student per seed), so they are
stacked into one ``StudentStack``: student k is exactly ``StudentMLP`` with the k-th slice of each
weight, and one batched matrix product serves all of them. Their losses are summed, so their
gradients (and Adam's per-weight updates) stay independent: the same training as one by one,
several times faster on 2 cores.
"""
from __future__ import annotations

import torch
from torch import nn

from core.classifier import DIGIT_CNN
from core.models import slot

TEACHER = slot("distillation", "teacher", [DIGIT_CNN])


class StudentMLP(nn.Module):
    def __init__(self, hidden: int = 32):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    def forward(self, x):
        return self.net(x)


class StudentStack(nn.Module):
    """K students side by side: input (K, B, 1, 28, 28) or (K, B, 784) -> logits (K, B, 10)."""

    def __init__(self, students: list[StudentMLP]):
        super().__init__()
        first = [s.net[1] for s in students]
        second = [s.net[3] for s in students]
        self.w1 = nn.Parameter(torch.stack([layer.weight.detach().t() for layer in first]).clone())
        self.b1 = nn.Parameter(torch.stack([layer.bias.detach()[None] for layer in first]).clone())
        self.w2 = nn.Parameter(torch.stack([layer.weight.detach().t() for layer in second]).clone())
        self.b2 = nn.Parameter(torch.stack([layer.bias.detach()[None] for layer in second]).clone())

    def __len__(self) -> int:
        return self.w1.shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(2)
        hidden = torch.relu(torch.baddbmm(self.b1, x, self.w1))
        return torch.baddbmm(self.b2, hidden, self.w2)

    def student(self, k: int) -> StudentMLP:
        """Student k as an ordinary module (for inspection and tests)."""
        single = StudentMLP(self.w1.shape[2])
        with torch.no_grad():
            single.net[1].weight.copy_(self.w1[k].t())
            single.net[1].bias.copy_(self.b1[k, 0])
            single.net[3].weight.copy_(self.w2[k].t())
            single.net[3].bias.copy_(self.b2[k, 0])
        return single
