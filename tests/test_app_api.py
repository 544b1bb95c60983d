"""The launched app as a whole through its API: every public endpoint named after a tab and documented readably,
an API page that needs no internet, a server that keeps serving after bad input. Each tab's endpoints are in
tests/test_<topic>_api.py."""
from tests.api_helpers import error_text


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
