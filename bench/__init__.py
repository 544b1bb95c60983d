"""Benchmarks: python -m bench (writes bench/results.md), python -m bench.load (a class's load).

What both scripts and the tests' app fixture need lives here, once."""
from __future__ import annotations

import platform
import socket
from pathlib import Path


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
