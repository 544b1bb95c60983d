"""The bundled digits CycleGAN's card, re-measured from the shipped weights, and its bars."""
import pytest
import torch

from core.classifier import DIGIT_CNN
from core.data.digits import HANDWRITTEN, TEST, TYPESET, load_digits, to_tensor
from core.models import read_card, read_tensors, sha256_file
from demos.cyclegan import logic, train
from demos.cyclegan.model import DIGITS, StyleCNN


@pytest.fixture(scope="module")
def shipped():
    card = read_card(DIGITS.directory)
    pair = DIGITS.load(torch.device("cpu")).model
    style = StyleCNN()
    style.load_state_dict(read_tensors(DIGITS.directory / "style.safetensors"))
    return card, pair, style.eval()


@pytest.fixture(scope="module")
def test_digits():
    digits = load_digits()
    out = {}
    for style in (HANDWRITTEN, TYPESET):
        d = digits.subset(TEST, style)
        out[style] = (to_tensor(d.images), torch.from_numpy(d.labels), d.images, d.labels)
    return out


def test_the_card_is_re_measured_exactly(shipped, test_digits):
    card, pair, style = shipped
    digit_cnn = DIGIT_CNN.load(torch.device("cpu")).model
    again = train.evaluate(pair.g, pair.f, digit_cnn, style, *test_digits[HANDWRITTEN][:2], *test_digits[TYPESET][:2])
    for direction in ("a_to_b", "b_to_a"):
        for key, value in again[direction].items():
            assert value == pytest.approx(card["metrics"][direction][key], abs=2e-3), (direction, key)


def test_the_bars_are_met(shipped):
    metrics = shipped[0]["metrics"]
    for direction in ("a_to_b", "b_to_a"):
        assert metrics[direction]["digit_preserved"] >= 0.85, direction
        assert metrics[direction]["target_style"] >= 0.8, direction
    assert metrics["style_classifier_test_accuracy"] >= 0.98  # the judge itself is good
    assert metrics["untranslated_handwritten_judged_typeset"] < 0.05  # and it is not fooled by doing nothing


def test_the_files_match_the_card(shipped):
    for name, digest in shipped[0]["files"].items():
        assert sha256_file(DIGITS.directory / name) == digest, name


def test_logic_measures_agree_with_the_card(shipped, test_digits):
    """The tab's own functions (uint8 in and out) give the card's preservation and cycle error, to rounding."""
    card, pair, _ = shipped
    digit_cnn = DIGIT_CNN.load(torch.device("cpu")).model
    _, _, images, labels = test_digits[HANDWRITTEN]
    translated = [logic.apply(pair.g, image) for image in images[:120]]
    preserved = logic.preserved(digit_cnn, translated, labels[:120])
    assert preserved == pytest.approx(card["metrics"]["a_to_b"]["digit_preserved"], abs=0.06)
    errors = [logic.cycle(pair.g, pair.f, image).mean_error for image in images[:60]]
    assert sum(errors) / len(errors) == pytest.approx(card["metrics"]["a_to_b"]["cycle_l1"], abs=0.01)


# ---- the lecture notes: their numbers come from results.json, which the shipped models reproduce

@pytest.fixture(scope="module")
def results():
    from core.i18n import read_results
    from demos.cyclegan import strings

    return read_results(strings.RESULTS)


def test_the_results_are_re_measured_from_the_shipped_models(results):
    from demos.cyclegan import measure

    assert measure.digits_pair() == results["digits"]
    again = measure.vintage(("astronaut.png",))["astronaut.png"]
    shipped = results["vintage"]["astronaut.png"]
    assert again["size"] == shipped["size"] and again["correlation"] == pytest.approx(shipped["correlation"], abs=2e-3)
    for key in ("change", "identity_change"):
        assert again[key] == pytest.approx(shipped[key], abs=2e-3), key
    assert results["card"]["metrics"] == read_card(DIGITS.directory)["metrics"]


def test_the_notes_quote_the_results_and_their_claims_hold(results):
    from demos.cyclegan import strings

    numbers = strings.note_numbers(results)
    assert "咖啡" in strings.note_numbers(results, "zh")["not_calmer"]
    for lang in ("en", "zh"):
        from core.i18n import PLACEHOLDER

        assert set(PLACEHOLDER.findall((strings.HERE / f"notes.{lang}.md").read_text())) <= set(numbers), lang
        text = strings.notes(lang, results)
        assert "{{" not in text
        for key in ("a_to_b_kept", "b_to_a_back", "a_to_b_hidden", "b_to_a_lost", "astronaut_change", "calmer"):
            assert numbers[key] in text, (lang, key)
    digits = results["digits"]
    # "Ghosts": most translations that read as another digit come back right (the notes' point), both ways
    for way in ("a_to_b", "b_to_a"):
        assert digits[way]["hidden"] >= 0.5 * digits[way]["lost"] > 0
        assert digits[way]["digit_back"] > digits[way]["digit_kept"]
    # "a gentle ageing, not a new picture"; and the identity test splits the photos as the notes say
    photos = results["vintage"]
    assert photos["astronaut.png"]["correlation"] >= 0.95
    calm = [name for name, row in photos.items() if row["change"] >= strings.CALM_RATIO * row["identity_change"]]
    assert 0 < len(calm) < len(photos) and "astronaut.png" in calm
    assert int(numbers["calmer"]) == len(calm)
    named = {name: strings.STRINGS["en"][f"cyclegan.photo_{name.split('.')[0]}"] for name in photos}
    assert set(numbers["not_calmer"].split(", ")) == {named[name] for name in photos if name not in calm}
