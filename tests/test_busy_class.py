"""Issue 21: in a busy class the long plain heavy actions (a distillation training, Saliency's checks) end after
core.heavy.BUSY_RUN_SECONDS with their result so far, say so in the student's language, and keep nothing in their
memo; alone they run to their end. (The streamed ones, the attack and the GAN playground: test_audio_attack_early_stop,
test_gan_api.)"""
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
    assert "**1 epochs**" in table  # the settings line says what was trained
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
    from demos.saliency import ui

    args = (digit_png, None, False, "digit-cnn", None)
    kept_before, explained_before = set(ui.CHECKS._values), set(ui.EXPLAINED._values)
    panels, line, _ = ui.explain(*args, ("saliency", "smoothgrad"), progress=no_progress)
    assert len(panels) == 2  # what the model sees, and the one map computed before the time was up
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
    assert f"Not measured: {ui.method_name('gradcam', 'en')}." in table
    # the one method measured, read against random
    assert set(deletion["method"]) == {ui.method_name(m, "en") for m in ("saliency", "random")}
    zh = ui.deletion(*args, ("saliency", "gradcam"), progress=no_progress, request=ZH)[2]
    assert f"沒有量到：{ui.method_name('gradcam', 'zh')}。" in zh
    assert set(ui.CHECKS._values) <= kept_before and set(ui.EXPLAINED._values) <= explained_before  # none kept
