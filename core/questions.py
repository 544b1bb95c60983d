"""Predict, then check: a folded panel at the bottom of a tab with a few of the lecture's questions. Each question
is a button; a click sets the tab's controls to the settings that answer it, runs the tab's own action (or presses
one of its buttons), so the answer appears in the tab's real outputs, and shows a short answer saying what to look
at and why.

A tab declares its questions as a small constant in ui.py (``Question``s) and their words in strings.py:
``<topic>.q_<key>`` (the question) and ``<topic>.q_<key>_answer`` (the answer), in both languages; build_tab makes
the panel with one call to ``questions_panel``. The clicks only serve the page: no API endpoint of their own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import gradio as gr

from core.i18n import register
from core.ui import LIGHT, handler

STRINGS = {
    "en": {
        "questions.title": "Predict, then check",
        "questions.intro": "Ask the class first, let them guess, then click: the page goes up to the tab, which sets "
                           "itself up and shows the result; the answer waits here, under the question.",
    },
    "zh": {
        "questions.title": "先猜再驗證",
        "questions.intro": "先問全班、讓大家猜，再按下問題：頁面會回到分頁上方，自動調好設定並顯示結果；"
                           "答案留在這裡，問題下方。",
    },
}
register(STRINGS)


@dataclass(frozen=True)
class Question:
    """One question of a tab. ``settings``: a control's name (a key of ``questions_panel``'s ``controls``) -> the
    value the click puts in it, or ``{"en": ..., "zh": ...}`` for a value in the user's language (a sentence);
    ``run``: the names of the tab's actions to run then, in order (keys of ``actions``); ``press``: the elem_id of
    a button of the tab to press last (a preset, a check), as a slide link does."""

    key: str
    settings: dict = field(default_factory=dict)
    run: tuple[str, ...] = ()
    press: str | None = None


def _setter(values: list):
    """The click's first step: the question's values (in the user's language) and its answer shown."""
    @handler
    def set_up(lang="en"):
        chosen = [value.get(lang, value["en"]) if isinstance(value, dict) and "en" in value else value
                  for value in values]
        shown = gr.Markdown(visible=True)
        return (*chosen, shown) if chosen else shown  # one output: Gradio takes the value itself, not a list

    return set_up


def scroll_up_js(topic: str) -> str:
    """Browser code that brings the tab's top (where its result is, on a projector's first screen) into view."""
    return (f"() => {{ document.getElementById({json.dumps('tab-' + topic)})"
            f"?.scrollIntoView({{behavior: 'smooth', block: 'start'}}); }}")


def press_js(elem_id: str) -> str:
    """Browser code that presses the tab's button ``elem_id``."""
    return f"() => {{ document.getElementById({json.dumps(elem_id)})?.click(); }}"


def questions_panel(i18n: gr.I18n, topic: str, questions, *, controls: dict | None = None,
                    actions: dict | None = None) -> gr.Accordion:
    """The folded "Predict, then check" panel: a button per question and its answer, hidden until the click.
    ``controls``: name -> the component a question's settings set; ``actions``: name -> the keyword arguments of
    the tab's event that a question runs (``fn``, ``inputs``, ``outputs``...: the dict the tab's events use)."""
    controls, actions = controls or {}, actions or {}
    with gr.Accordion(i18n("questions.title"), open=False, elem_id=f"{topic}-questions") as panel:
        gr.Markdown(i18n("questions.intro"))
        for question in questions:
            button = gr.Button(i18n(f"{topic}.q_{question.key}"), size="md", elem_id=f"{topic}-q-{question.key}")
            answer = gr.Markdown(i18n(f"{topic}.q_{question.key}_answer"), visible=False,
                                 elem_id=f"{topic}-a-{question.key}", elem_classes=["question-answer"])
            targets = [controls[name] for name in question.settings]
            name = f"{topic}_question_{question.key}"
            button.click(None, js=scroll_up_js(topic))  # the result changes up there: the class watches it
            event = button.click(_setter(list(question.settings.values())), None, [*targets, answer], api_name=name,
                                 api_visibility="private", show_progress="hidden", **LIGHT)
            for number, action in enumerate(question.run):
                event = event.then(api_name=f"{name}_run_{number}", api_visibility="private", **actions[action])
            if question.press:
                event.then(None, js=press_js(question.press))
    return panel
