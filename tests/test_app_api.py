"""The launched app as a whole through its API: every public endpoint named after a tab and documented readably,
an API page that needs no internet, a server that keeps serving after bad input. Each tab's endpoints are in
tests/test_<topic>_api.py."""
from tests.api_helpers import error_text, session_client


def test_every_public_endpoint_is_documented_with_readable_names(client):
    """The endpoints are read from the app: each named after a registered tab, each tab with some, readable labels
    (tests/registry_checks.py; a new tab gets this check from its registry line)."""
    from registry_checks import endpoint_problems

    from demos import load_tabs

    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert len(endpoints) >= 40  # the six tabs' actions (the README lists each)
    assert endpoint_problems(endpoints, [tab.TOPIC for tab in load_tabs()]) == []


def test_the_api_page_example_needs_no_internet(app_url):
    import httpx

    info = httpx.get(f"{app_url}/gradio_api/info", timeout=30).text
    assert "githubusercontent" not in info and "https://" not in info.replace(app_url, "")


def test_the_server_keeps_serving_after_bad_input(client):
    def soften(index, temperature=4.0):
        return client.predict(index, None, False, temperature, False, api_name="/distillation_soften")

    for _ in range(3):
        error_text(lambda: soften(-1))
    assert "Entropy" in soften(7, temperature=2.0)[4]


def live_jobs(name: str) -> list:
    from core import heavy

    with heavy.TURNS._changed:
        return [job for job in heavy.TURNS._live if job.name.endswith(name)]


def test_a_heavy_call_its_student_cancelled_stops_instead_of_running_to_its_end(app_url):
    """Issue 21: a plain heavy call (a distillation training) went on after its student gave up, ahead of everyone
    else's jobs (Gradio cancels the call's task, not the thread running it). It now stops at its next epoch."""
    import time

    student = session_client(app_url)
    job = student.submit(3.7, 0.85, 30, 100, "3", 5, api_name="/distillation_train")  # 30 epochs: 31 steps
    deadline = time.monotonic() + 60
    while not (training := live_jobs("distillation.ui.train")) or training[0].steps < 2:
        assert time.monotonic() < deadline, "the training never started"
        time.sleep(0.05)
    job.cancel()
    while live_jobs("distillation.ui.train"):
        assert time.monotonic() < deadline + 60
        time.sleep(0.05)
    assert training[0].steps < 20  # stopped a few epochs after the cancel (it ran all 31 before)
    assert student.predict(4.0, None, False, 2.0, False, api_name="/distillation_soften")  # the app goes on serving


def test_a_heavy_click_on_a_busy_server_is_told_so_at_once_in_its_language(app_url, monkeypatch):
    """Issue 21: when the heavy work in line could not finish in time, a new heavy click is answered at once with
    the wait (it waited past 120 s for nothing before); the light actions and a later heavy click still work."""
    import time

    from core import heavy

    monkeypatch.setattr(heavy.TURNS, "busy_seconds", 60)
    monkeypatch.setitem(heavy.TURNS.cost, "a long training", 600.0)
    someone = heavy.TURNS.job("a long training")  # ten minutes of someone else's work in line
    try:
        student = session_client(app_url, headers={"Accept-Language": "zh-TW"})
        started = time.monotonic()
        text = error_text(lambda: student.predict(4.2, 0.9, 2, 3, "none", 1, api_name="/distillation_train"))
        assert "伺服器正忙" in text and "請一分鐘後再試" in text and time.monotonic() - started < 10
        assert not live_jobs("distillation.ui.train")  # it never started
        assert student.predict(4.0, None, False, 2.0, False, api_name="/distillation_soften")
    finally:
        heavy.TURNS.done(someone)
    assert session_client(app_url).predict(4.2, 0.9, 2, 3, "none", 1, api_name="/distillation_train")


def test_a_busy_server_still_answers_what_is_in_its_memo(app_url, monkeypatch):
    """A class told to click the same settings (or the paper's preset, trained by the warm-up): the answer comes from
    the memo at no cost, so the door lets it in however long the line; it turned such clicks away as "busy"."""
    from core import heavy
    from demos.distillation import ui

    settings = (4.3, 0.9, 2, 3, "none", 1)
    assert session_client(app_url).predict(*settings, api_name="/distillation_train")  # the line empty: trained
    paper = [ui.PAPER[key] for key in ui.TRAIN_INPUTS]
    ui.run_training(ui.read_config(*paper, lang="en"))  # what the warm-up does (at once if it has run)
    monkeypatch.setattr(heavy.TURNS, "busy_seconds", 60)
    monkeypatch.setitem(heavy.TURNS.cost, "a long training", 600.0)
    someone = heavy.TURNS.job("a long training")
    try:
        student = session_client(app_url, headers={"Accept-Language": "zh-TW"})
        for asked in (settings, paper):  # the same request as one answered; a request the probe finds in the memo
            timing = student.predict(*asked, api_name="/distillation_train")[3]
            assert "快取結果" in timing
        text = error_text(lambda: student.predict(4.4, 0.9, 2, 3, "none", 1, api_name="/distillation_train"))
        assert "伺服器正忙" in text  # new work still waits its turn
    finally:
        heavy.TURNS.done(someone)
