import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never touch the network
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]

from bench.common import free_port  # noqa: E402  (after the path: the tests run from anywhere)


@pytest.fixture(scope="session")
def app_url():
    """The whole gallery, launched in-process on a free loopback port, as a user would get it."""
    import app
    from core import models

    models.set_offline(True)
    demo, launch_kwargs = app.build_app()
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True,
                **launch_kwargs)
    yield demo.local_url.rstrip("/")
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def client(app_url):
    from tests.api_helpers import session_client

    return session_client(app_url)


@pytest.fixture(scope="module")
def one_torch_thread():
    """For modules that train many tiny models: one thread is as fast alone and ~10x faster on shared, busy cores
    (measured on the distillation students: 10 x 30 epochs, 18 s against 179 s at load 9 on 2 cores). Put back
    afterwards. (torch's thread count is process-wide: only for tests, never beside the app's queue.)"""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def pytest_collection_modifyitems(items):
    """Every test gets its layer as a marker (pytest.ini lists them), from what it needs: a Chromium page is a
    ``browser`` test, the launched app (``app_url``/``client``) an ``api`` test, anything else a ``unit`` test.
    The results files' re-measurements (``test_*_results.py``) and the claims checked on the real models
    (``test_*_claims.py``) are ``slow``; other slow tests say so themselves."""
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if item.path.name == "test_browser.py" or needs & {"browser", "page", "chinese"}:
            item.add_marker(pytest.mark.browser)
        elif needs & {"app_url", "client"}:
            item.add_marker(pytest.mark.api)
        else:
            item.add_marker(pytest.mark.unit)
        if item.path.name.endswith(("_results.py", "_claims.py")):  # real models on held-out data: slow by nature
            item.add_marker(pytest.mark.slow)
