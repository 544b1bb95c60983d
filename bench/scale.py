"""Scale on paper: how many 2-core replicas a class of 50, 200 or 500 needs, from the measured CPU cost of each
action.

    python -m bench.scale                  # writes bench/scale.md (+ .json): about 10 minutes on 2 cores
    python -m bench.scale --repeat 1       # one call of each action

The app runs alone (`python app.py --offline`, warmed up); one student of the class scenario (bench/load_class.py:
the same actions, weights and varied inputs) calls every action ``--repeat`` times, one call at a time, and the
app's CPU seconds (its process tree, from /proc) are read before and after each call. CPU time, unlike wall time,
hardly changes when other programs share the machine.

The paper: a student clicks every THINK + answer seconds, 15% heavy; the demand of N students is N times a
student's CPU seconds per minute. A 2-core replica offers one core to heavy steps (they take turns on one thread,
core.heavy) and two to everything, each used at most to UTILISATION so that queues stay short (at 100% a queue
grows without bound).
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, machine, settle, start_app, stop_app, tree_usage
from bench.load import draw_one, make_client
from bench.load_class import ACTIONS, HEAVY_SHARE, STOPS, THINK_SECONDS, Student, read_offer, warm_up

OUT = ROOT / "bench" / "scale.md"
CLASSES = (50, 200, 500)
UTILISATION = 0.7  # a server kept below this answers without long queues (an M/M/1 queue waits 2.3x the job)
HEAVY_CORES, ALL_CORES = 1, 2  # of a 2-core replica: heavy steps take turns on one thread


def measure(url: str, pid: int, repeat: int, scratch: Path, downloads: Path) -> dict[str, list[dict]]:
    """Each action called ``repeat`` times by one student, one call at a time: CPU and wall seconds per call."""
    offer = read_offer()
    warm_up(url, offer, scratch, downloads, timeout=600)
    settle(pid, quiet=0.05, calm_seconds=3, timeout=300)
    client = make_client(url, 600, downloads)
    student = Student(random.Random("scale"), scratch, "scale", offer)
    costs: dict[str, list[dict]] = {}
    try:
        for name, action in ACTIONS.items():
            for _ in range(repeat):
                if action.needs_attack and student.attack is None:
                    break
                args = action.args(student)
                cpu_before, start = tree_usage(pid)[1], time.perf_counter()
                try:
                    client.predict(*args, api_name=name)
                    ok = True
                except Exception as exc:  # an explained message still costs what it cost
                    ok = False
                    print(f"  {name}: {str(exc)[:100]}", file=sys.stderr)
                wall = time.perf_counter() - start
                time.sleep(0.3)  # the last /proc ticks of the call
                costs.setdefault(name, []).append({"cpu_s": tree_usage(pid)[1] - cpu_before, "wall_s": wall,
                                                   "ok": ok})
                if ok and action.after is not None:
                    action.after(student, args)
            print(f"{name}: {costs.get(name)}", file=sys.stderr, flush=True)
    finally:
        client.close()
    return costs


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def paper(costs: dict[str, list[dict]]) -> dict:
    """A student's demand per minute, and the replicas each class size needs."""
    kinds = {}
    for kind in ("heavy", "light"):
        names = [n for n, a in ACTIONS.items() if a.kind == kind and n in costs and n not in STOPS]
        weights = [ACTIONS[n].weight for n in names]
        kinds[kind] = {
            "cpu_s": sum(w * mean(c["cpu_s"] for c in costs[n]) for n, w in zip(names, weights)) / sum(weights),
            "wall_s": sum(w * mean(c["wall_s"] for c in costs[n]) for n, w in zip(names, weights)) / sum(weights)}
    share = {"heavy": HEAVY_SHARE, "light": 1 - HEAVY_SHARE}
    seconds_per_click = mean(THINK_SECONDS) + sum(share[k] * kinds[k]["wall_s"] for k in kinds)
    clicks_per_minute = 60 / seconds_per_click
    heavy_cpu = clicks_per_minute * share["heavy"] * kinds["heavy"]["cpu_s"]  # CPU-s per student-minute
    all_cpu = heavy_cpu + clicks_per_minute * share["light"] * kinds["light"]["cpu_s"]
    replicas = {}
    for students in CLASSES:
        by_heavy = students * heavy_cpu / (60 * HEAVY_CORES * UTILISATION)
        by_all = students * all_cpu / (60 * ALL_CORES * UTILISATION)
        replicas[students] = {"by_heavy": by_heavy, "by_all": by_all, "replicas": math.ceil(max(by_heavy, by_all))}
    return {"kinds": kinds, "clicks_per_minute": clicks_per_minute, "heavy_cpu_per_student_minute": heavy_cpu,
            "cpu_per_student_minute": all_cpu, "replicas": replicas}


def render(costs: dict, result: dict, settings: dict) -> str:
    lines = ["# Scale on paper", "", f"Machine: {settings['machine']}.",
             f"Run: {settings['when']} with `{settings['command']}`; each action {settings['repeat']} time(s), one "
             "call at a time, on the app alone (warmed up); CPU seconds of the app's process tree per call.", "",
             "## What one action costs", "", "| action | kind | calls | CPU s (mean) | wall s (mean) |",
             "| --- | --- | ---: | ---: | ---: |"]
    for name, calls in costs.items():
        lines.append(f"| `{name}` | {ACTIONS[name].kind} | {len(calls)} | {mean(c['cpu_s'] for c in calls):.2f} | "
                     f"{mean(c['wall_s'] for c in calls):.2f} |")
    kinds = result["kinds"]
    lines += ["", "## A student", "",
              "Weighted by the class scenario's click weights, a heavy click costs "
              f"{kinds['heavy']['cpu_s']:.1f} CPU s "
              f"({kinds['heavy']['wall_s']:.1f} s alone), a light one {kinds['light']['cpu_s']:.2f} CPU s. A student "
              f"who reads each answer {THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s and never waits clicks "
              f"{result['clicks_per_minute']:.1f} times a minute, {HEAVY_SHARE:.0%} heavy: "
              f"{result['cpu_per_student_minute']:.1f} CPU s per minute, of which "
              f"{result['heavy_cpu_per_student_minute']:.1f} in heavy steps.", "",
              "## A class", "",
              f"A 2-core replica offers its heavy steps one core and everything two, each at most "
              f"{UTILISATION:.0%} busy (beyond that queues, and the wait for a first update, grow without bound).", "",
              "| students | replicas for the heavy steps | replicas for all the work | 2-core replicas needed |",
              "| ---: | ---: | ---: | ---: |"]
    for students, row in result["replicas"].items():
        lines.append(f"| {students} | {row['by_heavy']:.1f} | {row['by_all']:.1f} | **{row['replicas']}** |")
    lines += ["", "Behind a load balancer the replicas need sticky sessions (a job's updates stream from the server "
              "running it); the per-student stores are per session, so a student stays on one replica.", "",
              "**ZeroGPU** is not priced here: on a ZeroGPU Space the heavy actions run inside `@spaces.GPU` but the "
              "models stay on the CPU (README), so its CPU is what counts, like a replica's."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="calls of each action (default 2)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        scratch = Path(folder)
        downloads = scratch / "downloads"
        downloads.mkdir()
        draw_one(scratch / "default-one.png")
        proc, url, _ = start_app(log_path=scratch / "app.log")
        try:
            costs = measure(url, proc.pid, args.repeat, scratch, downloads)
        finally:
            stop_app(proc)
    result = paper(costs)
    settings = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "command": "python -m bench.scale" + (f" --repeat {args.repeat}" if args.repeat != 2 else ""),
                "repeat": args.repeat}
    report = render(costs, result, settings)
    print(report)
    args.out.write_text(report, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"settings": settings, "costs": costs, "paper": result},
                                                        indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
