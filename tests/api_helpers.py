"""Helpers of the API tests (tests/test_*_api.py): a student's client, a sketchpad payload, bad gallery positions, an
error's text, a raw call (gradio_client cannot send NaN)."""
import json

import pytest
from gradio_client import Client, handle_file

from bench.common import near_a_browser


def session_client(url: str, **options) -> Client:
    """A new session's gradio_client, as the class bench's students have it (``bench.common.near_a_browser``): it
    hears each message when it arrives instead of looking every 50 ms, and loads no certificate bundle for the tests'
    plain-http app (54 ms of CPU a call, in the app's process here). ``options``: Client's (headers ...)."""
    return Client(url, verbose=False, **near_a_browser(url), **options)


def drawing_payload(path):
    return {"background": handle_file(path), "layers": [], "composite": handle_file(path), "id": None}


#: gallery positions as an API caller might send them, none a picture's position: words, empty, out of range,
#: fractions (as numbers and as text), None, a bool
BAD_POSITIONS = ["two", "", "-1", "99", 2.5, "2.5", None, True]


def error_text(call) -> str:
    with pytest.raises(Exception) as info:
        call()
    return str(info.value)


def raw_call(app_url, api_name, body: str, headers=None) -> str:
    """POST a hand-written JSON body (gradio_client cannot send NaN) and return the SSE answer."""
    import httpx

    base = f"{app_url}/gradio_api/call/{api_name}"
    headers = {"Content-Type": "application/json", **(headers or {})}
    event_id = httpx.post(base, content=body, headers=headers, timeout=30).json()["event_id"]
    stream = httpx.get(f"{base}/{event_id}", headers=headers, timeout=60).text
    lines = [json.dumps(json.loads(line[6:]), ensure_ascii=False) if line.startswith("data: ") else line
             for line in stream.splitlines()]
    return "\n".join(lines)
