"""Gradio glue shared by the tabs: safe event functions, timing labels, safe inputs, gallery clicks.

``@handler`` wraps every event function (plain or generator): a ``UserInputError`` becomes a
``gr.Error`` in the user's language, any other exception a short translated message (logged, never
a stack trace), a function that declares ``lang`` receives the user's language, and one that declares
``session`` the browser session's id.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import inspect
import io
import json
import logging
import os
import threading
import time
import typing
from pathlib import Path

import gradio as gr
import numpy as np
from gradio.i18n import I18nData
from PIL import Image as PILImage

from core import i18n
from core.device import get_device
from core.heavy import HEAVY_AT_ONCE, Abandoned, cut_reason, cut_seconds, cut_short, out_of_time
from core.i18n import UserInputError, check_number, is_empty

log = logging.getLogger("mldemo")

#: Heavy events (training, attacks, large SmoothGrad, GAN training) share one queue lane: up to
#: ``HEAVY_AT_ONCE`` jobs are in, and their functions (``@heavy``) take turns step by step, one step at a
#: time, so light events (a slider, a pick) always find a free core.
HEAVY = {"concurrency_id": "heavy", "concurrency_limit": HEAVY_AT_ONCE}
#: Model switches: loading weights (or downloading them), one at a time, beside the heavy lane: in a busy class a
#: switch waited behind a dozen heavy jobs (p50 77 s, bench/load-class-switches-in-heavy-lane.md) for a second of work.
MODEL_LANE = {"concurrency_id": "models", "concurrency_limit": 1}
#: Light events: many at once, each a few milliseconds.
LIGHT = {"concurrency_limit": 4}

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


def _translate(exc: Exception, name: str, lang: str) -> Exception:
    title = i18n.t("app.error_title", lang)
    if isinstance(exc, Abandoned):  # nobody is waiting for this answer: no stack trace in the log
        log.info("handler %s stopped: its student left", name)
        return gr.Error(i18n.t("error.internal", lang), title=title, print_exception=False)
    if isinstance(exc, UserInputError):  # the pop-up renders HTML: what the user typed ("<mask>") is shown as typed
        if exc.key == "app.busy":  # nothing is wrong: the class is busy
            title = i18n.t("app.busy_title", lang)
        return gr.Error(html.escape(exc.message(lang), quote=False), title=title, print_exception=False)
    log.exception("handler %s failed", name)
    return gr.Error(i18n.t("error.internal", lang), title=title, print_exception=False)


def handler(fn):
    """Make ``fn`` a safe Gradio event function (see module docstring)."""
    signature = inspect.signature(fn)
    wants_lang = "lang" in signature.parameters
    wants_session = "session" in signature.parameters
    params = [p for p in signature.parameters.values() if p.name not in ("lang", "session")]
    params.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=None, annotation=gr.Request))
    public = signature.replace(parameters=params)

    def prepare(args, kwargs) -> tuple[dict, str]:
        arguments = dict(public.bind(*args, **kwargs).arguments)
        request = arguments.pop("request", None)
        lang = request_lang(request)
        if wants_lang:
            arguments["lang"] = lang
        if wants_session:  # the browser tab's session id: a stop button reaches the run it belongs to
            arguments["session"] = getattr(request, "session_hash", None) or ""
        return arguments, lang

    if inspect.isgeneratorfunction(fn):  # streaming: intermediate results (training steps, attack steps)
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            arguments, lang = prepare(args, kwargs)
            try:
                yield from fn(**arguments)
            except gr.Error:
                raise
            except Exception as exc:
                raise _translate(exc, fn.__name__, lang) from None
    else:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            arguments, lang = prepare(args, kwargs)
            try:
                return fn(**arguments)
            except gr.Error:
                raise
            except Exception as exc:
                raise _translate(exc, fn.__name__, lang) from None

    wrapper.__signature__ = public
    hints = typing.get_type_hints(fn)  # resolved in fn's module, so gradio sees real classes
    wrapper.__annotations__ = {**{k: v for k, v in hints.items() if k != "lang"}, "request": gr.Request}
    del wrapper.__wrapped__  # gradio must see the public signature, not fn's
    return wrapper


class Stopwatch:
    """Times an action; ``label(lang)`` gives what the user sees, e.g. 'cpu · 42 ms' or 'cpu · 1 ms · cached'."""

    def __init__(self):
        self.start = time.perf_counter()

    @property
    def ms(self) -> float:
        return (time.perf_counter() - self.start) * 1000

    def label(self, lang: str, cached: bool = False) -> str:
        if self.ms >= 1000:
            text = i18n.t("app.timing_s", lang, device=get_device().type, s=self.ms / 1000)
        else:
            text = i18n.t("app.timing", lang, device=get_device().type, ms=self.ms)
        return f"{text} · {i18n.t('app.cached', lang)}" if cached else text


def stopped_note(key: str, lang: str, why: str | None = None, **params) -> str:
    """What a run that ended before its end says: ``key`` when its student stopped it ("you"), ``<key>_busy`` or
    ``<key>_long`` when a busy class or the time limit of a run cut it short (``why``, as ``StopRequests.why`` said;
    default: this thread's heavy job's ``core.heavy.cut_reason``, for a plain run), with ``seconds``: after how long
    (``core.heavy.cut_seconds``)."""
    why = cut_reason() if why is None else why
    return i18n.t(key if why == "you" else f"{key}_{why}", lang, seconds=cut_seconds(why), **params)


class StopRequests:
    """A Stop button for a streaming handler: ``request(session)`` from the button's handler, and the running
    loop asks ``wanted(session, since)`` (``since``: when the run started, from ``time.monotonic()``), so a
    stop reaches only the run of the browser session that pressed it, and never a later run. The loop runs
    inside ``with running(session):``, so that the button's handler can tell (``is_running``) that a Stop with
    nothing running has nothing to say "stopping" about."""

    def __init__(self):
        self._lock = threading.Lock()
        self._requested: dict[str, float] = {}  # session -> when its Stop button was pressed
        self._running: dict[str, int] = {}  # session -> how many of its runs are going now

    @contextlib.contextmanager
    def running(self, session: str):
        with self._lock:
            self._running[session] = self._running.get(session, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running.pop(session, 1) - 1
                if left > 0:
                    self._running[session] = left

    def is_running(self, session: str) -> bool:
        with self._lock:
            return session in self._running

    def request(self, session: str) -> None:
        now = time.monotonic()
        with self._lock:
            for old in [s for s, when in self._requested.items() if now - when > 3600]:  # long-gone sessions
                del self._requested[old]
            self._requested[session] = now

    def wanted(self, session: str, since: float) -> bool:
        with self._lock:
            return self._requested.get(session, 0.0) > since

    def why(self, session: str, since: float) -> str | None:
        """Why the run of ``session`` that started at ``since`` should stop now: "you" (its Stop button), "busy"
        (``core.heavy.out_of_time``: it has run long while other students' jobs wait), "long" (it has run
        ``core.heavy.RUN_SECONDS``, alone or not), or None: go on. A run told to stop is marked cut short
        (``core.heavy.cut_short``)."""
        if self.wanted(session, since):
            cut_short()  # in a heavy job's turn: a run cut short is not the action's cost, nor an answer to remember
            return "you"
        return out_of_time(since)


# ---------------------------------------------------------------- inputs that never fail inside Gradio

class Slider(gr.Slider):
    """A gr.Slider whose value reaches the handler as sent: an emptied box (None), a string or an
    out-of-range number gets the handler's translated message (``slider_value``) instead of Gradio's
    English one ("Could not preprocess input component ...", "Value 0 is less than minimum value 0.5")."""

    def get_block_name(self) -> str:
        return "slider"

    def preprocess(self, payload):
        return payload


#: Browser code for the page: Enter in a slider box that is empty or out of the slider's range leaves the box, so
#: Gradio puts the number the results are for in it (the minimum, or the nearest end), as it does on Tab
#: (``slider_value``: an emptied slider counts as its minimum; a live move outside counts as the nearest end). Before,
#: Enter sent the box as typed and it stayed so (the teacher review: "T = 0.5" beside an empty box, test digit #1318
#: beside "5000"). An emptied box is given its minimum as it loses the focus: Gradio reads it as 0 and puts the
#: nearest end, which for a range below 0 is the top (the audio budget: −20 dB, the loudest, instead of −60).
#: Number boxes (a seed) keep their message for an empty box.
EMPTY_SLIDER_BOX_JS = """() => {
    if (window.__emptySliderBoxes) return;
    window.__emptySliderBoxes = true;
    const sliderBox = (box) => box instanceof HTMLInputElement && box.type === 'number'
        && box.closest('.block')?.querySelector('input[type=range]');
    document.addEventListener('keydown', (event) => {
        const box = event.target;
        if (event.key !== 'Enter' || !sliderBox(box)) return;
        const value = Number(box.value), low = Number(box.min), high = Number(box.max);
        if (!box.value.trim() || (box.min !== '' && value < low) || (box.max !== '' && value > high)) box.blur();
    }, true);
    document.addEventListener('blur', (event) => {
        const box = event.target;
        if (!sliderBox(box) || box.value.trim() || box.min === '') return;
        box.value = box.min;
        box.dispatchEvent(new Event('input', {bubbles: true}));
    }, true);
}"""


class Number(gr.Number):
    """A gr.Number whose value reaches the handler as sent (see ``Slider``): Gradio's own check of minimum,
    maximum and type answers in English before the handler runs. Check it with ``check_number``."""

    def get_block_name(self) -> str:
        return "number"

    def preprocess(self, payload):
        return payload


def slider_value(value, name: str, low: float, high: float, *, integer: bool = False, live: bool = False):
    """A slider's number, checked. An emptied value (or a lone "-" being typed) counts as the slider's
    minimum, quietly, so a teacher retyping a number gets no pop-up for the empty moment. (On the page, Gradio
    6.31 itself turns an emptied box into 0 clamped to the range, shows that and sends it: measured with a
    -60..-20 slider, the box and the handler both got -20. An empty value arrives only through the API.)

    ``live``: the page's own call while a number is being typed ("0" on the way to "0.75"): a number out
    of range counts as the nearest end and a fraction is rounded, as Gradio will show them, instead of an
    error at every keystroke. API calls are checked strictly."""
    if is_empty(value):
        return int(low) if integer else float(low)
    if live:
        try:
            number = min(max(float(value), low), high)
        except (TypeError, ValueError):
            number = float("nan")
        if number == number:  # not NaN
            return int(round(number)) if integer else number
    return check_number(value, name, low, high, integer=integer)


def notify(message: str, lang: str, seconds: float = 10) -> None:
    """A pop-up note (not an error), titled in the user's language, for ``seconds`` (Gradio's default 10)."""
    gr.Warning(message, duration=seconds, title=i18n.t("app.warning_title", lang))


class Dropdown(gr.Dropdown):
    """A gr.Dropdown whose value reaches the handler as sent: a value outside the choices (possible
    through the API) gets the handler's translated message instead of Gradio's English one."""

    def get_block_name(self) -> str:
        return "dropdown"

    def preprocess(self, payload):
        return payload


class Radio(gr.Radio):
    """A gr.Radio whose value reaches the handler as sent (see ``Dropdown``)."""

    def get_block_name(self) -> str:
        return "radio"

    def preprocess(self, payload):
        return payload


class CheckboxGroup(gr.CheckboxGroup):
    """A gr.CheckboxGroup whose values reach the handler as sent (see ``Dropdown``)."""

    def get_block_name(self) -> str:
        return "checkboxgroup"

    def preprocess(self, payload):
        return payload


class _UndecodedFile:
    """With ``type="filepath"``, the input reaches the handler as the uploaded file's path, undecoded and
    unconverted, so that ``core.uploads`` gives a bad file a translated message (Gradio's own decoding fails
    with a generic error before the handler runs); the API page's example is empty, not Gradio's default
    file from the internet."""

    def preprocess(self, payload):
        if self.type != "filepath":
            return super().preprocess(payload)
        return None if payload is None else getattr(payload, "path", payload)

    def example_payload(self):
        return None

    def example_value(self):
        return None


class Image(_UndecodedFile, gr.Image):
    """A gr.Image whose output pictures are written to Gradio's cache once, atomically, and whose input (with
    ``type="filepath"``) reaches the handler undecoded.

    Gradio's own writer names the file by its content and rewrites it on every answer, so when many
    students get the same picture at once, one answer truncates the file while another is being
    downloaded (bench/load.py saw "peer closed connection without sending complete message body").
    Here the picture is encoded, written under a temporary name and renamed into place, only if absent."""

    def get_block_name(self) -> str:
        return "image"

    def postprocess(self, value):
        if isinstance(value, np.ndarray | PILImage.Image):
            value = _cached_png(value, self.GRADIO_CACHE)
        return super().postprocess(value)


class Audio(_UndecodedFile, gr.Audio):
    """A gr.Audio whose input (``type="filepath"``) reaches the handler undecoded and unconverted, so that
    ``core.uploads.decode_audio`` gives a bad file a translated message (Gradio converts any non-WAV upload
    with ffmpeg first and fails with a generic error). Outputs: send int16 from ``core.audio.int16_audio``."""

    def get_block_name(self) -> str:
        return "audio"


class Gallery(gr.Gallery):
    """A gr.Gallery output whose pictures (arrays, or (array, caption) pairs) are written as ``Image`` does:
    lossless PNG, once, atomically."""

    def get_block_name(self) -> str:
        return "gallery"

    def postprocess(self, value):
        if isinstance(value, list):
            value = [self._cached(item) for item in value]
        return super().postprocess(value)

    def _cached(self, item):
        picture, caption = item if isinstance(item, tuple) else (item, None)
        if isinstance(picture, np.ndarray | PILImage.Image):
            picture = _cached_png(picture, self.GRADIO_CACHE)
        return (picture, caption) if caption is not None else picture


def _cached_png(picture, cache_dir: str) -> str:
    """The picture's PNG in the cache, named by its pixels: a picture already there (the same test digit, a
    memoised map, for the next student) is found without being encoded again."""
    image = picture if isinstance(picture, PILImage.Image) else PILImage.fromarray(np.asarray(picture, np.uint8))
    pixels = hashlib.sha256(f"{image.mode} {image.size}".encode())
    pixels.update(image.tobytes())
    folder = Path(cache_dir) / "pictures" / pixels.hexdigest()[:32]
    path = folder / "image.png"
    if not path.exists():
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data = buffer.getvalue()
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{os.getpid()}-{threading.get_ident()}.png"
        temporary.write_bytes(data)
        os.replace(temporary, path)  # atomic: a reader sees the whole file or none
    return str(path)


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

    # The API page's example: an empty canvas, not Gradio's default picture from the internet.
    def example_payload(self):
        return None

    def example_value(self):
        return None


def digit_pad(i18n_keys: gr.I18n, topic: str) -> tuple[SafeSketchpad, gr.Checkbox]:
    """A 280×280 pad to draw a digit on (a black brush, no layers) and its "use my drawing" box, named after the
    tab: ``<topic>-sketch``, ``<topic>-use-drawing``, with the tab's ``sketch_placeholder`` and ``use_drawing``
    words. Put it where the tab wants it (an accordion, a column)."""
    sketch = SafeSketchpad(type="numpy", image_mode="L", show_label=False, canvas_size=(280, 280), height=330,
                           layers=False, placeholder=i18n_keys(f"{topic}.sketch_placeholder"),
                           brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
                           elem_id=f"{topic}-sketch")
    use_drawing = gr.Checkbox(False, label=i18n_keys(f"{topic}.use_drawing"), elem_id=f"{topic}-use-drawing")
    return sketch, use_drawing


def select_brush_js(elem_id: str) -> str:
    """Browser code that puts the Sketchpad's brush in hand, so a student can draw at once (Gradio's
    editor starts, and restarts after the bin, with no tool selected). For ``demo.load`` and ``.clear``.
    It tries now, and again each time the pad comes into view (its tab opened, its accordion unfolded, scrolled
    to), however long after the page loaded; the brush's "Color" button shows that the brush is in hand."""
    def buttons(key: str) -> str:  # the tool's button, whatever language its label is in
        return ", ".join(f'button[aria-label="{i18n.t(key, lang)}"]' for lang in i18n.LANGS)

    return f"""() => {{
        const pick = (tries) => {{
            const editor = document.querySelector('#{elem_id}');
            if (editor?.querySelector('{buttons("image_editor.color")}')) return;
            editor?.querySelector('{buttons("image_editor.brush")}')?.click();
            if (tries < 40) setTimeout(() => pick(tries + 1), 250);
        }};
        setTimeout(() => pick(0), 250);
        const watched = (window.brushWatched = window.brushWatched || {{}});
        if (watched['{elem_id}']) return;
        watched['{elem_id}'] = true;
        const seen = new IntersectionObserver((entries) => {{
            if (entries.some((entry) => entry.isIntersecting)) pick(0);
        }});
        let editor = null;
        const follow = () => {{  // Gradio may build the pad late (a tab opened later) or rebuild it
            const now = document.querySelector('#{elem_id}');
            if (now && now !== editor) {{ if (editor) seen.unobserve(editor); editor = now; seen.observe(now); }}
        }};
        follow();
        new MutationObserver(follow).observe(document.body, {{childList: true, subtree: true}});
    }}"""


def _shown_js(elem_id: str) -> str:
    return f"(document.getElementById({json.dumps(elem_id)})?.innerText || '').trim().length > 0"


def mark_stale_js(elem_ids: list[str], when_shown: str) -> str:
    """Browser code that greys results that no longer match the inputs (CSS class ``stale``) when ``when_shown``
    is the elem_id of a result with text in it. A change is timed (``data-changed-at``) so that a run that started
    before it cannot ungrey its result (``finished_js``)."""
    return (f"() => {{ const stale = {_shown_js(when_shown)}; for (const id of {json.dumps(elem_ids)}) {{ "
            "const el = document.getElementById(id); if (!el) continue; "
            "el.dataset.changedAt = performance.now(); el.classList.toggle('stale', stale); } }")


#: Browser code that closes the error pop-ups on screen (Gradio's toasts of type error).
CLOSE_ERRORS_JS = ("document.querySelectorAll(\"[data-testid='toast-body'].error [data-testid='toast-close']\")"
                   ".forEach((button) => button.click());")


def fresh_js(elem_ids: list[str], *, close_errors: bool = False) -> str:
    """Browser code that puts results at full contrast (a run began, or what they show was just made or emptied),
    remembering whether they were grey, for ``refused_js``, and when (``data-run-at``). ``close_errors``: also
    close the error pop-ups, which were about inputs these new results have replaced."""
    return (f"() => {{ for (const id of {json.dumps(elem_ids)}) {{ const el = document.getElementById(id); "
            "if (!el) continue; el.dataset.wasStale = el.classList.contains('stale') ? '1' : ''; "
            "el.dataset.runAt = performance.now(); el.classList.remove('stale'); } "
            + (CLOSE_ERRORS_JS if close_errors else "") + " }")


#: Browser code, true when the inputs of the result ``el`` changed after its last run began (``mark_stale_js``).
#: Not in the click's first 0.5 s: the click takes the focus from a number box, whose input event then fires again
#: with the value the run already took (measured: a result greyed after its own run, budget typed, then Attack).
_CHANGED_SINCE_RUN = "Number(el.dataset.changedAt || 0) > Number(el.dataset.runAt || 0) + 500"


def starting_js(elem_ids: list[str]) -> str:
    """Browser code for a run's own ``js=``: ungreys its results (``fresh_js``) and passes
    the inputs on unchanged. It runs before the click's request goes out; a separate browser-only listener of the
    same click ran only once a refused run had answered (4 s later), after ``refused_js``, and undid it."""
    body = fresh_js(elem_ids)
    return f"(...inputs) => {{ ({body})(); return inputs; }}"


def finished_js(elem_ids: list[str]) -> str:
    """Browser code for a run's ``.success``: its new results are at full contrast, unless the inputs changed
    while it ran (a new picture clicked during a 20 s sanity check; or in the ~30 ms between the results' text and
    this listener): then they were made for the old inputs and stay grey."""
    return (f"() => {{ for (const id of {json.dumps(elem_ids)}) {{ const el = document.getElementById(id); "
            f"if (el) el.classList.toggle('stale', {_CHANGED_SINCE_RUN}); }} }}")


def stale_on_typing_js(box_id: str, elem_ids: list[str], when_shown: str) -> str:
    """Browser code (for ``demo.load``) that greys results as soon as a key is typed in the box ``box_id``
    (``mark_stale_js``). A DOM listener: Gradio 6.31 runs no browser-only (``js=``) listener of a Textbox's
    ``input`` event (measured: no class change at all)."""
    grey = mark_stale_js(elem_ids, when_shown)
    return (f"() => {{ const grey = {grey}; document.addEventListener('input', (event) => {{ "
            f"if (event.target.closest?.({json.dumps('#' + box_id)})) grey(); }}, true); }}")


def grey_until_rerun(run, changed: list, elem_ids: list[str], when_shown: str) -> None:
    """A result below the inputs that made it (``run``: its button's event, or a list of the events that make it,
    each created with ``js=starting_js(elem_ids)``) is greyed as soon as one of ``changed`` fires (a new picture,
    another class, a setting moved) while ``when_shown`` has text, and is at full contrast again once a run makes
    a new one from the inputs on screen; a refused run leaves it as it was."""
    gr.on(changed, None, js=mark_stale_js(elem_ids, when_shown))
    for event in run if isinstance(run, list) else [run]:
        event.success(None, js=finished_js(elem_ids))
        event.failure(None, js=refused_js(elem_ids))


def grey_when_refused(events: list, elem_ids: list[str], when_shown: str, badges_on: list[str] = ()) -> None:
    """Results that ``events`` make as soon as their inputs change (no button of their own): at full contrast
    when one makes them; greyed when one is refused while ``when_shown`` has text (they are for other inputs), without
    Gradio's red badges on them or on ``badges_on`` (``refused_js``). New results close the error pop-ups on screen:
    they were about the inputs just replaced (the teacher review: "There is no [MASK]" above fresh bars)."""
    for event in events:
        event.success(None, js=fresh_js(elem_ids, close_errors=True))  # "no [MASK]" under new bars: gone
        event.failure(None, js=refused_js(elem_ids, when_shown, badges_on))


#: Gradio's own clear buttons of its status trackers' red "Error" badges (clicked to take a badge off a result).
BADGE_CLEAR_BUTTONS = "[data-testid='status-tracker'] .clear-status button"


def refused_js(elem_ids: list[str], when_shown: str | None = None, badges_on: list[str] = ()) -> str:
    """Browser code for a refused click (its event's ``.failure``): the outputs keep what they showed, made for
    other inputs, so they are greyed again: as they were before the click (``fresh_js`` remembered
    it; a busy server's refusal leaves a matching result as it was), or, with ``when_shown``, whenever that result
    has text (the refused input is never what they show). Gradio's red "Error" badge comes off them: the pop-up
    says what is wrong in the user's language, and the badge covered the result's first words. ``badges_on``: more
    outputs of the refused event whose badges come off, not greyed (a line another event has just made anew)."""
    stale = f"el.dataset.wasStale === '1' || {_CHANGED_SINCE_RUN}" if when_shown is None else _shown_js(when_shown)
    return (f"() => {{ const ids = {json.dumps(elem_ids)}; for (const id of ids) {{ "
            "const el = document.getElementById(id); if (el) el.classList.toggle('stale', " + stale + "); } "
            f"const clear = () => [...ids, ...{json.dumps(list(badges_on))}].forEach((id) => "
            "document.getElementById(id)?.querySelectorAll("
            f"{json.dumps(BADGE_CLEAR_BUTTONS)}).forEach((button) => button.click())); "
            "clear(); setTimeout(clear, 200); setTimeout(clear, 1000); }")


def drawing_to_gray(value) -> np.ndarray | None:
    """The Sketchpad's value (type='numpy', image_mode='L') -> 2-D uint8; None for no drawing at all."""
    if isinstance(value, DecodeFailure):
        raise UserInputError("image.unreadable", detail=value.detail)
    composite = value.get("composite") if isinstance(value, dict) else None
    if composite is None:
        return None
    arr = np.asarray(composite)
    if arr.ndim == 3:
        arr = arr[..., :3].mean(axis=2)
    return arr.astype(np.uint8)


def drawn_digit(drawing) -> np.ndarray | None:
    """The drawing as a centred 28x28 digit, normalised like the data set; None when the canvas is empty. A drawing
    that cannot be read as a digit (ink over the pad's edge, a tap) gets a message (``check_drawn_digit``)."""
    from core.data.digits import normalize_digit

    gray = drawing_to_gray(drawing)
    if gray is None:
        return None
    try:
        return normalize_digit(check_drawn_digit(gray))
    except UserInputError as exc:
        if exc.key == "digit.empty":
            return None
        raise


#: The smallest drawing read as a digit: its ink at least this tall or wide, in pixels of the 280-pixel pad (its
#: brush is 18 wide). A tap or a short tick, scaled up to a digit's size, became a blob the models read as some
#: digit, with confidence (the teacher review: a 20-pixel dot read as a digit).
MIN_DIGIT_PIXELS = 48


def pad_ink(gray: np.ndarray) -> np.ndarray:
    """Where a drawing on the pad has ink (bool, the picture's shape): its paper is white, its brush black."""
    return gray < 128


def check_drawn_digit(gray: np.ndarray) -> np.ndarray:
    """A drawing on the pad (2-D, black ink on white) that can be read as a digit, as it is; a message in the user's
    language for ink over most of the pad's edge (``normalize_digit`` would take the ink for the paper, and an
    all-black pad for an empty one) or ink too small to be a digit. An empty canvas passes (``normalize_digit`` says
    so)."""
    from core.data.digits import edge

    ink = pad_ink(gray)
    if np.median(edge(ink)):
        raise UserInputError("digit.all_ink")
    rows, cols = np.nonzero(ink)
    if rows.size and max(np.ptp(rows), np.ptp(cols)) + 1 < MIN_DIGIT_PIXELS * max(gray.shape) / 280:
        raise UserInputError("digit.too_small")
    return gray


# ---------------------------------------------------------------- gallery clicks

def _clicked_index(evt: gr.SelectData) -> str:
    """The clicked item's position as JSON text ("3"), what the hidden JSON value of ``on_gallery_click`` takes."""
    index = evt.index
    return str(int(index[0] if isinstance(index, (list, tuple)) else index))


def gallery_position(position, count: int) -> int:
    """A gallery item's position as sent by a click or through the API, checked: a whole number (3, 3.0 or
    "3") from 0 to count - 1; anything else (a word, empty, a fraction, true/false) gets the gallery's message."""
    try:
        if isinstance(position, bool):  # JSON true would pass as 1
            raise UserInputError("gallery.position")
        return check_number(position, "position", 0, count - 1, integer=True)
    except UserInputError:
        raise UserInputError("gallery.position", count=count, last=count - 1) from None


def pick_shown_js(elem_id: str, shown: bool) -> str:
    """A js= listener: the gallery's highlighted item marked as what the tab shows (``shown``) or not; a gallery
    with the class ``pick-not-shown`` draws no highlight (app.py's CSS)."""
    return (f"() => {{ document.getElementById({json.dumps(elem_id)})?.classList.toggle('pick-not-shown', "
            f"{'false' if shown else 'true'}); }}")


def on_gallery_click(gallery: gr.Gallery, fn, *, outputs, api_name: str, inputs=(), elsewhere=(), **event_args):
    """A click on a gallery item -> ``fn(position, *inputs)``, where ``fn`` is a public, API-callable handler
    that takes the item's position as a plain number (an API call has no click to read). ``elsewhere``: the
    triggers (``sketch.input``, ``picture.upload``, ...) after which the tab shows something else than the item
    clicked: its highlight goes, in the browser, until the next click (a drawing's bars beside a highlighted test
    digit read as that digit's).

    The click's index is read by a private step into a hidden value, then ``fn`` runs on it: a
    SelectData parameter on a public endpoint would fail inside Gradio for every API call. The hidden value
    takes any JSON (a number box would fail inside Gradio on "2" or "two", and round 2.5 to 2 unasked): ``fn``
    checks it with ``gallery_position``, so every bad position gets the gallery's message."""
    position = gr.JSON(visible=False, label="position")
    clicked = gallery.select(_clicked_index, None, position, api_name=f"{api_name}_click",
                             api_visibility="private", show_progress="hidden")
    if elsewhere:
        gallery.select(None, js=pick_shown_js(gallery.elem_id, True))
        gr.on(list(elsewhere), None, js=pick_shown_js(gallery.elem_id, False))
    return clicked.then(fn, [position, *inputs], outputs, api_name=api_name, **event_args)


# ---------------------------------------------------------------- model choices

def model_picker(slot, i18n_keys: gr.I18n, *, elem_id: str):
    """The tab's model: a dropdown over the slot's choices (a Hub download shows its size), or, when there
    is only one choice, a line that names it. Returns (dropdown or None, status line).

    Wire it with ``dropdown.select(model_loader(slot), dropdown, [dropdown, status], api_name="<topic>_model",
    **MODEL_LANE)``
    and pass the dropdown to the tab's handlers, which take the model as ``slot.get(key)``."""
    from core import models

    base = f"model.{slot.topic}.{slot.role}"
    i18n.register({lang: {f"{base}.now": models.choice_line(slot.best(), lang)} for lang in i18n.LANGS})
    status = gr.Markdown(i18n_keys(f"{base}.now"), elem_classes=["model-line"], elem_id=f"{elem_id}-status")
    if len(slot.choices) < 2:
        return None, status
    i18n.register({lang: {f"{base}.{c.key}": models.choice_option(c, lang) for c in slot.choices}
                   for lang in i18n.LANGS})
    dropdown = Dropdown([(i18n_keys(f"{base}.{c.key}"), c.key) for c in slot.choices], value=slot.best().key,
                        label=i18n_keys("model.label"), elem_id=elem_id, elem_classes=["model-picker"])
    return dropdown, status


def model_loader(slot, *, fallback=None, then=None):
    """The handler behind a model dropdown: loads the picked choice (downloading it first, with progress,
    if it is a Hub model not cached yet) and says which model the tab now uses. A choice that cannot be had now
    (a Hub model offline, not downloaded) is said in a pop-up and the list goes back to ``fallback(key)`` (by
    default the slot's best ready model), so the list, the line and the results never disagree. Wire its outputs:
    the dropdown, the model line, then whatever ``then`` returns.

    ``then(key, ..., lang)``: the tab's own output(s) after a switch (a direction, a note, sliders: one value or
    a tuple), from the key used; its parameters after ``key`` (but ``lang``) become the handler's, after ``key``:
    wire the event's inputs to match (the dropdown first). Its docstring is added to the endpoint's description."""
    from core import models

    more = [] if then is None else [p.replace(annotation=inspect.Parameter.empty)
                                    for name, p in list(inspect.signature(then).parameters.items())[1:]
                                    if name != "lang"]
    then_wants_lang = then is not None and "lang" in inspect.signature(then).parameters

    def load_model(key, progress=gr.Progress(), lang="en", **inputs):
        """Load the model choice ``key`` (downloading it first if needed); returns (the model used, its line)."""
        if key not in {choice.key for choice in slot.choices}:
            raise UserInputError("model.unknown", choice=i18n.shown(key, 40, quote=False))
        choice = slot.choice(key)
        if choice.needs_download() and models.is_offline():
            notify(i18n.t("model.needs_internet", lang, name=choice.key), lang)
            choice = slot.choice(fallback(key)) if fallback else slot.best()
        progress(0, desc=i18n.t("model.downloading", lang, name=choice.key))
        bundle = models.ready(slot, choice.key, report=lambda share, text: progress(share, desc=text))
        used = (choice.key, models.choice_line(bundle.choice, lang))
        if then is None:
            return used
        extra = then(choice.key, **inputs, **({"lang": lang} if then_wants_lang else {}))
        return (*used, *(extra if isinstance(extra, tuple) else (extra,)))

    own = inspect.signature(load_model).parameters  # what Gradio sees: no **inputs, but then's parameters
    load_model.__signature__ = inspect.Signature([own["key"], *more, own["progress"], own["lang"]])
    if then is not None and then.__doc__:
        load_model.__doc__ += " " + inspect.cleandoc(then.__doc__)
    return handler(load_model)


# ---------------------------------------------------------------- the API page

class Blocks(gr.Blocks):
    """gr.Blocks whose API page names every parameter and result readably: Gradio shows a translated
    label as "[object Object]" and an unlabelled component as "value_25". A translated label becomes
    its English text; an unlabelled component takes its elem_id (without the topic prefix)."""

    def get_api_info(self, *args, **kwargs):
        info = super().get_api_info(*args, **kwargs)
        for endpoint in info["named_endpoints"].values():
            for item in endpoint["parameters"] + endpoint["returns"]:
                item["label"] = self._readable(item["label"])
        return info

    def _readable(self, label) -> str:
        if isinstance(label, I18nData):
            return i18n.t(label.key, "en")
        if isinstance(label, str) and label.startswith("__i18n__"):
            try:
                label = json.loads(label[len("__i18n__"):])
            except ValueError:
                return label
        if isinstance(label, dict) and "key" in label:
            return i18n.t(label["key"], "en")
        prefix, _, number = str(label).rpartition("_")
        if prefix in ("value", "parameter") and number.isdigit():
            block = self.blocks.get(int(number))
            elem_id = getattr(block, "elem_id", None)
            if elem_id:
                return elem_id.split("-", 1)[-1].replace("-", "_")
        return str(label)
