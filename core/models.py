"""Model choices: bundled (trained here, safetensors in assets/) or Hub (pinned revision).

Each topic declares a ``Slot`` (e.g. the distillation teacher) with its choices. Loading is lazy,
cached per (choice, device) and done once under a lock, so 200 students clicking at once load a
model once. The best available choice is the default: a Hub choice when it is cached or the Hub
is reachable, else the bundled one; the header says which one a tab uses.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from core.device import get_device

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "models"
HUB_HOST = "huggingface.co"

_offline_forced = False
_reachable: bool | None = None
_loaded: dict[tuple[str, str], Any] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


# ---------------------------------------------------------------- offline detection

def set_offline(offline: bool = True) -> None:
    """--offline: never touch the network (also sets HF_HUB_OFFLINE for the libraries)."""
    global _offline_forced
    _offline_forced = offline
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"


def is_offline() -> bool:
    if _offline_forced or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return True
    global _reachable
    if _reachable is None:  # one quick probe per process, only when a Hub choice is not cached
        try:
            socket.create_connection((HUB_HOST, 443), timeout=1.5).close()
            _reachable = True
        except OSError:
            _reachable = False
    return not _reachable


def hub_cache_dir() -> str | None:
    """Where Hub snapshots live; DEMO_HUB_CACHE overrides the libraries' default (tests use it)."""
    return os.environ.get("DEMO_HUB_CACHE") or None


# ---------------------------------------------------------------- files and cards

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_card(directory: Path, card: dict, model: torch.nn.Module | None = None) -> dict:
    """Write card.json with the sha256 of every file in ``directory`` (and the parameter count)."""
    directory = Path(directory)
    files = {p.name: sha256_file(p) for p in sorted(directory.iterdir()) if p.is_file() and p.name != "card.json"}
    card = dict(card, files=files)
    if model is not None:
        card["parameters"] = sum(p.numel() for p in model.parameters())
    (directory / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def read_card(directory: Path) -> dict:
    return json.loads((Path(directory) / "card.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- choices

@dataclass(frozen=True)
class BundledChoice:
    """A small model this project trained itself: ``build()`` + ``<directory>/weights.safetensors``."""

    key: str
    directory: Path
    build: Callable[[], torch.nn.Module]
    kind: str = field(default="bundled", init=False)

    @property
    def weights(self) -> Path:
        return Path(self.directory) / "weights.safetensors"

    def available(self) -> bool:
        return self.weights.is_file()

    def card(self) -> dict:
        return read_card(self.directory)

    def load(self, device: torch.device) -> torch.nn.Module:
        from safetensors.torch import load_file

        expected = self.card()["files"].get(self.weights.name)
        if expected and sha256_file(self.weights) != expected:
            raise RuntimeError(f"{self.weights} does not match the sha256 in its card.json")
        model = self.build()
        model.load_state_dict(load_file(str(self.weights)), strict=True)
        return model.to(device).eval()


@dataclass(frozen=True)
class HubChoice:
    """A pretrained model on the Hub, pinned to a commit, loaded by the library made for it."""

    key: str
    repo_id: str
    revision: str
    load_pretrained: Callable[..., Any]  # (repo_id, revision=, cache_dir=, local_files_only=) -> model
    check_file: str = "config.json"
    allow_patterns: tuple[str, ...] = ("*.json", "*.safetensors", "*.txt", "*.model")
    kind: str = field(default="hub", init=False)

    def is_cached(self) -> bool:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(self.repo_id, self.check_file, cache_dir=hub_cache_dir(), revision=self.revision)
        return isinstance(found, str)

    def available(self) -> bool:
        return self.is_cached() or not is_offline()

    def load(self, device: torch.device):
        model = self.load_pretrained(self.repo_id, revision=self.revision, cache_dir=hub_cache_dir(),
                                     local_files_only=self.is_cached() or is_offline())
        return model.to(device).eval() if hasattr(model, "to") else model

    def prefetch(self) -> str:
        from huggingface_hub import snapshot_download

        return snapshot_download(self.repo_id, revision=self.revision, cache_dir=hub_cache_dir(),
                                 allow_patterns=list(self.allow_patterns))


def transformers_loader(class_name: str) -> Callable[..., Any]:
    """Load with a transformers Auto class: safetensors only, never remote code."""

    def load_pretrained(repo_id, *, revision, cache_dir, local_files_only):
        import transformers

        auto = getattr(transformers, class_name)
        return auto.from_pretrained(repo_id, revision=revision, cache_dir=cache_dir,
                                    local_files_only=local_files_only, use_safetensors=True,
                                    trust_remote_code=False)

    return load_pretrained


Choice = BundledChoice | HubChoice


@dataclass
class Slot:
    """One model role in one topic, e.g. ('distillation', 'teacher'), with its choices, best first."""

    topic: str
    role: str
    choices: list[Choice]

    def choice(self, key: str | None = None) -> Choice:
        if key is None:
            return self.best()
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise KeyError(f"{self.topic}/{self.role}: no model choice {key!r}")

    def best(self) -> Choice:
        """Cached Hub choices first, then reachable Hub choices, then bundled ones."""
        hub = [c for c in self.choices if c.kind == "hub"]
        for choice in hub:
            if choice.is_cached():
                return choice
        if hub and not is_offline():
            return hub[0]
        for choice in self.choices:
            if choice.kind == "bundled" and choice.available():
                return choice
        raise RuntimeError(f"{self.topic}/{self.role}: no model choice is available")

    def get(self, key: str | None = None, device: torch.device | None = None):
        """The loaded model (loaded once, then cached)."""
        choice = self.choice(key)
        device = device or get_device()
        cache_key = (f"{choice.kind}:{choice.key}", str(device))
        if cache_key in _loaded:
            return _loaded[cache_key]
        with _locks_guard:
            lock = _locks.setdefault(cache_key[0], threading.Lock())
        with lock:
            if cache_key not in _loaded:
                _loaded[cache_key] = choice.load(device)
        return _loaded[cache_key]


SLOTS: list[Slot] = []


def slot(topic: str, role: str, choices: list[Choice]) -> Slot:
    """Declare (once) the model choices of a topic's role; returns the registered Slot."""
    for existing in SLOTS:
        if (existing.topic, existing.role) == (topic, role):
            return existing
    new = Slot(topic, role, list(choices))
    SLOTS.append(new)
    return new


def clear_cache() -> None:
    _loaded.clear()


def prefetch_all(report: Callable[[str], None] = print) -> list[tuple[str, str]]:
    """Download every Hub choice of every slot ahead of a class. Returns [(repo, error)] failures."""
    hub = [(s, c) for s in SLOTS for c in s.choices if c.kind == "hub"]
    failures = []
    if not hub:
        report("no Hub model choices are registered: everything needed is bundled")
    for number, (owner, choice) in enumerate(hub, 1):
        report(f"[{number}/{len(hub)}] {owner.topic}/{owner.role}: {choice.repo_id}@{choice.revision[:10]} ...")
        try:
            choice.prefetch()
            report("    ok")
        except Exception as exc:  # network errors come in many types; report them all the same way
            failures.append((choice.repo_id, f"{type(exc).__name__}: {exc}"))
            report(f"    failed: {type(exc).__name__}: {exc}")
    return failures
