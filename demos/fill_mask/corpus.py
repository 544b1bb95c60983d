"""The English text the bundled BERT is pre-trained on, all of it offline Debian text (issue 11):

* WordNet 3.0's glosses and usage examples (Debian's ``wordnet-base``: /usr/share/wordnet/data.*; WordNet
  licence, free to use and redistribute with its copyright notice);
* the fortune cookies of Debian's ``fortunes`` (/usr/share/games/fortunes, BSD-style and public-domain quotations;
  the offensive set lives in another package and is not read), without the ASCII art and the Chinese files.

The Chinese text the bundled character-level BERT is pre-trained on, all of it from Debian packages, in traditional
characters (Taiwan):

* ``fortunes-zh`` (the same folder; free to redistribute): 313 Tang poems (``tang300``), 95 Song lyrics (``song100``)
  and 5,265 Chinese fortunes (``chinese``: sayings, quotations, the Debian code of conduct), in simplified characters
  there, converted to traditional ones (Taiwan standard, OpenCC's s2tw tables); titles, authors and colour codes
  dropped;
* modern written Chinese of Taiwan translations (the quick CI run needs none; a full run refuses to start without
  one, since its card names them all: ``missing_chinese_sources``):
  ``debian-reference-zh-tw`` (the Debian Reference, GPL-2+) and ``maint-guide-zh-tw`` (the Debian New Maintainers'
  Guide, GPL-2+), their HTML pages; ``libreoffice-help-zh-tw`` (LibreOffice's help pages, MPL-2.0); the zh_TW
  manual pages of ``manpages-zh`` (GFDL-1.2+, troff macros dropped); the translated strings (msgstr) of
  ``libreoffice-l10n-zh-tw``'s .mo catalogues (MPL-2.0): sentences of at least 6 characters, half of them Chinese
  (code, menus and commands mostly fall out);
* everyday words: the word list with frequencies of ``python3-jieba`` (its dict.txt, Expat licence; simplified,
  converted with s2tw). It has no sentences: it becomes pseudo-sentences of words of 2-4 characters drawn by their
  frequency to the power 0.75 (a fixed seed), joined by 、 (牛奶、休息、火車、…). They teach the model which
  characters make a word (牛→奶), not grammar.

Each becomes sentences of plain text; a stable hash of the sentence puts 2% of them in a held-out split that only
measures the model.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import itertools
import random
import re
import struct
from collections.abc import Iterator
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
FORTUNES = Path("/usr/share/games/fortunes")
CHINESE = ("tang300", "song100", "chinese")
NOT_ENGLISH = {"ascii-art", "art", "perl", *CHINESE}  # pictures, Perl code, Chinese
HELD_OUT_PERCENT = 2
DEBIAN_REFERENCE = Path("/usr/share/debian-reference")
MAINT_GUIDE = Path("/usr/share/doc/maint-guide-zh-tw/html")
LIBREOFFICE_HELP = Path("/usr/share/libreoffice/help/zh-TW/text")
LIBREOFFICE_MO = Path("/usr/lib/libreoffice/program/resource/zh_TW/LC_MESSAGES")
MANPAGES = Path("/usr/share/man/zh_TW")
JIEBA = Path("/usr/lib/python3/dist-packages/jieba/dict.txt")
WORD_SENTENCES, WORDS_PER_SENTENCE = 60_000, 6


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


def s2tw():
    from opencc import OpenCC  # pure Python conversion tables; only train.py needs it

    return OpenCC("s2tw").convert


def chinese_share(text: str) -> int:
    """How many of the text's characters are Chinese (CJK, from U+2E80 up)."""
    return sum(ord(c) >= 0x2E80 for c in text)


def fortunes_zh(folder: Path = FORTUNES) -> Iterator[str]:
    """Each line of a poem (a couplet: 床前明月光，疑是地上霜。), and each sentence of a fortune, in traditional
    characters; headings (《title》, 作者：…) and attributions (-- …) dropped."""
    convert = s2tw()
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
                if len(sentence) >= 4 and chinese_share(sentence) >= len(sentence) // 2:
                    yield convert(sentence)


def modern_sentences(text: str) -> Iterator[str]:
    """The sentences of a text (a line, cut after 。！？；) of 6-150 characters, at least half of them Chinese."""
    for line in text.splitlines():
        for sentence in CLAUSE_END.split(line):
            sentence = " ".join(sentence.split())
            if 6 <= len(sentence) <= 150 and 2 * chinese_share(sentence) >= len(sentence):
                yield sentence


def html_text(path: Path) -> str:
    """The text of an HTML page, a line per paragraph, list item or cell; scripts, styles and code blocks dropped."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    raw = re.sub(r"(?is)<(script|style|pre|head)[^>]*>.*?</\1>", " ", raw)
    raw = re.sub(r"(?i)<(p|br|li|td|th|h\d|div|dt|dd|tr)[^>]*>", "\n", raw)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def man_text(path: Path) -> str:
    """A troff manual page's text lines, macros (.TP, .B …) and font escapes (\\fB …) dropped."""
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as page:
        lines = [line for line in page if not line.startswith((".", "'"))]
    return re.sub(r"\\f[A-Z0-9]|\\[-/,&|^]|\\\(..|\\\*.", "", "".join(lines)).replace("\\e", "\\")


def mo_strings(path: Path) -> Iterator[str]:
    """The translations (msgstr) of a GNU .mo catalogue, each plural form on its own."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    count, translations = struct.unpack(order + "I4xI", data[8:20])
    for i in range(count):
        length, offset = struct.unpack(order + "2I", data[translations + 8 * i:translations + 8 * i + 8])
        yield from data[offset:offset + length].decode("utf-8", errors="replace").split("\0")


def modern_chinese() -> Iterator[str]:
    """The sentences of the installed Taiwan translations (see the docstring); nothing for a missing package."""
    for folder in (DEBIAN_REFERENCE, MAINT_GUIDE):
        for path in sorted(folder.glob("*.zh-tw.html")):
            yield from modern_sentences(html_text(path))
    for path in sorted(LIBREOFFICE_HELP.rglob("*.html")):
        yield from modern_sentences(html_text(path))
    for path in sorted(MANPAGES.rglob("*.gz")):
        yield from modern_sentences(man_text(path))
    for path in sorted(LIBREOFFICE_MO.glob("*.mo")):
        for text in mo_strings(path):
            yield from modern_sentences(text.replace("~", ""))


#: Each source past fortunes-zh: its Debian package, and where a file of it is found. A full run reads them all, as
#: its card says (train.py refuses to start without one); a quick run reads fortunes-zh only.
CHINESE_SOURCES = {
    "debian-reference-zh-tw": (DEBIAN_REFERENCE, "*.zh-tw.html"),
    "maint-guide-zh-tw": (MAINT_GUIDE, "*.zh-tw.html"),
    "libreoffice-help-zh-tw": (LIBREOFFICE_HELP, "**/*.html"),
    "libreoffice-l10n-zh-tw": (LIBREOFFICE_MO, "*.mo"),
    "manpages-zh": (MANPAGES / "man1", "ab.1.gz"),  # passwd and login put a few pages in zh_TW too
    "python3-jieba": (JIEBA.parent, JIEBA.name),
}


def missing_chinese_sources() -> list[str]:
    """The Debian packages of ``CHINESE_SOURCES`` with no file on this machine."""
    return [package for package, (folder, pattern) in CHINESE_SOURCES.items()
            if next(folder.glob(pattern), None) is None]


def word_sentences(path: Path = JIEBA, count: int = WORD_SENTENCES, per: int = WORDS_PER_SENTENCE) -> Iterator[str]:
    """Pseudo-sentences of everyday words: jieba's words of 2-4 Chinese characters (seen at least 5 times), drawn by
    their frequency to the power 0.75 (as word2vec's negative samples), ``per`` of them joined by 、 (in traditional
    characters)."""
    if not path.is_file():
        return
    words, weights = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, frequency, *_ = line.split()
        if 2 <= len(word) <= 4 and chinese_share(word) == len(word) and int(frequency) >= 5:
            words.append(word)
            weights.append(int(frequency) ** 0.75)
    words = s2tw()("\n".join(words)).split("\n")
    draw, totals = random.Random(0).choices, list(itertools.accumulate(weights))
    for _ in range(count):
        yield "、".join(draw(words, cum_weights=totals, k=per)) + "。"


def chinese_sentences(folder: Path = FORTUNES) -> Iterator[str]:
    """fortunes-zh first (a quick run's limit reads only these), then the modern text, then the word list."""
    yield from fortunes_zh(folder)
    yield from modern_chinese()
    yield from word_sentences()


def held_out(text: str) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100 < HELD_OUT_PERCENT


def english(limit: int | None = None) -> tuple[list[str], list[str]]:
    """(training sentences, held-out sentences), deduplicated, in a fixed order."""
    return split((*wordnet_sentences(), *fortune_sentences()), limit, "apt-get install wordnet-base fortunes")


def chinese(limit: int | None = None) -> tuple[list[str], list[str]]:
    """(training sentences, held-out sentences) of the Chinese text, deduplicated, in a fixed order."""
    train, test = split(chinese_sentences(), limit, "apt-get install fortunes-zh")
    return train, sorted(test, key=lambda text: hashlib.sha256(text.encode()).hexdigest())  # the sources mixed


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
