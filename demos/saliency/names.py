"""Class names as the user reads them (the display layer; logic.py knows classes by their index only).

In the Chinese page an ImageNet class shows its Traditional Chinese (Taiwan) name before the English one,
"埃及貓 Egyptian cat", or the English alone where the list has no good Chinese name; in the English page, and for
the digit model's classes, the name is the model's own. The names: assets/data/imagenet_classes_zh.tsv (made by
make_zh_names.py; source, licence and review in its card).
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

ZH_FILE = Path(__file__).resolve().parents[2] / "assets" / "data" / "imagenet_classes_zh.tsv"
IMAGENET_CLASSES = 1000


@functools.lru_cache(maxsize=1)
def imagenet_zh() -> tuple[str, ...]:
    """The 1,000 Chinese names in class-index order ("" where the English stays alone)."""
    rows = [line.split("\t") for line in ZH_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    if [int(row[0]) for row in rows] != list(range(IMAGENET_CLASSES)):
        raise RuntimeError(f"{ZH_FILE.name} must list the classes 0-999 in order")
    return tuple(row[2].strip() for row in rows)


def shown_class(labels: Sequence[str], index: int, lang: str) -> str:
    """The name of class ``index`` of a model whose class names are ``labels``, for a page in ``lang``."""
    if len(labels) != IMAGENET_CLASSES:
        return labels[index]
    return imagenet_name(index, labels[index], lang)


def imagenet_name(index: int, english: str, lang: str) -> str:
    """ImageNet class ``index``, whose English name is ``english``, for a page in ``lang``."""
    chinese = imagenet_zh()[index] if lang == "zh" else ""
    return f"{chinese} {english}" if chinese else english
