"""The English text the bundled BERT is pre-trained on, all of it offline Debian text (issue 11):

* WordNet 3.0's glosses and usage examples (Debian's ``wordnet-base``: /usr/share/wordnet/data.*; WordNet
  licence, free to use and redistribute with its copyright notice);
* the fortune cookies of Debian's ``fortunes`` (/usr/share/games/fortunes, BSD-style and public-domain quotations;
  the offensive set lives in another package and is not read), without the ASCII art and the Chinese files.

The Chinese text the bundled character-level BERT is pre-trained on, from Debian's ``fortunes-zh`` (the same
folder): 313 Tang poems (``tang300``), 95 Song lyrics (``song100``) and 5,265 Chinese fortunes (``chinese``: sayings,
quotations, the Debian code of conduct), in simplified characters there, converted to traditional ones (Taiwan
standard, OpenCC's s2tw tables) because the course reads traditional Chinese; titles, authors and colour codes dropped.

Each becomes sentences of plain text; a stable hash of the sentence puts 2% of them in a held-out split that only
measures the model.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
FORTUNES = Path("/usr/share/games/fortunes")
CHINESE = ("tang300", "song100", "chinese")
NOT_ENGLISH = {"ascii-art", "art", "perl", *CHINESE}  # pictures, Perl code, Chinese
HELD_OUT_PERCENT = 2


def wordnet_sentences(folder: Path = WORDNET) -> Iterator[str]:
    """Every synset's definition and its quoted usage examples, as separate sentences."""
    for part in ("noun", "verb", "adj", "adv"):
        path = folder / f"data.{part}"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or "|" not in line:
                continue  # the licence header
            gloss = line.split("|", 1)[1].strip()
            examples = re.findall(r'"([^"]+)"', gloss)
            definition = gloss.split('"', 1)[0].strip(" ;")
            for text in (definition, *examples):
                text = " ".join(text.split())
                if len(text.split()) >= 3:
                    yield text


def fortune_sentences(folder: Path = FORTUNES) -> Iterator[str]:
    """Each fortune of the English files, its lines joined; attributions ("-- Mark Twain") dropped."""
    for path in sorted(folder.glob("*")):
        if path.suffix or not path.is_file() or path.name in NOT_ENGLISH:
            continue
        for fortune in path.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            lines = [line.strip() for line in fortune.splitlines() if not line.strip().startswith("--")]
            text = " ".join(" ".join(lines).split())
            if 3 <= len(text.split()) <= 120 and text.isascii():
                yield text


COLOUR = re.compile(r"\x1b\[[0-9;]*m")
CLAUSE_END = re.compile(r"(?<=[。！？；])")


def chinese_sentences(folder: Path = FORTUNES) -> Iterator[str]:
    """Each line of a poem (a couplet: 床前明月光，疑是地上霜。), and each sentence of a fortune, in traditional
    characters; headings (《title》, 作者：…) and attributions (-- …) dropped."""
    from opencc import OpenCC  # pure Python conversion tables; only train.py needs it

    convert = OpenCC("s2tw").convert
    for name in CHINESE:
        path = folder / name
        if not path.is_file():
            continue
        for fortune in COLOUR.sub("", path.read_text(encoding="utf-8", errors="replace")).split("\n%\n"):
            lines = [line.strip() for line in fortune.splitlines()]
            lines = [line for line in lines if line and not line.startswith(("--", "《", "作者"))]
            text = "".join(lines) if name == "chinese" else "\n".join(lines)
            for sentence in (CLAUSE_END.split(text) if name == "chinese" else text.split("\n")):
                sentence = "".join(sentence.split())
                if len(sentence) >= 4 and sum(ord(c) > 0x2E80 for c in sentence) >= len(sentence) // 2:
                    yield convert(sentence)


def held_out(text: str) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100 < HELD_OUT_PERCENT


def english(limit: int | None = None) -> tuple[list[str], list[str]]:
    """(training sentences, held-out sentences), deduplicated, in a fixed order."""
    return split((*wordnet_sentences(), *fortune_sentences()), limit, "apt-get install wordnet-base fortunes")


def chinese(limit: int | None = None) -> tuple[list[str], list[str]]:
    """(training sentences, held-out sentences) of the Chinese text, deduplicated, in a fixed order."""
    return split(chinese_sentences(), limit, "apt-get install fortunes-zh")


def split(texts, limit: int | None, install: str) -> tuple[list[str], list[str]]:
    seen, train, test = set(), [], []
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        (test if held_out(text) else train).append(text)
        if limit and len(seen) >= limit:
            break
    if not train:
        raise RuntimeError(f"no text found: {install}")
    return train, test
