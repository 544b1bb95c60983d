"""The CycleGAN tab's science (demos/cyclegan/logic.py) and generators (model.py): shapes, the official checkpoint
layout, and the cycle and preservation measures on known cases."""
import numpy as np
import pytest
import torch
from torch import nn

from demos.cyclegan import logic
from demos.cyclegan.model import (
    DigitTranslator,
    InUnitRange,
    ResnetGenerator,
    load_resnet,
    official_keys,
    vintage,
    vintage_keys,
)


@pytest.mark.parametrize("size", [(1, 1), (7, 5), (28, 28), (33, 64), (101, 67)])
def test_generators_keep_any_size(size):
    h, w = size
    big = ResnetGenerator(3, 3, width=8, blocks=2).eval()
    with torch.no_grad():
        out = big(torch.rand(2, 3, h, w) * 2 - 1)
    assert out.shape == (2, 3, h, w) and out.abs().max() <= 1
    small = DigitTranslator().eval()
    with torch.no_grad():
        grey = small(torch.rand(1, 1, h, w))
    assert grey.shape == (1, 1, h, w) and grey.min() >= 0 and grey.max() <= 1


def test_the_official_layout_round_trips_through_a_saved_state_dict(tmp_path):
    """A randomly initialised generator saved as the official code saves latest_net_G.pth loads back exactly
    with weights_only=True, and its shape (width, blocks, norm) is read from the file."""
    original = ResnetGenerator(3, 3, width=16, blocks=9, affine=False).eval()
    path = tmp_path / "latest_net_G.pth"
    torch.save(original.state_dict(), path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert "model.10.conv_block.1.weight" in state and "model.26.weight" in state  # the official names
    loaded = load_resnet(state)
    x = torch.rand(1, 3, 40, 36) * 2 - 1
    with torch.no_grad():
        assert torch.equal(loaded(x), original(x))
    assert len(loaded.model) == len(original.model)


def test_a_retraining_with_affine_norm_and_other_names_loads_too():
    original = ResnetGenerator(3, 3, width=8, blocks=3, affine=True).eval()
    renamed = {"module." + k.replace(".conv_block.", ".block."): v for k, v in original.state_dict().items()}
    assert set(official_keys(renamed)) == set(original.state_dict())
    loaded = load_resnet(renamed)
    x = torch.rand(1, 3, 12, 12) * 2 - 1
    with torch.no_grad():
        assert torch.equal(loaded(x), original(x))


class Invert(nn.Module):
    def __init__(self):
        super().__init__()
        self.anchor = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return 1 - x + self.anchor


class Identity(Invert):
    def forward(self, x):
        return x + self.anchor


def test_the_cycle_error_is_zero_for_identities_and_inverse_pairs():
    image = np.random.default_rng(0).integers(0, 256, (9, 7, 3), dtype=np.uint8)
    for forward, backward in ((Identity(), Identity()), (Invert(), Invert())):
        found = logic.cycle(forward, backward, image)
        assert found.mean_error == 0 and found.error.shape == (9, 7)
        assert np.array_equal(found.reconstructed, image)
    broken = logic.cycle(Invert(), Identity(), image)  # F is not G's inverse: x → 1 − x → 1 − x
    expected = np.abs(image.astype(float) - (255 - image.astype(float))).mean(axis=2) / 255
    assert np.allclose(broken.error, expected, atol=1 / 255)


def test_identity_change_measures_how_much_g_alters_its_own_domain():
    grey = np.full((6, 6), 200, np.uint8)
    assert logic.identity_change(Identity(), grey)[1] == 0
    out, change = logic.identity_change(Invert(), grey)
    assert out.shape == (6, 6) and change == pytest.approx(145 / 255, abs=1 / 255)


def test_preservation_counts_the_labels_the_classifier_still_reads():
    class Brightest(nn.Module):  # reads the digit as the row of the brightest pixel
        def __init__(self):
            super().__init__()
            self.anchor = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return nn.functional.one_hot(x[:, 0].amax(2).argmax(1) % 10, 10).float() + self.anchor

    images = np.zeros((4, 28, 28), np.uint8)
    for i, row in enumerate((3, 5, 7, 9)):
        images[i, row] = 255
    assert logic.preserved(Brightest(), images, np.array([3, 5, 7, 9])) == 1.0
    assert logic.preserved(Brightest(), images, np.array([3, 5, 0, 0])) == 0.5


def test_a_minus_one_to_one_generator_is_seen_in_zero_to_one():
    class Negate(nn.Module):
        def __init__(self):
            super().__init__()
            self.anchor = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return -x + self.anchor

    image = np.array([[0, 255], [51, 204]], np.uint8)
    assert np.array_equal(logic.apply(InUnitRange(Negate()), image), 255 - image)


@pytest.mark.parametrize("width, height, longest, expected", [
    (6000, 4000, 256, (256, 172)), (100, 50, 256, (100, 48)), (1, 1, 256, (4, 4)), (8000, 8, 512, (512, 4)),
])
def test_working_size(width, height, longest, expected):
    assert logic.working_size(width, height, longest) == expected


def test_the_packaged_layout_maps_onto_the_tabs_model():
    """vintagify's file holds a ResNet-9 with affine instance norm whose residual blocks are called ``block``:
    the same shapes, renamed, fill the tab's model exactly (strict)."""
    source = ResnetGenerator(3, 3, 64, 9, affine=True).state_dict()
    as_packaged = {k.replace(".conv_block.", ".block."): v for k, v in source.items()}
    model = vintage()
    model.load_state_dict(vintage_keys(as_packaged), strict=True)
    assert model.f is None and sum(p.numel() for p in model.parameters()) == 11_388_675


def test_the_packaged_vintage_generator_loads_and_keeps_a_photo_recognisable():
    """The real file from the pinned package: sha256 checked, tensors only, strict; on the astronaut photo the
    output is a photo of the same scene (a restrained look), not noise."""
    from pathlib import Path

    from PIL import Image

    from demos.cyclegan.model import VINTAGE

    if not VINTAGE.available():
        pytest.fail("vintagify==0.1.2 is not installed: pip install -r requirements.txt")
    pair = VINTAGE.load(torch.device("cpu")).model
    assert pair.f is None
    photo = Image.open(Path(__file__).resolve().parents[1] / "assets" / "examples" / "astronaut.png").convert("RGB")
    image = np.asarray(photo.resize((128, 128)))
    out = logic.apply(pair.g, image)
    assert out.shape == image.shape
    correlation = np.corrcoef(out.astype(float).ravel(), image.astype(float).ravel())[0, 1]
    assert 0.7 < correlation < 0.999 and np.abs(out.astype(int) - image).mean() > 2
