"""The GAN tab's speed goals, on this machine (2 CPU cores), in one run:

* sampling 64 digits and a 16-frame interpolation: the tab's handler vs the raw generator forward on the same
  latents, ratio ≤ 1.25x, end to end (through gradio_client) ≤ 0.5 s;
* the quality meter on 64 samples (the classifier and the histogram);
* 200 playground steps ≤ 2 s (each loss, its default D steps), in-process and end to end.

    python -m bench.gan          # writes bench/gan-results.md
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
RESULTS = ROOT / "bench" / "gan-results.md"


def main() -> None:
    import torch
    from gradio_client import Client

    from bench.common import machine, start_app, stop_app, timed
    from core import models
    from core.device import configure_process
    from demos.gan import logic
    from demos.gan import ui as tab

    models.set_offline(True)
    configure_process()
    model, judge = tab.generator_model(), tab.judge_model()
    z = logic.latents(7, 64, model.z_dim)
    c = logic.one_hot(logic.classes(7, 64, None))
    walk_z = logic.slerp(z[0], z[1], torch.linspace(0, 1, 16))
    walk_c = logic.lerp(c[0], c[1], torch.linspace(0, 1, 16))

    def raw(z, c):
        with torch.inference_mode():
            model(z, c)

    images, labels = logic.sample(model, 7, 64, None, 1.0)
    rows = [  # (action, the science's call, the raw forward, the whole handler)
        ("64 samples", timed(lambda: logic.sample(model, 7, 64, None, 1.0), 30), timed(lambda: raw(z, c), 30),
         timed(lambda: tab.sample(7, 64, "random", 1.0), 30)),
        ("16-frame interpolation", timed(lambda: logic.interpolate(model, 7, 8, 16, None, 1.0, True), 30),
         timed(lambda: raw(walk_z, walk_c), 30), timed(lambda: tab.interpolate(7, 8, 16, "random", 1.0, "slerp"), 20)),
    ]
    meter_ms = timed(lambda: logic.meter(judge, images, labels), 30)
    play_rows = []
    for loss, d_steps in (("gan", 1), ("wgan_clip", 5), ("wgan_gp", 5), ("wgan_gp", 1)):
        config = logic.PlayConfig("gaussians", loss, 1e-3, 1e-3, d_steps, seed=0)
        game = logic.new_playground(config)
        train = timed(lambda game=game: logic.train_steps(game, 200), 3, warmup=1)
        picture = timed(lambda game=game: tab.board(game, "en"), 5, warmup=1)
        play_rows.append((loss, d_steps, train, picture))

    server, url, _ = start_app()
    time.sleep(20)  # the warm-up (models, presets) shares the 2 cores
    client = Client(url, verbose=False, download_files=False)  # the answer; the browser fetches pictures in parallel
    seeds = iter(range(1000, 2000))

    def end_to_end(fn, repeat=7):
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return sorted(samples)[len(samples) // 2]

    e2e_sample = end_to_end(lambda: client.predict(next(seeds), 64, "random", 1.0, api_name="/gan_sample"))
    e2e_walk = end_to_end(lambda: client.predict(next(seeds), 3, 16, "random", 1.0, "slerp",
                                                 api_name="/gan_interpolate"))
    e2e_play = end_to_end(lambda: client.predict("gaussians", "gan", "0.001", "0.001", 1, 200, next(seeds),
                                                 api_name="/gan_play"), repeat=5)
    stop_app(server)

    lines = ["# GAN tab: speed", "", f"Machine: {machine()}.",
             f"Run: {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench.gan`; medians; one torch thread (the "
             "app's light lane).", "",
             "## The handler vs the raw generator forward (in-process, same run)", "",
             "| action | logic (latents, forward, uint8) | raw forward | ratio (goal ≤ 1.25x) | whole handler |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, logic_ms, raw_ms, handler_ms in rows:
        lines.append(f"| {name} | {logic_ms:.1f} ms | {raw_ms:.1f} ms | {logic_ms / raw_ms:.2f}x "
                     f"| {handler_ms:.1f} ms |")
    lines += ["", "The whole handler adds what the page shows: for the grid, the quality meter on 64 samples "
              f"(classifier + histogram + entropy: {meter_ms:.1f} ms) and the picture; for the walk, both paths, the "
              "GIF and the gallery.", "",
              "## End to end through gradio_client (app in its own process, a new seed each call; the answer with "
              "its picture URLs, pictures not downloaded)", "",
              "| action | median | goal |", "| --- | ---: | --- |",
              f"| `/gan_sample` 64 samples | {e2e_sample:.2f} s | ≤ 0.5 s |",
              f"| `/gan_interpolate` 16 frames | {e2e_walk:.2f} s | ≤ 0.5 s |",
              f"| `/gan_play` 200 steps (GAN, 1 D step), pictures streamed | {e2e_play:.2f} s | ≤ 2 s |", "",
              "## Playground: 200 generator steps (in-process)", "",
              "| loss | D steps per G step | 200 steps | one picture and its numbers | goal |",
              "| --- | ---: | ---: | ---: | --- |"]
    for loss, d_steps, train_ms, picture_ms in play_rows:
        lines.append(f"| {loss} | {d_steps} | {train_ms / 1000:.2f} s | {picture_ms:.0f} ms | ≤ 2 s |")
    lines.append("")
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
