"""What a class left allocated: the allocations made after ``start`` seconds of a memray capture (the class began)
and not freed when tracking stopped, summed by the first project frame of their stack (bench/load-class-memray.md).

    python bench/memray_alive.py capture.bin 115

memray is not a project dependency: ``pip install memray`` (or put it on ``PYTHONPATH``), and capture the app with
``memray.Tracker(file, memory_interval_ms=1000)`` around ``app.py``.
"""
from __future__ import annotations

import collections
import sys

PROJECT = ("/demos/", "/core/")
PLUMBING = ("core/ui.py", "core/heavy.py")  # every handler's wrappers: the frame below them says more


def short(file: str) -> str:
    for marker in ("site-packages/", *PROJECT):
        if marker in file:
            return (marker.strip("/") + "/" if marker in PROJECT else "") + file.split(marker, 1)[1]
    return file


def main(path: str, start: float, top: int = 30) -> None:
    import memray

    reader = memray.FileReader(path)
    snapshots = list(reader.get_memory_snapshots())
    t0 = snapshots[0].time
    first = next(i for i, s in enumerate(snapshots) if (s.time - t0) / 1000 >= start)
    print(f"class from snapshot {first} ({(snapshots[first].time - t0) / 1000:.0f} s): RSS "
          f"{snapshots[first].rss / 2**20:.0f} MB, at the end {snapshots[-1].rss / 2**20:.0f} MB")
    by_frame, by_leaf, total = collections.Counter(), collections.Counter(), 0
    for record in reader.get_temporal_allocation_records(merge_threads=True):
        alive = sum(interval.n_bytes for interval in record.intervals
                    if interval.allocated_before_snapshot > first and interval.deallocated_before_snapshot is None)
        if not alive:
            continue
        total += alive
        stack = record.stack_trace(max_stacks=40)
        ours = [f"{fn} ({short(file)}:{line})" for fn, file, line in stack
                if any(part in file for part in PROJECT) and not any(part in file for part in PLUMBING)]
        leaf = " < ".join(f"{fn} ({short(file)}:{line})" for fn, file, line in stack[:3])
        by_frame[ours[0] if ours else f"(no project frame) {leaf}"] += alive
        by_leaf[leaf] += alive
    print(f"allocated during the class and alive at its end: {total / 2**20:.1f} MB")
    for name, counter in (("by project frame", by_frame), ("by library leaf", by_leaf)):
        print(name)
        for key, size in counter.most_common(top):
            print(f"{size / 2**20:8.1f} MB  {key[:200]}")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
