"""Predict, then check (core.questions): every tab's questions, their words in both languages, what their clicks
set and run, and the claims their answers make, checked on what the tab computes for the same settings."""
import re
import tempfile

import numpy as np
import pytest

from core.i18n import catalog
from core.questions import Question
from demos import load_tabs

TABS = load_tabs()


def test_every_tab_has_three_to_five_questions_in_both_languages():
    words = catalog()
    for tab in TABS:
        questions = getattr(tab, "QUESTIONS", ())
        assert 3 <= len(questions) <= 5, tab.TOPIC
        assert all(isinstance(question, Question) for question in questions)
        assert len({question.key for question in questions}) == len(questions), tab.TOPIC
        texts = []
        for question in questions:
            for part in ("", "_answer"):
                key = f"{tab.TOPIC}.q_{question.key}{part}"
                english, chinese = words["en"].get(key, ""), words["zh"].get(key, "")
                assert english.strip() and chinese.strip(), key
                assert english != chinese, key
                assert re.search(r"[\u4e00-\u9fff]", chinese), key  # Chinese, not a copy of the English
                texts += [english, chinese]
            assert question.run or question.press, (tab.TOPIC, question.key)  # a click shows something
        assert len(set(texts)) == len(texts), tab.TOPIC  # no question or answer repeats another


#: Latin words the Chinese questions and answers may use: names, models, units (the Chinese page's tests allow them).
LATIN_IN_CHINESE_QUESTIONS = {"Hinton", "softmax", "logit", "SmoothGrad", "Adebayo", "AUC", "Whisper", "tiny", "SNR",
                              "GAN", "WGAN", "Wasserstein", "FID", "lerp", "slerp", "BERT", "MASK", "bert", "base",
                              "Kurita"}


def test_the_chinese_questions_and_answers_have_no_english_words():
    words = catalog()["zh"]
    for tab in TABS:
        for question in tab.QUESTIONS:
            for part in ("", "_answer"):
                key = f"{tab.TOPIC}.q_{question.key}{part}"
                assert not set(re.findall(r"[A-Za-z]{3,}", words[key])) - LATIN_IN_CHINESE_QUESTIONS, key
    assert not re.findall(r"[A-Za-z]{3,}", words["questions.title"] + words["questions.intro"])


@pytest.fixture(scope="module")
def page():
    import app
    from core import models

    models.set_offline(True)
    demo, _ = app.build_app()
    return demo


def test_the_clicks_press_buttons_that_exist_and_add_no_api_endpoint(page):
    elem_ids = {getattr(block, "elem_id", None) for block in page.blocks.values()}
    for tab in TABS:
        for question in tab.QUESTIONS:
            assert f"{tab.TOPIC}-q-{question.key}" in elem_ids
            assert f"{tab.TOPIC}-a-{question.key}" in elem_ids
            if question.press:
                assert question.press in elem_ids, (tab.TOPIC, question.key)
    assert not [name for name in page.get_api_info()["named_endpoints"] if "question" in name]


def test_a_value_in_the_users_language_is_set_in_that_language():
    from core import i18n
    from core.questions import _setter
    from core.ui import force_lang

    set_up = _setter([{"en": "a [MASK].", "zh": "一個[MASK]。"}, 3])
    try:
        for lang, sentence in (("en", "a [MASK]."), ("zh", "一個[MASK]。")):
            force_lang(lang)
            sentence_set, number, answer = set_up()
            assert (sentence_set, number) == (sentence, 3) and answer.visible is True
    finally:
        force_lang(None)
        i18n.reset()  # English the default again


def test_a_question_that_only_presses_a_button_shows_its_answer():
    from core.questions import _setter

    shown = _setter([])()  # the answer is the click's only output: Gradio wants the value, not a list of one
    assert shown.visible is True


# ---------------------------------------------------------------- the answers' claims, on the tabs' own outputs

def settings_of(tab, key: str) -> dict:
    return next(question for question in tab.QUESTIONS if question.key == key).settings


def test_distillation_entropy_rises_with_t_and_the_gradient_shrinks_without_t2():
    from demos.distillation import ui

    temperature = settings_of(ui, "entropy")["temperature"]
    assert settings_of(ui, "t2")["temperature"] == temperature
    for index in (ui.showcase_indices()[7], ui.showcase_indices()[13]):
        stats = ui.soften(index, None, False, temperature)[4]
        low, high = map(float, re.search(r"\*\*([\d.]+) bits\*\* at T = 1 → \*\*([\d.]+) bits", stats).groups())
        assert high > low and high <= 3.33
        assert re.search(r"\*\*\d+× smaller\*\* without T²", stats)  # "many times smaller"
        assert int(re.search(r"\*\*(\d+)× smaller\*\* without", stats).group(1)) >= 10


@pytest.mark.slow
def test_distillation_alpha_0_trains_the_distilled_student_like_the_hard_label_one(one_torch_thread):
    from demos.distillation import ui

    alpha = settings_of(ui, "alpha0")["alpha"]
    table = ui.train(4.0, alpha, 2, 1, "none", 2, progress=lambda *a, **k: None)[1]
    distilled, hard = [line.split("|")[2:4] for line in table.splitlines() if line.startswith("| ")][2:4]
    assert distilled == hard and "+0.0 points" in table


def test_gan_psi_0_draws_one_sample_forty_times_with_no_recall():
    from demos.gan import ui

    settings = settings_of(ui, "psi0")
    meter = ui.sample(2024, settings["count"], settings["digit"], settings["psi"])[2]
    recall = int(re.search(r"recall (\d+)%", meter).group(1))
    precision = int(re.search(r"precision (\d+)%", meter).group(1))
    assert recall <= 10 and precision >= 80


def test_the_cyclegan_ghost_question_shows_ghosts_and_the_cycle_question_a_cycle_error():
    from demos.cyclegan import ui

    settings = settings_of(ui, "ghost")
    note = ui.strip(settings["strip_direction"], settings["number"])[1]
    assert "**Ghosts:**" in note
    note = ui.strip(settings_of(ui, "cycle")["strip_direction"], 0)[1]
    assert "G(F(x)) brings it back" in note and "Mean cycle error" in note


@pytest.mark.slow
def test_saliency_smoothgrad_without_noise_is_the_gradient():
    from PIL import Image

    from demos.saliency import logic, ui

    settings = settings_of(ui, "sigma0")
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        Image.fromarray(ui.examples()[-1]).save(handle.name)  # a digit: quick on the CPU
        subject = ui._subject(handle.name, None, False, None, "en")
        target = ui._target(None, subject, "en")
        maps, _ = ui._explained(subject, target, tuple(settings["methods"]),
                                ui._settings(settings["sigma"], 25, 32, "black", 14, 7, "en"))
    assert np.allclose(logic.unit_scale(maps["saliency"]), logic.unit_scale(maps["smoothgrad"]), atol=1e-5)


def test_fill_mask_two_masks_are_filled_each_on_its_own_then_left_to_right():
    from demos.fill_mask import ui

    sentence = settings_of(ui, "two")["text"]["en"]
    key = ui.model_for("en")
    lines = ui.predict(sentence, key, 8, True)[0]
    assert "Each mask on its own" in lines and "Left to right" in lines
