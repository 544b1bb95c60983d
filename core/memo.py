"""Heavy results are computed once: a bounded LRU memo with single flight.

Every heavy action is a pure function of its inputs (seeds included), so its result can be kept and
shared. When 30 students press "Train" with the same settings, the first request computes and the
other 29 wait for that one computation instead of queueing 29 more; later requests are answered
from the memo. The caller learns whether its answer was shared, so the UI can say "cached". A value computed
by a heavy job cut short (``core.heavy.out_of_time``: a busy class) is partial: the requests waiting for it get it,
and it is not kept.
"""
from __future__ import annotations

import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from core import ROOT, heavy

T = TypeVar("T")

#: How many browser sessions the server remembers, the least recently used going first: what a session made
#: (``SessionStore``) and Gradio's own state of each session (``app.py``: ``state_session_capacity``, 10,000 by
#: default; nothing else frees it: bench/sessions_memory.py; ~0.9 MB each before ``core.sessions``, ~30 KB and the
#: values its events last showed since). A class of 50 reloading their pages stays well inside it; memory stays
#: bounded over a day of classes.
SESSIONS = int(os.environ.get("DEMO_SESSIONS", "200"))


#: Every memo and session store alive, for ``memory_report``.
_ALL: weakref.WeakSet = weakref.WeakSet()


def _made_in() -> str:
    """Where the caller's caller made this store ("demos/saliency/ui.py:84"), skipping this module and core.export."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.endswith(("core/memo.py", "core/export.py")):
        frame = frame.f_back
    return "?" if frame is None else f"{os.path.relpath(frame.f_code.co_filename, ROOT)}:{frame.f_lineno}"


def memory_report() -> list[tuple[str, int, int]]:
    """(where it was made, entries, bytes of the arrays it holds) for every memo and session store alive, largest
    first: what the server's own caches keep (``app.py`` logs it on SIGUSR1; ``nbytes`` counts arrays, not the
    small Python objects around them)."""
    rows = []
    for store in list(_ALL):
        with store._lock:
            values = list(store._values.values()) if isinstance(store, Memo) else \
                [value for kept in store._stores.values() for value in kept.values()]
        rows.append((store.made_in, len(values), sum(nbytes(value) for value in values)))
    return sorted(rows, key=lambda row: (-row[2], row[0]))


class _Flight:
    """One computation in progress; the requests that arrive meanwhile wait on ``done``."""

    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None


def nbytes(value, _seen=None) -> int:
    """About how many bytes ``value`` keeps alive: its arrays and tensors (numpy, torch, PIL images, bytes), found
    through tuples, lists, dicts and object attributes (dataclasses); the small Python objects around them are not
    counted. Each array once, however often it is referred to."""
    seen = set() if _seen is None else _seen
    if id(value) in seen or value is None or isinstance(value, (bool, int, float, str)):
        return 0
    seen.add(id(value))
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(getattr(value, "nbytes", None), int):  # numpy (and torch)
        return int(value.nbytes)
    if hasattr(value, "element_size") and hasattr(value, "nelement"):  # torch
        return int(value.element_size() * value.nelement())
    if hasattr(value, "getbands") and hasattr(value, "size"):  # PIL
        return len(value.getbands()) * value.size[0] * value.size[1]
    if isinstance(value, dict):
        return sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if isinstance(value, (tuple, list, set, frozenset)):
        return sum(nbytes(item, seen) for item in value)
    fields = getattr(value, "__dict__", None)
    if isinstance(fields, dict):
        return sum(nbytes(item, seen) for item in fields.values())
    return 0


class Memo:
    """``get(key, compute)`` returns ``(value, shared)``; ``shared`` is False only for the caller that computed it.
    It keeps at most ``maxsize`` values and, with ``max_mb``, at most that many megabytes of their arrays (the least
    recently used go first; the newest value always stays), so a class's worth of results cannot grow the server."""

    def __init__(self, maxsize: int = 32, max_mb: float | None = None):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.max_bytes = None if max_mb is None else int(max_mb * 2**20)
        self._sizes: dict[Hashable, int] = {}
        self.bytes = 0
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many times compute() ran (tests and the bench read it)
        self.made_in = _made_in()
        _ALL.add(self)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def peek(self, key: Hashable, default=None):
        """The stored value, or ``default``; never computes or stores anything."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            return default

    def get(self, key: Hashable, compute: Callable[[], T]) -> tuple[T, bool]:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key], True
                flight = self._flights.get(key)
                owner = flight is None
                if owner:
                    flight = self._flights[key] = _Flight()
                    self.computed += 1
            if owner:
                break
            with heavy.set_aside():  # a heavy job waiting for another's computation lets that one have the turn
                flight.done.wait()
            if isinstance(flight.error, heavy.Abandoned):  # its student left; this one is still here: compute it
                continue
            if flight.error is not None:
                raise flight.error
            return flight.value, True
        try:
            value = compute()
        except BaseException as exc:
            flight.error = exc  # the waiters fail the same way; nothing is stored, so a retry recomputes
            with self._lock:
                del self._flights[key]
            flight.done.set()
            raise
        with self._lock:
            if not heavy.is_cut_short():  # a run cut short (a busy class, a Stop) got part of its answer: not kept
                self._store(key, value)
            del self._flights[key]
        flight.value = value
        flight.done.set()
        return value, False

    def put(self, key: Hashable, value) -> None:
        """Store ``value`` under ``key``, replacing what was there (a result known without ``compute``, such as a
        run stopped early that still counts); the least recently used entries go beyond ``maxsize``."""
        with self._lock:
            self._store(key, value)

    def _store(self, key: Hashable, value) -> None:
        """Under the lock: ``value`` in as the newest, then the least recently used out beyond the limits."""
        size = nbytes(value) if self.max_bytes is not None else 0
        self.bytes += size - self._sizes.get(key, 0)
        self._values[key], self._sizes[key] = value, size
        self._values.move_to_end(key)
        while len(self._values) > 1 and (len(self._values) > self.maxsize
                                         or (self.max_bytes is not None and self.bytes > self.max_bytes)):
            old, _ = self._values.popitem(last=False)
            self.bytes -= self._sizes.pop(old)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._sizes.clear()
            self.bytes = 0


class SessionStore:
    """What one browser session made (its finished attack, say), kept for that session only: another user's work
    never pushes it out. Each session keeps its ``per_session`` latest values; beyond ``sessions`` sessions, the one
    idle longest goes. ``put(session, key, value)``, ``peek(session, key)``."""

    def __init__(self, per_session: int = 2, sessions: int = SESSIONS):
        if per_session < 1 or sessions < 1:
            raise ValueError("per_session and sessions must be at least 1")
        self.per_session, self.sessions = per_session, sessions
        self._stores: OrderedDict[str, OrderedDict[Hashable, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.made_in = _made_in()
        _ALL.add(self)

    def put(self, session: str, key: Hashable, value) -> None:
        with self._lock:
            store = self._stores.setdefault(session, OrderedDict())
            self._stores.move_to_end(session)
            store[key] = value
            store.move_to_end(key)
            while len(store) > self.per_session:
                store.popitem(last=False)
            while len(self._stores) > self.sessions:
                self._stores.popitem(last=False)

    def peek(self, session: str, key: Hashable, default=None):
        with self._lock:
            store = self._stores.get(session)
            if store is None or key not in store:
                return default
            self._stores.move_to_end(session)
            return store[key]

    def __len__(self) -> int:
        with self._lock:
            return sum(len(store) for store in self._stores.values())
