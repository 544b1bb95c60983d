"""bench/scale.py's paper: a student's demand and the replicas a class needs, checked against the arithmetic."""
import math
import time

import pytest

from bench import scale
from bench.load_class import ACTIONS, HEAVY_SHARE, THINK_SECONDS


def flat_costs(heavy_cpu, light_cpu, heavy_wall=10.0, light_wall=0.5):
    return {name: [{"cpu_s": heavy_cpu if a.kind == "heavy" else light_cpu,
                    "wall_s": heavy_wall if a.kind == "heavy" else light_wall, "ok": True}]
            for name, a in ACTIONS.items()}


def test_a_students_demand_and_the_replicas_follow_from_the_costs():
    result = scale.paper(flat_costs(heavy_cpu=8.0, light_cpu=0.2))
    clicks = 60 / (sum(THINK_SECONDS) / 2 + HEAVY_SHARE * 10.0 + (1 - HEAVY_SHARE) * 0.5)
    assert result["clicks_per_minute"] == pytest.approx(clicks)
    heavy = clicks * HEAVY_SHARE * 8.0
    assert result["heavy_cpu_per_student_minute"] == pytest.approx(heavy)
    assert result["cpu_per_student_minute"] == pytest.approx(heavy + clicks * (1 - HEAVY_SHARE) * 0.2)
    for students, row in result["replicas"].items():
        expected = max(students * heavy / (60 * scale.UTILISATION),
                       students * result["cpu_per_student_minute"] / (120 * scale.UTILISATION))
        assert row["replicas"] == math.ceil(expected)
    assert [row["replicas"] for row in result["replicas"].values()] == sorted(
        row["replicas"] for row in result["replicas"].values())


def test_free_actions_need_no_second_replica_and_dearer_heavy_steps_need_more():
    cheap = scale.paper(flat_costs(heavy_cpu=0.01, light_cpu=0.001))
    assert all(row["replicas"] == 1 for row in cheap["replicas"].values())
    assert scale.paper(flat_costs(16.0, 0.2))["replicas"][200]["replicas"] > scale.paper(
        flat_costs(8.0, 0.2))["replicas"][200]["replicas"]


def test_the_class_reports_first_updates_counts_the_students_who_gave_up():
    """A percentile of the successful calls alone hid the worst waits: a student who gave up before any update
    counts as "never", one who saw a progress bar but no answer counts with that bar as the first sign."""
    from bench.load import seconds_text
    from bench.load_class import Call, latency_row

    calls = [Call("/x", "g", user, 0.0, end=3.0, first_output=2.0, first_sign=0.5) for user in range(8)]
    calls += [Call("/x", "g", 8, 0.0, end=120.0, outcome="timeout", first_sign=1.0),  # a bar, then nothing
              Call("/x", "g", 9, 0.0, end=120.0, outcome="timeout"),  # nothing at all
              Call("/x", "g", 10, 0.0, end=0.2, outcome="explained")]  # a message: not a wait
    row = latency_row(calls)
    assert row["calls"] == 11 and row["ok"] == 8 and row["timeouts"] == 2
    assert row["p95"] == 3.0  # the answers: successful calls only
    assert row["first_sign_p50"] == 0.5 and seconds_text(row["first_sign_p95"]) == "never"
    assert row["first_output_p50"] == 2.0 and math.isinf(row["first_output_p95"])
    assert seconds_text(row["first_output_p95"]) == "never"


def test_the_class_reports_rss_at_rest_per_round():
    """--rounds: the RSS read once every answer is in, after each round, with each round's growth (the goal:
    < 5% over the first 10 minutes, < 1% over the next 10)."""
    from bench.load_class import server_text

    server = {"rss_start_mb": 1000.0, "rss_end_mb": 1100.0, "rss_peak_mb": 2500.0, "rss_growth_percent": 10.0,
              "app_cpu_s": 700, "generator_cpu_s": 400, "load_s": 1300, "rss_timeline": [],
              "rss_at_rest": [(640, 1040.0), (1290, 1045.2)]}
    text = "\n".join(server_text(server))
    assert "1000 MB at 0 min; 1040 MB at 11 min (+4.0% over the round); 1045 MB at 22 min (+0.5% over the round)" \
        in text
    assert "at rest" not in "\n".join(server_text({**server, "rss_at_rest": []}))


def test_a_longer_rest_follows_the_rss_until_it_ends(monkeypatch):
    """--rest-seconds: the RSS read every REST_EVERY_SECONDS from the 10-s reading to the rest's end, and the report
    gives the first, the last and the lowest reading of each rest (memory kept, or given back at the next trim)."""
    import subprocess
    import sys

    import bench.load_class as load_class

    monkeypatch.setattr(load_class, "REST_SECONDS", 1)
    monkeypatch.setattr(load_class, "REST_EVERY_SECONDS", 0.2)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        series = load_class.follow_rest(child, 2, 1234.5)
    finally:
        child.kill()
        child.wait()
    assert [round(seconds, 1) for seconds, _ in series] == [1, 1.2, 1.4, 1.6, 1.8, 2.0]
    assert series[0][1] == 1234.5  # the RSS at rest, read once
    assert all(mb > 1 for _, mb in series[1:])  # a Python process's RSS, in MB
    assert load_class.follow_rest(child, 0, 1234.5) == [(1, 1234.5)]  # the usual 10-s rest: its one reading
    server = {"rss_start_mb": 1000.0, "rss_end_mb": 1100.0, "rss_peak_mb": 2500.0, "rss_growth_percent": 10.0,
              "app_cpu_s": 700, "generator_cpu_s": 400, "load_s": 1300, "rss_timeline": [],
              "rss_at_rest": [(640, 1140.0)], "rest_series": [[(10, 1140.0), (15, 1090.0), (20, 1100.0)]]}
    text = "\n".join(load_class.server_text(server))
    assert "rest 1 (`--rest-seconds`): 1140 MB at 10 s, 1100 MB at 20 s, lowest 1090 MB" in text
    assert "1140, 1090, 1100" in text


def test_the_class_counts_the_runs_cut_short_by_a_busy_class():
    """A run cut short (core.heavy.out_of_time) answers in time, with less: the report says how many, and the mark
    it looks for (in any case) is in the English message of every action a busy class cuts."""
    from bench.load_class import CUT_MARK, LIMIT_MARK, Call, failures_text, latency_row
    from demos.audio_attack.strings import STRINGS as AUDIO
    from demos.distillation.strings import STRINGS as DISTILLATION
    from demos.gan.strings import STRINGS as GAN
    from demos.saliency.strings import STRINGS as SALIENCY

    for message in (AUDIO["en"]["audio_attack.stopped_after_busy"], GAN["en"]["gan.play_stopped_busy"],
                    DISTILLATION["en"]["distillation.stopped_busy"], SALIENCY["en"]["saliency.samples_stopped_busy"],
                    SALIENCY["en"]["saliency.sanity_skipped_busy"], SALIENCY["en"]["saliency.deletion_stopped_busy"]):
        assert CUT_MARK in message.lower()
    for message in (AUDIO["en"]["audio_attack.stopped_after_long"], GAN["en"]["gan.play_stopped_long"],
                    DISTILLATION["en"]["distillation.stopped_long"], SALIENCY["en"]["saliency.samples_stopped_long"],
                    SALIENCY["en"]["saliency.sanity_skipped_long"], SALIENCY["en"]["saliency.deletion_stopped_long"],
                    SALIENCY["en"]["saliency.explain_stopped_long"]):
        assert LIMIT_MARK in message.lower() and CUT_MARK not in message.lower()
    calls = [Call("/gan_play", "g", 0, 0.0, end=85.0, cut=True), Call("/gan_play", "g", 1, 0.0, end=3.0),
             Call("/audio_attack_run", "a", 2, 0.0, end=111.0, limit=True)]
    text = "\n".join(failures_text({"all": latency_row(calls), "messages": []}))
    assert "3 calls: 0 failed" in text and "1 heavy runs were cut short" in text and "1 at the time limit" in text


def test_the_memray_reading_names_files_from_the_project_or_the_library():
    """bench/memray_alive.py groups what a class left allocated by its first project frame (memray itself is not a
    dependency: only its file names are tested here)."""
    from bench.memray_alive import short

    assert short("/tmp/clone/demos/gan/model.py") == "demos/gan/model.py"
    assert short("/x/venv/lib/python3.11/site-packages/torch/nn/modules/conv.py") == "torch/nn/modules/conv.py"
    assert short("<frozen importlib._bootstrap>") == "<frozen importlib._bootstrap>"


def test_the_probe_is_a_group_of_its_own_and_the_options_reach_the_class():
    """--probe: one more student in a process of its own, at the usual priority, clicking only light actions; its
    calls are reported apart from the 50 students' (who share one process and, with --client-nice, a lower
    priority)."""
    from bench.load import parse_args
    from bench.load_class import LIGHT, PROBE, Call, summarize

    args = parse_args(["--class", "--probe", "--client-nice", "19"])
    assert args.probe and args.client_nice == 19 and args.users == 50
    assert not parse_args(["--class"]).probe and parse_args(["--class"]).client_nice == 0
    calls = [Call("/saliency_pick", PROBE, -1, 0.0, end=0.4), Call("/saliency_pick", LIGHT, 3, 0.0, end=2.0)]
    groups = summarize(calls)["groups"]
    assert groups[PROBE]["calls"] == 1 and groups[PROBE]["p50"] == pytest.approx(0.4)
    assert groups[LIGHT]["calls"] == 1 and groups[LIGHT]["p50"] == pytest.approx(2.0)


def test_client_processes_share_the_students_out_once_each():
    """--client-processes N: every student runs in exactly one of N processes, the same student (and seed) whatever
    N; N must be between 1 and the number of students."""
    from bench.load import parse_args
    from bench.load_class import shares_of

    assert parse_args(["--class"]).client_processes == 1
    assert parse_args(["--class", "--client-processes", "5"]).client_processes == 5
    for bad in ("0", "51"):
        with pytest.raises(SystemExit):
            parse_args(["--class", "--client-processes", bad])
    for users, processes in ((50, 1), (50, 5), (50, 3), (7, 7)):
        shares = shares_of(users, processes)
        assert len(shares) == processes and all(shares)
        assert sorted(u for share in shares for u in share) == list(range(users))
        assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_rounds_are_reported_apart_and_the_warm_up_option_reaches_the_class():
    """--rounds: the light actions' p95 and the heavy first sign per round (the first round of a class that arrives
    at once shares the app with its warm-up); --after-warm-up is off by default."""
    from bench.load import parse_args
    from bench.load_class import LIGHT, Call, render, summarize

    assert not parse_args(["--class"]).after_warm_up and parse_args(["--class", "--after-warm-up"]).after_warm_up
    calls = [Call("/saliency_pick", LIGHT, 1, 5.0, end=7.0), Call("/saliency_pick", LIGHT, 2, 250.0, end=250.5),
             Call("/saliency_explain", "heavy: saliency", 3, 260.0, end=300.0, first_sign=0.8)]
    rounds = summarize(calls, [0.0, 240.0])["rounds"]
    assert [r["light"]["calls"] for r in rounds] == [1, 1] and [r["heavy"]["calls"] for r in rounds] == [0, 1]
    assert rounds[0]["light"]["p95"] == pytest.approx(2.0) and rounds[1]["light"]["p95"] == pytest.approx(0.5)
    assert rounds[1]["heavy"]["first_sign_p95"] == pytest.approx(0.8)
    settings = {"machine": "m", "when": "w", "command": "c", "app": "a", "users": 2, "seconds": 240, "rounds": 2,
                "seed": 0, "timeout": 120, "models": {}}
    report = render(settings, summarize(calls, [0.0, 240.0]), {}, [], smoke=False)
    assert "## Per round" in report and "| 2 | 1 | 0.50 | 0.50 |" in report




def test_the_server_clock_reads_gradios_own_traces(tmp_path):
    """--server-clock: two calls sent together to a one-at-a-time endpoint that naps 0.3 s. By the app's own
    clock, one waited in the queue for the other's nap, and each latency is its queue wait plus its run."""
    from gradio_client import Client

    from bench.common import one_endpoint_app, start_app, stop_app
    from bench.load_class import fetch_traces, server_latency, server_row

    nap_app = one_endpoint_app("lambda s: (time.sleep(0.3), s)[1]", "nap", concurrency_limit=1)  # one job at a time
    since = time.time()
    proc, url, _ = start_app(log_path=tmp_path / "app.log", program=("-c", nap_app), env={"GRADIO_PROFILING": "1"})
    try:
        client = Client(url, verbose=False)
        jobs = [client.submit(text, api_name="/nap") for text in ("a", "b")]
        assert sorted(job.result(timeout=60) for job in jobs) == ["a", "b"]
        traces = fetch_traces(url, since)
        client.close()
    finally:
        stop_app(proc)
    naps = [t for t in traces if t["endpoint"] == "/nap"]
    assert len(naps) == 2
    assert all(t["total"] >= 300 for t in naps)  # ms: the nap
    assert max(t["queue_wait"] for t in naps) >= 250 > min(t["queue_wait"] for t in naps)  # the second waited
    latencies = sorted(server_latency(t) for t in naps)
    assert latencies[0] >= 0.3 and latencies[1] >= 0.55
    row = server_row(naps)
    assert row["jobs"] == 2 and row["max"] == latencies[1]
    assert row["mean"]["queue_wait"] + row["mean"]["total"] == pytest.approx(sum(latencies) / 2)
    assert row["tail_mean"]["queue_wait"] == pytest.approx(max(t["queue_wait"] for t in naps) / 1000)


def test_the_server_clock_groups_jobs_as_the_students_calls_and_splits_the_rounds():
    from bench.load_class import LIGHT, summarize_server_clock

    def trace(endpoint, at, queue_ms, total_ms):
        return {"endpoint": endpoint, "at": at, "upload": 0.0, "queue_wait": queue_ms, "total": total_ms,
                "preprocess": 0.0, "fn_call": total_ms, "postprocess": 0.0}

    traces = [trace("/distillation_pick", 5, 100, 100), trace("/gan_sample", 50, 0, 400),  # light, round 1
              trace("/distillation_pick", 700, 0, 1000),  # light, round 2
              trace("/distillation_train", 10, 0, 30_000)]  # heavy
    clock = summarize_server_clock(traces, [0.0, 600.0])
    assert clock["groups"][LIGHT]["jobs"] == 3 and clock["groups"][LIGHT]["max"] == 1.0
    assert [r["jobs"] for r in clock["rounds"]] == [2, 1] and clock["rounds"][0]["max"] == 0.4
    assert clock["endpoints"]["/distillation_pick"]["p50"] == pytest.approx(0.6)  # 0.2 s and 1.0 s
    assert clock["endpoints"]["/distillation_train"]["max"] == 30.0


def test_the_class_sees_an_answer_when_it_comes_not_at_its_next_look(monkeypatch):
    """bench.load_class.watch looks at a job's status every POLL_SECONDS, but its end is seen at once: a job done
    after 0.05 s, watched with looks 5 s apart, is over well before the second look."""
    import threading
    from concurrent.futures import Future

    from bench import load_class
    from bench.load_class import Call, watch

    class Job(Future):
        def status(self):
            return type("Status", (), {"code": None, "progress_data": None})()

        def outputs(self):
            return []

    monkeypatch.setattr(load_class, "POLL_SECONDS", 5.0)
    job = Job()
    threading.Timer(0.05, job.set_result, ["answer"]).start()
    t0 = time.perf_counter()
    watch(job, Call("/x", "g", 0, 0.0), t0, timeout=60, on_first_output=lambda: None)
    assert job.result() == "answer" and time.perf_counter() - t0 < 2.5


def test_the_students_side_is_their_wait_beyond_the_servers_clock_for_the_same_job():
    from bench.load_class import LIGHT, PROBE, Call, students_side

    def trace(session, endpoint, at, total_ms):
        return {"session": session, "endpoint": endpoint, "at": at, "upload": 0.0, "queue_wait": 0.0,
                "total": total_ms, "preprocess": 0.0, "fn_call": total_ms, "postprocess": 0.0}

    calls = [Call("/gan_sample", LIGHT, 1, 10.0, end=10.5, session="s1"),  # 0.1 s on the server: 0.4 s extra
             Call("/gan_sample", LIGHT, 1, 20.0, end=21.0, session="s1"),  # 0.8 s on the server: 0.2 s extra
             Call("/gan_vary", PROBE, -1, 5.0, end=5.3, session="p"),  # 0.2 s: 0.1 s extra
             Call("/gan_vary", LIGHT, 2, 5.0, end=9.0, session="s2")]  # the server never ran it: left out
    traces = [trace("s1", "/gan_sample", 20.1, 800), trace("s1", "/gan_sample", 10.1, 100),  # out of order
              trace("p", "/gan_vary", 5.05, 200), trace("s1", "/gan_stop", 20.5, 1)]
    side = students_side(calls, traces)
    assert side[LIGHT]["calls"] == 2 and side[LIGHT]["p50"] == pytest.approx(0.3)
    assert side[PROBE]["calls"] == 1 and side[PROBE]["p95"] == pytest.approx(0.1)


@pytest.fixture
def students_client(monkeypatch):
    """This process's gradio_client as it comes (the API tests' clients may have changed it already), and as it was
    again after the test: ``bench.common.hear_at_once`` changes it for the whole process."""
    import collections

    import gradio_client.client as client_module
    import gradio_client.utils as utils_module

    monkeypatch.setattr(utils_module, "time", time)
    monkeypatch.setattr(client_module, "deque", collections.deque)
    monkeypatch.delenv("BENCH_STOCK_CLIENT", raising=False)
    return client_module, utils_module


def test_the_students_client_hears_a_message_when_it_arrives(students_client):
    """gradio_client looks at a job's messages every 50 ms; the class bench's students hear one when it arrives: a
    look-again sleep (here of 5 s) ends when a message is put on a job's queue, and not before."""
    import threading

    from bench.common import hear_at_once

    client_module, utils_module = students_client
    assert hear_at_once() and hear_at_once()  # once per process, however often asked
    queue = client_module.deque()
    ended = []

    def look_again():
        start = time.perf_counter()
        utils_module.time.sleep(5.0)
        ended.append(time.perf_counter() - start)

    waiter = threading.Thread(target=look_again)
    waiter.start()
    time.sleep(0.3)
    assert not ended  # still asleep: nothing arrived
    queue.append({"msg": "process_completed"})
    waiter.join(timeout=4)
    assert ended and 0.25 < ended[0] < 2.5 and list(queue) == [{"msg": "process_completed"}]
    assert utils_module.time.time() == pytest.approx(time.time(), abs=1)  # the rest of `time` unchanged


def test_the_students_client_loads_no_certificates_for_http_and_is_stock_when_asked(students_client, monkeypatch,
                                                                                      tmp_path):
    from bench import load

    made = []
    monkeypatch.setattr(load, "Client", lambda url, **options: made.append((url, options)) or options)
    load.make_client("http://127.0.0.1:7860", 120, tmp_path)
    load.make_client("https://someone-gallery.hf.space", 120, tmp_path)
    assert [options["ssl_verify"] for _, options in made] == [False, True]
    client_module, utils_module = students_client
    assert client_module.deque is not __import__("collections").deque  # heard at once

    monkeypatch.setenv("BENCH_STOCK_CLIENT", "1")
    load.make_client("http://127.0.0.1:7860", 120, tmp_path)
    assert made[-1][1].get("ssl_verify", True) is True  # gradio_client's default
    assert load.parse_args(["--class", "--stock-client"]).stock_client and not load.parse_args([]).stock_client


def test_the_students_client_answers_as_gradio_client_does(students_client, tmp_path):
    """Through a real app: the students' client (``make_client``) gets every answer right, one call at a time and
    three at once."""
    from bench.common import one_endpoint_app, start_app, stop_app
    from bench.load import make_client

    client_module, utils_module = students_client
    proc, url, _ = start_app(log_path=tmp_path / "app.log", program=("-c", one_endpoint_app("str.upper", "upper")))
    try:
        client = make_client(url, 60, tmp_path)
        assert type(utils_module.time).__name__ == "_WaitForAMessage"
        assert [client.predict(word, api_name="/upper") for word in ("cat", "dog", "owl")] == ["CAT", "DOG", "OWL"]
        jobs = [client.submit(word, api_name="/upper") for word in ("a", "b", "c")]
        assert sorted(job.result(timeout=60) for job in jobs) == ["A", "B", "C"]
        client.close()
    finally:
        stop_app(proc)


def test_a_client_that_cannot_hear_at_once_says_so(students_client, monkeypatch):
    """A gradio_client whose internals differ from the pinned one's: its students still get no certificate bundle for
    http, and the bench warns that they look at their stream every 50 ms."""
    from bench import common

    _, utils_module = students_client
    monkeypatch.setattr(utils_module, "time", object())  # not the time module: not the internals it was written for
    with pytest.warns(UserWarning, match="every 50 ms"):
        assert common.near_a_browser("http://127.0.0.1:7860") == {"ssl_verify": False}
    assert not isinstance(utils_module.time, common._WaitForAMessage)


def test_a_class_after_the_warm_up_of_an_app_at_a_url_waits_for_its_log(tmp_path):
    """--after-warm-up with --url: the class waits for the running app's log (--server-log) to say the warm-up has
    ended; without a log to read the command is refused (it used to start at once and report that it had waited)."""
    import threading
    import time

    from app import WARM_UP_DONE
    from bench.load import load_setting, parse_args

    with pytest.raises(SystemExit):
        parse_args(["--class", "--url", "http://127.0.0.1:1", "--after-warm-up"])
    log = tmp_path / "app.log"
    log.write_text("warm-up of gan: 1.0 s\n", encoding="utf-8")
    args = parse_args(["--class", "--url", "http://127.0.0.1:1/", "--after-warm-up", "--server-log", str(log)])
    timer = threading.Timer(3.0, lambda: log.write_text(f"warm-up of gan: 1.0 s\n{WARM_UP_DONE}: 5 s\n"))
    timer.start()
    start = time.perf_counter()
    with load_setting(args, "test-load-") as (url, proc, _, _):
        waited = time.perf_counter() - start
    timer.join()
    assert url == "http://127.0.0.1:1" and proc is None
    assert waited >= 2.5


def test_the_progress_line_counts_failures_apart_from_explained_messages():
    """A class's progress line: a busy server's explained message is not counted as a failure (it used to read
    "66 not ok" in a run with no failed call)."""
    from bench.load_class import Call, progress_line

    calls = [Call("/saliency_pick", "light", 1, 0.0, end=0.1),
             Call("/saliency_explain", "heavy", 2, 0.0, end=1.0, outcome="explained"),
             Call("/saliency_explain", "heavy", 3, 0.0, end=1.0, outcome="explained"),
             Call("/gan_play", "heavy", 4, 0.0, end=121.0, outcome="timeout"),
             Call("/gan_sample", "light", 5, 0.0, end=0.2, outcome="unexplained")]
    line = progress_line(30, calls)
    assert "5 calls, 2 failed, 2 explained messages" in line and line.strip().startswith("30 s:")
