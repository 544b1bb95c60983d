"""The bundled small English BERT: its files match its card, it loads as a bundle with its tokenizer, and the card's
numbers (held-out whole-word accuracy, the unigram baseline, the probes) are re-measured from the shipped weights."""
import pytest
import torch

from core.models import read_card, sha256_file
from demos.fill_mask import corpus, train
from demos.fill_mask.model import ENGLISH


@pytest.fixture(scope="module")
def shipped():
    bundle = ENGLISH.load(torch.device("cpu"))
    return read_card(ENGLISH.directory), bundle.model, bundle.tokenizer


def test_the_files_match_the_card(shipped):
    for name, digest in shipped[0]["files"].items():
        assert sha256_file(ENGLISH.directory / name) == digest, name


def test_the_card_is_re_measured_exactly(shipped):
    card, model, tok = shipped
    sentences, held = corpus.english()
    ranked, items = train.held_out_items(train.pack(sentences, tok), tok, held)
    assert train.measured(model, tok, ranked, items) == card["metrics"]
    assert train.probe(model, tok) == card["probes"]


def test_the_model_beats_word_frequency_and_uses_context(shipped):
    card, model, tok = shipped
    content = card["metrics"]["content_words"]
    assert content["model"]["top5"] >= 2 * content["unigram_baseline"]["top5"]  # the card's bar
    assert card["metrics"]["all_words"]["model"]["top5"] > card["metrics"]["all_words"]["unigram_baseline"]["top5"]
    # context: the same blank in two sentences gets different answers
    first = train.probe(model, tok)
    assert first["the sun rises in the [MASK]."] != first["birds can [MASK] through the air."]
