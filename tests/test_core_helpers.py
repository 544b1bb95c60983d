"""Shared helpers the tabs use: heat-map overlays, int16 audio, the safe handler (plain and streaming),
number checks, and the one upload limit."""
import os
import threading
import warnings

import gradio as gr
import numpy as np
import pytest

from core import audio, i18n, images
from core.i18n import UserInputError, check_number
from core.ui import handler, slider_value

# ---- heat maps

def test_colorize_maps_the_scale_ends_to_the_colormap_ends():
    lut = images.colormap_lut("inferno")
    colours = images.colorize(np.array([[0.0, 0.5, 1.0, 7.0, np.nan]]), (0.0, 1.0))
    assert colours.dtype == np.uint8 and colours.shape == (1, 5, 3)
    assert (colours[0, 0] == lut[0]).all() and (colours[0, 2] == lut[-1]).all()
    assert (colours[0, 3] == lut[-1]).all() and (colours[0, 4] == lut[0]).all()  # clipped; NaN = low end


def test_shared_scale_covers_every_panel():
    weak, strong = np.full((4, 4), 0.1), np.linspace(0, 2, 16).reshape(4, 4)
    assert images.shared_scale(weak, strong) == (0.0, 2.0)
    assert images.shared_scale(weak - 0.5, strong, symmetric=True) == (-2.0, 2.0)
    # On the shared scale the weak map is drawn darker than the strong map's maximum.
    low = images.colorize(weak, images.shared_scale(weak, strong))
    high = images.colorize(strong, images.shared_scale(weak, strong))
    assert low.astype(int).sum() < high[-1, -1].astype(int).sum() * 16


def test_overlay_keeps_the_image_size_and_adds_a_colour_bar():
    picture = np.zeros((224, 224), np.uint8)
    heat = np.zeros((7, 7))
    heat[3, 3] = 1.0  # one hot cell of a coarse map
    out = images.overlay(picture, heat, (0.0, 1.0), alpha=0.5)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[0] == 224 and out.shape[1] > 224
    panel = images.overlay(picture, heat, (0.0, 1.0), alpha=0.5, colorbar=False)
    assert panel.shape == (224, 224, 3)
    centre, corner = panel[112, 112].astype(int).sum(), panel[5, 5].astype(int).sum()
    assert centre > corner  # the hot cell, stretched to the image, is where it was


def test_colour_bar_runs_from_high_at_the_top_to_low_at_the_bottom():
    bar = images.colorbar((0.0, 1.0), 200, cmap="gray")
    inked = np.flatnonzero((bar[100] != 255).any(axis=1))  # the middle row: the gradient starts at its first ink
    column = bar[:, inked[0] + 2].astype(int).sum(axis=1)  # a column inside the gradient
    inside = column[20:-20]
    assert inside[0] > inside[-1]
    assert (bar != 255).any(axis=2)[:, bar.shape[1] // 2:].any()  # tick labels drawn on the right


# ---- audio

def test_int16_audio_keeps_a_quiet_signal_quiet():
    t = np.linspace(0, 1, 16000, endpoint=False)
    whisper = 0.01 * np.sin(2 * np.pi * 440 * t)  # -40 dBFS
    rate, samples = audio.int16_audio(whisper, 16000)
    assert rate == 16000 and samples.dtype == np.int16
    assert abs(int(np.abs(samples).max()) - 328) <= 1  # not normalised to full scale
    assert 20 * np.log10(np.abs(samples).max() / 32767) == pytest.approx(-40, abs=0.05)  # -40 dBFS still


def test_int16_audio_applies_the_stated_gain_and_clips():
    _, louder = audio.int16_audio(np.full(10, 0.01), 8000, gain_db=20)
    assert int(louder[0]) == round(0.1 * 32767)
    _, clipped = audio.int16_audio(np.array([2.0, -2.0, np.nan, np.inf]), 8000)
    assert clipped.tolist() == [32767, -32767, 0, 0]


# ---- the handler

def test_handler_turns_user_errors_into_translated_gradio_errors():
    @handler
    def needs_positive(x, lang="en"):
        return check_number(x, "x", 0, 1)

    assert needs_positive(0.5) == 0.5
    with pytest.raises(gr.Error, match="x must be a number between 0 and 1"):
        needs_positive(5)
    with pytest.raises(gr.Error, match="whole number"):
        handler(lambda x: check_number(x, "n", 1, 3, integer=True))(2.5)


def test_a_busy_refusal_is_titled_busy_not_error_in_both_languages():
    """A full class is not a mistake: its pop-up's title says so (it said "Error" / "錯誤")."""
    @handler
    def refused(lang="en"):
        raise UserInputError("app.busy", jobs=3, seconds=40)

    for lang in ("en", "zh"):
        i18n.set_default_lang(lang)
        try:
            with pytest.raises(gr.Error) as info:
                refused()
        finally:
            i18n.set_default_lang("en")
        assert info.value.title == i18n.t("app.busy_title", lang) != i18n.t("app.error_title", lang)
        assert "40" in str(info.value)
    with pytest.raises(gr.Error) as info:  # other messages keep their title
        handler(lambda: check_number(5, "x", 0, 1))()
    assert info.value.title == i18n.t("app.error_title", "en")


def test_an_emptied_slider_box_counts_as_its_minimum_quietly():
    @handler
    def temperature(x, lang="en"):
        return slider_value(x, "T", 0.5, 20)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert temperature(None) == 0.5 and temperature("") == 0.5 and temperature(" ") == 0.5
        assert temperature(3) == 3.0 and temperature("3") == 3.0
        assert slider_value(None, "n", 1, 9, integer=True) == 1
    assert not caught  # retyping a number is not worth a pop-up
    with pytest.raises(gr.Error, match="must be a number"):
        temperature("warm")


def test_while_typing_a_number_out_of_range_counts_as_the_nearest_end():
    """"0" on the way to "0.75", or "-5": the page's own calls clamp (as Gradio will show the box);
    the same values through the API stay errors."""
    assert slider_value(0, "T", 0.5, 20, live=True) == 0.5 and slider_value(1000, "T", 0.5, 20, live=True) == 20
    assert slider_value("0.75", "T", 0.5, 20, live=True) == 0.75
    assert slider_value(-5, "#", 0, 1318, integer=True, live=True) == 0
    assert slider_value(2.6, "#", 0, 1318, integer=True, live=True) == 3
    for value in (0, 1000):
        with pytest.raises(UserInputError):
            slider_value(value, "T", 0.5, 20)
    with pytest.raises(UserInputError):
        slider_value(float("nan"), "T", 0.5, 20, live=True)


def test_internal_errors_become_a_short_message():
    @handler
    def broken():
        raise KeyError("internal detail")

    with pytest.raises(gr.Error) as info:
        broken()
    assert "internal detail" not in str(info.value) and "still running" in str(info.value)


def test_streaming_handlers_yield_and_translate_errors():
    @handler
    def steps(n, lang="en"):
        for i in range(check_number(n, "steps", 1, 5, integer=True)):
            yield f"{lang}:{i}"
        raise UserInputError("upload.none")

    import inspect

    assert inspect.isgeneratorfunction(steps)
    stream = steps(2)
    assert next(stream) == "en:0" and next(stream) == "en:1"
    with pytest.raises(gr.Error, match="No file yet"):
        next(stream)
    with pytest.raises(gr.Error, match="steps must be a whole number"):
        next(steps(9))


@pytest.mark.parametrize("value, error", [
    (None, UserInputError), ("", UserInputError), ("warm", UserInputError), (float("nan"), UserInputError),
    (-1, UserInputError), (21, UserInputError), ("4.5", None), (4, None),
])
def test_check_number(value, error):
    if error is None:
        assert check_number(value, "T", 0.5, 20) == float(value)
    else:
        with pytest.raises(error):
            check_number(value, "T", 0.5, 20)


def test_one_upload_limit_for_gradio_and_the_decoders():
    import app
    from core import uploads

    _, launch_kwargs = app.build_app()
    assert launch_kwargs["max_file_size"] == f"{uploads.MAX_UPLOAD_MB}mb"


def test_an_image_answered_to_many_at_once_is_never_seen_half_written(tmp_path):
    """16 students, the same picture: the file is written once and renamed into place, never rewritten."""
    import threading

    from core.ui import Image

    picture = np.kron(np.eye(28, dtype=np.uint8) * 255, np.ones((6, 6), np.uint8))
    component = Image()
    component.GRADIO_CACHE = str(tmp_path)
    paths, sizes, done = [], [], threading.Event()

    def answer():
        for _ in range(20):
            paths.append(component.postprocess(picture).path)

    def download():
        while not done.is_set():
            for found in tmp_path.glob("pictures/*/image.png"):
                sizes.append(found.stat().st_size)

    reader = threading.Thread(target=download)
    reader.start()
    writers = [threading.Thread(target=answer) for _ in range(16)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    full = {os.path.getsize(path) for path in paths}
    assert len(set(paths)) == 1 and len(full) == 1  # one file, one size
    assert set(sizes) <= full  # a reader never saw it shorter
    written = list(tmp_path.glob("pictures/*/image.png"))
    assert len(written) == 1 and not list(tmp_path.glob("pictures/*/.*"))


def test_a_picture_already_in_the_cache_is_not_encoded_again(tmp_path, monkeypatch):
    """The file is named by the pixels: the same picture for the next student is found, not encoded again; its PNG
    holds exactly those pixels; another picture (one pixel, or the same pixels in another shape) gets its own."""
    from PIL import Image as PILImage

    from core.ui import Image

    component = Image()
    component.GRADIO_CACHE = str(tmp_path)
    picture = np.arange(12 * 20 * 3, dtype=np.uint8).reshape(12, 20, 3)
    saves, save = [], PILImage.Image.save
    monkeypatch.setattr(PILImage.Image, "save", lambda self, *a, **k: (saves.append(1), save(self, *a, **k))[1])
    first = component.postprocess(picture).path
    again = component.postprocess(picture.copy()).path
    assert first == again and len(saves) == 1
    assert np.array_equal(np.asarray(PILImage.open(first)), picture)
    changed = picture.copy()
    changed[0, 0, 0] += 1
    others = {component.postprocess(changed).path, component.postprocess(picture.reshape(20, 12, 3)).path}
    assert len(others | {first}) == 3 and len(saves) == 3


def test_overlapping_heavy_jobs_leave_torchs_thread_count_as_it_was(monkeypatch):
    """Issue 21: heavy jobs are generators (a streamed attack), and a worker thread interleaves them; with each job
    putting back its own "before", job A out first then job B left the thread at the heavy count (3 instead of 1
    with DEMO_HEAVY_THREADS=3)."""
    import torch

    from core.device import heavy_threads

    def job(log):
        with heavy_threads():
            yield
            log.append(torch.get_num_threads())
            yield

    monkeypatch.setenv("DEMO_HEAVY_THREADS", "3")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        seen = []
        a, b = job(seen), job(seen)
        next(a), next(b)  # both in
        next(a), next(a, None)  # A out first, B still running
        next(b)
        assert seen == [3, 3]  # B still ran at the heavy count after A left
        next(b, None)
        assert torch.get_num_threads() == 1  # all out: the count from before the first
    finally:
        torch.set_num_threads(before)



def test_the_server_gives_freed_memory_back_on_a_clock_not_only_after_heavy_jobs(monkeypatch):
    """Issue 21: light events free memory too; glibc kept ~90 MB of it at rest after a class until a heavy job
    ended. One thread per process calls malloc_trim every few seconds; 0 seconds turns it off."""
    import time

    from core import device

    if device._libc() is None or not hasattr(device._libc(), "malloc_trim"):
        pytest.skip("not glibc")
    calls = []
    monkeypatch.setattr(device, "_return_free_memory", lambda: calls.append(time.monotonic()))
    monkeypatch.setattr(device, "_trimmer", None)
    monkeypatch.setattr(device, "_trimmer_stop", threading.Event())
    assert device.return_free_memory_every(0) is None  # off
    thread = device.return_free_memory_every(0.05)
    try:
        assert thread is not None and thread.daemon
        assert device.return_free_memory_every(0.05) is thread  # one per process
        deadline = time.monotonic() + 5
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(calls) >= 3
    finally:
        device._trimmer_stop.set()
        thread.join(2)
    assert not thread.is_alive()
def test_the_fonts_of_drawing_threads_are_let_go_at_each_trim():
    """Issue 21: matplotlib keeps its open fonts once per drawing thread; with Gradio's threads coming and going a
    class filled the cache with fonts of threads long gone (~6 MB each with the CJK fallback). Each trim empties
    it, and a figure drawn afterwards is the same picture."""
    from matplotlib import font_manager

    from core import device, plots

    def draw():
        fig = plots.line_figure({"路徑": ([0, 1, 2], [1, 2, 3])}, {"路徑": "#2563eb"}, title="‖z‖ 沿著路徑",
                                xlabel="t", ylabel="‖z‖")
        return plots.to_rgb(fig)

    before = draw()
    start = threading.Barrier(4)
    threads = [threading.Thread(target=lambda: (start.wait(), draw())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert font_manager._get_font.cache_info().currsize >= 4  # one entry per thread that drew (the trap)
    device._return_free_memory()
    assert font_manager._get_font.cache_info().currsize == 0
    assert np.array_equal(draw(), before)


def test_a_figure_becomes_the_same_pixels_as_its_png_on_white():
    """core.plots.to_rgb reads Agg's buffer instead of writing and decoding a PNG: the same picture, its size
    the figure's inches x dpi, a transparent figure on white."""
    import io

    from PIL import Image

    from core import plots

    def figure():
        fig, ax = plots.new_figure(4, 2.5)
        fig.patch.set_alpha(0)
        ax.plot([0, 1, 2], [2, 0, 1], color="#dc2626")
        plots.style(ax, "a title", "x", "y")
        return fig

    picture = plots.to_rgb(figure())
    buffer = io.BytesIO()
    figure().savefig(buffer, format="png", dpi=100, facecolor="white")
    assert picture.dtype == np.uint8 and picture.shape == (250, 400, 3)
    assert np.array_equal(picture, np.asarray(Image.open(buffer).convert("RGB")))
    assert (picture[0, 0] == 255).all()  # the corner: white, not black from a transparent background


def test_a_model_runs_in_few_batch_shapes_with_the_same_rows():
    """Issue 21: oneDNN keeps compiled kernels per input shape for the life of the process, and a class asked the
    GAN for every batch size from 1 to 64. ``in_few_shapes`` pads the batch to the next power of two and cuts the
    answer back: the model sees 1, 2, 4, ... rows, the caller gets its own rows, the same numbers."""
    import torch

    from core.device import in_few_shapes

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 3)).eval()
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(args[0].shape[0]))
    for count in (1, 2, 3, 5, 8, 9, 33):
        x = torch.randn(count, 1, 8, 8)
        with torch.inference_mode():
            padded = in_few_shapes(model, x)
            seen.pop()
            plain = model(x)
        assert padded.shape == plain.shape and torch.allclose(padded, plain, atol=1e-6)
    seen.clear()
    with torch.inference_mode():
        for count in range(1, 40):
            in_few_shapes(model, torch.randn(count, 1, 8, 8))
    assert sorted(set(seen)) == [1, 2, 4, 8, 16, 32, 64]
    seen.clear()
    with torch.inference_mode():
        assert in_few_shapes(model, torch.randn(65, 1, 8, 8)).shape == (65, 3)  # a big batch: to a multiple of 64
    assert seen == [128]
    model.train()  # batch statistics: padding would change them, so the batch goes as it is
    seen.clear()
    in_few_shapes(model, torch.randn(3, 1, 8, 8))
    assert seen == [3]
    assert in_few_shapes(model.eval(), torch.randn(0, 1, 8, 8)).shape == (0, 3)


def test_few_shapes_are_every_batch_size_in_few_shapes_runs():
    """A warm-up over ``few_shapes(most)`` meets every batch shape ``in_few_shapes`` gives batches of 1..most rows."""
    from core.device import few_shapes, padded_size

    assert few_shapes(64) == [1, 2, 4, 8, 16, 32, 64]
    assert few_shapes(200) == [1, 2, 4, 8, 16, 32, 64, 128, 192, 256]
    for most in (1, 7, 64, 65, 300):
        assert {padded_size(count) for count in range(1, most + 1)} == set(few_shapes(most))
        assert all(padded_size(size) == size for size in few_shapes(most))  # a warm-up batch runs unpadded
    assert [padded_size(count, (1, 5, 10)) for count in (1, 2, 5, 6, 10, 11)] == [1, 5, 5, 10, 10, 11]  # chunks


def test_objects_of_the_start_are_frozen_and_later_garbage_is_still_collected():
    """Issue 21: after the warm-up the app freezes what it holds (``freeze_start_up_objects``), so a full collection
    no longer walks the ~576,000 objects of the start (0.2-0.6 s pauses of every request). What is alive then is
    frozen; a reference cycle made later is still collected."""
    import gc
    import weakref

    from core.device import freeze_start_up_objects

    class Node:
        pass

    kept = Node()
    try:
        frozen = freeze_start_up_objects()
        assert frozen > 1000 and gc.get_freeze_count() > 1000  # (other threads may free frozen objects meanwhile)
        assert not any(obj is kept for obj in gc.get_objects())  # frozen: no collection looks at it
        later = Node()
        later.me = later  # a cycle: only the collector frees it
        gone = weakref.ref(later)
        del later
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())
