"""The server's memory as new sessions arrive (each page load, each reload, is one): Gradio keeps every session's
state (a copy of the page's config, ~0.9 MB for this app) until ``state_session_capacity`` sessions (10,000 unless
set) and frees it no other way. The app remembers ``core.memo.SESSIONS`` (``DEMO_SESSIONS``).

    python -m bench.sessions_memory --sessions 600 --capacity 10000 200 --out bench/sessions_memory.md

For each capacity: the app in its own process (``DEMO_SESSIONS``), left to finish its warm-up, then ``--sessions``
new sessions one after another, each a gradio_client that picks a test digit and shows its soft targets (two light
calls of the distillation tab) and closes; the server's RSS every 50 sessions.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from gradio_client import Client

from bench.common import ROOT, git_state, machine, settle, start_app, stop_app, tree_usage

EVERY = 50


def one_session(url: str, number: int) -> None:
    client = Client(url, verbose=False)
    try:
        client.predict(number % 20, api_name="/distillation_pick")
        client.predict(number % 1000, None, False, 4.0, False, api_name="/distillation_soften")
    finally:
        client.close()


def measure(capacity: int, sessions: int) -> list[tuple[int, float]]:
    """[(sessions so far, server RSS in MB)], from 0 to ``sessions`` every EVERY."""
    proc, url, _ = start_app(env={"DEMO_SESSIONS": str(capacity)})
    try:
        settle(proc.pid)
        one_session(url, 0)  # the first call's own allocations (its handler's imports, caches) before the count
        readings = [(0, tree_usage(proc.pid)[0])]
        for number in range(1, sessions + 1):
            one_session(url, number)
            if number % EVERY == 0:
                readings.append((number, tree_usage(proc.pid)[0]))
                print(capacity, *readings[-1], flush=True)
        return readings
    finally:
        stop_app(proc)


def report(results: dict[int, list[tuple[int, float]]], sessions: int) -> str:
    capacities = list(results)
    lines = ["# Server memory as new sessions arrive", "",
             f"Machine: {machine()}.", f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"`python -m bench.sessions_memory --sessions {sessions} --capacity {' '.join(map(str, capacities))}` "
             f"on {git_state(ROOT)}.", "",
             "Server RSS (MB) after so many new sessions (each: a client, two light calls, closed), the app left to "
             "finish its warm-up first; one run per capacity.", "",
             "| new sessions | " + " | ".join(f"capacity {c:,}" for c in capacities) + " |",
             "| ---: | " + " | ".join("---:" for _ in capacities) + " |"]
    for row in range(len(results[capacities[0]])):
        count = results[capacities[0]][row][0]
        lines.append(f"| {count} | " + " | ".join(f"{results[c][row][1]:,.0f}" for c in capacities) + " |")
    lines.append("")
    for capacity, readings in results.items():
        (_, first), (_, last) = readings[0], readings[-1]
        tail = [mb for count, mb in readings if count >= 2 * capacity] if capacity < sessions else []
        line = f"- capacity {capacity:,}: {last - first:+,.0f} MB over {sessions} sessions " \
               f"({(last - first) / sessions:.2f} MB per session)"
        if len(tail) >= 2:
            line += f"; from session {2 * capacity} on, {tail[-1] - tail[0]:+,.0f} MB"
        lines.append(line + ".")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--capacity", type=int, nargs="+", default=[10000, 200])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = {capacity: measure(capacity, args.sessions) for capacity in args.capacity}
    text = report(results, args.sessions)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
