"""Gradio glue shared by the tabs: translated errors, timing labels, safe image inputs.

``@handler`` wraps every event function: a ``UserInputError`` becomes a ``gr.Error`` in the user's
language, any other exception a short translated message (logged, never a stack trace to the
user), and a function that declares ``lang`` receives the user's language.
"""
from __future__ import annotations

import functools
import inspect
import logging
import time
import typing

import gradio as gr
import numpy as np

from core import i18n
from core.device import get_device
from core.i18n import UserInputError

log = logging.getLogger("mldemo")

_forced_lang: str | None = None


def force_lang(lang: str | None) -> None:
    """--lang: every user gets this language, whatever their browser says."""
    global _forced_lang
    _forced_lang = lang
    if lang:
        i18n.set_default_lang(lang)


def request_lang(request: gr.Request | None) -> str:
    if _forced_lang:
        return _forced_lang
    headers = getattr(request, "headers", None) or {}
    return i18n.lang_from_header(headers.get("accept-language"))


def handler(fn):
    """Make ``fn`` a safe Gradio event function (see module docstring)."""
    signature = inspect.signature(fn)
    wants_lang = "lang" in signature.parameters
    params = [p for p in signature.parameters.values() if p.name != "lang"]
    params.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=None, annotation=gr.Request))
    public = signature.replace(parameters=params)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bound = public.bind(*args, **kwargs)
        arguments = dict(bound.arguments)
        lang = request_lang(arguments.pop("request", None))
        if wants_lang:
            arguments["lang"] = lang
        try:
            return fn(**arguments)
        except UserInputError as exc:
            raise gr.Error(exc.message(lang), print_exception=False) from None
        except gr.Error:
            raise
        except Exception as exc:
            log.exception("handler %s failed", fn.__name__)
            raise gr.Error(i18n.t("error.internal", lang, kind=type(exc).__name__), print_exception=False) from None

    wrapper.__signature__ = public
    hints = typing.get_type_hints(fn)  # resolved in fn's module, so gradio sees real classes
    wrapper.__annotations__ = {**{k: v for k, v in hints.items() if k != "lang"}, "request": gr.Request}
    del wrapper.__wrapped__  # gradio must see the public signature, not fn's
    return wrapper


class Stopwatch:
    """Times an action; ``label(lang)`` gives what the user sees, e.g. 'cpu · 42 ms'."""

    def __init__(self):
        self.start = time.perf_counter()

    @property
    def ms(self) -> float:
        return (time.perf_counter() - self.start) * 1000

    def label(self, lang: str) -> str:
        return i18n.t("app.timing", lang, device=get_device().type, ms=self.ms)


class DecodeFailure:
    """What a ``SafeSketchpad`` passes on when Gradio could not decode the upload."""

    def __init__(self, detail: str):
        self.detail = detail


class SafeSketchpad(gr.Sketchpad):
    """A Sketchpad whose undecodable input reaches the handler (as ``DecodeFailure``) instead of
    failing inside Gradio with a generic error. Same front-end component as gr.Sketchpad."""

    def get_block_name(self) -> str:
        return "imageeditor"

    def preprocess(self, payload):
        try:
            return super().preprocess(payload)
        except Exception as exc:  # PIL raises many types for a bad file
            return DecodeFailure(type(exc).__name__)


def drawing_to_gray(value) -> np.ndarray:
    """The Sketchpad's value (type='numpy', image_mode='L') -> 2-D uint8, or a translated error."""
    if isinstance(value, DecodeFailure):
        raise UserInputError("image.unreadable", detail=value.detail)
    composite = value.get("composite") if isinstance(value, dict) else None
    if composite is None:
        raise UserInputError("upload.none")
    arr = np.asarray(composite)
    if arr.ndim == 3:
        arr = arr[..., :3].mean(axis=2)
    return arr.astype(np.uint8)
