"""The distillation tab's endpoints through gradio_client (the app from conftest.py), good input and bad
(empty, NaN through the raw API, out of range, wrong types, corrupt files), errors in zh too."""
import re
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from core.data.digits import TEST, load_split
from tests.api_helpers import BAD_POSITIONS, drawing_payload, error_text, raw_call, session_client


def pad_png(folder, name: str, rows: slice, cols: slice = slice(None)) -> str:
    """A PNG of the 280-pixel pad: white paper, black ink over ``rows`` × ``cols``."""
    img = np.full((280, 280), 255, np.uint8)
    img[rows, cols] = 0
    path = folder / f"{name}.png"
    Image.fromarray(img).save(path)
    return str(path)


@pytest.fixture
def digit_png(tmp_path):
    """A thick black '1' on white paper, as a sketchpad composite."""
    return pad_png(tmp_path, "one", slice(40, 240), slice(125, 155))


@pytest.fixture
def blank_png(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("L", (280, 280), 255).save(path)
    return str(path)


def probabilities(plot) -> np.ndarray:
    """A bar plot's p_i; the plot comes as an update with its y-axis range (``y_lim``) and ``value``."""
    plot = plot["value"]
    assert plot["columns"] == ["i", "p", "kind", "z"]  # z: the teacher's logits, for the browser's redraw
    return np.array([row[1] for row in sorted(plot["data"], key=lambda row: int(row[0]))])


def soften(client, index=5, temperature=4.0, zoom=False, drawing=None, use_drawing=False):
    return client.predict(index, drawing, use_drawing, temperature, zoom, api_name="/distillation_soften")


def test_soften_a_test_digit(client):
    soft_t1, soft_t, gradients, seen, stats, timing, table, grad_csv, seen_png, _, _, use_drawing = soften(client)
    assert use_drawing is False
    p1, pt = probabilities(soft_t1), probabilities(soft_t)
    assert p1.sum() == pytest.approx(1, abs=1e-4) and pt.sum() == pytest.approx(1, abs=1e-4)
    assert p1.argmax() == pt.argmax()  # temperature never changes the answer...
    assert pt.max() < p1.max()  # ...only how sure it looks
    label = int(load_split(TEST).labels[5])
    assert p1.argmax() == label and f"label {label}" in stats and f"**{label}**" in stats
    curves = {}
    for temperature, value, curve in gradients["data"]:
        curves.setdefault(curve, []).append((temperature, value))
    assert set(curves) == {"× T²", "without T²"}
    without = [v for _, v in sorted(curves["without T²"])]
    assert without[0] > 20 * without[-1]  # without T² the gradient collapses as T grows
    assert "smaller** without T²" in stats and "bits" in stats and "ms" in timing
    image = np.asarray(Image.open(seen))
    assert image.shape[:2] == (168, 168)


def test_the_zoomed_panels_share_a_scale_fitted_to_the_small_probabilities(client):
    """The zoomed pair (shown instead of the plain one while the box is ticked): the same numbers, the teacher's pick
    cut to one top shared by both panels, just above the largest other class; no y-axis range is ever sent to
    either pair but its fixed one (Gradio redrew a plot whose range and data changed in one update with its old
    data: the teacher review's frozen zoom)."""
    plain = soften(client, zoom=False)
    zoomed = soften(client, zoom=True)
    assert len(plain) == len(zoomed) == 12  # the box only chooses which pair the page shows
    for pair in (plain, zoomed):
        assert pair[0]["y_lim"] == pair[1]["y_lim"] == [0, 1] and pair[9]["y_lim"] == pair[10]["y_lim"] == [0, None]
    p1, pt = probabilities(plain[0]), probabilities(plain[1])
    z1, zt = probabilities(plain[9]), probabilities(plain[10])
    pick = int(pt.argmax())
    others = np.delete(np.concatenate([p1, pt]), [pick, 10 + pick])
    top = z1[pick]
    assert zt[pick] == top and others.max() < top < 0.5  # one shared top, closer than 1
    assert np.delete(z1, pick).tolist() == np.delete(p1, pick).tolist()  # the other classes: the same numbers
    assert np.delete(zt, pick).tolist() == np.delete(pt, pick).tolist()
    kinds = {row[0]: row[2] for row in plain[10]["value"]["data"]}
    assert kinds[str(pick)] == "cut" and set(kinds.values()) == {"cut", "other"}


def test_higher_temperature_flattens_the_soft_targets(client):
    def top_probability(temperature):
        return probabilities(soften(client, temperature=temperature)[1]).max()

    assert top_probability(1.0) > top_probability(4.0) > top_probability(20.0) > 0.1


def test_higher_temperature_raises_the_entropy(client):
    def entropy_at(temperature):
        stats = soften(client, temperature=temperature)[4]
        return float(stats.split("→ **")[1].split(" bits")[0])

    assert entropy_at(1.0) < entropy_at(4.0) < entropy_at(20.0)


def test_draw_a_digit(client, digit_png):
    *outputs, use_drawing = client.predict(5, drawing_payload(digit_png), 4.0, False, api_name="/distillation_draw")
    stats = outputs[4]
    assert use_drawing is True
    assert "Your drawing" in stats and "prediction: **1**" in stats
    # the same drawing through /distillation_soften with use_drawing
    again = soften(client, drawing=drawing_payload(digit_png), use_drawing=True)
    assert "prediction: **1**" in again[4] and again[-1] is True
    chart = client.predict(5, drawing_payload(digit_png), True, api_name="/distillation_chart")  # its own curve
    assert chart.endswith("distillation-drawing-gradient.png")



def test_a_bar_on_the_pad_is_read_with_a_note_that_it_is_no_digit_the_teacher_learnt(app_url, client, digit_png,
                                                                                     tmp_path):
    """The teacher reads a bar as some digit at high confidence; the page says the drawing is unlike the digits it
    learnt (core.classifier.Familiarity), in the user's language; a drawn 1 gets no such note."""
    bar = drawing_payload(pad_png(tmp_path, "bar", slice(125, 155), slice(40, 240)))
    stats = client.predict(5, bar, 4.0, False, api_name="/distillation_draw")[4]
    assert "Your drawing" in stats and "unlike the digits the model learnt from" in stats
    assert "unlike" not in client.predict(5, drawing_payload(digit_png), 4.0, False, api_name="/distillation_draw")[4]
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"})
    assert "和模型學過的數字不像" in chinese.predict(5, bar, 4.0, False, api_name="/distillation_draw")[4]

def test_using_an_empty_canvas_falls_back_to_the_test_digit(client, blank_png):
    """Ticking "use my drawing" with nothing drawn: the test digit, and the box unticked (not an error
    that every later slider move would repeat)."""
    label = int(load_split(TEST).labels[5])
    for drawing in (None, drawing_payload(blank_png)):
        answer = soften(client, drawing=drawing, use_drawing=True)
        assert answer[-1] is False and f"Test digit #5 (handwritten, label {label})" in answer[4]


def test_a_cleared_canvas_goes_back_to_the_test_digit(client, blank_png):
    label = int(load_split(TEST).labels[5])
    for drawing in (drawing_payload(blank_png), None):
        *outputs, use_drawing = client.predict(5, drawing, 4.0, False, api_name="/distillation_draw")
        assert len(outputs) == 11  # the soft targets as a CSV, the gradient as CSV, the digit as PNG, the zoom
        assert use_drawing is False and "Test digit #5" in outputs[4] and f"label {label}" in outputs[4]


def test_a_canvas_inked_all_over_gets_a_message_not_the_test_digit(client, tmp_path):
    """A teacher's review: a canvas painted black was silently replaced by the test digit (read as empty), and one
    mostly black had its paper read as the ink. Both get a message in the user's language."""
    for name, fill in (("black", slice(0, 280)), ("mostly", slice(0, 200))):
        drawing = drawing_payload(pad_png(tmp_path, name, fill))
        for call in (lambda d=drawing: client.predict(5, d, 4.0, False, api_name="/distillation_draw"),
                     lambda d=drawing: soften(client, drawing=d, use_drawing=True)):
            assert "no digit shape to read" in error_text(call)


def test_a_dot_is_not_read_as_a_digit(client, tmp_path):
    """The teacher review: a 20-pixel dot, scaled up to a digit's size, was read as a digit with confidence. A tap
    of the brush gets a message; a real digit drawn small (a 60-pixel 1) is still read."""
    for name, rows, cols, refused in (("dot", slice(130, 150), slice(130, 150), True),
                                      ("small one", slice(110, 170), slice(135, 150), False)):
        def call(p=pad_png(tmp_path, name, rows, cols)):
            return client.predict(5, drawing_payload(p), 4.0, False, api_name="/distillation_draw")

        if refused:
            assert "too small to be read as a digit" in error_text(call), name
        else:
            assert call()[-1] is True, name


def test_pick_takes_a_gallery_position(client):
    from demos.distillation.ui import showcase_indices

    test = load_split(TEST)
    for position in (0, 7, 19):
        index, use_drawing = client.predict(position, api_name="/distillation_pick")
        assert index == showcase_indices()[position] and use_drawing is False
        assert int(test.labels[int(index)]) == position % 10  # handwritten 0-9, then typeset 0-9
    assert "from 0 to 19" in error_text(lambda: client.predict(20, api_name="/distillation_pick"))


def table_rows(table: str) -> dict[str, str]:
    """The table's rows, label -> test-digit accuracy (the settings above it and the verdicts below are text)."""
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("|")][2:]
    return {label.strip(): value.strip().strip("*") for label, value, *_ in rows}


def test_train_students(client):
    curves, table, note, timing, curves_png, table_csv = client.predict(4.0, 0.9, 3, 5, "3", 1,
                                                                        api_name="/distillation_train")
    assert curves["plot"].startswith("data:image")
    assert Path(curves_png).name == "distillation-T4-alpha0.9-epochs3-transfer5-held3-seeds1-curves.png"
    assert Path(table_csv).name == "distillation-T4-alpha0.9-epochs3-transfer5-held3-seeds1-accuracy.csv"
    rows = table_rows(table)
    assert len(rows) == 8  # 2 students, their held-out 3s before/after correction, and the paper's two numbers
    assert "Hard-label student: the held-out 3s" in rows
    distilled, hard = (float(v.split("%")[0]) / 100 for v in list(rows.values())[:2])
    assert 0.3 < distilled <= 1 and 0.3 < hard <= 1
    assert rows["Hinton et al. 2015: the held-out 3s, bias corrected"] == "98.6%"
    assert "never saw a 3" in note and re.search(r"cpu · [0-9.]+ (ms|s)", timing)


def test_identical_training_requests_are_answered_from_the_memo(client):
    settings = (4.0, 0.5, 2, 3, "none", 2)
    first = client.predict(*settings, api_name="/distillation_train")
    second = client.predict(*settings, api_name="/distillation_train")
    assert "cached" not in first[3] and "cached" in second[3]
    assert first[1] == second[1]


def test_the_paper_preset_reproduces_the_numbers_the_notes_quote(client):
    settings = client.predict(api_name="/distillation_preset")
    assert settings == (20.0, 0.9, 30, 100, "3", 5)
    from demos.distillation.strings import load_results

    shipped = load_results()["paper_preset"]
    rows = table_rows(client.predict(*settings, api_name="/distillation_train")[1])
    for student in ("distilled", "hard"):
        name = "Distilled" if student == "distilled" else "Hard-label"
        before = rows[f"{name} student: the held-out 3s"].split("%")[0]
        after = rows[f"{name} student: the held-out 3s, bias corrected"].split("%")[0]
        assert float(before) == pytest.approx(shipped[student] * 100, abs=0.051)
        assert float(after) == pytest.approx(shipped[f"{student}_corrected"] * 100, abs=0.051)


def test_precomputed_figures_follow_the_language(app_url):
    english = session_client(app_url).predict(api_name="/distillation_figures")
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"}).predict(
        api_name="/distillation_figures")
    for en, zh in zip(english, chinese):
        assert Image.open(en).size == Image.open(zh).size
        assert np.asarray(Image.open(en)).tobytes() != np.asarray(Image.open(zh)).tobytes()


def test_nan_through_the_raw_api_gets_a_clear_message(app_url, client):
    answer = raw_call(app_url, "distillation_soften", '{"data": [5, null, false, NaN, false]}')
    assert "event: error" in answer and "Temperature T must be a number" in answer
    answer = raw_call(app_url, "distillation_train", '{"data": [4.0, NaN, 3, 5, "none", 1]}')
    assert "event: error" in answer and "α must be a number" in answer
    answer = raw_call(app_url, "distillation_soften", '{"data": [5, null, false, NaN, false]}',
                      {"Accept-Language": "zh-TW"})
    assert "「溫度 T」必須是介於" in answer


@pytest.mark.parametrize("args, expected", [
    ((5, None, False, "warm", False), "Temperature T must be a number between 0.5 and 20 (got 'warm')"),
    ((10**9, None, False, 4.0, False), "Test digit # must be a whole number between 0 and 1318"),
    ((-1, None, False, 4.0, False), "Test digit # must be a whole number"),
    ((2.5, None, False, 4.0, False), "Test digit # must be a whole number"),
    ((5, None, False, 0, False), "Temperature T must be a number between 0.5 and 20 (got 0)"),
    ((5, None, False, -3, False), "Temperature T must be a number"),
])
def test_bad_soften_input_gets_our_message_not_gradios(client, args, expected):
    assert expected in error_text(lambda: client.predict(*args, api_name="/distillation_soften"))


def test_bad_train_input_gets_a_clear_message(client):
    def train(*args):
        return error_text(lambda: client.predict(*args, api_name="/distillation_train"))

    assert "Seeds must be a whole number" in train(4.0, 0.9, 3, 5, "none", 1.5)
    assert "Epochs must be a whole number" in train(4.0, 0.9, 2.5, 5, "none", 1)
    assert "Epochs must be a whole number between 1 and 100 (got 1000000)" in train(4.0, 0.9, 10**6, 5, "none", 1)
    assert "Held-out class must be \"none\" or a digit from 0 to 9 (got 'three')" in train(4.0, 0.9, 3, 5, "three", 1)


def test_an_emptied_number_box_counts_as_the_sliders_minimum(client):
    """What the browser sends when a teacher clears the T box; on leaving the box Gradio writes the
    minimum back into it, so the results are those of the minimum."""
    assert "at T = 0.5" in soften(client, temperature=None)[4]
    assert "Test digit #0 " in soften(client, index=None)[4]


def test_a_non_image_drawing_is_refused_clearly(client, tmp_path):
    text_file = tmp_path / "notes.png"
    text_file.write_text("this is not a picture")
    assert "not an image we can read" in error_text(
        lambda: client.predict(5, drawing_payload(str(text_file)), 4.0, False, api_name="/distillation_draw"))


def test_errors_follow_the_users_language(app_url):
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert "「測試數字編號」必須是介於 0 與 1318 之間的整數" in error_text(
        lambda: chinese.predict(2.5, None, False, 4.0, False, api_name="/distillation_soften"))



@pytest.mark.parametrize("position", BAD_POSITIONS)
def test_a_bad_gallery_position_gets_a_message_and_the_next_pick_works(client, position):
    message = error_text(lambda: client.predict(position, api_name="/distillation_pick"))
    assert "Pick one of the 20 pictures in the gallery: a position from 0 to 19." in message
    assert "ComponentProcessingError" not in message
    assert client.predict("3", api_name="/distillation_pick") == client.predict(3, api_name="/distillation_pick")


def test_a_bad_gallery_position_is_explained_in_chinese(app_url):
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW"})
    assert "請從圖庫的 20 張圖中選一張：位置 0 到 19。" in error_text(
        lambda: chinese.predict("two", api_name="/distillation_pick"))


def soften_stats(client, temperature) -> str:
    return client.predict(5, None, False, temperature, False, api_name="/distillation_soften")[4]


def test_a_typed_temperature_is_used_and_shown_to_two_decimals(client):
    stats = soften_stats(client, 3.33333)
    assert "at T = 3.33 " in stats and "T = 3.33 (" in stats and "3.333" not in stats
    assert stats == soften_stats(client, 3.33)  # what was used is what is shown
    assert "at T = 3.34 " in soften_stats(client, "3.336")  # rounded, not cut


def test_training_uses_and_shows_the_rounded_settings(client):
    settings = (3.33333, 0.33333, 1, 1.23456, "none", 1)  # T, α, epochs, transfer set %, held out, seeds
    table = client.predict(*settings, api_name="/distillation_train")[1]
    assert "T\u00a0=\u00a03.33, α\u00a0=\u00a00.33," in table and "transfer set **1.23%**" in table
    assert "3.333" not in table and "0.333" not in table and "1.234" not in table
    timing = client.predict(3.33, 0.33, 1, 1.23, "none", 1, api_name="/distillation_train")[3]
    assert "cached" in timing  # the same students: the rounded settings are the ones trained


def test_leaving_a_number_box_puts_the_used_value_in_it():
    from demos.distillation.ui import ALPHA_RANGE, T_RANGE, box_value

    assert box_value(3.33333, *T_RANGE) == 3.33 and box_value(0.33333, *ALPHA_RANGE) == 0.33
    assert box_value(25, *T_RANGE) == 20  # Gradio clamps the box after the event: the answer must agree
    assert box_value(3.3, *T_RANGE) == box_value(None, *T_RANGE) == gr.skip()  # nothing to change


def test_the_soft_targets_download_as_a_csv_named_after_the_digit_and_t(client):
    import csv
    from pathlib import Path

    *_, table, _, _, _, _, used_drawing = client.predict(5, None, False, 4.0, False, api_name="/distillation_soften")
    from core.data.digits import TEST, load_split

    label = int(load_split(TEST).labels[5])
    assert Path(table).name == f"distillation-test5-digit{label}-T4.csv" and used_drawing is False
    rows = list(csv.reader(Path(table).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["i", "T = 1", "At your T"] and [row[0] for row in rows[1:]] == [str(c) for c in range(10)]
    for column in (1, 2):
        assert abs(sum(float(row[column]) for row in rows[1:]) - 1) < 1e-3


def test_the_gradient_curve_and_the_seen_digit_download_as_png_and_csv(client):
    """Issue 20: the gradient plot as PNG and its numbers as CSV, what the teacher sees as PNG, named after
    the digit (the curve does not depend on T). Issue 21: the plot's PNG is drawn only when asked for
    (/distillation_chart, the PNG button), not at each new digit."""
    import csv
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from core.data.digits import TEST, load_split

    (_, _, gradients, seen, *_, grad_csv, seen_png, _, _, _) = client.predict(
        5, None, False, 4.0, False, api_name="/distillation_soften")
    name = f"distillation-test5-digit{int(load_split(TEST).labels[5])}"
    grad_png = client.predict(5, None, False, api_name="/distillation_chart")
    assert Path(grad_png).name == f"{name}-gradient.png"
    with Image.open(grad_png) as chart:
        assert chart.format == "PNG" and chart.width > 600  # a figure for a slide
    other = client.predict(3, None, False, api_name="/distillation_chart")  # another digit: its own curve
    assert Path(other).name.startswith("distillation-test3-")
    assert Path(other).read_bytes() != Path(grad_png).read_bytes()
    assert Path(grad_csv).name == f"{name}-gradient.csv"
    header, *rows = list(csv.reader(Path(grad_csv).read_text(encoding="utf-8-sig").splitlines()))
    assert header == gradients["columns"] == ["T", "‖∂L/∂v‖", "curve"] and len(rows) == len(gradients["data"])
    assert [row[2] for row in rows] == [curve for _, _, curve in gradients["data"]]
    for column in (0, 1):  # the CSV keeps 4 significant digits (core.export)
        assert [float(row[column]) for row in rows] == pytest.approx(
            [point[column] for point in gradients["data"]], rel=1e-3)
    assert Path(seen_png).name == f"{name}-seen.png" and Path(seen_png).read_bytes()[:4] == b"\x89PNG"
    assert np.array_equal(np.asarray(Image.open(seen_png)), np.asarray(Image.open(seen)))  # the picture shown
    *_, again_csv, _, _, _, _ = client.predict(5, None, False, 9.0, False, api_name="/distillation_soften")
    assert Path(again_csv).read_bytes() == Path(grad_csv).read_bytes()  # the curve does not depend on T
