"""The saliency tab's shipped measurements (results.json, the EfficientNet-Lite0 card), re-measured, and the
lecture notes that quote them."""
import copy

import numpy as np
import pytest
from PIL import Image

from core.i18n import PLACEHOLDER, t
from core.models import read_card
from demos.saliency import logic, measure, strings
from demos.saliency.model import CLASSIFIER, EFFICIENTNET_LITE0, cam_layer, input_spec, randomization_steps


@pytest.fixture(scope="module")
def results():
    shipped = strings.load_results()
    assert shipped is not None, "run python -m demos.saliency.measure"
    return shipped


def test_the_notes_quote_every_number_from_the_results(results):
    numbers = strings.note_numbers(results)
    for lang in ("en", "zh"):
        placeholders = set(PLACEHOLDER.findall((strings.HERE / f"notes.{lang}.md").read_text("utf-8")))
        assert placeholders and placeholders <= set(numbers), (lang, placeholders - set(numbers))
        text = t("saliency.notes", lang)
        assert "{{" not in text, lang
        for name in placeholders:
            assert numbers[name] in text, (lang, name)


def test_the_card_reproduces_on_the_labelled_photos(results):
    card = read_card(EFFICIENTNET_LITE0.card_directory)
    assert card["source"]["sha256"] == EFFICIENTNET_LITE0.sha256 and "Apache-2.0" in card["license"]
    again = measure.photo_quality(CLASSIFIER.get(EFFICIENTNET_LITE0.key))
    shipped = card["metrics"]["photos_eval"]
    assert again["photos"] == shipped["photos"] >= 30
    assert again["top1"] == pytest.approx(shipped["top1"]) and again["top5"] == pytest.approx(shipped["top5"])
    assert results["quality"]["efficientnet-lite0"]["top5"] == pytest.approx(shipped["top5"])


def test_the_digit_cnn_figures_reproduce(results):
    again = measure.digit_quality(CLASSIFIER.get("digit-cnn"))
    assert again["accuracy"] == pytest.approx(results["quality"]["digit-cnn"]["accuracy"])


def test_the_cat_sanity_and_deletion_numbers_reproduce(results):
    """The cheap methods' numbers the notes quote, recomputed (the expensive ones share the code path)."""
    shipped = results["examples"]["chelsea"]
    bundle = CLASSIFIER.get(EFFICIENTNET_LITE0.key)
    spec = input_spec(bundle)
    picture = logic.square_crop(np.asarray(Image.open(measure.EXAMPLES_DIR / "chelsea.png").convert("RGB")), 224)
    x = spec(picture)
    target = shipped["top"][0][0]
    assert target == int(logic.probabilities(bundle.model, x).argmax())
    methods = ("saliency", "gradcam")
    sanity = logic.cascading_randomization(lambda: copy.deepcopy(bundle.model),
                                           logic.all_at_once(randomization_steps(bundle.model)), x, target, methods,
                                           measure.SETTINGS, cam_layer, picture=picture)
    for method in methods:
        entry = shipped["sanity"]["methods"][method]
        for metric, values in sanity.similarity[method].items():
            assert values[-1] == pytest.approx(entry["similarity"][metric][-1], abs=2e-3), (method, metric)
        assert sanity.verdicts[method].verdict == entry["verdict"]
    heat = logic.attribute(bundle.model, x, target, "saliency", logic.Settings())  # the tab's map
    curves = logic.perturbation_curves(bundle.model, x, target, heat)
    for kind in ("deletion", "insertion"):
        auc = curves.auc(kind).mean()
        assert auc == pytest.approx(shipped["curves"]["grey"]["methods"]["saliency"][kind]["auc"], abs=2e-3), kind


def test_what_the_notes_say_is_true_of_the_results(results):
    cat = results["examples"]["chelsea"]
    sanity = cat["sanity"]["methods"]
    # "Grad-CAM's negative correlation is the case the sign rule is for: ... it has changed"
    assert sanity["gradcam"]["similarity"]["spearman_abs"][-1] < 0 and sanity["gradcam"]["verdict"] == "changed"
    # the 7: "Saliency changes", "IG keeps ρ of |map|", "only its signs change", "the four votes disagree"
    seven = results["examples"]["digit_7"]["sanity"]["methods"]
    assert seven["saliency"]["verdict"] == "changed"
    ig = seven["integrated_gradients"]
    assert ig["votes"]["spearman_abs"] == "tied" and ig["votes"]["spearman_signed"] == "changed"
    assert len(set(ig["votes"].values())) > 1 and ig["verdict"] != "changed"
    # held-out photos: unblurred ρ low enough for the old rule to pass IG, blurred ρ of |map| higher on each
    photos = results["heldout"]["photos"]
    for name, item in photos.items():
        entry = item["sanity"]["methods"]["integrated_gradients"]
        assert entry["similarity"]["spearman_abs"][-1] > abs(entry["before"]["rho"]), name
    numbers = strings.note_numbers(results)
    assert int(numbers["ig_before_passes"]) >= 2 and int(numbers["ig_after_changed"]) < int(numbers["ig_before_passes"])
    # deletion vs insertion on the cat: the blob-shaped maps read worse than random deleting, better inserting
    grey = cat["curves"]["grey"]
    for method in ("gradcam", "occlusion"):
        assert grey["methods"][method]["deletion"]["verdict"] == "worse", method
        assert grey["methods"][method]["insertion"]["verdict"] == "better", method
        assert grey["random"]["deletion"]["auc"] < grey["methods"][method]["deletion"]["auc"]
    # "the cat's class has only p = ..., below 0.5, so the tab warns as well"
    assert cat["top"][0][2] < logic.LOW_CLASS_P and grey["p"] == pytest.approx(cat["top"][0][2], abs=1e-3)
