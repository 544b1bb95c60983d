"""A Hub model choice really downloads, with progress: offline, from a small fake Hub on a loopback port.

``FakeHub`` answers the few requests ``huggingface_hub.snapshot_download`` makes for a model pinned to a commit:
the file listing (``/api/models/<repo>/tree/<commit>``), then ``HEAD`` and ``GET`` of
``/<repo>/resolve/<commit>/<file>`` with the headers the client checks (``X-Repo-Commit``, ``ETag``,
``Content-Length``). Files are served over plain HTTP (no Xet headers), as a mirror would.
"""
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import torch
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from core import models
from core.classifier import DIGIT_CNN

REPO = "tiny-org/tiny-bert"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
MASKED_LM = models.transformers_loader("AutoModelForMaskedLM")


class FakeHub(ThreadingHTTPServer):
    """The Hub for one repo at one commit, serving ``files``; ``requests`` records what was asked.

    ``fail`` maps a file name to the status its GET answers instead (HEAD still answers 200: a failed HEAD
    is retried with back-off for ~23 s); ``hold`` makes a file's GET wait for an event (at most 5 s)."""

    daemon_threads = True

    def __init__(self, repo_id: str, files: dict[str, bytes], model=None):
        super().__init__(("127.0.0.1", 0), FakeHubHandler)
        self.repo_id, self.files, self.model = repo_id, files, model  # model: what the files were saved from
        self.fail: dict[str, int] = {}
        self.hold: dict[str, threading.Event] = {}
        self.requests: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_port}"


class FakeHubHandler(BaseHTTPRequestHandler):
    server: FakeHub

    def do_HEAD(self):
        self.answer(with_body=False)

    def do_GET(self):
        self.answer(with_body=True)

    def log_message(self, *args):  # quiet
        pass

    def answer(self, with_body: bool):
        hub, path = self.server, urlsplit(self.path).path
        hub.requests.append(f"{self.command} {path}")
        api, resolve = f"/api/models/{hub.repo_id}", f"/{hub.repo_id}/resolve/{COMMIT}/"
        if path in (api, f"{api}/revision/{COMMIT}"):  # model info (asked when the revision is a branch)
            info = {"id": hub.repo_id, "sha": COMMIT, "siblings": [{"rfilename": name} for name in hub.files]}
            self.send(200, json.dumps(info).encode(), {"Content-Type": "application/json"}, with_body)
        elif path == f"{api}/tree/{COMMIT}":  # the file listing, one page
            tree = [{"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
                    for name, data in hub.files.items()]
            self.send(200, json.dumps(tree).encode(), {"Content-Type": "application/json"}, with_body)
        elif path.startswith(resolve) and path[len(resolve):] in hub.files:
            name = path[len(resolve):]
            if self.command == "GET" and name in hub.fail:
                self.send(hub.fail[name], b"fake server error", {"X-Repo-Commit": COMMIT}, with_body)
                return
            if self.command == "GET" and name in hub.hold:
                hub.hold[name].wait(timeout=5)
            data = hub.files[name]
            headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
                       "Content-Type": "application/octet-stream"}
            self.send(200, data, headers, with_body)
        else:
            error = "EntryNotFound" if path.startswith(resolve) else "RepoNotFound"
            self.send(404, b"not found", {"X-Error-Code": error, "X-Repo-Commit": COMMIT}, with_body)

    def send(self, status: int, data: bytes, headers: dict[str, str], with_body: bool):
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(key, value)
        self.end_headers()
        if with_body:
            self.wfile.write(data)


def tiny_bert():
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=32, max_position_embeddings=32)
    return transformers.BertForMaskedLM(config).eval()


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A FakeHub serving a tiny BERT saved with save_pretrained; huggingface_hub is pointed at it, online."""
    from huggingface_hub import constants

    model = tiny_bert()
    model.save_pretrained(tmp_path / "repo")  # config.json + model.safetensors
    server = FakeHub(REPO, {p.name: p.read_bytes() for p in sorted((tmp_path / "repo").iterdir())}, model)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("DEMO_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # conftest sets it; huggingface_hub read it at import
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    template = constants.HUGGINGFACE_CO_URL_TEMPLATE.replace(constants.ENDPOINT, server.url)  # both read at import
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 4096)  # several progress steps for an 18 KB file
    with models.network(reachable=True):  # the fake Hub is reachable, whatever ran before
        yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def hub_choice():
    return models.HubChoice("tiny-bert", REPO, COMMIT, MASKED_LM, size_mb=0.02)


def test_a_hub_choice_downloads_with_progress_then_is_the_default(hub):
    choice = hub_choice()
    slot = models.Slot("t", "r", [choice, DIGIT_CNN])
    assert choice.needs_download() and not choice.is_cached()
    assert slot.best() is DIGIT_CNN  # nothing downloaded yet: the default is one that needs no download

    reports = []
    path = choice.download(lambda share, text: reports.append((share, text)))
    shares = [share for share, _ in reports]
    assert len(shares) >= 5, reports  # 19 KB in 4 KB chunks: several steps
    assert all(0 < share <= 1.0 for share in shares) and shares[-1] == 1.0, reports
    assert all(text.startswith(f"{REPO}: ") and text.endswith(" MB") for _, text in reports), reports
    for name in hub.files:  # really fetched from the fake Hub, over plain HTTP
        assert f"GET /{REPO}/resolve/{COMMIT}/{name}" in hub.requests

    assert path.endswith(COMMIT) and choice.is_cached() and not choice.needs_download()
    assert slot.refresh() is choice
    bundle = choice.load(torch.device("cpu"))
    assert bundle.choice is choice and not bundle.model.training
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.inference_mode():
        assert torch.allclose(bundle.model(ids).logits, hub.model(ids).logits, atol=1e-6)


def test_download_progress_never_goes_back_even_when_the_weights_answer_last(hub):
    """A real Hub answers config.json at once and the big weights later (CDN redirect): the share must still rise."""
    first_report = threading.Event()
    hub.hold["model.safetensors"] = first_report  # the weights answer only after a first report
    shares = []
    hub_choice().download(lambda share, text: (shares.append(share), first_report.set()))
    assert shares[-1] == 1.0
    assert shares == sorted(shares), shares  # with the total taken from the download itself: [1.0, 0.25, ...]


@pytest.mark.parametrize("fail", [{"config.json": 500, "model.safetensors": 500}, {"model.safetensors": 500},
                                  {"model.safetensors": 404}], ids=["all-500", "weights-500", "weights-missing"])
def test_a_server_error_raises_and_leaves_the_choice_not_cached(hub, fail):
    hub.fail.update(fail)
    choice = hub_choice()
    slot = models.Slot("t", "r", [choice, DIGIT_CNN])
    with pytest.raises(HfHubHTTPError):
        choice.download(lambda share, text: None)
    assert not choice.is_cached() and choice.needs_download()
    assert slot.best() is DIGIT_CNN


def test_a_missing_repo_raises(hub):
    other = models.HubChoice("other", "tiny-org/not-here", COMMIT, MASKED_LM)
    with pytest.raises(RepositoryNotFoundError):
        other.download()
    assert not other.is_cached()


def test_prefetch_all_downloads_every_hub_choice(hub, monkeypatch):
    choice = hub_choice()
    slot = models.Slot("t", "r", [choice, DIGIT_CNN])
    monkeypatch.setattr(models, "SLOTS", [slot])
    assert slot.best() is DIGIT_CNN
    lines = []
    assert models.prefetch_all(lines.append) == []
    assert any(REPO in line and COMMIT[:10] in line for line in lines) and lines[-1].strip() == "ok", lines
    assert choice.is_cached() and slot.best() is choice  # prefetch_all refreshed the slot
