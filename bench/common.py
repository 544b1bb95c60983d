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
import threading
import time
import urllib.request
import warnings
from collections import deque
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


def one_endpoint_app(handler: str, api_name: str, **event) -> str:
    """The ``-c`` program (for ``start_app``'s ``program``) of a Gradio app with one queued endpoint: a textbox's
    submit runs ``handler`` (Python source of a one-argument callable; ``time`` is imported), with ``event``'s
    keyword arguments (a concurrency limit ...)."""
    options = "".join(f", {key}={value!r}" for key, value in event.items())
    return ("import sys, time, gradio as gr\n"
            "port = int(sys.argv[sys.argv.index('--port') + 1])\n"
            "with gr.Blocks() as demo:\n"
            "    box, out = gr.Textbox(), gr.Textbox()\n"
            f"    box.submit({handler}, box, out, api_name={api_name!r}{options})\n"
            "demo.launch(server_port=port)\n")


#: Told when a message reaches any of this process's gradio_client jobs (``hear_at_once``).
_ARRIVED = threading.Condition()


class _TellingQueue(deque):
    """A job's message queue in gradio_client that tells the waiting threads when a message is put on it."""

    def append(self, message) -> None:
        super().append(message)
        with _ARRIVED:
            _ARRIVED.notify_all()


class _WaitForAMessage:
    """The ``time`` module as gradio_client.utils sees it after ``hear_at_once``: its ``sleep`` ends early when a
    message arrives."""

    def __getattr__(self, name: str):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        with _ARRIVED:
            _ARRIVED.wait(seconds)


def hear_at_once() -> bool:
    """Make this process's gradio_client hear a job's message when it arrives, as a browser's EventSource does.

    gradio_client 2.7 looks at a job's message queue every 50 ms (``utils.stream_sse_v1plus``, and its cancel watcher
    ``utils.check_for_cancel``): every call waited up to 50 ms after its answer had arrived, on top of the wait
    for the cores (bench/client_overhead.md). Here the two look-again loops are unchanged, but their 50-ms sleep ends
    as soon as a message is put on any job's queue in this process (if one arrives just before a sleep begins, that
    sleep lasts its 50 ms, as before). Only the sleeps inside gradio_client.utils change (its only uses of
    ``time``). Returns False, changing nothing, if gradio_client's internals are not the ones this was written for.
    """
    import gradio_client.client as client_module
    import gradio_client.utils as utils_module

    if isinstance(utils_module.time, _WaitForAMessage):
        return True
    if utils_module.time is not time or getattr(client_module, "deque", None) is not deque:
        return False
    client_module.deque = _TellingQueue
    utils_module.time = _WaitForAMessage()
    return True


def near_a_browser(url: str) -> dict:
    """gradio_client's options for a client to ``url`` as near a browser as it goes, this process's gradio_client
    made to hear each message when it arrives (``hear_at_once``): on plain http no certificate bundle (gradio_client's
    default, ``ssl_verify=True``, builds an SSL context with Python's CA bundle for every request it makes, even to an
    http:// URL: 54 ms of CPU a call at rest, bench/client_overhead.md)."""
    if not hear_at_once():
        warnings.warn("gradio_client is not the version hear_at_once was written for: it looks at its stream every "
                      "50 ms, as it comes", stacklevel=2)
    return {"ssl_verify": not url.startswith("http://")}


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


def tree_usage(pid: int) -> tuple[float, float]:
    """Resident memory (VmRSS, MB) and CPU seconds so far of the process and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    rss_kb, ticks, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        rss_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, and those of children it reaped
    return rss_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")


def settle(pid: int, quiet: float = 0.1, calm_seconds: int = 2, timeout: float = 240) -> None:
    """Wait until the app (its process tree) has finished its warm-up: under ``quiet`` CPU-seconds per second,
    ``calm_seconds`` seconds in a row (at most ``timeout`` seconds)."""
    if not Path(f"/proc/{pid}/stat").is_file():  # no /proc: give the warm-up a minute
        time.sleep(60)
        return
    calm, before, end = 0, tree_usage(pid)[1], time.monotonic() + timeout
    while calm < calm_seconds and time.monotonic() < end:
        time.sleep(1)
        now = tree_usage(pid)[1]
        calm = calm + 1 if now - before < quiet else 0
        before = now
