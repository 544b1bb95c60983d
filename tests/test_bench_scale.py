"""bench/scale.py's paper: a student's demand and the replicas a class needs, checked against the arithmetic."""
import math

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
