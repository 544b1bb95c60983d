"""Downloads for a teacher's slides: a figure as PNG, a table as CSV, named after the tab and its settings
(``distillation-T3-alpha0.5-digit7.png``, ``gan-seed2024-psi1.png``).

A handler returns ``png(...)`` to a ``core.ui.Image`` (Gradio's own download button then saves the file under
its name: the button takes the file's name, ``orig_name``) or to a ``gr.DownloadButton``, and ``csv(...)`` to a
``gr.DownloadButton`` (``download_button``) beside its table.

Files go to ``exports/`` in Gradio's cache folder (served without any ``allowed_paths``), one folder per file
content and name: the same figure asked for by a whole class is written once, atomically. A file asked for in
the last ``KEEP_SECONDS`` stays, so that a student's download button still works minutes later while the rest of
the class makes new files; older ones are removed, and past ``KEEP`` files the least recently asked for go
even if young, so files do not pile up. (The folder used to keep only the newest 512: in a class of 50 a file
lived about a minute, and in a 10-minute class run a file went, most likely, while a student's client fetched it.)
"""
from __future__ import annotations

import csv as csv_module
import hashlib
import io
import math
import os
import re
import shutil
import threading
import time
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

from core import i18n
from core.memo import Memo

i18n.register({"en": {"export.csv": "CSV", "export.png": "PNG"},
               "zh": {"export.csv": "下載 CSV", "export.png": "下載 PNG"}})

#: Seconds an exported file is kept after it was last asked for: a lecture. (A class of 50 makes ~8 files a second,
#: ~21 KB each: 4,917 files, 105 MB in the 10-minute class run, so an hour is ~30,000 files, ~0.6 GB.)
KEEP_SECONDS = 3600
#: The most files kept, young or not (the least recently asked for go first): about a gigabyte of disk.
KEEP = 50_000
#: The folder is pruned once per this many new files (a scan of tens of thousands of folders takes ~0.1 s).
PRUNE_EVERY = 200
_written = 0
_MAX_NAME = 120
_lock = threading.Lock()


def _text(value) -> str:
    """One setting as it appears in a name: numbers short (3.0 -> 3, 0.50 -> 0.5), words as they are."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}" if value != int(value) else str(int(value))
    return str(value)


def safe_part(value) -> str:
    """A piece of a file name: letters (any script), digits, '.', '_', '+' and '-' (a sign: -30 dB) kept; every run
    of anything else (path separators, spaces, quotes, control characters) becomes one '_'; no dots or '_' at
    either end."""
    return re.sub(r"[^\w.+-]+", "_", _text(value), flags=re.UNICODE).strip("._")


def file_name(topic: str, *parts, **settings) -> str:
    """``file_name("distillation", T=3, alpha=0.5, digit=7)`` -> ``"distillation-T3-alpha0.5-digit7"``: the tab,
    then each part (a method, a word) and each setting (its name and value), safe for any file system."""
    pieces = [safe_part(topic)] + [safe_part(part) for part in parts]
    pieces += [safe_part(key) + safe_part(value) for key, value in settings.items() if value is not None]
    name = "-".join(piece for piece in pieces if piece)[:_MAX_NAME].strip("-._")
    return name or "export"


def safe_name(name: str) -> str:
    """A whole name (from ``file_name``, perhaps with a suffix added) made safe again: '-' kept between parts."""
    return re.sub(r"[^\w.+-]+", "_", str(name)).strip("._-")[:_MAX_NAME].strip("._-") or "export"


def _root() -> Path:
    from gradio.utils import get_upload_folder  # Gradio serves its own cache folder to the page

    return Path(get_upload_folder()) / "exports"


def _store(data: bytes, name: str, suffix: str) -> str:
    """Writes ``data`` as ``exports/<content+name hash>/<name><suffix>`` once, atomically; returns its path."""
    filename = safe_name(name) + suffix
    digest = hashlib.sha256(data + filename.encode()).hexdigest()[:32]
    root = _root()
    folder = root / digest
    path = folder / filename
    with _lock:
        if path.exists():
            os.utime(folder)  # asked for again: kept longer
        else:
            _replace_with(path, data)
            global _written
            _written += 1
            if _written % PRUNE_EVERY == 0:
                _prune(root)
    return str(path)


def _replace_with(path: Path, data: bytes) -> None:
    """``data`` written at ``path`` under a temporary name, then renamed into place: a reader sees the whole file
    or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{os.getpid()}-{threading.get_ident()}-{path.name}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _write_once(path: Path, data: bytes) -> str:
    """``data`` at ``path`` (``_replace_with``), unless a file is there already: its name comes from a hash of its
    content."""
    if path.exists():
        try:
            os.utime(path)  # handed out again: Gradio's delete_cache ages files by their times
        except OSError:
            pass
    else:
        _replace_with(path, data)
    return str(path.resolve())


def write_gradio_cache_once() -> None:
    """Gradio 6.31 writes a picture (or bytes) a handler returns to a file named after its content at every call,
    truncating it first; a page fetching that file while another call rewrote it got a cut file (a class asks for
    the same default grid, map or clip at once: the class bench had one such failure). Its own
    ``save_file_to_cache`` writes once, atomically; its ``save_pil_to_cache`` and ``save_bytes_to_cache`` now do
    the same, in the same places under the same names."""
    from gradio import processing_utils as pu

    if hasattr(pu.save_pil_to_cache, "gradios"):  # done already (each app built in one process calls this)
        return

    def save_pil_to_cache(img, cache_dir: str, name: str = "image", format: str = "webp") -> str:
        data = pu.encode_pil_to_bytes(img, format)
        return _write_once(Path(cache_dir) / pu.hash_bytes(data) / f"{name}.{format}", data)

    def save_bytes_to_cache(data: bytes, file_name: str, cache_dir: str) -> str:
        if not Path(file_name).suffix:
            file_name = file_name + pu.detect_audio_format(data)
        return _write_once(Path(cache_dir) / pu.hash_bytes(data) / Path(file_name).name, data)

    save_pil_to_cache.gradios, save_bytes_to_cache.gradios = pu.save_pil_to_cache, pu.save_bytes_to_cache
    pu.save_pil_to_cache, pu.save_bytes_to_cache = save_pil_to_cache, save_bytes_to_cache


def _age(entry: os.DirEntry) -> float:
    """A folder's last change; one another process (or thread) removed meanwhile counts as oldest."""
    try:
        return entry.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _prune(root: Path) -> None:
    """Removes the folders not asked for in ``KEEP_SECONDS``, and the least recently asked for past ``KEEP``."""
    folders = sorted(((_age(entry), entry) for entry in os.scandir(root) if entry.is_dir()), key=lambda f: f[0])
    too_many, too_old = len(folders) - KEEP, time.time() - KEEP_SECONDS
    for index, (age, entry) in enumerate(folders):  # oldest first
        if index >= too_many and age >= too_old:
            break
        shutil.rmtree(entry.path, ignore_errors=True)


def png_bytes(figure) -> bytes:
    """A PIL image, an array (uint8 gray or RGB(A); floats in 0..1 are scaled) or a matplotlib figure as PNG."""
    buffer = io.BytesIO()
    if hasattr(figure, "savefig"):
        # A constrained layout already fits every label in; "tight" would measure the drawn figure first: 15-20%
        # of a download figure's time, drawn per new digit, picture or attack (bench/figures-results.md).
        tight = {"bbox_inches": "tight"} if figure.get_layout_engine() is None else {}
        figure.savefig(buffer, format="png", dpi=150, **tight)
        return buffer.getvalue()
    if isinstance(figure, PILImage.Image):
        image = figure
    else:
        array = np.asarray(figure)
        if array.dtype != np.uint8:
            array = np.clip(array * 255 if array.dtype.kind == "f" and array.max(initial=0) <= 1 else array, 0, 255)
            array = np.round(array).astype(np.uint8)
        image = PILImage.fromarray(array)
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def wav(samples, sample_rate: int, name: str, *, gain_db: float = 0.0) -> str:
    """Float samples (1.0 = full scale, mono) as a 16-bit WAV ``<name>.wav`` (``core.audio.int16_audio``: scaled
    by ``gain_db``, clipped, never normalised), written once; returns its path, for a ``gr.Audio``. An array handed
    to Gradio is written again to the same file (named after its content) at every call, so a class fetching one
    clip fetched it while another call rewrote it: a cut file (the class bench, 1 of 395 example picks); a path is
    copied into Gradio's cache once, atomically."""
    from core.audio import int16_audio

    rate, pcm = int16_audio(samples, sample_rate, gain_db=gain_db)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.ascontiguousarray(pcm, dtype="<i2").tobytes())
    return _store(buffer.getvalue(), name, ".wav")


def png(figure, name: str) -> str:
    """The figure (see ``png_bytes``) as ``<name>.png``; returns the file's path, for a ``core.ui.Image`` or a
    ``gr.DownloadButton``. ``name`` comes from ``file_name``."""
    return _store(png_bytes(figure), name, ".png")


def csv_bytes(rows: Iterable[Sequence], header: Sequence | None = None) -> bytes:
    """Rows as CSV, UTF-8 with a byte-order mark so that Excel shows Chinese as Chinese."""
    text = io.StringIO()
    writer = csv_module.writer(text, lineterminator="\r\n")
    if header is not None:
        writer.writerow([_text(cell) for cell in header])
    writer.writerows([[_text(cell) for cell in row] for row in rows])
    return text.getvalue().encode("utf-8-sig")


def csv(rows: Iterable[Sequence], name: str, header: Sequence | None = None) -> str:
    """A table as ``<name>.csv`` (see ``csv_bytes``); returns the file's path, for a ``gr.DownloadButton``."""
    return _store(csv_bytes(rows, header), name, ".csv")


def frame_csv(frame, name: str) -> str:
    """A pandas DataFrame (what a gr.BarPlot or gr.LinePlot is fed) as ``<name>.csv``."""
    return csv(frame.itertuples(index=False), name, header=list(frame.columns))


_BUTTON_STYLE = dict(size="sm", variant="secondary", elem_classes=["export-button"], min_width=80, scale=0)


def download_button(i18n_keys, *, elem_id: str, kind: str = "csv"):
    """A small download button labelled in the user's language ("CSV" / "下載 CSV", "PNG" / "下載 PNG"); an
    event sets its file. Place it under its table or figure."""
    import gradio as gr

    return gr.DownloadButton(i18n_keys(f"export.{kind}"), value=None, elem_id=elem_id, **_BUTTON_STYLE)


#: The browser's half of a ``drawn_button``: saves the file the click's answer put in the hidden gr.File
#: (a gr.DownloadButton saves only the file it already holds, so a file made by its own click needs a second click).
SAVE_JS = """(file) => {
  if (file && file.url) {
    const link = document.createElement("a");
    link.href = file.url;
    link.download = file.orig_name || "";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
}"""


def drawn_button(i18n_keys, *, elem_id: str, kind: str = "png"):
    """A button that looks like ``download_button`` but whose file is made only when clicked (``when_clicked``):
    for a figure that costs ~0.1 s to draw. Drawn at every new input, such figures were most of a light action's
    time, for the few who download them (Saliency's top 5, the soft-target gradient, ‖z‖ along a walk: 155 -> 51
    ms, 143 -> 5 ms, 164 -> 41 ms a call on 2 cores)."""
    import gradio as gr

    return gr.Button(i18n_keys(f"export.{kind}"), elem_id=elem_id, **_BUTTON_STYLE)


def when_clicked(button, fn, inputs, *, api_name: str, **lane):
    """Wires a ``drawn_button``: ``fn(*inputs)`` returns the file's path (from ``png``), a hidden gr.File takes it
    and the browser saves it under its name. Returns the click event."""
    import gradio as gr

    file = gr.File(visible=False, elem_id=f"{button.elem_id}-file")
    event = button.click(fn, inputs, file, api_name=api_name, show_progress="hidden", **lane)
    event.then(None, [file], None, js=SAVE_JS)
    return event


def downloadable(*images) -> None:
    """Adds Gradio's own download button to pictures built with ``buttons=[...]`` (it saves the file under the
    name ``png`` gave it). Called after the layout, so the layout's lines stay as they are."""
    for image in images:
        buttons = list(getattr(image, "buttons", None) or [])
        if "download" not in buttons:
            image.buttons = [*buttons, "download"]


class Drawn:
    """Files drawn once per key and handed out again while this module keeps them (a pruned one is drawn again):
    for a figure that takes ~0.1 s to draw and is asked for at every move of a slider."""

    def __init__(self, maxsize: int = 64):
        self._memo = Memo(maxsize=maxsize)

    def get(self, key, draw) -> tuple[str, ...]:
        """``draw()`` returns the paths (from ``png``/``csv``) for ``key``; called again if one was removed."""
        paths, _ = self._memo.get(key, draw)
        if not _kept(paths):
            paths = draw()
            self._memo.put(key, paths)
        return paths


def _kept(paths) -> bool:
    """Mark the files as just asked for, so the pruning takes them last (a page fetches a file after its answer:
    one handed out again untouched was the oldest, and went while the page fetched it); False if one is gone."""
    with _lock:
        try:
            for path in paths:
                if not os.path.exists(path):
                    return False
                os.utime(os.path.dirname(path))
        except FileNotFoundError:
            return False
    return True
