"""The bundled digit classifier (a small CNN), shared by several tabs: distillation teacher,
saliency subject, GAN/CycleGAN evaluator. Trained by ``python -m core.train_classifier``."""
from __future__ import annotations

import hashlib
import threading

import numpy as np
import torch
from torch import nn

from core.i18n import register, t
from core.models import ASSETS, BundledChoice


class DigitCNN(nn.Module):
    """28x28 grey digit -> 10 logits. Two conv blocks and two fully connected layers."""

    def __init__(self, width: int = 32, hidden: int = 128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 7x7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * width * 7 * 7, hidden), nn.ReLU(), nn.Dropout(0.3), nn.Linear(hidden, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


DIGIT_CNN = BundledChoice("digit-cnn", ASSETS / "core" / "digit_cnn", DigitCNN)


# ------------------------------------------------------------------ is it a digit at all?

#: A picture is "unlike the digits learnt" when it scores less like them than this share of the data set's own
#: held-out test digits (fixed before any other set was looked at: 1% of real digits get the note).
FAMILIAR_QUANTILE = 0.99

register({
    "en": {"digit.unfamiliar": "⚠ This looks unlike the digits the model learnt from: less like them than "
                               "{share:.0%} of the model's own test digits. A classifier always answers one of its "
                               "10 digits, even for a scribble, so here its confidence says little."},
    "zh": {"digit.unfamiliar": "⚠ 這看起來和模型學過的數字不像：比模型自己 {share:.0%} 的測試數字都更不像。"
                               "分類器一定會從 10 個數字裡選一個回答，即使是亂畫的線條也一樣，所以這裡的信心度說明不了"
                               "什麼。"},
})


def hidden(model: DigitCNN, x: torch.Tensor) -> torch.Tensor:
    """The digit CNN's last hidden layer before its ReLU: what its output layer reads, before half is cut to 0."""
    return model.classifier[:2](model.features(x))


def _gaussian(z: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """The precision (inverse covariance) of ``z`` around ``centres`` (one row of centres per row of z)."""
    centred = z - centres
    return torch.linalg.inv(centred.T @ centred / len(z) + 1e-3 * torch.eye(z.shape[1], dtype=z.dtype))


class Familiarity:
    """How much nearer the digits a picture lies than to the data as a whole: the relative Mahalanobis distance (Ren
    et al. 2021) of its hidden features (``hidden``): to the nearest class mean under one covariance shared by the
    classes, minus the distance to the mean of all training digits under their own covariance. Both fitted on the
    training digits; the threshold is the ``FAMILIAR_QUANTILE`` of the held-out test digits' scores. Softmax
    confidence cannot tell a digit from a scribble (a bar is read as 4 at 94%); this score can, mostly
    (bench/digit_familiarity.json: the method was chosen there on validation sets, then measured on new ones)."""

    def __init__(self, model: DigitCNN):
        from core.data.digits import TEST, TRAIN, load_split

        self.model = model
        train = load_split(TRAIN)
        z = self.features(train.images)
        labels = torch.from_numpy(train.labels)
        self.means = torch.stack([z[labels == c].mean(0) for c in range(10)])
        self.precision = _gaussian(z, self.means[labels])
        self.mean = z.mean(0)
        self.background = _gaussian(z, self.mean[None])
        self.threshold = float(torch.quantile(self.scores(load_split(TEST).images), FAMILIAR_QUANTILE))

    def features(self, images: np.ndarray) -> torch.Tensor:
        from core.data.digits import to_tensor

        with torch.no_grad():
            return hidden(self.model, to_tensor(images).to(next(self.model.parameters()).device)).double().cpu()

    def scores(self, images: np.ndarray) -> torch.Tensor:
        """(N,) scores of 28x28 uint8 digits (bright ink): higher is less like the digits learnt."""
        z = self.features(images)
        d = z[:, None, :] - self.means[None]
        to_class = torch.einsum("nci,ij,ncj->nc", d, self.precision, d).min(dim=1).values
        d0 = z - self.mean
        return to_class - torch.einsum("ni,ij,nj->n", d0, self.background, d0)

    def unfamiliar(self, images: np.ndarray) -> np.ndarray:
        """(N,) bool: above the threshold."""
        return (self.scores(images) > self.threshold).numpy()


_FAMILIARITY: dict[bytes, Familiarity] = {}
_FAMILIARITY_LOCK = threading.Lock()


def familiarity(model: nn.Module) -> Familiarity | None:
    """The model's ``Familiarity``: fitted once per set of weights (~1 s; the tabs that load the same digit CNN share
    it); None for a model that is not a ``DigitCNN``."""
    if not isinstance(model, DigitCNN):
        return None
    key = hashlib.sha256(model.classifier[-1].weight.detach().cpu().numpy().tobytes()).digest()
    with _FAMILIARITY_LOCK:
        if key not in _FAMILIARITY:
            _FAMILIARITY[key] = Familiarity(model)
        return _FAMILIARITY[key]


def unfamiliar_note(model: nn.Module, digit: np.ndarray, lang: str) -> str:
    """The note for a 28x28 digit the model's training data has nothing like (``Familiarity``), or ''."""
    fitted = familiarity(model)
    if fitted is None or not fitted.unfamiliar(digit[None])[0]:
        return ""
    return t("digit.unfamiliar", lang, share=FAMILIAR_QUANTILE)
