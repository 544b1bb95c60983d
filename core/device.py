"""Pick where tensors run: CUDA > Apple MPS > CPU, overridable by --device or DEMO_DEVICE."""
from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import threading

import torch

from core import ROOT
from core.heavy import on_zero_gpu
from core.i18n import register, t

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
    if on_zero_gpu():  # ZeroGPU: no CUDA outside @spaces.GPU functions, so the models live on the CPU (core.heavy)
        return torch.device("cpu")
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


def reset() -> None:
    """The process-wide device forgotten (tests): the next ``get_device()`` picks it again (DEMO_DEVICE, then the
    best available). The heavy jobs' thread count is not touched: it belongs to jobs that may be running."""
    global _chosen
    _chosen = None


register({
    "en": {"device.cpu": "CPU · {cores} cores", "device.cuda": "GPU (CUDA) · {name}", "device.mps": "GPU (Apple MPS)"},
    "zh": {"device.cpu": "CPU · {cores} 核心", "device.cuda": "GPU（CUDA）· {name}", "device.mps": "GPU（Apple MPS）"},
})


def describe(device: torch.device | None = None, lang: str | None = None) -> str:
    """Human-readable name for the header, e.g. 'GPU (CUDA) · NVIDIA T4' or 'CPU · 2 cores'."""
    device = device or get_device()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else ""
    return t(f"device.{device.type}", lang, cores=os.cpu_count() or 1, name=name)


def configure_process() -> None:
    """Settings for serving a class, measured on 2 cores with bench/load.py.

    * One torch thread per request: with 2 threads each, a training run and a few slider moves at once
      made OpenMP threads wait on each other, and a 2 s training took 40 s. Heavy jobs get the remaining
      cores through ``heavy_threads()`` (none extra on 2 cores; DEMO_HEAVY_THREADS overrides the count).
    * At most 2 malloc arenas (glibc): Gradio answers from up to 40 worker threads, each of which would
      otherwise keep an arena of freed memory; the server grew 16% in one minute of load, 5% with this.
    """
    torch.set_num_threads(1)
    _limit_malloc_arenas(2)


#: How often the server gives freed heap pages back to the system (seconds; 0: only after heavy jobs).
TRIM_EVERY_SECONDS = float(os.environ.get("DEMO_TRIM_EVERY_SECONDS", "30"))
_trimmer: threading.Thread | None = None
_trimmer_lock = threading.Lock()
_trimmer_stop = threading.Event()  # set: the thread ends (tests)


def return_free_memory_every(seconds: float | None = None) -> threading.Thread | None:
    """A daemon thread that calls malloc_trim every ``seconds`` (default ``TRIM_EVERY_SECONDS``); one per process.

    Heavy jobs trim when they end, but the light events (a slider moved, a prediction, a figure drawn) free memory
    too, and glibc keeps what they free. Measured at rest after a 3-minute class: 1,847 MB, and 1,760 MB after one
    malloc_trim (gdb); a trim of the 2 GB server takes a few milliseconds."""
    global _trimmer
    seconds = TRIM_EVERY_SECONDS if seconds is None else seconds
    if seconds <= 0 or _libc() is None or not hasattr(_libc(), "malloc_trim"):
        return None
    with _trimmer_lock:
        if _trimmer is None or not _trimmer.is_alive():
            def trim_forever():
                while not _trimmer_stop.wait(seconds):
                    _return_free_memory()
            _trimmer = threading.Thread(target=trim_forever, name="malloc-trim", daemon=True)
            _trimmer.start()
    return _trimmer


@functools.lru_cache(maxsize=1)
def _libc():
    """The C library the process already uses (no lookup: ctypes.util.find_library forks a subprocess)."""
    import ctypes

    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


#: Caches emptied before each trim (``also_on_trim``): ones that grow per thread and would keep what they hold.
_on_trim: list = []


def also_on_trim(forget) -> None:
    """``forget()`` runs before each trim (every ``TRIM_EVERY_SECONDS`` and after each heavy job): for a cache that
    would otherwise keep memory for threads that are gone. Registered once per function."""
    if forget not in _on_trim:
        _on_trim.append(forget)


def _return_free_memory() -> None:
    """glibc's malloc_trim(0): give the heap's free pages back to the system after a heavy job (after emptying the
    caches registered with ``also_on_trim``)."""
    for forget in list(_on_trim):
        forget()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def heap_usage() -> dict[str, float] | None:
    """glibc's own account of the heap, all arenas (``mallinfo2``), in MB: ``in_use`` (allocated and not freed,
    big blocks included), ``mmapped`` (of it, the big blocks malloc mapped on their own) and ``free`` (freed chunks
    inside the heap, the pages a trim gave back included: not all of it is resident). RSS minus in_use is then freed
    pages not given back yet, code, thread stacks, oneDNN's compiled kernels and files mapped. None on other C
    libraries."""
    import ctypes

    libc = _libc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return None

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                            "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    mb = 2.0 ** 20
    return {"in_use": (info.uordblks + info.hblkhd) / mb, "mmapped": info.hblkhd / mb, "free": info.fordblks / mb}


#: DEMO_TRACE_MEMORY=N: from the end of the warm-up, Python's tracemalloc keeps N frames of every allocation, and
#: the memory report (SIGUSR1) says where what is still alive was allocated. A diagnosis: it slows the app.
TRACE_FRAMES = int(os.environ.get("DEMO_TRACE_MEMORY", "0") or 0)


def trace_memory_from_now(frames: int = TRACE_FRAMES) -> bool:
    """Start tracemalloc with ``frames`` frames (for 0 nothing, not even its import); True when tracing."""
    if frames <= 0:
        return "tracemalloc" in sys.modules and sys.modules["tracemalloc"].is_tracing()
    import tracemalloc

    if not tracemalloc.is_tracing():
        tracemalloc.start(frames)
    return True


def traced_memory(top: int = 15) -> list[tuple[str, int, int]]:
    """What is alive of the memory allocated since tracing began: (where, MB, blocks), largest first, each block
    counted at the project's frame nearest to the allocation ("demos/gan/ui.py:120") and the frame that allocated it
    (a library's, or the same). Python objects and numpy arrays only (torch's tensors are not traced). Empty when
    not tracing."""
    tracemalloc = sys.modules.get("tracemalloc")  # not imported: not tracing (and the report imports nothing)
    if tracemalloc is None or not tracemalloc.is_tracing():
        return []
    sizes: dict[str, list[int]] = {}
    for trace in tracemalloc.take_snapshot().traces:
        frames = list(trace.traceback)  # the oldest frame first
        innermost = frames[-1]
        ours = next((f for f in reversed(frames) if f.filename.startswith(ROOT)
                     and "site-packages" not in f.filename), None)
        where = (f"{os.path.relpath(ours.filename, ROOT)}:{ours.lineno} → " if ours else "") + \
            f"{_short(innermost.filename)}:{innermost.lineno}"
        kept = sizes.setdefault(where, [0, 0])
        kept[0] += trace.size
        kept[1] += 1
    rows = sorted(((where, size, count) for where, (size, count) in sizes.items()), key=lambda row: -row[1])
    return [(where, round(size / 2**20), count) for where, size, count in rows[:top]]


def _short(path: str) -> str:
    """A file's path from its package on ("gradio/blocks.py"), or from the project."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    return os.path.relpath(path, ROOT) if path.startswith(ROOT) else os.path.basename(path)


def freeze_start_up_objects() -> int:
    """Once the app is loaded and warmed up: collect, then move every object alive to the collector's permanent
    generation (``gc.freeze``), where its full collections no longer walk them; returns how many. The models,
    modules and caches of the start are most of the heap (~576,000 objects): each full collection walked them all,
    stopping every request for 0.2-0.6 s, about every 18 s in a class. Measured in a 3-minute class on 2 cores
    (bench/load-class-memray.md): 11 full collections took 4.8 s, longest 0.64 s; after the freeze 27 took 2.0 s,
    longest 0.28 s. Objects made later are collected as before; a frozen one that becomes garbage in a cycle stays."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _limit_malloc_arenas(count: int) -> None:
    """glibc's mallopt(M_ARENA_MAX, count), as MALLOC_ARENA_MAX would; nothing on other C libraries."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return  # the user's own setting wins
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(-8, count)  # M_ARENA_MAX


def heavy_thread_count() -> int:
    override = os.environ.get("DEMO_HEAVY_THREADS", "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    return max(1, (os.cpu_count() or 2) - 1)  # one core stays free for the light events


_heavy_lock = threading.Lock()
_heavy_jobs = 0  # heavy jobs inside heavy_threads() now
_threads_before = 1  # torch's thread count before the first of them


@contextlib.contextmanager
def heavy_threads():
    """Inside a heavy job (see core.ui.HEAVY): torch may use the cores the light events do not need. Heavy jobs
    are often generators that a worker thread interleaves, and torch's thread count outlives each of them, so
    overlapping jobs share one setting: the first job in sets it, the last one out puts back the count from before
    the first (each putting back its own "before" left the heavy count behind when jobs ended out of order)."""
    global _heavy_jobs, _threads_before
    with _heavy_lock:
        if _heavy_jobs == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(heavy_thread_count())
        _heavy_jobs += 1
    try:
        yield
    finally:
        with _heavy_lock:
            _heavy_jobs -= 1
            if _heavy_jobs == 0:
                torch.set_num_threads(_threads_before)
        _return_free_memory()


def in_few_shapes(model: torch.nn.Module, *inputs: torch.Tensor, sizes: tuple[int, ...] = ()) -> torch.Tensor:
    """``model(*inputs)`` with the batch padded to the next power of two (copies of the last row; past 64 rows, to a
    multiple of 64), or to the smallest of ``sizes`` that holds it (a caller that batches in chunks of known sizes:
    only its last chunk is padded), then cut back.

    On the CPU, oneDNN and PyTorch's ideep layer keep compiled kernels for every input shape they meet, up to 1,024
    each, for the life of the process: the GAN's batch sizes (1-64 samples, 2-32 frames, ...) were the largest part
    of what a class left allocated (bench/load-class-memray.md: 361 MB inside its ConvTranspose2d). Seven sizes
    instead of a hundred: 64 new batch sizes through the GAN and its judge kept +56 MB, +6 MB padded (and took 3.3 s
    instead of 4.9 s: fewer kernels compiled). Each row is computed on its own (a model in eval mode), so the rows
    kept are the same numbers up to float rounding (no uint8 pixel changed in 155,232). A model in training mode
    (batch statistics) runs as it is."""
    count = inputs[0].shape[0]
    size = padded_size(count, sizes)
    if model.training or count == 0 or size == count:
        return model(*inputs)
    padded = [torch.cat([x, x[-1:].expand(size - count, *x.shape[1:])]) for x in inputs]
    return model(*padded)[:count]


def padded_size(count: int, sizes: tuple[int, ...] = ()) -> int:
    """The batch size ``in_few_shapes`` runs ``count`` rows in: the smallest of ``sizes`` that holds them (none:
    ``count``); without ``sizes``, the next power of two, past 64 a multiple of 64."""
    if sizes:
        return min((size for size in sizes if size >= count), default=count)
    return 1 << max(count - 1, 0).bit_length() if count <= 64 else -(-count // 64) * 64


def few_shapes(most: int) -> list[int]:
    """Every batch size ``in_few_shapes`` runs for batches of 1 to ``most`` rows, smallest first. A warm-up that
    puts each of them through a model once compiles every kernel its batches will need (oneDNN keys them by shape
    and thread count), so a class does not add any: they cost memory and time when a student first meets them."""
    return sorted({padded_size(count) for count in range(1, most + 1)})
