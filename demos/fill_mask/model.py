"""The fill-mask tab's models: a masked language model with its tokenizer, in one slot.

* Hub (the real experience, pinned commits, loaded by transformers from safetensors): bert-base-uncased,
  bert-base-chinese, and DistilBERT for slow connections. Each says its download size before it is fetched; on a
  Hugging Face Space the two bert-base models download in the background at start-up (``on_space``).
* Bundled (offline, small and honest about it): BERTs this project pre-trains itself (train.py) on offline Debian
  text, English (WordPiece) and Chinese (one token per character, mostly classical poems): transformers'
  ``BertForMaskedLM`` with the config, vocabulary and weights in assets/models/fill_mask/<lang>.
"""
from __future__ import annotations

from pathlib import Path

from core.models import ASSETS, BundledChoice, HubChoice, from_transformers, slot, transformers_loader

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
ENGLISH_DIR = ASSETS / "fill_mask" / "en"
CHINESE_DIR = ASSETS / "fill_mask" / "zh"


def bert(config: dict):
    """A BertForMaskedLM of this shape (random weights: train.py trains it, the bundle loads into it)."""
    config_class, model_class = from_transformers("BertConfig", "BertForMaskedLM")
    return model_class(config_class(**config)).eval()


def tokenizer(directory: Path):
    """The bundled model's WordPiece tokenizer (vocab.txt: one token a line, lower-cased text)."""
    (bert_tokenizer,) = from_transformers("BertTokenizer")  # transformers 5: the fast one, built from the vocabulary
    return bert_tokenizer(vocab=str(Path(directory) / "vocab.txt"), do_lower_case=True)


def _bundled(directory: Path) -> BundledChoice:
    def build():
        import json

        return bert(json.loads((Path(directory) / "config.json").read_text(encoding="utf-8")))

    return BundledChoice(f"bert-small-{directory.name}", directory, build,
                         companions=lambda: {"tokenizer": tokenizer(directory)})


MASKED_LM = transformers_loader("AutoModelForMaskedLM", tokenizer=True)

# Revisions: commits of the official repositories, pinned so that a class sees the same model every year.
# Sizes: what a download fetches (model.safetensors and the small tokenizer and config files).
BERT_BASE_EN = HubChoice("bert-base-uncased", "google-bert/bert-base-uncased",
                         "86b5e0934494bd15c9632b12f734a8a67f723594", MASKED_LM, size_mb=441, on_space=True)
BERT_BASE_ZH = HubChoice("bert-base-chinese", "google-bert/bert-base-chinese",
                         "c30a6ed22ab4564dc1e3b2ecbf6e766b0611a33f", MASKED_LM, size_mb=413, on_space=True)
DISTILBERT_EN = HubChoice("distilbert-base-uncased", "distilbert/distilbert-base-uncased",
                          "12040accade4e8a0f71eabdb258fecc2e7e948be", MASKED_LM, size_mb=269)
ENGLISH = _bundled(ENGLISH_DIR)
CHINESE = _bundled(CHINESE_DIR)

MODELS = slot("fill_mask", "masked_lm", [BERT_BASE_EN, BERT_BASE_ZH, DISTILBERT_EN, ENGLISH, CHINESE])
LANGUAGE = {BERT_BASE_EN.key: "en", BERT_BASE_ZH.key: "zh", DISTILBERT_EN.key: "en", ENGLISH.key: "en",
            CHINESE.key: "zh"}  # the language each model reads: the page opens on one that reads the user's
