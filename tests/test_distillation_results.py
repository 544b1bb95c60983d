"""The shipped results, the lecture notes that quote them, and the figures drawn from them."""
import re
import warnings

import pytest
import torch

from core.i18n import t
from demos.distillation import figures, logic, strings, train
from demos.distillation.model import TEACHER


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
    fractions, preset, notes = results["fractions"], results["paper_preset"], results["notes"]
    change = dict(zip(map(tuple, notes["gradient_pairs"]), notes["gradient_change"]))
    assert fractions["distilled"]["mean"][0] > fractions["hard"]["mean"][0] + 0.02  # "leads at 1%"
    assert abs(fractions["distilled"]["mean"][-1] - fractions["hard"]["mean"][-1]) < 0.01  # "level at 100%"
    assert preset["hard"] == 0.0  # "never answers 3"
    assert preset["distilled_corrected"] > preset["hard_corrected"] + 0.3  # "learned what a 3 looks like"
    assert 3.5 < 1 / change[(10, 20)]["without_t2"] < 5  # "≈ 4, the 1/T² law"
    assert abs(1 - change[(10, 20)]["with_t2"]) < 0.15  # "changes by only ..."
    assert change[(1, 5)]["with_t2"] > 2  # "does not hold yet at small T"
    assert 1 / change[(1, 10)]["without_t2"] < 50  # "not 100×"


def test_the_teacher_numbers_come_from_the_shipped_teacher(results):
    measured = train.teacher_numbers(TEACHER.get(device=torch.device("cpu")).model)
    assert measured["confusions"] == results["notes"]["confusions"]
    for got, shipped in zip(measured["gradient_change"], results["notes"]["gradient_change"]):
        assert got == pytest.approx(shipped, abs=1e-3)


def test_the_paper_preset_reproduces_its_shipped_numbers(results):
    """One seed of the preset, live, against the shipped 5-seed mean: the same experiment, not a typed-in figure."""
    from core.data.digits import TEST, TRAIN, load_split

    data = logic.transfer_data(TEACHER.get(device=torch.device("cpu")).model, load_split(TRAIN), load_split(TEST))
    config = logic.StudentConfig(seeds=1, **train.PAPER_PRESET)
    held = logic.train_students(data, config)[0].held_out
    assert held["hard"] == 0.0
    assert held["distilled_corrected"] == pytest.approx(results["paper_preset"]["distilled_corrected"], abs=0.05)


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
