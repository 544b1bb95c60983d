"""Model choices: the bundled classifier from safetensors, and the Hub path with a tiny local model."""
import json
import shutil

import pytest
import torch

from core import models
from core.classifier import DIGIT_CNN
from core.data.digits import HANDWRITTEN, STYLE_NAMES, TEST, TYPESET, load_digits, to_tensor
from core.device import pick_device


def test_shipped_classifier_reproduces_its_card():
    """The metrics in card.json are what the shipped weights score now, and meet the targets."""
    card = DIGIT_CNN.card()
    model = DIGIT_CNN.load(torch.device("cpu"))
    digits = load_digits()
    for style in (HANDWRITTEN, TYPESET):
        test = digits.subset(TEST, style)
        with torch.inference_mode():
            accuracy = float((model(to_tensor(test.images)).argmax(1) == torch.from_numpy(test.labels)).float().mean())
        key = f"test_accuracy_{STYLE_NAMES[style]}"
        assert accuracy == pytest.approx(card["metrics"][key], abs=1e-4)
        assert accuracy >= 0.98
    assert card["parameters"] == sum(p.numel() for p in model.parameters())


def test_bundled_weights_are_checked_against_the_card(tmp_path):
    copy = tmp_path / "digit_cnn"
    shutil.copytree(DIGIT_CNN.directory, copy)
    data = bytearray((copy / "weights.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (copy / "weights.safetensors").write_bytes(bytes(data))
    tampered = models.BundledChoice("digit-cnn", copy, DIGIT_CNN.build)
    with pytest.raises(RuntimeError, match="sha256"):
        tampered.load(torch.device("cpu"))


def test_slot_loads_once_and_caches():
    slot = models.Slot("t", "r", [DIGIT_CNN])
    first = slot.get(device=torch.device("cpu"))
    assert slot.get(device=torch.device("cpu")) is first
    assert slot.best() is DIGIT_CNN


def test_device_choice_and_override(monkeypatch):
    assert pick_device().type in ("cuda", "mps", "cpu")
    assert pick_device("cpu").type == "cpu"
    monkeypatch.setenv("DEMO_DEVICE", "cpu")
    assert pick_device().type == "cpu"
    with pytest.raises(ValueError):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="not available"):
            pick_device("cuda")


# ---- the Hub path, offline, with a tiny model saved in the Hub cache layout

REVISION = "0123456789abcdef0123456789abcdef01234567"


def save_in_hub_layout(cache, repo_id):
    """A tiny random BERT, saved as the Hub cache would hold it: models--org--name/snapshots/<commit>/."""
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=32)
    model = transformers.BertForMaskedLM(config)
    repo_dir = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo_dir / "snapshots" / REVISION
    model.save_pretrained(snapshot)  # safetensors by default
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(REVISION)
    return model


def test_hub_choice_loads_a_cached_snapshot_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    original = save_in_hub_layout(tmp_path, "tiny-org/tiny-bert")
    choice = models.HubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, models.transformers_loader("AutoModelForMaskedLM"))
    assert choice.is_cached() and choice.available()
    loaded = choice.load(torch.device("cpu"))
    assert type(loaded).__name__ == "BertForMaskedLM"
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.inference_mode():
        assert torch.allclose(loaded(ids).logits, original.eval()(ids).logits, atol=1e-6)


def test_slot_prefers_a_cached_hub_choice_and_falls_back_to_bundled(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub = models.HubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, models.transformers_loader("AutoModelForMaskedLM"))
    slot = models.Slot("t", "r", [hub, DIGIT_CNN])
    assert slot.best() is DIGIT_CNN  # offline and not cached: the bundled model
    save_in_hub_layout(tmp_path, "tiny-org/tiny-bert")
    assert slot.best() is hub


def test_a_wrong_revision_is_not_taken_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    save_in_hub_layout(tmp_path, "tiny-org/tiny-bert")
    other = models.HubChoice("x", "tiny-org/tiny-bert", "f" * 40, models.transformers_loader("AutoModelForMaskedLM"))
    assert not other.is_cached()


def test_prefetch_reports_each_hub_choice_and_its_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # offline: the download must fail, and say so
    hub = models.HubChoice("tiny-bert", "tiny-org/not-here", REVISION, models.transformers_loader("AutoModelForMaskedLM"))
    monkeypatch.setattr(models, "SLOTS", [models.Slot("t", "r", [hub, DIGIT_CNN])])
    lines = []
    failures = models.prefetch_all(lines.append)
    assert [repo for repo, _ in failures] == ["tiny-org/not-here"]
    assert any("tiny-org/not-here" in line for line in lines) and any("failed" in line for line in lines)


def test_cards_are_valid_json_with_hashes_of_their_files():
    for card_path in models.ASSETS.rglob("card.json"):
        card = json.loads(card_path.read_text())
        for key in ("name", "topic", "data", "training", "metrics", "files", "license"):
            assert key in card, f"{card_path} lacks {key}"
        for name, digest in card["files"].items():
            assert models.sha256_file(card_path.parent / name) == digest, f"{card_path.parent / name} changed"
