"""The saliency tab's speed goals, on this machine (2 CPU cores), in one run:

* SmoothGrad N = 25 on the packaged EfficientNet-Lite0 at 224²: the handler vs N batched
  forward+backward passes of the raw model (the same batches of 5), ratio ≤ 1.25x; end to end ≤ 3 s;
* Saliency alone end to end ≤ 0.5 s.

    python -m bench.saliency          # writes bench/saliency-results.md
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
RESULTS = ROOT / "bench" / "saliency-results.md"
PHOTO = ROOT / "assets" / "examples" / "chelsea.png"


def main() -> None:
    import numpy as np
    import torch
    from gradio_client import Client, handle_file
    from PIL import Image

    from bench.common import machine, start_app, stop_app, timed
    from core import models
    from core.device import configure_process, heavy_threads
    from demos.saliency import logic
    from demos.saliency import ui as saliency
    from demos.saliency.model import CLASSIFIER, input_spec

    models.set_offline(True)
    configure_process()
    bundle = CLASSIFIER.get("efficientnet-lite0")
    spec = input_spec(bundle)
    x = spec(logic.square_crop(np.asarray(Image.open(PHOTO).convert("RGB")), spec.size))
    target = int(logic.probabilities(bundle.model, x).argmax())
    settings = logic.Settings()  # N = 25 in batches of 5, σ 15%
    batches = [settings.batch] * (settings.samples // settings.batch)

    def raw_smoothgrad():  # N noisy copies, forward + backward to the input only, in the same batches
        for size in batches:
            noisy = (x.repeat(size, 1, 1, 1) + 0.1 * torch.randn(size, *x.shape[1:])).requires_grad_(True)
            torch.autograd.grad(bundle.model(noisy)[:, target].sum(), noisy)

    def raw_saliency():
        one = x.clone().requires_grad_(True)
        torch.autograd.grad(bundle.model(one)[0, target], one)

    def handler(methods):
        saliency.EXPLAINED.clear()  # the handler's own cost, not the memo's
        saliency.explain(str(PHOTO), None, False, "efficientnet-lite0", target, list(methods), 15, 25, 32, "black",
                         14, 7, 0.6, progress=lambda *a, **k: None)

    rows = []
    with heavy_threads():  # the heavy lane's threads, as the app runs SmoothGrad
        raw_sg = timed(raw_smoothgrad, 5)
        sg = timed(lambda: handler(["smoothgrad"]), 5)
        raw_sal = timed(raw_saliency, 10)
        sal = timed(lambda: handler(["saliency"]), 10)
    rows.append(("SmoothGrad N = 25 (explain, one method)", sg, raw_sg,
                 "25 noisy copies, forward+backward, batches of 5"))
    rows.append(("Saliency (explain, one method)", sal, raw_sal, "one forward+backward"))

    server, url, _ = start_app()
    client = Client(url, verbose=False)
    fresh = iter(range(10, 1000))  # a new class each call: never answered from the memo

    def e2e(methods):
        return client.predict(handle_file(str(PHOTO)), None, False, "efficientnet-lite0", next(fresh), list(methods),
                              15, 25, 32, "black", 14, 7, 0.6, api_name="/saliency_explain")

    e2e_sg = timed(lambda: e2e(["smoothgrad"]), 5)
    e2e_sal = timed(lambda: e2e(["saliency"]), 10)
    e2e_default = timed(lambda: e2e(["saliency", "smoothgrad", "gradcam"]), 5)
    e2e_cached = timed(lambda: client.predict(handle_file(str(PHOTO)), None, False, "efficientnet-lite0", target,
                                              ["saliency"], 15, 25, 32, "black", 14, 7, 0.6,
                                              api_name="/saliency_explain"), 10)
    e2e_predict = timed(lambda: client.predict(handle_file(str(PHOTO)), None, False, "efficientnet-lite0",
                                               api_name="/saliency_predict"), 10)
    sanity_s = timed(lambda: client.predict(handle_file(str(PHOTO)), None, False, "efficientnet-lite0", next(fresh),
                                            ["saliency", "smoothgrad", "gradcam"], 15, 25, 32, "black", 14, 7,
                                            api_name="/saliency_sanity"), 1, warmup=0) / 1000
    sanity_all_s = timed(lambda: client.predict(handle_file(str(PHOTO)), None, False, "efficientnet-lite0",
                                                next(fresh), list(logic.METHODS), 15, 25, 32, "black", 14, 7,
                                                api_name="/saliency_sanity"), 1, warmup=0) / 1000
    deletion_s = timed(lambda: client.predict(handle_file(str(PHOTO)), None, False, "efficientnet-lite0",
                                              next(fresh), ["saliency", "smoothgrad", "gradcam"], 15, 25, 32, "black",
                                              14, 7, "grey", api_name="/saliency_deletion"), 1, warmup=0) / 1000
    stop_app(server)

    lines = ["# Saliency tab: speed", "", f"Machine: {machine()}.",
             f"Run: {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench.saliency`; medians; photo: chelsea, 224².",
             "", "## Handler vs raw model call (in-process, same run, the heavy lane's 2 threads)", "",
             "| action | handler | raw model call | ratio | raw call is |", "| --- | ---: | ---: | ---: | --- |"]
    lines += [f"| {name} | {h:.0f} ms | {r:.0f} ms | {h / r:.2f}x | {what} |" for name, h, r, what in rows]
    lines += ["", "Goal: SmoothGrad handler ≤ 1.25x the raw calls.", "",
              "## End to end through gradio_client (app in its own process, a new class each call)", "",
              "| call | median | goal |", "| --- | ---: | ---: |",
              f"| /saliency_explain, SmoothGrad N = 25 | {e2e_sg:.0f} ms | ≤ 3 s |",
              f"| /saliency_explain, Saliency | {e2e_sal:.0f} ms | ≤ 0.5 s |",
              f"| /saliency_explain, the default three (Saliency, SmoothGrad, Grad-CAM) | {e2e_default:.0f} ms | |",
              f"| /saliency_explain, answered from the memo | {e2e_cached:.0f} ms | |",
              f"| /saliency_predict | {e2e_predict:.0f} ms | |",
              f"| /saliency_sanity, the default three, 11 steps (one run) | {sanity_s:.1f} s | heavy lane |",
              f"| /saliency_sanity, all seven methods with Occlusion, capped (one run) | {sanity_all_s:.1f} s |"
              " heavy lane |",
              f"| /saliency_deletion, the default three + random (one run) | {deletion_s:.1f} s | heavy lane |", ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
