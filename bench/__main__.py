"""Measure start-up, each action's handler against the raw model call (ratio, same run), end-to-end
latency through gradio_client next to a trivial event, and student-training throughput.

    python -m bench            # writes bench/results.md
"""
from __future__ import annotations

import os
import statistics
import sys
import time

from bench.common import ROOT, free_port, machine, start_app, stop_app, timed

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.md"
LOAD_BEFORE, LOAD_AFTER = ROOT / "bench" / "load-before.json", ROOT / "bench" / "load-results.json"


def start_to_ready(runs: int = 3) -> list[float]:
    """Seconds from `python app.py` to the page being served (a new process each time)."""
    seconds = []
    for _ in range(runs):
        proc, _, took = start_app()
        stop_app(proc)
        seconds.append(took)
    return seconds


def load_comparison() -> list[str]:
    """Before/after table of the class load test (bench/load.py): the app before issue 6's changes
    (bench/load-before.*) and the latest run (bench/load-results.*)."""
    if not (LOAD_BEFORE.is_file() and LOAD_AFTER.is_file()):
        return ["Run `python -m bench.load` to measure the app under a class's load."]
    import json

    before, after = (json.loads(path.read_text(encoding="utf-8")) for path in (LOAD_BEFORE, LOAD_AFTER))

    def cell(run: dict, name: str) -> str:
        row = run["summary"]["endpoints"].get(name)
        if row is None:
            return "–"
        return f"{row['p50']:.2f} / {row['p95']:.2f} s ({row['failures']} of {row['requests']} failed)"

    lines = [f"16 `gradio_client` users for 60 s, half with the default inputs, half varied "
             f"(`python -m bench.load`; full reports: `bench/load-before.md`, `bench/load-results.md`). "
             f"Before: {before['settings']['app']}; after: {after['settings']['app']}.", "",
             "| | before | after |", "| --- | --- | --- |"]
    names = list(dict.fromkeys([*after["summary"]["endpoints"], *before["summary"]["endpoints"]]))
    lines += [f"| `{name}` p50 / p95 | {cell(before, name)} | {cell(after, name)} |" for name in names]
    light = [run["summary"]["light_while_heavy"] for run in (before, after)]
    lines.append("| light calls while a heavy one runs, p95 (goal ≤ 1 s) | "
                 + " | ".join(f"{x['p95']:.2f} s ({x['requests']} calls)" for x in light) + " |")
    lines.append("| heavy calls answered from the memo | "
                 + " | ".join(f"{run['summary']['heavy_cached']} of {run['summary']['heavy_ok']}"
                              for run in (before, after)) + " |")
    lines.append("| failed calls (goal 0) | "
                 + " | ".join(str(run["summary"]["failures"]) for run in (before, after)) + " |")
    lines.append("| server RSS growth during the load (goal < 5%) | "
                 + " | ".join(f"{run['server']['rss_growth_percent']:+.1f}%" for run in (before, after)) + " |")
    lines.append("| calls answered per second | "
                 + " | ".join(f"{run['summary']['ok_per_s']:.1f}" for run in (before, after)) + " |")
    lines.append("| CPU seconds: app / load generator | "
                 + " | ".join(f"{run['server']['app_cpu_s']:.0f} / {run['server']['generator_cpu_s']:.0f}"
                              for run in (before, after)) + " |")
    return lines


def main() -> None:
    import gradio as gr
    import numpy as np
    import torch
    from gradio_client import Client, handle_file
    from PIL import Image

    from core import models
    from core.data.digits import TEST, load_split, normalize_digit, to_tensor
    from core.device import configure_process
    from demos.distillation import logic
    from demos.distillation import ui as distillation
    from demos.distillation.model import TEACHER

    models.set_offline(True)
    configure_process()  # as the app runs: one torch thread per request
    rows = []
    print("start-up ...", flush=True)
    ready = start_to_ready()

    # ---- in-process: handler vs the raw model call on the same input
    teacher = TEACHER.get().model
    data = distillation.transfer_data(TEACHER.get())
    image = load_split(TEST).images[5]
    x = to_tensor(image[None])

    def raw_teacher():
        with torch.inference_mode():
            teacher(x)

    raw_ms = timed(raw_teacher, 200)
    soften_ms = timed(lambda: distillation.soften(5, None, False, 4.0, False), 30)
    paper = np.full((280, 280), 255, np.uint8)
    paper[40:240, 125:155] = 0
    drawing = {"background": None, "layers": [], "composite": paper}
    raw_draw_ms = timed(lambda: (normalize_digit(paper), raw_teacher()), 50)
    draw_ms = timed(lambda: distillation.draw(5, drawing, 4.0, False), 30)
    rows.append(("distillation_soften", soften_ms, raw_ms, "teacher forward on the digit"))
    rows.append(("distillation_draw", draw_ms, raw_draw_ms, "normalise the drawing + teacher forward"))

    config = logic.StudentConfig()  # the UI's defaults: T 4, alpha 0.9, 30 epochs, 1%, 3 seeds
    raw_train_ms = timed(lambda: logic.train_students(data, config), 3, warmup=1)

    def train_handler():
        distillation.TRAINING.clear()  # the handler's own cost, not the memo's
        distillation.train(config.temperature, config.alpha, config.epochs, config.transfer_fraction * 100, "none",
                           config.seeds, progress=lambda *a, **k: None)

    train_ms = timed(train_handler, 3, warmup=0)
    rows.append(("distillation_train (defaults)", train_ms, raw_train_ms, "logic.train_students, same config"))
    cached_train_ms = timed(lambda: distillation.train(config.temperature, config.alpha, config.epochs,
                                                       config.transfer_fraction * 100, "none", config.seeds,
                                                       progress=lambda *a, **k: None), 10)
    samples = config.seeds * config.epochs * config.steps_per_epoch * config.batch_size * 2
    throughput = samples / (raw_train_ms / 1000)

    # ---- end to end through gradio_client, next to a trivial event
    # The app in its own process, as a user meets it; the trivial app here, for the queue's floor.
    server, url, _ = start_app()
    with gr.Blocks() as trivial:
        box = gr.Number()
        box.change(lambda v: v, box, box, api_name="echo")
    trivial.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    client = Client(url, verbose=False)
    echo = Client(trivial.local_url, verbose=False)
    path = ROOT / "bench" / "drawing.png"
    Image.fromarray(paper).save(path)
    payload = {"background": handle_file(str(path)), "layers": [], "composite": handle_file(str(path)), "id": None}
    floor_ms = timed(lambda: echo.predict(1, api_name="/echo"), 30)
    e2e_soften = timed(lambda: client.predict(5, None, False, 4.0, False, api_name="/distillation_soften"), 20)
    e2e_draw = timed(lambda: client.predict(5, payload, 4.0, False, api_name="/distillation_draw"), 20)
    fresh = iter(range(2, 100))  # epochs never asked before: each call trains
    e2e_train = timed(lambda: client.predict(4.0, 0.9, next(fresh), 1, "none", 3, api_name="/distillation_train"),
                      3, warmup=1)
    e2e_cached = timed(lambda: client.predict(4.0, 0.9, 30, 1, "none", 3, api_name="/distillation_train"), 5)
    path.unlink()
    stop_app(server)
    trivial.close()

    lines = [
        "# Benchmarks", "",
        f"Machine: {machine()}.", f"Run: {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench`; medians.", "",
        "## Start-up", "",
        f"`python app.py --offline` to the page being served: {', '.join(f'{s:.1f} s' for s in ready)} "
        f"(median {statistics.median(ready):.1f} s; goal ≤ 8 s).", "",
        "## Handler vs raw model call (in-process, same input, same run)", "",
        "| action | handler | raw model call | ratio | raw call is |", "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, handler_ms, raw, what in rows:
        lines.append(f"| {name} | {handler_ms:.1f} ms | {raw:.1f} ms | {handler_ms / raw:.2f}x | {what} |")
    lines += [
        "", "Goal: handler ≤ 1.25x the raw model call.", "",
        "## End to end through gradio_client", "",
        "| call | median |", "| --- | ---: |",
        f"| trivial event (echo a number; the queue's floor) | {floor_ms:.0f} ms |",
        f"| /distillation_soften | {e2e_soften:.0f} ms |",
        f"| /distillation_draw (uploads a 280x280 PNG) | {e2e_draw:.0f} ms |",
        f"| /distillation_train (new settings, 2-4 epochs: trains) | {e2e_train / 1000:.2f} s |",
        f"| /distillation_train (defaults, from the memo) | {e2e_cached:.0f} ms |",
        "", "## Student training", "",
        f"{throughput:,.0f} training samples/s (two students, batch {config.batch_size}); the default run "
        f"({config.seeds} seeds x {config.epochs} epochs x {config.steps_per_epoch} steps) takes "
        f"{raw_train_ms / 1000:.1f} s on one thread (goal ≤ 15 s); answered from the memo the handler takes "
        f"{cached_train_ms:.0f} ms (Gradio then renders its figure).", "",
        "## A class: load test", "", *load_comparison(), "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
