"""Checks every tab gets from its line in ``demos.REGISTRY`` alone (used by test_app_api, test_app and
test_plugin, whose throwaway 7th tab gets them too): the public endpoints, the README's list, the scripts."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tab_folders(registry: list[str]) -> dict[str, Path]:
    """Each registered tab's package name and folder, found without importing it (no Gradio)."""
    folders = {}
    for name in registry:
        package = name.rsplit(".", 1)[0]
        spec = importlib.util.find_spec(package)
        folders[package] = Path(next(iter(spec.submodule_search_locations)))
    return folders


def scripts(registry: list[str]) -> list[str]:
    """The modules that retrain or re-measure: core's digit CNN and every tab's train*.py and measure.py."""
    found = ["core.train_classifier"]
    for package, folder in tab_folders(registry).items():
        names = sorted(path.stem for path in folder.glob("*.py") if path.stem.startswith("train")
                       or path.stem == "measure")
        found += [f"{package}.{name}" for name in names]
    return found


def endpoint_problems(endpoints: dict, topics: list[str]) -> list[str]:
    """What is wrong with a page's public API (gradio_client's view_api): an endpoint named after no tab, a tab
    with no endpoint, an unreadable parameter or return label, an internal note in a description."""
    problems = []
    for name, endpoint in endpoints.items():
        if not any(name.startswith(f"/{topic}_") for topic in topics):
            problems.append(f"{name}: named after no registered tab")
        labels = [item["label"] for item in endpoint["parameters"] + endpoint["returns"]]
        if not all(isinstance(label, str) and label for label in labels) or any(
                label.startswith(("value_", "parameter_", "__i18n__")) for label in labels):
            problems.append(f"{name}: unreadable labels {labels}")
        if "SelectData" in endpoint.get("description", ""):
            problems.append(f"{name}: an internal note in its description")
    problems += [f"{topic}: no public endpoint" for topic in topics
                 if not any(name.startswith(f"/{topic}_") for name in endpoints)]
    return problems


def readme_missing(demo, readme: str | None = None) -> list[str]:
    """The page's public endpoints the README does not list."""
    readme = readme if readme is not None else (ROOT / "README.md").read_text(encoding="utf-8")
    return [f"/{fn.api_name}" for fn in demo.fns.values()
            if fn.fn is not None and fn.api_visibility == "public" and f"`/{fn.api_name}`" not in readme]




def run_quick(module: str, args: list[str], out: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m module *args --out out``: a train or measure script's few steps (CI never retrains)."""
    return subprocess.run([sys.executable, "-m", module, *args, "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def imports_without_gradio(modules: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    """Imports ``modules`` in a fresh interpreter, which fails if any of them brought Gradio in."""
    code = (f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
            "assert 'gradio' not in sys.modules, 'gradio was imported'")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
