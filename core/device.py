"""Pick where tensors run: CUDA > Apple MPS > CPU, overridable by --device or DEMO_DEVICE."""
from __future__ import annotations

import os

import torch

VALID = ("cuda", "mps", "cpu")
_chosen: torch.device | None = None


def available() -> list[str]:
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def pick_device(requested: str | None = None) -> torch.device:
    """The best available device, or the requested one (argument, then DEMO_DEVICE)."""
    requested = (requested or os.environ.get("DEMO_DEVICE") or "").strip().lower()
    if requested:
        kind = requested.split(":")[0]
        if kind not in VALID:
            raise ValueError(f"unknown device {requested!r}; choose one of {', '.join(VALID)}")
        if kind not in available():
            raise ValueError(f"device {requested!r} is not available here; available: {', '.join(available())}")
        return torch.device(requested)
    return torch.device(available()[0])


def set_device(requested: str | None = None) -> torch.device:
    """Fix the process-wide device (app start-up); later calls to get_device() return it."""
    global _chosen
    _chosen = pick_device(requested)
    return _chosen


def get_device() -> torch.device:
    global _chosen
    if _chosen is None:
        _chosen = pick_device()
    return _chosen


def describe(device: torch.device | None = None) -> str:
    """Human-readable name for the header, e.g. 'CUDA · NVIDIA T4' or 'CPU · 2 threads'."""
    device = device or get_device()
    if device.type == "cuda":
        return f"CUDA · {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple MPS"
    return f"CPU · {torch.get_num_threads()} threads"
