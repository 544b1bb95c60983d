"""What every benchmark (and the tests' app fixture) needs, once: a free port, the machine's description, a
timer, and the app started in its own process and stopped again."""
from __future__ import annotations

import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def machine() -> str:
    """One line for a results file: processor, cores, RAM and the versions that matter."""
    meminfo = Path("/proc/meminfo")
    ram = (int(meminfo.read_text().split()[1]) / 1024 ** 2) if meminfo.exists() else 0

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "n/a"

    return (f"{cpu_name()}; {os.cpu_count()} cores; {ram:.1f} GB RAM; torch {version('torch')}; "
            f"gradio {version('gradio')}; gradio_client {version('gradio_client')}; "
            f"Python {platform.python_version()}; {platform.system()}")


def git_state(folder: Path) -> str:
    """The short commit of a checkout, and whether it has local changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "not a git checkout"
    return commit + (" with local changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def timed(fn, repeat: int, warmup: int = 2) -> float:
    """Median milliseconds of ``fn()`` over ``repeat`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def start_app(app_dir: Path = ROOT, log_path: Path | None = None, limit: float = 180, program: tuple = ("app.py",),
              env: dict | None = None) -> tuple[subprocess.Popen, str, float]:
    """`python app.py --offline` in its own process (and session, so stopping it stops its workers too); returns
    it, its URL and the seconds until it served GET /config. Its output goes to ``log_path`` (or a temporary
    file), whose tail is shown if it does not start. ``program``: what follows ``python`` instead of app.py
    (a test's ``-c`` launcher); ``env``: added to the environment."""
    log_path = log_path or Path(tempfile.mkstemp(prefix="bench-app-", suffix=".log")[1])
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", **(env or {})}
    start = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, *program, "--offline", "--port", str(port)], cwd=app_dir, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - start < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{url}/config", timeout=2) as answer:
                if answer.status == 200:
                    return proc, url, time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
    stop_app(proc)
    raise RuntimeError(f"the app did not answer GET /config within {limit:.0f} s:\n{tail(log_path)}")


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
