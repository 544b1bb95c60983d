"""The CycleGAN tab's generators: the official ResNet generator (its layout, so official checkpoints and the
packaged photo generator load into it), and the small pair this project trains on the digits.

``ResnetGenerator``: the CycleGAN paper's generator (Zhu et al. 2017; the layout of the official PyTorch code):
reflection pad, 7×7 conv, two stride-2 convs, n residual blocks, two transposed convs, 7×7 conv, tanh, with
instance norm after every conv but the last. Images in [-1, 1]. The official checkpoints use instance norm
without learned scale and shift; some re-trainings use it with them (``affine=True``).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import torch
from torch import nn

from core.classifier import DIGIT_CNN
from core.models import ASSETS, BundledChoice, LocalChoice, PackagedChoice, read_tensors, slot


class ResnetBlock(nn.Module):
    def __init__(self, dim: int, affine: bool):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), nn.InstanceNorm2d(dim, affine=affine), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), nn.InstanceNorm2d(dim, affine=affine),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    """(B, in_ch, H, W) in [-1, 1] -> (B, out_ch, H, W) in [-1, 1]; H and W are padded inside (to multiples of
    4, at least 8) and cropped back, so any size works."""

    def __init__(self, in_ch: int = 3, out_ch: int = 3, width: int = 64, blocks: int = 9, affine: bool = False):
        super().__init__()

        def norm(channels):
            return nn.InstanceNorm2d(channels, affine=affine)

        layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_ch, width, 7), norm(width), nn.ReLU(True)]
        for k in range(2):  # down: width -> 2 width -> 4 width
            c = width * 2 ** k
            layers += [nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), norm(2 * c), nn.ReLU(True)]
        layers += [ResnetBlock(width * 4, affine) for _ in range(blocks)]
        for k in range(2):  # up: 4 width -> 2 width -> width
            c = width * 4 // 2 ** k
            layers += [nn.ConvTranspose2d(c, c // 2, 3, stride=2, padding=1, output_padding=1), norm(c // 2),
                       nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_ch, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        # Multiples of 4, and at least 8 (instance norm needs more than one pixel at the 1/4-size bottleneck)
        pad_h, pad_w = max(8 - h, -h % 4), max(8 - w, -w % 4)
        if pad_h or pad_w:
            mode = "reflect" if pad_h < h and pad_w < w else "replicate"
            x = nn.functional.pad(x, (0, pad_w, 0, pad_h), mode=mode)
        return self.model(x)[..., :h, :w]


STALE_NORM_STATS = (".running_mean", ".running_var", ".num_batches_tracked")


def official_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A ResNet generator's state dict in the official names: residual blocks' ``block`` (as some re-trainings
    call it) -> ``conv_block``; a ``module.`` prefix (saved from DataParallel) dropped; running statistics of the
    instance norms (saved by old PyTorch versions, unused: the official code deletes them too) dropped."""
    out = {}
    for key, value in state.items():
        if key.endswith(STALE_NORM_STATS):
            continue
        key = key.removeprefix("module.")
        out[key.replace(".block.", ".conv_block.")] = value
    return out


def load_resnet(state: dict[str, torch.Tensor]) -> ResnetGenerator:
    """A ResnetGenerator shaped by the state dict (channels, width, blocks, affine norm) with its weights."""
    state = official_keys(state)
    first, last = state["model.1.weight"], state[max((k for k in state if k.endswith(".weight")),
                                                      key=lambda k: int(k.split(".")[1]))]
    blocks = len({k.split(".")[1] for k in state if ".conv_block." in k})
    affine = "model.2.weight" in state
    model = ResnetGenerator(first.shape[1], last.shape[0], first.shape[0], blocks, affine)
    model.load_state_dict(state, strict=True)
    return model.eval()


class DigitTranslator(ResnetGenerator):
    """The digits pair's generator: the same design, small (28×28 grey, width 16, 3 residual blocks at 7×7);
    in [0, 1], out [0, 1], like every digit model here."""

    def __init__(self):
        super().__init__(1, 1, width=16, blocks=3, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (super().forward(x * 2 - 1) + 1) / 2


class PatchDiscriminator(nn.Module):
    """A PatchGAN for 28×28 digits: a 7×7 grid of real/fake scores, each seeing a 10×10 patch (train.py only)."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 1, 3, 1, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x * 2 - 1)


class StyleCNN(nn.Module):
    """Handwritten (0) or typeset (1)? A small CNN that judges the translations' style (train.py trains it)."""

    def __init__(self, width: int = 16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(2 * width * 49, 64), nn.ReLU(), nn.Linear(64, 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Translators(nn.Module):
    """A model choice of the tab: G (A→B) and, when the choice has one, F (B→A); both take and give [0, 1]."""

    def __init__(self, g: nn.Module, f: nn.Module | None = None):
        super().__init__()
        self.g, self.f = g, f


class InUnitRange(nn.Module):
    """A generator that works in [-1, 1] (the official ResNet generator) seen as one that works in [0, 1]."""

    def __init__(self, generator: nn.Module):
        super().__init__()
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.generator(x * 2 - 1) + 1) / 2


def digit_pair() -> Translators:
    return Translators(DigitTranslator(), DigitTranslator())


def vintage() -> Translators:
    """The packaged photo generator's shape: ResNet-9, width 64, instance norm with scale and shift."""
    return Translators(InUnitRange(ResnetGenerator(3, 3, 64, 9, affine=True)))


def vintage_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {f"g.generator.{key}": value for key, value in official_keys(state).items()}


def checkpoint_pair(states: list[dict[str, torch.Tensor]]) -> Translators:
    """Official (or re-trained) generators from files: G, and F when a second file is given."""
    g, *rest = [InUnitRange(load_resnet(state)) for state in states]
    return Translators(g, rest[0] if rest else None)


def checkpoint_choices(spec: str) -> list[LocalChoice]:
    """The generators a teacher names (``python app.py --cyclegan G.pth[,F.pth]``, or DEMO_CYCLEGAN with entries
    separated by the path separator): one choice per entry, "G.pth,F.pth" a pair that closes the cycle
    (e.g. horse2zebra,zebra2horse). An official ``latest_net_G.pth`` is named after its folder."""
    choices = []
    for entry in filter(None, (part.strip() for part in spec.split(os.pathsep))):
        paths = tuple(Path(p.strip()).expanduser() for p in entry.split(",") if p.strip())[:2]
        names = [p.parent.name.removesuffix("_pretrained") if p.stem.startswith("latest_net") else p.stem
                 for p in paths]
        choices.append(LocalChoice("+".join(names), paths, checkpoint_pair))
    return choices


DIGITS = BundledChoice("digits-cyclegan", ASSETS / "cyclegan" / "digits", digit_pair)
#: CycleGAN's ResNet-9 generator retrained "modern photo -> vintage look" (MIT, 2025), as a state dict inside the
#: PyPI package; one direction only (no F). Read with torch.load(weights_only=True); none of its code runs.
VINTAGE = PackagedChoice(
    key="vintagify",
    distribution="vintagify",
    version="0.1.2",
    resource="vintagify/resources/G_A2B_epoch33.pth",
    sha256="c502cd44ca720d004f89775f593fc403acc6b36d27d65390cbe2f476f771e560",
    build=vintage,
    convert=vintage_keys,
)

#: The tab's model: the digits pair by default (it shows the whole cycle, both ways: the lecture's point);
#: a checkpoint the teacher names comes first.
TRANSLATORS = slot("cyclegan", "translator",
                   [DIGITS, VINTAGE, *checkpoint_choices(os.environ.get("DEMO_CYCLEGAN", ""))], prefer=DIGITS.key)
#: The digit classifier every tab shares: does a translation keep its digit?
CLASSIFIER = slot("cyclegan", "classifier", [DIGIT_CNN])


class Tempered(nn.Module):
    """A classifier whose logits are divided by a temperature: the same verdicts (argmax), calibrated
    probabilities (temperature scaling, Guo et al. 2017)."""

    def __init__(self, model: nn.Module, temperature: float):
        super().__init__()
        self.model, self.temperature = model, float(temperature)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) / self.temperature


#: The style judge's temperature, fitted by calibrate.py on the validation tenth of the training digits.
STYLE_CALIBRATION = ASSETS / "cyclegan" / "style_calibration.json"


def raw_style_judge() -> StyleCNN:
    """The digits pair's style classifier (handwritten 0 / typeset 1) as trained, shipped beside it."""
    judge = StyleCNN()
    judge.load_state_dict(read_tensors(DIGITS.directory / "style.safetensors"), strict=True)
    return judge.eval()


@functools.lru_cache(maxsize=1)
def style_judge() -> Tempered:
    """The style judge the tab uses: the trained classifier with its fitted temperature (its raw softmax
    topped out at 0.56-0.61 for "handwritten", even on real handwritten test digits: calibrate.py)."""
    import json

    temperature = json.loads(STYLE_CALIBRATION.read_text(encoding="utf-8"))["temperature"]
    return Tempered(raw_style_judge(), temperature).eval()
