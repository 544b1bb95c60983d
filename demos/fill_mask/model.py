"""The fill-mask tab's models: a BERT masked-language model with its tokenizer.

The bundled English model is a small BERT this project pre-trains itself (train.py): transformers'
``BertForMaskedLM`` with the config, WordPiece vocabulary and weights in assets/models/fill_mask/en, loaded
from safetensors. It is small and honest about it; the real ones (bert-base) come from the Hub (issue 11).
"""
from __future__ import annotations

from pathlib import Path

from core.models import ASSETS, BundledChoice

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
ENGLISH_DIR = ASSETS / "fill_mask" / "en"


def bert(config: dict):
    """A BertForMaskedLM of this shape (random weights: train.py trains it, the bundle loads into it)."""
    from transformers import BertConfig, BertForMaskedLM

    return BertForMaskedLM(BertConfig(**config)).eval()


def tokenizer(directory: Path):
    """The bundled model's WordPiece tokenizer (vocab.txt: one token a line, lower-cased text)."""
    from transformers import BertTokenizer  # transformers 5: the fast (Rust) tokenizer, built from the vocabulary

    return BertTokenizer(vocab=str(Path(directory) / "vocab.txt"), do_lower_case=True)


def _bundled(directory: Path) -> BundledChoice:
    def build():
        import json

        return bert(json.loads((Path(directory) / "config.json").read_text(encoding="utf-8")))

    return BundledChoice(f"bert-small-{directory.name}", directory, build,
                         companions=lambda: {"tokenizer": tokenizer(directory)})


ENGLISH = _bundled(ENGLISH_DIR)
