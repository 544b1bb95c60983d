"""REGISTRY: the tabs, in order. Adding a tab = one package under demos/ and one line here.

Each entry is a module path; the module has ``TOPIC``, ``build_tab(i18n, demo)`` and may have ``warm_up()`` and
``PRESETS`` (a slide link's preset name -> the elem_id of the button it presses: app.py, slide links).
"""
import importlib

REGISTRY = [
    "demos.distillation.ui",
    "demos.saliency.ui",
    "demos.audio_attack.ui",
    "demos.gan.ui",
    "demos.cyclegan.ui",
    "demos.fill_mask.ui",
]


def load_tabs():
    return [importlib.import_module(name) for name in REGISTRY]
