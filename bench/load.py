"""Load test: a class of 50 on 2 cores, simulated by --users busy gradio_client users (no think time).

    python -m bench.load                        # starts `python app.py --offline`, writes bench/load-results.md
    python -m bench.load --endpoints /distillation_soften,/distillation_train --users 8 --seconds 30
    python -m bench.load --url http://127.0.0.1:7860   # an app that is already running (no memory or CPU figures)
    python -m bench.load --class                # a class on all six tabs with think time (bench/load_class.py)

Each user has its own Client and thread and loops for --seconds: pick an endpoint by weight, call it, record
the answer. The first half of the users send the inputs the page shows by default (identical for all of them),
the other half varied inputs inside the controls' ranges from a per-user seeded RNG, so a run can be repeated.

Varied inputs (see SCENARIOS): sliders uniform over their steps; 1 varied soften call in 4 uses a drawing and
3 in 10 zoom; drawings are a digit 0-9 in the default font at a random size, place and tilt. Training is what
a class would try: epochs on a triangle over 1..60 peaking at the default 30, and 61..100 one time in 7;
transfer set one of the values worth trying (1, 2, 5, 10, 20, 50, 100 %) 60% of the time, else any 1..100; no
held-out class 70% of the time; seeds 1-5 weighted 35/25/25/10/5. On average that costs about what the
defaults cost (~85 vs 90 seed-epochs).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw, ImageFont

from bench.common import ROOT, git_state, machine, near_a_browser, start_app, stop_app, tree_usage


@dataclass(frozen=True)
class Scenario:
    kind: str  # "heavy" (long, e.g. training) or "light" (answers in well under a second on an idle server)
    weight: float  # relative share of each user's calls
    default: Callable[[Inputs], tuple]  # the inputs the page shows as loaded
    varied: Callable[[Inputs], tuple]  # random inputs within the UI controls' ranges


# The API under test. Edit here when an endpoint or its signature changes; `u` is the calling user's Inputs.
# Weights: per minute a student drags the T slider or changes the digit ~10 times, draws ~3 strokes, picks
# from the gallery ~2 times, presses "Train" about once and the paper's preset now and then; every page
# load asks for the precomputed figures.
SCENARIOS: dict[str, Scenario] = {
    "/distillation_soften": Scenario(
        "light", 10,
        default=lambda u: (1, None, False, 4.0, False),  # test digit #1 (the gallery's handwritten 7), T = 4
        varied=lambda u: (u.int(0, 1318),  # any of the 1319 test digits
                          *((u.drawing(), True) if u.chance(0.25) else (None, False)), u.slider(0.5, 20, 0.1),
                          u.chance(0.3))),  # zoom
    "/distillation_draw": Scenario(
        "light", 3,
        default=lambda u: (1, u.drawing(default=True), 4.0, False),
        varied=lambda u: (u.int(0, 1318), u.drawing(), u.slider(0.5, 20, 0.1), u.chance(0.3))),
    "/distillation_pick": Scenario(
        "light", 2,
        default=lambda u: (7,),  # the gallery's handwritten 7
        varied=lambda u: (u.int(0, 19),)),
    "/distillation_preset": Scenario("light", 0.5, default=lambda u: (), varied=lambda u: ()),
    "/distillation_figures": Scenario("light", 0.5, default=lambda u: (), varied=lambda u: ()),
    "/distillation_train": Scenario(
        "heavy", 1,
        default=lambda u: (4.0, 0.9, 30, 1, "none", 3),  # T, alpha, epochs, transfer %, held-out class, seeds
        varied=lambda u: (u.slider(0.5, 20, 0.1), u.slider(0, 1, 0.05), class_epochs(u), class_fraction(u),
                          u.pick({"none": 70, **{str(d): 3 for d in range(10)}}),
                          u.pick({1: 35, 2: 25, 3: 25, 4: 10, 5: 5}))),
    "/saliency_predict": Scenario(
        "light", 2,
        default=lambda u: (u.photo("chelsea.png"), None, False, "efficientnet-lite0"),
        varied=lambda u: (u.photo(), None, False, "efficientnet-lite0")),
    "/saliency_explain": Scenario(
        "heavy", 1,  # the default methods (Saliency, SmoothGrad, Grad-CAM) at the default settings
        default=lambda u: (u.photo("chelsea.png"), None, False, "efficientnet-lite0", None,
                           ["saliency", "smoothgrad", "gradcam"], 15, 25, 32, "black", 14, 7, 0.6),
        varied=lambda u: (u.photo(), None, False, "efficientnet-lite0", None,
                          ["saliency", "smoothgrad", "gradcam"], u.pick({10: 1, 15: 2, 20: 1}), 25, 32, "black",
                          14, 7, u.slider(0, 1, 0.05))),
    "/audio_attack_transcribe": Scenario(
        "light", 2,
        default=lambda u: (u.clip("open_the_door.wav"), "whisper-tiny.en"),
        varied=lambda u: (u.clip(), u.pick({"whisper-tiny.en": 1, "speech-ctc": 1}))),
    "/audio_attack_run": Scenario(
        "heavy", 1,  # the page's default: targeted PGD toward "open the window" at -30 dB on Whisper tiny.en
        default=lambda u: (u.clip("open_the_door.wav"), "whisper-tiny.en", "targeted", -30, 100, "open the window",
                           False),  # "Run all steps" off: stops once the goal is reached
        varied=lambda u: (u.clip(), "speech-ctc", u.pick({"fgsm": 1, "pgd": 1, "targeted": 2}), u.int(-50, -25), 20,
                          u.pick({"open the window": 1, "go right": 1, "turn off the light": 1}), False)),
    "/gan_sample": Scenario(
        "light", 6,  # the page's default grid, then seeds, digits, sizes and ψ as a class tries them
        default=lambda u: (2024, 40, "random", 1.0),
        varied=lambda u: (u.int(0, 2**32 - 1), u.int(1, 64), u.pick({"random": 5, **{str(d): 1 for d in range(10)}}),
                          u.slider(0, 2, 0.05))),
    "/gan_interpolate": Scenario(
        "light", 2,
        default=lambda u: (2024, 7, 10, "random", 1.0, "slerp"),
        varied=lambda u: (u.int(0, 10_000), u.int(0, 10_000), u.int(2, 32), u.pick({"random": 2, "3": 1, "8": 1}),
                          u.slider(0, 2, 0.05), u.pick({"lerp": 1, "slerp": 1}))),
    "/gan_vary": Scenario(
        "light", 3,
        default=lambda u: (2024, 40, "random", 1.0, 0, 0.0),
        varied=lambda u: (u.int(0, 10_000), u.int(1, 64), "random", 1.0, u.int(0, 63), u.slider(-4, 4, 0.1))),
    "/gan_timeline": Scenario("light", 1, default=lambda u: (5,), varied=lambda u: (u.int(0, 5),)),
    "/gan_play": Scenario(
        "heavy", 1,  # the playground's own lane: each student's GAN, 200 steps a click
        default=lambda u: ("gaussians", "gan", "0.001", "0.001", 1, 200, 0),
        varied=lambda u: (u.pick({"gaussians": 2, "ring": 1, "moons": 1, "line": 1}),
                          u.pick({"gan": 2, "wgan_clip": 1, "wgan_gp": 1}), "0.001", "0.001", u.int(1, 5),
                          u.pick({100: 1, 200: 2, 500: 1}), u.int(0, 9))),
}
CACHE_MARKS = ("cached", "快取")  # what a heavy answer served from a cache says in its timing label
# The handler's own time from its timing label: "cpu · 42 ms", "cpu · 1.3 s" (毫秒 / 秒 in Chinese).
TIMING_LABEL = re.compile(r"·\s*(\d[\d,]*(?:\.\d+)?)\s*(ms|毫秒|s|秒)(?![A-Za-z])")


def class_epochs(u: Inputs) -> int:
    return u.int(61, 100) if u.chance(1 / 7) else round(u.rng.triangular(1, 60, 30))


def class_fraction(u: Inputs) -> int:
    return u.pick({p: 1 for p in (1, 2, 5, 10, 20, 50, 100)}) if u.chance(0.6) else u.int(1, 100)


DEFAULT_OUT = ROOT / "bench" / "load-results.md"


class Inputs:
    """What one simulated user sets, picks and draws; everything random comes from its own seeded RNG."""

    def __init__(self, rng: random.Random, folder: Path, name: str):
        self.rng = rng
        self.folder = folder
        self.name = name

    def int(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def slider(self, low: float, high: float, step: float) -> float:
        return round(low + step * self.rng.randint(0, round((high - low) / step)), 6)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, weights: dict) -> Any:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def photo(self, name: str | None = None) -> dict:
        """One of the saliency tab's example photos (a class uploads the same few)."""
        name = name or self.rng.choice(sorted(p.name for p in (ROOT / "assets" / "examples").glob("*.[pj][np]g")))
        return handle_file(str(ROOT / "assets" / "examples" / name))

    def clip(self, name: str | None = None) -> dict:
        """One of the adversarial audio tab's example clips."""
        name = name or self.rng.choice(sorted(p.name for p in (ROOT / "assets" / "examples" / "audio").glob("*.wav")))
        return handle_file(str(ROOT / "assets" / "examples" / "audio" / name))

    def drawing(self, default: bool = False) -> dict:
        """A sketchpad value: the default is a thick '1' (the API tests' stroke), shared by every user."""
        if default:
            path = self.folder / "default-one.png"
        else:
            path = self.folder / f"{self.name}.png"  # rewritten per call: a user waits for each answer
            draw_digit(self.rng, path)
        return {"background": handle_file(str(path)), "layers": [], "composite": handle_file(str(path)), "id": None}


def draw_one(path: Path) -> None:
    paper = np.full((280, 280), 255, np.uint8)
    paper[40:240, 125:155] = 0
    Image.fromarray(paper).save(path)


def draw_digit(rng: random.Random, path: Path) -> None:
    paper = Image.new("L", (280, 280), 255)
    font = ImageFont.load_default(size=rng.randint(140, 220))
    centre = (140 + rng.randint(-30, 30), 140 + rng.randint(-30, 30))
    ImageDraw.Draw(paper).text(centre, str(rng.randint(0, 9)), font=font, fill=0, anchor="mm",
                               stroke_width=rng.randint(4, 10), stroke_fill=0)
    paper.rotate(rng.uniform(-15, 15), fillcolor=255).save(path)


# ------------------------------------------------------------------ the app under test

@dataclass
class Record:
    endpoint: str
    user: int
    inputs: str  # "default" or "varied"
    start: float  # seconds since the load began
    end: float  # when the answer came, or when the client gave up
    args: list = field(default_factory=list)
    error: str | None = None
    cached: bool = False
    handler_s: float | None = None  # from the answer's timing label: time spent in the handler, not queueing


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent on anything but idling, summed over its cores."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user..steal; guest time is already in user


#: Set (to anything) for the students to use gradio_client as it comes (``--stock-client``), as before 2026-12-07.
STOCK_CLIENT = "BENCH_STOCK_CLIENT"


def make_client(url: str, timeout: float, downloads: Path) -> Client:
    """A simulated student's gradio_client, as near a browser as it goes (``bench.common.near_a_browser``: it hears
    each message when it arrives and loads no certificate bundle for http); with $BENCH_STOCK_CLIENT set, gradio_client
    as it comes."""
    options = {} if os.environ.get(STOCK_CLIENT) else near_a_browser(url)
    # gradio_client's own HTTP timeout is 5 s: a busy server would look broken where a browser just waits.
    return Client(url, verbose=False, analytics_enabled=False, download_files=str(downloads),
                  httpx_kwargs={"timeout": httpx.Timeout(timeout)}, **options)


def warm_up(url: str, endpoints: list[str], inputs: Inputs, timeout: float, downloads: Path) -> list[str]:
    """One call of each endpoint with the default inputs, so loading models is not part of the load.
    Returns warnings for endpoints that answered with an error."""
    client = make_client(url, timeout, downloads)
    warnings = []
    try:
        for name in endpoints:
            for attempt in range(3):
                try:
                    client.predict(*SCENARIOS[name].default(inputs), api_name=name)
                    break
                except AppError as exc:  # the server answered: warm, but worth telling
                    warnings.append(f"{name} answers the default inputs with an error: {short(str(exc))}")
                    break
                except Exception as exc:
                    if attempt == 2:
                        raise RuntimeError(f"warm-up call of {name} failed: {type(exc).__name__}: {exc}") from exc
                    time.sleep(2)
    finally:
        client.close()
    return warnings


# ------------------------------------------------------------------ the users

def texts(outputs: Any):
    """Every string in an answer but data URLs and downloaded file paths: labels, notes, table cells."""
    if isinstance(outputs, str):
        if not outputs.startswith(("data:", "/")):
            yield outputs
    elif isinstance(outputs, dict):
        for value in outputs.values():
            yield from texts(value)
    elif isinstance(outputs, (list, tuple)):
        for value in outputs:
            yield from texts(value)


def handler_seconds(outputs: Any) -> float | None:
    """The time the answer's timing label reports, e.g. 'cpu · 42 ms' -> 0.042."""
    for text in texts(outputs):
        match = TIMING_LABEL.search(text) if len(text) <= 60 else None
        if match:
            value = float(match.group(1).replace(",", ""))
            return value / 1000 if match.group(2) in ("ms", "毫秒") else value
    return None


def short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def run_user(user: int, client: Client, inputs: Inputs, kind: str, endpoints: list[str], t0: float, seconds: float,
             timeout: float, records: list[Record]) -> None:
    weights = [SCENARIOS[name].weight for name in endpoints]
    while time.perf_counter() - t0 < seconds:
        name = inputs.rng.choices(endpoints, weights)[0]
        scenario = SCENARIOS[name]
        args = scenario.default(inputs) if kind == "default" else scenario.varied(inputs)
        start = time.perf_counter()
        job = None
        record = Record(name, user, kind, start - t0, 0.0, list(args))
        try:
            job = client.submit(*args, api_name=name)
            outputs = job.result(timeout=timeout)
            record.cached = scenario.kind == "heavy" and any(mark in text for text in texts(outputs)
                                                             for mark in CACHE_MARKS)
            record.handler_s = handler_seconds(outputs)
        except Exception as exc:
            if isinstance(exc, TimeoutError) and job is not None and not job.done():
                record.error = f"no answer within {timeout:g} s (client gave up)"
                job.cancel()
            else:
                record.error = short(str(exc) if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}")
        record.end = time.perf_counter() - t0
        records.append(record)  # list.append is atomic; the main thread only counts until the users are done


# ------------------------------------------------------------------ the report

def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile; with infinities (a call that never answered) the nearest rank above, never NaN."""
    if not values:
        return None
    return float(np.percentile(values, q, method="higher" if np.isinf(values).any() else "linear"))


def seconds_text(value: float | None) -> str:
    return "–" if value is None else "never" if np.isinf(value) else f"{value:.2f}"


def summarize(records: list[Record], endpoints: list[str]) -> dict:
    """Latencies are of successful calls; a call in flight is the client's view: from submit to answer."""
    per_endpoint = {}
    for name in endpoints:
        mine = [r for r in records if r.endpoint == name]
        ok = [r.end - r.start for r in mine if r.error is None]
        by_inputs = {kind: [r.end - r.start for r in mine if r.error is None and r.inputs == kind]
                     for kind in ("default", "varied")}
        per_endpoint[name] = {
            "kind": SCENARIOS[name].kind, "weight": SCENARIOS[name].weight, "requests": len(mine),
            "failures": len(mine) - len(ok), "p50": percentile(ok, 50), "p95": percentile(ok, 95),
            "max": max(ok, default=None), "p50_default": percentile(by_inputs["default"], 50),
            "p50_varied": percentile(by_inputs["varied"], 50),
            "handler_p50": percentile([r.handler_s for r in mine if r.error is None and r.handler_s is not None], 50),
            "first_errors": list(dict.fromkeys(r.error for r in mine if r.error))[:3],
        }
    heavy = [(r.start, r.end) for r in records if SCENARIOS[r.endpoint].kind == "heavy"]
    light_during, light_alone = [], []
    for r in records:
        if SCENARIOS[r.endpoint].kind == "light" and r.error is None:
            during = any(start < r.end and r.start < end for start, end in heavy)
            (light_during if during else light_alone).append(r.end - r.start)
    heavy_ok = [r for r in records if SCENARIOS[r.endpoint].kind == "heavy" and r.error is None]
    elapsed = max((r.end for r in records), default=0.0)
    failures = sum(r.error is not None for r in records)
    return {
        "endpoints": per_endpoint,
        "light_while_heavy": {"requests": len(light_during), "p50": percentile(light_during, 50),
                              "p95": percentile(light_during, 95)},
        "light_without_heavy": {"requests": len(light_alone), "p50": percentile(light_alone, 50),
                                "p95": percentile(light_alone, 95)},
        "heavy_ok": len(heavy_ok), "heavy_cached": sum(r.cached for r in heavy_ok),
        "heavy_cached_default": sum(r.cached for r in heavy_ok if r.inputs == "default"),
        "requests": len(records), "failures": failures, "elapsed": elapsed,
        "requests_per_s": len(records) / elapsed if elapsed else 0.0,
        "ok_per_s": (len(records) - failures) / elapsed if elapsed else 0.0,
    }


def render(settings: dict, summary: dict, server: dict | None, warnings: list[str]) -> str:
    lines = [
        "# Load test: a class on 2 cores", "",
        f"Machine: {settings['machine']}.",
        f"Run: {settings['when']} with `{settings['command']}`; the users run on the same machine as the app.", "",
        "## Settings", "",
        f"- app: {settings['app']}",
        f"- users: {settings['users']} ({settings['default_users']} send the default inputs, "
        f"{settings['users'] - settings['default_users']} varied ones; seed {settings['seed']}), each calling "
        f"back to back for {settings['seconds']:g} s; a call still unanswered after {settings['timeout']:g} s "
        "counts as a failure",
        "- endpoints (class, weight): " + ", ".join(
            f"`{name}` ({row['kind']}, {row['weight']:g})" for name, row in summary["endpoints"].items()),
        *(f"- warm-up: {warning}" for warning in warnings), "",
        "## Latency per endpoint", "",
        "Seconds from submit to answer, successful calls only (queueing included); the last column is the "
        "handler's own time from the answer's timing label.", "",
        "| endpoint | class | requests | failures | p50 | p95 | max | p50 default inputs | p50 varied inputs "
        "| p50 in the handler |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in summary["endpoints"].items():
        lines.append(f"| `{name}` | {row['kind']} | {row['requests']} | {row['failures']} | "
                     + " | ".join(seconds_text(row[key])
                                 for key in ("p50", "p95", "max", "p50_default", "p50_varied", "handler_p50"))
                     + " |")
    during, alone = summary["light_while_heavy"], summary["light_without_heavy"]
    lines += [
        "", "## Light actions while heavy ones run", "",
        "Successful light calls that overlapped in time with at least one heavy call in flight (submitted, not yet "
        "answered), and the rest.", "",
        "| light calls | requests | p50 | p95 |", "| --- | ---: | ---: | ---: |",
        f"| while a heavy call is in flight | {during['requests']} | {seconds_text(during['p50'])} | "
        f"{seconds_text(during['p95'])} |",
        f"| with no heavy call in flight | {alone['requests']} | {seconds_text(alone['p50'])} | "
        f"{seconds_text(alone['p95'])} |",
        "", "## Heavy calls answered from a cache", "",
        f"{summary['heavy_cached']} of {summary['heavy_ok']} successful heavy calls said "
        f"{' / '.join(repr(mark) for mark in CACHE_MARKS)} in an output ({summary['heavy_cached_default']} of them "
        "with the default inputs).",
        "", "## Failures", "",
    ]
    failing = {name: row for name, row in summary["endpoints"].items() if row["failures"]}
    if not failing:
        lines.append("None.")
    else:
        lines += ["| endpoint | failures | first messages |", "| --- | ---: | --- |"]
        for name, row in failing.items():
            messages = "<br>".join(message.replace("|", "\\|") for message in row["first_errors"])
            lines.append(f"| `{name}` | {row['failures']} | {messages} |")
    lines += ["", "## Server memory and CPU", ""]
    if server is None:
        lines.append("Not measured (`--url`: the app is not a child of this script).")
    else:
        lines.append(f"RSS of the app and its child processes: {server['rss_start_mb']:.0f} MB when the load began "
                     f"(after warm-up), {server['rss_end_mb']:.0f} MB at its end, growth "
                     f"{server['rss_growth_percent']:+.1f}%; peak {server['rss_peak_mb']:.0f} MB.")
        lines.append(f"\nCPU time during the load: the app {server['app_cpu_s']:.0f} s, this load generator "
                     f"{server['generator_cpu_s']:.0f} s, everything else on the machine "
                     f"{server['other_cpu_s']:.0f} s, out of {server['cpu_available_s']:.0f} s "
                     f"({os.cpu_count()} cores x {server['load_s']:.0f} s).")
        if server["other_cpu_s"] > 0.05 * server["cpu_available_s"]:
            lines.append("\n**The machine was not quiet: other processes took more than 5% of its CPU; the "
                         "figures above are pessimistic.**")
        if server.get("exit_code") is not None:
            lines.append(f"\n**The app exited during the load (code {server['exit_code']}).**")
    lines += [
        "", "## Throughput", "",
        f"{summary['requests']} calls answered or given up in {summary['elapsed']:.1f} s (from the first call to the "
        f"last answer, the wait for calls still in flight at {settings['seconds']:g} s included): "
        f"{summary['requests_per_s']:.2f} requests/s, {summary['ok_per_s']:.2f} successful/s.", "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ main

def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, help="concurrent simulated users (default 16; 50 with --class)")
    parser.add_argument("--seconds", type=float,
                        help="how long users keep starting calls (default 60; 120 with --class)")
    parser.add_argument("--endpoints", default=",".join(SCENARIOS),
                        help="comma-separated api_names to exercise (default: all of " + ", ".join(SCENARIOS) + ")")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="where to run `python app.py` (default: this repo)")
    parser.add_argument("--url", help="use an app already running at this URL instead of starting one")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a user waits for one answer before giving up (default 120)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the users' RNGs (default 0)")
    parser.add_argument("--out", type=Path,
                        help="Markdown report; a .json with every call is written next to it (default "
                             "bench/load-results.md, with --class bench/load-class.md)")
    parser.add_argument("--class", dest="class_scenario", action="store_true",
                        help="the class scenario instead: students on every endpoint of the six tabs, 3-10 s "
                             "between clicks, 15%% heavy (default 50 users for 120 s; see bench/load_class.py)")
    parser.add_argument("--smoke", action="store_true",
                        help="label the --class report a smoke run on a busy machine, not a measurement")
    parser.add_argument("--server-log", type=Path, help="keep the app's output in this file")
    parser.add_argument("--rounds", type=int, default=1,
                        help="--class: run the class this many times on the same app and sessions, each for "
                             "--seconds, and read the app's RSS at rest after each round (default 1)")
    parser.add_argument("--rest-seconds", type=float, default=0,
                        help="--rounds: make each rest this long and follow the app's RSS through it every 5 s (the "
                             "RSS at rest stays the reading 10 s after the last answer); default: 10 s")
    parser.add_argument("--client-nice", type=int, default=0,
                        help="run the simulated users at this nice value, the app at its own (default 0): on a "
                             "Space the students' browsers are elsewhere, not on the app's 2 cores")
    parser.add_argument("--probe", action="store_true",
                        help="--class: one more student in a process of its own, at the usual priority, clicking "
                             "only light actions (what a student on their own device waits; group 'probe')")
    parser.add_argument("--client-processes", type=int, default=1,
                        help="--class: spread the students over this many processes (default 1: one process and "
                             "its GIL for all of them; on a Space each student is on a device of their own)")
    parser.add_argument("--after-warm-up", action="store_true",
                        help="--class: the class arrives once the app's own warm-up has ended (its log says so), as "
                             "in a lecture where the teacher opened the app before; with --url, --server-log names "
                             "that app's log; default: at once")
    parser.add_argument("--server-clock", action="store_true",
                        help="--class: start the app with Gradio's profiling on (GRADIO_PROFILING=1) and report, "
                             "per action, the server's own time from a call joining its queue to its answer, and "
                             "where that time went (the students' side left out; the traces add a few MB to RSS); "
                             "with --url, start that app with GRADIO_PROFILING=1")
    parser.add_argument("--stock-client", action="store_true",
                        help="the students use gradio_client as it comes (it looks for messages every 50 ms and "
                             "loads a certificate bundle per request, on the app's cores); default: as near a "
                             "browser as it goes (see make_client)")
    args = parser.parse_args(argv)
    args.users = args.users or (50 if args.class_scenario else 16)
    args.seconds = args.seconds or (120 if args.class_scenario else 60)
    args.endpoints = ["/" + name.strip().lstrip("/") for name in args.endpoints.split(",") if name.strip()]
    unknown = [name for name in args.endpoints if name not in SCENARIOS]
    if unknown or not args.endpoints:
        parser.error(f"unknown endpoints {unknown}; known: {', '.join(SCENARIOS)}")
    if args.after_warm_up and args.url and not args.server_log:
        parser.error("--after-warm-up with --url: name the app's log with --server-log (the class waits until it "
                     "says the warm-up has ended)")
    if args.client_processes < 1 or args.client_processes > args.users:
        parser.error("--client-processes must be between 1 and --users")
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")
    return args


def run_load(url: str, proc: subprocess.Popen | None, args: argparse.Namespace, scratch: Path,
             downloads: Path) -> tuple[list[Record], dict | None]:
    """The users, all at once, until each has finished its last call; the app's RSS and CPU around them."""
    users = []
    for user in range(args.users):
        kind = "default" if user < args.users // 2 else "varied"
        inputs = Inputs(random.Random(f"{args.seed}:{user}"), scratch, f"user{user}")
        users.append((user, make_client(url, args.timeout, downloads), inputs, kind))
    records: list[Record] = []
    server = None
    if proc is not None:
        rss, cpu = tree_usage(proc.pid)
        server = {"rss_start_mb": rss, "rss_peak_mb": rss, "app_cpu_s": -cpu}
    generator_cpu, machine_busy = own_cpu_seconds(), machine_busy_seconds()
    print(f"{args.users} users for {args.seconds:g} s ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=run_user, name=f"user{user}", daemon=True,
                                args=(user, client, inputs, kind, args.endpoints, t0, args.seconds, args.timeout,
                                      records))
               for user, client, inputs, kind in users]
    try:
        for thread in threads:
            thread.start()
        next_report = 10.0
        while any(thread.is_alive() for thread in threads):
            time.sleep(1)
            if server is not None:
                server["rss_peak_mb"] = max(server["rss_peak_mb"], tree_usage(proc.pid)[0])
            if time.perf_counter() - t0 >= next_report:
                failed = sum(r.error is not None for r in records)
                print(f"  {next_report:4.0f} s: {len(records)} calls, {failed} failed", file=sys.stderr, flush=True)
                next_report += 10
    finally:
        for _, client, _, _ in users:
            client.close()
    if server is not None:
        rss, cpu = tree_usage(proc.pid)
        load_s = time.perf_counter() - t0
        server.update(rss_end_mb=rss, rss_peak_mb=max(server["rss_peak_mb"], rss),
                      rss_growth_percent=100 * (rss / server["rss_start_mb"] - 1), app_cpu_s=server["app_cpu_s"] + cpu,
                      generator_cpu_s=own_cpu_seconds() - generator_cpu, load_s=load_s,
                      cpu_available_s=(os.cpu_count() or 1) * load_s, exit_code=proc.poll())
        others = machine_busy_seconds() - machine_busy - server["app_cpu_s"] - server["generator_cpu_s"]
        server["other_cpu_s"] = max(others, 0.0)  # the three clocks tick separately: a quiet machine can go below 0
    records.sort(key=lambda r: r.start)
    return records, server


@contextlib.contextmanager
def load_setting(args: argparse.Namespace, prefix: str):
    """What a load run needs: a scratch folder (with a drawn 1), a downloads folder, and the app: the one at
    ``--url`` or ``python app.py --offline`` started in ``--app-dir`` (stopped after). Yields (url, process or
    None, scratch, downloads)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        scratch = Path(folder)
        downloads = scratch / "downloads"
        downloads.mkdir()
        draw_one(scratch / "default-one.png")
        if args.url:
            if getattr(args, "after_warm_up", False):  # the app at --url writes its own log: --server-log names it
                wait_for_warm_up(args.server_log)
            yield args.url.rstrip("/"), None, scratch, downloads
            return
        print(f"starting the app in {args.app_dir} ...", file=sys.stderr, flush=True)
        proc, url, _ = start_app(args.app_dir.resolve(), args.server_log or scratch / "app.log",
                                 env={"GRADIO_PROFILING": "1"} if getattr(args, "server_clock", False) else None)
        if args.client_nice:  # this process (the users) only: the app was started at the bench's own
            os.nice(args.client_nice)
        try:
            if getattr(args, "after_warm_up", False):
                wait_for_warm_up(args.server_log or scratch / "app.log")
            print(f"warming up {url} ...", file=sys.stderr, flush=True)
            yield url, proc, scratch, downloads
        finally:
            stop_app(proc)


def wait_for_warm_up(log_path: Path, limit: float = 900) -> float:
    """Seconds waited until the app's log says its background warm-up has ended (app.WARM_UP_DONE)."""
    from app import WARM_UP_DONE

    print("waiting for the app's own warm-up to end ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if WARM_UP_DONE in log_path.read_text(encoding="utf-8", errors="replace"):
            return time.perf_counter() - start
        time.sleep(2)
    raise RuntimeError(f"the app's warm-up did not end within {limit:.0f} s ({log_path})")


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    if args.stock_client:
        os.environ[STOCK_CLIENT] = "1"  # the students' processes (--client-processes, --probe) inherit it
    command = " ".join(["python -m bench.load", shlex.join(argv if argv is not None else sys.argv[1:])]).strip()
    if args.class_scenario:
        from bench import load_class
        return load_class.main(args, command)
    args.out = args.out or DEFAULT_OUT
    app_dir = args.app_dir.resolve()
    with load_setting(args, "bench-load-") as (url, proc, scratch, downloads):
        warnings = warm_up(url, args.endpoints, Inputs(random.Random(0), scratch, "warm-up"), args.timeout,
                           downloads)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        records, server = run_load(url, proc, args, scratch, downloads)

    summary = summarize(records, args.endpoints)
    settings = {
        "machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M"),
        "command": command,
        "app": f"`{args.url}` (already running)" if args.url else
               f"`python app.py --offline` in `{app_dir}` (git {git_state(app_dir)})",
        "users": args.users, "default_users": args.users // 2, "seed": args.seed, "seconds": args.seconds,
        "timeout": args.timeout, "endpoints": args.endpoints,
    }
    report = render(settings, summary, server, warnings)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    dump = {"settings": settings, "warnings": warnings, "summary": summary, "server": server,
            "calls": [asdict(r) for r in records]}
    text = json.dumps(dump, ensure_ascii=False, indent=1, default=str)
    args.out.with_suffix(".json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
