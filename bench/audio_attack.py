"""The adversarial audio tab's speed goals, on this machine (2 CPU cores), in one run:

* one attack step (the tab's stream: loss, gradient, sign step, projection, what the model heard) vs the raw
  forward+backward of the same model on the same 3 s clip: ratio ≤ 1.25x;
* bundled CTC: one step ≤ 100 ms, PGD-20 ≤ 2 s end to end;
* Whisper tiny.en: one step ≤ 1 s, PGD-20 ≤ 20 s streamed, first update ≤ 2 s.

    python -m bench.audio_attack          # writes bench/audio_attack-results.md
    DEMO_HEAVY_THREADS=2 python -m bench.audio_attack   # attacks on both cores: ...-results-2threads.md
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
THREADS = os.environ.get("DEMO_HEAVY_THREADS", "")  # e.g. 2: a teacher alone may give attacks both cores
RESULTS = ROOT / "bench" / (f"audio_attack-results-{THREADS}threads.md" if THREADS else "audio_attack-results.md")
CLIPS = ROOT / "assets" / "examples" / "audio"
MODELS = {"speech-ctc": "bundled CTC", "whisper-tiny.en": "Whisper tiny.en (packaged)"}


def three_seconds():
    """Three example clips end to end, cut to exactly 3 s (16 kHz)."""
    import numpy as np
    import soundfile as sf

    parts = [sf.read(CLIPS / name, dtype="float32")[0] for name in
             ("open_the_door.wav", "turn_on_the_light.wav", "close_the_window.wav")]
    return np.concatenate(parts)[:48_000]


def main() -> None:
    import tempfile

    import soundfile as sf
    import torch
    from gradio_client import Client, handle_file

    from bench.common import machine, start_app, stop_app, timed
    from core import models
    from core.device import configure_process, heavy_thread_count, heavy_threads
    from demos.audio_attack import ui as tab
    from demos.audio_attack.model import RECOGNISER, recogniser

    models.set_offline(True)
    configure_process()
    samples = three_seconds()
    audio = torch.from_numpy(samples)
    clip = tab.Clip(audio, "bench")

    def step_and_raw(key: str) -> tuple[float, float]:
        listener = recogniser(RECOGNISER.get(key))
        clean = listener.transcribe(audio)
        objective = listener.objective(clean.text)
        plan = tab.Attack("pgd", -40.0, 1, None)

        def raw():  # the model's own forward+backward to the waveform, nothing else
            x = audio.clone().requires_grad_(True)
            value = objective(x)
            torch.autograd.grad(value[0] if isinstance(value, tuple) else value, x)

        def step():  # one step of the tab's stream (the same code the handler runs)
            tab._drain(tab._stream(listener, clip, plan, clean))

        repeat = 10 if key == "speech-ctc" else 5
        return timed(step, repeat), timed(raw, repeat)

    with heavy_threads():  # the heavy lane's threads, as the app runs attacks
        rows = [(name, *step_and_raw(key)) for key, name in MODELS.items()]

    path = Path(tempfile.mkdtemp()) / "three_seconds.wav"
    sf.write(path, samples, 16_000, subtype="PCM_16")
    server, url, _ = start_app()
    time.sleep(30)  # let the app's warm-up (the default model and attack) finish: it shares the 2 cores
    client = Client(url, verbose=False)
    budgets = iter(range(-59, -20))  # a new budget each call: never answered from the memo

    def pgd20(key):
        start = time.perf_counter()
        first = None
        job = client.submit(handle_file(str(path)), key, "pgd", next(budgets), 20, "", True,  # all 20 steps
                            api_name="/audio_attack_run")
        for update in job:
            if first is None and update[0].startswith("Step"):
                first = time.perf_counter() - start
        job.result()
        return first, time.perf_counter() - start

    ctc = [pgd20("speech-ctc") for _ in range(3)]
    whisper = [pgd20("whisper-tiny.en") for _ in range(2)]
    stop_app(server)

    def median(values):
        values = sorted(values)
        return values[len(values) // 2]

    lines = ["# Adversarial audio tab: speed", "", f"Machine: {machine()}.",
             f"Run: {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench.audio_attack`; medians; a 3.0 s clip "
             "(three example clips end to end).", "",
             f"## One attack step vs the raw forward+backward (in-process, same run, the heavy lane's "
             f"{heavy_thread_count()} thread(s))", "",
             "| model | one step (tab's stream) | raw forward+backward | ratio | goal |",
             "| --- | ---: | ---: | ---: | --- |"]
    goals = {"speech-ctc": "≤ 1.25x, ≤ 100 ms", "whisper-tiny.en": "≤ 1.25x, ≤ 1 s"}
    for (name, step_ms, raw_ms), key in zip(rows, MODELS):
        lines.append(f"| {name} | {step_ms:.0f} ms | {raw_ms:.0f} ms | {step_ms / raw_ms:.2f}x | {goals[key]} |")
    lines += ["", "## PGD-20 end to end through gradio_client (app in its own process, a new budget each call)", "",
              "| model | first streamed step | whole attack, result included | goal |", "| --- | ---: | ---: | --- |",
              f"| bundled CTC | {median([f for f, _ in ctc]):.2f} s | {median([w for _, w in ctc]):.2f} s | "
              "whole ≤ 2 s |",
              f"| Whisper tiny.en | {median([f for f, _ in whisper]):.2f} s | "
              f"{median([w for _, w in whisper]):.1f} s | first ≤ 2 s, whole ≤ 20 s |", ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
