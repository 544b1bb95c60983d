"""What gradio_client adds to a call, at rest: the class bench's students are gradio_client clients, a class's
students are browsers.

    python -m bench.client_overhead            # writes bench/client_overhead.md

A Gradio app of one endpoint that answers at once (an echo, queued as the gallery's events are) is started in its own
process with Gradio's profiling on; one client calls it ``--calls`` times, one call at a time. For each call: the
client's time, the server's (from joining the queue to the answer made, ``bench.load_class.server_latency``), and
the difference, the client's own part (the join request, gradio_client looking at its stream every 50 ms, the answer's
delivery). Twice: gradio_client as it comes, and as the class bench's students use it (``bench.load.make_client``).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, machine, one_endpoint_app, start_app, stop_app
from bench.load import percentile

ECHO_APP = one_endpoint_app("lambda s: s", "echo")


def calls_timed(client, calls: int) -> tuple[list[float], float]:
    """``calls`` echo calls one at a time after a warm one: each one's seconds, and the client's CPU seconds per call
    (all its threads)."""
    client.predict("warm", api_name="/echo")
    seconds = []
    cpu = time.process_time()
    for number in range(calls):
        start = time.perf_counter()
        assert client.predict(f"call {number}", api_name="/echo") == f"call {number}"
        seconds.append(time.perf_counter() - start)
    return seconds, (time.process_time() - cpu) / calls


def measure(calls: int) -> dict:
    """gradio_client as it comes, then as the class bench's students use it (``bench.load.make_client``), on the
    same app: per client, the rows of the report."""
    from gradio_client import Client

    from bench.load import make_client
    from bench.load_class import fetch_traces, server_latency

    rows = {}
    with tempfile.TemporaryDirectory(prefix="bench-client-") as folder:
        proc, url, _ = start_app(log_path=Path(folder) / "app.log", program=("-c", ECHO_APP),
                                 env={"GRADIO_PROFILING": "1"})
        try:
            for name, make in (("as it comes", lambda: Client(url, verbose=False)),  # before make_client's change
                               ("the class bench's students", lambda: make_client(url, 60, Path(folder)))):
                since = time.time()
                client = make()
                mine, cpu = calls_timed(client, calls)
                traces = sorted((t for t in fetch_traces(url, since) if t["endpoint"] == "/echo"),
                                key=lambda t: t["at"])
                client.close()
                server = [server_latency(t) for t in traces[1:]]  # the warm call first
                own = [c - s for c, s in zip(mine, server)]
                rows[name] = {"cpu": cpu, **{what: {"p50": percentile(values, 50), "p95": percentile(values, 95),
                                                    "min": min(values)}
                                             for what, values in (("client", mine), ("server", server),
                                                                  ("client's own part", own))}}
        finally:
            stop_app(proc)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.client_overhead", description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "client_overhead.md")
    args = parser.parse_args(argv)
    rows = measure(args.calls)
    lines = ["# What gradio_client adds to a call, at rest", "", f"Machine: {machine()}.",
             f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python -m bench.client_overhead "
             f"--calls {args.calls}`: {args.calls} calls, one at a time, to an echo endpoint (queued) of an app alone "
             "on the machine; first with gradio_client as it comes, then with the client the class bench's students "
             "use (`bench.load.make_client`: it hears each message when it arrives and loads no certificate bundle "
             "for http).", "",
             "| gradio_client | seconds | p50 | p95 | min |", "| --- | --- | ---: | ---: | ---: |"]
    for client, row in rows.items():
        lines += [f"| {client} | {what} | {row[what]['p50']:.3f} | {row[what]['p95']:.3f} | {row[what]['min']:.3f} |"
                  for what in ("client", "server", "client's own part")]
    lines += ["", "The client's CPU time per call (all its threads): "
              + "; ".join(f"{client}: {row['cpu'] * 1000:.1f} ms" for client, row in rows.items()) + "."]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
