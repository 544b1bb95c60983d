"""The CycleGAN tab's science (demos/cyclegan/logic.py) and generators (model.py): shapes, the official checkpoint
layout, and the cycle and preservation measures on known cases."""
import numpy as np
import pytest
import torch
from torch import nn

from demos.cyclegan import figures, logic
from demos.cyclegan.model import (
    DigitTranslator,
    InUnitRange,
    ResnetGenerator,
    checkpoint_choices,
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


def test_named_official_checkpoints_become_model_choices_and_a_pair_closes_the_cycle(tmp_path):
    """python app.py --cyclegan horse2zebra/latest_net_G.pth,zebra2horse/latest_net_G.pth: one choice whose
    G and F are the two files (official format, with the stale instance-norm statistics old PyTorch saved)."""
    torch.manual_seed(0)
    generators = {}
    for name in ("horse2zebra_pretrained", "zebra2horse_pretrained"):
        model = ResnetGenerator(3, 3, width=8, blocks=2).eval()
        state = dict(model.state_dict())
        state["model.2.running_mean"] = torch.zeros(8)  # as torch < 0.4 saved instance norms: ignored
        (tmp_path / name).mkdir()
        torch.save(state, tmp_path / name / "latest_net_G.pth")
        generators[name] = model
    single = tmp_path / "style_monet.pth"
    torch.save(ResnetGenerator(3, 3, width=8, blocks=1).state_dict(), single)
    spec = f"{tmp_path}/horse2zebra_pretrained/latest_net_G.pth,{tmp_path}/zebra2horse_pretrained/latest_net_G.pth"
    pair, one = checkpoint_choices(f" {spec} :{single}: ")
    assert (pair.key, one.key) == ("horse2zebra+zebra2horse", "style_monet") and pair.available()
    translators = pair.load(torch.device("cpu")).model
    x = torch.rand(1, 3, 20, 24)
    with torch.no_grad():
        assert torch.equal(translators.g(x), (generators["horse2zebra_pretrained"](x * 2 - 1) + 1) / 2)
        assert torch.equal(translators.f(x), (generators["zebra2horse_pretrained"](x * 2 - 1) + 1) / 2)
    assert one.load(torch.device("cpu")).model.f is None  # one file: G only
    assert checkpoint_choices("") == [] and not checkpoint_choices(str(tmp_path / "missing.pth"))[0].available()


def test_a_round_trip_reads_every_stage_and_finds_the_hidden_digits():
    """A known case: G inverts, F inverts back (cycle error 0); a 'classifier' that reads the mean brightness."""

    class Brightness(nn.Module):  # bright pictures read as 1, dark as 0
        def __init__(self):
            super().__init__()
            self.anchor = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            bright = x.mean(dim=(1, 2, 3)) > 0.5
            return torch.stack([(~bright).float(), bright.float()], 1) + self.anchor

    digits = np.zeros((4, 28, 28), np.uint8)
    digits[2:] = 255
    trip = logic.round_trip(Invert(), Invert(), Brightness(), Brightness(), digits)
    assert np.array_equal(trip.reconstructed, digits) and np.allclose(trip.cycle_l1, 0)
    assert np.array_equal(trip.translated, 255 - digits)
    assert list(trip.read_x) == [0, 0, 1, 1] and list(trip.read_translated) == [1, 1, 0, 0]
    assert list(trip.style_translated) == [1, 1, 0, 0]
    # labels say every digit is what x reads: all four translations read wrong, all four come back right
    assert logic.hidden_digits(trip, np.array([0, 0, 1, 1])) == (4, 4)
    # a label the reconstruction does not match either is lost, not hidden
    assert logic.hidden_digits(trip, np.array([1, 0, 1, 1])) == (3, 3)


def test_working_size_pictures_are_resized_only_down():
    photo = np.random.default_rng(0).integers(0, 256, (600, 900, 3), np.uint8)
    assert logic.to_working_size(photo, 256).shape == (172, 256, 3)
    small = photo[:40, :60]
    assert logic.to_working_size(small, 256) is small


def test_the_strip_frames_the_wrong_readings_in_red():
    digits = np.zeros((3, 28, 28), np.uint8)
    picture = figures.strip([digits, digits], [np.array([0, 1, 2]), np.array([0, 7, 2])], np.array([0, 1, 2]), 2)
    side, band, gap = 56, 37, 4
    top_second_row = gap + side + band + gap
    frame = picture[top_second_row - 2, gap + (side + gap) + side // 2]  # above the second digit, second row
    assert tuple(frame) == figures.WRONG
    assert tuple(picture[gap - 2, gap + (side + gap) + side // 2]) == (255, 255, 255)  # first row: no frame
    label_area = picture[top_second_row + side:top_second_row + side + band, gap + (side + gap):gap + 2 * side + gap]
    assert (label_area == figures.WRONG).all(axis=2).any()  # the wrong reading is written in red
    first_row_labels = picture[gap + side:gap + side + band, gap:gap + side]
    assert (first_row_labels == figures.RIGHT).all(axis=2).any()


@pytest.mark.slow
def test_the_tab_offers_named_checkpoints_first_and_closes_their_cycle(tmp_path):
    """python app.py --cyclegan G.pth,F.pth, end to end in a fresh process: the pair is the tab's default model,
    and a photo goes through G and back through F, with the cycle error shown."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for name in ("horse2zebra", "zebra2horse"):
        (tmp_path / f"{name}_pretrained").mkdir()
        torch.save(ResnetGenerator(3, 3, width=8, blocks=2).state_dict(),
                   tmp_path / f"{name}_pretrained" / "latest_net_G.pth")
    spec = ",".join(str(tmp_path / f"{name}_pretrained" / "latest_net_G.pth")
                    for name in ("horse2zebra", "zebra2horse"))
    pair = "horse2zebra+zebra2horse"
    code = ("import app, sys; app.add_cyclegan_generators(app.parse_args(['--cyclegan', sys.argv[1]]).cyclegan)\n"
            "from demos.cyclegan import ui\n"
            f"assert ui.TRANSLATORS.best().key == '{pair}', ui.TRANSLATORS.best().key\n"
            f"panels, numbers, _ = ui.translate('assets/examples/astronaut.png', model='{pair}')\n"
            "assert len(panels) == 4 and 'Cycle error' in numbers and 'A = horse, B = zebra' in numbers, numbers\n"
            f"assert panels[1][1] == 'G(x): toward zebra' and ui.model_for('photo', 'digits-cyclegan') == '{pair}'\n"
            "print('ok')")
    env = {key: value for key, value in os.environ.items() if key != "DEMO_CYCLEGAN"}
    out = subprocess.run([sys.executable, "-c", code, spec], cwd=root, capture_output=True, text=True, timeout=300,
                         env=env)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-3000:]


# ---- strokes.py: the sharp-stroke versions of the handwritten scans in domain A

def test_thinning_leaves_a_one_pixel_centre_line():
    from demos.cyclegan.strokes import thin

    bar = np.zeros((30, 40), bool)
    bar[10:17, 5:35] = True  # a bar 7 pixels thick
    line = thin(bar)
    assert line.any() and (line & ~bar).sum() == 0
    assert line.sum(axis=0)[8:32].max() == 1  # one pixel thick across the bar's middle
    assert abs(np.flatnonzero(line.any(axis=1)).mean() - 13) <= 1  # on the centre row
    ring = np.zeros((40, 40), bool)
    yy, xx = np.mgrid[:40, :40]
    ring[(np.hypot(yy - 20, xx - 20) > 9) & (np.hypot(yy - 20, xx - 20) < 15)] = True
    thinned = thin(ring)
    assert thinned.sum() < ring.sum() / 3 and not thinned[20, 20]  # a loop stays a loop (the hole kept)
    from scipy import ndimage

    assert ndimage.label(~thinned)[1] == 2


def test_sharp_versions_are_sharp_deterministic_and_keep_the_scan_in_place():
    from core.data.digits import HANDWRITTEN, TRAIN, load_split
    from demos.cyclegan.strokes import sharp_versions

    scans = load_split(TRAIN, HANDWRITTEN).images[:12]
    sharp = sharp_versions(scans, 1, seed=3)
    assert sharp.shape == scans.shape and sharp.dtype == np.uint8
    assert np.array_equal(sharp, sharp_versions(scans, 1, seed=3))
    assert not np.array_equal(sharp, sharp_versions(scans, 1, seed=4))

    def edge(images):  # the mean gradient where there is ink: sharper strokes, steeper edges
        gy, gx = np.gradient(images.astype(np.float32), axis=(1, 2))
        return float(np.hypot(gy, gx)[images > 0].mean())

    assert edge(sharp) > 1.15 * edge(scans)  # 71 vs 54 grey levels per pixel
    assert sharp_versions(scans, 2, seed=3).shape == (24, 28, 28)


# ---- the scan a sharp digit is put through before G (as_scan): the training scans' height, spread and ink

def test_a_scan_is_as_tall_as_the_bitmap_and_holds_the_training_scans_ink():
    """A thin vertical bar (a 1 drawn with a fine pen) and a thin ring (a 0): the grid's rows are all inked (the
    digit as tall as the bitmap), the thin strokes are thickened until the grid holds at least SCAN_INK (the bar
    to a few grid columns, as the training scans' 1s are), a thick blot is not thinned, and the scan is
    deterministic."""
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 13:15] = 255
    yy, xx = np.mgrid[:28, :28]
    ring = np.uint8(255 * (np.abs(np.hypot((yy - 14) / 10, (xx - 14) / 7) - 1) < 0.08))
    for digit in (bar, ring):
        grid = logic.scan_grid(digit)
        assert grid.shape == (8, 8) and grid.min() >= 0 and grid.max() <= 16
        assert (grid.sum(axis=1) > 0).all()
        assert logic.SCAN_INK <= grid.sum() < 1.15 * logic.SCAN_INK
        assert np.array_equal(grid, logic.scan_grid(digit))
    assert 3 <= (logic.scan_grid(bar).sum(axis=0) > 0).sum() <= 5
    blot = np.zeros((28, 28), np.uint8)
    blot[4:24, 4:24] = 255
    assert logic.scan_grid(blot).sum() == 32 * 32
    assert logic.as_scan(ring).shape == (28, 28)


def slanted_bar(lean: float) -> np.ndarray:
    """A 3-pixel-wide stroke 20 rows tall whose column moves by ``lean`` pixels per row (a slanted 1)."""
    digit = np.zeros((28, 28), np.uint8)
    for row in range(4, 24):
        left = int(round(14 + lean * (row - 14)))
        digit[row, left - 1: left + 2] = 255
    return digit


@pytest.mark.parametrize("lean", [-0.4, 0.25, 0.4])
def test_deskew_makes_a_slanted_stroke_upright_and_keeps_its_ink(lean):
    """The training scans are upright, so the scan straightens a drawing first: the moment-based slant of a
    leaning stroke is about lean before, about 0 after (and in the 8×8 grid the page's scan counts), the ink is
    about the same (bilinear, nothing cut off), and an upright stroke is left as it is."""
    bar = slanted_bar(lean)
    assert logic.slant(bar) == pytest.approx(lean, abs=0.03)
    upright = logic.deskew(bar)
    assert upright.shape == bar.shape and upright.dtype == np.uint8
    assert abs(logic.slant(upright)) < 0.02
    assert abs(logic.slant(logic.scan_grid(upright))) < 0.05 < abs(logic.slant(logic.scan_grid(bar)))
    assert upright.sum() == pytest.approx(bar.sum(), rel=0.03)
    straight = slanted_bar(0.0)
    assert np.array_equal(logic.deskew(straight), straight)


def test_the_grey_level_match_maps_a_scan_onto_the_training_levels_monotonely():
    """match_grey_levels: the inked pixels' values come out distributed as the training scans' (their quantiles
    are SCAN_GREY_LEVELS), in the same order (a brighter pixel never darker, equal ones equal), and the zeros and
    the inked pixels stay where they were."""
    rng = np.random.default_rng(0)
    scan = np.uint8(rng.integers(0, 256, (28, 28)) * (rng.random((28, 28)) < 0.4))
    scan[0, :4] = 200  # ties
    matched = logic.match_grey_levels(scan)
    inked = scan > 0
    assert np.array_equal(matched > 0, inked)
    order = np.argsort(scan[inked], kind="stable")
    assert (np.diff(matched[inked][order].astype(int)) >= 0).all()
    assert len(set(matched[0, :4].tolist())) == 1
    levels = np.asarray(logic.SCAN_GREY_LEVELS)
    found = np.quantile(matched[inked], np.linspace(0, 1, len(levels)))
    assert np.abs(found[1:-1] - levels[1:-1]).max() <= 4
    assert levels.min() >= 1 and (np.diff(levels) >= 0).all()  # a table of grey levels, no zero: ink stays ink
    assert np.array_equal(logic.match_grey_levels(np.zeros((28, 28), np.uint8)), np.zeros((28, 28), np.uint8))


def test_the_pages_scan_is_deskew_then_the_block_scan_then_the_grey_match():
    """as_scan puts the ink where the block scan of the straightened digit puts it (the grey match only changes
    its levels), and that scan still holds the training scans' ink; an empty drawing is refused as before."""
    from core.i18n import UserInputError

    bar = slanted_bar(0.4)
    blocks = logic.scan_from_grid(logic.scan_grid(logic.deskew(bar)))
    scan = logic.as_scan(bar)
    assert scan.shape == (28, 28) and np.array_equal(scan > 0, blocks > 0)
    assert np.array_equal(scan, logic.match_grey_levels(blocks))
    assert logic.scan_grid(logic.deskew(bar)).sum() >= logic.SCAN_INK
    assert abs(logic.slant(scan)) < 0.05
    empty = np.zeros((28, 28), np.uint8)
    assert logic.slant(empty) == 0 and np.array_equal(logic.deskew(empty), empty)
    with pytest.raises(UserInputError):
        logic.as_scan(empty)


def test_the_scanned_sharp_versions_for_domain_a_are_the_pages_scans_of_them():
    """train.py --scan-sharp: each sharp version kept is exactly the page's scan (as_scan) of a strokes.py version."""
    from core.classifier import DIGIT_CNN
    from core.data.digits import HANDWRITTEN, TRAIN, load_split, to_tensor
    from demos.cyclegan.strokes import sharp_versions
    from demos.cyclegan.train import with_sharp_versions

    scans = load_split(TRAIN, HANDWRITTEN)
    pair = (to_tensor(scans.images[:10]), torch.from_numpy(scans.labels[:10]))
    classifier = DIGIT_CNN.load(torch.device("cpu")).model
    images, labels, kept = with_sharp_versions(pair, 1, 7, classifier, scanned=True)
    assert len(images) == 10 + kept and kept >= 5 and torch.equal(images[:10], pair[0])
    expected = to_tensor(np.stack([logic.as_scan(x) for x in sharp_versions(scans.images[:10], 1, 7)]))
    added = images[10:]
    assert all(any(torch.equal(a, e) for e in expected) for a in added)


def test_the_strip_is_worked_out_once_per_set_and_answers_as_a_fresh_run():
    """The test strip depends on its direction and set only: a class moving its slider gets it from the memo (no
    generator pass, "cached" beside the timing), and it is what a fresh run draws."""
    from PIL import Image

    from demos.cyclegan import ui

    generator = ui.TRANSLATORS.get(ui.DIGITS.key).model.g
    calls = []
    hook = generator.register_forward_hook(lambda *_: calls.append(1))
    try:
        first = ui.strip("a_to_b", 7)
        passes = len(calls)
        assert passes >= 1
        again, zh = ui.strip("a_to_b", 7), ui._strip("a_to_b", 7, "zh", live=False)
        assert len(calls) == passes and "cached" in again[2]
        ui.STRIPS.clear()
        ui.STRIP_PICTURES._memo.clear()
        fresh = ui.strip("a_to_b", 7)
        assert len(calls) > passes and "cached" not in fresh[2]
    finally:
        hook.remove()
    assert again[1] == fresh[1] == first[1] and zh[1] != first[1]  # the note in the asked language
    assert np.array_equal(np.asarray(Image.open(again[0])), np.asarray(Image.open(fresh[0])))


def test_average_ranks_are_scipys_average_ranks():
    """logic.average_ranks (match_grey_levels' ranks, without importing scipy.stats): scipy's rankdata with
    method="average" on grey levels with many ties, on all-equal values and on distinct floats."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(3)
    for values in (rng.integers(1, 256, 500).astype(np.uint8), np.full(7, 9, np.uint8), rng.normal(size=40),
                   np.array([5], np.uint8)):
        assert np.allclose(logic.average_ranks(values), rankdata(values, method="average"))
