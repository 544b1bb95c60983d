"""The CycleGAN tab: layout and events. The science is in logic.py, the words in strings.py, the pictures in
figures.py."""
from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from dataclasses import dataclass

import gradio as gr
import numpy as np
import torch

from core import export, models
from core.classifier import unfamiliar_note
from core.data.digits import HANDWRITTEN, TEST, TYPESET, load_split, normalize_digit, to_tensor
from core.device import get_device, heavy_threads
from core.i18n import UserInputError, shown, space, t
from core.images import example_photos
from core.memo import Memo
from core.questions import Question, questions_panel
from core.ui import (
    LIGHT,
    MODEL_LANE,
    Gallery,
    Image,
    Radio,
    Slider,
    Stopwatch,
    check_drawn_digit,
    digit_pad,
    drawing_to_gray,
    gallery_position,
    grey_until_rerun,
    handler,
    model_loader,
    model_picker,
    notify,
    on_gallery_click,
    select_brush_js,
    slider_value,
    starting_js,
)
from core.uploads import decode_image, image_size
from demos.cyclegan import figures, logic, strings  # noqa: F401  strings registers the words
from demos.cyclegan.model import CLASSIFIER, DIGITS, TRANSLATORS, DigitTranslator, style_judge

TOPIC = "cyclegan"
EXAMPLE_PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle.png")
EXAMPLE_DIGITS = ((HANDWRITTEN, 3), (HANDWRITTEN, 7), (TYPESET, 5), (TYPESET, 2))  # (style, digit): first test one
DIRECTIONS = ("a_to_b", "b_to_a")
MIN_SIDE = 16  # a photo smaller than this on a side is a thumbnail of nothing
DIGIT_ZOOM = 8  # a 28x28 digit is shown 224x224, without smoothing
STRIP_SETS = 20  # the strip shows the n-th test digit of each class, n = 0 … 19
CPU_SIDE, GPU_SIDE = 256, 512  # the longest side a photo is translated at

PHOTO_COLOUR = 12  # mean channel spread (0-255) above which an upload counts as a colour photo
#: Predict, then check (core.questions): the words are in strings.py, QUESTIONS. The strip always uses the digits
#: pair, whatever picture and model the top of the tab has.
QUESTIONS = (Question("cycle", {"strip_direction": "b_to_a"}, run=("strip",)),
             Question("ghost", {"strip_direction": "a_to_b", "number": 1}, run=("strip",)),
             Question("identity", press="cyclegan-identity-button"))
#: The test strip's round trips and pictures: 2 directions x 20 sets, a few KB each, the same for everyone
STRIPS = Memo(maxsize=2 * STRIP_SETS)
STRIP_PICTURES = export.Drawn(maxsize=2 * STRIP_SETS)
TRANSLATED = Memo(maxsize=64, max_mb=16)  # G(x) and F(G(x)), keyed on the model, the direction and the picture
#: Translations have their own lane: a digit (a few milliseconds) must not wait behind a photo (a second or more),
#: so the photo passes, not the events, take turns: one at a time, with the heavy lane's share of the cores.
TRANSLATE_LANE = {"concurrency_id": "cyclegan", "concurrency_limit": 4}
PHOTO_PASSES = threading.Lock()
DEFAULT_DIRECTION = "a_to_b"
#: The style judge's (calibrated) probability under which the page says it cannot tell, instead of a verdict.
STYLE_SURE = 0.8


@dataclass(frozen=True)
class Subject:
    """The picture as the generators see it, and the two generators of the chosen direction."""

    x: np.ndarray  # uint8: (28, 28) for the digits pair, (H, W, 3) at the working size for photos
    forward: torch.nn.Module  # the direction's generator: G for A→B, F for B→A
    backward: torch.nn.Module | None  # the way back (None: a one-way generator)
    digits: bool
    model_key: str
    direction: str  # "a_to_b" or "b_to_a"
    key: str  # the model, the direction and a hash of x: memo keys
    original: tuple[int, int] | None = None  # a photo's size as uploaded (width, height)
    given: np.ndarray | None = None  # digits: the 28x28 digit as given, when x is its 8x8 scan (else x itself)
    judged: tuple[int, float] | None = None  # digits: the style judge on the digit as given (style, probability)

    @property
    def names(self) -> tuple[str, str]:
        """What the page calls the forward generator and the way back: G and F, or F and G."""
        return names(self.direction)

    def shown(self, image: np.ndarray) -> np.ndarray:
        return figures.enlarge(image, DIGIT_ZOOM) if self.digits else image


# ------------------------------------------------------------------ models and inputs

def classifier() -> torch.nn.Module:
    return CLASSIFIER.get().model


def working_side() -> int:
    """The longest side a photo is translated at: 512 on a GPU, 256 on a CPU (a 256² pass of the ResNet-9
    generator takes 1.4 s on one core of this project's 2-core machine, 0.9 s on two; 512² 4.6 times as long:
    bench/cyclegan-results.md)."""
    return CPU_SIDE if get_device().type == "cpu" else GPU_SIDE


def _model_key(value) -> str:
    if value in (None, ""):
        return TRANSLATORS.best().key
    if value not in {choice.key for choice in TRANSLATORS.choices}:
        raise UserInputError("model.unknown", choice=shown(value, 40, quote=False))
    return value


def _direction(value) -> str:
    if value in (None, ""):
        return DEFAULT_DIRECTION
    if value not in DIRECTIONS:
        raise UserInputError("cyclegan.direction_invalid", value=shown(value))
    return value


def names(direction: str) -> tuple[str, str]:
    return ("G", "F") if direction == "a_to_b" else ("F", "G")


def generators(pair, direction: str) -> tuple[torch.nn.Module, torch.nn.Module | None]:
    """The direction's generator and the way back."""
    return (pair.g, pair.f) if direction == "a_to_b" else (pair.f, pair.g)


def is_digits(pair) -> bool:
    return isinstance(pair.g, DigitTranslator)


def domain_names(model_key: str, digits: bool, lang: str) -> tuple[str, str]:
    """What A and B are: the digits pair's and vintagify's in words; a named checkpoint's from its file name
    ("horse2zebra" → horse, zebra)."""
    if digits:
        return t("cyclegan.domain_handwritten", lang), t("cyclegan.domain_typeset", lang)
    if model_key == "vintagify":
        return t("cyclegan.domain_modern", lang), t("cyclegan.domain_vintage", lang)
    first = model_key.split("+")[0]
    a, two, b = first.partition("2")
    return (a, b) if two and a and b else ("A", "B")


def _picture(picture, drawing, use_drawing: bool, digits: bool) -> tuple[np.ndarray, tuple[int, int] | None]:
    """The input as the generators take it: a centred 28x28 digit, or a photo at the working size."""
    if use_drawing:
        gray = drawing_to_gray(drawing)
        if gray is None:
            raise UserInputError("cyclegan.canvas_empty")
        if digits:
            return normalize_digit(check_drawn_digit(gray)), None
        return logic.to_working_size(np.repeat(gray[..., None], 3, axis=2), working_side()), None
    rgb = decode_image(picture, max_side=2 * working_side())  # twice the working size: a clean Lanczos step
    height, width = rgb.shape[:2]
    if digits:
        try:
            return normalize_digit(rgb), None
        except UserInputError:
            raise UserInputError("cyclegan.no_digit") from None
    if min(height, width) < MIN_SIDE:
        raise UserInputError("cyclegan.image_too_small", width=width, height=height, minimum=MIN_SIDE)
    return logic.to_working_size(rgb, working_side()), image_size(picture)


def _subject(picture, drawing, use_drawing, model, direction, lang: str) -> Subject:
    key = _model_key(model)
    direction = _direction(direction)
    pair = TRANSLATORS.get(key).model
    digits = is_digits(pair)
    if direction == "b_to_a" and pair.f is None:
        raise UserInputError("cyclegan.no_way_back", model=key)
    x, original = _picture(picture, drawing, bool(use_drawing), digits)
    given = judged = None
    if digits:
        judged = _style(x)
        scan, scanned = logic.into_domain(style_judge(), x, direction)
        if scanned:  # G knows handwriting only as 8x8 scans scaled up: a sharp digit is scanned so first
            given, x = x, scan
    digest = hashlib.sha256(x.tobytes() + str(x.shape).encode()).hexdigest()[:16]
    return Subject(x, *generators(pair, direction), digits, key, direction, f"{key}:{direction}:{digest}", original,
                   given, judged)


@contextlib.contextmanager
def passes(digits: bool):
    """Around generator passes: a digit's run at once, on the request's one thread (a few milliseconds); a
    photo's wait for the photo before it, then get the heavy share of the cores."""
    if digits:
        yield
        return
    with PHOTO_PASSES, heavy_threads():
        yield


def _translated(subject: Subject) -> tuple[tuple[np.ndarray, np.ndarray | None], bool]:
    """G(x), and F(G(x)) when there is a way back (memoised: the identity test reuses G(x))."""
    def compute():
        with passes(subject.digits):
            translated = logic.apply(subject.forward, subject.x)
            back = logic.apply(subject.backward, translated) if subject.backward is not None else None
        return translated, back
    return TRANSLATED.get(subject.key, compute)


def _reading(images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The digit classifier's reading (digit, probability) of each 28x28 picture."""
    model = classifier()
    with torch.inference_mode():
        probs = model(to_tensor(np.stack(images))).softmax(1)
    return probs.argmax(1).numpy(), probs.max(1).values.numpy()


def _style(image: np.ndarray) -> tuple[int, float]:
    """The style judge's verdict on one 28x28 digit (HANDWRITTEN or TYPESET) and its calibrated probability."""
    probs = logic.style_probabilities(style_judge(), image[None])[0]
    return int(probs.argmax()), float(probs.max())


def style_name(style: int, lang: str) -> str:
    return t("cyclegan.domain_typeset" if style == TYPESET else "cyclegan.domain_handwritten", lang)


def domain_line(subject: Subject, lang: str) -> str:
    """Which domain the generator takes the digit to be in: the style judge's verdict on it, and what was done
    about it (a digit that looks typeset, sent A → B, is scanned to 8x8 first)."""
    style, p = subject.judged
    g = subject.names[0]
    name = style_name(style, lang)
    if p < STYLE_SURE:
        opening = t("cyclegan.judge_unsure_input", lang, style=name, p=p)
    else:
        opening = t("cyclegan.judge_input", lang, style=name, p=p)
    if subject.given is not None:  # a drawing that looks typeset, scanned
        scan_style, scan_p = _style(subject.x)
        after = "cyclegan.scan_in_domain" if scan_style == HANDWRITTEN else "cyclegan.scan_outside"
        return space(lang).join([opening, t("cyclegan.judge_sharp", lang), t("cyclegan.scanned", lang, g=g),
                                 t(after, lang, g=g, style=style_name(scan_style, lang), p=scan_p)])
    expected = HANDWRITTEN if subject.direction == "a_to_b" else TYPESET
    if style == expected:
        return opening + space(lang) + t("cyclegan.in_domain", lang, g=g, domain=name)
    return opening + space(lang) + t("cyclegan.outside_domain", lang, g=g, domain=style_name(expected, lang))


# ------------------------------------------------------------------ translate

def size_line(subject: Subject, lang: str) -> str:
    height, width = subject.x.shape[:2]
    if subject.digits:
        return t("cyclegan.size_digit", lang) + space(lang) + t("cyclegan.photo_hint", lang)
    device = t("cyclegan.device_gpu" if get_device().type != "cpu" else "cyclegan.device_cpu", lang)
    if subject.original is None:
        return t("cyclegan.size_drawing", lang, width=width, height=height, device=device, side=working_side())
    return t("cyclegan.size_photo", lang, width=width, height=height, ow=subject.original[0],
             oh=subject.original[1], device=device, side=working_side())


def digit_lines(subject: Subject, translated: np.ndarray, back: np.ndarray, lang: str) -> list[str]:
    scanned = subject.given is not None
    read, confidence = _reading([subject.x, translated, back] + ([subject.given] if scanned else []))
    given = int(read[3]) if scanned else None
    style, style_p = _style(translated)
    target = TYPESET if subject.direction == "a_to_b" else HANDWRITTEN
    g, f = subject.names
    lines = [t("cyclegan.reads", lang, g=g, f=f, x=read[0], gx=read[1], fgx=read[2], px=confidence[0],
               pgx=confidence[1], pfgx=confidence[2])]
    note = unfamiliar_note(classifier(), subject.given if scanned else subject.x, lang)  # a scribble, a photo
    lines[0] = space(lang).join(filter(None, [lines[0], note]))
    if logic.is_ghost(read, confidence, given):
        lines.append(t("cyclegan.ghost", lang, g=g, f=f, x=read[0], gx=read[1], sure=logic.SURE))
    elif read[1] != read[0] and read[2] == read[0]:  # a ghost's readings, but not a sure one: say why
        if confidence[0] >= logic.SURE:  # then only the scan can have read otherwise than the drawing
            lines.append(t("cyclegan.ghost_scan", lang, g=g, f=f, x=read[0], gx=read[1], given=given))
        else:
            lines.append(t("cyclegan.ghost_unsure", lang, g=g, f=f, x=read[0], gx=read[1], px=confidence[0],
                           pgx=confidence[1], sure=logic.SURE))
    if style_p < STYLE_SURE:
        lines.append(t("cyclegan.style_unsure", lang, g=g, style=style_name(style, lang), p=style_p))
    elif style == target and _style(subject.x)[0] == target:
        lines.append(t("cyclegan.style_same", lang, g=g, style=style_name(style, lang), p=style_p))
    else:
        lines.append(t("cyclegan.style_ok" if style == target else "cyclegan.style_missed", lang, g=g,
                       style=style_name(style, lang), p=style_p))
    return lines


def _translate(picture, drawing, use_drawing, model, direction, lang: str):
    watch = Stopwatch()
    subject = _subject(picture, drawing, use_drawing, model, direction, lang)
    (translated, back), cached = _translated(subject)
    a, b = domain_names(subject.model_key, subject.digits, lang)
    source, target = (a, b) if subject.direction == "a_to_b" else (b, a)
    g, f = subject.names
    if subject.digits:
        panels = [] if subject.given is None else [(subject.shown(subject.given),
                                                    t("cyclegan.panel_given", lang, style=style_name(
                                                        subject.judged[0], lang)))]
        panels.append((subject.shown(subject.x), t("cyclegan.panel_scan" if subject.given is not None
                                                   else "cyclegan.panel_x_judged", lang,
                                                   style=style_name(_style(subject.x)[0], lang))))
        lines = [domain_line(subject, lang)]
    else:
        panels = [(subject.shown(subject.x), t("cyclegan.panel_x", lang, domain=source))]
        lines = []
    panels.append((subject.shown(translated), t("cyclegan.panel_gx", lang, g=g, domain=target)))
    factor = DIGIT_ZOOM if subject.digits else 1
    if back is None:
        change = logic.cycle_error(subject.x, translated)
        panels.append((figures.change_map(change, figures.change_scale(change), factor),
                       t("cyclegan.panel_change", lang, g=g, mean=float(change.mean()))))
        lines.append(t("cyclegan.one_way", lang, model=subject.model_key))
    else:
        cycle = logic.Cycle(translated, back, logic.cycle_error(subject.x, back))
        panels += [(subject.shown(back), t("cyclegan.panel_fgx", lang, g=g, f=f, domain=source)),
                   (figures.change_map(cycle.error, figures.change_scale(cycle.error), factor),
                    t("cyclegan.panel_error", lang, g=g, f=f, mean=cycle.mean_error))]
        lines.append(t("cyclegan.cycle_line", lang, g=g, f=f, mean=cycle.mean_error))
        if subject.digits:
            card = DIGITS.card()["metrics"][subject.direction]
            lines[-1] += space(lang) + t("cyclegan.cycle_reference", lang, mean=card["cycle_l1"])
            lines += digit_lines(subject, translated, back, lang)
    lines.append(t("cyclegan.domains", lang, a=a, b=b))
    lines.append(size_line(subject, lang))
    return named(panels, subject), "\n\n".join(lines), watch.label(lang, cached)


def named(panels: list[tuple[np.ndarray, str]], subject: Subject, *parts) -> list[tuple[str, str]]:
    """The panels as PNG files whose downloads are named after the tab, the model, the direction, the picture
    (a short fingerprint) and the panel's caption, e.g.
    ``cyclegan-digits-cyclegan-a_to_b-3fa2c1-G_x_toward_typeset.png``."""
    picture = subject.key.rsplit(":", 1)[-1][:6]
    return [(export.png(image, export.file_name(TOPIC, subject.model_key, subject.direction, picture, *parts,
                                                caption)), caption) for image, caption in panels]


@handler
def translate(picture, drawing=None, use_drawing=False, model=None, direction=DEFAULT_DIRECTION, lang="en"):
    """Translate the picture (or the drawing, when ``use_drawing``) with the model ``model`` (empty: the default)
    in ``direction`` ("a_to_b": G, "b_to_a": F). Returns a gallery of (picture, caption): x, G(x), F(G(x)) and
    the |x − F(G(x))| map with its mean (a one-way model: x, G(x) and |G(x) − x|), the numbers (Markdown: cycle
    error, for digits the classifier's and the style judge's readings; the working size) and the timing."""
    return _translate(picture, drawing, use_drawing, model, direction, lang)


# ------------------------------------------------------------------ identity

def _identity(picture, drawing, use_drawing, model, direction, lang: str):
    watch = Stopwatch()
    subject = _subject(picture, drawing, use_drawing, model, direction, lang)
    (translated, _), cached = _translated(subject)

    def compute():
        with passes(subject.digits):
            return logic.apply(subject.forward, translated)
    again, cached_again = TRANSLATED.get(subject.key + ":identity", compute)
    first = logic.cycle_error(subject.x, translated)
    second = logic.cycle_error(translated, again)
    scale = figures.change_scale(first, second)
    factor = DIGIT_ZOOM if subject.digits else 1
    g = subject.names[0]
    panels = [(subject.shown(subject.x), t("cyclegan.panel_x_short", lang)),
              (subject.shown(translated), t("cyclegan.panel_gx_short", lang, g=g)),
              (figures.change_map(first, scale, factor), t("cyclegan.panel_first_change", lang, g=g,
                                                           mean=float(first.mean()))),
              (subject.shown(again), t("cyclegan.panel_ggx", lang, g=g)),
              (figures.change_map(second, scale, factor), t("cyclegan.panel_second_change", lang, g=g,
                                                            mean=float(second.mean())))]
    ratio = float(first.mean()) / max(float(second.mean()), 1e-6)
    verdict = "cyclegan.identity_calm" if ratio >= strings.CALM_RATIO else "cyclegan.identity_filter"
    lines = [t("cyclegan.identity_line", lang, g=g, first=float(first.mean()), second=float(second.mean()))
             + space(lang) + t(verdict, lang, g=g, share=1 / ratio)]
    if subject.digits:
        lines.append(t("cyclegan.identity_reference", lang, g=g,
                       mean=DIGITS.card()["metrics"][subject.direction]["identity_l1"]))
    return named(panels, subject, "identity"), "\n\n".join(lines), watch.label(lang, cached and cached_again)


@handler
def identity(picture, drawing=None, use_drawing=False, model=None, direction=DEFAULT_DIRECTION, lang="en"):
    """The identity test: G(x) is already in domain B, so G should leave it almost as it is. Returns a gallery:
    x, G(x), |G(x) − x|, G(G(x)), |G(G(x)) − G(x)| (both maps on one colour scale), a note with both mean
    changes, and the timing. ``direction`` "b_to_a" tests F the same way."""
    return _identity(picture, drawing, use_drawing, model, direction, lang)


# ------------------------------------------------------------------ the digits pair's test strip

def strip_digits(style: int, number: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``number``-th test digit of each class 0-9 in ``style``."""
    split = load_split(TEST, style)
    picks = [np.flatnonzero(split.labels == digit) for digit in range(10)]
    index = [found[number % len(found)] for found in picks]
    return split.images[index], split.labels[index]


def _strip(direction, number, lang: str, live: bool):
    watch = Stopwatch()
    direction = _direction(direction)
    number = slider_value(number, t("cyclegan.name_set", lang), 0, STRIP_SETS - 1, integer=True, live=live)
    pair = TRANSLATORS.get(DIGITS.key).model
    source = HANDWRITTEN if direction == "a_to_b" else TYPESET
    images, labels = strip_digits(source, number)
    key = (id(pair), direction, number)
    trip, cached = STRIPS.get(key, lambda: logic.round_trip(*generators(pair, direction), classifier(), style_judge(),
                                                            images))

    def draw():
        picture = figures.strip([trip.x, trip.translated, trip.reconstructed],
                                [trip.read_x, trip.read_translated, trip.read_reconstructed], labels)
        return (export.png(picture, export.file_name(TOPIC, "strip", direction, set=number)),)
    picture, = STRIP_PICTURES.get(key, draw)
    lost, hidden = logic.hidden_digits(trip, labels)
    g, f = names(direction)
    lines = [t("cyclegan.strip_line", lang, g=g, f=f, kept=int((trip.read_translated == labels).sum()),
               back=int((trip.read_reconstructed == labels).sum()),
               styled=int((trip.style_translated == 1 - source).sum()), cycle=float(trip.cycle_l1.mean()))]
    if hidden:
        lines.append(t("cyclegan.strip_ghosts", lang, lost=lost, hidden=hidden))
    return picture, "\n\n".join(lines), watch.label(lang, cached), picture


@handler
def strip(direction=DEFAULT_DIRECTION, number=0, lang="en"):
    """The bundled digits pair on ten test digits (the ``number``-th, 0-19, of each class 0-9): rows x, G(x),
    F(G(x)) with the digit the classifier reads under each (green: the true label; red, framed: another), for
    ``direction`` "a_to_b" (handwritten → typeset → handwritten) or "b_to_a". Returns the picture, a note (digits
    kept, brought back, in the other style; ghosts) and the timing."""
    return _strip(direction, number, lang, live=False)


@handler
def strip_live(direction, number, lang="en"):
    """The page's own call while the slider moves (a number being typed counts as the slider's nearest end)."""
    return _strip(direction, number, lang, live=True)


@functools.lru_cache(maxsize=1)
def first_clean_set() -> int:
    """The strip the tab opens with: the first set of handwritten test digits the classifier reads all right, so
    that a red frame means the translation, not the classifier, went wrong (the slider shows the others)."""
    for number in range(STRIP_SETS):
        images, labels = strip_digits(HANDWRITTEN, number)
        read, _ = _reading(list(images))
        if (read == labels).all():
            return number
    return 0


# ------------------------------------------------------------------ examples, model changes

@functools.lru_cache(maxsize=1)
def examples() -> tuple[tuple[np.ndarray, str], ...]:
    """The example gallery: (picture, kind) with kind "photo", "handwritten" or "typeset"; digits shown enlarged,
    dark on white like a drawing."""
    photos = [(photo, "photo") for photo in example_photos(EXAMPLE_PHOTOS)]
    digits = []
    for style, digit in EXAMPLE_DIGITS:
        split = load_split(TEST, style)
        images, labels = split.images, split.labels
        picture = 255 - figures.enlarge(images[int(np.flatnonzero(labels == digit)[0])], DIGIT_ZOOM)
        digits.append((picture, "handwritten" if style == HANDWRITTEN else "typeset"))
    return tuple(photos + digits)


def model_for(kind: str, current: str) -> str:
    """The model an example calls for: the current one when it fits; else the digits pair for a digit, and for a
    photo the first photo model (a named checkpoint before vintagify)."""
    pair_is_digits = _model_key(current) == DIGITS.key
    if (kind != "photo") == pair_is_digits:
        return _model_key(current)
    if kind != "photo":
        return DIGITS.key
    photo = [c for c in TRANSLATORS.choices if c.key != DIGITS.key and c.available()]
    photo.sort(key=lambda c: c.kind != "local")
    return photo[0].key if photo else DIGITS.key


def fixed_direction(key: str, direction=DEFAULT_DIRECTION) -> str:
    """After a model change, the direction is also returned: A→B when the model has no F."""
    direction = _direction(direction)
    return "a_to_b" if TRANSLATORS.get(key).model.f is None else direction


def model_state(key: str, direction, lang: str) -> tuple[str, str, str]:
    """After a model change: the model, its line, and the direction (A→B when the model has no F)."""
    return key, models.choice_line(TRANSLATORS.choice(key), lang), fixed_direction(key, direction)


@handler
def first_example():
    """The picture the tab opens with: the first example of the default model's kind."""
    kind = "handwritten" if _model_key(None) == DIGITS.key else "photo"
    return next(picture for picture, k in examples() if k == kind)


@handler
def pick(position, model=None, direction=DEFAULT_DIRECTION, lang="en"):
    """Example ``position`` (photos first, then test digits: handwritten 3, 7, typeset 5, 2) -> the picture,
    "translate my drawing" unticked, the model that suits it (a digit: the digits pair; a photo: a photo model),
    the model line and the direction: from the digit's own style (handwritten: A → B, typeset: B → A); A → B for
    a model without F."""
    position = gallery_position(position, len(examples()))
    picture, kind = examples()[position]
    direction = {"handwritten": "a_to_b", "typeset": "b_to_a"}.get(kind, direction)
    return picture, False, *model_state(model_for(kind, model), direction, lang)


@handler
def cleared():
    """The picture was removed: no translation (until the next picture)."""
    return [], "", ""


@handler
def drawn(direction=DEFAULT_DIRECTION, lang="en"):
    """A stroke on the sketchpad: translate the drawing, with the digits pair (a drawing is a digit)."""
    return True, *model_state(DIGITS.key, direction, lang)


def looks_like_photo(rgb: np.ndarray) -> bool:
    """Colourful: the channels differ by more than a grey scan of a digit's paper and ink ever do."""
    rgb = rgb.astype(np.int16)
    return float((rgb.max(axis=2) - rgb.min(axis=2)).mean()) > PHOTO_COLOUR


@handler
def uploaded(picture, model=None, direction=DEFAULT_DIRECTION, lang="en"):
    """The page's own step after an upload: the last translation is cleared (it no longer matches the picture,
    and a failed upload must not leave it on screen); a colour photo big enough for a photo model, while the
    digits pair is chosen, switches to a photo model (the pair would read it as one digit), with a note; anything
    else keeps the model. Returns (use drawing, model, model line, direction, panels, numbers, timing)."""
    key = _model_key(model)
    try:
        photo = (key == DIGITS.key and min(image_size(picture)) >= MIN_SIDE
                 and looks_like_photo(decode_image(picture, max_side=64)))
    except UserInputError:  # the translation that follows says what is wrong with the file
        photo = False
    new = model_for("photo", key) if photo else key
    if new != key:
        notify(t("cyclegan.switched_to_photo", lang, model=new), lang)
    return False, *model_state(new, direction, lang), [], "", ""


@handler
def turned(picture, drawing=None, use_drawing=False, model=None, direction=DEFAULT_DIRECTION, lang="en"):
    """The page's own call when the direction changes: a model without F stays on A → B, with a note."""
    key = _model_key(model)
    if _direction(direction) == "b_to_a" and TRANSLATORS.get(key).model.f is None:
        notify(t("cyclegan.turned_back", lang, model=key), lang)
        direction = "a_to_b"
    return *_translate(picture, drawing, use_drawing, key, direction, lang), direction


# ------------------------------------------------------------------ layout

def build_tab(i18n: gr.I18n, demo: gr.Blocks) -> None:
    """The tab, section by section: translate a picture or a drawing, the identity test, the ghost strip, the notes
    and the questions."""
    with gr.Tab(i18n("cyclegan.tab"), id=TOPIC, elem_id="tab-cyclegan"):
        gr.Markdown(i18n("cyclegan.intro"), elem_classes=["tab-intro"])
        subject_inputs, panels, changed = _translate_section(i18n, demo)
        identity_panels = _identity_section(i18n, subject_inputs, changed)
        strip_controls, strip_args = _strip_section(i18n, demo)
        export.downloadable(panels, identity_panels)
        with gr.Accordion(i18n("app.notes"), open=False, elem_classes=["lecture-notes"]):
            gr.Markdown(i18n("cyclegan.notes"), latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                                                  {"left": "$", "right": "$", "display": False}])
        questions_panel(i18n, TOPIC, QUESTIONS, controls=strip_controls, actions={"strip": strip_args})


def _translate_section(i18n: gr.I18n, demo: gr.Blocks):
    """The model, the picture (an example, an upload or a drawing), the direction, and the panels x, G(x), F(G(x))
    and the cycle error with their numbers. Returns the inputs a translation reads and the panels."""
    thumbnails = [picture for picture, _ in examples()]
    model, model_status = model_picker(TRANSLATORS, i18n, elem_id="cyclegan-model")
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=300):
            # the pad first: opened, it sits beside the panels it fills (below the picture it never did)
            with gr.Accordion(i18n("cyclegan.sketch"), open=False):
                sketch, use_drawing = digit_pad(i18n, TOPIC)
            picture = Image(type="filepath", sources=["upload", "clipboard"], height=280,
                            label=i18n("cyclegan.picture"), elem_id="cyclegan-picture")
            gr.Markdown(i18n("cyclegan.examples"), elem_classes=["plot-caption"])
            gallery = gr.Gallery(thumbnails, show_label=False, columns=9, rows=1, height="auto",
                                 allow_preview=False, interactive=False, object_fit="cover", buttons=[],
                                 elem_id="cyclegan-gallery", elem_classes=["thumb-gallery"])
            direction = Radio([(i18n("cyclegan.direction_a_to_b"), "a_to_b"),
                               (i18n("cyclegan.direction_b_to_a"), "b_to_a")], value=DEFAULT_DIRECTION,
                              label=i18n("cyclegan.direction"), elem_id="cyclegan-direction")
            translate_button = gr.Button(i18n("cyclegan.translate"), variant="primary",
                                         elem_id="cyclegan-translate")
        with gr.Column(scale=7, min_width=300, elem_classes=["results-first"]):
            gr.Markdown(i18n("cyclegan.panels"), elem_classes=["plot-caption"])
            panels = Gallery(show_label=False, columns=4, object_fit="contain", allow_preview=True, format="png",
                             buttons=["fullscreen"], elem_id="cyclegan-panels",
                             elem_classes=["panel-gallery"])
            numbers = gr.Markdown(elem_id="cyclegan-numbers")
            timing = gr.Markdown(elem_id="cyclegan-timing")

    subject_inputs = [picture, sketch, use_drawing, model, direction]
    translate_args = dict(fn=translate, inputs=subject_inputs, outputs=[panels, numbers, timing],
                          trigger_mode="always_last", show_progress_on=[numbers], **TRANSLATE_LANE)
    demo.load(first_example, None, picture, api_name="cyclegan_start", api_visibility="private",
              show_progress="hidden", **LIGHT).then(
        api_name="cyclegan_translate_start", api_visibility="private", **translate_args)
    translate_button.click(api_name="cyclegan_translate", **translate_args)
    picture.upload(uploaded, [picture, model, direction],
                   [use_drawing, model, model_status, direction, panels, numbers, timing],
                   api_name="cyclegan_uploaded", api_visibility="private", show_progress="hidden", **LIGHT).then(
        api_name="cyclegan_translate_upload", api_visibility="private", **translate_args)
    use_drawing.input(api_name="cyclegan_translate_input", api_visibility="private", **translate_args)
    direction.input(turned, subject_inputs, [panels, numbers, timing, direction], api_name="cyclegan_turned",
                    api_visibility="private", trigger_mode="always_last", show_progress_on=[numbers],
                    **TRANSLATE_LANE)
    picture.clear(cleared, None, [panels, numbers, timing], api_name="cyclegan_cleared",
                  api_visibility="private", show_progress="hidden", **LIGHT)
    sketch.input(drawn, direction, [use_drawing, model, model_status, direction], api_name="cyclegan_drawn",
                 api_visibility="private",
                 show_progress="hidden", trigger_mode="always_last", **LIGHT).then(
        api_name="cyclegan_translate_drawing", api_visibility="private", **translate_args)
    demo.load(None, js=select_brush_js("cyclegan-sketch"))
    sketch.clear(None, js=select_brush_js("cyclegan-sketch"))
    picked_outputs = [picture, use_drawing, model, model_status, direction]
    on_gallery_click(gallery, pick, outputs=picked_outputs, api_name="cyclegan_pick", show_progress="hidden",
                     inputs=[model, direction], elsewhere=[picture.upload, picture.clear, sketch.input,
                                                           use_drawing.input], **LIGHT).then(
        api_name="cyclegan_translate_picked", api_visibility="private", **translate_args)
    model.select(model_loader(TRANSLATORS, then=fixed_direction), [model, direction], [model, model_status, direction],
                 api_name="cyclegan_model", show_progress="hidden", **MODEL_LANE).success(
        api_name="cyclegan_translate_model", api_visibility="private", **translate_args)

    # What makes a result below (the identity test) stale: another picture, drawing, direction or model
    changed = [picture.upload, picture.clear, gallery.select, sketch.input, sketch.clear, use_drawing.input,
               direction.input, model.select]
    return subject_inputs, panels, changed


def _identity_section(i18n: gr.I18n, subject_inputs, changed):
    """The identity test: G applied to its own output. Returns its panels."""
    gr.Markdown(i18n("cyclegan.identity_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("cyclegan.identity_intro"))
    identity_button = gr.Button(i18n("cyclegan.identity_button"), elem_id="cyclegan-identity-button")
    identity_panels = Gallery(show_label=False, columns=5, object_fit="contain", format="png",
                              buttons=["fullscreen"], elem_id="cyclegan-identity",
                              elem_classes=["panel-gallery"])
    identity_note = gr.Markdown(elem_id="cyclegan-identity-note")
    identity_timing = gr.Markdown(elem_id="cyclegan-identity-timing")
    shown = ["cyclegan-identity", "cyclegan-identity-note", "cyclegan-identity-timing"]
    run = identity_button.click(identity, subject_inputs, [identity_panels, identity_note, identity_timing],
                                api_name="cyclegan_identity", show_progress_on=[identity_note], js=starting_js(shown),
                                **TRANSLATE_LANE)
    grey_until_rerun(run, changed, shown, "cyclegan-identity-note")

    return identity_panels


def _strip_section(i18n: gr.I18n, demo: gr.Blocks):
    """The ghost strip: sets of test digits through the cycle. Returns its controls (for the questions) and event."""
    gr.Markdown(i18n("cyclegan.strip_header"), elem_classes=["section-title"])
    gr.Markdown(i18n("cyclegan.strip_intro"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=260):
            strip_direction = Radio([(i18n("cyclegan.strip_a_to_b"), "a_to_b"),
                                     (i18n("cyclegan.strip_b_to_a"), "b_to_a")], value=DEFAULT_DIRECTION,
                                    label=i18n("cyclegan.direction"), elem_id="cyclegan-strip-direction")
            number = Slider(0, STRIP_SETS - 1, value=first_clean_set(), step=1, precision=0, buttons=[],
                            label=i18n("cyclegan.set"), elem_id="cyclegan-set")
            strip_note = gr.Markdown(elem_id="cyclegan-strip-note")
            strip_timing = gr.Markdown(elem_id="cyclegan-strip-timing")
            strip_png = export.download_button(i18n, elem_id="cyclegan-strip-png", kind="png")
        with gr.Column(scale=5, min_width=300):
            gr.Markdown(i18n("cyclegan.strip_rows"), elem_classes=["plot-caption"])
            strip_picture = Image(show_label=False, interactive=False, buttons=[], elem_id="cyclegan-strip",
                                  elem_classes=["no-buttons"])
    strip_args = dict(fn=strip, inputs=[strip_direction, number], outputs=[strip_picture, strip_note,
                                                                            strip_timing, strip_png],
                      show_progress="hidden", trigger_mode="always_last", **LIGHT)
    demo.load(api_name="cyclegan_strip", **strip_args)
    gr.on([strip_direction.input, number.input], api_name="cyclegan_strip_input", api_visibility="private",
          **{**strip_args, "fn": strip_live})

    return {"strip_direction": strip_direction, "number": number}, strip_args


def warm_up() -> None:
    """After launch: the default model, the classifier, the style judge, the examples, and every photo model ready
    without a download (a first photo then waits for its translation only)."""
    TRANSLATORS.get(), classifier(), style_judge(), examples()
    # The digits pair's batch shapes (a strip of ten, one digit with its readings), compiled before a class needs
    # them: a kernel compiled for a shape is kept for good (core.device.few_shapes)
    import tempfile

    from PIL import Image

    stroke = np.zeros((28, 28), np.uint8)  # a sharp stroke, as drawn on the canvas: scanned first (logic.as_scan,
    stroke[6:22, 13:15] = 255  # which imports scipy.ndimage: +13 MB) and translated in shapes of its own
    digits = [pick(position) for position, (_, kind) in enumerate(examples()) if kind != "photo"]
    for picture, _, model, _, direction in [*digits, (stroke, None, None, None, "a_to_b")]:
        with tempfile.NamedTemporaryFile(suffix=".png") as handle:
            Image.fromarray(picture).save(handle.name)
            translate(handle.name, None, False, model, direction)
    for _, _, _, _, direction in digits:
        _strip(direction, first_clean_set(), "en", live=False)
    for choice in TRANSLATORS.choices:
        if choice.available() and not choice.needs_download():
            TRANSLATORS.get(choice.key)
