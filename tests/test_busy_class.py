"""Issue 21: in a busy class the long plain heavy actions (a distillation training, Saliency's checks) end after
core.heavy.BUSY_RUN_SECONDS with their result so far, say so in the student's language, and keep nothing in their
memo; alone they run to their end, or to the time limit of a run (core.heavy.RUN_SECONDS). (The streamed ones, the
attack and the GAN playground: test_audio_attack_early_stop, test_gan_api.)"""
import csv
import tempfile
from types import SimpleNamespace

import pytest
from PIL import Image

from core import heavy


@pytest.fixture
def busy_class(monkeypatch):
    """Another student's heavy job in line, and a run's time is up at once; the door lets every call in."""
    monkeypatch.setattr(heavy, "BUSY_RUN_SECONDS", 1e-6)
    monkeypatch.setattr(heavy.TURNS, "busy_seconds", 0)
    other = heavy.TURNS.job("another student's job")
    yield other
    heavy.TURNS.done(other)


ZH = SimpleNamespace(headers={"accept-language": "zh-TW"}, session_hash="zh-student")  # a page in Chinese


def no_progress(*args, **kwargs):
    pass


def test_a_training_cut_by_a_busy_class_compares_the_students_at_the_epochs_run(busy_class):
    from demos.distillation import ui

    settings = (4.0, 0.9, 6, 1, "none", 2)  # not a preset: the warm-up never trained it
    config = ui.read_config(*settings, "en")
    key = ui.training_key(ui.TEACHER.get(), config)
    curves, table, *_ = ui.train(*settings, progress=no_progress)
    assert table.startswith("**Stopped after 1 of 6 epochs:** the class is busy")
    assert "**1 epoch**" in table  # the settings line says what was trained
    assert key not in ui.TRAINING
    zh = ui.train(*settings, progress=no_progress, request=ZH)[1]
    assert zh.startswith("**訓練了 1/6 輪就停止**：")
    heavy.TURNS.done(busy_class)  # the other student's job ends: alone, the run goes to its end
    table = ui.train(*settings, progress=no_progress)[1]
    assert "Stopped" not in table and "**6 epochs**" in table and key in ui.TRAINING


@pytest.fixture(scope="module")
def digit_png():
    from demos.saliency import ui

    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        Image.fromarray(ui.examples()[-1]).save(handle.name)  # a digit: quick on the CPU
        yield handle.name


def test_saliency_actions_cut_by_a_busy_class_show_what_they_measured(busy_class, digit_png):
    from demos.saliency import logic, ui

    args = (digit_png, None, False, "digit-cnn", None)
    kept_before, explained_before = set(ui.CHECKS._values), set(ui.EXPLAINED._values)
    assert sorted(ui.CHEAP_FIRST) == sorted(logic.METHODS)
    panels, line, _ = ui.explain(*args, ("smoothgrad", "gradcam"), progress=no_progress)
    assert len(panels) == 2  # what the model sees, and the one map computed before the time was up: the cheap one
    assert panels[1][1] == ui.method_name("gradcam", "en")
    assert f"Not computed: {ui.method_name('smoothgrad', 'en')}." in line
    panels, label = ui.sample_sweep(*args, progress=no_progress)
    assert len(panels) == 1 and label.startswith("**Stopped after N = 1:**")
    *_, notes, _, table = ui.sanity(*args, ("saliency",), progress=no_progress)
    steps = ui.randomization_steps(ui.CLASSIFIER.get("digit-cnn").model)
    assert len(steps) >= 3
    skipped = ", ".join(ui.step_name(name, "en") for name, _ in steps[:-1])
    assert f"**The class is busy, so these steps were skipped: {skipped}** (others were waiting)" in notes
    with open(table, encoding="utf-8-sig") as rows:
        shown = {row[1] for row in list(csv.reader(rows))[1:]}
    assert shown == {"original", ui.step_name(steps[-1][0], "en")}  # the original and every layer randomised
    deletion, insertion, table, _, _ = ui.deletion(*args, ("saliency", "gradcam"), progress=no_progress)
    # the time was up after the random curves: no map and its curves could end in time, and the answer says so
    assert f"Not measured: {ui.method_name('saliency', 'en')}, {ui.method_name('gradcam', 'en')}." in table
    assert set(deletion["method"]) == set(insertion["method"]) == {ui.method_name("random", "en")}
    zh = ui.deletion(*args, ("saliency", "gradcam"), progress=no_progress, request=ZH)[2]
    assert f"沒有量到：{ui.method_name('saliency', 'zh')}、{ui.method_name('gradcam', 'zh')}。" in zh
    assert set(ui.CHECKS._values) <= kept_before and set(ui.EXPLAINED._values) <= explained_before  # none kept


@pytest.fixture
def time_limit(monkeypatch):
    """A run alone whose time is up at once: the time limit of a run (core.heavy.RUN_SECONDS), no busy class."""
    monkeypatch.setattr(heavy.TURNS, "run_seconds", 1e-6)
    monkeypatch.setattr(heavy.TURNS, "busy_seconds", 0)


def test_runs_alone_at_the_time_limit_of_a_run_say_so_and_blame_no_busy_class(time_limit, digit_png):
    """Issue 21: every run now ends RUN_SECONDS after its click, alone or not (an attack alone ran past the two
    minutes a student gives an answer); the plain ones say that it was the time limit, in both languages."""
    from demos.distillation import ui as distillation
    from demos.saliency import ui

    settings = (4.0, 0.9, 7, 1, "none", 2)  # not a preset
    table = distillation.train(*settings, progress=no_progress)[1]
    assert table.startswith("**Stopped after 1 of 7 epochs:** a training ends after 110 s, the time limit of a run")
    assert "busy" not in table.split("\n")[0]
    zh = distillation.train(*settings, progress=no_progress, request=ZH)[1]
    assert zh.startswith("**訓練了 1/7 輪就停止**：每次訓練最多 110 秒") and "正忙" not in zh.split("\n")[0]
    args = (digit_png, None, False, "digit-cnn", None)
    _, line, _ = ui.explain(*args, ("smoothgrad", "gradcam"), progress=no_progress)
    assert "the time limit of a run (110 s) was reached" in line and "busy" not in line
    *_, notes, _, _ = ui.sanity(*args, ("saliency",), progress=no_progress)
    assert "skipped to stay within the time limit of a run (110 s)" in notes and "class is busy" not in notes
    zh = ui.deletion(*args, ("saliency", "gradcam"), progress=no_progress, request=ZH)[2]
    assert "已達單次執行的時間上限（110 秒）" in zh and "正忙" not in zh


class Clock:
    """A stand-in for ``time.monotonic`` in core.heavy and the Saliency tab: each part of a check moves it on by
    the seconds it is given, so a test can play a slow machine's run in a moment."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def takes(self, seconds, real):
        def part(*args, **kwargs):
            self.now += seconds(*args, **kwargs) if callable(seconds) else seconds
            return real(*args, **kwargs)
        return part


@pytest.fixture
def slow_class(monkeypatch):
    """A busy class on a slow machine: another student's job in line, the real 80 s limit, a played clock, and
    empty memos (nothing answered before)."""
    from core.memo import Memo
    from demos.saliency import ui

    clock = Clock()
    monkeypatch.setattr(heavy, "time", clock)
    monkeypatch.setattr(ui, "time", clock)
    monkeypatch.setattr(heavy, "BUSY_RUN_SECONDS", 80.0)
    monkeypatch.setattr(heavy.TURNS, "busy_seconds", 0)
    monkeypatch.setattr(ui, "EXPLAINED", Memo(4))
    monkeypatch.setattr(ui, "CHECKS", Memo(4))
    other = heavy.TURNS.job("another student's job")
    yield clock
    heavy.TURNS.done(other)


def test_a_deletion_check_stops_its_maps_in_time_for_the_curves_it_must_measure(slow_class, monkeypatch, digit_png):
    """Issue 21: on the Xeon a deletion check computed its maps up to the limit, then the random curves and one
    method's curves it must measure took it past the 120 s its student waits. Now random comes first, timed, and
    the maps step stops early enough to leave time for one method's curves as long. Played here: curves 20 s each,
    maps 15 s each: the check answers by the 80 s limit (100 s before), with the methods whose curves fit."""
    from demos.saliency import logic, ui

    clock = slow_class
    monkeypatch.setattr(logic, "perturbation_curves", clock.takes(20, logic.perturbation_curves))  # random's too
    monkeypatch.setattr(logic, "attribute", clock.takes(15, logic.attribute))
    methods = ("saliency", "smoothgrad", "gradcam", "integrated_gradients")
    start = clock.now
    deletion, _, table, _, _ = ui.deletion(digit_png, None, False, "digit-cnn", None, methods, progress=no_progress)
    assert clock.now - start <= heavy.BUSY_RUN_SECONDS
    # random 0-20 s, maps 20-50 s (a third would leave no time for a curve), the first method's curves 50-70 s
    assert set(deletion["method"]) == {ui.method_name(m, "en") for m in ("saliency", "random")}
    missing = ", ".join(ui.method_name(m, "en") for m in ui._methods(methods, "en")[1:])  # the page's order
    assert f"Not measured: {missing}." in table


def test_a_deletion_check_with_no_time_for_one_method_answers_at_once(slow_class, monkeypatch, digit_png):
    """Issue 21: at the start of a class on the Xeon a deletion check of one method (all of it mandatory then)
    timed out in four runs out of four. When the random curves took so long that one map and its curves cannot end
    by the limit, the check answers with the random curves and says what it could not measure."""
    from demos.saliency import logic, ui

    clock = slow_class
    monkeypatch.setattr(logic, "perturbation_curves", clock.takes(35, logic.perturbation_curves))
    start = clock.now
    deletion, _, table, _, _ = ui.deletion(digit_png, None, False, "digit-cnn", None, ("smoothgrad_sq",),
                                           progress=no_progress)
    assert clock.now - start == pytest.approx(35)  # 35 s + a map + 35 s would pass 80 s
    assert set(deletion["method"]) == {ui.method_name("random", "en")}
    assert f"Not measured: {ui.method_name('smoothgrad_sq', 'en')}." in table


def test_a_sample_sweep_does_not_start_a_part_that_would_end_past_the_limit(slow_class, monkeypatch, digit_png):
    """Issue 21: a sample sweep's parts grow with N (1, 5, 25, then 100 samples), so its last part is 4x the longest
    before it; judged by that longest part, a sweep started N = 100 at 31 s of a slow machine's 1 s per sample and
    answered after its student had gone. It now judges the next part by the time per sample so far."""
    from demos.saliency import logic, ui

    clock = slow_class
    monkeypatch.setattr(logic, "attribute", clock.takes(lambda *a, **k: float(a[4].samples), logic.attribute))
    start = clock.now
    panels, label = ui.sample_sweep(digit_png, None, False, "digit-cnn", None, progress=no_progress)
    assert clock.now - start <= heavy.BUSY_RUN_SECONDS
    assert len(panels) == 3 and label.startswith("**Stopped after N = 25:**")


def test_a_sanity_check_stops_while_its_last_step_still_fits(slow_class, monkeypatch, digit_png):
    """Issue 21: a stopped sanity check still runs its last step (every layer randomised: the verdict needs it), so
    its question before a step must keep time for that step too. Played: 17 s per step on the digit CNN's five
    steps. It skips two and answers at 68 s; asked only for the next step, it answered at 85 s, past the limit."""
    from demos.saliency import logic, ui

    clock = slow_class
    monkeypatch.setattr(logic, "attribute_pair", clock.takes(17, logic.attribute_pair))
    start = clock.now
    *_, notes, _, _ = ui.sanity(digit_png, None, False, "digit-cnn", None, ("saliency",), progress=no_progress)
    assert clock.now - start == pytest.approx(68)
    skipped = ", ".join(ui.step_name(name, "en") for name in ("conv:3", "conv:2"))
    assert f"these steps were skipped: {skipped}**" in notes


def test_the_gan_playground_shows_its_bar_before_it_trains_its_first_chunk(monkeypatch):
    """Issue 21: the playground's first progress report came after its first chunk of training and its first board,
    which a busy class stretched to 9-17 s (GAN first sign p95); the bar now shows as its run begins."""
    from demos.gan import logic, ui

    events = []
    real = logic.train_steps
    monkeypatch.setattr(logic, "train_steps", lambda play, steps, pause=None: events.append(("train", steps))
                        or real(play, steps, pause))
    outputs = list(ui.play(steps=50, progress=lambda share, desc=None: events.append(("bar", share, desc))))
    assert events[0] == ("bar", 0, "step 0 of 50 of this click")
    assert [e for e in events if e[0] == "train"] == [("train", 25), ("train", 25)] and outputs


def test_a_deletion_checks_bar_only_moves_forward(digit_png):
    """Its random curves come first, then the maps, then each method's curves: the bar went back to 0 when the maps
    began (they report 0 to 1 of their own). Now each part fills its third of the bar."""
    from demos.saliency import ui

    shares = []
    methods = ("saliency", "gradcam")
    ui.deletion(digit_png, None, False, "digit-cnn", None, methods, fill="blurred",  # not the warm-up's request
                progress=lambda share, desc=None: shares.append(share))
    assert len(shares) >= 1 + len(methods) * 2 and shares == sorted(shares) and 0 <= shares[0] and shares[-1] < 1
