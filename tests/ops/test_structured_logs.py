"""JSON logs in production: one line per request by route rule, and no personal data in any record."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from gunicorn.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.core import logging_setup
from civic.core.logging_setup import redact
from civic.core.tokens import new_token

EMAIL = "kari.nordmann@example.no"
PHONE = "+47 912 34 567"
NATIONAL_ID = "01019012345"


@pytest.fixture
def json_log(app_config, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """The app in JSON log mode (as in production); returns a function giving the lines logged so far."""
    app_config["LOG_FORMAT"] = "json"
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)  # where the handler create_app installs writes
    root = logging.getLogger()
    level = root.level
    request.getfixturevalue("app")
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for handler in [h for h in root.handlers if getattr(h, "civic_json", False)]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_a_request_makes_one_json_line_with_the_route_rule_not_the_token(json_log, app, client):
    lines = json_log
    token = new_token()
    response = client.get(f"/p/{token}", headers={"X-Request-ID": "req-12345678"})
    requests = [line for line in lines() if line["logger"] == "civic.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["message"] == "request"
    assert line["method"] == "GET"
    assert line["route"] == "/p/<token>"
    assert line["status"] == response.status_code
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == "req-12345678" == response.headers["X-Request-ID"]
    assert line["level"] == "INFO"
    assert "time" in line
    assert token not in json.dumps(lines())


def test_an_unmatched_path_is_logged_without_the_path(json_log, app, client):
    lines = json_log
    client.get(f"/no-such-page/{EMAIL}")
    (line,) = [line for line in lines() if line["logger"] == "civic.request"]
    assert line["route"] == "<unmatched>"
    assert line["status"] == 404
    assert EMAIL not in json.dumps(lines())


def test_a_generated_request_id_replaces_an_unsafe_inbound_one(json_log, client):
    response = client.get("/healthz", headers={"X-Request-ID": EMAIL})
    assert response.headers["X-Request-ID"] != EMAIL
    assert len(response.headers["X-Request-ID"]) == 16


def test_a_record_with_personal_data_comes_out_redacted(json_log):
    lines = json_log
    token = new_token()
    log = logging.getLogger("civic.tests.ops")
    log.warning("send to %s / %s, fnr %s, link https://civic.example/p/%s/page/1, raw %s",
                EMAIL, PHONE, NATIONAL_ID, token, token, extra={"recipient": EMAIL})
    (line,) = lines()
    text = json.dumps(line)
    for secret in (EMAIL, PHONE, "912 34 567", NATIONAL_ID, token):
        assert secret not in text
    assert line["message"] == ("send to [email] / [phone], fnr [national-id], "
                               "link https://civic.example/p/[token]/page/1, raw [token]")
    assert line["recipient"] == "[email]"


def test_an_exception_text_is_redacted(json_log):
    lines = json_log
    try:
        raise ValueError(f"duplicate key (email)=({EMAIL})")
    except ValueError:
        logging.getLogger("civic.tests.ops").exception("insert failed")
    (line,) = lines()
    assert "ValueError" in line["exc_info"]
    assert EMAIL not in json.dumps(line)


def test_a_request_log_line_names_the_request_of_records_logged_during_it(json_log, app, client):
    lines = json_log

    @app.get("/ops-test-log")
    def _logs_something():
        logging.getLogger("civic.tests.ops").info("while handling")
        return "ok"

    client.get("/ops-test-log")
    inner, request_line = lines()[-2:]
    assert inner["message"] == "while handling"
    assert inner["request_id"] == request_line["request_id"]


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("ola@example.com wrote", "[email] wrote"),
        ("call 91234567 or 0047 91 23 45 67 or +4741234567", "call [phone] or [phone] or [phone]"),
        ("d-number 410190 12345", "d-number [national-id]"),
        ("GET /h/p/abc?x=1 and /f/join/xyz and /stop/s3cr3t",
         "GET /h/p/[token]?x=1 and /f/join/[token] and /stop/[token]"),
        ("callback?token=abc&x=1", "callback?token=[token]&x=1"),
        ("ref " + "0f" * 32, "ref [token]"),
        # What stays readable: dates, times, durations, counts, ids, task ids, config names.
        ("opens 2026-11-24 12:30:05, took 12.34567891 s, 1234 answers, id 42",
         "opens 2026-11-24 12:30:05, took 12.34567891 s, 1234 answers, id 42"),
        ("Task campaigns.send_batch[3f2b6c1e-1d2a-4b5c-9d8e-7f6a5b4c3d2e] succeeded",
         "Task campaigns.send_batch[3f2b6c1e-1d2a-4b5c-9d8e-7f6a5b4c3d2e] succeeded"),
        ("set CIVIC_SQLALCHEMY_DATABASE_URI", "set CIVIC_SQLALCHEMY_DATABASE_URI"),
    ],
)
def test_redaction(text, redacted):
    assert redact(text) == redacted


def _redact_pattern_by_pattern(text: str) -> str:
    for pattern, replace in (
        (logging_setup._EMAIL, "[email]"),
        (logging_setup._LINK_TOKEN, lambda m: (m.group(1) or m.group(2)) + "[token]"),
        (logging_setup._TOKEN, "[token]"),
        (logging_setup._NATIONAL_ID, "[national-id]"),
        (logging_setup._PHONE, "[phone]"),
    ):
        text = pattern.sub(replace, text)
    return text


# Texts made of the characters the patterns care about, so that near misses are common.
_PIECES = st.sampled_from(
    ["a", "B", "7", "0", "4", "9", " ", "-", "_", ".", "@", "+", "/", "?", "&", "=", "p/", "/p/", "token=", "ex.no",
     "91234567", "410190", "12345", "0047 ", "+47", "Ab3" * 9, "2026-11-24", "3f2b6c1e-1d2a-4b5c-9d8e-7f6a5b4c3d2e"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=24).map("".join))
def test_redaction_skips_a_text_only_when_no_pattern_would_change_it(text):
    assert redact(text) == _redact_pattern_by_pattern(text)


def test_gunicorn_logs_through_the_redacting_json_handler():
    logger = logging_setup.GunicornJsonLogger(Config())
    (handler,) = logger.error_log.handlers
    assert getattr(handler, "civic_json", False)
    assert any(isinstance(f, logging_setup.RedactingFilter) for f in handler.filters)
