"""The bundled CTC recogniser: shapes, the greedy decoder against a hand-made posteriorgram, gradients to the
waveform, and the shipped weights re-measured on the shipped example clips against their card."""
import math

import pytest
import torch

from core.models import read_card, sha256_file
from demos.audio_attack import speech
from demos.audio_attack.ctc import INDEX, SPEECH_CTC, VOCAB, SpeechCTC, encode, greedy_decode, transcribe
from demos.audio_attack.train import edit_distance, error_rates


def test_vocabulary_is_blank_space_apostrophe_and_letters():
    assert VOCAB[0] == "_" and VOCAB[1:3] == (" ", "'") and "".join(VOCAB[3:]) == "abcdefghijklmnopqrstuvwxyz"
    assert all(set(s) <= set(VOCAB[1:]) for s in speech.commands())


def test_output_shape_lengths_and_log_probs():
    model = SpeechCTC().eval()
    lengths = torch.tensor([16000, 8000, 321])
    with torch.no_grad():
        out = model(torch.randn(3, 16000) * 0.1)
    assert out.shape == (3, int(model.output_lengths(lengths)[0]), len(VOCAB))
    assert model.output_lengths(lengths).tolist() == [51, 26, 2]  # 101, 51, 3 STFT frames, then stride 2
    assert torch.allclose(out.exp().sum(-1), torch.ones(out.shape[:2]), atol=1e-5)
    with torch.no_grad():  # a shorter clip gives exactly the frames output_lengths promises
        assert model(torch.randn(1, 8000) * 0.1).shape[1] == 26


def posteriorgram(path: str) -> torch.Tensor:
    """One-hot log-probabilities along a frame path written with VOCAB characters ('_' is blank)."""
    probs = torch.full((len(path), len(VOCAB)), 1e-4)
    for frame, char in enumerate(path):
        probs[frame, INDEX[char]] = 1.0
    return (probs / probs.sum(-1, keepdim=True)).log()


def test_greedy_decoder_merges_repeats_and_drops_blanks():
    assert greedy_decode(posteriorgram("__gg_oo  __d_oo_o__rr_")) == "go door"
    assert greedy_decode(posteriorgram("_____")) == ""
    assert greedy_decode(posteriorgram(" _ s_t_o_p  ")) == "stop"
    assert greedy_decode(torch.stack([posteriorgram("aa_b"), posteriorgram("a__a")])) == ["ab", "aa"]


def test_encode():
    assert encode("go up").tolist() == [INDEX[c] for c in "go up"]


def test_error_rates_against_hand_counts():
    assert edit_distance("kitten", "sitting") == 3
    rates = error_rates(["open the door", "stop"], ["open a door", "stop"])
    assert rates["wer"] == pytest.approx(1 / 4)
    assert rates["cer"] == pytest.approx(3 / 17, abs=1e-4)  # "the" -> "a": 3 edits
    assert rates["sentence_accuracy"] == 0.5


def test_ctc_loss_gradient_reaches_every_sample_of_the_waveform():
    model = SpeechCTC().eval()
    wave = (torch.randn(1, 4000) * 0.1).requires_grad_()
    log_probs = model(wave)
    target = encode("go")
    loss = torch.nn.functional.ctc_loss(log_probs.transpose(0, 1), target[None], torch.tensor([log_probs.shape[1]]),
                                        torch.tensor([len(target)]))
    loss.backward()
    assert torch.isfinite(wave.grad).all()
    assert (wave.grad != 0).float().mean() > 0.99


@pytest.fixture(scope="module")
def bundle():
    return SPEECH_CTC.load(torch.device("cpu"))


def test_card_matches_the_shipped_weights_and_its_targets():
    card = read_card(SPEECH_CTC.directory)
    assert card["files"]["weights.safetensors"] == sha256_file(SPEECH_CTC.weights)
    assert SPEECH_CTC.weights.stat().st_size <= 10 * 2**20
    assert card["metrics"]["cer"] <= 0.05
    assert card["targets"]["cer"] == "<= 0.05"
    assert card["parameters"] == sum(p.numel() for p in SpeechCTC().parameters())


def test_shipped_weights_transcribe_every_example_clip(bundle):
    assert bundle.labels == VOCAB and not bundle.model.training
    card = read_card(SPEECH_CTC.directory)
    references, hypotheses = [], []
    for name, (text, _) in speech.EXAMPLES.items():
        audio = speech.load_wav(speech.EXAMPLES_DIR / name)
        assert audio.dim() == 1 and len(audio) <= 3 * speech.SAMPLE_RATE
        references.append(text)
        hypotheses.append(transcribe(bundle.model, audio))
    rates = error_rates(references, hypotheses)
    assert rates["cer"] <= max(card["metrics"]["cer"], card["metrics"]["examples"]["cer"]) + 1e-9, hypotheses
    assert rates == {k: card["metrics"]["examples"][k] for k in rates}
    assert math.isclose(rates["sentence_accuracy"], 1.0), list(zip(references, hypotheses))
