"""Issue 21: after a tab's warm-up, a class's calls compile no new kernel.

oneDNN (under PyTorch's CPU convolutions) compiles a kernel for each input shape and thread count it meets and keeps
it for the life of the process, a few hundred KB of code each: the largest part of what a class left allocated
(bench/load-class-memray.md). The GAN and CycleGAN tabs run their batches in few shapes (core.device.few_shapes),
Saliency's batched methods in one shape each (its logic.in_chunks), and the warm-ups put every one of them
through. Each check runs in a process of its own with ONEDNN_VERBOSE, which logs every kernel made
("create:cache_miss"); after the warm-up, calls like a class's (other seeds, every grid size, other strips, other
sliders) must make none. Before these changes the GAN's made 155, CycleGAN's digits 67, Saliency's 27."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # three processes that load real models (~70 s): CI's second step

PREAMBLE = """
import ctypes
from core.device import configure_process
configure_process()


def mark():  # oneDNN writes through C's stdout buffer: empty it first, so that the mark comes after its lines
    ctypes.CDLL(None).fflush(None)
    print("WARMED", flush=True)
    global WARM_MODULES
    WARM_MODULES = set(sys.modules)


import atexit, json, sys
atexit.register(lambda: print("IMPORTED LATER " + json.dumps(sorted(set(sys.modules) - WARM_MODULES)), flush=True))
"""

CLASS_CALLS = {
    "gan": """
from demos.gan import logic, ui
ui.warm_up()
mark()
generator, judge = ui.generator_model(), ui.judge_model()
for count in [1, 3, 5, 9, 10, 17, 23, 33, 47, 64, 2, 60]:
    images, _ = logic.sample(generator, count + 7, count, None, 0.8)
    logic.meter(judge, images), logic.features(judge, images)
    ui.grid_precision_recall(images, 3)
for frames in (2, 5, 12, 32):
    logic.interpolate(generator, 1, 2, frames, 4, 0.9, frames % 2 == 0)
""",
    "cyclegan": """
from PIL import Image
from demos.cyclegan import ui
ui.warm_up()
mark()
for position, (_, kind) in enumerate(ui.examples()):
    if kind != "photo":
        picture, _, model, _, direction = ui.pick(position)
        Image.fromarray(picture).save(PATH)
        ui.translate(PATH, None, False, model, direction)
        for number in (1, 2, 7):
            ui.strip(direction, number)
import numpy as np
drawn = np.zeros((28, 28), np.uint8)  # a sharp stroke drawn on the canvas: scanned into the handwritten domain
drawn[5:23, 12:15] = 255
Image.fromarray(drawn).save(PATH)
ui.translate(PATH, None, False, None, "a_to_b")
""",
    "saliency": """
import dataclasses
from demos.saliency import logic, ui
ui.warm_up()
mark()
from PIL import Image
Image.fromarray(ui.examples()[1]).save(PATH)  # another photo than the warm-up's
subject = ui._subject(PATH, None, False, None, "en")
settings = dataclasses.replace(logic.Settings(), samples=7, ig_steps=13, window_percent=30, stride_percent=30)
cam = ui.cam_layer(subject.bundle.model)
for method in ("smoothgrad", "integrated_gradients", "occlusion"):
    logic.attribute_pair(subject.bundle.model, subject.x, 1, method, settings, cam_layer=cam)
""",
}


def kernels_made(topic: str, tmp_path: Path) -> tuple[int | None, list[str]]:
    """The kernels the class's calls made after the warm-up, in a fresh process (None: oneDNN logged nothing), and
    the modules they imported (each costs its first student the import, and stays in the server's memory)."""
    code = f"PATH = {str(tmp_path / 'picture.png')!r}\n" + PREAMBLE
    env = {**os.environ, "ONEDNN_VERBOSE": "profile_create", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code + CLASS_CALLS[topic]], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    imported = [name for name in json.loads(done.stdout.rpartition("IMPORTED LATER ")[2].splitlines()[0])
                if not name.startswith("encodings.")]  # a codec Python looks up itself (zip files' cp437): a few KB
    if "onednn_verbose" not in done.stdout:
        return None, imported
    return done.stdout.partition("WARMED")[2].count("create:cache_miss"), imported


@pytest.mark.parametrize("topic", sorted(CLASS_CALLS))
def test_a_class_compiles_no_kernel_after_the_warm_up(topic, tmp_path):
    """... and imports no module: the warm-up imports what the calls import on first use (a drawing's scan imported
    scipy.ndimage, +13 MB, in the first student's call)."""
    after, imported = kernels_made(topic, tmp_path)
    assert imported == [], f"{len(imported)} modules imported after the {topic} warm-up: {imported[:20]}"
    if after is None:
        pytest.skip("this PyTorch build logs no oneDNN kernels (ONEDNN_VERBOSE): nothing to count")
    assert after == 0, f"{after} kernels compiled after the {topic} warm-up"
