"""Issue 22: a tab plugs in with one line. A throwaway 7th tab (a tiny package written to a temporary folder, outside
this repository) is added to ``demos.REGISTRY`` and nothing else: it appears on the page with its endpoint, its
CSS, the API checks, a browser smoke test, its train script's --quick run and the Gradio-free import check."""
import os
import textwrap

import pytest
from registry_checks import endpoint_problems, imports_without_gradio, readme_missing, run_quick, scripts

import demos

FILES = {
    "__init__.py": "",
    "logic.py": '''
        def shout(text: str) -> str:
            """The science of the seventh tab."""
            return text.strip().upper() + "!"
        ''',
    "ui.py": '''
        import gradio as gr

        from core import i18n
        from core.ui import handler
        from seventh import logic

        TOPIC = "seventh"
        i18n.register({"en": {"seventh.tab": "Seventh", "seventh.text": "Text", "seventh.go": "Shout",
                              "seventh.answer": "Answer"},
                       "zh": {"seventh.tab": "第七", "seventh.text": "文字", "seventh.go": "大喊",
                              "seventh.answer": "回答"}})


        @handler
        def shout(text: str, lang="en") -> str:
            return logic.shout(text)


        def build_tab(i18n_keys, demo):
            with gr.Tab(i18n_keys("seventh.tab"), id=TOPIC, elem_id="tab-seventh"):
                text = gr.Textbox("hello", label=i18n_keys("seventh.text"), elem_id="seventh-text")
                go = gr.Button(i18n_keys("seventh.go"), elem_id="seventh-go")
                answer = gr.Textbox(label=i18n_keys("seventh.answer"), elem_id="seventh-answer")
                go.click(shout, text, answer, api_name="seventh_shout")
        ''',
    "style.css": "#seventh-answer {border-top: 7px solid rgb(1, 2, 3) !important}\n",
    "train.py": '''
        import argparse
        import json
        from pathlib import Path


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--quick", action="store_true")
            parser.add_argument("--out", type=Path, required=True)
            args = parser.parse_args()
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "card.json").write_text(json.dumps({"name": "seventh", "quick": args.quick}))


        if __name__ == "__main__":
            main()
        ''',
}


@pytest.fixture
def seventh(tmp_path, monkeypatch):
    """The 7th tab's package under a temporary folder, and its one line in the registry."""
    package = tmp_path / "plugins" / "seventh"
    package.mkdir(parents=True)
    for name, text in FILES.items():
        (package / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setattr(demos, "REGISTRY", [*demos.REGISTRY, "seventh.ui"])  # the one line
    return package


#: The app with the registry as the test left it: app.py's own main(), in a process of its own.
LAUNCHER = ("import sys, demos; demos.REGISTRY.append('seventh.ui'); import app; sys.argv[0] = 'app.py'; "
            "sys.exit(app.main(sys.argv[1:]))")


@pytest.fixture
def seventh_app(seventh, tmp_path):
    """The gallery with the 7th tab, started as `python app.py --offline` is (its own process)."""
    from bench.common import start_app, stop_app

    proc, url, _ = start_app(log_path=tmp_path / "app.log", program=("-c", LAUNCHER),
                             env={"PYTHONPATH": str(seventh.parent)})
    yield url
    stop_app(proc)


@pytest.mark.slow
def test_a_seventh_tab_plugs_in_with_one_registry_line(seventh, seventh_app, browser, tmp_path):
    from gradio_client import Client

    import app

    url = seventh_app
    demo, launch_kwargs = app.build_app()  # the same page in this process (built, not launched): its CSS, README
    topics = [tab.TOPIC for tab in demos.load_tabs()]
    assert topics[-1] == "seventh" and len(topics) == 7

    # its endpoint, through the same API checks as the six tabs'
    client = Client(url, verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/seventh_shout" in endpoints and endpoint_problems(endpoints, topics) == []
    assert client.predict("hi there", api_name="/seventh_shout") == "HI THERE!"
    assert readme_missing(demo) == ["/seventh_shout"]  # the README check reads the endpoints from the app

    # its CSS, and a browser smoke test: open the tab, act, check the answer and the style
    assert (seventh / "style.css").read_text(encoding="utf-8") in launch_kwargs["css"]
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("tab", name="Seventh", exact=True).click(timeout=60_000)
        page.locator("#seventh-text textarea").fill("plug in")
        page.locator("#seventh-go").click()
        page.wait_for_function("document.querySelector('#seventh-answer textarea').value === 'PLUG IN!'",
                               timeout=30_000)
        colour = page.evaluate("getComputedStyle(document.querySelector('#seventh-answer')).borderTopColor")
        assert colour == "rgb(1, 2, 3)"
    finally:
        context.close()

    # its train script: found from the registry, run for a few steps, and free of Gradio
    assert "seventh.train" in scripts(demos.REGISTRY)
    env = {**os.environ, "PYTHONPATH": str(seventh.parent)}
    out = run_quick("seventh.train", ["--quick"], tmp_path / "out", env=env)
    assert out.returncode == 0 and (tmp_path / "out" / "card.json").is_file(), out.stderr[-2000:]
    assert imports_without_gradio(["seventh.train", "seventh.logic"], env=env).returncode == 0
