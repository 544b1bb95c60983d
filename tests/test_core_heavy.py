"""core.heavy: heavy actions take fair turns step by step on a CPU, and go through @spaces.GPU on ZeroGPU."""
import contextvars
import os
import sys
import threading
import time

import numpy as np
import pytest
import torch

from core import heavy
from core.heavy import Turns, taking_turns


def run_in_threads(*jobs):
    threads = [threading.Thread(target=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # each thread gets to the lock in this order
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)


def test_turns_are_served_first_come_first_served():
    turns, order = Turns(), []
    hold = threading.Event()

    def first():
        with turns.turn():
            hold.wait(5)
            order.append(0)

    def later(number):
        def job():
            with turns.turn():
                order.append(number)
        return job

    holder = threading.Thread(target=first)
    holder.start()
    time.sleep(0.05)
    waiting = [threading.Thread(target=later(n)) for n in range(1, 6)]
    for thread in waiting:
        thread.start()
        time.sleep(0.05)  # tickets 1..5 in this order
    assert turns.waiting == 6
    hold.set()
    for thread in [holder, *waiting]:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4, 5] and turns.waiting == 0


def test_two_streamed_jobs_advance_side_by_side():
    """The point of turns: a second job's first step runs after one step of the first, not after all of it
    (a lane of one job at a time gave A A A A B B B B)."""
    turns, log = Turns(), []

    def job(name, steps=4):
        def run():
            for step in range(steps):
                time.sleep(0.02)  # the step's work, inside the turn
                log.append(name)
                yield step
        return taking_turns(run, turns)

    def consume(name):
        def go():
            for _ in job(name)():
                time.sleep(0.01)  # the page shows the update, outside the turn
        return go

    run_in_threads(consume("A"), consume("B"))
    assert sorted(log) == ["A"] * 4 + ["B"] * 4
    assert log.index("B") <= 2  # B's first step came after at most two of A's
    assert "".join(log) != "AAAABBBB"


def streamed_jobs(turns, names, steps=3):
    """Generator jobs named ``names`` (started 0.05 s apart by run_in_threads) logging each step they take."""
    log = []

    def job(name):
        def run():
            for step in range(steps):
                time.sleep(0.03)  # the step's work, inside the turn
                log.append(name)
                yield step
        stepped = taking_turns(run, turns)

        def consume():
            for _ in stepped():
                time.sleep(0.01)  # the page shows the update, outside the turn
        return consume

    return log, [job(name) for name in names]


def test_every_job_starts_at_once_and_with_one_side_by_side_they_finish_in_order():
    """Issue 21: on an overloaded machine pure turn-taking makes every job late (long ones past the page's
    patience). First steps go first, so each student sees a first update soon; then the oldest job runs on."""
    turns = Turns(side_by_side=1)
    log, jobs = streamed_jobs(turns, "ABC", steps=6)
    run_in_threads(*jobs)
    last = {name: len(log) - 1 - log[::-1].index(name) for name in "ABC"}
    assert log.index("C") < last["A"]  # C's first update came while A still ran
    assert all(i > last["A"] for i, name in enumerate(log) if name == "B" and i != log.index("B"))
    assert all(i > last["B"] for i, name in enumerate(log) if name == "C" and i != log.index("C"))
    assert turns.waiting == 0


def test_a_streamed_jobs_first_update_keeps_its_place_across_the_breaks_inside_it():
    """Issue 21: with breaks inside a model's pass (and a GAN chunk's steps), a first step that gave way lost its
    place to the oldest job's whole run: in a class the attack's first update went from p95 2.5 s to 55 s. Until
    its student has seen an update, a streamed job's steps go first; after it, it waits its place."""
    turns, log = Turns(side_by_side=1), []

    def old():
        for step in range(12):
            time.sleep(0.03)
            log.append("A")
            yield step

    def newcomer():
        for step in range(3):
            for _ in range(8):  # a first step of 8 passes, with a break after each once it has run 0.05 s
                time.sleep(0.02)
                turns.pause(after=0.05)
            log.append("B")
            yield step

    def consume(fn, delay=0.0):
        def go():
            time.sleep(delay)
            for _ in taking_turns(fn, turns)():
                time.sleep(0.01)
        return go

    run_in_threads(consume(old), consume(newcomer, delay=0.1))
    first_b = log.index("B")
    assert first_b <= 5  # B's first update after a few of A's steps, not after A's 12
    assert log[first_b + 1:].count("A") >= 4 and log[-1] == "B"  # then B waits for A, the oldest, to end
    assert log.index("B", first_b + 1) > len(log) - 3


def test_the_oldest_jobs_advance_side_by_side_and_a_younger_one_waits_after_its_first_step():
    turns = Turns(side_by_side=2)
    log, jobs = streamed_jobs(turns, "ABC", steps=6)
    run_in_threads(*jobs)
    last = {name: len(log) - 1 - log[::-1].index(name) for name in "ABC"}
    b_steps = [i for i, name in enumerate(log) if name == "B"]
    assert b_steps[1] < last["A"]  # A and B side by side
    c_steps = [i for i, name in enumerate(log) if name == "C"]
    assert c_steps[0] < last["A"] and c_steps[1] > min(last["A"], last["B"])  # C waits for a place after its first


def test_a_younger_job_fills_the_oldest_ones_long_pause_but_not_its_short_gaps():
    """Nothing waits for a job that is not coming back soon (a slow page, a set-aside turn): after the grace."""
    turns, log = Turns(side_by_side=1, grace=0.1), []

    def job(name, pause):
        def run():
            for step in range(3):
                log.append(name)
                yield step

        def consume():
            for _ in taking_turns(run, turns)():
                time.sleep(pause)
        return consume

    run_in_threads(job("A", 0.5), job("B", 0))
    assert log[:2] == ["A", "B"] and log[2:4] == ["B", "B"]  # B's later steps ran in A's first long pause
    assert turns.waiting == 0


def test_a_plain_heavy_function_is_one_turn_and_returns_its_value():
    turns, inside = Turns(), []

    def work(x, y=1):
        inside.append(turns.waiting)
        return x + y

    assert taking_turns(work, turns)(2, y=3) == 5 and inside == [1] and turns.waiting == 0


def test_a_job_left_early_cleans_up_in_a_turn_and_a_finished_one_takes_no_extra_turn():
    turns, events = Turns(), []

    def run():
        try:
            yield 1
            yield 2
        finally:
            events.append(("cleanup", turns.waiting))

    stepped = taking_turns(run, turns)()
    assert next(stepped) == 1
    stepped.close()  # Stop pressed, or the page closed
    assert events == [("cleanup", 1)]  # ran holding a turn
    assert turns.waiting == 0

    finished = list(taking_turns(run, turns)())
    assert finished == [1, 2] and turns.waiting == 0
    assert turns.taken == 2 + 3  # two turns above; here two steps and the end, no clean-up turn


def test_an_error_in_a_step_gives_the_turn_back():
    turns = Turns()

    def run():
        yield 1
        raise ValueError("bad input")

    stepped = taking_turns(run, turns)()
    next(stepped)
    with pytest.raises(ValueError):
        next(stepped)
    assert turns.waiting == 0
    with turns.turn():  # the next job is not locked out
        pass


def test_heavy_keeps_the_functions_signature_and_kind():
    import inspect

    @heavy.heavy(gpu_seconds=30)
    def job(picture, steps=3, lang="en"):
        yield steps

    assert inspect.isgeneratorfunction(job)
    assert list(inspect.signature(job).parameters) == ["picture", "steps", "lang"]
    assert list(job(None)) == [3]


def test_on_zero_gpu_heavy_functions_go_through_spaces_gpu_with_their_duration(monkeypatch):
    """The ZeroGPU path, tried on a CPU with the ``spaces`` package installed: off ZeroGPU spaces.GPU gives the
    function back unchanged (so turns are used); on ZeroGPU the function goes to spaces.GPU with its duration, and
    takes no turns (each call gets its own GPU)."""
    spaces = pytest.importorskip("spaces")
    from spaces.config import Config

    def plain(x):
        return x * 2

    assert spaces.GPU(duration=5)(plain) is plain  # off ZeroGPU: effect-free, as core.heavy relies on
    wrapped = []
    monkeypatch.setattr(spaces, "GPU", lambda duration: lambda fn: wrapped.append((fn, duration)) or fn)
    monkeypatch.setattr(Config, "zero_gpu", True)
    assert heavy.on_zero_gpu()
    decorated = heavy.heavy(gpu_seconds=45)(plain)
    assert wrapped == [(plain, 45)] and decorated is plain  # the function itself, no turns
    monkeypatch.setattr(Config, "zero_gpu", False)
    wrapped.clear()
    decorated = heavy.heavy(gpu_seconds=45)(plain)
    assert len(wrapped) == 1 and wrapped[0][0] is not plain and decorated(4) == 8  # the turn-taking one


def test_a_long_plain_job_gives_way_at_its_break_points():
    """A distillation training is one plain call; at each epoch (give_way) the steps queued meanwhile run first."""
    turns, log = Turns(), []
    started = threading.Event()

    def training():
        for epoch in range(3):
            started.set()
            time.sleep(0.05)
            log.append(f"epoch{epoch}")
            turns.give_way()

    def attack_steps():
        log.append("attack")
        yield

    def attack():
        started.wait(5)
        for _ in taking_turns(attack_steps, turns)():
            pass

    run_in_threads(taking_turns(training, turns), attack)
    assert log.index("attack") < log.index("epoch2")  # not after the whole training


def test_waiting_for_a_shared_computation_sets_the_turn_aside():
    """Two students ask for the same result: the second waits for the first's computation (single flight)
    without holding the turn the first needs to finish (that would deadlock when the first gives way)."""
    from core import heavy
    from core.memo import Memo

    memo, computing = Memo(), threading.Event()
    results = []

    def compute():
        computing.set()
        for _ in range(3):
            time.sleep(0.05)
            heavy.give_way()
        return 42

    def first():
        results.append(memo.get("key", compute))

    def second():
        computing.wait(5)
        results.append(memo.get("key", compute))

    run_in_threads(taking_turns(first), taking_turns(second))
    assert sorted(results) == [(42, False), (42, True)] and memo.computed == 1


def test_a_heavy_function_calling_another_does_not_wait_for_itself():
    turns = Turns()
    inner = taking_turns(lambda: 1, turns)
    assert taking_turns(lambda: inner() + 1, turns)() == 2 and turns.waiting == 0


def test_on_zero_gpu_the_models_stay_on_the_cpu(monkeypatch):
    """ZeroGPU's rule: no CUDA work outside @spaces.GPU functions. The light actions run in the main process, so
    the device core picks there is the CPU (unless asked for explicitly)."""
    spaces_config = pytest.importorskip("spaces.config")
    from core import device

    monkeypatch.setattr(device, "available", lambda: ["cuda", "cpu"])
    monkeypatch.delenv("DEMO_DEVICE", raising=False)
    assert device.pick_device().type == "cuda"
    monkeypatch.setattr(spaces_config.Config, "zero_gpu", True)
    assert device.pick_device().type == "cpu"


class Slow(torch.nn.Module):
    """A model whose forward pass takes 30 ms."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Identity()

    def forward(self, x):
        time.sleep(0.03)
        return self.layer(x)


def a_long_step_and_a_newcomer(model, turns):
    """One job runs 20 forward passes in one step; another job's first step is asked for after 0.1 s. Returns how
    many passes the long step had made when the newcomer's step ran."""
    passes, seen = [], []

    def long_step():
        with turns.turn():
            for _ in range(20):
                model(torch.zeros(1))
                passes.append(1)

    def newcomer():
        time.sleep(0.1)
        with turns.turn():
            seen.append(len(passes))

    run_in_threads(long_step, newcomer)
    return seen[0]


def test_a_models_forward_passes_cut_a_long_step_for_the_steps_waiting():
    turns = Turns()
    assert a_long_step_and_a_newcomer(Slow(), turns) == 20  # without breaks: after the whole step
    broken = heavy.breaks(Slow(), turns=turns, after=0.15)
    assert heavy.breaks(broken, turns=turns) is broken and len(broken._forward_pre_hooks) == 1  # hooked once
    assert a_long_step_and_a_newcomer(broken, turns) < 10  # after the first pass past 0.15 s
    before = turns.taken
    with turns.turn():  # alone in line, a long step keeps its turn
        for _ in range(8):
            broken(torch.zeros(1))
    assert turns.taken == before + 1
    broken(torch.zeros(1))  # outside a turn (a light event): nothing to give


class SlowBlock(torch.nn.Module):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def forward(self, x):
        time.sleep(0.03)
        self.log.append(1)
        return x


class Stack(torch.nn.Module):
    """20 slow blocks in a ModuleList, then a Sequential of two."""

    def __init__(self, log):
        super().__init__()
        self.blocks = torch.nn.ModuleList([SlowBlock(log) for _ in range(20)])
        self.head = torch.nn.Sequential(torch.nn.Identity(), torch.nn.Identity())

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def test_one_forward_pass_gives_way_between_the_models_blocks():
    """Issue 21: on the busy Xeon one pass of a batch through EfficientNet-Lite0 held the turn 2-4 s (the deletion
    check's curves). Each block of a model's containers is a break too; with someone else's hook on the model, not."""
    turns, blocks, seen = Turns(), [], []
    model = heavy.breaks(Stack(blocks), turns=turns, after=0.15)
    heavy.breaks(model, turns=turns)
    assert [len(m._forward_pre_hooks) for m in model.modules()] == [1, 0] + [1] * 20 + [0, 1, 1]  # hooked once

    def one_pass():
        with turns.turn():
            model(torch.zeros(1))

    def newcomer():
        time.sleep(0.1)
        with turns.turn():
            seen.append(len(blocks))

    run_in_threads(one_pass, newcomer)
    assert seen[0] < 10  # not after the whole pass (20 blocks)
    handle = model.blocks[5].register_forward_hook(lambda module, args, output: None)  # a Grad-CAM of another job
    try:
        blocks.clear(), seen.clear()
        run_in_threads(one_pass, newcomer)
        assert seen == [20]
    finally:
        handle.remove()


def test_a_loop_that_pauses_gives_way_only_when_a_step_waits():
    """Issue 21: a training's mini-batches call ``pause()``: after ``after`` seconds in its turn, a newcomer's step
    runs first; alone in line the loop keeps its turn; outside a turn the call does nothing."""
    turns, passes, seen = Turns(), [], []

    def long_step():
        with turns.turn():
            for _ in range(20):
                time.sleep(0.03)
                passes.append(1)
                turns.pause(after=0.15)

    def newcomer():
        time.sleep(0.1)
        with turns.turn():
            seen.append(len(passes))

    run_in_threads(long_step, newcomer)
    assert seen[0] < 10  # not after the whole loop (20)
    before = turns.taken
    with turns.turn():
        for _ in range(8):
            time.sleep(0.03)
            turns.pause(after=0.05)
    assert turns.taken == before + 1
    turns.pause()  # a light event's call: nothing to give


def test_no_break_while_someone_elses_hook_is_on_the_model():
    """Captum's Grad-CAM keeps a layer's output through a hook during its pass: another job's pass through the
    same model then would be caught by it."""
    turns = Turns()
    broken = heavy.breaks(Slow(), turns=turns, after=0.15)
    handle = broken.layer.register_forward_hook(lambda module, args, output: None)
    try:
        assert a_long_step_and_a_newcomer(broken, turns) == 20
    finally:
        handle.remove()



@pytest.mark.skipif(not hasattr(os, "getpriority") or sys.platform != "linux", reason="a thread's own nice: Linux")
def test_heavy_work_runs_at_a_lower_priority_with_the_callers_context():
    """Light events get a core first: a heavy function (and every step of a generator) runs in a thread of its own
    at nice + 5; the caller's context (Gradio's progress bar, pop-ups) goes along; errors and early closes too."""
    mine = lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # noqa: E731
    before, tag = mine(), contextvars.ContextVar("tag", default="none")
    tag.set("request 1")

    def plain(x):
        return x, mine(), tag.get(), threading.get_native_id()

    value, nice, seen, thread = heavy.low_priority(plain, nice=before + 5)(7)
    assert (value, nice, seen) == (7, before + 5, "request 1") and thread != threading.get_native_id()
    assert mine() == before  # the caller's own priority is untouched

    closed = []

    def steps(n):
        try:
            for i in range(n):
                yield i, mine(), tag.get(), threading.get_native_id()
            return "done"
        finally:
            closed.append(True)

    updates = list(heavy.low_priority(steps, nice=before + 5)(3))
    assert [u[0] for u in updates] == [0, 1, 2] and {u[1:] for u in updates} == {(before + 5, "request 1",
                                                                                   updates[0][3])}
    early = heavy.low_priority(steps, nice=before + 5)(10)
    next(early)
    early.close()  # a closed page: the generator's clean-up ran, in its thread
    assert closed == [True, True]

    def failing():
        raise ValueError("bad input")
        yield

    with pytest.raises(ValueError, match="bad input"):
        list(heavy.low_priority(failing, nice=before + 5)())
    assert heavy.low_priority(plain, nice=0) is plain  # 0: no thread of its own


def test_background_work_takes_turns_at_a_lower_priority_and_is_not_in_the_line():
    """Issue 21: the tabs' warm-up after launch ran beside the heavy steps, at the light events' priority, into the
    first minutes of a class. As ``background`` work it gives way to a student's first step at its break points,
    runs at the heavy steps' nice value, a click is neither turned away nor cut short because of it, and it is never
    cut short itself (neither a busy class nor the time limit of a run)."""
    turns, passes, seen, nice = Turns(busy_seconds=30), [], [], []

    def warm_up():
        with heavy.background("warm-up", turns=turns, nice=0) as job:
            assert job.shared and turns._live == [job]
            job.admitted -= 1000  # a warm-up of minutes in a busy class: never cut (its presets would be lost)
            assert turns.out_of_time() is None and not job.cut
            for _ in range(20):
                time.sleep(0.03)
                passes.append(1)
                turns.pause(after=0.15)
        nice.append(True)

    def student():
        time.sleep(0.1)
        finished_job(turns, "attack", 25)  # 25 s of work: a job in line before it would make it wait too long
        job = turns.admit("attack")  # the warm-up is not in line
        with turns.turn(job):
            seen.append(len(passes))
            assert not turns.time_is_up(started=time.monotonic() - 100)  # nor another job to make room for
        turns.done(job)

    run_in_threads(warm_up, student)
    assert seen and seen[0] < 10 and len(passes) == 20 and nice == [True]
    assert turns._live == [] and "warm-up" not in turns.cost  # it teaches no action's cost


@pytest.mark.skipif(not hasattr(os, "getpriority") or sys.platform != "linux", reason="a thread's own nice: Linux")
def test_background_work_runs_at_the_heavy_steps_priority():
    mine = lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # noqa: E731
    seen = []

    def warm_up():
        before = mine()
        with heavy.background("warm-up", turns=Turns(), nice=before + 3):
            seen.append(mine() - before)

    run_in_threads(warm_up)
    assert seen == [3]


def finished_job(turns, name, seconds):
    """Record that a ``name`` job ran to its end after ``seconds`` of turns."""
    job = turns.job(name)
    job.held = seconds
    turns.done(job, finished=True)


def test_a_heavy_click_that_could_not_finish_in_time_is_turned_away_with_the_wait():
    """Issue 21: in an overloaded class every heavy call ran past the page's patience (bench/load-class-20min.md:
    288 of ~330). A click whose wait the jobs in line make too long is told so at once, with the wait."""
    from core.i18n import UserInputError

    turns = Turns(busy_seconds=30)
    finished_job(turns, "attack", 20)
    assert turns.cost == {"attack": 20}
    turns.done(turns.admit("attack"))  # alone: let in
    finished_job(turns, "sanity", 200)
    turns.done(turns.admit("sanity"))  # a job alone is let in even when it alone takes longer than the limit
    running = turns.admit("attack")
    assert turns._live == [running]  # its place in line is taken at once: a click right after it counts it
    with pytest.raises(UserInputError) as refused:
        turns.admit("attack")  # 20 s left of the running one + 20 s of its own > 30 s
    assert refused.value.key == "app.busy" and refused.value.params == {"jobs": 1, "seconds": 40}
    assert "about 40 s of heavy work with yours (jobs in line before it: 1)" in refused.value.message("en")
    assert "約需 40 秒" in refused.value.message("zh")
    assert turns._live == [running]
    running.held = 15  # most of it done: 5 s left + 20 s
    turns.done(turns.admit("attack"))
    turns.done(running)
    assert turns.cost == {"attack": 20, "sanity": 200}  # a job that did not finish teaches nothing
    never = Turns(busy_seconds=0)  # 0: never turned away
    for _ in range(5):
        never.admit("sanity")
    assert len(never._live) == 5


def test_a_heavy_call_is_let_in_at_the_door_and_runs_as_that_job(monkeypatch):
    """``@heavy`` asks at the door (``admitting``, the caller's thread) and runs the job it was let in as, in turns,
    in the lower-priority thread; a call turned away never runs."""
    from core.i18n import UserInputError

    turns, ran = Turns(busy_seconds=30), []

    def work(x):
        ran.append([job.name for job in turns._live])
        return x * 2

    def steps():
        ran.append([job.name for job in turns._live])
        yield 1

    call = heavy.admitting(heavy.low_priority(taking_turns(work, turns)), turns)
    stream = heavy.admitting(heavy.low_priority(taking_turns(steps, turns)), turns)
    assert call(2) == 4 and list(stream()) == [1]
    names = {heavy.action(work), heavy.action(steps)}
    assert ran == [[heavy.action(work)], [heavy.action(steps)]]  # one job per call, the one let in
    assert set(turns.cost) == names and not turns._live
    blocker = turns.job("an hour of work")
    turns.cost["an hour of work"] = 3600
    with pytest.raises(UserInputError):
        call(2)
    with pytest.raises(UserInputError):
        list(stream())
    assert len(ran) == 2 and turns._live == [blocker]

    def failing():
        raise ValueError("bad input")

    turns.done(blocker)
    with pytest.raises(ValueError):
        heavy.admitting(taking_turns(failing, turns), turns)()
    assert not turns._live and turns.waiting == 0


def test_an_actions_cost_is_learnt_from_the_runs_that_finish():
    turns = Turns()

    def work():
        time.sleep(0.1)
        return 1

    def steps():
        yield 1
        time.sleep(0.1)
        yield 2

    taking_turns(work, turns)()
    assert list(taking_turns(steps, turns)()) == [1, 2]
    left = taking_turns(steps, turns)()
    next(left)
    left.close()  # stopped early: a lower bound of its cost, not recorded
    costs = {name.rsplit(".", 1)[-1]: seconds for name, seconds in turns.cost.items()}
    assert set(costs) == {"work", "steps"} and all(0.09 < seconds < 1 for seconds in costs.values())

    def failing():
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        taking_turns(failing, turns)()
    assert len(turns.cost) == 2 and turns.waiting == 0 and not turns._live


def test_a_job_whose_student_left_stops_while_waiting_and_at_its_next_break():
    """Issue 21: a cancelled plain job (Saliency, a distillation training) ran to its end for nobody, ahead of
    everyone else's jobs; now it stops waiting for its turn, or at its next break when it has the turn."""
    turns, left, log = Turns(), threading.Event(), []
    holder_in, release = threading.Event(), threading.Event()

    def holder():
        with turns.turn():
            holder_in.set()
            release.wait(5)

    def waiter():
        job = turns.job("gone-while-waiting", gone=left.is_set)
        try:
            with turns.turn(job):
                log.append("ran")
        except heavy.Abandoned:
            log.append("stopped waiting")
        finally:
            turns.done(job)

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    threads[0].start()
    holder_in.wait(5)
    threads[1].start()
    time.sleep(0.1)
    left.set()
    time.sleep(1.5)  # it looks at least once a second
    release.set()
    for thread in threads:
        thread.join(5)
    assert log == ["stopped waiting"] and turns.waiting == 0 and not turns._live

    model = heavy.breaks(Slow(), turns=turns, after=0.05)
    gone, passes = threading.Event(), []
    job = turns.job("gone-while-running", gone=gone.is_set)
    with pytest.raises(heavy.Abandoned):
        with turns.turn(job):  # alone in line: only its student leaving stops it
            for number in range(50):
                if number == 5:
                    gone.set()
                model(torch.zeros(1))
                passes.append(number)
    turns.done(job)
    assert 5 <= len(passes) < 10 and turns.waiting == 0 and not turns.holding
    with turns.turn():  # the next job is not locked out
        pass

    stopped = turns.job("stopped-by-its-page", gone=lambda: True)
    with turns.turn(stopped, leaving=True):  # a run's clean-up still gets its turn
        log.append("cleaned up")
    turns.done(stopped)
    assert log[-1] == "cleaned up"


def test_when_the_student_computing_a_shared_result_leaves_the_one_waiting_computes_it():
    from core.memo import Memo

    memo, computing, results = Memo(), threading.Event(), []

    def compute_then_leave():
        computing.set()
        time.sleep(0.1)
        raise heavy.Abandoned("left")

    def first():
        with pytest.raises(heavy.Abandoned):
            memo.get("key", compute_then_leave)

    def second():
        computing.wait(5)
        results.append(memo.get("key", lambda: 42))

    run_in_threads(first, second)
    assert results == [(42, False)] and memo.computed == 2


def test_the_same_request_as_one_answered_or_running_is_let_in_whatever_the_line():
    """A class told to click the same preset: a memoised action answers all but the first from its memo, at no cost,
    so the door lets the same request in whatever the line. The door used to turn them away as "busy" (a browser
    check: the distillation preset refused while the same training ran), and learnt the cost of an action from
    such instant answers."""
    from core.i18n import UserInputError

    turns = Turns(busy_seconds=30)
    memo = {}

    def train(settings, lang="en", session=""):
        if settings not in memo:
            time.sleep(0.05)
            memo[settings] = settings * 2
        return memo[settings]

    memoised = heavy.admitting(taking_turns(train, turns), turns, memoised=True)
    not_memoised = heavy.admitting(taking_turns(train, turns), turns)
    assert memoised(3) == 6  # alone: let in, and it ran
    learnt = dict(turns.cost)
    blocker = turns.job("an hour of work")
    turns.cost["an hour of work"] = 3600
    assert memoised(3, lang="zh", session="another student") == 6  # the same work, worded and filed elsewhere
    assert turns.cost == {**learnt, "an hour of work": 3600}  # an answer from the memo is not the action's cost
    with pytest.raises(UserInputError):
        memoised(4)  # new work
    with pytest.raises(UserInputError):
        not_memoised(3)  # an action without a memo would run it again
    memo[5] = 10  # computed by the warm-up, not through the door: the action's probe finds it
    probed = heavy.admitting(taking_turns(train, turns), turns, memoised=True,
                             ready=lambda settings, lang="en", session="": settings in memo)
    assert probed(5) == 10
    with pytest.raises(UserInputError):
        probed(6)
    with pytest.raises(UserInputError):
        probed(5, unexpected=1)  # a probe that fails says nothing: the call goes to the door's rule (and fails)
    turns.done(blocker)

    running = turns.admit("sanity", key="cat")  # alone
    turns.cost["sanity"] = 25
    assert turns.admit("sanity", key="cat").shared  # a plain function's memo waits for the run under way
    with pytest.raises(UserInputError):
        turns.admit("sanity", key="cat", joins=False)  # a streamed action would run it a second time
    with pytest.raises(UserInputError):
        turns.admit("sanity", key="dog")  # ahead: 25 s of the running one (the shared one costs nothing) + 25 s
    turns.done(running)


def test_a_request_key_is_the_work_asked_for():
    picture = np.arange(12, dtype=np.uint8).reshape(3, 4)
    drawing = {"background": None, "layers": [picture], "composite": picture}
    key = heavy.request_key((), {"picture": picture, "drawing": drawing, "sigma": 15, "lang": "en"})
    assert key == heavy.request_key((), {"picture": picture.copy(), "drawing": drawing, "sigma": 15, "lang": "zh",
                                         "session": "abc", "progress": object()})
    assert key != heavy.request_key((), {"picture": picture.T.copy(), "drawing": drawing, "sigma": 15})
    assert key != heavy.request_key((), {"picture": picture, "drawing": None, "sigma": 15})
    assert heavy.request_key((), {"picture": object()}) is None  # cannot be told: never counted as the same


def test_a_costly_action_turned_away_for_long_gets_in_at_its_next_click():
    """A 20-minute class run let in 1 attack of 226 asked for: an attack (~90 s) never fitted the limit while anything
    else was in line, and the cheaper actions kept the line busy. After STARVING x BUSY_SECONDS of refusals the
    next click of that action gets in; then the count starts again."""
    from core.i18n import UserInputError

    turns = Turns(busy_seconds=60)
    turns.cost.update({"attack": 90, "sanity": 20})
    someone = turns.admit("sanity")  # alone: let in
    for _ in range(3):
        with pytest.raises(UserInputError):
            turns.admit("attack")  # 20 s ahead + 90 s > 60 s
    turns._refused_since["attack"] -= heavy.STARVING * 60  # as if refused for two minutes
    starving = turns.admit("attack")
    assert turns._live == [someone, starving]
    with pytest.raises(UserInputError):
        turns.admit("attack")  # the count starts again
    with pytest.raises(UserInputError):
        turns.admit("sanity")  # another action is not let in by the attack's wait (20 + 90 + 20 > 60)


def test_a_streamed_run_is_told_its_time_is_up_only_while_others_wait_and_teaches_no_cost():
    """Issue 21: an attack or a GAN playground run that has gone on BUSY_RUN_SECONDS while another heavy job is in
    line should end with its result so far (a class's calls were unanswered after 120 s); alone it runs to its end.
    A run cut short (``cut_short``: the clock, or its Stop button) is not the action's cost, and its request is not
    'answered' (nothing was memoised: a re-click is not let in free)."""
    turns = Turns(busy_seconds=60)
    finished_job(turns, "attack", 40)
    started = time.monotonic()
    long_ago = started - 100
    run = turns.job("attack", key="k")
    assert not turns.time_is_up(long_ago, limit=80)  # alone: never
    other = turns.job("sanity")
    assert not turns.time_is_up(started, limit=80)  # not yet
    assert not turns.time_is_up(long_ago, limit=0)  # 0: never
    assert turns.time_is_up(long_ago, limit=80)
    turns.cut_short()  # outside a turn: nothing to mark
    assert not run.cut
    with turns.turn(run):
        turns.cut_short()
    assert run.cut
    run.held = 5
    turns.done(run, finished=True)
    assert turns.cost["attack"] == 40 and ("attack", "k") not in turns._answered
    turns.done(other)
    assert not turns.time_is_up(long_ago, limit=80)  # nobody else left


def test_a_run_alone_ends_at_the_time_limit_of_a_run_and_says_why():
    """Issue 21: alone, a 100-step attack on Whisper with "Run all steps" ran past the 120 s a student gives an
    answer (the class bench's one failed call). Every run now ends at ``run_seconds`` from its click, alone or not,
    and the reason ("long") is kept apart from a busy class's ("busy"), so the page says which."""
    turns = Turns(busy_seconds=60, run_seconds=110)
    now = time.monotonic()
    assert turns.time_is_up(now - 109) is None  # alone, under the limit
    assert turns.time_is_up(now - 111) == "long"  # alone, past it
    assert turns.time_is_up(now - 100, ahead=15) == "long"  # its next part would end past it
    assert Turns(run_seconds=0).time_is_up(now - 10_000) is None  # 0: never
    run = turns.job("attack")
    with turns.turn(run):
        assert turns.cut_reason() == "busy"  # not cut: what a request waiting for another's cut run is told
        run.admitted -= 111  # clicked 111 s ago
        assert turns.out_of_time() == "long" and run.cut and turns.cut_reason() == "long"
    other = turns.job("sanity")
    assert turns.time_is_up(now - 111, limit=80) == "busy"  # others in line: the busy class's reason first
    turns.done(run)
    turns.done(other)
    stopper = turns.job("gan")
    with turns.turn(stopper):
        turns.cut_short()  # its Stop button
        turns.cut_short("long")  # the first reason stays
        assert turns.cut_reason() == "you"
    turns.done(stopper)
    assert heavy.cut_seconds("long") == heavy.RUN_SECONDS and heavy.cut_seconds("busy") == heavy.BUSY_RUN_SECONDS
    assert heavy.RUN_SECONDS < 120  # inside the two minutes the class bench gives a call


def test_a_run_ends_before_a_part_as_long_as_its_longest_would_pass_the_limit():
    """Issue 21: a run asked only whether BUSY_RUN_SECONDS had passed started its next part at 79 s and, on a slow
    machine, answered after its student had given up. It now ends when a part as long as its longest so far would
    end past the limit; short parts run on to the limit itself."""
    turns = Turns(busy_seconds=60)
    run = turns.job("sanity")
    with turns.turn(run):
        other = turns.job("train")  # another student's job in line
        limit = heavy.BUSY_RUN_SECONDS
        run.started -= limit * 0.3  # a first part of 30% of the limit
        assert not turns.out_of_time()  # 30% + 30% ahead: in time
        assert run.longest_part == pytest.approx(limit * 0.3, rel=0.01)
        run.started -= limit * 0.45  # as if 75% had passed: the next part (30%) would end at 105%
        run.asked -= limit * 0.05  # a short part since the last question
        assert turns.out_of_time() and run.cut
    quick = turns.job("sanity")
    with turns.turn(quick):
        quick.started -= limit * 0.85  # 85% passed in parts of 10%: one more still fits
        quick.asked = quick.started + limit * 0.75
        quick.longest_part = limit * 0.1
        assert not turns.out_of_time() and not quick.cut
    turns.done(run)
    turns.done(quick)
    turns.done(other)


def test_a_run_can_time_a_part_without_asking_and_tell_its_next_part_and_what_must_follow():
    """Issue 21: ``part_done`` (what ``out_of_time`` asks first) times a part and keeps the longest without cutting
    the run; ``out_of_time(next_part=...)`` judges a part the caller knows to be longer (a sample
    sweep's N = 100 after N = 25), and ``after=`` keeps time for work that must follow the loop."""
    turns = Turns(busy_seconds=60)
    assert turns.part_done() == 0.0  # outside a heavy job
    run = turns.job("deletion")
    with turns.turn(run):
        other = turns.job("train")
        limit = heavy.BUSY_RUN_SECONDS
        run.started -= limit * 0.2
        assert turns.part_done() == pytest.approx(limit * 0.2, rel=0.01) and not run.cut  # timed, not asked
        run.asked -= limit * 0.1
        run.started -= limit * 0.1  # 30% passed; parts of 20% and 10%
        assert turns.part_done() == pytest.approx(limit * 0.2, rel=0.01)  # the longest stays
        assert not turns.out_of_time(after=limit * 0.45)  # 30% + 20% + 45%: in time
        assert not turns.out_of_time(next_part=limit * 0.65)  # 30% + 65%: in time
        assert turns.out_of_time(next_part=limit * 0.75) and run.cut  # 30% + 75%: past the limit
    run2 = turns.job("sanity")
    with turns.turn(run2):
        run2.started -= limit * 0.3
        assert turns.out_of_time(after=limit * 0.55) and run2.cut  # 30% + 30% + 55%
    turns.done(run)
    turns.done(run2)
    turns.done(other)


def test_a_runs_clock_starts_when_its_student_clicked_not_at_its_first_turn():
    """Issue 21: a deletion check let in at the start of a class had its first turn 12 s later, and its 80 s ran
    from there: its student, who gives it 120 s from the click, gave up first. The wait in line now counts."""
    turns = Turns(busy_seconds=60)
    run = turns.job("deletion")
    other = turns.job("train")
    run.admitted -= heavy.BUSY_RUN_SECONDS * 0.6  # let in, then waited in line
    with turns.turn(run):
        assert run.started - run.admitted >= heavy.BUSY_RUN_SECONDS * 0.6
        assert not turns.time_is_up()
        assert turns.time_is_up(ahead=heavy.BUSY_RUN_SECONDS * 0.45)  # 60% waited + 45%: past the limit
        assert turns.time_is_up(time.monotonic(), limit=heavy.BUSY_RUN_SECONDS * 0.5)  # a stream's own start too
    turns.done(run)
    turns.done(other)


def test_a_plain_run_asks_out_of_time_between_its_parts_and_a_student_waiting_for_it_does_not_count():
    """Issue 21: a distillation training or a Saliency check (a plain function) asks ``out_of_time()`` between two
    parts: the clock starts at its job's first step, and only another student's job in line makes it end early,
    not one waiting for this very run's answer (the same request joined to it). The run is then cut short."""
    turns = Turns(busy_seconds=60)
    run = turns.job("train", key="k")
    assert not turns.time_is_up(limit=1e-6)  # outside a turn, no start given: never
    with turns.turn(run):
        assert run.started is not None
        first = run.started
        assert not turns.time_is_up(limit=1e-6)  # alone
        joiner = turns.admit("train", key="k")  # the same request: it waits for this run's answer
        assert joiner.shared and not turns.time_is_up(limit=1e-6)
        other = turns.job("sanity")
        assert not turns.out_of_time() and not turns.is_cut_short()  # not yet (BUSY_RUN_SECONDS)
        run.started -= heavy.BUSY_RUN_SECONDS + 1
        assert turns.out_of_time() and turns.is_cut_short() and run.cut
    with turns.turn(run):  # a later step of the same job: its clock still runs from the first
        assert run.started == first - heavy.BUSY_RUN_SECONDS - 1
    assert not turns.is_cut_short()  # outside the turn
    run.held = 5
    turns.done(run, finished=True)
    assert "train" not in turns.cost and ("train", "k") not in turns._answered
    turns.done(joiner)
    turns.done(other)


def test_a_streamed_runs_last_update_ends_it_without_waiting_for_a_turn():
    """Gradio drops a click on a button whose event still runs: after ``yield Last(update)`` the run ends at once
    (its clean-up included), while another job holds the turn; a plain last ``yield`` waits for a turn to end."""
    def ends_after(last_update: bool) -> tuple[float, list]:
        turns, events, hold, holding = Turns(), [], threading.Event(), threading.Event()

        def run():
            try:
                yield 1
                yield heavy.Last(2) if last_update else 2
            finally:
                events.append("clean-up")

        stepped = heavy.ends_at_last(taking_turns(run, turns), run)()
        assert next(stepped) == 1 and next(stepped) == 2  # the last update shown: the student may click again

        def other():  # meanwhile another student's step takes the turn, for a second
            with turns.turn():
                holding.set()
                hold.wait(10)

        thread = threading.Thread(target=other, daemon=True)
        thread.start()
        holding.wait(5)
        threading.Timer(1.0, hold.set).start()
        started = time.monotonic()
        with pytest.raises(StopIteration):
            next(stepped)  # Gradio asks for more: the event ends
        ended = time.monotonic() - started
        hold.set()
        thread.join(5)
        assert turns.waiting == 0 and not turns._live
        assert any(name.endswith("run") for name in turns.cost)  # it finished: its time is the action's cost
        return ended, events

    ended, events = ends_after(last_update=True)
    assert ended < 0.5 and events == ["clean-up"]
    ended, events = ends_after(last_update=False)  # the old way: the end waited for the other job's step
    assert ended >= 0.8 and events == ["clean-up"]


def test_heavy_hands_gradio_the_last_update_itself():
    @heavy.heavy(gpu_seconds=30)
    def job(steps=2, lang="en"):
        yield from range(steps)
        yield heavy.Last("done")

    assert list(job()) == [0, 1, "done"]
