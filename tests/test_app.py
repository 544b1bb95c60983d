"""The app as a whole: CLI, registry, api names, languages, README and CI agreeing."""
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from registry_checks import imports_without_gradio, run_quick, scripts

from demos import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_help_lists_every_option():
    out = subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for flag in ("--port", "--share", "--device", "--lang", "--offline", "--prefetch", "--present", "--mcp"):
        assert flag in out.stdout


@pytest.mark.slow
def test_prefetch_offline_reports_each_hub_model_at_once_and_fails():
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "app.py", "--prefetch", "--offline"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1, out.stderr  # nothing could be downloaded
    assert "microsoft/resnet-50" in out.stdout and "offline" in out.stdout
    assert time.perf_counter() - start < 60  # no half-minute of retries against a dead network


@pytest.mark.slow
def test_an_unavailable_device_is_refused_clearly():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    out = subprocess.run([sys.executable, "app.py", "--device", "cuda", "--offline"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and "not available" in out.stderr


def test_every_event_is_named_topic_verb():
    import app
    from demos import load_tabs

    demo, _ = app.build_app()
    topics = {tab.TOPIC for tab in load_tabs()} | {"app"}  # "app": the page's own events (slide links)
    events = [fn for fn in demo.fns.values() if fn.fn is not None]  # browser-only steps (js) have no endpoint
    assert events and all(fn.api_name for fn in events)
    for fn in events:
        topic = next((t for t in topics if fn.api_name.startswith(f"{t}_")), None)  # topics may contain "_"
        assert topic is not None, fn.api_name
        verb = fn.api_name[len(topic) + 1:]
        if fn.api_visibility == "public":
            assert re.fullmatch(r"[a-z]+", verb), fn.api_name


def test_slide_links_open_a_tab_and_name_real_preset_buttons():
    """?tab=TOPIC opens that tab (anything else: the first); every preset a tab offers names a button on the page."""
    import app
    from demos import load_tabs

    class Request:
        def __init__(self, query):
            self.query_params = query

    topics = [tab.TOPIC for tab in load_tabs()]
    open_tab = app.opened_tab(topics)
    assert open_tab(Request({"tab": "gan"})).selected == "gan"
    for bad in ({"tab": "nope"}, {"tab": ""}, {}):
        assert open_tab(Request(bad)).selected is None
    assert open_tab(None).selected is None
    demo, _ = app.build_app()
    ids = {block.elem_id for block in demo.blocks.values() if getattr(block, "elem_id", None)}
    presets = {tab.TOPIC: getattr(tab, "PRESETS", {}) for tab in load_tabs()}
    assert presets["gan"] and presets["saliency"] and presets["distillation"]
    for topic, named in presets.items():
        for name, elem_id in named.items():
            assert elem_id in ids and elem_id.startswith(topic), (topic, name, elem_id)
            assert f"`?tab={topic}&preset={name}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_present_flag_turns_presenter_mode_on_for_every_page():
    import app

    assert app.parse_args(["--present"]).present and not app.parse_args([]).present
    assert "if (true ||" in app.present_js(True) and "if (false ||" in app.present_js(False)


def test_distillation_training_shows_one_progress_bar_over_the_old_table():
    """Issue 20: training drew three progress bars over the old table (one per output)."""
    import app

    demo, _ = app.build_app()
    trains = [fn for fn in demo.fns.values() if fn.api_name in ("distillation_train", "distillation_train_preset")]
    assert len(trains) == 2
    for fn in trains:
        assert [block.elem_id for block in fn.show_progress_on or []] == ["distillation-table"]


def test_gradio_sums_up_its_events_rarely_and_over_few():
    """Issue 21: Gradio's queue summed up its last 10,000 events with pandas after every event (for a monitoring
    page the app never opens): a tenth of the GIL's busy time in a class (bench/load-class-gil.md)."""
    import app

    demo, _ = app.build_app()
    assert demo._queue.ANAYLTICS_CACHE_FREQUENCY >= 100  # (Gradio's spelling)
    assert demo._queue.ANALYTICS_MAX_EVENTS <= 1000


def test_every_heavy_action_takes_turns_and_has_a_gpu_duration():
    """Issue 21: heavy actions share one lane of several jobs whose steps take turns (core.heavy); an action in
    the lane without @heavy would run beside the others' steps and take the light events' core. Model switches
    (loading weights, no maths) are the only exception. The GAN playground is heavy too (it had its own lane)."""
    import app
    from core.heavy import HEAVY_AT_ONCE

    demo, _ = app.build_app()
    lane = {fn.api_name: fn for fn in demo.fns.values() if fn.concurrency_id == "heavy" and fn.fn is not None}
    assert {"audio_attack_run", "distillation_train", "saliency_sanity", "gan_play", "gan_collapse"} <= set(lane)
    for name, fn in lane.items():
        assert fn.concurrency_limit == HEAVY_AT_ONCE > 1, name
        assert 10 <= getattr(fn.fn, "gpu_seconds", 0) <= 300, name
    switches = [fn for fn in demo.fns.values() if fn.api_name and fn.api_name.endswith("_model")
                and fn.api_visibility == "public"]
    assert len(switches) == 4  # model switches load weights in a lane of their own, not behind heavy jobs
    assert all(fn.concurrency_id == "models" and fn.concurrency_limit == 1 for fn in switches)


def test_every_streamed_heavy_action_ends_with_its_last_update():
    """A streamed heavy action gives its last update as ``core.heavy.Last``: Gradio drops a click on a button whose
    event still runs, and a plain last ``yield`` left the event running until a heavy turn of its own (0824bb9). The
    heavy generators in the lane are read for it, so a new one cannot forget it."""
    import ast
    import importlib
    import inspect

    import app

    demo, _ = app.build_app()
    streamed = {fn.api_name: fn.fn for fn in demo.fns.values()
                if fn.concurrency_id == "heavy" and fn.fn is not None and inspect.isgeneratorfunction(fn.fn)}
    assert {"audio_attack_run", "gan_play"} <= set(streamed)
    for name, fn in streamed.items():
        tree = ast.parse(inspect.getsource(importlib.import_module(fn.__module__)))
        body = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == fn.__name__)
        last = [node for node in ast.walk(body) if isinstance(node, ast.Yield) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "Last"]
        assert last, name


def test_both_languages_define_every_string():
    from core import i18n
    from demos import load_tabs

    load_tabs()  # registers every tab's strings

    table = i18n.catalog()
    assert set(table["en"]) == set(table["zh"])
    for key, text in table["zh"].items():
        assert text.strip(), key
        if not key.endswith(".notes"):  # an {english_...} value (a library's own words) is left out of Chinese
            english = {name for name in re.findall(r"{(\w+)", table["en"][key]) if not name.startswith("english_")}
            assert set(re.findall(r"{(\w+)", text)) == english, key


def test_every_bold_in_the_strings_closes():
    """Markdown closes ``**`` after punctuation only before a space or more punctuation: "**停止：**伺服器" shows its
    asterisks (a Chinese message in a busy class did). Every closing ``**`` of every string must close."""
    import unicodedata

    from core import i18n
    from demos import load_tabs

    load_tabs()  # registers every tab's strings

    def punctuation(char: str) -> bool:
        return unicodedata.category(char).startswith(("P", "S"))

    for lang, table in i18n.catalog().items():
        for key, text in table.items():
            parts = text.split("**")
            for closing in range(2, len(parts), 2):  # parts[closing - 1] is bold, parts[closing] follows it
                before, after = parts[closing - 1][-1:], parts[closing][:1]
                assert not (before and after and punctuation(before) and not after.isspace()
                            and not punctuation(after)), (lang, key, text)


def test_forced_language_applies_to_every_locale():
    import app

    translations = app.make_i18n("zh")
    data = translations.translations_dict
    assert data["en"]["app.title"] == data["zh-TW"]["app.title"] == "# 機器學習互動展示"


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    run_cmd = re.search(r"^TEST_COMMAND='(.+)'$", ci, re.M).group(1)
    assert f"    {run_cmd}\n" in readme or f"\n{run_cmd}\n" in readme
    assert "pip install -r requirements.txt && python app.py" in readme
    front = readme.split("---")[1]
    assert "sdk: gradio" in front and "app_file: app.py" in front
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    pinned = re.search(r"==(\S+)", next(line for line in requirements if re.match(r"gradio(\[\w+\])?==", line)))
    assert f"sdk_version: {pinned.group(1)}" in front
    from registry_checks import readme_missing

    import app

    demo, _ = app.build_app()
    assert readme_missing(demo, readme) == []  # the README's endpoint table is checked against the app


#: Each train*.py and measure.py of every registered tab (found from demos.REGISTRY), plus the variants a script
#: offers: each --quick run writes its card or results (a .json) into a temporary folder.
SCRIPT_RUNS = [(module, ["--quick"]) for module in scripts(REGISTRY)] + [
    ("demos.gan.train", ["--truncation", "--quick"]), ("demos.fill_mask.train", ["--quick", "--lang", "zh"])]


@pytest.mark.parametrize("module, args", SCRIPT_RUNS)
@pytest.mark.slow
def test_each_train_script_runs_a_few_steps(tmp_path, module, args):
    """CI never retrains: it checks that each train.py (or measure.py) still runs, on a few steps, into a
    temp folder."""
    out = run_quick(module, args, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert list(tmp_path.rglob("*.json")), "no card or results written"


@pytest.mark.slow
def test_retraining_never_imports_gradio():
    """train.py and the figures it draws are Gradio-free: retraining works without the UI stack."""
    modules = scripts(REGISTRY)
    assert len(modules) >= 10 and "demos.fill_mask.train_minilm" in modules
    out = imports_without_gradio(modules)
    assert out.returncode == 0, out.stderr[-2000:]



def test_mcp_lists_every_public_action_as_a_tool_named_after_its_endpoint():
    """Issue 20: ``--mcp`` lets an LLM agent call every action. The MCP tool list is the public API, each tool named
    after its endpoint (Gradio would name it after the function: three tabs' ``pick`` as pick, pick_1, pick_2)."""
    import json
    import urllib.request

    import app
    from bench.common import free_port
    from core import models

    models.set_offline(True)
    demo, launch_kwargs = app.build_app()
    app.name_tools_after_endpoints(demo)
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True,
                mcp_server=True, **launch_kwargs)
    try:
        with urllib.request.urlopen(f"{demo.local_url}gradio_api/mcp/schema", timeout=60) as response:
            tools = json.load(response)
        endpoints = {name.lstrip("/") for name in demo.get_api_info()["named_endpoints"]}
        assert {tool["name"] for tool in tools} == endpoints and len(endpoints) > 30
        assert all(tool["description"].strip() for tool in tools)
    finally:
        demo.close()


def test_each_tab_brings_its_own_styles():
    """Issue 22: a tab's CSS lives in its own folder (demos/<topic>/style.css), not in app.py."""
    import app
    from demos import load_tabs

    _, launch_kwargs = app.build_app()
    owned = [Path(tab.__file__).with_name("style.css") for tab in load_tabs()]
    assert sum(path.exists() for path in owned) >= 3
    for path in owned:
        if path.exists():
            assert path.read_text(encoding="utf-8") in launch_kwargs["css"], path
    assert "#fill-mask" not in app.CSS and "#saliency" not in app.CSS  # the shared styles name no tab


def test_gradio_remembers_a_bounded_number_of_sessions_the_least_recently_used_going_first():
    """Issue 21 (RSS): Gradio keeps every session's state (~0.9 MB each before core.sessions) until 10,000
    sessions, and never frees it otherwise: each page load grew the server for good (bench/sessions_memory.py). The
    app remembers core.memo.SESSIONS, as the audio tab's own store of each session's attacks does. Gradio's own
    StateHolder, given the app, keeps that many and lets the longest idle go."""
    from gradio.state_holder import StateHolder

    import app
    from core.memo import SESSIONS
    from demos.audio_attack.ui import MINE

    demo, launch_kwargs = app.build_app()
    assert launch_kwargs["state_session_capacity"] == SESSIONS == MINE.sessions and 50 < SESSIONS <= 500
    holder = StateHolder()
    holder.set_blocks(demo)
    holder.capacity = 3  # the same rule on a smaller scale: building 200 sessions' states takes a while
    for name in ("a", "b", "c"):
        holder[name]
    holder["a"]  # a clicks again: b is now the longest idle
    holder["d"]
    assert set(holder.session_data) == {"a", "c", "d"}


def test_gradios_cache_is_emptied_of_old_files_but_keeps_what_a_lecture_uses():
    """Gradio's cache (shown files, uploads) is pruned while the app runs, by Gradio's own delete_cache: a file not
    handed out for CACHE_KEEP goes, so a download (our exports keep theirs export.KEEP_SECONDS) and a photo uploaded at
    the start of a 2-hour lecture still work at its end. Gradio's prune, run with the app's age on a clock moved
    forward, keeps a file before CACHE_KEEP and removes it after."""
    from datetime import datetime, timedelta
    from unittest import mock

    from gradio.route_utils import delete_files_created_by_app

    import app
    from core import export

    demo, _ = app.build_app()
    assert demo.delete_cache == (app.CACHE_EVERY, app.CACHE_KEEP)
    assert app.CACHE_KEEP >= max(2 * 3600, export.KEEP_SECONDS) and app.CACHE_EVERY <= app.CACHE_KEEP / 4
    folder = Path(export._root()).parent / "test-delete-cache"
    folder.mkdir(parents=True, exist_ok=True)
    upload = folder / "photo.png"
    upload.write_bytes(b"x")
    demo.upload_file_set.add(str(upload))
    try:
        for after, kept in ((app.CACHE_KEEP - 60, True), (app.CACHE_KEEP + 60, False)):
            with mock.patch("gradio.route_utils.datetime", wraps=datetime) as clock:
                clock.now.return_value = datetime.now() + timedelta(seconds=after)
                delete_files_created_by_app(demo, app.CACHE_KEEP)
            assert upload.exists() == kept, after
    finally:
        upload.unlink(missing_ok=True)
        folder.rmdir()
