"""The Traditional Chinese ImageNet names (assets/data/imagenet_classes_zh.tsv) and how the tab shows a class."""
import hashlib
import json

import opencc
import pytest

from demos.saliency import make_zh_names
from demos.saliency.model import LABELS_FILE, imagenet_labels
from demos.saliency.names import ZH_FILE, imagenet_zh, shown_class

#: Names OpenCC's s2twp phrase table would rewrite although they are already Taiwan usage: what it would write.
S2TWP_WRONG = {62: "非洲巖蟒", 172: "惠位元犬", 409: "指標時鐘", 414: "揹包", 662: "資料機", 868: "託盤",
               922: "選單"}


def rows(path):
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


def test_a_name_for_each_of_the_1000_classes_in_the_english_order():
    zh, en = rows(ZH_FILE), rows(LABELS_FILE)
    assert len(imagenet_zh()) == 1000
    assert [(r[0], r[1]) for r in zh] == [(r[0], r[1]) for r in en]  # index and WordNet id, line by line
    assert sum(map(bool, imagenet_zh())) >= 990  # English alone only where no good name exists


def test_every_name_is_traditional_chinese_as_written_in_taiwan():
    to_taiwan = opencc.OpenCC("s2twp").convert
    rewritten = {i: to_taiwan(name) for i, name in enumerate(imagenet_zh()) if to_taiwan(name) != name}
    assert rewritten == S2TWP_WRONG
    # A character OpenCC turns into another is a Simplified one, except these, which Taiwan writes too
    # (岩石, 栗子, 游泳, 斗篷, 里程, 托盤), and which s2tw changes only because they also stand for another word.
    also_traditional = set("岩栗游斗里托")
    to_traditional = opencc.OpenCC("s2tw").convert
    simplified = {c for name in imagenet_zh() for c in name if to_traditional(c) != c} - also_traditional
    assert not simplified


@pytest.mark.parametrize("index, english, chinese", [
    (285, "Egyptian cat", "貓"), (281, "tabby", "貓"), (282, "tiger cat", "貓"),
    (134, "crane (bird)", "鶴"), (517, "crane (machine)", "起重機"),
    (264, "Cardigan", "犬"), (474, "cardigan", "毛衣"), (97, "drake", "鴨"),
    (638, "maillot", "緊身衣"), (639, "maillot (tank suit)", "泳衣"), (105, "koala", "無尾熊"),
    (207, "golden retriever", "黃金獵犬"), (967, "espresso", "咖啡"),
])
def test_names_follow_the_synsets(index, english, chinese):
    assert imagenet_labels()[index] == english
    assert chinese in imagenet_zh()[index]


def test_names_that_share_an_english_word_differ_in_chinese():
    zh = imagenet_zh()
    assert len({zh[134], zh[517]}) == 2 and len({zh[638], zh[639]}) == 2 and len({zh[264], zh[474]}) == 2
    assert "山貓" not in zh[282]  # the synset is a striped house cat, not a wild cat


def test_the_card_matches_the_file_and_the_script():
    card = json.loads((ZH_FILE.parent / "imagenet_classes_zh.card.json").read_text(encoding="utf-8"))
    assert card["sha256"] == hashlib.sha256(ZH_FILE.read_bytes()).hexdigest()
    assert card["source"]["wheel_sha256"] == make_zh_names.WHEEL_SHA256 and "MIT" in card["source"]["license"]
    assert "Copyright (c) 2022-2023 OFA-Sys Team" in card["source"]["license_text"]  # MIT: the notice ships too
    assert card["review"]["english_alone"] == [i for i, name in enumerate(imagenet_zh()) if not name]
    assert {i: imagenet_zh()[i] for i in make_zh_names.REVIEWED} == make_zh_names.REVIEWED


def test_a_class_is_shown_in_both_languages_in_zh_and_in_english_in_en():
    labels = imagenet_labels()
    assert shown_class(labels, 285, "zh") == "埃及貓 Egyptian cat"
    assert shown_class(labels, 285, "en") == "Egyptian cat"
    assert shown_class(labels, 836, "zh") == "sunglass"  # no good Chinese name: the English alone
    digits = tuple(str(d) for d in range(10))
    assert shown_class(digits, 7, "zh") == "7"
