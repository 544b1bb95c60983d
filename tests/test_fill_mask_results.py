"""The bundled small BERTs (English words, Chinese characters): their files match their cards, each loads as a
bundle with its tokenizer, and the cards' numbers (held-out whole-word accuracy, the unigram baseline, the probes)
are re-measured from the shipped weights; the notes quote them."""
import pytest
import torch

from core.i18n import PLACEHOLDER
from core.models import read_card, sha256_file
from demos.fill_mask import corpus, strings, train
from demos.fill_mask.model import CHINESE, ENGLISH

CHOICES = {"en": ENGLISH, "zh": CHINESE}


@pytest.fixture(scope="module", params=sorted(CHOICES))
def shipped(request):
    choice = CHOICES[request.param]
    bundle = choice.load(torch.device("cpu"))
    return request.param, choice, read_card(choice.directory), bundle.model, bundle.tokenizer


def test_the_files_match_the_card(shipped):
    _, choice, card, _, _ = shipped
    for name, digest in card["files"].items():
        assert sha256_file(choice.directory / name) == digest, name


def test_the_card_is_re_measured_exactly(shipped):
    lang, _, card, model, tok = shipped
    missing = corpus.missing_chinese_sources() if lang == "zh" else []
    assert not missing, f"the zh card's held-out split needs all its text: apt-get install {' '.join(missing)}"
    sentences, held = train.LANGUAGES[lang]["text"]()
    ranked, items = train.held_out_items(train.pack(sentences, tok), tok, held)
    assert train.measured(model, tok, ranked, items) == card["metrics"]
    assert train.probe(model, tok, train.LANGUAGES[lang]["probes"]) == card["probes"]


def test_the_model_beats_word_frequency_and_uses_context(shipped):
    lang, _, card, model, tok = shipped
    content = card["metrics"]["content_words"]
    assert content["model"]["top5"] >= 2 * content["unigram_baseline"]["top5"]  # the card's bar
    assert card["metrics"]["all_words"]["model"]["top5"] > card["metrics"]["all_words"]["unigram_baseline"]["top5"]
    answers = list(card["probes"].values())  # context: different blanks get different answers
    assert len({tuple(a[:3]) for a in answers}) >= len(answers) // 2


def test_the_notes_quote_the_cards():
    cards = strings.cards()
    for lang in ("en", "zh"):
        text = strings.notes(lang, cards)
        raw = (strings.HERE / f"notes.{lang}.md").read_text(encoding="utf-8")
        assert PLACEHOLDER.search(raw) and text.count("?") == PLACEHOLDER.sub("", raw).count("?"), lang  # all filled
        for name in ("en", "zh"):
            content = cards[name]["metrics"]["content_words"]
            assert f"{content['model']['top5']:.1%}" in text
            assert f"{content['unigram_baseline']['top5']:.1%}" in text
