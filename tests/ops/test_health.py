"""/healthz (process up, touches nothing) and /readyz (database and broker reachable)."""

from __future__ import annotations

import pytest

from civic import create_app
from civic.extensions import limiter
from tests.fixtures.app import _testing_defaults

UNREACHABLE_DATABASE = "postgresql+psycopg://civic@127.0.0.1:1/civic"  # port 1: refused at once
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _app_with(**overrides):
    config = {**_testing_defaults(), **overrides}
    if "broker_url" in overrides:
        config["CELERY"] = {**config["CELERY"], "broker_url": config.pop("broker_url")}
    return create_app(config)


def test_healthz_answers_without_touching_the_database():
    response = _app_with(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_names_an_unreachable_database(caplog):
    response = _app_with(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unavailable", "broker": "ok"}}
    assert response.headers["Retry-After"]
    assert "127.0.0.1:1" not in caplog.text  # the log names the error class, never the URL (it may hold a password)


def test_readyz_names_an_unreachable_broker(app):
    app.config["CELERY"] = {**app.config["CELERY"], "broker_url": UNREACHABLE_BROKER}
    app.extensions["celery"].conf.broker_url = UNREACHABLE_BROKER
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "ok", "broker": "unavailable"}}


def test_probes_set_no_session_cookie_even_with_csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    for path in ("/healthz", "/readyz"):
        response = app.test_client().get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


@pytest.fixture
def default_limit_restored():
    """RATELIMIT_DEFAULT sticks to the process-wide limiter (Flask-Limiter keeps the first default it is given):
    take it off again, or every later test's app would limit every page."""
    yield
    limiter.limit_manager.set_default_limits([])
    limiter.reset()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.usefixtures("default_limit_restored")
def test_probes_are_not_rate_limited(path):
    app = _app_with(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")  # in-memory SQLite: no pool left open
    client = app.test_client()
    assert [client.get(path).status_code for _ in range(5)] == [200] * 5
    # The default limit is real: an ordinary page hits it.
    assert [client.get("/vendor/no-such-file").status_code for _ in range(3)][-1] == 429
