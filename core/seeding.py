"""Repeatable randomness without global state: every random result comes from a local
``torch.Generator``, so two users training at once cannot disturb each other's seeds."""
from __future__ import annotations

import math

import torch
from torch import nn


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


@torch.no_grad()
def init_weights(module: nn.Module, gen: torch.Generator) -> nn.Module:
    """PyTorch's default initialisation of Linear/Conv layers, drawn from ``gen`` instead of the global RNG."""
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=gen)
            if layer.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                nn.init.uniform_(layer.bias, -bound, bound, generator=gen)
    return module
