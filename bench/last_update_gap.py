"""Seconds from a streamed action's last output to its event's end, with several students' GAN playgrounds at
once (``n`` clicks 0.7 s apart, twice): Gradio drops a click on a button whose event still runs, so this gap is
time in which the student's next click does nothing (core.heavy.Last). Against a running app:
``python -m bench.last_update_gap http://127.0.0.1:7860/ 8``. Measured (2 cores, alone apart from the 8):
before ``Last``, median 0.23 s, max 0.54 s; after, median 0.03 s, max 0.06 s."""
import statistics
import sys
import threading
import time

from gradio_client import Client


def one(url: str, i: int, gaps: list, totals: list) -> None:
    client = Client(url, verbose=False)
    job = client.submit("gaussians", "gan", "0.001", "0.001", 2, 300 + 100 * (i % 3), i, api_name="/gan_play")
    seen, last_at = 0, None
    start = time.monotonic()
    while not job.done():
        outputs = len(job.outputs())
        if outputs != seen:
            seen, last_at = outputs, time.monotonic()
        time.sleep(0.005)
    end = time.monotonic()
    if len(job.outputs()) != seen:
        last_at = end
    if last_at is None:  # turned away (the server is busy): no run to time
        print("no output:", job.status(), file=sys.stderr)
        return
    gaps.append(end - last_at)
    totals.append(end - start)


def main(url: str, n: int) -> None:
    gaps, totals = [], []
    for rep in range(2):
        threads = []
        for i in range(n):
            threads.append(threading.Thread(target=one, args=(url, i + 100 * rep, gaps, totals)))
            threads[-1].start()
            time.sleep(0.7)
        for thread in threads:
            thread.join()
    gaps.sort()
    print(f"n={len(gaps)} last output to end: median {statistics.median(gaps):.3f} s, max {max(gaps):.3f} s, "
          f"all {[round(g, 2) for g in gaps]}; run median {statistics.median(totals):.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8)
