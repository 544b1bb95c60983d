"""Every verdict the saliency tab shows, checked on the held-out set (demos/saliency/heldout.py: photos from three
other PyPI wheels, digits drawn with strokes by a generator of our own; tests/data/saliency/README.md).

The costly figures (Integrated Gradients and SmoothGrad on eight photos, before and after issue 19) come from
assets/models/saliency/heldout.json (``python -m demos.saliency.measure --heldout``); the cheap ones are
recomputed here on held-out pictures, so a change of the rule or the code shows up."""
import copy
from pathlib import Path

import numpy as np
import pytest
import torch

from core.data.digits import normalize_digit
from core.i18n import read_results, t
from core.models import ASSETS
from demos.saliency import heldout, logic, measure, similarity, strings, ui
from demos.saliency.model import CLASSIFIER, EFFICIENTNET_LITE0, cam_layer, input_spec, randomization_steps

HELDOUT = ASSETS / "saliency" / "heldout.json"


@pytest.fixture(scope="module")
def shipped():
    found = read_results(HELDOUT)
    assert found is not None, "python -m demos.saliency.measure --heldout"
    return found


@pytest.fixture(scope="module")
def lite():
    return CLASSIFIER.get(EFFICIENTNET_LITE0.key)


@pytest.fixture(scope="module")
def digit_cnn():
    return CLASSIFIER.get("digit-cnn")


def photo(name: str) -> np.ndarray:
    return logic.square_crop(heldout.load_photo(next(p for p in heldout.PHOTOS if p.name == name)), 224)


def final_check(bundle, picture, methods, explainer=None, settings=measure.SETTINGS):
    """The sanity check's verdicts (its last step, computed at once), as the tab judges them."""
    spec, model = input_spec(bundle), bundle.model
    x = spec(picture)
    target = int(logic.probabilities(model, x).argmax())
    baseline = spec(logic.baseline_picture(picture, settings.baseline))
    return logic.cascading_randomization(lambda: copy.deepcopy(model), logic.all_at_once(randomization_steps(model)),
                                         x, target, methods, settings, cam_layer, baseline, picture=picture,
                                         explainer=explainer)


# ------------------------------------------------------------------ the held-out set itself

def test_the_heldout_set_is_what_its_readme_says(shipped, digit_cnn):
    readme = (Path(__file__).parent / "data" / "saliency" / "README.md").read_text(encoding="utf-8")
    for item in heldout.PHOTOS:
        assert heldout.sha256(heldout.photo_file(item)) == item.sha256, item.name
        assert item.path in readme and item.sha256[:12] in readme
    assert set(shipped["photos"]) == {p.name for p in heldout.PHOTOS}
    drawn = heldout.stroke_digits(2)
    again = heldout.stroke_digits(2)
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(drawn, again))  # a recipe, repeatable
    x = torch.from_numpy(np.stack([normalize_digit(d) for _, d in drawn]).astype(np.float32) / 255)[:, None]
    predicted = logic.probabilities(digit_cnn.model, x).argmax(1).numpy()
    assert (predicted == np.array([d for d, _ in drawn])).mean() >= 0.9  # they are digits the model reads


# ------------------------------------------------------------------ the sanity check's verdict

def test_a_method_that_returns_the_input_is_judged_tied_on_photos_and_digits(shipped, lite, digit_cnn):
    for name in ("portrait", "cheetah_running"):
        result = final_check(lite, photo(name), ["input"], measure.input_explainer)
        assert result.verdicts["input"].verdict == "tied", name
    for digit, drawing in heldout.stroke_digits(1)[3:5]:
        result = final_check(digit_cnn, normalize_digit(drawing), ["input"], measure.input_explainer)
        assert result.verdicts["input"].verdict == "tied", digit
    for group in ("photos", "digits"):
        assert all(item["sanity"]["methods"]["input"]["verdict"] == "tied" for item in shipped[group].values())


def test_plain_saliency_changes_with_the_model_on_heldout_photos(shipped, lite):
    result = final_check(lite, photo("flower"), ["saliency"])
    verdict = result.verdicts["saliency"]
    assert verdict.verdict == "changed", verdict
    for name, item in shipped["photos"].items():
        assert item["sanity"]["methods"]["saliency"]["verdict"] == "changed", name


def test_integrated_gradients_is_no_longer_passed_while_its_maps_still_draw_the_photo(shipped):
    """The issue: with a black baseline, IG's randomised maps still draw the face and the flower, yet the tab said
    "passes" (unblurred ρ = 0.40, 0.45). After: where ρ of |map| at the comparison scale votes "still tied" (the
    map's sizes still draw the picture: the portrait and the flower among them), the verdict is never "changed";
    and fewer photos are called changed than the old rule passed."""
    photos = shipped["photos"]
    for name in ("portrait", "flower"):
        ig = photos[name]["sanity"]["methods"]["integrated_gradients"]
        assert ig["before"]["verdict"] == "passes" and ig["votes"]["spearman_abs"] == "tied", name
    before_passed = after_changed = 0
    for name, item in photos.items():
        ig = item["sanity"]["methods"]["integrated_gradients"]
        if ig["votes"]["spearman_abs"] == "tied":
            assert ig["verdict"] != "changed", (name, ig)
        before_passed += ig["before"]["verdict"] == "passes"
        after_changed += ig["verdict"] == "changed"
    assert after_changed < before_passed


def test_grad_cam_changes_and_a_negative_similarity_is_never_tied(shipped, lite):
    for name, item in shipped["photos"].items():
        gradcam = item["sanity"]["methods"]["gradcam"]
        assert gradcam["verdict"] != "tied", name
        for metric, value in gradcam["similarity"].items():
            if value[-1] < 0:
                assert gradcam["votes"][metric] == "changed", (name, metric)
    result = final_check(lite, photo("lion"), ["gradcam"])
    assert result.verdicts["gradcam"].verdict != "tied"
    # The cat of the issue: ρ = -0.53 was "fails: still tied"; a map inverted like that now reads "changed".
    rng = np.random.default_rng(0)
    heat = similarity.blur(rng.random((224, 224)), 8)
    assert similarity.judge((heat, heat), (heat.max() - heat, heat.max() - heat)).verdict == "changed"


def test_smoothgrad_no_longer_flips_on_one_cut(shipped):
    """The single |ρ| < 0.5 cut passed SmoothGrad at 0.32 and failed it at 0.56. Among the held-out photos whose
    old ρ sat near the cut (0.3-0.7), the old verdicts flip; the new ones never say "changed" on one and "still
    tied" on another."""
    near = [item["sanity"]["methods"]["smoothgrad"] for item in shipped["photos"].values()
            if 0.3 <= abs(item["sanity"]["methods"]["smoothgrad"]["before"]["rho"]) <= 0.7]
    assert {entry["before"]["verdict"] for entry in near} == {"passes", "fails"}  # the old flip is in the set
    assert not {"changed", "tied"} <= {entry["verdict"] for entry in near}


def test_the_table_states_the_rule_and_never_shows_minus_zero(digit_cnn):
    drawing = normalize_digit(heldout.stroke_digits(1)[7][1])
    result = final_check(digit_cnn, drawing, ["saliency", "occlusion"])
    table = ui.sanity_table(result, "en")
    assert "-0.00" not in table and ui.number(-0.001) == "0.00" and ui.number(-0.5) == "-0.50"
    for method in ("saliency", "occlusion"):
        assert t(f"saliency.verdict_{result.verdicts[method].verdict}", "en") in table
    rule = t("saliency.sanity_rule", "en", low=similarity.CHANGED_BELOW, high=similarity.TIED_ABOVE,
             votes=similarity.VOTES_NEEDED, total=4)
    assert "negative" in rule and "33%" in rule and "67%" in rule and "3 of the 4" in rule


def test_the_occlusion_sanity_check_is_capped_and_says_so():
    capped = logic.sanity_settings(logic.Settings())
    assert logic.occlusion_positions(224, capped) <= 49 < logic.occlusion_positions(224, logic.Settings())
    note = t("saliency.sanity_capped", "en", samples=10, steps=16, stride=14, positions=49)
    assert "Occlusion stride of at least 14%" in note and "49 window positions" in note


# ------------------------------------------------------------------ deletion and insertion curves

def test_ties_are_broken_at_random_so_a_map_of_zeros_is_a_random_order(digit_cnn):
    """In scan order a map of ties removed the picture top to bottom; now a blank map reads like random."""
    spec = input_spec(digit_cnn)
    for digit, drawing in heldout.stroke_digits(1)[:3]:
        x = spec(normalize_digit(drawing))
        target = int(logic.probabilities(digit_cnn.model, x).argmax())
        blank = logic.perturbation_curves(digit_cnn.model, x, target, np.zeros((28, 28)))
        reference = logic.random_reference(digit_cnn.model, x, target)
        for kind in ("deletion", "insertion"):
            assert logic.read_curves(blank, reference, kind).verdict == "same", (digit, kind)


def test_the_captions_are_read_from_the_measured_curves(shipped):
    """Before, one caption said "blob-shaped maps can do worse than random" whatever the picture (on a cheetah
    Occlusion scored worse than random while Grad-CAM was 7x better). After: each reading follows its AUCs."""
    assert not any("blob-shaped" in text for text in strings.STRINGS["en"].values())  # the fixed caption is gone
    for group in ("photos", "digits"):
        for name, item in shipped[group].items():
            curves = item["curves"]
            for method, entry in curves["methods"].items():
                for kind in ("deletion", "insertion"):
                    reading, random_auc = entry[kind], curves["random"][kind]["auc"]
                    gain = (random_auc - reading["auc"]) * (1 if kind == "deletion" else -1)
                    wanted = "better" if gain > reading["margin"] else "worse" if gain < -reading["margin"] else "same"
                    assert reading["verdict"] == wanted, (name, method, kind)


def test_occlusion_on_the_cheetah_before_and_after(shipped):
    """The issue's cheetah: the scan-order ties made Occlusion's half-zero map a top-to-bottom sweep."""
    cheetah = shipped["photos"]["cheetah_running"]["curves"]
    occlusion = cheetah["methods"]["occlusion"]
    assert occlusion["deletion"]["verdict"] != "worse"  # after: not worse than random
    assert abs(occlusion["before"] - occlusion["deletion"]["auc"]) > 0.01  # the tie order did change the figure


def test_a_low_class_probability_is_warned_about(shipped):
    lows = {name: item["curves"]["p"] for name, item in shipped["photos"].items()
            if item["curves"]["p"] < logic.LOW_CLASS_P}
    assert lows, "the held-out set has a low-confidence photo (the flower of the issue)"
    flat = logic.Curves(np.full((1, len(logic.DELETION_STEPS)), 0.1), np.full((1, len(logic.DELETION_STEPS)), 0.1))
    for p in lows.values():
        table = ui.deletion_table({"saliency": flat, "random": flat}, p, "en")
        assert "⚠" in table and f"p = {p:.2f}" in table
    assert "⚠" not in ui.deletion_table({"saliency": flat, "random": flat}, 0.9, "en")


# ------------------------------------------------------------------ the digit CNN on a photo

def test_the_digit_cnns_warning_stays_after_the_explanation(tmp_path):
    from PIL import Image

    path = tmp_path / "cheetah.png"
    Image.fromarray(photo("cheetah_face")).save(path)
    panels, line, _ = ui._explain(str(path), None, False, "digit-cnn", None, ("saliency",), 15, 1, 8, "black", 14, 7,
                                  0.6, ui.no_progress, "en")
    assert t("saliency.seen_digit", "en", size=28) in line and "The model says" in line
    _, line, _ = ui._explain(str(path), None, False, "digit-cnn", None, ("saliency",), 15, 1, 8, "black", 14, 7,
                             0.6, ui.no_progress, "zh")
    assert t("saliency.seen_digit", "zh", size=28) in line



def test_a_stroke_on_the_pad_is_read_as_the_chosen_model_reads_a_drawing(tmp_path):
    """The pad's stroke event reads a drawing as /saliency_predict does: a tap is too small to be a digit for the
    digit model, and a picture like any other for the photo model (it used to get the digit message there too)."""
    import gradio as gr
    from PIL import Image

    dot = np.full((280, 280), 255, np.uint8)
    dot[130:150, 130:150] = 0
    with pytest.raises(gr.Error, match="too small to be read as a digit"):
        ui.draw(None, {"composite": dot}, "digit-cnn")
    bars, _, line, _, ticked = ui.draw(None, {"composite": dot}, EFFICIENTNET_LITE0.key)
    assert ticked is True and "The model says" in line and len(bars) == 5
    Image.fromarray(photo("cheetah_face")).save(tmp_path / "cheetah.png")
    _, _, line, _, ticked = ui.draw(str(tmp_path / "cheetah.png"), {"composite": np.full((280, 280), 255, np.uint8)},
                                    EFFICIENTNET_LITE0.key)
    assert ticked is False and "The model says" in line  # an empty pad: back to the picture

def test_occlusion_changes_with_the_model_on_heldout_photos_within_the_cap(shipped):
    """Occlusion's sanity check on the photos (measure.py --heldout), under the tab's cap: its stride is
    never below 14% of the side, 49 window positions a map at 224² whatever the slider says (169 at the default 7%,
    4,096 at 1 px: the 424 s run of the issue)."""
    for name, item in shipped["photos"].items():
        occlusion = item["sanity"]["methods"]["occlusion"]
        assert occlusion["verdict"] == "changed", (name, occlusion["votes"])
        assert occlusion["seconds"] < 60, name  # the original and the randomised maps, on one busy core
    finest = logic.sanity_settings(logic.Settings(stride_percent=1.0))
    assert logic.occlusion_positions(224, finest) == 49 < logic.occlusion_positions(224, logic.Settings())
