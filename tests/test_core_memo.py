"""The memo: bounded, least-recently-used, and single flight (N identical concurrent calls, one computation)."""
import os
import sys
import threading
import time

import pytest

from core.memo import Memo, SessionStore


def test_a_repeated_key_is_computed_once_and_marked_shared():
    memo = Memo(maxsize=4)
    calls = []
    assert memo.get("a", lambda: calls.append(1) or 10) == (10, False)
    assert memo.get("a", lambda: calls.append(1) or 99) == (10, True)
    assert calls == [1] and memo.computed == 1


def test_concurrent_identical_requests_cause_one_computation():
    memo = Memo()
    started, release = threading.Event(), threading.Event()
    computations = []

    def slow():
        computations.append(threading.get_ident())
        started.set()
        release.wait(5)
        return "result"

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(memo.get(("train", 4.0, 0), slow))) for _ in range(30)]
    for thread in threads:
        thread.start()
    assert started.wait(5)
    time.sleep(0.1)  # let the other 29 arrive while the first is still computing
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(computations) == 1
    assert sorted(answers, key=lambda a: a[1]) == [("result", False)] + [("result", True)] * 29


def test_least_recently_used_entries_are_evicted():
    memo = Memo(maxsize=2)
    memo.get(1, lambda: "one")
    memo.get(2, lambda: "two")
    memo.get(1, lambda: "one again")  # 1 is now the most recent
    memo.get(3, lambda: "three")  # evicts 2
    assert 1 in memo and 3 in memo and 2 not in memo and len(memo) == 2
    assert memo.get(2, lambda: "two, recomputed") == ("two, recomputed", False)


def test_a_failure_reaches_every_waiter_and_is_not_stored():
    memo = Memo()
    started, release = threading.Event(), threading.Event()

    def failing():
        started.set()
        release.wait(5)
        raise RuntimeError("boom")

    errors = []

    def call():
        try:
            memo.get("k", failing)
        except RuntimeError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert started.wait(5)
    time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(5)
    assert errors == ["boom"] * 5
    assert memo.get("k", lambda: "fine now") == ("fine now", False)


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        Memo(maxsize=0)


def test_peek_never_computes_or_stores():
    from core.memo import Memo

    memo = Memo(maxsize=2)
    assert memo.peek("a") is None and memo.peek("a", 7) == 7
    assert "a" not in memo and memo.computed == 0  # a miss leaves nothing behind (no None to be served later)
    memo.get("a", lambda: 1)
    assert memo.peek("a") == 1 and memo.computed == 1


def test_put_replaces_a_value_and_keeps_the_bound():
    memo = Memo(maxsize=2)
    memo.put("a", 1)
    memo.put("a", 2)  # replaced, not kept beside
    assert memo.peek("a") == 2 and len(memo) == 1
    memo.put("b", 3)
    memo.put("c", 4)  # "a" is the least recently used: it goes
    assert "a" not in memo and memo.peek("b") == 3 and memo.peek("c") == 4
    assert memo.get("c", lambda: pytest.fail("a put value is not computed again")) == (4, True)


def test_a_sessions_values_survive_any_number_of_other_sessions_work():
    """Issue 21: one store of 32 shared by a class lost a student's attack after 32 other attacks. A session's own
    values stay however much others store, until that session itself stores more than its share."""
    store = SessionStore(per_session=2, sessions=128)
    store.put("ana", "attack", 1)
    for i in range(100):  # 100 other students, two attacks each
        store.put(f"student{i}", "a", i)
        store.put(f"student{i}", "b", i)
    assert store.peek("ana", "attack") == 1 and store.peek("student3", "attack") is None
    store.put("ana", "second", 2)
    store.put("ana", "third", 3)
    assert store.peek("ana", "attack") is None and store.peek("ana", "third") == 3  # her own share: 2


def test_the_longest_idle_session_goes_first_beyond_the_limit():
    store = SessionStore(per_session=1, sessions=3)
    for name in ("a", "b", "c"):
        store.put(name, "k", name)
    assert store.peek("a", "k") == "a"  # a is active again: b is now the longest idle
    store.put("d", "k", "d")
    assert store.peek("b", "k") is None and store.peek("a", "k") == "a" and len(store) == 3
    with pytest.raises(ValueError):
        SessionStore(per_session=0)


def test_a_memo_with_a_byte_budget_keeps_the_newest_results_within_it():
    """Issue 21 (RSS): a class fills every memo; bounded by count alone, 32 sanity checks of ~13 MB were 430 MB."""
    import numpy as np
    import torch

    from core.memo import nbytes

    assert nbytes(np.zeros(1000, np.float32)) == 4000 and nbytes(torch.zeros(10, dtype=torch.float64)) == 80
    shared = np.zeros(2**18, np.float32)  # 1 MB, referred to twice: counted once
    assert nbytes({"a": (shared, [shared]), "b": "text"}) == shared.nbytes
    memo = Memo(maxsize=100, max_mb=3)
    for key in range(5):
        memo.put(key, (np.zeros(2**18, np.float32), "label"))  # 1 MB each
    assert len(memo) == 3 and 0 not in memo and 4 in memo and memo.bytes == 3 * 2**20
    memo.put("huge", np.zeros(2**20, np.float32))  # 4 MB: alone over the budget, still kept as the newest
    assert len(memo) == 1 and "huge" in memo and memo.bytes == 4 * 2**20
    memo.clear()
    assert memo.bytes == 0 and len(memo) == 0


def test_a_value_computed_by_a_run_cut_short_reaches_its_waiters_but_is_not_kept():
    """Issue 21: a heavy run a busy class cut short (core.heavy.out_of_time) computed part of its answer: the
    requests waiting for it get that, and the next request computes the whole answer."""
    from core import heavy

    memo, started, release, waited = Memo(), threading.Event(), threading.Event(), []

    def partial():
        heavy.TURNS.cut_short()
        started.set()
        release.wait(5)
        return "partial"

    cut, whole = heavy.TURNS.job("memo-test"), heavy.TURNS.job("memo-test")
    try:
        waiter = threading.Thread(target=lambda: started.wait(5) and waited.append(memo.get("k", lambda: "other")))
        waiter.start()
        with heavy.TURNS.turn(cut):
            threading.Timer(0.2, release.set).start()
            assert memo.get("k", partial) == ("partial", False)
        waiter.join(5)
        assert waited == [("partial", True)] and "k" not in memo and cut.cut
        with heavy.TURNS.turn(whole):
            assert memo.get("k", lambda: "whole") == ("whole", False)
        assert memo.get("k", lambda: "again") == ("whole", True)
    finally:
        heavy.TURNS.done(cut)
        heavy.TURNS.done(whole)


def test_the_memory_report_names_each_store_with_its_entries_and_bytes():
    """What the server's caches hold, by where each was made (the log's answer to "what grew?" in a class); a store
    that is gone is not reported."""
    import gc

    import numpy as np

    from core.memo import memory_report

    line = sys._getframe().f_lineno
    memo = Memo(maxsize=4)
    store = SessionStore(per_session=2)
    memo.get("a", lambda: np.zeros(1000, np.float32))
    memo.get("b", lambda: (np.zeros(10, np.uint8), "text"))
    store.put("session", "attack", np.zeros(250, np.float64))
    store.put("another", "attack", np.zeros(5, np.float64))
    rows = {where: (entries, size) for where, entries, size in memory_report()}
    assert rows[f"tests/test_core_memo.py:{line + 1}"] == (2, 4010)
    assert rows[f"tests/test_core_memo.py:{line + 2}"] == (2, 2040)
    del memo, store
    gc.collect()
    assert not [where for where, _, _ in memory_report() if where.startswith("tests/test_core_memo.py")]


def test_the_app_logs_its_memory_when_signalled(caplog, monkeypatch):
    """``kill -USR1`` (bench.load at each rest): the log gets the RSS, Gradio's session count and the memos."""
    import signal
    from types import SimpleNamespace

    import numpy as np

    import app

    memo = Memo(maxsize=2)
    memo.get("kept", lambda: np.zeros(2**20, np.uint8))
    demo = SimpleNamespace(state_holder=SimpleNamespace(session_data={"s1": 1, "s2": 2, "s3": 3}))
    previous = signal.getsignal(signal.SIGUSR1)
    monkeypatch.setattr(app, "MODULES_AT_WARM", set(sys.modules) - {"json", "json.decoder"})  # as if imported later
    try:
        app.log_memory_on_signal(demo)
        with caplog.at_level("INFO", logger="mldemo"):
            os.kill(os.getpid(), signal.SIGUSR1)
            deadline = time.monotonic() + 10
            while not any("memory:   tests/test_core_memo.py" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
                time.sleep(0.05)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    said = [r.getMessage() for r in caplog.records]
    head = next(line for line in said if line.startswith("memory: RSS"))
    assert "Gradio keeps 3 sessions" in head and int(head.split("RSS ")[1].split(" MB")[0]) > 50
    assert any(line.endswith(": 1 entries, 1.0 MB") and "test_core_memo.py" in line for line in said)
    assert any(" modules imported since the warm-up, from " in line and "json, json.decoder" in line
               for line in said), said
    heap = next(line for line in said if line.startswith("memory: malloc: "))
    in_use = int(heap.split("malloc: ")[1].split(" MB")[0])
    assert 10 < in_use < int(head.split("RSS ")[1].split(" MB")[0])  # torch and numpy loaded; part of the RSS


def test_glibc_says_what_the_heap_holds():
    """core.device.heap_usage (mallinfo2, every arena): 64 MB allocated show as in use, and leave when freed."""
    from core.device import heap_usage

    before = heap_usage()
    if before is None:
        pytest.skip("not glibc")
    block = bytearray(64 * 2**20)
    during = heap_usage()
    del block
    after = heap_usage()
    assert 63 < during["in_use"] - before["in_use"] < 65  # in a block of its own, or from freed heap (a long run)
    assert 0 <= during["mmapped"] <= during["in_use"] and before["free"] >= 0
    assert abs(after["in_use"] - before["in_use"]) < 1


def test_traced_memory_says_where_what_is_alive_was_made():
    """DEMO_TRACE_MEMORY (core.device.traced_memory): 8 MB kept by a line of this file are counted at that line,
    with the library frame that allocated them; freed, they are gone from the report."""
    import tracemalloc

    import numpy as np

    from core.device import trace_memory_from_now, traced_memory

    was_tracing = tracemalloc.is_tracing()
    assert trace_memory_from_now(5)
    try:
        kept = [np.ones(2**20) for _ in range(1)]  # 8 MB
        line = sys._getframe().f_lineno - 1
        rows = traced_memory()
        mine = [row for row in rows if row[0].startswith(f"tests/test_core_memo.py:{line} → ")]
        assert mine and mine[0][1] == 8, rows
        del kept
        assert not [row for row in traced_memory() if row[0].startswith(f"tests/test_core_memo.py:{line} ")]
    finally:
        if not was_tracing:
            tracemalloc.stop()
    assert traced_memory() == [] or was_tracing
    assert trace_memory_from_now(0) == was_tracing


KEPT_BY_A_PRODUCT = """
import sys
sys.path.insert(0, {root!r})
if {with_app}:
    import app  # noqa: F401  (its settings, before torch)
import gc
import torch
from core.device import heap_usage, _return_free_memory
torch.set_num_threads(1)
layer = torch.nn.Linear(384, 30522)  # BERT's output layer
with torch.inference_mode():
    layer(torch.randn(2, 384))
    _return_free_memory()
    before = heap_usage()["in_use"]
    layer(torch.randn(89, 384))  # one 89-token sentence
gc.collect()
_return_free_memory()
print(heap_usage()["in_use"] - before)
"""


def _kept_by_a_product(with_app: bool) -> float:
    import subprocess

    from core import ROOT

    env = {key: value for key, value in os.environ.items() if key != "MKL_DISABLE_FAST_MM"}
    done = subprocess.run([sys.executable, "-c", KEPT_BY_A_PRODUCT.format(root=ROOT, with_app=with_app)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return float(done.stdout.strip().splitlines()[-1])


def test_the_app_keeps_no_matrix_buffers_after_a_product():
    """app.py turns MKL's memory manager off: a product as large as BERT's output layer over a long sentence keeps
    nothing once done (with it on, MKL kept its buffers for the thread: 19 MB here, 67 MB for a BERT pass)."""
    from core.device import heap_usage

    if heap_usage() is None:
        pytest.skip("glibc's mallinfo2 is needed to read the heap")
    kept_plain = _kept_by_a_product(with_app=False)
    if kept_plain < 8:
        pytest.skip(f"this torch's BLAS keeps no buffers ({kept_plain:.1f} MB kept without the setting)")
    assert _kept_by_a_product(with_app=True) < 2
