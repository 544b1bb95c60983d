"""The class scenario of `python -m bench.load --class`: a lecture hall on all six tabs.

    python -m bench.load --class                          # 50 students for 120 s; writes bench/load-class.md + .json
    python -m bench.load --class --users 8 --seconds 40   # a short smoke run
    python -m bench.load --class --seconds 600 --rounds 2  # two 10-minute rounds: RSS at rest after each

Each student has its own Client (its own session) and thread. It clicks, reads the answer for a random 3-10 s,
and clicks again until --seconds have passed. 15% of its clicks are heavy actions (the issue 21 table: saliency
explain / sanity / deletion / samples, audio attack / transfer / noise / defend, distillation train, the GAN
playground and its presets), the rest light ones, every public endpoint of the six tabs (ACTIONS). Inputs vary
inside the controls' ranges from a per-student seeded RNG, and follow what the student did before, as on the page:
transfer, defend and noise come after the student's own finished attack with those settings; a model switch only
goes to a model that is ready offline, and the tab's later calls use the student's model; a streamed attack or
playground training is sometimes stopped with its Stop button after its first update.

The 50 students share one process (and its GIL) and, here, the app's cores; on a Space each is on a device of their
own. ``--client-processes N`` spreads them over N processes (student i in process i mod N, at the same nice value),
so that their wait is less the bench's own GIL. ``--probe`` adds one more student in a process of its own, at the
usual priority, who clicks only the light actions: what one student on their own device would wait (group "probe").

For every call: the time to the answer, the time until the job left the queue, and the time to its first output
(for a streamed action the first visible update; otherwise the answer). A call without an answer after --timeout
(120 s) counts as failed; an error is "explained" when the app answered with its own message (gr.Error), and
"unexplained" otherwise (Gradio's generic error, a lost connection ...).

``--server-clock`` times every call by the server's clock too (Gradio's profiling traces: from joining the queue
to the answer made, and where that time went), and matches each answered call to its job: what is left, the
students' side, is the bench's own (its processes' wait for the shared cores, delivery; with --stock-client,
gradio_client's 50-ms polling and a certificate bundle loaded per request).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import multiprocessing
import os
import random
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import Status

from bench.common import ROOT, git_state, machine, tree_usage
from bench.load import (
    Inputs,
    class_epochs,
    class_fraction,
    load_setting,
    make_client,
    own_cpu_seconds,
    percentile,
    seconds_text,
    short,
)

DEFAULT_OUT = ROOT / "bench" / "load-class.md"
HEAVY_SHARE = 0.15
THINK_SECONDS = (3.0, 10.0)
#: In a run's answer (any case): it was cut short because the class was busy (core.heavy.out_of_time; English strings).
CUT_MARK = "the class is busy"
#: ... or because it reached the time limit of a run, alone or not (core.heavy.RUN_SECONDS).
LIMIT_MARK = "the time limit of a run"
STOP_CHANCE = 0.2  # a streamed run is stopped by its student this often, 1-5 s after its first update
POLL_SECONDS = 0.1
REST_SECONDS = 10  # --rounds: the wait after a round's last answer before its RSS at rest is read
REST_EVERY_SECONDS = 5  # --rest-seconds beyond REST_SECONDS: RSS read this often until the rest ends
SWITCHABLE = {("saliency", "classifier"), ("audio_attack", "recogniser"), ("cyclegan", "translator"),
              ("fill_mask", "masked_lm")}  # the tabs with a model dropdown
GENERIC_ERRORS = ("", "None", "Error", "The upstream Gradio app has raised an exception")  # Gradio's own words
FILL_MASK_SHAPES = {"all-MiniLM-L6-v2-mlm": (6, 12), "bert-small-en": (4, 3), "bert-small-zh": (4, 3),
                    "bert-base-uncased": (12, 12), "bert-base-chinese": (12, 12), "distilbert-base-uncased": (6, 12)}


# ------------------------------------------------------------------ what the app offers on this machine

@dataclass
class Offer:
    """What the page offers here: the models ready without a download, per tab, and the example galleries."""

    models: dict[str, list[str]]  # tab -> ready model keys, the page's default first
    saliency_pictures: int
    cyclegan_pictures: int
    audio_clips: int
    fill_mask_examples: list[tuple[str, str, str, str]]  # (language, sentence, target words, attribute)
    context_examples: dict[str, tuple[str, str]]  # language -> (word, sentences)


def read_offer() -> Offer:
    """Read from the app's own modules (the same machine and cache as the app under test)."""
    import demos.audio_attack.ui as audio
    import demos.cyclegan.ui as cyclegan
    import demos.fill_mask.ui as fill_mask
    import demos.saliency.ui as saliency
    from core import models

    ready = {}
    for slot in models.SLOTS:
        if (slot.topic, slot.role) in SWITCHABLE:
            keys = [c.key for c in slot.choices if c.available() and not c.needs_download()]
            default = slot.best().key
            ready[slot.topic] = sorted(keys, key=lambda key: key != default)
    return Offer(ready, len(saliency.examples()), len(cyclegan.examples()), len(audio.examples()),
                 list(fill_mask.EXAMPLES), dict(fill_mask.CONTEXT_EXAMPLES))


# ------------------------------------------------------------------ one student

class Student(Inputs):
    """A simulated student: its RNG (Inputs), the model it has chosen on each tab, and its last finished attack."""

    def __init__(self, rng: random.Random, folder: Path, name: str, offer: Offer):
        super().__init__(rng, folder, name)
        self.offer = offer
        self.models = {tab: keys[0] for tab, keys in offer.models.items()}
        self.attack: tuple | None = None  # the arguments of its last finished attack

    def other_model(self, tab: str) -> str:
        """A ready model of the tab other than the current one (the current one when it is the only one)."""
        others = [key for key in self.offer.models[tab] if key != self.models[tab]]
        return self.rng.choice(others) if others else self.models[tab]

    def subject(self, tab: str) -> tuple:
        """(picture, drawing, use_drawing) as a picture tab sends them: a drawn digit for a digit model, an
        example photo otherwise."""
        if "digit" in self.models[tab]:
            return None, self.drawing(), True
        return self.photo(), None, False

    def sentence(self) -> tuple[str, str, str, str]:
        language = "zh" if self.models["fill_mask"].endswith("zh") else "en"
        return self.rng.choice([e for e in self.offer.fill_mask_examples if e[0] == language]
                               or self.offer.fill_mask_examples)

    def fill_mask_shape(self) -> tuple[int, int]:
        return FILL_MASK_SHAPES.get(self.models["fill_mask"], (4, 3))


@dataclass(frozen=True)
class Action:
    group: str  # the issue 21 table's row the action is reported in
    kind: str  # "heavy" or "light": the student's 15% / 85% pick
    weight: float  # share among the actions of its kind
    args: Callable[[Student], tuple]
    needs_attack: bool = False  # only after the student's own finished attack
    stop: str | None = None  # the Stop button of a streamed action
    after: Callable[[Student, tuple], None] | None = None  # what a successful call changes on the page


def remember_attack(student: Student, args: tuple) -> None:
    student.attack = args


def switched(tab: str, position: int = 0) -> Callable[[Student, tuple], None]:
    def after(student: Student, args: tuple) -> None:
        student.models[tab] = args[position]
    return after


def saliency_methods(s: Student) -> list[str]:
    methods = s.rng.sample(["saliency", "smoothgrad", "gradcam", "smoothgrad_sq", "vargrad"], s.int(1, 3))
    if s.chance(0.15):
        methods.append(s.pick({"integrated_gradients": 1, "occlusion": 1}))
    return methods


def saliency_settings(s: Student) -> tuple:
    """methods, sigma, samples, IG steps, baseline, occlusion window and stride."""
    return (saliency_methods(s), s.int(5, 30), s.pick({10: 1, 25: 2, 50: 1}), s.pick({16: 1, 32: 2, 64: 1}),
            s.pick({"black": 2, "blurred": 1, "noise": 1}), s.pick({14: 2, 28: 1}), s.pick({7: 2, 14: 1}))


def attack_args(s: Student) -> tuple:
    """clip, model, kind, budget (dB), steps, target, all steps: the steps a class tries, the page's 100 most often;
    "Run all steps" ticked now and then (the page's default stops once the goal is reached)."""
    return (s.clip(), s.models["audio_attack"], s.pick({"fgsm": 1, "pgd": 1, "targeted": 2}), s.int(-50, -20),
            s.pick({20: 1, 50: 1, 100: 2}), s.pick({"open the window": 2, "go right": 1, "turn off the light": 1}),
            s.chance(0.1))


def gan_settings(s: Student) -> tuple:
    """dataset, loss, learning rates of D and G, D steps, steps a click, seed."""
    rates = {"0.0003": 1, "0.001": 2, "0.003": 1}
    return (s.pick({"gaussians": 2, "ring": 1, "moons": 1, "line": 1}),
            s.pick({"gan": 2, "wgan_clip": 1, "wgan_gp": 1}), s.pick(rates), s.pick(rates), s.int(1, 5),
            s.pick({100: 1, 200: 2, 500: 1}), s.int(0, 9))


def fill_mask_targets(s: Student) -> tuple:
    _, sentence, words, attribute = s.sentence()
    return sentence, s.models["fill_mask"], words, s.int(1, max(1, sentence.count("[MASK]"))), attribute


def fill_mask_context(s: Student) -> tuple:
    language = "zh" if s.models["fill_mask"].endswith("zh") else "en"
    word, sentences = s.offer.context_examples.get(language) or next(iter(s.offer.context_examples.values()))
    return sentences, word, s.models["fill_mask"], s.int(1, s.fill_mask_shape()[0])


HEAVY_SALIENCY = "heavy: saliency explain / sanity / deletion / samples"
HEAVY_AUDIO = "heavy: audio attack / transfer / noise / defend"
SWITCH = "model switch in saliency / audio"
PLAYGROUND = "GAN playground / collapse / cure"
LIGHT_SLOW = "light: GAN interpolate, CycleGAN identity"
LIGHT = "light: the other light actions"
STOP = "stop buttons (during the student's own run)"
PROBE = "probe: one more student's light actions, from a process of its own (--probe)"

# Every public endpoint of the six tabs. Light weights: per minute a student moves a slider or picks an example
# several times and presses a tab's main button now and then; each tab's light weights add up to about 10.
ACTIONS: dict[str, Action] = {
    # distillation
    "/distillation_soften": Action(LIGHT, "light", 4, lambda s: (
        s.int(0, 1318), *((s.drawing(), True) if s.chance(0.25) else (None, False)), s.slider(0.5, 20, 0.1),
        s.chance(0.3))),
    "/distillation_draw": Action(LIGHT, "light", 2, lambda s: (
        s.int(0, 1318), s.drawing(), s.slider(0.5, 20, 0.1), s.chance(0.3))),
    "/distillation_pick": Action(LIGHT, "light", 2, lambda s: (s.int(0, 19),)),
    "/distillation_chart": Action(LIGHT, "light", 0.3, lambda s: (
        s.int(0, 1318), *((s.drawing(), True) if s.chance(0.25) else (None, False)))),
    "/distillation_preset": Action(LIGHT, "light", 1, lambda s: ()),
    "/distillation_figures": Action(LIGHT, "light", 1, lambda s: ()),
    "/distillation_train": Action("heavy: distillation train", "heavy", 2, lambda s: (
        s.slider(0.5, 20, 0.1), s.slider(0, 1, 0.05), class_epochs(s), class_fraction(s),
        s.pick({"none": 70, **{str(d): 3 for d in range(10)}}), s.pick({1: 35, 2: 25, 3: 25, 4: 10, 5: 5}))),
    # saliency
    "/saliency_predict": Action(LIGHT, "light", 4, lambda s: (*s.subject("saliency"), s.models["saliency"])),
    "/saliency_pick": Action(LIGHT, "light", 4, lambda s: (s.int(0, s.offer.saliency_pictures - 1),)),
    "/saliency_chart": Action(LIGHT, "light", 0.3, lambda s: (*s.subject("saliency"), s.models["saliency"])),
    "/saliency_model": Action(SWITCH, "light", 2, lambda s: (s.other_model("saliency"),), after=switched("saliency")),
    "/saliency_explain": Action(HEAVY_SALIENCY, "heavy", 3, lambda s: (
        *s.subject("saliency"), s.models["saliency"], None, *saliency_settings(s), s.slider(0, 1, 0.05))),
    "/saliency_samples": Action(HEAVY_SALIENCY, "heavy", 1, lambda s: (
        *s.subject("saliency"), s.models["saliency"], None, s.int(5, 30), s.slider(0, 1, 0.05))),
    "/saliency_sanity": Action(HEAVY_SALIENCY, "heavy", 1, lambda s: (
        *s.subject("saliency"), s.models["saliency"], None, *saliency_settings(s))),
    "/saliency_deletion": Action(HEAVY_SALIENCY, "heavy", 1, lambda s: (
        *s.subject("saliency"), s.models["saliency"], None, *saliency_settings(s),
        s.pick({"grey": 1, "blurred": 1}))),
    # adversarial audio
    "/audio_attack_transcribe": Action(LIGHT, "light", 4, lambda s: (s.clip(), s.models["audio_attack"])),
    "/audio_attack_pick": Action(LIGHT, "light", 4, lambda s: (str(s.int(0, s.offer.audio_clips - 1)),)),
    "/audio_attack_model": Action(SWITCH, "light", 2, lambda s: (s.other_model("audio_attack"),),
                                  after=switched("audio_attack")),
    "/audio_attack_run": Action(HEAVY_AUDIO, "heavy", 3, attack_args, stop="/audio_attack_stop",
                                after=remember_attack),
    "/audio_attack_transfer": Action(HEAVY_AUDIO, "heavy", 1, lambda s: s.attack, needs_attack=True),
    "/audio_attack_defend": Action(HEAVY_AUDIO, "heavy", 1, lambda s: s.attack, needs_attack=True),
    "/audio_attack_noise": Action(HEAVY_AUDIO, "heavy", 1, lambda s: (s.attack[0], s.attack[1], s.attack[3]),
                                  needs_attack=True),
    # CycleGAN
    "/cyclegan_translate": Action(LIGHT, "light", 4, lambda s: (*s.subject("cyclegan"), s.models["cyclegan"],
                                                                  s.pick({"a_to_b": 2, "b_to_a": 1}))),
    "/cyclegan_identity": Action(LIGHT_SLOW, "light", 1, lambda s: (*s.subject("cyclegan"), s.models["cyclegan"],
                                                                     s.pick({"a_to_b": 1, "b_to_a": 1}))),
    "/cyclegan_pick": Action(LIGHT, "light", 2, lambda s: (s.int(0, s.offer.cyclegan_pictures - 1),
                                                           s.models["cyclegan"], "a_to_b")),
    "/cyclegan_model": Action(LIGHT, "light", 1, lambda s: (s.other_model("cyclegan"), "a_to_b"),
                              after=switched("cyclegan")),
    "/cyclegan_strip": Action(LIGHT, "light", 2, lambda s: (s.pick({"a_to_b": 1, "b_to_a": 1}), s.int(0, 19))),
    # BERT fill-mask
    "/fill_mask_predict": Action(LIGHT, "light", 3, lambda s: (s.sentence()[1], s.models["fill_mask"], s.int(3, 20),
                                                               s.chance(0.7))),
    "/fill_mask_pick": Action(LIGHT, "light", 2, lambda s: (s.int(0, len(s.offer.fill_mask_examples) - 1),
                                                            s.models["fill_mask"])),
    "/fill_mask_model": Action(LIGHT, "light", 1, lambda s: (s.other_model("fill_mask"),), after=switched("fill_mask")),
    "/fill_mask_targets": Action(LIGHT, "light", 1, fill_mask_targets),
    "/fill_mask_attention": Action(LIGHT, "light", 1, lambda s: (
        s.sentence()[1], s.models["fill_mask"], s.int(1, s.fill_mask_shape()[0]), s.int(1, s.fill_mask_shape()[1]))),
    "/fill_mask_compare": Action(LIGHT, "light", 1, lambda s: (
        s.sentence()[1], s.rng.sample(s.offer.models["fill_mask"], s.int(1, len(s.offer.models["fill_mask"]))))),
    "/fill_mask_context": Action(LIGHT, "light", 1, fill_mask_context),
    # GAN
    "/gan_sample": Action(LIGHT, "light", 3, lambda s: (
        s.int(0, 2**32 - 1), s.int(1, 64), s.pick({"random": 5, **{str(d): 1 for d in range(10)}}),
        s.slider(0, 2, 0.05))),
    "/gan_interpolate": Action(LIGHT_SLOW, "light", 1.5, lambda s: (
        s.int(0, 10_000), s.int(0, 10_000), s.int(2, 32), s.pick({"random": 2, "3": 1, "8": 1}),
        s.slider(0, 2, 0.05), s.pick({"lerp": 1, "slerp": 1}))),
    "/gan_chart": Action(LIGHT, "light", 0.3, lambda s: (
        s.int(0, 10_000), s.int(0, 10_000), s.int(2, 32), s.pick({"random": 2, "3": 1, "8": 1}),
        s.slider(0, 2, 0.05))),
    "/gan_vary": Action(LIGHT, "light", 2, lambda s: (
        s.int(0, 10_000), s.int(1, 64), "random", s.slider(0, 2, 0.05), s.int(0, 63), s.slider(-4, 4, 0.1))),
    "/gan_timeline": Action(LIGHT, "light", 1, lambda s: (s.int(0, 5),)),
    "/gan_randomise": Action(LIGHT, "light", 1, lambda s: ()),
    "/gan_reset": Action(LIGHT, "light", 1, gan_settings),
    "/gan_play": Action(PLAYGROUND, "heavy", 2, gan_settings, stop="/gan_stop"),
    "/gan_collapse": Action(PLAYGROUND, "heavy", 0.5, lambda s: ()),
    "/gan_cure": Action(PLAYGROUND, "heavy", 0.5, lambda s: ()),
}
STOPS = {action.stop for action in ACTIONS.values() if action.stop}  # called only while the student's run streams
GROUPS = list(dict.fromkeys([*(a.group for a in ACTIONS.values() if a.kind == "heavy"), SWITCH, LIGHT_SLOW, LIGHT,
                             STOP, PROBE]))


def choose(student: Student) -> str:
    kind = "heavy" if student.chance(HEAVY_SHARE) else "light"
    names = [name for name, action in ACTIONS.items()
             if action.kind == kind and (student.attack is not None or not action.needs_attack)]
    return student.rng.choices(names, [ACTIONS[name].weight for name in names])[0]


# ------------------------------------------------------------------ one call, watched

@dataclass
class Call:
    endpoint: str
    group: str
    user: int
    start: float  # seconds since the load began
    end: float = 0.0
    left_queue: float | None = None  # seconds after the start when the job began processing
    first_output: float | None = None  # seconds after the start of the first output (streamed: first update)
    first_sign: float | None = None  # seconds after the start of the first progress report or output
    outcome: str = "ok"  # ok, explained, unexplained, timeout
    message: str | None = None
    stopped: bool = False  # the student pressed Stop during it
    cut: bool = False  # a run ended with its result so far because the class was busy (core.heavy.out_of_time)
    limit: bool = False  # a run ended with its result so far at the time limit of a run (core.heavy.RUN_SECONDS)
    session: str = ""  # the student's Gradio session (--server-clock: its jobs on the server's clock)


def classify(exc: Exception, job_done: bool) -> tuple[str, str]:
    if isinstance(exc, TimeoutError) and not job_done:
        return "timeout", "no answer within the timeout (the student gave up)"
    if isinstance(exc, AppError):
        text = str(exc).strip()
        return ("unexplained" if text in GENERIC_ERRORS else "explained"), short(text)
    return "unexplained", short(f"{type(exc).__name__}: {exc}")


def watch(job, call: Call, t0: float, timeout: float, on_first_output: Callable[[], None]) -> None:
    """Poll the job until it is done: when it left the queue and when its first output came. Its end is not
    polled: the wait between two looks returns the moment the job is done (a page shows an answer when it comes;
    a sleep made every answer look up to POLL_SECONDS later: a 10-ms model switch took 0.2 s)."""
    deadline = t0 + call.start + timeout
    while not job.done():
        now = time.perf_counter()
        if now > deadline:
            raise TimeoutError
        status = job.status()
        if call.left_queue is None and status.code in (Status.PROCESSING, Status.PROGRESS, Status.ITERATING):
            call.left_queue = now - t0 - call.start
        shown = bool(job.outputs())
        if call.first_sign is None and (status.progress_data or shown):  # the page's progress bar, or more
            call.first_sign = now - t0 - call.start
        if call.first_output is None and shown:
            call.first_output = now - t0 - call.start
            on_first_output()
        concurrent.futures.wait([job], timeout=POLL_SECONDS)


def stop_plan(student: Student, client: Client, action: Action, user: int, t0: float, calls: list[Call]):
    """The Stop press of a streamed run, when this student will press it: a callable for its first update."""
    if action.stop is None or not student.chance(STOP_CHANCE):
        return lambda: None
    delay = student.rng.uniform(1, 5)

    def press() -> None:
        threading.Timer(delay, run_call, args=(client, action.stop, (), user, t0, 30, calls, STOP)).start()
    return press


def run_call(client: Client, name: str, args: tuple, user: int, t0: float, timeout: float, calls: list[Call],
             group: str, on_first_output: Callable[[], None] = lambda: None) -> Call:
    call = Call(name, group, user, time.perf_counter() - t0, session=getattr(client, "session_hash", ""))
    job = None
    try:
        job = client.submit(*args, api_name=name)
        watch(job, call, t0, timeout, on_first_output)
        answer = str(job.result(timeout=5)).lower()
        call.cut, call.limit = CUT_MARK in answer, LIMIT_MARK in answer
    except Exception as exc:
        call.outcome, call.message = classify(exc, job is not None and job.done())
        if call.outcome == "timeout" and job is not None:
            try:
                job.cancel()  # the student leaves; a busy server may not even answer that
            except Exception:
                pass
    call.end = time.perf_counter() - t0
    if call.first_output is None and call.outcome == "ok":
        call.first_output = call.end - call.start
    if call.first_sign is None and call.outcome == "ok":
        call.first_sign = call.first_output
    calls.append(call)  # list.append is atomic
    return call


def run_student(user: int, student: Student, client: Client, t0: float, until: float, timeout: float,
                calls: list[Call]) -> None:
    """Clicks until ``until`` seconds after t0 (the run's start), its last answer included."""
    time.sleep(student.rng.uniform(0, THINK_SECONDS[1]))  # students open the page over the first seconds
    while time.perf_counter() - t0 < until:
        name = choose(student)
        action = ACTIONS[name]
        args = action.args(student)
        press_stop = stop_plan(student, client, action, user, t0, calls)
        call = run_call(client, name, args, user, t0, timeout, calls, action.group, press_stop)
        if call.outcome == "ok" and action.after is not None:
            action.after(student, args)
        time.sleep(student.rng.uniform(*THINK_SECONDS))  # reading the answer


def run_probe(url: str, offer: Offer, scratch: Path, downloads: Path, t0: float, until: float, timeout: float,
              seed: int, results) -> None:
    """``--probe``, in a process of its own (spawned; ``t0`` is the parent's ``time.perf_counter()``, the same clock):
    one more student at the usual priority who clicks only the light actions of the group LIGHT, with the same
    reading time, until ``until``; puts its calls (as dicts) on ``results``."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0)  # the students' process may run at --client-nice; a device of its own
    except (AttributeError, OSError):
        pass
    student = Student(random.Random(f"{seed}:probe"), scratch, "probe", offer)
    client = make_client(url, timeout, downloads)
    names = [name for name, action in ACTIONS.items() if action.group == LIGHT]
    calls: list[Call] = []
    try:
        time.sleep(student.rng.uniform(0, THINK_SECONDS[1]))
        while time.perf_counter() - t0 < until:
            name = student.rng.choices(names, [ACTIONS[n].weight for n in names])[0]
            args = ACTIONS[name].args(student)
            call = run_call(client, name, args, -1, t0, timeout, calls, PROBE)
            if call.outcome == "ok" and ACTIONS[name].after is not None:
                ACTIONS[name].after(student, args)
            time.sleep(student.rng.uniform(*THINK_SECONDS))
    finally:
        client.close()
        results.put([asdict(call) for call in calls])


def make_students(users: list[int], seed: int, offer: Offer, scratch: Path, url: str, timeout: float,
                  downloads: Path) -> list[tuple[int, Student, Client]]:
    """Each student ``users`` names, with its RNG seeded by its number (the same student in any process) and a
    Client (a session) of its own."""
    return [(user, Student(random.Random(f"{seed}:{user}"), scratch, f"user{user}", offer),
             make_client(url, timeout, downloads)) for user in users]


def start_students(students: list[tuple[int, Student, Client]], t0: float, until: float, timeout: float,
                   calls: list[Call]) -> list[threading.Thread]:
    """A thread per student (``run_student``), started: it clicks until ``until`` seconds after t0."""
    threads = [threading.Thread(target=run_student, daemon=True, name=f"user{user}",
                                args=(user, student, client, t0, until, timeout, calls))
               for user, student, client in students]
    for thread in threads:
        thread.start()
    return threads


def run_share(url: str, offer: Offer, scratch: Path, downloads: Path, users: list[int], seed: int, timeout: float,
              rounds, results) -> None:
    """``--client-processes``: the students ``users`` in a process of their own (spawned), with their own clients
    (sessions) for every round. Each round starts when ``rounds`` gives (t0, until), t0 the parent's
    ``time.perf_counter()`` (the same clock); its calls (as dicts) and the process's CPU seconds since its students
    began go on ``results``; None on ``rounds`` ends it."""
    students = make_students(users, seed, offer, scratch, url, timeout, downloads)
    cpu_start = own_cpu_seconds()
    try:
        while (round_ := rounds.get()) is not None:
            t0, until = round_
            calls: list[Call] = []
            threads = start_students(students, t0, until, timeout, calls)
            for thread in threads:
                thread.join()
            time.sleep(1)  # a Stop press still on its timer
            results.put(([asdict(call) for call in calls], own_cpu_seconds() - cpu_start))
    finally:
        for _, _, client in students:
            client.close()


def shares_of(users: int, processes: int) -> list[list[int]]:
    """Which students each process runs: student i in process i mod ``processes`` (process 0 is the bench's own)."""
    return [list(range(share, users, processes)) for share in range(processes)]


def start_shares(url: str, offer: Offer, scratch: Path, downloads: Path, args) -> list:
    """The processes of ``--client-processes`` beyond this one: (process, rounds queue, results queue) each."""
    context = multiprocessing.get_context("spawn")
    shares = []
    for users in shares_of(args.users, args.client_processes)[1:]:
        rounds, results = context.Queue(), context.Queue()
        process = context.Process(target=run_share, daemon=True, name=f"students{users[0]}",
                                  args=(url, offer, scratch, downloads, users, args.seed, args.timeout, rounds,
                                        results))
        process.start()
        shares.append((process, rounds, results))
    return shares


def start_probe(url: str, offer: Offer, scratch: Path, downloads: Path, t0: float, until: float, args):
    """The probe's process and the queue its calls come back on (``finish_probe``)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=run_probe, daemon=True, name="probe",
                              args=(url, offer, scratch, downloads, t0, until, args.timeout, args.seed, results))
    process.start()
    return process, results


def finish_probe(probe, calls: list[Call], timeout: float) -> None:
    process, results = probe
    try:
        calls.extend(Call(**fields) for fields in results.get(timeout=timeout + 60))
    finally:
        process.join(timeout=10)


# ------------------------------------------------------------------ the run

def warm_up(url: str, offer: Offer, scratch: Path, downloads: Path, timeout: float) -> list[str]:
    """Load every ready model once (a light call of each), so loading is not part of the load."""
    client = make_client(url, timeout, downloads)
    student = Student(random.Random(0), scratch, "warm-up", offer)
    warnings = []
    calls = [("/distillation_soften", (1, None, False, 4.0, False))]
    calls += [("/saliency_predict", (student.photo("chelsea.png"), None, False, key))
              for key in offer.models["saliency"]]
    calls += [("/audio_attack_transcribe", (student.clip("open_the_door.wav"), key))
              for key in offer.models["audio_attack"]]
    calls += [("/cyclegan_model", (key, "a_to_b")) for key in offer.models["cyclegan"]]
    calls += [("/fill_mask_model", (key,)) for key in offer.models["fill_mask"]]
    calls += [("/gan_sample", (2024, 40, "random", 1.0))]
    try:
        for name, args in calls:
            try:
                client.predict(*args, api_name=name)
            except Exception as exc:
                warnings.append(f"{name}{args[-1:]}: {short(str(exc))}")
    finally:
        client.close()
    return warnings


def ask_memory_report(proc) -> None:
    """The app logs its RSS, Gradio's sessions and what each memo holds (``app.log_memory_on_signal``): read them in
    the server log (``--server-log``), at the start and at each rest."""
    if proc is not None and hasattr(signal, "SIGUSR1") and proc.poll() is None:
        os.kill(proc.pid, signal.SIGUSR1)


def follow_rest(proc, seconds: float, at_rest_mb: float) -> list[tuple[int, float]]:
    """A rest longer than REST_SECONDS (``--rest-seconds``): (seconds after the last answer, MB) every
    REST_EVERY_SECONDS until it ends, the reading at REST_SECONDS (``at_rest_mb``, the RSS at rest) first. Whether
    the memory kept at 10 s stays, or goes back to the system at the app's next trim
    (``core.device.TRIM_EVERY_SECONDS``)."""
    series = [(REST_SECONDS, at_rest_mb)]
    for step in range(1, int((seconds - REST_SECONDS) / REST_EVERY_SECONDS + 1e-6) + 1):
        time.sleep(REST_EVERY_SECONDS)
        series.append((round(REST_SECONDS + step * REST_EVERY_SECONDS, 1), round(tree_usage(proc.pid)[0], 1)))
    return series


def run_class(url: str, proc, args: argparse.Namespace, offer: Offer, scratch: Path, downloads: Path):
    students = make_students(shares_of(args.users, args.client_processes)[0], args.seed, offer, scratch, url,
                             args.timeout, downloads)
    shares = start_shares(url, offer, scratch, downloads, args)
    share_cpu = [0.0] * len(shares)
    calls: list[Call] = []
    server = {}
    if proc is not None:
        server["rss_start_mb"], cpu_start = tree_usage(proc.pid)
        server["rss_peak_mb"] = server["rss_start_mb"]
        ask_memory_report(proc)
    generator_cpu = own_cpu_seconds()
    wall_start = time.time()  # the server's traces carry wall-clock times
    server["rss_timeline"] = []  # (seconds, MB) every 10 s: growth over the first and the second half of a long run
    server["rss_at_rest"] = []  # (seconds, MB) after each round, once every answer is in: memory kept, not in use
    t0 = time.perf_counter()
    try:
        for round_ in range(1, args.rounds + 1):
            print(f"{args.users} students for {args.seconds:g} s (round {round_} of {args.rounds}) ...",
                  file=sys.stderr, flush=True)
            until = time.perf_counter() - t0 + args.seconds
            server.setdefault("rounds", []).append(time.perf_counter() - t0)  # when each round began
            probe = start_probe(url, offer, scratch, downloads, t0, until, args) if args.probe else None
            for _, rounds, _ in shares:
                rounds.put((t0, until))
            threads = start_students(students, t0, until, args.timeout, calls)
            follow(threads, proc, server, calls, t0, {user for user, _, _ in students})
            for i, (_, _, results) in enumerate(shares):
                share_calls, share_cpu[i] = results.get(timeout=args.timeout + 60)
                calls.extend(Call(**fields) for fields in share_calls)
            if probe is not None:
                finish_probe(probe, calls, args.timeout)
            if proc is not None and args.rounds > 1:
                time.sleep(REST_SECONDS)
                at_rest = round(tree_usage(proc.pid)[0], 1)
                server["rss_at_rest"].append((round(time.perf_counter() - t0), at_rest))
                ask_memory_report(proc)
                server.setdefault("rest_series", []).append(follow_rest(proc, getattr(args, "rest_seconds", 0),
                                                                        at_rest))
        if getattr(args, "server_clock", False):
            try:
                server["traces"] = fetch_traces(url, wall_start)
            except OSError as exc:  # an app at --url started without GRADIO_PROFILING=1 has no traces to give
                print(f"no server clock ({exc}): is the app's GRADIO_PROFILING=1?", file=sys.stderr, flush=True)
    finally:
        for _, _, client in students:
            client.close()
        for process, rounds, _ in shares:
            rounds.put(None)
            process.join(timeout=10)
    if proc is not None:
        server["rss_end_mb"], cpu_end = tree_usage(proc.pid)
        server["rss_peak_mb"] = max(server["rss_peak_mb"], server["rss_end_mb"])
        server["rss_growth_percent"] = 100 * (server["rss_end_mb"] / server["rss_start_mb"] - 1)
        server["app_cpu_s"] = cpu_end - cpu_start
        server["exit_code"] = proc.poll()
    server["generator_cpu_s"] = own_cpu_seconds() - generator_cpu + sum(share_cpu)
    server["load_s"] = time.perf_counter() - t0
    calls.sort(key=lambda c: c.start)
    return calls, server


def follow(threads: list[threading.Thread], proc, server: dict, calls: list[Call], t0: float,
           users: set[int] | None = None) -> None:
    """Wait for the students; the app's peak RSS and a line of progress every 10 s, counting the calls of ``users``
    (this process's students: ``calls`` also holds the other processes' from the rounds before; None: all)."""
    next_report = 10.0 * (1 + int((time.perf_counter() - t0) // 10))
    while any(thread.is_alive() for thread in threads):
        time.sleep(1)
        if proc is not None:
            rss = tree_usage(proc.pid)[0]
            server["rss_peak_mb"] = max(server["rss_peak_mb"], rss)
        if time.perf_counter() - t0 >= next_report:
            if proc is not None:
                server["rss_timeline"].append((round(next_report), round(rss, 1)))
            own = [c for c in calls if users is None or c.user in users]
            print(progress_line(next_report, own), file=sys.stderr, flush=True)
            next_report += 10
    time.sleep(1)  # a Stop press still on its timer


def progress_line(seconds: float, calls: list[Call]) -> str:
    """The progress line of ``calls`` so far: failed calls (over the limit, unexplained errors) apart from the
    explained messages a student reads (a busy server's "try again in a minute" is an answer, not a failure)."""
    failed = sum(c.outcome in ("timeout", "unexplained") for c in calls)
    explained = sum(c.outcome == "explained" for c in calls)
    return (f"  {seconds:4.0f} s: {len(calls)} calls, {failed} failed, {explained} explained messages (the students "
            f"of this process)")


# ------------------------------------------------------------------ the report

def latency_row(calls: list[Call]) -> dict:
    ok = [c for c in calls if c.outcome == "ok"]
    total = [c.end - c.start for c in ok]
    # The first update of every student who waited for an answer, the ones who gave up included (one who never saw
    # one counts as infinitely late): a percentile of the successful calls alone would hide the worst waits.
    waited = [c for c in calls if c.outcome in ("ok", "timeout")]
    first = [math.inf if c.first_output is None else c.first_output for c in waited]
    sign = [math.inf if c.first_sign is None else c.first_sign for c in waited]
    queued = [c.left_queue for c in ok if c.left_queue is not None]
    return {"calls": len(calls), "ok": len(ok),
            "timeouts": sum(c.outcome == "timeout" for c in calls),
            "unexplained": sum(c.outcome == "unexplained" for c in calls),
            "explained": sum(c.outcome == "explained" for c in calls),
            "stopped": sum(c.stopped for c in calls),
            "cut": sum(c.cut for c in calls),
            "limit": sum(c.limit for c in calls),
            "p50": percentile(total, 50), "p95": percentile(total, 95), "max": max(total, default=None),
            "first_output_p50": percentile(first, 50), "first_output_p95": percentile(first, 95),
            "first_sign_p50": percentile(sign, 50), "first_sign_p95": percentile(sign, 95),
            "left_queue_p95": percentile(queued, 95)}


def round_spans(starts: list[float]) -> list[tuple[float, float]]:
    """(start, end) of each round, in seconds since the load began, from when each round began."""
    return list(zip(starts, [*starts[1:], math.inf]))


def by_round(calls: list[Call], starts: list[float]) -> list[dict]:
    """The light actions' and the heavy ones' first sign, round by round (``starts``: when each round began): the
    first round of a class that arrives at once shares the app with its warm-up."""
    rows = []
    for number, (start, end) in enumerate(round_spans(starts)):
        mine = [c for c in calls if start <= c.start < end]
        heavy = [c for c in mine if ACTIONS.get(c.endpoint) and ACTIONS[c.endpoint].kind == "heavy"]
        rows.append({"round": number + 1, "light": latency_row([c for c in mine if c.group == LIGHT]),
                     "probe": latency_row([c for c in mine if c.group == PROBE]), "heavy": latency_row(heavy)})
    return rows


def summarize(calls: list[Call], starts: list[float] | None = None, traces: list[dict] | None = None) -> dict:
    """The report's figures; with the server's traces (``--server-clock``), its clock's too."""
    mark_stopped(calls)
    starts = starts or [0.0]
    summary = {
        "rounds": by_round(calls, starts),
        "groups": {group: latency_row([c for c in calls if c.group == group]) for group in GROUPS},
        "endpoints": {name: latency_row([c for c in calls if c.endpoint == name])
                      for name in [*ACTIONS, *sorted(STOPS)]},
        "all": latency_row(calls),
        "messages": message_counts(calls),
    }
    if traces is not None:
        summary["server_clock"] = {**summarize_server_clock(traces, starts),
                                   "students_side": students_side(calls, traces)}
    return summary


# ------------------------------------------------------------------ the server's own clock (--server-clock)

#: The phases of a job in Gradio's profiling traces (ms): its wait in the queue, then its run ("total": Gradio's
#: process_api), of which preprocessing the inputs, the handler itself (in a worker thread: its wait for a thread and
#: for the GIL included) and postprocessing the outputs (writing images and files to Gradio's cache included).
PHASES = ("queue_wait", "total", "preprocess", "fn_call", "postprocess")
UPLOAD = "gradio_file_upload"  # Gradio's trace of a file upload (upload_ms), made before the call that sends the file


def fetch_traces(url: str, since: float) -> list[dict]:
    """Gradio's profiling traces (the app started with GRADIO_PROFILING=1) of the jobs and uploads that began after
    ``since`` (wall clock), each reduced to its endpoint and its phases in ms."""
    with urllib.request.urlopen(f"{url}/gradio_api/profiling/traces", timeout=120) as answer:
        traces = json.load(answer)
    return [{"endpoint": trace["fn_name"] if trace["fn_name"] == UPLOAD else "/" + str(trace["fn_name"]),
             "session": trace.get("session_hash") or "", "at": trace["timestamp"] - since,
             "upload": trace.get("upload_ms", 0.0),
             **{phase: trace[f"{phase}_ms"] for phase in PHASES}}
            for trace in traces if trace["timestamp"] >= since]


def server_latency(trace: dict) -> float:
    """Seconds from the call joining its queue to its answer made (a streamed job: to its last step; an upload: the
    upload)."""
    return (trace["upload"] if trace["endpoint"] == UPLOAD else trace["queue_wait"] + trace["total"]) / 1000


def server_row(traces: list[dict]) -> dict:
    """Jobs, p50/p95/max of ``server_latency``, and where the time went: each phase's mean (the means of queue_wait
    and total add up to the latency's mean), over all jobs and over the slowest 5% (the jobs at or above p95)."""
    latency = [server_latency(t) for t in traces]
    p95 = percentile(latency, 95)
    tail = [t for t, seconds in zip(traces, latency) if p95 is not None and seconds >= p95]

    def means(jobs: list[dict]) -> dict:
        return {phase: sum(j[phase] for j in jobs) / len(jobs) / 1000 if jobs else None for phase in PHASES}
    return {"jobs": len(traces), "p50": percentile(latency, 50), "p95": p95, "max": max(latency, default=None),
            "mean": means(traces), "tail_mean": means(tail)}


def students_side(calls: list[Call], traces: list[dict]) -> dict:
    """Per group: the seconds each answered call took, by its student's clock, beyond the server's clock for the
    same job (its student's process waiting for the CPU, gradio_client's own looks at its stream, the join request,
    the answer's delivery and files). A student's calls and the server's jobs are matched by session and endpoint,
    in order (a student clicks one action at a time; its Stop presses go to another endpoint); a session and
    endpoint whose counts differ (a call the server never ran) is left out."""
    jobs: dict[tuple, list[dict]] = {}
    for trace in traces:
        jobs.setdefault((trace["session"], trace["endpoint"]), []).append(trace)
    mine: dict[tuple, list[Call]] = {}
    for call in calls:
        mine.setdefault((call.session, call.endpoint), []).append(call)
    extra: dict[str, list[float]] = {}
    for key, own in mine.items():
        theirs = sorted(jobs.get(key, []), key=lambda trace: trace["at"])
        if not key[0] or len(theirs) != len(own):
            continue
        for call, trace in zip(sorted(own, key=lambda c: c.start), theirs):
            if call.outcome == "ok":
                extra.setdefault(call.group, []).append(call.end - call.start - server_latency(trace))
    return {group: {"calls": len(seconds), "p50": percentile(seconds, 50), "p95": percentile(seconds, 95)}
            for group, seconds in extra.items()}


def summarize_server_clock(traces: list[dict], starts: list[float]) -> dict:
    """Per group (the light group is what the issue's 1-s goal is about), per round of the light group, per
    endpoint, and the uploads."""
    group_of = {name: action.group for name, action in ACTIONS.items()}
    group_of.update({name: STOP for name in STOPS})
    rounds = [server_row([t for t in traces if start <= t["at"] < end and group_of.get(t["endpoint"]) == LIGHT])
              for start, end in round_spans(starts)]
    return {"groups": {group: server_row([t for t in traces if group_of.get(t["endpoint"]) == group])
                       for group in GROUPS if group != PROBE},
            "rounds": rounds,
            "endpoints": {name: server_row([t for t in traces if t["endpoint"] == name])
                          for name in [*ACTIONS, *sorted(STOPS), UPLOAD]}}


def mark_stopped(calls: list[Call]) -> None:
    """A streamed call is 'stopped' when its student's Stop press came while it ran."""
    presses = [c for c in calls if c.endpoint in STOPS]
    for call in calls:
        if ACTIONS.get(call.endpoint) and ACTIONS[call.endpoint].stop:
            call.stopped = any(p.user == call.user and call.start < p.start < call.end for p in presses)


def message_counts(calls: list[Call]) -> list[dict]:
    counts: dict[tuple, int] = {}
    for call in calls:
        if call.outcome != "ok":
            key = (call.outcome, call.endpoint, call.message)
            counts[key] = counts.get(key, 0) + 1
    return [{"outcome": o, "endpoint": e, "message": m, "count": n} for (o, e, m), n in sorted(counts.items())]


def render(settings: dict, summary: dict, server: dict, warnings: list[str], smoke: bool) -> str:
    lines = ["# Class scenario: all six tabs", ""]
    if smoke:
        lines += ["**A smoke run on a shared, busy machine (several agents on the same 2 cores): it shows that the "
                  "scenario runs, it is not the goal measurement.**", ""]
    lines += [f"Machine: {settings['machine']}.",
              f"Run: {settings['when']} with `{settings['command']}`; the students run on the same machine as the app"
              + (f", in {settings['client_processes']} processes" if settings.get("client_processes", 1) > 1
                 else ", in one process")
              + (f", at nice {settings['client_nice']} (the app at 0)" if settings.get("client_nice") else "")
              + ("; one more student, the probe, clicks light actions from a process of its own at nice 0"
                 if settings.get("probe") else "")
              + ("; the class arrives once the app's own warm-up has ended (`--after-warm-up`)."
                 if settings.get("after_warm_up") else "; the class arrives as soon as the app answers."),
              f"App: {settings['app']}.", "",
              f"{settings['users']} students (gradio_client"
              + (" as it comes" if settings.get("stock_client", True) else
                 ", hearing each message when it arrives and loading no certificate bundle for http "
                 "(`bench.load.make_client`)")
              + f"; one session each) for {settings['seconds']:g} s"
              + (f" in each of {settings['rounds']} rounds" if settings.get("rounds", 1) > 1 else "") + ", each "
              f"waiting {THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s between clicks; {HEAVY_SHARE:.0%} heavy clicks; "
              f"inputs varied in range (seed {settings['seed']}); a call unanswered after {settings['timeout']:g} s "
              "counts as failed. Models offered to switches (ready offline): "
              + "; ".join(f"{tab}: {', '.join(keys)}" for tab, keys in settings["models"].items()) + ".",
              *(f"- warm-up: {warning}" for warning in warnings), "",
              "## Per action group", "",
              "Seconds from the click to the answer (successful calls). *First update*: to the first output the "
              "student sees (a streamed action's first step; otherwise the answer); *first sign*: to the first "
              "progress bar or output. Both count every student who waited, those who gave up too (\"never\": no "
              "update before the limit). *Left queue p95*: until the job began running.", ""]
    lines += table(summary["groups"], "group")
    if len(summary.get("rounds", [])) > 1:
        lines += ["", "## Per round", "", f"| round | {LIGHT}: calls | p50 | p95 | probe: calls | p95 | heavy: calls | "
                  "first sign p95 |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {r['round']} | {r['light']['calls']} | {seconds_text(r['light']['p50'])} | "
                  f"{seconds_text(r['light']['p95'])} | {r['probe']['calls']} | {seconds_text(r['probe']['p95'])} | "
                  f"{r['heavy']['calls']} | {seconds_text(r['heavy']['first_sign_p95'])} |" for r in summary["rounds"]]
    lines += ["", "## Per endpoint", ""]
    lines += table({f"`{name}`": row for name, row in summary["endpoints"].items()}, "endpoint")
    if summary.get("server_clock"):
        lines += ["", "## The server's own clock (`--server-clock`)", ""] + server_clock_text(summary["server_clock"])
    lines += ["", "## Failed calls and messages", ""] + failures_text(summary)
    lines += ["", "## Server", ""] + server_text(server)
    return "\n".join(lines) + "\n"


def table(rows: dict[str, dict], title: str) -> list[str]:
    lines = [f"| {title} | calls | timeouts (>limit) | unexplained errors | explained messages | stopped | p50 | p95 "
             "| max | first sign p50 | first sign p95 | first update p50 | first update p95 | left queue p95 |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['calls']} | {row['timeouts']} | {row['unexplained']} | {row['explained']} | "
                     f"{row['stopped']} | " + " | ".join(seconds_text(row[key]) for key in (
                         "p50", "p95", "max", "first_sign_p50", "first_sign_p95", "first_output_p50",
                         "first_output_p95", "left_queue_p95")) + " |")
    return lines


def server_clock_text(clock: dict) -> list[str]:
    lines = ["Seconds from a call joining the app's queue to its answer made, by the app's own clock (Gradio's "
             "profiling traces), every student's and the probe's calls: what a student on a device of their own "
             "would wait, but for the network, the join request and the answer's delivery and files. The students' "
             "side of the bench (their processes' own wait for the CPU) is not in it. *Mean*: where the time "
             "went, in seconds: the wait in the queue, then the run (`total`), of which preprocessing, the handler "
             "(its wait for a worker thread and the GIL included) and postprocessing (images and files written to "
             "Gradio's cache included). *Slowest 5%*: the same over the jobs at or above p95. A streamed job's run "
             "is all of its steps.", "",
             "| | jobs | p50 | p95 | max | mean: queue | run | preprocess | handler | postprocess | slowest 5%: "
             "queue | run | preprocess | handler | postprocess |",
             "| --- |" + " ---: |" * 14]
    rows = {**clock["groups"], **{f"{LIGHT}, round {i + 1}": row for i, row in enumerate(clock["rounds"])
                                  if len(clock["rounds"]) > 1},
            **{f"`{name}`": row for name, row in clock["endpoints"].items() if row["jobs"]}}
    for name, row in rows.items():
        lines.append(f"| {name} | {row['jobs']} | " + " | ".join(
            [seconds_text(row[key]) for key in ("p50", "p95", "max")]
            + [seconds_text(row[part][phase]) for part in ("mean", "tail_mean") for phase in PHASES]) + " |")
    side = clock.get("students_side")
    if side:
        lines += ["", "The students' side: seconds each answered call took by its student's clock beyond the server's "
                  "clock for the same job (the student's process waiting for the CPU, gradio_client's own work: "
                  "with `--stock-client` a look at its stream every 50 ms; the join request, the answer's delivery "
                  "and files), matched by session and endpoint.", "", "| group | calls matched | p50 | p95 |",
                  "| --- | ---: | ---: | ---: |"]
        lines += [f"| {group} | {row['calls']} | {seconds_text(row['p50'])} | {seconds_text(row['p95'])} |"
                  for group, row in side.items()]
    return lines


def failures_text(summary: dict) -> list[str]:
    total = summary["all"]
    lines = [f"{total['calls']} calls: {total['timeouts'] + total['unexplained']} failed ({total['timeouts']} "
             f"waited over the limit, {total['unexplained']} unexplained errors); {total['explained']} answered with "
             f"an explained message for the student; {total.get('cut', 0)} heavy runs were cut short with their "
             f"result so far (`core.heavy.BUSY_RUN_SECONDS` with others in line), {total.get('limit', 0)} at the time "
             "limit of a run (`core.heavy.RUN_SECONDS`).", ""]
    if summary["messages"]:
        lines += ["| outcome | endpoint | calls | message |", "| --- | --- | ---: | --- |"]
        lines += [f"| {m['outcome']} | `{m['endpoint']}` | {m['count']} | {(m['message'] or '').replace('|', '/')} |"
                  for m in summary["messages"]]
    return lines


def server_text(server: dict) -> list[str]:
    if "rss_start_mb" not in server:
        return ["Not measured (`--url`: the app is not a child of this script)."]
    lines = [f"RSS of the app and its children: {server['rss_start_mb']:.0f} MB at the start (after warm-up), "
             f"{server['rss_end_mb']:.0f} MB at the end ({server['rss_growth_percent']:+.1f}%), peak "
             f"{server['rss_peak_mb']:.0f} MB.",
             f"CPU: the app {server['app_cpu_s']:.0f} s, the students {server['generator_cpu_s']:.0f} s, in "
             f"{server['load_s']:.0f} s of wall time."]
    rest = server.get("rss_at_rest") or []
    if rest:
        points = [(0, server["rss_start_mb"]), *rest]
        lines.append(f"RSS at rest ({REST_SECONDS} s after the last answer of each round, no call in flight): "
                     + "; ".join(f"{mb:.0f} MB at {seconds / 60:.0f} min" + (
                         "" if i == 0 else f" ({100 * (mb / points[i - 1][1] - 1):+.1f}% over the round)")
                                 for i, (seconds, mb) in enumerate(points)) + ".")
    for round_, series in enumerate(server.get("rest_series") or [], 1):
        if len(series) > 1:
            lowest = min(mb for _, mb in series)
            lines.append(f"RSS through rest {round_} (`--rest-seconds`): {series[0][1]:.0f} MB at {series[0][0]} s, "
                         f"{series[-1][1]:.0f} MB at {series[-1][0]} s, lowest {lowest:.0f} MB; every "
                         f"{REST_EVERY_SECONDS} s: " + ", ".join(f"{mb:.0f}" for _, mb in series) + ".")
    halves = rss_halves(server)
    if halves:
        lines.append("RSS growth over the first half of the run: {:+.1f}%; over the second half: {:+.1f}%.".format(
            *halves))
    if server.get("exit_code") is not None:
        lines.append(f"**The app exited during the load (code {server['exit_code']}).**")
    return lines


def rss_halves(server: dict) -> tuple[float, float] | None:
    """RSS growth (%) from the start to the middle of the run, and from the middle to its end (the issue's goal:
    < 5% over the first 10 minutes, < 1% over the next 10)."""
    timeline = server.get("rss_timeline") or []
    if len(timeline) < 2 or "rss_start_mb" not in server:
        return None
    middle = min(timeline, key=lambda point: abs(point[0] - server["load_s"] / 2))[1]
    return 100 * (middle / server["rss_start_mb"] - 1), 100 * (server["rss_end_mb"] / middle - 1)


# ------------------------------------------------------------------ main

def main(args: argparse.Namespace, command: str) -> int:
    out = args.out or DEFAULT_OUT
    print("reading what the app offers here ...", file=sys.stderr, flush=True)
    offer = read_offer()
    app_state = git_state(args.app_dir)  # the code the app starts with, not what the folder holds at the end
    with load_setting(args, "bench-class-") as (url, proc, scratch, downloads):
        warnings = warm_up(url, offer, scratch, downloads, args.timeout)
        calls, server = run_class(url, proc, args, offer, scratch, downloads)
    settings = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "command": command,
                "app": f"`{args.url}`" if args.url else
                       f"`python app.py --offline` in `{args.app_dir.resolve()}` (git {app_state})",
                "users": args.users, "seconds": args.seconds, "rounds": args.rounds, "seed": args.seed,
                "timeout": args.timeout, "client_nice": 0 if args.url else args.client_nice, "probe": args.probe,
                "client_processes": args.client_processes, "after_warm_up": args.after_warm_up,
                "rest_seconds": getattr(args, "rest_seconds", 0),
                "stock_client": args.stock_client, "models": offer.models}
    summary = summarize(calls, server.get("rounds"), server.pop("traces", None))
    report = render(settings, summary, server, warnings, smoke=args.smoke)
    print(report)
    out.write_text(report, encoding="utf-8")
    dump = {"settings": settings, "warnings": warnings, "summary": summary, "server": server,
            "calls": [asdict(c) for c in calls]}
    out.with_suffix(".json").write_text(json.dumps(dump, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0

