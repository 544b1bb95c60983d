"""The distillation tab's endpoints through gradio_client (the app from conftest.py); most are in test_api.py."""
import pytest
from gradio_client import Client

from tests.test_api import error_text

#: gallery positions as an API caller might send them, none a picture's position: words, empty, out of range,
#: fractions (as numbers and as text), None, a bool
BAD_POSITIONS = ["two", "", "-1", "99", 2.5, "2.5", None, True]


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
