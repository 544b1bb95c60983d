"""Heavy actions (attacks, trainings, SmoothGrad, sanity checks): fair turns on a CPU, a GPU on ZeroGPU.

``@heavy(gpu_seconds)`` goes under ``@handler`` on every heavy event function:

- **On a CPU machine** heavy work takes turns: one step at a time, first come first served. A streamed action
  (a generator) takes one turn per step and gives it back at every ``yield``, so ten students' attacks advance
  side by side, and a student who clicks while nine run sees a first update after at most one step of each,
  instead of after nine whole jobs. A plain heavy function is one step, cut into several where it calls
  ``give_way()`` (its progress reports do). Steps never overlap, so the light events keep a core
  (``core.device.heavy_threads``).
- **On a Hugging Face ZeroGPU Space** (``SPACES_ZERO_GPU``), the function is wrapped by the ``spaces`` package's
  ``@spaces.GPU(duration=gpu_seconds)`` instead: ZeroGPU lends a GPU for the call, no turns needed. Anywhere
  else ``spaces.GPU`` returns the function unchanged; without the package there is no wrapping at all.

Turns cannot deadlock as long as no one waits for another job while holding the turn: the memo's single flight
waits with its turn set aside (``set_aside``), and no lock is held across a ``yield`` or a ``give_way()``.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import threading

#: How many heavy actions Gradio lets in at once (each then waits for its turns); more wait in Gradio's queue.
HEAVY_AT_ONCE = 12


class Turns:
    """A first-come-first-served lock (a ticket lock): ``with turns.turn(): ...`` runs when every earlier
    ticket has had its turn, so no one waits longer than the steps queued before it."""

    def __init__(self):
        self._changed = threading.Condition()
        self._issued = 0
        self._serving = 0
        self._mine = threading.local()  # does this thread hold the turn now?

    def _take(self) -> None:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            while ticket != self._serving:
                self._changed.wait()
        self._mine.held = True

    def _give_back(self) -> None:
        self._mine.held = False
        with self._changed:
            self._serving += 1
            self._changed.notify_all()

    @contextlib.contextmanager
    def turn(self):
        if getattr(self._mine, "held", False):  # already this thread's turn (one heavy function calling another)
            yield
            return
        self._take()
        try:
            yield
        finally:
            self._give_back()

    @contextlib.contextmanager
    def set_aside(self):
        """Inside a turn: give it back for the block (waiting for another job's result, or letting the queue move
        on between two parts of a long job) and queue again after it. Outside a turn: nothing."""
        if not getattr(self._mine, "held", False):
            yield
            return
        self._give_back()
        try:
            yield
        finally:
            self._take()

    def give_way(self) -> None:
        """A long plain job's break point (between epochs, methods, steps): the steps queued meanwhile run first."""
        with self.set_aside():
            pass

    @property
    def waiting(self) -> int:
        """Tickets issued and not yet served (the one running included)."""
        with self._changed:
            return self._issued - self._serving


TURNS = Turns()
give_way = TURNS.give_way
set_aside = TURNS.set_aside


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


def taking_turns(fn, turns: Turns = TURNS):
    """``fn`` running in turns: each step of a generator (everything up to its next ``yield``) in one turn,
    a plain function's whole call in one turn."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stepped(*args, **kwargs):
            steps = fn(*args, **kwargs)
            try:
                while True:
                    with turns.turn():
                        try:
                            update = next(steps)
                        except StopIteration as finished:
                            return finished.value
                    yield update  # the turn is given back while the page shows the update
            finally:
                if inspect.getgeneratorstate(steps) != inspect.GEN_CLOSED:
                    with turns.turn():  # a run left early (Stop, a closed page) cleans up in a turn too
                        steps.close()
    else:
        @functools.wraps(fn)
        def stepped(*args, **kwargs):
            with turns.turn():
                return fn(*args, **kwargs)
    return stepped


def heavy(gpu_seconds: int):
    """Decorator for a heavy event function (see the module docstring); ``gpu_seconds``: the longest the action
    takes on a GPU, which ZeroGPU uses to schedule it."""
    def decorate(fn):
        decorated = gpu(fn, gpu_seconds) if on_zero_gpu() else gpu(taking_turns(fn), gpu_seconds)
        decorated.gpu_seconds = gpu_seconds  # marks it heavy (@handler keeps it); tests check every heavy event
        return decorated
    return decorate
