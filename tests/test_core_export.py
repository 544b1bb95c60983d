"""core.export: safe descriptive names, PNGs with the same pixels, CSVs Excel reads in Chinese, a bounded folder."""
import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core import export


@pytest.fixture(autouse=True)
def own_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))


def test_name_holds_the_tab_and_its_settings():
    assert export.file_name("distillation", T=3, alpha=0.5, digit=7) == "distillation-T3-alpha0.5-digit7"
    assert export.file_name("saliency", "cat", "smoothgrad") == "saliency-cat-smoothgrad"
    assert export.file_name("gan", seed=2024, psi=1.0) == "gan-seed2024-psi1"
    assert export.file_name("gan", seed=None) == "gan"
    assert export.file_name("audio_attack", "pgd", eps=-30, unit="dB") == "audio_attack-pgd-eps-30-unitdB"


@pytest.mark.parametrize("odd", ["../../etc/passwd", "a/b\\c", "two words", 'quote"s', "tab\tnew\nline", "<b>", "..",
                                 "C:\\x", "a\x00b", "🐱 cat"])
def test_name_has_no_separators_spaces_or_odd_characters(odd):
    name = export.file_name("saliency", odd, label=odd)
    assert name.startswith("saliency")
    assert not set(name) & set("/\\ \t\n\"'<>:\x00*?|")
    assert not name.startswith(".") and ".." not in name.split("-")
    path = Path(export.png(np.zeros((2, 2), np.uint8), name))
    assert path.parent.parent.name == "exports" and path.name == name + ".png"


def test_name_keeps_chinese_words_and_stays_short():
    assert export.file_name("saliency", "埃及貓") == "saliency-埃及貓"
    assert len(export.file_name("fill_mask", "x" * 500)) <= 120


def test_png_opens_with_the_same_pixels():
    rgb = np.random.default_rng(0).integers(0, 256, (17, 23, 3), dtype=np.uint8)
    path = export.png(rgb, export.file_name("gan", seed=2024, psi=1))
    assert Path(path).name == "gan-seed2024-psi1.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert np.array_equal(np.asarray(image), rgb)
    gray = Image.fromarray(rgb[..., 0])
    with Image.open(export.png(gray, "g")) as image:
        assert np.array_equal(np.asarray(image), rgb[..., 0])


def test_matplotlib_figure_becomes_a_png():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    with Image.open(export.png(figure, "distillation-curves")) as image:
        assert image.format == "PNG" and image.width > 50


def test_a_figure_keeps_every_label_with_or_without_a_layout_engine():
    """A constrained figure is saved whole in one drawing (its layout fits the labels in); one without a layout
    engine is cut to what it draws ("tight"), so a label outside its canvas is kept too."""
    from matplotlib.figure import Figure

    def labelled(figure):
        ax = figure.add_subplot()
        ax.plot([0, 1], [1, 0])
        ax.set_title("a long title over the curve")
        ax.set_ylabel("a long label on the y axis")
        return figure

    with Image.open(export.png(labelled(Figure(figsize=(4, 2), layout="constrained")), "constrained")) as image:
        pixels = np.asarray(image.convert("L"))
    assert pixels.shape == (300, 600)  # 4 x 2 inches at 150 dpi: nothing cut off, nothing added
    edges = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    assert (edges > 250).all()  # no label runs off the picture
    assert (pixels < 100).any(axis=0)[:30].any()  # the y label's ink, near the left edge

    free = labelled(Figure(figsize=(4, 2)))
    free.text(1.2, 0.5, "a note beyond the right edge")
    with Image.open(export.png(free, "free")) as image:
        assert image.width > 700  # "tight" grew the picture to the note


def test_csv_round_trips_chinese_with_a_byte_order_mark():
    rows = [["埃及貓 Egyptian cat", 0.383], ["虎斑貓", 1e-3], ['comma, "quote"', 2]]
    path = export.csv(rows, "saliency-top5", header=["類別", "p"])
    data = Path(path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert read == [["類別", "p"], ["埃及貓 Egyptian cat", "0.383"], ["虎斑貓", "0.001"], ['comma, "quote"', "2"]]


def test_same_content_and_name_is_one_file_and_the_folder_is_bounded(monkeypatch):
    monkeypatch.setattr(export, "KEEP", 5)
    monkeypatch.setattr(export, "PRUNE_EVERY", 1)
    first = export.csv([[1]], "a")
    assert export.csv([[1]], "a") == first
    paths = [export.csv([[i]], "b") for i in range(12)]
    folders = list(Path(paths[-1]).parent.parent.iterdir())
    assert len(folders) == 5
    assert Path(paths[-1]).exists()


def test_a_drawn_figure_is_drawn_once_and_again_after_its_file_was_removed():
    drawn, calls = export.Drawn(), []

    def draw():
        calls.append(1)
        return (export.csv([[len(calls)]], "drawn-once"),)

    first = drawn.get("key", draw)
    assert drawn.get("key", draw) == first and len(calls) == 1
    Path(first[0]).unlink()  # the folder was pruned: this one went
    again = drawn.get("key", draw)
    assert len(calls) == 2 and Path(again[0]).exists()


def test_a_drawn_file_handed_out_again_is_kept_longest(monkeypatch):
    """A class's 20-minute load test got a 403: a Saliency top-5 CSV handed out again from the memo, untouched, was
    the oldest file in the folder and was pruned while the page fetched it."""
    import time

    monkeypatch.setattr(export, "KEEP", 3)
    monkeypatch.setattr(export, "PRUNE_EVERY", 1)
    drawn = export.Drawn()
    first = drawn.get("old", lambda: (export.csv([["old"]], "drawn-old"),))
    for i in range(2):
        time.sleep(0.02)
        export.csv([[i]], f"newer-{i}")
    time.sleep(0.02)
    assert drawn.get("old", lambda: ("redrawn",)) == first  # asked for again: the same file, now the newest
    time.sleep(0.02)
    export.csv([["next"]], "next")  # one folder too many: the oldest goes, not the one just handed out
    assert Path(first[0]).exists()


def test_a_students_file_outlives_a_class_making_new_files():
    """In a 10-minute class run a student's client lost an output file as it fetched it: the folder kept only the
    newest 512 files, about a minute of a class of 50. A file asked for a moment ago survives a thousand new ones."""
    mine = Path(export.png(np.zeros((8, 8), np.uint8), "mine"))
    others = [export.csv([[i]], f"other-{i}") for i in range(1000)]
    assert mine.exists() and all(Path(path).exists() for path in others[-10:])


def test_files_not_asked_for_in_keep_seconds_go_at_the_next_pruning(monkeypatch):
    import os
    import time

    monkeypatch.setattr(export, "PRUNE_EVERY", 1)
    old, young = Path(export.csv([["old"]], "old")), Path(export.csv([["young"]], "young"))
    stale = time.time() - export.KEEP_SECONDS - 5
    os.utime(old.parent, (stale, stale))
    newest = Path(export.csv([["next"]], "next"))  # a new file: the folder is pruned
    assert not old.exists() and young.exists() and newest.exists()
    assert export.csv([["old"]], "old") == str(old) and old.exists()  # asked for again: written again


def test_a_wav_holds_the_int16_samples_and_is_written_once(tmp_path):
    """Audio for the page's players as a file written once (export.wav): Gradio wrote an array to the same file at
    every call, and a student fetching it while another call rewrote it got a cut file (the class bench)."""
    import os
    import threading

    import soundfile as sf

    from core.audio import int16_audio

    samples = np.sin(np.linspace(0, 200, 16_000)) * 0.5
    samples[:3] = [2.0, np.nan, -3.0]  # clipped, silenced
    path = export.wav(samples, 16_000, "audio_attack-tone", gain_db=-6)
    read, rate = sf.read(path, dtype="int16")
    assert rate == 16_000 and Path(path).name == "audio_attack-tone.wav" and sf.info(path).subtype == "PCM_16"
    np.testing.assert_array_equal(read, int16_audio(samples, 16_000, gain_db=-6)[1])
    inode = os.stat(path).st_ino
    paths = []
    threads = [threading.Thread(target=lambda: paths.append(export.wav(samples, 16_000, "audio_attack-tone",
                                                                       gain_db=-6))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(paths) == {path} and os.stat(path).st_ino == inode  # the same file, never rewritten


def test_gradio_writes_a_returned_picture_once_under_its_own_name(tmp_path, monkeypatch):
    """Gradio's save_pil_to_cache truncated and rewrote the file of a picture at every call (the same file for the
    same picture), so a class fetching the default grid could get a cut file. With export.write_gradio_cache_once
    it is written once, under the name and folder Gradio gives it, and bytes likewise."""
    from gradio import processing_utils as pu

    gradios = getattr(pu.save_pil_to_cache, "gradios", pu.save_pil_to_cache)  # an app built in this process did it
    monkeypatch.setattr(pu, "save_pil_to_cache", gradios)  # Gradio's own, then put back after the test
    monkeypatch.setattr(pu, "save_bytes_to_cache", getattr(pu.save_bytes_to_cache, "gradios", pu.save_bytes_to_cache))
    picture = Image.fromarray(np.arange(64 * 64, dtype=np.uint32).reshape(64, 64).astype(np.uint8))
    before = pu.save_pil_to_cache(picture, str(tmp_path / "gradio"))
    Path(before).write_bytes(b"mark")  # Gradio's own writes the file again (what this change is about)
    assert pu.save_pil_to_cache(picture, str(tmp_path / "gradio")) == before and Path(before).read_bytes() != b"mark"
    export.write_gradio_cache_once()
    after = pu.save_pil_to_cache(picture, str(tmp_path / "ours"))
    assert Path(before).relative_to(tmp_path / "gradio") == Path(after).relative_to(tmp_path / "ours")
    assert Path(after).read_bytes() == Path(before).read_bytes()
    Path(after).write_bytes(b"mark")  # a second call that wrote the file again would put the picture back
    assert pu.save_pil_to_cache(picture, str(tmp_path / "ours")) == after and Path(after).read_bytes() == b"mark"
    saved = pu.save_bytes_to_cache(b"RIFF....WAVE", "clip", str(tmp_path / "ours"))
    assert Path(saved).read_bytes() == b"RIFF....WAVE" and Path(saved).name.startswith("clip")
    assert not [p for p in (tmp_path / "ours").rglob(".*")]  # no temporary file left
    export.write_gradio_cache_once()
    assert pu.save_pil_to_cache.gradios is gradios  # called again: not wrapped twice
