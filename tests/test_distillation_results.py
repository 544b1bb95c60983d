"""The shipped results, the lecture notes that quote them, and the figures drawn from them."""
import re
import warnings

import pytest
import torch

from core.i18n import t
from demos.distillation import figures, strings, train
from demos.distillation.model import TEACHER

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny students: one thread (tests/conftest.py)


@pytest.fixture(scope="module")
def results():
    shipped = strings.load_results()
    assert shipped is not None, "run python -m demos.distillation.train"
    return shipped


def test_the_notes_quote_every_number_from_the_results(results):
    for lang in ("en", "zh"):
        text = t("distillation.notes", lang)
        assert "{{" not in text and "?" not in re.sub(r"\$[^$]*\$", "", text), lang
        for value in strings.note_numbers(results).values():
            assert value in text, (lang, value)


def test_what_the_notes_say_is_true_of_the_results(results):
    """The words around the numbers: each claim the notes make, checked against what they quote."""
    preset, notes = results["paper_preset"], results["notes"]
    change = dict(zip(map(tuple, notes["gradient_pairs"]), notes["gradient_change"]))
    assert preset["hard"] == 0.0  # "never answers 3"
    assert preset["distilled_corrected"] > preset["hard_corrected"] + 0.3  # "learned what a 3 looks like"
    assert preset["strokes:distilled_corrected"] > preset["strokes:hard_corrected"] + 0.3  # "on the stroke-drawn 3s"
    assert 3.5 < 1 / change[(10, 20)]["without_t2"] < 5  # "≈ 4, the 1/T² law"
    assert abs(1 - change[(10, 20)]["with_t2"]) < 0.15  # "changes by only ..."
    assert change[(1, 5)]["with_t2"] > 2  # "does not hold yet at small T"
    assert 1 / change[(1, 10)]["without_t2"] < 50  # "not 100×"


def verdicts(results, test_set: str, epochs=None, fractions=None) -> list[str]:
    return [c[test_set]["gap"]["verdict"] for c in results["sweep"]["cells"]
            if (epochs is None or c["epochs"] in epochs) and (fractions is None or c["fraction"] in fractions)]


def test_when_distillation_helps_is_what_the_sweep_measured(results):
    """'What to try' 3 and 'When distillation helps', claim by claim."""
    sweep, cell = results["sweep"], lambda name: strings.sweep_cell(results, *strings.NOTED_CELLS[name])
    from demos.distillation.ui import DEFAULTS

    # The sweep is what the button runs: its defaults and its seed count.
    assert (sweep["temperature"], sweep["alpha"], sweep["seeds"]) == (DEFAULTS["temperature"], DEFAULTS["alpha"],
                                                                      DEFAULTS["seeds"])
    assert strings.NOTED_CELLS["default"] == (DEFAULTS["epochs"], DEFAULTS["fraction"] / 100)
    assert cell("default")["test"]["gap"]["verdict"] == "distilled"  # "leads ... a clear lead"
    assert cell("default")["strokes"]["gap"]["verdict"] == "tie"  # "no clear difference"
    assert cell("one_epoch")["test"]["gap"]["verdict"] == "hard"  # "hard labels win by far"
    assert cell("one_epoch")["test"]["gap"]["high"] < -0.05
    assert cell("all_data")["test"]["gap"]["verdict"] == "tie"  # "no clear difference"
    big = [f for f in sweep["fractions"] if f >= 0.1]
    for test_set in ("test", "strokes"):
        assert set(verdicts(results, test_set, [1])) == {"hard"}  # "1 epoch: hard labels win at every share"
        assert set(verdicts(results, test_set, [5], [f for f in sweep["fractions"] if f >= 0.05])) == {"hard"}
    assert set(verdicts(results, "test", [10, 30, 100], [0.01])) == {"distilled"}  # "at 1% with 10 epochs or more"
    middle = verdicts(results, "test", [10, 30], big)
    assert middle.count("tie") > len(middle) / 2  # "mostly level at 10-30 epochs"
    long_runs = [c for c in sweep["cells"] if c["epochs"] == 100 and 0.1 <= c["fraction"] <= 0.5]
    assert all(c["test"]["gap"]["verdict"] == "distilled" and 0.0095 < c["test"]["gap"]["mean"] < 0.0205
               for c in long_runs)  # "leads by 1-2 points at 10-50% with 100 epochs"
    assert "distilled" not in [c["strokes"]["gap"]["verdict"] for c in long_runs]  # "but not on the stroke-drawn"
    assert "distilled" not in verdicts(results, "strokes", None, [0.01])  # "at 1% ... ≈ or ▼ there"
    on_strokes = verdicts(results, "strokes")
    assert on_strokes.count("distilled") <= 2  # "one or two ▲ can be chance": no more than that
    assert len(sweep["cells"]) == len(sweep["epochs"]) * len(sweep["fractions"])


def test_the_teacher_numbers_come_from_the_shipped_teacher(results):
    measured = train.teacher_numbers(TEACHER.get(device=torch.device("cpu")).model)
    assert measured["confusions"] == results["notes"]["confusions"]
    for got, shipped in zip(measured["gradient_change"], results["notes"]["gradient_change"]):
        assert got == pytest.approx(shipped, abs=1e-3)


# The paper preset, live, against its shipped numbers: tests/test_distillation_claims.py (with the stroke-drawn 3s).


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_have_every_glyph(results, lang, tmp_path):
    """Chinese labels need a CJK font (fonts-noto-cjk on Debian and on the Space, packages.txt)."""
    drawn = [figures.training_curves(torch.rand(3, 5).numpy(), torch.rand(3, 5).numpy(), lang)]
    drawn += [draw(results, lang) for draw in figures.PRECOMPUTED.values()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for number, figure in enumerate(drawn):
            figure.savefig(tmp_path / f"{number}.png", dpi=50)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]


def test_the_shipped_figures_are_drawn_in_both_languages():
    for name in figures.PRECOMPUTED:
        for lang in figures.LANGS:
            assert (train.OUT / f"{name}.{lang}.png").is_file()
