"""The offline digits data set and the digit normaliser."""
import numpy as np
import pytest

from core.data import digits as D
from core.i18n import UserInputError


def test_shipped_arrays_have_the_documented_shapes_and_labels():
    data = D.load_digits()
    n = len(data)
    assert data.images.shape == (n, 28, 28) and data.images.dtype == np.uint8
    assert set(np.unique(data.labels)) == set(range(10))
    assert set(np.unique(data.style)) == {D.HANDWRITTEN, D.TYPESET}
    assert int((data.style == D.HANDWRITTEN).sum()) == 1797  # every scikit-learn digit
    for style in (D.HANDWRITTEN, D.TYPESET):
        for split in (D.TRAIN, D.TEST):
            part = data.subset(split, style)
            assert len(part) > 300
            assert np.bincount(part.labels, minlength=10).min() > 20  # every class present in every part
    test_share = (data.split == D.TEST).mean()
    assert 0.15 < test_share < 0.25


def test_every_image_is_centred_and_inked():
    images = D.load_digits().images.astype(np.float64)
    mass = images.sum(axis=(1, 2))
    assert (mass > 0).all()
    rows = (images.sum(axis=2) * np.arange(28)).sum(1) / mass
    cols = (images.sum(axis=1) * np.arange(28)).sum(1) / mass
    assert np.abs(rows - 13.5).max() < 3 and np.abs(cols - 13.5).max() < 3


@pytest.mark.slow
def test_handwritten_part_rebuilds_identically_from_scikit_learn():
    pytest.importorskip("sklearn")
    images, labels, test = D.build_handwritten(seed=0)
    again = D.build_handwritten(seed=0)
    assert np.array_equal(images, again[0]) and np.array_equal(test, again[2])
    shipped = D.load_digits()
    hand = shipped.style == D.HANDWRITTEN
    assert np.array_equal(shipped.images[hand], images)
    assert np.array_equal(shipped.labels[hand], labels)
    assert np.array_equal(shipped.split[hand].astype(bool), test)


def test_typeset_rendering_is_deterministic():
    fonts = D.find_fonts()
    if not fonts:
        pytest.skip("no fonts on this machine")
    first = D.render_digit(fonts[0], 7, np.random.default_rng(3))
    second = D.render_digit(fonts[0], 7, np.random.default_rng(3))
    assert np.array_equal(first, second) and first.shape == (28, 28) and first.max() > 100


def test_normalize_digit_handles_dark_and_light_ink_alike():
    paper = np.full((200, 120), 255, np.uint8)
    paper[40:160, 50:70] = 0  # a dark vertical bar: a "1" on white paper
    dark_ink = D.normalize_digit(paper)
    light_ink = D.normalize_digit(255 - paper)
    assert dark_ink.shape == (28, 28)
    assert np.array_equal(dark_ink, light_ink)
    rows, cols = np.nonzero(dark_ink > 128)
    assert rows.max() - rows.min() + 1 >= 18  # the long side fills the 20-pixel box
    assert 11 <= cols.mean() <= 16


@pytest.mark.parametrize("blank", [np.full((50, 50), 255, np.uint8), np.zeros((10, 10), np.uint8),
                                   np.zeros((0, 0), np.uint8), np.full((1, 1), 128, np.uint8)])
def test_normalize_digit_rejects_an_empty_drawing(blank):
    with pytest.raises(UserInputError) as info:
        D.normalize_digit(blank)
    assert info.value.key == "digit.empty"
