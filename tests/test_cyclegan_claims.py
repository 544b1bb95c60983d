"""Issue 19: every verdict the CycleGAN tab shows holds on a student's own input, not only on the shipped
examples. Checked on held-out digits drawn by a stroke generator that nothing in training used
(demos/cyclegan/drawn.py: stroke templates with jitter, slant, elastic distortion and pen widths, on the
sketchpad's 280×280 canvas, through drawing_to_gray and normalize_digit as a drawing on the page goes), and on the
labelled test digits where a verdict needs a misread (the classifier reads every held-out drawing right)."""
import numpy as np
import pytest
import torch
from PIL import Image

from core.classifier import DIGIT_CNN
from core.data.digits import HANDWRITTEN, TEST, TYPESET, load_digits, load_split, to_tensor
from core.i18n import read_results
from demos.cyclegan import logic, strings
from demos.cyclegan.drawn import SEED, drawn_digits, sketchpad_value
from demos.cyclegan.model import DIGITS, raw_style_judge, style_judge

HELD_OUT = 100  # the first 100 of results.json's 200 held-out drawings (the same seed: the same drawings)


@pytest.fixture(scope="module")
def results():
    return read_results(strings.RESULTS)


@pytest.fixture(scope="module")
def models():
    torch.set_num_threads(1)
    device = torch.device("cpu")
    return DIGITS.load(device).model, DIGIT_CNN.load(device).model


@pytest.fixture(scope="module")
def drawn():
    canvases, digits, labels = drawn_digits(HELD_OUT, SEED)
    return canvases, digits, labels


@pytest.fixture(scope="module")
def drawn_trips(models, drawn):
    """The held-out drawings A → B as the page took them before (as they are) and now (into_domain)."""
    pair, classifier = models
    _, digits, labels = drawn
    mapped = [logic.into_domain(style_judge(), digit, "a_to_b") for digit in digits]
    x = np.stack([m for m, _ in mapped])
    before = logic.round_trip(pair.g, pair.f, classifier, style_judge(), digits)
    after = logic.round_trip(pair.g, pair.f, classifier, style_judge(), x)
    return before, after, np.array([s for _, s in mapped]), labels


def change(trip: logic.RoundTrip) -> float:
    return float(np.abs(trip.translated.astype(np.float32) - trip.x.astype(np.float32)).mean() / 255)


# ---- bullet 1: a drawn digit is taken into the handwritten domain, and G then translates it

def test_drawn_digits_are_taken_as_typeset_and_scanned_into_domain_a(drawn_trips):
    before, after, scanned, labels = drawn_trips
    assert scanned.mean() >= 0.9  # the judge sees a sharp drawing as typeset: the page scans it to 8×8
    # Before: G left the drawings alone (its change about its level on real typeset digits) and the round trip
    # came back blurred; the test can fail: these are the old path's figures
    assert change(before) < 0.035 and before.cycle_l1.mean() > 0.05


def test_the_bar_on_drawn_digits(drawn_trips, results):
    """The parts of the issue's bar the shipped pair meets, on the held-out drawings through the page's path: the
    digit kept ≥ 85%, the style judge says typeset ≥ 85%; the change against G's own levels (the issue's change
    bar is test_the_issues_bar_on_drawn_digits, not met yet)."""
    _, after, _, labels = drawn_trips
    assert (after.read_translated == labels).mean() >= 0.85
    assert (after.style_translated == TYPESET).mean() >= 0.85
    assert (after.read_reconstructed == labels).mean() >= 0.85
    level = results["drawn"]
    # G changes a scanned drawing clearly more than the typeset digits it should leave alone, and the cycle
    # error comes down towards the card's (before: 3.2x it, now 1.8x)
    assert change(after) >= 2 * level["typeset_test_change_by_g"]
    assert after.cycle_l1.mean() <= 2 * DIGITS.card()["metrics"]["a_to_b"]["cycle_l1"]
    # results.json (200 drawings) agrees with these 100
    stored = level["a_to_b"]["after"]
    assert (after.read_translated == labels).mean() == pytest.approx(stored["digit_kept"], abs=0.06)
    assert change(after) == pytest.approx(stored["change"], abs=0.006)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="issue 19's change bar is not met: on the 200 drawings G changes the scanned drawing by "
                          "0.0576 (0.0542 before the scan was deskewed and grey-matched, chosen on validation "
                          "sets: bench/cyclegan_scan_attempts.json), the handwritten test digits by 0.0657 "
                          "(results.json); the pair retrained with sharp strokes in domain A, as they are or "
                          "scanned as the page scanned a drawing, missed the bar too "
                          "(bench/cyclegan_sharp_domain.json, bench/cyclegan_scanned_domain.json)")
def test_the_issues_bar_on_drawn_digits(drawn_trips, results):
    """Issue 19's bar as it is stated, on drawn digits made by a generator no training used (drawn.py), through the
    page's path: the digit kept ≥ 85%, the style judge says "typeset" ≥ 85%, and the change |G(x) − x| is at least
    the change on the handwritten test set (both measured by measure.py with the shipped weights; the first 100
    drawings re-measured here). Strict: the day the bar is met this test passes and the suite says so."""
    _, after, _, labels = drawn_trips
    level = results["drawn"]
    assert (after.read_translated == labels).mean() >= 0.85
    assert (after.style_translated == TYPESET).mean() >= 0.85
    pair = DIGITS.load(torch.device("cpu")).model
    hand = load_split(TEST, HANDWRITTEN).images
    hand_change = float(np.abs(logic.apply_batch(pair.g, hand).astype(np.float32) - hand).mean() / 255)
    assert hand_change == pytest.approx(level["handwritten_test_change"], abs=1e-3)
    assert change(after) == pytest.approx(level["a_to_b"]["after"]["change"], abs=0.006)
    assert level["a_to_b"]["after"]["change"] >= level["handwritten_test_change"]
    assert change(after) >= hand_change


def test_the_scan_is_the_recipe_of_the_training_scans():
    """scan_from_grid makes from scikit-learn's 8×8 grids exactly the shipped handwritten digits."""
    sklearn = pytest.importorskip("sklearn.datasets")
    grids = sklearn.load_digits().images[:40]
    shipped = load_digits().images[:40]  # the handwritten digits come first, in scikit-learn's order
    assert all(np.array_equal(logic.scan_from_grid(g), s) for g, s in zip(grids, shipped))


def test_the_canvas_path_says_which_domain_and_shows_the_scan(drawn):
    """A drawing on the sketchpad through the tab's handler: the page says the judge calls it typeset, shows
    the digit as given and the scan G translates, and G's output is the logic's."""
    from demos.cyclegan import ui

    canvases, digits, _ = drawn
    pair = DIGITS.load(torch.device("cpu")).model
    for canvas, digit in zip(canvases[:3], digits[:3]):
        panels, text, _ = ui.translate(None, sketchpad_value(canvas), True, DIGITS.key, "a_to_b", "en")
        captions = [caption for _, caption in panels]
        assert captions[0] == "your digit (looks typeset)" and captions[1].startswith("x: scanned to 8×8")
        assert "the style judge calls the digit **typeset**" in text and "scanned to 8×8 first" in text
        scan = logic.as_scan(digit)
        expected = logic.apply(pair.g, scan)
        shown = np.asarray(Image.open(panels[2][0]).convert("L"))  # a named PNG (the download's file)
        assert np.array_equal(shown, np.kron(expected, np.ones((ui.DIGIT_ZOOM, ui.DIGIT_ZOOM), np.uint8)))
        zh = ui._translate(None, sketchpad_value(canvas), True, DIGITS.key, "a_to_b", "zh")[1]
        assert "掃描成 8×8" in zh


def test_a_blot_or_a_line_is_still_translated():
    """Scanning must not turn a picture the page translated before into an error: a filled square scans to a
    uniform grid (no ink to centre) and goes as it is; a thin horizontal line is scanned."""
    from demos.cyclegan import ui

    for rows, cols, scanned in ((slice(40, 240), slice(40, 240), False), (slice(140, 143), slice(40, 240), True)):
        canvas = np.full((280, 280), 255, np.uint8)
        canvas[rows, cols] = 0
        panels, text, _ = ui._translate(None, sketchpad_value(canvas), True, DIGITS.key, "a_to_b", "en")
        assert len(panels) == (5 if scanned else 4) and ("scanned to 8×8 first" in text) == scanned


def test_a_dot_on_the_pad_is_not_translated_as_a_digit():
    """The teacher review: a 20-pixel dot was scanned, read as a digit and translated. It gets a message in the
    user's language instead (core.ui.check_drawn_digit, as on the other tabs' pads)."""
    from core.i18n import UserInputError
    from demos.cyclegan import ui

    canvas = np.full((280, 280), 255, np.uint8)
    canvas[130:150, 130:150] = 0
    with pytest.raises(UserInputError) as refused:
        ui._translate(None, sketchpad_value(canvas), True, DIGITS.key, "a_to_b", "zh")
    assert refused.value.key == "digit.too_small" and "太小" in refused.value.message("zh")


# ---- bullet 2: the style judge's probability means something

def test_the_style_judge_is_calibrated_on_digits_it_was_not_fitted_on(results):
    """The temperature is fitted on the validation tenth of the training digits; on the test digits the
    calibrated judge's confidence matches its accuracy, and the raw one's did not."""
    digits = load_digits()
    test = digits.subset(TEST)
    images, truth = test.images, test.style.astype(int)
    for judge, limit in ((style_judge(), 0.02), (raw_style_judge(), None)):
        p = logic.style_probabilities(judge, images)
        ece = logic.expected_calibration_error(p.max(1), p.argmax(1) == truth)
        if limit is None:
            assert ece > 0.05  # before: 0.10
        else:
            assert ece <= limit
    assert results["style_judge"]["temperature"] == style_judge().temperature


def test_the_calibration_file_is_made_again_exactly(tmp_path):
    """calibrate.py fits the temperature on the validation tenth of the training digits (no test or held-out
    digit): run again, it writes the shipped file."""
    import json

    from demos.cyclegan import calibrate
    from demos.cyclegan.model import STYLE_CALIBRATION

    assert calibrate.main(["--out", str(tmp_path)]) == json.loads(STYLE_CALIBRATION.read_text(encoding="utf-8"))
    assert (tmp_path / STYLE_CALIBRATION.name).read_text() == STYLE_CALIBRATION.read_text()


def test_temperature_scaling_finds_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4000, 2))
    p = np.exp(logits / 2.5)
    p /= p.sum(1, keepdims=True)
    truth = (rng.random(4000) < p[:, 1]).astype(int)  # labels drawn from softmax(logits / 2.5)
    assert logic.fit_temperature(logits, truth) == pytest.approx(2.5, rel=0.1)
    assert logic.expected_calibration_error(np.full(10, 0.9), np.ones(10, bool)) == pytest.approx(0.1)


def test_the_judges_number_is_not_the_same_for_every_digit(models):
    """Before, F's translations were all "handwritten (51-61%)"; now the number spreads, and most are sure."""
    pair, _ = models
    translated = logic.apply_batch(pair.f, load_split(TEST, TYPESET).images[::3])
    raw = logic.style_probabilities(raw_style_judge(), translated)
    assert raw[:, HANDWRITTEN].max() < 0.62  # the old ceiling
    p = logic.style_probabilities(style_judge(), translated)
    handwritten = p.argmax(1) == HANDWRITTEN
    assert (p[handwritten, HANDWRITTEN] >= 0.8).mean() >= 0.9
    assert p[handwritten, HANDWRITTEN].max() - p[handwritten, HANDWRITTEN].min() > 0.2


def test_an_unsure_style_is_said_so(monkeypatch):
    """A probability under STYLE_SURE gives the 'cannot tell' sentence, not a verdict."""
    from demos.cyclegan import ui

    subject = ui._subject(None, sketchpad_value(drawn_digits(1, SEED)[0][0]), True, DIGITS.key, "b_to_a", "en")
    monkeypatch.setattr(ui, "_style", lambda image: (HANDWRITTEN, 0.55))
    translated, back = logic.apply(subject.forward, subject.x), None
    back = logic.apply(subject.backward, translated)
    text = " ".join(ui.digit_lines(subject, translated, back, "en"))
    assert "cannot tell F(x)'s style" in text and "reached the other" not in text


# ---- bullet 3: x is captioned by the style it has, not by the direction's source domain

def test_a_handwritten_digit_sent_b_to_a_is_not_captioned_typeset():
    from demos.cyclegan import ui

    handwritten_three = ui.examples()[len(ui.EXAMPLE_PHOTOS)]  # the first digit example: a handwritten 3
    assert handwritten_three[1] == "handwritten"
    import tempfile

    from PIL import Image

    with tempfile.NamedTemporaryFile(suffix=".png") as file:
        Image.fromarray(handwritten_three[0]).save(file.name)
        panels, text, _ = ui.translate(file.name, None, False, DIGITS.key, "b_to_a", "en")
    captions = [caption for _, caption in panels]
    assert captions[0] == "x (looks handwritten)" and "typeset" not in captions[0]
    assert "outside its domain" in text


def test_a_drawing_sent_b_to_a_is_captioned_typeset_and_taken_as_it_is(drawn):
    from demos.cyclegan import ui

    canvases, _, _ = drawn
    panels, text, _ = ui.translate(None, sketchpad_value(canvases[0]), True, DIGITS.key, "b_to_a", "en")
    assert panels[0][1] == "x (looks typeset)" and "F's input domain (typeset)" in text


# ---- bullet 4: a ghost only when the input was read right

def test_the_ghost_rule_needs_a_sure_reading_of_x():
    # "a 9 read as 8, translated and read as 9": the classifier unsure of x, so no ghost
    assert not logic.is_ghost(np.array([8, 9, 8]), np.array([0.62, 0.99, 0.7]))
    assert logic.is_ghost(np.array([3, 5, 3]), np.array([0.97, 0.6, 0.97]))  # unsure of G(x): still a ghost
    assert not logic.is_ghost(np.array([3, 5, 3]), np.array([0.85, 0.95, 0.97]))
    assert not logic.is_ghost(np.array([3, 3, 3]), np.array([0.97, 0.95, 0.97]))
    # a drawing scanned first: the drawing must read as the scan does, or the scan may have changed the digit
    assert logic.is_ghost(np.array([3, 5, 3]), np.array([0.97, 0.6, 0.97]), given=3)
    assert not logic.is_ghost(np.array([4, 9, 4]), np.array([0.98, 0.9, 0.97]), given=9)


@pytest.mark.slow
def test_a_drawing_the_scan_reads_otherwise_is_no_ghost_on_the_page(drawn, drawn_trips, models, monkeypatch):
    """Through the tab's handler: a drawing whose scan is read surely as another digit than the drawing itself
    (x, G(x), F(G(x)), drawing read 4, 9, 4, 9: with the first scan recipe a held-out 9 did exactly this) is not
    called a ghost: the page says the scan may have changed the digit; read 4, 9, 4, 4 it is one. And on the first
    100 held-out drawings, the page calls as many ghosts as measure.ghost_calls counts, each with the drawing and
    its scan read alike."""
    from demos.cyclegan import measure, ui

    canvases, digits, labels = drawn
    with monkeypatch.context() as patch:
        for drawing, says in ((9, "your digit read as 9 before the scan"), (4, "**A ghost:**")):
            patch.setattr(ui, "_reading", lambda images, d=drawing: (np.array([4, 9, 4, d])[:len(images)],
                                                                      np.array([0.98, 0.9, 0.97, 0.9])[:len(images)]))
            text = ui._translate(None, sketchpad_value(canvases[0]), True, DIGITS.key, "a_to_b", "en")[1]
            assert says in text and ("A ghost" in text) == (drawing == 4)
        patch.setattr(ui, "_reading", lambda images: (np.array([4, 9, 4, 9])[:len(images)],
                                                      np.array([0.98, 0.9, 0.97, 0.9])[:len(images)]))
        zh = ui._translate(None, sketchpad_value(canvases[0]), True, DIGITS.key, "a_to_b", "zh")[1]
        assert "你的數字在掃描前讀成 9" in zh and "幽靈現象：" not in zh
    called = 0
    for canvas, digit in zip(canvases, digits):
        if "A ghost" in ui._translate(None, sketchpad_value(canvas), True, DIGITS.key, "a_to_b", "en")[1]:
            called += 1
            read = models[1](to_tensor(np.stack([digit, logic.as_scan(digit)]))).argmax(1)
            assert read[0] == read[1]
    assert called == measure.ghost_calls(models[1], drawn_trips[1], labels, digits)["page_rule"]


@pytest.mark.slow
def test_ghosts_called_on_labelled_digits_all_had_x_read_right(models):
    """On the handwritten test digits (labelled; the classifier misreads some) and both ways: every ghost the page
    would call had its x read right; the old rule called some on misread x (so this test can tell them apart)."""
    from demos.cyclegan import measure

    pair, classifier = models
    old_misread = 0
    for source, forward, backward, every in ((HANDWRITTEN, pair.g, pair.f, 1), (TYPESET, pair.f, pair.g, 6)):
        test = load_split(TEST, source)
        images, labels = test.images[::every], test.labels[::every]
        trip = logic.round_trip(forward, backward, classifier, style_judge(), images)
        calls = measure.ghost_calls(classifier, trip, labels)
        assert calls["page_rule_x_misread"] == 0 and calls["page_rule"] > 0
        old_misread += calls["old_rule_x_misread"]
        lost, hidden = logic.hidden_digits(trip, labels)
        read_right = trip.read_x == labels
        assert lost == int((read_right & (trip.read_translated != labels)).sum()) and hidden <= lost
    assert old_misread > 0


def test_ghosts_on_the_drawn_digits(drawn, drawn_trips, models, results):
    _, after, _, labels = drawn_trips
    from demos.cyclegan import measure

    calls = measure.ghost_calls(models[1], after, labels, drawn[1])
    assert calls["page_rule_x_misread"] == 0 and calls["page_rule"] <= calls["old_rule"]
    assert results["drawn"]["a_to_b"]["ghosts_after"]["page_rule_x_misread"] == 0


# ---- the notes' sentences about these bullets hold on results.json

def test_the_notes_claims_about_drawn_digits_hold(results):
    drawn, judge = results["drawn"], results["style_judge"]
    before, after = drawn["a_to_b"]["before"], drawn["a_to_b"]["after"]
    # "the judge calls it typeset, and G leaves it almost alone"
    assert drawn["judged_typeset"] >= 0.9 and before["change"] < 1.5 * drawn["typeset_test_change_by_g"]
    # "scans it to 8×8 ... G then keeps the digit ... neat drawings need less changing than real handwriting"
    assert drawn["a_to_b"]["scanned"] >= 0.9 and after["x_judged_handwritten"] >= 0.5
    assert before["change"] < after["change"] < drawn["handwritten_test_change"]
    assert drawn["typeset_test_change_by_g"] < after["change"]
    # "thickened until the grid holds as much ink as the training scans do: the same for every digit"
    ink = results["scan_ink"]
    assert ink["ink"] == logic.SCAN_INK == round(ink["training_scans"])
    assert max(ink["training_scans_by_class"]) < 1.1 * min(ink["training_scans_by_class"])
    assert logic.SCAN_INK <= ink["font_renders_scanned"] < 1.25 * logic.SCAN_INK
    # "straightened (the training scans are upright) ... its grey levels made the training scans'"
    assert list(logic.SCAN_GREY_LEVELS) == results["scan_grey_levels"]["training_scans"]
    slant = results["scan_slant"]
    assert slant["drawn_deskewed"] < slant["training_scans"] < slant["drawn"]
    assert after["cycle_l1"] < before["cycle_l1"]
    # "the expected calibration error falls"; "never went above 61%"
    assert judge["test"]["after"]["ece"] < judge["test"]["before"]["ece"] / 5
    assert judge["test"]["before"]["handwritten_max_p"] < 0.62
    assert judge["b_to_a_translations"]["before"]["p_max"] < 0.62 < judge["b_to_a_translations"]["after"]["p_max"]
    # "the old rule called N ghosts on a misread x, this one none"; the page uses the threshold the notes quote
    calls = results["digits"]["a_to_b"]["ghost_calls"]
    assert calls["old_rule_x_misread"] > 0 and calls["page_rule_x_misread"] == 0
    assert results["ghost_sure"] == logic.SURE
    for lang in ("en", "zh"):
        text = strings.notes(lang, results)
        numbers = strings.note_numbers(results, lang)
        for key in ("drawn_before_change", "drawn_after_kept", "style_ece_after", "ghost_old_misread"):
            assert numbers[key] in text, (lang, key)


def test_the_held_out_drawings_are_the_ones_results_json_measured(drawn, results):
    """The same recipe and seed: the first 100 of results.json's 200 drawings are these, pixel for pixel."""
    import hashlib

    _, digits, labels = drawn
    assert results["drawn"]["seed"] == SEED and results["drawn"]["digits"] >= HELD_OUT == 100
    assert np.bincount(labels).tolist() == [HELD_OUT // 10] * 10
    assert hashlib.sha256(np.ascontiguousarray(digits).tobytes()).hexdigest() == results["drawn"]["sha256_first_100"]
