"""The CycleGAN tab's speed goals, on this machine (2 CPU cores), in one run:

* a digit translated by the bundled digits pair (x, G(x), F(G(x)), the classifier and the style judge) ≤ 0.1 s
  end to end (through gradio_client), and the in-process handler;
* a 256² photo through the packaged ResNet-9 generator (vintagify): the whole handler vs the raw generator forward
  at 256², ratio ≤ 1.25x, end to end ≤ 1.5 s; with the app's heavy-lane threads (one on 2 cores) and with 2
  (``DEMO_HEAVY_THREADS=2``: a teacher alone at a laptop), in-process and in a second app process;
* the raw forward at 512² (what a GPU's working size would cost on this CPU), 1 and 2 threads: reported only;
* the identity test (vintagify) and the digits pair's test strip, end to end.

    python -m bench.cyclegan     # writes bench/cyclegan-results.md
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "cyclegan-results.md"
PHOTO = ROOT / "assets" / "examples" / "astronaut.png"  # 512x512: translated at 256x256 on a CPU
THREADS = (1, 2)


@contextlib.contextmanager
def heavy_lane(threads: int | None):
    """The heavy lane's thread count as DEMO_HEAVY_THREADS sets it (None: the app's default), for this process
    and for the app processes started inside."""
    previous = os.environ.pop("DEMO_HEAVY_THREADS", None)
    if threads is not None:
        os.environ["DEMO_HEAVY_THREADS"] = str(threads)
    try:
        yield
    finally:
        os.environ.pop("DEMO_HEAVY_THREADS", None)
        if previous is not None:
            os.environ["DEMO_HEAVY_THREADS"] = previous


def cpu_seconds() -> tuple[float, float, float]:
    """(wall clock, CPU seconds the whole machine was busy, CPU seconds of this process and its finished
    children): the difference between two readings tells how much other processes ran meanwhile."""
    times = os.times()
    own = times.user + times.system + times.children_user + times.children_system
    stat = Path("/proc/stat")
    if not stat.is_file():
        return time.perf_counter(), float("nan"), own
    user, nice, system, _, _, irq, softirq, steal = (int(v) for v in stat.read_text().split()[1:9])
    return time.perf_counter(), (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK"), own


def others(start: tuple[float, float, float], end: tuple[float, float, float]) -> str:
    """What other processes used of the machine between two ``cpu_seconds()`` readings."""
    wall, busy, own = (b - a for a, b in zip(start, end))
    other = max(0.0, busy - own)
    return f"{other:.0f} CPU-s in {wall:.0f} s ({other / (wall * (os.cpu_count() or 1)) * 100:.0f}% of the machine)"


def main() -> None:
    from core import models
    from core.device import configure_process, heavy_thread_count

    models.set_offline(True)
    configure_process()  # as the app runs: one torch thread per request
    os.environ.pop("DEMO_HEAVY_THREADS", None)
    default_threads = heavy_thread_count()
    scratch = Path(tempfile.mkdtemp(prefix="bench-cyclegan-"))
    start = cpu_seconds()
    digit_paths, new_photo = inputs(scratch)
    digits = measure_digits(digit_paths[0])
    photos = measure_photos()
    in_process = cpu_seconds()
    e2e = {default_threads: app_run(None, digit_paths, new_photo), 2: app_run(2, digit_paths, new_photo)}
    done = cpu_seconds()
    shutil.rmtree(scratch, ignore_errors=True)

    lines = [*header(default_threads, start, in_process, done), *digits_section(digits, e2e[default_threads]),
             *photos_section(photos, e2e), *raw512_section(photos["raw512"]), *identity_section(e2e),
             "", "## Misses and why", "",
             *misses(digits["digits_ms"], e2e[default_threads]["digits"], photos["photo"], e2e, photos["raw512"],
                     default_threads, photos["photo_png_ms"]), ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


# ---------------------------------------------------------------- inputs

def inputs(scratch: Path) -> tuple[list[str], Callable[[], str]]:
    """Test digits drawn as ui.examples() shows them (dark on white, 224x224), as PNG files in ``scratch``, and a
    maker of new photos: the astronaut with a different 8x8 corner each time (the memo cannot answer it)."""
    import numpy as np
    from PIL import Image

    from core.data.digits import HANDWRITTEN, TEST, load_split
    from demos.cyclegan import figures
    from demos.cyclegan import ui as tab

    split = load_split(TEST, HANDWRITTEN)
    digit_paths = []
    for i in range(40):
        path = scratch / f"digit-{i}.png"
        Image.fromarray(255 - figures.enlarge(split.images[i], tab.DIGIT_ZOOM)).save(path)
        digit_paths.append(str(path))
    astronaut = np.asarray(Image.open(PHOTO).convert("RGB"))
    photo_paths = iter(range(1000))

    def new_photo() -> str:
        """The astronaut with a different 8x8 corner each time: the memo cannot answer it."""
        i = next(photo_paths)
        picture = astronaut.copy()
        picture[:8, :8] = i % 256
        picture[8:16, :8] = i // 256
        path = scratch / f"photo-{i}.png"
        Image.fromarray(picture).save(path)
        return str(path)

    return digit_paths, new_photo


# ---------------------------------------------------------------- in-process

def measure_digits(digit_path: str) -> dict[str, float]:
    """In-process, the digits pair on one test digit: the raw G then F forward, the handler, the strip, and the
    gallery's PNG files of the handler's panels (ms)."""
    import torch

    from bench.common import timed
    from core.data.digits import to_tensor
    from core.ui import Gallery
    from core.uploads import decode_image
    from demos.cyclegan import ui as tab
    from demos.cyclegan.model import DIGITS, TRANSLATORS

    pair = TRANSLATORS.get(DIGITS.key).model
    digit = to_tensor(tab.normalize_digit(decode_image(digit_path, max_side=2 * tab.GPU_SIDE))[None])

    def raw_digits():
        with torch.inference_mode():
            pair.f(pair.g(digit))

    def translate_digit():
        tab.TRANSLATED.clear()  # the handler's own cost, not the memo's
        return tab.translate(digit_path, None, False, DIGITS.key, "a_to_b")

    measured = {"raw_digits_ms": timed(raw_digits, 50), "digits_ms": timed(translate_digit, 30),
                "strip_ms": timed(lambda: tab.strip("a_to_b", 3), 20)}
    panels_gallery = Gallery(format="png")  # what Gradio does with the handler's panels: PNG files in its cache
    digit_panels = translate_digit()[0]
    measured["digit_png_ms"] = timed(lambda: panels_gallery.postprocess(digit_panels), 10)
    return measured


def with_threads(threads: int, fn, *args):
    """``fn(*args)`` on ``threads`` torch threads (then the previous count again)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn(*args)
    finally:
        torch.set_num_threads(previous)


def measure_photos() -> dict:
    """In-process, the photo generator (vintagify) at 256² (the handler on the astronaut and its parts, per thread
    count) and 512² (raw only): ``photo`` maps threads to (raw forward 256², logic.apply alone, logic.apply inside
    heavy_threads(), the whole handler) in ms; then the handler's preparation, change map and PNG files (ms) and
    ``raw512`` (threads -> ms)."""
    import numpy as np
    import torch
    from PIL import Image

    from bench.common import timed
    from core.device import heavy_threads
    from core.ui import Gallery
    from core.uploads import decode_image
    from demos.cyclegan import figures, logic
    from demos.cyclegan import ui as tab
    from demos.cyclegan.model import TRANSLATORS

    g = TRANSLATORS.get("vintagify").model.g
    working = logic.to_working_size(decode_image(PHOTO, max_side=2 * tab.GPU_SIDE), tab.working_side())
    x256 = logic.image_tensor(working)
    x512 = logic.image_tensor(np.asarray(Image.open(PHOTO).convert("RGB")))

    def raw(x):
        with torch.inference_mode():
            g(x)

    def translate_photo():
        tab.TRANSLATED.clear()
        return tab.translate(str(PHOTO), None, False, "vintagify", "a_to_b")

    def apply_in_lane():
        with heavy_threads():  # as the handler's passes(): set the lane's threads, run, put them back, malloc_trim
            logic.apply(g, working)

    photo = {}
    for threads in THREADS:
        with heavy_lane(threads):
            photo[threads] = (timed(lambda threads=threads: with_threads(threads, raw, x256), 5, warmup=1),
                              timed(lambda threads=threads: with_threads(threads, logic.apply, g, working), 5,
                                    warmup=1),
                              timed(apply_in_lane, 5, warmup=1), timed(translate_photo, 5, warmup=1))
    measured = {"photo": photo}
    measured["prepare_ms"] = timed(lambda: logic.to_working_size(decode_image(PHOTO, max_side=2 * tab.GPU_SIDE),
                                                                 tab.working_side()), 10)
    change = logic.cycle_error(working, logic.apply(g, working))
    measured["change_map_ms"] = timed(lambda: figures.change_map(change, figures.change_scale(change)), 10)
    photo_panels = translate_photo()[0]
    panels_gallery = Gallery(format="png")
    measured["photo_png_ms"] = timed(lambda: panels_gallery.postprocess(photo_panels), 10)
    measured["raw512"] = {threads: timed(lambda threads=threads: with_threads(threads, raw, x512), 3, warmup=1)
                          for threads in THREADS}
    return measured


# ---------------------------------------------------------------- end to end through gradio_client

def end_to_end(fn, repeat=5, prepare=None):
    """Median seconds of ``fn(prepare())``; ``prepare`` (a new picture) is not timed."""
    samples = []
    for _ in range(repeat):
        argument = prepare() if prepare else None
        start = time.perf_counter()
        fn(argument)
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def app_run(threads: int | None, digit_paths: list[str], new_photo: Callable[[], str]) -> dict[str, float]:
    """One app process (its heavy lane on ``threads``, None: the default): photo calls, and with the default
    lane the digits and the strip (median seconds)."""
    from gradio_client import Client, handle_file

    from bench.common import settle, start_app, stop_app
    from demos.cyclegan import ui as tab
    from demos.cyclegan.model import DIGITS

    with heavy_lane(threads):  # start_app's process inherits this process's environment
        server, url, _ = start_app()
    try:
        settle(server.pid)  # every tab's warm-up (models, the GAN playground's presets) would share the 2 cores
        client = Client(url, verbose=False, download_files=False)  # the answer with its picture URLs

        def translate(path, model="vintagify"):
            return client.predict(handle_file(path), None, False, model, "a_to_b", api_name="/cyclegan_translate")

        def identity(path):
            return client.predict(handle_file(path), None, False, "vintagify", "a_to_b",
                                  api_name="/cyclegan_identity")

        def translated_photo():
            path = new_photo()
            translate(path)  # G(x) memoised: the identity test then runs one pass, G(G(x))
            return path

        translate(new_photo())  # the first call loads the photo generator if the warm-up has not
        row = {"photo": end_to_end(translate, prepare=new_photo),
               "photo_memo": end_to_end(translate, prepare=translated_photo),
               "identity_fresh": end_to_end(identity, repeat=3, prepare=new_photo),
               "identity_after": end_to_end(identity, repeat=3, prepare=translated_photo)}
        if threads is None:
            digits = iter(digit_paths[1:])  # a new digit each call: the memo cannot answer
            translate(next(digits), DIGITS.key)
            row["digits"] = end_to_end(lambda path: translate(path, DIGITS.key), repeat=15,
                                       prepare=lambda: next(digits))
            sets = iter(range(1, tab.STRIP_SETS))  # a new set each call
            row["strip"] = end_to_end(lambda n: client.predict("a_to_b", n, api_name="/cyclegan_strip"),
                                      repeat=9, prepare=lambda: next(sets))
        return row
    finally:
        stop_app(server)


# ---------------------------------------------------------------- the report's sections

def header(default_threads: int, start, in_process, done) -> list[str]:
    """The title, the machine, the run and the contention line (from three ``cpu_seconds()`` readings)."""
    from bench.common import machine

    return ["# CycleGAN tab: speed", "", f"Machine: {machine()}.",
            f"Run: {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench.cyclegan`; medians; one torch thread per "
            f"request (the app's `configure_process`), the heavy lane's photo work on {default_threads} "
            f"(`heavy_thread_count()` on {os.cpu_count()} cores) unless the row says 2 (`DEMO_HEAVY_THREADS=2`).",
            f"Other processes on the machine meanwhile (CPU contention): {others(start, in_process)} during the "
            f"in-process part, {others(in_process, done)} during the end-to-end part.", ""]


def digits_section(digits: dict[str, float], e2e: dict[str, float]) -> list[str]:
    """Digits: the bundled pair, in-process and end to end (the default heavy lane's app run ``e2e``)."""
    return ["## Digits: the bundled pair on a 28×28 digit", "",
            "| action | in-process | end to end (gradio_client) | goal |", "| --- | ---: | ---: | --- |",
            f"| raw G then F forward (28×28, one thread) | {digits['raw_digits_ms']:.1f} ms | | |",
            f"| `translate` (decode the 224×224 PNG, centre, G, F, classifier ×3, style judge, error map) "
            f"| {digits['digits_ms']:.1f} ms | {e2e['digits']:.3f} s | ≤ 0.1 s |",
            f"| `strip` (ten test digits there and back, read, drawn) | {digits['strip_ms']:.1f} ms "
            f"| {e2e['strip']:.3f} s | |", "",
            "End to end includes uploading the PNG (a second HTTP request), the queue, and Gradio writing the four "
            f"224×224 panels as PNG files ({digits['digit_png_ms']:.1f} ms in-process: the gallery's postprocess of "
            "the handler's output); the pictures are not downloaded.", ""]


def photos_section(photos: dict, e2e: dict[int, dict[str, float]]) -> list[str]:
    """Photos at 256²: raw, handler and end to end per heavy-lane thread count, then the handler's steps."""
    photo = photos["photo"]
    lines = ["## Photos: the ResNet-9 generator (vintagify) at 256² (astronaut.png, 512×512 → 256×256)", "",
             "| heavy-lane threads | raw forward 256² | whole handler `translate` | ratio (goal ≤ 1.25x) "
             "| end to end (goal ≤ 1.5 s) | end to end, answered from the memo (the floor: upload, queue, files) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for threads, (raw_ms, _, _, handler_ms) in photo.items():
        lines.append(f"| {threads} | {raw_ms:.0f} ms | {handler_ms:.0f} ms | {handler_ms / raw_ms:.2f}x "
                     f"| {e2e[threads]['photo']:.2f} s | {e2e[threads]['photo_memo']:.2f} s |")
    lines += ["", "The handler's steps: decode the PNG and resize it (Lanczos) "
              f"{photos['prepare_ms']:.1f} ms; the change map with its colour bar {photos['change_map_ms']:.1f} ms; "
              "and the forward:", "",
              "| threads | raw forward 256² | `logic.apply` (uint8 → tensor, forward, → uint8) "
              "| `logic.apply` inside `heavy_threads()` (set threads, run, restore, `malloc_trim`) "
              "| whole handler |", "| ---: | ---: | ---: | ---: | ---: |"]
    for threads, (raw_ms, apply_ms, lane_ms, handler_ms) in photo.items():
        lines.append(f"| {threads} | {raw_ms:.0f} ms | {apply_ms:.0f} ms | {lane_ms:.0f} ms | {handler_ms:.0f} ms |")
    if any(row[1] > row[3] for row in photo.values()):
        lines += ["", "Where `logic.apply` alone measured slower than the whole handler that contains it, the "
                  "difference is run-to-run noise (other processes ran meanwhile: see the contention line), not a "
                  "cost of the handler."]
    return [*lines, "", "Gradio then writes the three panels (x, G(x), the change map with its bar) as PNG files: "
            f"{photos['photo_png_ms']:.0f} ms more, outside the handler (part of the end-to-end time).", ""]


def raw512_section(raw512: dict[int, float]) -> list[str]:
    """The raw forward at 512², per thread count."""
    return ["## The raw forward at 512² (reported only: a GPU's working size)", "",
            "| threads | raw forward 512² |", "| ---: | ---: |",
            *(f"| {threads} | {raw512[threads] / 1000:.2f} s |" for threads in THREADS)]


def identity_section(e2e: dict[int, dict[str, float]]) -> list[str]:
    """The identity test end to end, per heavy-lane thread count."""
    lines = ["", "## Identity test (vintagify) end to end, a new picture each call", "",
             "| heavy-lane threads | after `translate` (G(x) memoised: one pass) | a new picture (two passes) |",
             "| ---: | ---: | ---: |"]
    for threads in sorted(e2e):
        lines.append(f"| {threads} | {e2e[threads]['identity_after']:.2f} s | {e2e[threads]['identity_fresh']:.2f} s |")
    return lines


def misses(digits_ms, digits_e2e, photo, e2e, raw512, default_threads, png_ms) -> list[str]:
    """The goals met and missed, in words, from the measured numbers."""
    def verdict(value, goal):
        return f"met ({value:.2f} s ≤ {goal} s)" if value <= goal else f"**missed** ({value:.2f} s > {goal} s)"

    raw = {threads: row[0] for threads, row in photo.items()}
    lines = [f"- Digits end to end: {verdict(digits_e2e, 0.1)}. The handler itself takes {digits_ms:.0f} ms; the "
             "rest is the client's upload request, Gradio's queue and the panels' PNG files."]
    for threads, (raw_ms, _, _, handler_ms) in photo.items():
        ratio = handler_ms / raw_ms
        lines.append(f"- 256² photo, {threads} thread(s): handler/raw {ratio:.2f}x, "
                     f"{'met' if ratio <= 1.25 else '**missed**'} (goal ≤ 1.25x; the handler adds "
                     f"{handler_ms - raw_ms:.0f} ms to the {raw_ms:.0f} ms forward); end to end "
                     f"{verdict(e2e[threads]['photo'], 1.5)}, of which the raw forward is "
                     f"{raw_ms / 1000:.2f} s and the panels' PNG files about {png_ms / 1000:.2f} s.")
    lines.append(f"- Threads: the app's heavy lane runs photo work on `cpu_count - 1` = {default_threads} thread(s) "
                 "(one core stays free for the light events), so on 2 cores a 256² forward takes "
                 f"{raw[1] / 1000:.2f} s instead of {raw[2] / 1000:.2f} s with both cores "
                 f"({raw[1] / raw[2]:.2f}x faster with 2). A teacher alone at a laptop can set "
                 "`DEMO_HEAVY_THREADS=2`; in a class, the 1-thread policy keeps sliders and digit events answering "
                 "while a photo is translated.")
    if e2e[2]["photo"] > 1.1 * e2e[1]["photo"]:
        lines.append(f"- With 2 heavy-lane threads the photo was slower end to end than with 1 "
                     f"({e2e[2]['photo']:.2f} s vs {e2e[1]['photo']:.2f} s) although its forward is faster "
                     "in-process: in the app the two OpenMP threads share the 2 cores with the server's own threads "
                     "(the upload, the queue, the PNG files), the client and any other process (see the contention "
                     "line above); not analysed further.")
    lines.append(f"- 512² (no goal): {raw512[1] / 1000:.2f} s on 1 thread, {raw512[2] / 1000:.2f} s on 2, "
                 f"{raw512[1] / raw[1]:.1f}x the 256² pass: why a CPU translates photos at 256.")
    return lines


if __name__ == "__main__":
    main()
