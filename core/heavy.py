"""Heavy actions (attacks, trainings, SmoothGrad, sanity checks): fair turns on a CPU, a GPU on ZeroGPU.

``@heavy(gpu_seconds)`` goes under ``@handler`` on every heavy event function:

- **On a CPU machine** heavy work takes turns, one step at a time (``Turns``): every job's first step first,
  then the few oldest jobs side by side. A streamed action (a generator) takes one turn per step and gives it
  back at every ``yield``, so a student who clicks while nine jobs run sees a first update after at most the
  first steps queued before theirs, instead of after nine whole jobs; and jobs still finish about in the order
  they came, so on an overloaded machine none waits past the page's patience. Its last update goes out as
  ``yield Last(update)``: the run ends with it, at once, not after a turn (``Last``). A plain heavy function is one
  step, cut into several where it calls ``give_way()`` (its progress reports do) or a model's forward pass
  (``breaks``). Steps never overlap, so the light events keep a core (``core.device.heavy_threads``), and on Linux
  they run at a lower priority (``low_priority``), so a light event gets a core first.
- **On a Hugging Face ZeroGPU Space** (``SPACES_ZERO_GPU``), the function is wrapped by the ``spaces`` package's
  ``@spaces.GPU(duration=gpu_seconds)`` instead: ZeroGPU lends a GPU for the call, no turns needed. Anywhere
  else ``spaces.GPU`` returns the function unchanged; without the package there is no wrapping at all.

On a CPU two more rules keep an overloaded machine answering (a class asks ~4x what 2 cores do, bench/scale.md):

- **A job whose student has gone stops** (``Abandoned``) at its next turn or break: the call was cancelled (a
  client that gave up) or the page closed. Gradio closes a streamed action itself, but a plain one (a Saliency
  sanity check, a distillation training) ran on to its end, for nobody, in front of everyone else's jobs.
- **A heavy click that could not finish in time is turned away at once** (``Turns.admit``): when the work of the
  jobs already in line (each action's measured cost, less what each has done) and this one's would take more
  than ``BUSY_SECONDS``, the student is told so, with the wait, instead of watching a bar for minutes. A job
  alone is always let in, however long it takes; so is a **request the same as one answered or running** for an
  action whose answers are memoised (``@heavy(..., memoised=True)``, ``request_key``), or one its ``ready`` probe
  finds in the memo (the warm-up's presets): its answer comes from the memo or from the run under way, at no
  extra cost, so a class told to click the same preset is not turned away for work the server does once. And an
  action turned away for ``STARVING`` × ``BUSY_SECONDS`` is let in at its next click, so a costly one is not shut
  out for a whole lecture by the cheaper ones that keep the line busy.
- **A long run ends with its result so far ``BUSY_RUN_SECONDS`` after its click** when others are in line, and
  ``RUN_SECONDS`` after it in any case, and says why (``cut_reason``): a streamed one (the attack, the GAN
  playground) asks ``core.ui.StopRequests.why``, a plain one between its parts asks ``out_of_time`` (a distillation
  training between epochs, a Saliency check between methods or layers). A run cut short is not memoised
  (``core.memo``), not the action's cost, and not an answered request.

Turns cannot deadlock as long as no one waits for another job while holding the turn: the memo's single flight
waits with its turn set aside (``set_aside``), and no lock is held across a ``yield`` or a ``give_way()``.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import inspect
import itertools
import os
import sys
import threading
import time
import traceback
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from core import ROOT
from core.i18n import UserInputError

#: How many heavy actions Gradio lets in at once (each then waits for its turns); more wait in Gradio's queue, where
#: no progress shows. A class's worth: everyone's first step runs soon (bench/load-class-at12.md: with 12, most
#: students saw nothing move for 80-110 s; bench/load-class-before-admission.md: with 48, a progress bar after 1-7 s,
#: p95 8-12 s, and the same memory peak).
HEAVY_AT_ONCE = int(os.environ.get("DEMO_HEAVY_AT_ONCE", "48"))
#: How many of them advance side by side after their first step (the oldest ones); see ``Turns``.
SIDE_BY_SIDE = int(os.environ.get("DEMO_HEAVY_SIDE_BY_SIDE", "3"))
#: The nice value heavy steps run at (Linux; 0: the same priority as everything else): a light event (a slider
#: moved, a prediction) gets a core before a heavy step does, which waits for its turn anyway.
HEAVY_NICE = int(os.environ.get("DEMO_HEAVY_NICE", "10"))

#: A heavy click is turned away when the heavy work in line, its own included, would take longer than this (seconds;
#: 0: never). Well inside a student's patience (bench/load_class.py gives up at 120 s), as the estimate is rough.
BUSY_SECONDS = float(os.environ.get("DEMO_BUSY_SECONDS", "60"))
#: The cost guessed for an action that has not finished once yet (seconds of turns): on the slow side, as on a busy
#: machine the cheapest heavy action takes this long (bench/scale.md: 2-19 s each, alone).
FIRST_GUESS_SECONDS = 30.0
#: An action turned away for this many ``BUSY_SECONDS`` is let in at its next click: a costly one (an attack, ~90 s)
#: never fits the limit while anything else is in line, and a 20-minute class run let in 1 attack of 226 asked for.
STARVING = 2.0
#: How many finished requests the door remembers (``Turns.admit``): no more than the smallest memo of a memoised
#: action keeps (32: Saliency's checks, the finished attacks), so a request it lets in free is rarely computed again.
ANSWERED_KEPT = 32

#: A run (an attack, the GAN playground, a training, a Saliency check) that has run this long (seconds from its first
#: step) while other students' heavy jobs are in line ends with its result so far, saying why (0: never): with the
#: wait for its first turn and its last update, its student has an answer within two minutes of the click
#: (bench/load_class.py counts a call unanswered after 120 s as failed). Alone, a run goes on to ``RUN_SECONDS``.
BUSY_RUN_SECONDS = float(os.environ.get("DEMO_BUSY_RUN_SECONDS", "80"))
#: A run ends with its result so far once it has run this long from its click, alone or not (0: never), and says
#: so: every answer comes within the two minutes a student gives it. Alone, a 100-step attack on Whisper with "Run all
#: steps" took over 2 minutes on the Xeon (1.2 s a step) and was the class bench's one call unanswered after 120 s.
RUN_SECONDS = float(os.environ.get("DEMO_RUN_SECONDS", "110"))

#: How long a side-by-side job's place is kept between two of its steps (while the page shows its update).
GRACE_SECONDS = 0.5
#: How long a step runs before a model's forward pass gives way to the steps waiting (``breaks``).
STEP_SECONDS = 0.5
#: Diagnostics: a heavy step that held the turn longer than this many seconds is logged to stderr with where it
#: took and gave back the turn (the project's frames). Off when unset or 0; the class bench's ``--server-log`` keeps it.
LONG_STEP_SECONDS = float(os.environ.get("DEMO_LONG_STEP_SECONDS", "0"))


class Abandoned(Exception):
    """The student a heavy job works for has gone (the call cancelled, the page closed): the job stops."""


def gradio_event_gone():
    """A test for the Gradio event this thread works for: True once it is over for its student (cancelled, so
    Gradio no longer counts it as running, or its page closed). None outside an event (a test, a script)."""
    try:
        from gradio.context import LocalContext
    except ImportError:
        return None
    event_id, blocks = LocalContext.event_id.get(None), LocalContext.blocks.get(None)
    queue = getattr(blocks, "_queue", None)
    running = [event for events in getattr(queue, "active_jobs", None) or () for event in events or ()
               if event is not None and event._id == event_id] if event_id else []
    if not running:  # not found while it runs: not an event we can follow
        return None
    event = running[0]
    return lambda: not event.alive or not any(events and event in events for events in list(queue.active_jobs))


def _where() -> str:
    """The project's frames of the calling thread, innermost last (a long step's diagnostics)."""
    frames = [f for f in traceback.extract_stack()[:-2]
              if f.filename.startswith(ROOT) and not f.filename.endswith("heavy.py")]
    return " > ".join(f"{os.path.relpath(f.filename, ROOT)}:{f.lineno} {f.name}" for f in frames[-4:]) or "?"


class Job:
    """One heavy action's claim on the turns: its place in line, which action it is (``name``), how many steps it
    has had and how long it has held the turn (``held``), since when it has been between two steps (None: running
    or waiting for its turn), ``gone()``: whether its student has left; ``key``: its request (``request_key``),
    and ``shared``: the same request was running or answered when it came (its time is not the action's cost)."""

    def __init__(self, seq: int, name: str = "", gone=None, key: str | None = None):
        self.seq, self.name, self.key = seq, name, key
        self.shared = False
        self.background = False  # work nobody waits for (``background``): never told its time is up
        self.cut = False  # ended early (``cut_short``): its time is not the action's cost, its answer not memoised
        self.cut_why: str | None = None  # why: "busy", "long" (``Turns.time_is_up``) or "you" (its Stop button)
        self.steps, self.held = 0, 0.0
        self.streamed = False  # a generator's job (``taking_turns``): its student sees something at its first update
        self.shown = False  # its student has seen something: until then, its steps go first (``Turns._rank``)
        self.admitted = time.monotonic()  # when it was let in (its student clicked about then)
        self.started: float | None = None  # when its first step began (``time.monotonic()``)
        self.asked: float | None = None  # when it last asked ``out_of_time`` (between two of its parts)
        self.longest_part = 0.0  # the longest time between two of those questions (from ``started`` for the first)
        self.between_since: float | None = None
        self.gone = gone or (lambda: False)


class Turns:
    """Who runs the next heavy step. One step at a time, chosen in this order:

    1. a job's **first** step, first come first served: every student admitted sees a first update after at
       most the first steps queued before theirs (a streamed job's steps until its first update, the breaks inside
       its first step included: ``Job.shown``);
    2. then the steps of the ``side_by_side`` oldest jobs, taking turns (first come first served by request);
    3. the younger jobs wait, the oldest first, until one of those finishes; they fill a pause only when no
       side-by-side job is between two steps (for ``GRACE_SECONDS``), so they do not take turns in the gaps.

    ``side_by_side`` large is pure turn-taking (every job slows down as more arrive, and on an overloaded machine
    the long ones run past any time limit); 1 finishes jobs in the order they came, like one lane. In between,
    everyone starts at once and the few oldest advance together (measured in ``bench/load-class-before-admission.md``).
    ``with turns.turn(): ...`` runs a step; a thread inside a turn already holds it (re-entrant)."""

    def __init__(self, side_by_side: int | None = None, grace: float = GRACE_SECONDS,
                 busy_seconds: float | None = None, run_seconds: float | None = None):
        self.side_by_side = max(1, side_by_side or SIDE_BY_SIDE)
        self.grace = grace
        self.busy_seconds = BUSY_SECONDS if busy_seconds is None else busy_seconds
        self.run_seconds = RUN_SECONDS if run_seconds is None else run_seconds
        self.cost: dict[str, float] = {}  # an action's seconds of turns from start to end (a running average)
        self.taken = 0  # turns taken so far
        self._changed = threading.Condition(threading.RLock())
        self._tickets = itertools.count()
        self._jobs = itertools.count()
        self._live: list[Job] = []  # jobs started and not finished, oldest first
        self._waiting: dict[int, Job] = {}  # request ticket -> its job
        self._answered: OrderedDict = OrderedDict()  # (action, request key) of the latest runs that finished
        self._refused_since: dict[str, float] = {}  # action -> when it was first turned away since it last got in
        self._busy = False
        self._mine = threading.local()  # this thread's job, while it holds the turn

    def job(self, name: str = "", gone=None, key: str | None = None) -> Job:
        with self._changed:  # (re-entrant: admit holds it)
            job = Job(next(self._jobs), name, gone, key)
            self._live.append(job)
            return job

    def done(self, job: Job, finished: bool = False) -> None:
        """``job`` has ended; ``finished``: it ran to its end, so its time tells what the action costs."""
        with self._changed:
            if job in self._live:
                self._live.remove(job)
            finished = finished and not job.cut
            if finished and job.name and not job.shared:
                before = self.cost.get(job.name)
                self.cost[job.name] = job.held if before is None else 0.7 * before + 0.3 * job.held
            if finished and job.key is not None:
                self._answered[job.name, job.key] = True
                self._answered.move_to_end((job.name, job.key))
                while len(self._answered) > ANSWERED_KEPT:
                    self._answered.popitem(last=False)
            self._changed.notify_all()

    def _guess(self, name: str) -> float:
        return self.cost.get(name, FIRST_GUESS_SECONDS)

    def admit(self, name: str, gone=None, key: str | None = None, joins: bool = True, ready: bool = False) -> Job:
        """A new ``name`` job's place in line (``gone`` and ``key`` as in ``Job``), or ``UserInputError('app.busy')``
        when the jobs in line and it would take more than ``busy_seconds`` of turns. A job alone always gets in, and
        so does a request (``key``) the same as one finished lately, or running when the action ``joins`` a run
        under way (a plain function's memo waits for it; a streamed action runs again), or ``ready`` (its answer is
        in a memo already): it costs next to nothing."""
        with self._changed:
            shared = ready or key is not None and ((name, key) in self._answered or joins and any(
                job.name == name and job.key == key for job in self._live))
            ahead = [max(self._guess(job.name) - job.held, 1.0) for job in self._live if not job.shared]
            wait = sum(ahead) + self._guess(name)
            if ahead and not shared and self.busy_seconds > 0 and wait > self.busy_seconds:
                refused_since = self._refused_since.setdefault(name, time.monotonic())
                if time.monotonic() - refused_since < STARVING * self.busy_seconds:
                    raise UserInputError("app.busy", jobs=len(ahead), seconds=round(wait, -1) or 10)
            self._refused_since.pop(name, None)  # let in: its next refusal starts the count again
            job = self.job(name, gone, key)
            job.shared = shared
            return job

    def _rank(self, ticket: int) -> tuple:
        job = self._waiting[ticket]
        if not job.shown:
            return (0, ticket)
        if job in self._live[:self.side_by_side]:
            return (1, ticket)
        return (2, job.seq)

    def _wait_before(self, ticket: int) -> float | None:
        """0 when this request may run now; else how long to wait at most (None: until notified)."""
        if self._busy or min(self._waiting, key=self._rank) != ticket:
            return None
        if self._rank(ticket)[0] < 2:
            return 0
        now = time.monotonic()
        pauses = [job.between_since + self.grace - now for job in self._live[:self.side_by_side]
                  if job.between_since is not None]
        return max(0, max(pauses, default=0))

    def _take(self, job: Job, leaving: bool = False) -> None:
        """Wait for ``job``'s turn and take it; ``Abandoned`` instead if its student has gone (unless it is
        ``leaving``: its clean-up runs in a turn too)."""
        with self._changed:
            ticket = next(self._tickets)
            self._waiting[ticket] = job
            try:
                while (wait := self._wait_before(ticket)) != 0:
                    if not leaving and job.gone():
                        raise Abandoned(job.name)
                    self._changed.wait(1.0 if wait is None else min(wait, 1.0))
                if not leaving and job.gone():
                    raise Abandoned(job.name)
            finally:
                del self._waiting[ticket]
                self._changed.notify_all()
            self._busy, job.between_since = True, None
            self.taken += 1
        self._mine.job, self._mine.since = job, time.monotonic()
        if LONG_STEP_SECONDS > 0:
            self._mine.took = _where()
        if job.started is None:
            job.started = self._mine.since

    def _give_back(self) -> Job:
        job, self._mine.job = self._mine.job, None
        job.steps += 1
        job.shown = job.shown or not job.streamed  # a plain job's progress bar shows in its first step
        step = time.monotonic() - self._mine.since
        job.held += step
        if 0 < LONG_STEP_SECONDS < step:
            print(f"long heavy step: {job.name} step {job.steps} held {step:.1f} s, from {self._mine.took} "
                  f"to {_where()}", file=sys.stderr, flush=True)
        with self._changed:
            self._busy, job.between_since = False, time.monotonic()
            self._changed.notify_all()
        return job

    @property
    def holding(self) -> bool:
        """True in a thread that holds a turn (a heavy function called from another runs in its turn)."""
        return getattr(self._mine, "job", None) is not None

    @contextlib.contextmanager
    def turn(self, job: Job | None = None, leaving: bool = False):
        if self.holding:  # this thread's turn already (one heavy function in another)
            yield
            return
        alone = job is None  # a single step: a job of its own
        job = self.job() if alone else job
        try:
            self._take(job, leaving)
            try:
                yield
            finally:
                if self.holding:  # not when a break inside found the student gone (Abandoned, turn given back)
                    self._give_back()
        finally:
            if alone:
                self.done(job)

    @contextlib.contextmanager
    def set_aside(self):
        """Inside a turn: give it back for the block (waiting for another job's result, or letting the queue move
        on between two parts of a long job) and queue again after it, as the same job. Outside a turn: nothing."""
        if getattr(self._mine, "job", None) is None:
            yield
            return
        job = self._give_back()
        try:
            yield
        finally:
            self._take(job)

    def give_way(self) -> None:
        """A long plain job's break point (between epochs, methods, steps): the steps queued meanwhile may run."""
        with self.set_aside():
            pass

    def due(self, after: float = STEP_SECONDS) -> bool:
        """True when this thread's turn has lasted ``after`` seconds and another step waits or its student has gone
        (False outside a turn: a light event's call)."""
        job = getattr(self._mine, "job", None)
        if job is None or time.monotonic() - self._mine.since < after:
            return False
        with self._changed:
            return bool(self._waiting) or job.gone()

    def pause(self, after: float = STEP_SECONDS) -> None:
        """A break point inside a long loop (a training's mini-batches): gives way only when ``due``, so a loop
        that asks often costs nothing while no one waits."""
        if self.due(after):
            self.give_way()

    @property
    def waiting(self) -> int:
        """Steps waiting for their turn, and the one running."""
        with self._changed:
            return len(self._waiting) + self._busy

    def time_is_up(self, started: float | None = None, limit: float | None = None, ahead: float = 0.0) -> str | None:
        """Why a run that took its first step at ``started`` (``time.monotonic()``; default: the first step of this
        thread's job) should end with its result so far, counting ``ahead`` (the time its next part would take):
        "busy" when it has run ``limit`` seconds (default ``BUSY_RUN_SECONDS``; 0: never) while another student's heavy
        job is in line (one waiting for this run's answer does not count); "long" when it has run ``run_seconds``,
        alone or not; None: go on. In a heavy job's turn the clock runs from the job's admission if that came first:
        its student has waited since the click, and the wait for a first turn in a busy class (10 s and more on the
        Xeon) counts against the 120 s they give it. Never outside a heavy job's turn without ``started``, nor in
        the turn of a ``background`` job (a warm-up training the presets: nobody waits for it, and a cut one keeps
        nothing)."""
        limit = BUSY_RUN_SECONDS if limit is None else limit
        job = getattr(self._mine, "job", None)
        if started is None:
            started = None if job is None else job.started
        if started is not None and job is not None:
            started = min(started, job.admitted)
        if started is None or (job is not None and job.background):
            return None
        ran = time.monotonic() - started + ahead
        if limit > 0 and ran >= limit:
            with self._changed:
                if sum(not job.shared for job in self._live) > 1:  # this run and at least one other job
                    return "busy"
        return "long" if 0 < self.run_seconds <= ran else None

    def cut_short(self, why: str = "you") -> None:
        """The job of this thread's turn ends before its end (its student's Stop, ``time_is_up``: ``why``): its time
        is not the action's cost, its request is not answered, and nothing it computes from now on is memoised."""
        if self.holding:
            self._mine.job.cut = True
            self._mine.job.cut_why = self._mine.job.cut_why or why

    def cut_reason(self) -> str:
        """Why the job of this thread's turn was cut short: "long" (``run_seconds``), "you" (its Stop), or "busy"
        (others in line; also what a request waiting for another's run that was cut is told)."""
        job = getattr(self._mine, "job", None)
        return (job.cut_why if job is not None else None) or "busy"

    def part_done(self) -> float:
        """A long run's part has ended (``out_of_time`` asks at each): returns the longest part of this thread's job
        so far, in seconds (0 outside a heavy job)."""
        job = getattr(self._mine, "job", None)
        if job is None or job.started is None:
            return 0.0
        now = time.monotonic()
        job.longest_part = max(job.longest_part, now - (job.asked if job.asked is not None else job.started))
        job.asked = now
        return job.longest_part

    def out_of_time(self, started: float | None = None, next_part: float | None = None, after: float = 0.0,
                    parts: int = 1) -> str | None:
        """A long run's question between two of its parts: why it should end (``time_is_up``'s "busy" or "long"; the
        job is then cut short), or None. It ends when ``time_is_up``, or when
        its next ``parts`` parts (``next_part`` seconds each, the caller's estimate; default: as long as its longest
        so far) and ``after`` seconds of work it must still do would end past the limit. On a slower
        machine a Saliency check's parts take tens of seconds in a busy class, and asked only whether 80 s had
        passed, 5 checks ran on past the 120 s their students waited (bench/load-class-xeon-*.md)."""
        longest = self.part_done()
        why = self.time_is_up(started, ahead=parts * (longest if next_part is None else next_part) + after)
        if why:
            self.cut_short(why)
        return why

    def is_cut_short(self) -> bool:
        """True in the turn of a job cut short (``core.memo`` keeps nothing it computes: its result is partial)."""
        job = getattr(self._mine, "job", None)
        return job is not None and job.cut


def cut_seconds(why: str | None) -> float:
    """After how many seconds a run cut short for ``why`` ended ("long": ``RUN_SECONDS``; else ``BUSY_RUN_SECONDS``)."""
    return RUN_SECONDS if why == "long" else BUSY_RUN_SECONDS


TURNS = Turns()
give_way = TURNS.give_way
pause = TURNS.pause
set_aside = TURNS.set_aside
cut_short = TURNS.cut_short
out_of_time = TURNS.out_of_time
is_cut_short = TURNS.is_cut_short
cut_reason = TURNS.cut_reason


def breaks(model, turns: Turns = TURNS, after: float = STEP_SECONDS):
    """Cut the heavy steps that run ``model`` into pieces of about ``after`` seconds: before each forward pass (a
    batch of SmoothGrad's noisy copies, of IG's steps, of Occlusion's windows), and before each block of the model
    (each child of its ``nn.Sequential`` and ``nn.ModuleList`` containers: on a busy 2-core machine one pass of a
    batch through EfficientNet-Lite0 held the turn 2-4 s), a step that has run that long gives way to the steps
    waiting. Never while a hook of someone else is on the model (Captum's Grad-CAM keeps the layer's output through
    one), where another job's pass would run through it. The caller holds no lock across a forward pass (another
    step might wait for it while holding the turn). Returns ``model`` (hooked once)."""
    def pause(module, args):
        if turns.due(after) and not any(m._forward_hooks or any(hook is not pause for hook in m._forward_pre_hooks
                                                                  .values()) for m in model.modules()):
            turns.give_way()

    if not getattr(model, "_heavy_breaks", False):
        from torch import nn

        blocks = {id(child): child for container in model.modules()
                  if isinstance(container, (nn.Sequential, nn.ModuleList)) for child in container}
        for module in {id(model): model, **blocks}.values():
            module.register_forward_pre_hook(pause)
        model._heavy_breaks = True
    return model


def on_zero_gpu() -> bool:
    """True on a Hugging Face ZeroGPU Space (the ``spaces`` package reads ``SPACES_ZERO_GPU``)."""
    try:
        from spaces.config import Config
    except ImportError:
        return False
    return bool(Config.zero_gpu)


def gpu(fn, seconds: int):
    """``spaces.GPU(duration=seconds)(fn)`` when the ``spaces`` package is installed (unchanged off ZeroGPU)."""
    try:
        import spaces
    except ImportError:
        return fn
    return spaces.GPU(duration=seconds)(fn)


#: The job a heavy call was let in as (``admitting``), for ``taking_turns`` to run.
_ADMITTED: contextvars.ContextVar[Job | None] = contextvars.ContextVar("admitted", default=None)


def action(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


#: Arguments that do not change a memoised action's work: how the answer is worded, where it is filed, its bar.
NOT_THE_REQUEST = ("lang", "session", "progress")


def request_key(args, kwargs) -> str | None:
    """A digest of a call's inputs (numbers, text, arrays, lists and dicts of them; not ``NOT_THE_REQUEST``), or
    None when an input is something else (the same request cannot be told)."""
    digest = hashlib.sha256()

    def add(value) -> bool:
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # 3 and 3.0: the same number
            digest.update(repr(("number", float(value))).encode())
        elif value is None or isinstance(value, (bool, str, bytes)):
            digest.update(repr((type(value).__name__, value)).encode())
        elif hasattr(value, "dtype") and hasattr(value, "tobytes"):  # a numpy array (a picture, a drawing, audio)
            digest.update(repr(("array", str(value.dtype), tuple(value.shape))).encode())
            digest.update(value.tobytes())
        elif isinstance(value, (list, tuple)):
            digest.update(repr(("seq", len(value))).encode())
            return all(add(item) for item in value)
        elif isinstance(value, dict):
            digest.update(repr(("map", len(value))).encode())
            return all(add(str(k)) and add(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
        else:
            return False
        return True

    kwargs = {name: value for name, value in kwargs.items() if name not in NOT_THE_REQUEST}
    args = [value for value in args if type(value).__name__ != "Progress"]
    return digest.hexdigest() if add(args) and add(kwargs) else None


def admitting(fn, turns: Turns = TURNS, memoised: bool = False, ready=None):
    """``fn`` behind the door (``Turns.admit``), asked in the caller's thread: a busy server's answer comes at once,
    not after the lower-priority thread gets a core. The job let in waits in line for ``taking_turns`` inside.
    ``memoised``: ``fn`` answers a request it answered before from a memo (a plain one also waits for the same
    request running: a memo's single flight), so the same request is let in whatever the line; so is one for which
    ``ready(*args, **kwargs)`` (cheap, no work) says its answer is in the memo already."""
    name = action(fn)

    def in_memo(args, kwargs) -> bool:
        try:
            return ready is not None and bool(ready(*args, **{k: v for k, v in kwargs.items() if k != "progress"}))
        except Exception:  # bad input: the call itself says so
            return False

    def enter(args, kwargs) -> Job:
        key = request_key(args, kwargs) if memoised else None
        job = turns.admit(name, gradio_event_gone(), key, joins=not inspect.isgeneratorfunction(fn),
                          ready=in_memo(args, kwargs))
        _ADMITTED.set(job)  # the call's context goes along to the thread that runs it (low_priority)
        return job

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def admitted(*args, **kwargs):
            job = enter(args, kwargs)
            try:
                return (yield from fn(*args, **kwargs))
            finally:
                turns.done(job)  # (nothing left to do if taking_turns ran it)
    else:
        @functools.wraps(fn)
        def admitted(*args, **kwargs):
            if turns.holding:  # called from another heavy function, in its turn
                return fn(*args, **kwargs)
            job = enter(args, kwargs)
            try:
                return fn(*args, **kwargs)
            finally:
                _ADMITTED.set(None)
                turns.done(job)
    return admitted


class Last:
    """A streamed heavy action's last update: ``yield Last(update)`` says nothing heavy follows it, so the run ends
    as the update is shown, without a turn after it (``taking_turns``, ``ends_at_last``). Gradio drops a click on a
    button whose event still runs, and the generator's end (its final ``next``, which only learns that it has ended)
    used to wait for a turn of its own, behind the other students' steps in a class: an Attack clicked just after
    a result did nothing. ``heavy`` hands Gradio the update itself."""
    __slots__ = ("update",)

    def __init__(self, update):
        self.update = update


def ends_at_last(fn, original=None):
    """``fn``, a streamed heavy action (``original``: the function it was made from), ending as soon as it gives a
    ``Last`` update: the steps are closed (their clean-up needs no turn) and the update handed on unwrapped."""
    if not inspect.isgeneratorfunction(original or fn):
        return fn

    @functools.wraps(fn)
    def ending(*args, **kwargs):
        steps = fn(*args, **kwargs)
        try:
            for update in steps:
                if isinstance(update, Last):
                    steps.close()  # before the update goes out: the event ends with it
                    yield update.update
                    return
                yield update
        finally:
            steps.close()
    return ending


def taking_turns(fn, turns: Turns = TURNS):
    """``fn`` running in turns: each step of a generator (everything up to its next ``yield``) in one turn,
    a plain function's whole call in one turn; as the job it was let in as (``admitting``), or a new one. After a
    generator's ``Last`` update nothing takes a turn: its end or its clean-up runs at once."""
    name = action(fn)

    def start() -> Job:
        job = _ADMITTED.get()
        if job is not None and job.name == name:
            _ADMITTED.set(None)
            return job
        return turns.job(name, gradio_event_gone())

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stepped(*args, **kwargs):
            steps, job, finished = fn(*args, **kwargs), start(), False
            job.streamed = True  # its steps go first until its first update, breaks inside included
            try:
                while not finished:
                    with turns.turn(job):
                        try:
                            update = next(steps)
                        except StopIteration as end:
                            finished = True
                            return end.value
                    job.shown = True
                    finished = isinstance(update, Last)
                    yield update  # the turn is given back while the page shows the update
                return (yield from steps)  # after the last update: nothing heavy, no turn
            finally:
                if inspect.getgeneratorstate(steps) != inspect.GEN_CLOSED:
                    if finished:
                        steps.close()
                    else:
                        with turns.turn(job, leaving=True):  # left early (Stop, a closed page): clean-up in a turn
                            steps.close()
                turns.done(job, finished)
    else:
        @functools.wraps(fn)
        def stepped(*args, **kwargs):
            if turns.holding:  # called from another heavy function, in its turn
                return fn(*args, **kwargs)
            job, finished = start(), False
            try:
                with turns.turn(job):
                    value = fn(*args, **kwargs)
                finished = True
                return value
            finally:
                turns.done(job, finished)
    return stepped


def _lower_priority(nice: int) -> None:
    try:  # on Linux the nice value is the calling thread's own (a thread id is a process id to setpriority)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError:
        pass


@contextlib.contextmanager
def background(name: str, turns: Turns = TURNS, nice: int | None = None):
    """A block of heavy work nobody waits for (a tab's warm-up after launch) run as a heavy job: in turns with the
    students' heavy steps (their first steps before its next one; it gives way at the same break points), at the
    heavy steps' priority (``nice``, default ``HEAVY_NICE``: this thread's for good, so give it a thread of its
    own), not counted in a busy class's line (``Turns.admit``, ``time_is_up``), and never cut short (``time_is_up``):
    in a busy class the warm-up took 3 minutes, and a cut preset is not memoised. Before, the warm-up ran beside
    the heavy steps at the light events' priority, for minutes after a launch into a class."""
    _lower_priority(HEAVY_NICE if nice is None else nice)
    job = turns.job(name)
    job.shared = job.background = True
    try:
        with turns.turn(job):
            yield job
    finally:
        turns.done(job)


def low_priority(fn, nice: int | None = None):
    """``fn`` run in a thread of its own at a lower priority (``nice``, default ``HEAVY_NICE``), the caller waiting for
    it; a generator's steps all run in that thread, one per ``next``, as the caller asks for them. The caller's
    context (Gradio's progress bar and pop-ups) goes along. Only on Linux, where a thread has its own nice value."""
    nice = HEAVY_NICE if nice is None else nice
    if nice <= 0 or sys.platform != "linux":
        return fn

    def thread():
        return ThreadPoolExecutor(1, thread_name_prefix="heavy", initializer=_lower_priority, initargs=(nice,))

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def relayed(*args, **kwargs):
            context = contextvars.copy_context()
            with thread() as pool:
                def run(call, *more):
                    return pool.submit(context.run, call, *more).result()
                steps = run(functools.partial(fn, *args, **kwargs))
                try:
                    while True:
                        try:
                            update = run(next, steps)
                        except StopIteration as finished:
                            return finished.value
                        yield update
                finally:
                    run(steps.close)  # left early (Stop, a closed page): its clean-up runs there too
    else:
        @functools.wraps(fn)
        def relayed(*args, **kwargs):
            context = contextvars.copy_context()
            with thread() as pool:
                return pool.submit(context.run, functools.partial(fn, *args, **kwargs)).result()
    return relayed


def heavy(gpu_seconds: int, memoised: bool = False, ready=None):
    """Decorator for a heavy event function (see the module docstring); ``gpu_seconds``: the longest the action
    takes on a GPU, which ZeroGPU uses to schedule it; ``memoised``: a request answered before is answered from
    a memo; ``ready``: a cheap probe of the call's arguments, true when the memo holds its answer (``admitting``)."""
    def decorate(fn):
        decorated = ends_at_last(gpu(fn, gpu_seconds) if on_zero_gpu() else
                                 gpu(admitting(low_priority(taking_turns(fn)), memoised=memoised, ready=ready),
                                     gpu_seconds), fn)
        decorated.gpu_seconds = gpu_seconds  # marks it heavy (@handler keeps it); tests check every heavy event
        return decorated
    return decorate
