"""core.sessions: a Gradio session no longer copies the page's config when it begins, and a deep link still comes
out as Gradio's own session would make it (the oracle: Gradio's SessionState methods, kept before the change)."""
import asyncio
import tracemalloc

import gradio as gr
import pytest
from gradio.state_holder import SessionState

from core import sessions


@pytest.fixture(scope="module")
def eager():
    """Gradio's own session class: its methods as they were before ``lean_sessions``."""
    assert sessions.lean_sessions()
    return type("Eager", (SessionState,), {**sessions.GRADIO_SESSION, "_lean": False})


def small_app():
    with gr.Blocks() as demo:
        text = gr.Textbox("a", label="text")
        number = gr.Number(1, label="n")
        out = gr.Textbox(label="out")
        slider = gr.Slider(0, 10, value=3, label="s")
        state = gr.State([])
        text.submit(lambda s, n: (s * int(n), gr.Slider(maximum=20, label="s2")), [text, number], [out, slider])
        number.submit(lambda n, kept: (n + 1, kept + [n]), [number, state], [number, state])
        slider.release(lambda v: gr.Textbox(value=f"{v}", label="moved"), slider, out)
        out.submit(lambda s: gr.Slider(minimum=1), out, slider)
        out.blur(lambda s: gr.update(label="relabelled"), out, number)  # a prop update without a value
    return demo


def deep_link(state, demo) -> list[dict]:
    """The session's components as the deep link route gets them; a component a handler returned is registered by
    Gradio under its own id, which differs between two runs of the handler: named by its place instead."""
    return [c if c["id"] in demo.blocks else {**c, "id": "returned", "key": None} for c in state.components]


def run(demo, state, index, inputs):
    return asyncio.run(demo.process_api(block_fn=index, inputs=inputs, state=state, session_hash="s"))


def test_a_new_session_builds_no_config(eager):
    demo = small_app()
    lean, gradio = SessionState(demo), eager(demo)
    assert len(gradio.config_values) == len(demo.blocks) and len(lean.config_values) == 0
    assert list(lean.config_values.values()) == []  # still a dict to Gradio's code: its methods all there
    assert list(lean.components) == list(gradio.components)


def test_the_deep_link_state_matches_gradios_after_events(eager):
    """The same events on a lean and on Gradio's session: values noted, props replaced (with and without a
    value), a value noted again after its block was replaced, state kept: the same components, in the same order."""
    demo = small_app()
    lean, gradio = SessionState(demo), eager(demo)
    calls = [(0, ["ab", 2]), (1, [4, None]), (2, [7]), (3, ["x"]), (4, ["y"]), (0, ["c", 3]), (1, [5, None])]
    for index, inputs in calls:
        for state in (lean, gradio):
            run(demo, state, index, inputs)
        assert deep_link(lean, demo) == deep_link(gradio, demo)
    assert any(c.get("props", {}).get("value") == "ccc" for c in lean.components)  # the test can fail: values noted
    assert any(c.get("props", {}).get("minimum") == 1 for c in lean.components)
    assert any(c.get("props", {}).get("label") == "relabelled" for c in lean.components)
    state_id = next(k for k, b in demo.blocks.items() if isinstance(b, gr.State))
    assert lean[state_id] == gradio[state_id] == [4, 5]


def test_the_gallerys_sessions_are_lean_and_small(eager):
    """On the whole gallery: a new session keeps a small part of what Gradio's kept (0.89 MB, 510 configs), and its
    deep link's components are Gradio's."""
    import app

    demo, _ = app.build_app()  # build_app makes the sessions lean
    assert SessionState._lean

    def kept(cls, count=5):
        tracemalloc.start()
        made = [cls(demo) for _ in range(count)]
        size = tracemalloc.get_traced_memory()[0] / count
        tracemalloc.stop()
        return made[0], size

    lean, lean_bytes = kept(SessionState)
    gradio, gradio_bytes = kept(eager)
    assert gradio_bytes > 300_000 and lean_bytes < gradio_bytes / 20
    assert list(lean.components) == list(gradio.components)


def test_a_changed_gradio_is_left_alone(monkeypatch):
    """If SessionState no longer has what the change relies on, nothing is changed (and it says so)."""
    class Other:
        def __init__(self, blocks):
            self.config_values = {}

    monkeypatch.setattr("gradio.state_holder.SessionState", Other)
    assert sessions.lean_sessions() is False
    assert not getattr(Other, "_lean", False)
