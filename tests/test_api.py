"""Every api_name through gradio_client against the launched app, good input and bad."""
import io
import json

import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from core.data.digits import TEST, load_split

API_NAMES = {"/distillation_soften", "/distillation_draw", "/distillation_pick", "/distillation_train"}


def drawing_payload(path):
    return {"background": handle_file(path), "layers": [], "composite": handle_file(path), "id": None}


@pytest.fixture
def digit_png(tmp_path):
    """A thick black '1' on white paper, as a sketchpad composite."""
    img = np.full((280, 280), 255, np.uint8)
    img[40:240, 125:155] = 0
    path = tmp_path / "one.png"
    Image.fromarray(img).save(path)
    return str(path)


def error_text(call) -> str:
    with pytest.raises(Exception) as info:
        call()
    return str(info.value)


def test_every_event_has_a_topic_verb_api_name(client):
    documented = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert API_NAMES <= documented | {"/distillation_pick"}
    from demos import load_tabs

    for tab in load_tabs():
        for name in API_NAMES:
            if name.startswith(f"/{tab.TOPIC}_"):
                assert name[len(tab.TOPIC) + 2:].isidentifier()


def probabilities(plot) -> np.ndarray:
    assert plot["columns"] == ["class", "p", "kind"]
    return np.array([row[1] for row in sorted(plot["data"], key=lambda row: int(row[0]))])


def test_soften_a_test_digit(client):
    soft_t1, soft_t, gradients, seen, stats, timing = client.predict(5, None, False, 4.0, api_name="/distillation_soften")
    p1, pt = probabilities(soft_t1), probabilities(soft_t)
    assert p1.sum() == pytest.approx(1, abs=1e-4) and pt.sum() == pytest.approx(1, abs=1e-4)
    assert p1.argmax() == pt.argmax()  # temperature never changes the answer...
    assert pt.max() < p1.max()  # ...only how sure it looks
    label = int(load_split(TEST).labels[5])
    assert p1.argmax() == label and f"label {label}" in stats and f"**{label}**" in stats
    curves = {}
    for temperature, value, curve in gradients["data"]:
        curves.setdefault(curve, []).append((temperature, value))
    without = [v for _, v in sorted(curves["without T²"])]
    assert without[0] > 20 * without[-1]  # without T² the gradient collapses as T grows
    assert "bits" in stats and "ms" in timing
    image = np.asarray(Image.open(seen))
    assert image.shape[:2] == (168, 168)


def test_higher_temperature_flattens_the_soft_targets(client):
    def top_probability(temperature):
        return probabilities(client.predict(5, None, False, temperature, api_name="/distillation_soften")[1]).max()

    assert top_probability(1.0) > top_probability(4.0) > top_probability(20.0) > 0.1


def test_higher_temperature_raises_the_entropy(client):
    def entropy_at(temperature):
        stats = client.predict(5, None, False, temperature, api_name="/distillation_soften")[4]
        return float(stats.split("→ **")[1].split(" bits")[0])

    assert entropy_at(1.0) < entropy_at(4.0) < entropy_at(20.0)


def test_draw_a_digit(client, digit_png):
    *outputs, use_drawing = client.predict(drawing_payload(digit_png), 4.0, api_name="/distillation_draw")
    stats = outputs[4]
    assert use_drawing is True
    assert "Your drawing" in stats and "prediction: **1**" in stats
    # the same drawing through /distillation_soften with use_drawing
    stats_again = client.predict(0, drawing_payload(digit_png), True, 4.0, api_name="/distillation_soften")[4]
    assert "prediction: **1**" in stats_again


def test_pick_without_a_click_says_so(client):
    assert "Click a digit in the gallery" in error_text(lambda: client.predict(api_name="/distillation_pick"))


def test_train_students(client):
    curves, table, note, timing = client.predict(4.0, 0.9, 3, 5, "3", 1, api_name="/distillation_train")
    assert curves["plot"].startswith("data:image")
    rows = {row[0]: row[1] for row in table["data"]}
    assert len(rows) == 6
    distilled = float(table["data"][0][1].split("%")[0]) / 100
    hard = float(table["data"][1][1].split("%")[0]) / 100
    assert 0.3 < distilled <= 1 and 0.3 < hard <= 1
    assert "never saw a 3" in note and "ms" in timing


def raw_call(app_url, api_name, body: str, headers=None) -> str:
    """POST a hand-written JSON body (gradio_client cannot send NaN) and return the SSE answer."""
    import httpx

    base = f"{app_url}/gradio_api/call/{api_name}"
    headers = {"Content-Type": "application/json", **(headers or {})}
    event_id = httpx.post(base, content=body, headers=headers, timeout=30).json()["event_id"]
    stream = httpx.get(f"{base}/{event_id}", headers=headers, timeout=60).text
    lines = [json.dumps(json.loads(line[6:]), ensure_ascii=False) if line.startswith("data: ") else line
             for line in stream.splitlines()]
    return "\n".join(lines)


def test_nan_through_the_raw_api_gets_a_clear_message(app_url, client):
    answer = raw_call(app_url, "distillation_soften", '{"data": [5, null, false, NaN]}')
    assert "event: error" in answer and "Temperature T must be a number" in answer
    answer = raw_call(app_url, "distillation_train", '{"data": [4.0, NaN, 3, 5, "none", 1]}')
    assert "event: error" in answer and "α must be a number" in answer
    answer = raw_call(app_url, "distillation_soften", '{"data": [5, null, false, NaN]}', {"Accept-Language": "zh-TW"})
    assert "溫度 T 必須是介於" in answer


@pytest.mark.parametrize("args, expected", [
    ((5, None, False, "warm"), "Expected a `float`"),  # Gradio's own check, shown because show_error=True
    ((10**9, None, False, 4.0), "greater than maximum value"),
    ((-1, None, False, 4.0), "less than minimum value"),
    ((2.5, None, False, 4.0), "Test digit # must be a number"),
    ((0, None, True, 4.0), "No file yet"),
])
def test_bad_soften_input_gets_a_clear_message(client, args, expected):
    assert expected in error_text(lambda: client.predict(*args, api_name="/distillation_soften"))


def test_out_of_range_sliders_are_refused(client):
    assert "minimum" in error_text(lambda: client.predict(5, None, False, 0, api_name="/distillation_soften"))
    assert "minimum" in error_text(lambda: client.predict(5, None, False, -3, api_name="/distillation_soften"))
    assert "maximum" in error_text(lambda: client.predict(4.0, 0.9, 10**6, 5, "none", 1, api_name="/distillation_train"))


def test_bad_train_input_gets_a_clear_message(client):
    assert "Seeds must be a number" in error_text(
        lambda: client.predict(4.0, 0.9, 3, 5, "none", 1.5, api_name="/distillation_train"))
    assert "Epochs must be a number" in error_text(
        lambda: client.predict(4.0, 0.9, 2.5, 5, "none", 1, api_name="/distillation_train"))


def test_empty_and_non_image_drawings(client, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (280, 280), 255).save(blank)
    assert "drawing is empty" in error_text(
        lambda: client.predict(drawing_payload(str(blank)), 4.0, api_name="/distillation_draw"))
    text_file = tmp_path / "notes.png"
    text_file.write_text("this is not a picture")
    assert "not an image we can read" in error_text(
        lambda: client.predict(drawing_payload(str(text_file)), 4.0, api_name="/distillation_draw"))


def test_errors_follow_the_users_language(app_url):
    chinese = Client(app_url, verbose=False, headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert "測試數字編號 必須是介於" in error_text(
        lambda: chinese.predict(2.5, None, False, 4.0, api_name="/distillation_soften"))


def test_the_server_keeps_serving_after_bad_input(client):
    for _ in range(3):
        error_text(lambda: client.predict(-1, None, False, 4.0, api_name="/distillation_soften"))
    stats = client.predict(7, None, False, 2.0, api_name="/distillation_soften")[4]
    assert "Entropy" in stats
