"""The GAN tab's endpoints through gradio_client, good input and bad (the app from conftest.py)."""
import csv
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.api_helpers import session_client


def error_text(call) -> str:
    with pytest.raises(Exception) as info:
        call()
    return str(info.value)


def picture(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def rows(plot) -> list:
    return (plot.get("value") or plot)["data"]


def sample(client, seed=2024, count=40, digit="random", psi=1.0):
    return client.predict(seed, count, digit, psi, api_name="/gan_sample")


def test_a_grid_of_one_digit_is_judged_that_digit(client):
    grid, histogram, meter, timing, table, _ = sample(client, seed=5, count=20, digit="3")
    counts = {row[0]: row[1] for row in rows(histogram)}
    assert sum(counts.values()) == 20 and counts["3"] >= 16
    assert Path(table).name == "gan-seed5-psi1-digit3-n20-classes.csv"
    lines = list(csv.reader(Path(table).read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0] == ["Digit read by the classifier", "Samples"] and {d: int(n) for d, n in lines[1:]} == counts
    assert "Classified as the requested digit" in meter and "cpu" in timing
    image = picture(grid)
    assert image.shape[1] == 10 * (28 * 3 + 2) + 2  # ten columns of enlarged digits


def test_same_seed_same_grid_and_a_random_class_grid_spreads_over_the_classes(client):
    first, histogram, meter, *_ = sample(client, seed=99, count=64)
    again, *_ = sample(client, seed=99, count=64)
    other, *_ = sample(client, seed=100, count=64)
    assert np.array_equal(picture(first), picture(again)) and not np.array_equal(picture(first), picture(other))
    assert sum(1 for row in rows(histogram) if row[1] > 0) >= 9
    assert "bits" in meter and "10 of 10 classes" in meter


def test_truncation_zero_draws_one_average_digit(client):
    grid, histogram, meter, *_ = sample(client, seed=1, count=10, digit="7", psi=0.0)
    image = picture(grid)
    cells = [image[2:86, 2 + i * 86:86 + i * 86] for i in range(10)]
    assert all(np.array_equal(cells[0], cell) for cell in cells)
    assert {row[0]: row[1] for row in rows(histogram)}["7"] == 10
    assert "recall 0%" in meter and "10 real 7s" in meter  # ten copies of one digit cover none of the real 7s


@pytest.mark.parametrize("args, words", [
    ((2024, 0, "random", 1.0), "Samples"),
    ((2024, 10_000, "random", 1.0), "Samples"),
    ((-1, 16, "random", 1.0), "Seed"),
    ((2**32, 16, "random", 1.0), "Seed"),
    ((2024, 16, "random", 2.5), "Truncation"),
    ((2024, 16, "", 1.0), "Choose a digit"),
    ((2024, 16, "12", 1.0), "no digit"),
    ((2024, "many", "random", 1.0), "Samples"),
])
def test_bad_grid_settings_get_a_clear_message(client, args, words):
    assert words in error_text(lambda: client.predict(*args, api_name="/gan_sample"))


def test_nan_through_the_raw_api_gets_a_clear_message(app_url):
    from tests.api_helpers import raw_call

    assert "Truncation" in raw_call(app_url, "gan_sample", '{"data": [5, 16, "random", NaN]}')
    answer = raw_call(app_url, "gan_play", '{"data": ["ring", "gan", "0.001", NaN, 1, 10, 0]}')
    assert "Generator learning rate" in answer
    answer = raw_call(app_url, "gan_interpolate", '{"data": [1, 2, NaN, "random", 1.0, "lerp"]}',
                      {"Accept-Language": "zh-TW"})
    assert "畫格數" in answer


def test_bad_input_in_chinese(app_url):
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"})
    text = error_text(lambda: chinese.predict(-5, 16, "random", 1.0, api_name="/gan_sample"))
    assert "種子" in text and "Seed" not in text
    text = error_text(lambda: chinese.predict(5, 16, "", 1.0, api_name="/gan_sample"))
    assert "請選一個數字" in text


def test_an_empty_seed_says_it_is_empty_not_none(app_url, client):
    """Issue 20: an emptied seed box said "got None"."""
    for empty in (None, "", "  "):
        text = error_text(lambda e=empty: client.predict(e, 16, "random", 1.0, api_name="/gan_sample"))
        assert "Seed is empty" in text and "Random seed" in text and "None" not in text
    # 'Random seed' fills the grid's seed only: the other seed boxes' messages do not send the student to it
    text = error_text(lambda: client.predict(1, None, 10, "random", 1.0, "lerp", api_name="/gan_interpolate"))
    assert "Seed B is empty" in text and "Random seed" not in text and "None" not in text
    text = error_text(lambda: client.predict("ring", "gan", "0.001", "0.001", 1, 20, None, api_name="/gan_play"))
    assert "Seed (playground) is empty" in text and "Random seed" not in text
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"})
    text = error_text(lambda: chinese.predict(None, 16, "random", 1.0, api_name="/gan_sample"))
    assert "是空的" in text and "隨機種子" in text and "None" not in text
    text = error_text(lambda: chinese.predict("ring", "gan", "0.001", "0.001", 1, 20, "", api_name="/gan_play"))
    assert "「種子（遊樂場）」是空的" in text and "隨機種子" not in text


def test_a_grid_change_with_seed_b_emptied_clears_the_walk_and_says_why():
    """The teacher review: with seed B emptied, 'Random seed' (a new grid, which the walk follows) popped up an error
    about seed B. The walk now empties and its note says what to type, in the page's language; with a seed B it is
    the walk the Interpolate button makes."""
    from core import i18n
    from core.ui import force_lang
    from demos.gan import ui

    for empty in (None, "", "  "):
        frames, gif, norms, note, timing, csv_file = ui.interpolate_follow(7, empty, 10, "random", 1.0, "lerp")
        assert frames == [] and gif is None and csv_file is None and timing == "" and norms.empty
        assert note.startswith("Seed B is empty") and "Interpolate" in note
    before = i18n.default_lang()
    force_lang("zh")
    try:
        note = ui.interpolate_follow(7, None, 10, "random", 1.0, "lerp")[3]
    finally:
        force_lang(None)
        i18n.set_default_lang(before)
    assert "種子 B" in note and "內插" in note and "Seed" not in note
    followed = ui.interpolate_follow(7, 8, 10, "random", 1.0, "lerp")
    asked = ui.interpolate_live(7, 8, 10, "random", 1.0, "lerp")
    assert followed[3] == asked[3] and len(followed[0]) == len(asked[0]) == 10


def test_randomise_gives_a_valid_seed(client):
    seeds = {client.predict(api_name="/gan_randomise") for _ in range(3)}
    assert len(seeds) == 3 and all(isinstance(s, int | float) and 0 <= s < 2**32 for s in seeds)


def test_interpolation_gives_frames_a_gif_and_the_norm_dip(client):
    gallery, gif, norms, note, timing, *_ = client.predict(2024, 7, 8, "random", 1.0, "lerp",
                                                           api_name="/gan_interpolate")
    assert len(gallery) == 8
    with Image.open(gif) as animation:
        assert animation.format == "GIF" and animation.n_frames == 14  # forth and back
    paths = {}
    for _, norm, path in rows(norms):
        paths.setdefault(path, []).append(norm)
    lerp, slerp = paths["lerp (straight line)"], paths["slerp (along the sphere)"]
    assert min(lerp) < 0.85 * min(lerp[0], lerp[-1]) and min(slerp) >= min(slerp[0], slerp[-1]) - 1e-3
    assert "slerp never goes below" in note
    first, *_ = sample(client, seed=2024, count=1)
    item = gallery[0]["image"]
    frame = np.asarray(Image.open(item if isinstance(item, str) else item["path"]).convert("L"))[::3, ::3]
    assert np.abs(frame.astype(int) - picture(first)[2:86:3, 2:86:3]).max() <= 1  # t = 0 is seed A's sample


def test_the_norms_plot_downloads_as_png_and_csv_whichever_path_is_shown(client):
    """Issue 20: ‖z‖ along both paths as PNG and CSV, named after the walk, the numbers the plot shows. Issue 21:
    the PNG is drawn only when asked for (/gan_chart, the PNG button), not at every walk."""
    *_, norms, _, _, norms_csv = client.predict(2024, 7, 8, "3", 0.8, "lerp", api_name="/gan_interpolate")
    name = "gan-norms-seed2024-to7-n8-psi0.8-digit3"
    assert Path(norms_csv).name == f"{name}.csv"
    norms_png = client.predict(2024, 7, 8, "3", 0.8, api_name="/gan_chart")
    assert Path(norms_png).name == f"{name}.png"
    with Image.open(norms_png) as chart:
        assert chart.format == "PNG" and chart.width > 600  # a figure for a slide, not a thumbnail
        counts = {colour: count for count, colour in chart.convert("RGB").getcolors(1 << 20)}
    assert counts.get((0x25, 0x63, 0xEB), 0) > 100 and counts.get((0xF9, 0x73, 0x16), 0) > 100  # both curves drawn
    assert "32" in error_text(lambda: client.predict(2024, 7, 99, "3", 0.8, api_name="/gan_chart"))  # 2-32 frames
    header, *lines = list(csv.reader(Path(norms_csv).read_text(encoding="utf-8-sig").splitlines()))
    assert header == ["t", "‖z‖", "curve"] and len(lines) == len(rows(norms)) == 16  # 8 frames, two paths
    assert [line[2] for line in lines] == [curve for *_, curve in rows(norms)]
    for column in (0, 1):  # the CSV keeps 4 significant digits (core.export)
        assert [float(line[column]) for line in lines] == pytest.approx([row[column] for row in rows(norms)],
                                                                        rel=1e-3)
    *_, slerp_csv = client.predict(2024, 7, 8, "3", 0.8, "slerp", api_name="/gan_interpolate")
    assert Path(slerp_csv).read_bytes() == Path(norms_csv).read_bytes()  # the plot shows both paths either way


def test_the_meter_downloads_as_csv_with_the_numbers_the_page_shows(client):
    """Issue 20: the meter's numbers as CSV (shares as fractions), named after the grid's settings."""
    *_, meter, _, _, meter_table = sample(client, seed=5, count=20, digit="3")
    assert Path(meter_table).name == "gan-seed5-psi1-digit3-n20-meter.csv"
    header, *lines = list(csv.reader(Path(meter_table).read_text(encoding="utf-8-sig").splitlines()))
    found = {measure: float(value) for measure, value in lines}
    assert header == ["Measure", "Value"] and found["Samples"] == 20 and found["k (nearest neighbours)"] == 3
    for measure in ("Classified as the requested digit", "Classifier's mean confidence"):
        assert f"**{found[measure]:.0%}**" in meter
    assert f"**{found['Spread of the predicted classes (bits)']:.2f} bits**" in meter
    assert f"precision {found['Precision']:.0%}" in meter and f"recall {found['Recall']:.0%}" in meter
    assert found["Precision, 95% interval, low"] <= found["Precision"] <= found["Precision, 95% interval, high"]
    *_, random_table = sample(client, seed=5, count=20)
    measures = [line[0] for line in csv.reader(Path(random_table).read_text(encoding="utf-8-sig").splitlines())]
    assert "Precision" not in measures and "Recall" not in measures  # measured per digit: none asked for


@pytest.mark.parametrize("args, words", [
    ((1, 2, 1, "random", 1.0, "lerp"), "Frames"),
    ((1, 2, 33, "random", 1.0, "lerp"), "Frames"),
    ((1, 2, 8, "random", 1.0, "zigzag"), "no path"),
    ((1, -2, 8, "random", 1.0, "slerp"), "Seed B"),
])
def test_bad_interpolations_get_a_clear_message(client, args, words):
    assert words in error_text(lambda: client.predict(*args, api_name="/gan_interpolate"))


def test_varying_a_coordinate_changes_the_samples(client):
    still, note, _ = client.predict(2024, 8, "random", 1.0, 3, 0.0, api_name="/gan_vary")
    moved, note_moved, _ = client.predict(2024, 8, "random", 1.0, 3, 4.0, api_name="/gan_vary")
    top = picture(still)[: picture(still).shape[0] // 2]
    assert np.array_equal(top, picture(moved)[: picture(moved).shape[0] // 2])  # the originals stay on top
    assert not np.array_equal(picture(still), picture(moved))
    # a white band splits the two grids (issue 20: no divider between before and after)
    middle = picture(moved)[picture(moved).shape[0] // 2 - 2: picture(moved).shape[0] // 2 + 2]
    assert middle.min() == 255 and (picture(moved)[: picture(moved).shape[0] // 2 - 6] < 255).mean() > 0.9
    assert "z[3] set to +4.0" in note_moved
    assert "Coordinate" in error_text(lambda: client.predict(2024, 8, "random", 1.0, 64, 0.0, api_name="/gan_vary"))
    assert "value" in error_text(lambda: client.predict(2024, 8, "random", 1.0, 3, math.inf, api_name="/gan_vary"))


def test_the_timeline_goes_from_noise_to_digits(client):
    from demos.gan.ui import card

    entries = card()["timeline"]
    first, first_note = client.predict(0, api_name="/gan_timeline")
    last, last_note = client.predict(len(entries) - 1, api_name="/gan_timeline")
    assert "Step 0" in first_note and f"Step {entries[-1]['step']}" in last_note
    assert f"digit-FID {entries[-1]['digit_fid']:.0f}" in last_note
    assert not np.array_equal(picture(first), picture(last))
    assert "Snapshot" in error_text(lambda: client.predict(len(entries), api_name="/gan_timeline"))


def test_the_playground_trains_streams_and_keeps_its_state_per_session(app_url):
    mine = session_client(app_url)
    mine.predict("ring", "gan", "0.001", "0.001", 1, 10, 0, api_name="/gan_reset")
    job = mine.submit("ring", "gan", "0.001", "0.001", 1, 400, 0, api_name="/gan_play")
    updates = list(job)
    board, numbers, timing = job.result()
    assert "Step **400**" in numbers and "cpu" in timing and len(updates) >= 1
    assert picture(board).shape[1] > 800
    _, numbers, _ = mine.predict("ring", "gan", "0.001", "0.001", 1, 50, 0, api_name="/gan_play")
    assert "Step **450**" in numbers  # carries on from where it stopped
    theirs = session_client(app_url)
    _, numbers, _ = theirs.predict("ring", "gan", "0.001", "0.001", 1, 20, 0, api_name="/gan_play")
    assert "Step **20**" in numbers  # another student's GAN is their own
    _, numbers, _ = mine.predict("moons", "gan", "0.001", "0.001", 1, 20, 0, api_name="/gan_play")
    assert "Step **20**" in numbers  # new data: a new GAN
    _, numbers, _ = mine.predict("moons", "gan", "0.001", "0.001", 1, 10, 0, api_name="/gan_reset")
    assert "Step **0**" in numbers


def test_the_stop_button_ends_a_long_run_early(app_url):
    import time

    mine = session_client(app_url)
    job = mine.submit("gaussians", "wgan_gp", "0.001", "0.001", 10, 2000, 3, api_name="/gan_play")
    time.sleep(3)
    mine.predict(api_name="/gan_stop")
    _, numbers, _ = job.result()
    assert "Stopped." in numbers and "Step **2000**" not in numbers


def test_a_second_students_training_runs_beside_a_long_one_not_after_it(app_url):
    """Issue 21: heavy actions take turns step by step (core.heavy). A student who clicks Train while another's
    long training runs gets their result while the long one is still running (one lane of one job made them
    wait for all of it)."""
    import time

    long_run, short_run = session_client(app_url), session_client(app_url)
    job = long_run.submit("gaussians", "wgan_gp", "0.001", "0.001", 10, 2000, 5, api_name="/gan_play")
    try:
        time.sleep(1.0)
        _, numbers, _ = short_run.predict("ring", "gan", "0.001", "0.001", 1, 30, 1, api_name="/gan_play")
        assert "Step **30**" in numbers
        assert not job.done()  # the long training is still going
    finally:
        long_run.predict(api_name="/gan_stop")
        job.result()


def test_stop_with_nothing_training_says_so_and_stops_no_later_run(monkeypatch):
    """Issue 20: Stop with nothing running said "Stopping after the current steps…"."""
    from types import SimpleNamespace

    from demos.gan import ui

    said = []
    monkeypatch.setattr(ui.gr, "Info", lambda message, **_: said.append(message))
    ui.play_stop(request=SimpleNamespace(session_hash="idle-session", headers={}))
    assert said == ["Nothing is training: Stop ends the playground's training while it runs."]
    assert not ui.STOPS.wanted("idle-session", 0.0)  # nothing recorded for a later run to trip on
    with ui.STOPS.running("busy-session"):
        ui.play_stop(request=SimpleNamespace(session_hash="busy-session", headers={}))
    assert said[-1] == "Stopping after the current steps…" and ui.STOPS.wanted("busy-session", 0.0)
    assert not ui.STOPS.is_running("busy-session")


def test_the_presets_show_collapse_then_its_cure(client):
    *settings, board, numbers, timing = client.predict(api_name="/gan_collapse")
    assert settings == ["gaussians", "gan", "0.001", "0.01", 1, 50, 1]
    assert "Step **200**" in numbers and "Modes covered: **1 of 8**" in numbers
    *settings, board, numbers, timing = client.predict(api_name="/gan_cure")
    assert settings[1] == "wgan_gp" and settings[-1] == 1
    assert "Step **400**" in numbers and "Modes covered: **8 of 8**" in numbers


def test_a_preset_is_each_users_own_to_train_further(app_url):
    mine, theirs = session_client(app_url), session_client(app_url)
    *settings, _, _, _ = mine.predict(api_name="/gan_collapse")
    theirs.predict(api_name="/gan_collapse")
    _, numbers, _ = mine.predict(*settings, api_name="/gan_play")
    assert "Step **250**" in numbers
    _, numbers, _ = theirs.predict(*settings, api_name="/gan_play")
    assert "Step **250**" in numbers  # the shared preset run was copied, not trained further by the first user


@pytest.mark.parametrize("args, words", [
    (("spiral", "gan", "0.001", "0.001", 1, 10, 0), "no choice"),
    (("ring", "lsgan", "0.001", "0.001", 1, 10, 0), "no choice"),
    (("ring", "gan", "1", "0.001", 1, 10, 0), "Discriminator learning rate"),
    (("ring", "gan", "0.001", "0.001", 0, 10, 0), "D steps"),
    (("ring", "gan", "0.001", "0.001", 1, 100_000, 0), "Generator steps"),
    (("ring", "gan", "0.001", "0.001", 1, 10, -1), "Seed"),
])
def test_bad_playground_settings_get_a_clear_message(client, args, words):
    assert words in error_text(lambda: client.predict(*args, api_name="/gan_play"))


def test_downloads_are_named_after_the_tab_and_settings(client):
    grid, *_ = sample(client, seed=2024, count=12, digit="7", psi=1.0)
    assert Path(grid).name == "gan-seed2024-psi1-digit7-n12.png"
    assert picture(grid).shape[0] > 28
    gallery, gif, *_ = client.predict(2024, 7, 4, "random", 0.5, "slerp", api_name="/gan_interpolate")
    assert Path(gif).name == "gan-walk-slerp-seed2024-to7-psi0.5.gif"
    assert Path(gallery[0]["image"]).name == "gan-walk-slerp-seed2024-to7-psi0.5-frame0.png"
    board, *_ = client.predict("ring", "gan", "0.001", "0.001", 1, 10, 0, api_name="/gan_reset")
    assert Path(board).name == "gan-play-ring-gan-lr_d0.001-lr_g0.001-d_steps1-seed0-step0.png"


def test_a_training_cut_short_in_a_busy_class_says_why_and_can_go_on():
    """Issue 21: in a busy class the playground ends after core.heavy.BUSY_RUN_SECONDS with its GAN so far, and
    says why (in both languages), not "Stopped."; a later click goes on from that step."""
    from core import heavy
    from demos.gan import ui

    config, _ = ui.read_play("ring", "gan", "0.001", "0.001", 1, 30, 1, "en")
    game = ui.continue_or_start(None, config)
    asked = iter([None, "busy"])
    chunks = ui._train_chunks(game, 10 * ui.CHUNK, lambda: next(asked))
    assert list(chunks) == [ui.CHUNK]
    assert game.steps == 2 * ui.CHUNK  # the second chunk ran, then the run was cut
    with pytest.raises(StopIteration) as ended:
        next(ui._train_chunks(game, ui.CHUNK, lambda: "busy"))
    assert ended.value.value == "busy"
    _, numbers = ui.board(game, "en", "busy")
    assert numbers.endswith(f"Stopped after {heavy.BUSY_RUN_SECONDS:.0f} s: the class is busy, and others were "
                            "waiting. Click Train again to go on from here.")
    assert "伺服器正忙" in ui.board(game, "zh", "busy")[1]
    # alone, at the time limit of a run (core.heavy.RUN_SECONDS): no busy class is blamed
    long_en, long_zh = ui.board(game, "en", "long")[1], ui.board(game, "zh", "long")[1]
    assert f"Stopped after {heavy.RUN_SECONDS:.0f} s, the time limit of a run" in long_en and "busy" not in long_en
    assert "時間上限" in long_zh and "正忙" not in long_zh and "Click Train again" in long_en
    assert ui.board(game, "en", "you")[1].endswith("Stopped.")
    assert ui.continue_or_start(game, config) is game  # the next click goes on from here
