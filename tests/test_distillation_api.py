"""The distillation tab's endpoints through gradio_client (the app from conftest.py); most are in test_api.py."""
import gradio as gr
import pytest
from gradio_client import Client

from tests.test_api import BAD_POSITIONS, error_text


@pytest.mark.parametrize("position", BAD_POSITIONS)
def test_a_bad_gallery_position_gets_a_message_and_the_next_pick_works(client, position):
    message = error_text(lambda: client.predict(position, api_name="/distillation_pick"))
    assert "Pick one of the 20 pictures in the gallery: a position from 0 to 19." in message
    assert "ComponentProcessingError" not in message
    assert client.predict("3", api_name="/distillation_pick") == client.predict(3, api_name="/distillation_pick")


def test_a_bad_gallery_position_is_explained_in_chinese(app_url):
    chinese = Client(app_url, verbose=False, headers={"Accept-Language": "zh-TW"})
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

    *_, table, _, _, _, used_drawing = client.predict(5, None, False, 4.0, False, api_name="/distillation_soften")
    from core.data.digits import TEST, load_split

    label = int(load_split(TEST).labels[5])
    assert Path(table).name == f"distillation-test5-digit{label}-T4.csv" and used_drawing is False
    rows = list(csv.reader(Path(table).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["i", "T = 1", "At your T"] and [row[0] for row in rows[1:]] == [str(c) for c in range(10)]
    for column in (1, 2):
        assert abs(sum(float(row[column]) for row in rows[1:]) - 1) < 1e-3


def test_the_gradient_curve_and_the_seen_digit_download_as_png_and_csv(client):
    """Issue 20: the gradient plot as PNG and its numbers as CSV, what the teacher sees as PNG, named after
    the digit (the curve does not depend on T)."""
    import csv
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from core.data.digits import TEST, load_split

    (_, _, gradients, seen, *_, grad_png, grad_csv, seen_png, _) = client.predict(
        5, None, False, 4.0, False, api_name="/distillation_soften")
    name = f"distillation-test5-digit{int(load_split(TEST).labels[5])}"
    assert Path(grad_png).name == f"{name}-gradient.png" and Path(grad_png).read_bytes()[:4] == b"\x89PNG"
    assert Path(grad_csv).name == f"{name}-gradient.csv"
    header, *rows = list(csv.reader(Path(grad_csv).read_text(encoding="utf-8-sig").splitlines()))
    assert header == gradients["columns"] == ["T", "‖∂L/∂v‖", "curve"] and len(rows) == len(gradients["data"])
    assert [row[2] for row in rows] == [curve for _, _, curve in gradients["data"]]
    for column in (0, 1):  # the CSV keeps 4 significant digits (core.export)
        assert [float(row[column]) for row in rows] == pytest.approx(
            [point[column] for point in gradients["data"]], rel=1e-3)
    assert Path(seen_png).name == f"{name}-seen.png" and Path(seen_png).read_bytes()[:4] == b"\x89PNG"
    assert np.array_equal(np.asarray(Image.open(seen_png)), np.asarray(Image.open(seen)))  # the picture shown
    *_, again_png, again_csv, _, _ = client.predict(5, None, False, 9.0, False, api_name="/distillation_soften")
    assert (again_png, again_csv) == (grad_png, grad_csv)
