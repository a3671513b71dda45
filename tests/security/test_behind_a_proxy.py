"""Behind a reverse proxy (PROXY_COUNT=1) each resident is told apart by the X-Forwarded-For the proxy sets, so a
guessing client is refused without shutting everyone else out; without PROXY_COUNT the header is not trusted."""

from __future__ import annotations

import pytest

from civic.core.tokens import new_token
from tests.security.test_token_enumeration import GUESS_LIMIT

PROXY = "10.0.0.2"


@pytest.fixture
def app_config(app_config, request):
    if "behind_proxy" in request.fixturenames:
        return {**app_config, "PROXY_COUNT": 1}
    return app_config


@pytest.fixture
def behind_proxy() -> None:
    """Marks a test whose app trusts one proxy."""


def _via_proxy(app, resident: str):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=resident)
    return client


@pytest.mark.usefixtures("behind_proxy")
def test_a_guesser_behind_the_proxy_is_refused_alone(app, limits_on, public_world):
    guesser = _via_proxy(app, "203.0.113.50")
    for _ in range(GUESS_LIMIT):
        assert guesser.get(f"/p/{new_token()}").status_code == 404
    real = public_world.survey["token"]
    assert guesser.get(f"/p/{real}").status_code == 429
    assert _via_proxy(app, "198.51.100.7").get(f"/p/{real}").status_code == 200


def test_without_proxy_count_the_forwarded_address_is_not_trusted(app, limits_on, public_world):
    for _ in range(GUESS_LIMIT):
        assert _via_proxy(app, "203.0.113.50").get(f"/p/{new_token()}").status_code == 404
    # A client cannot escape the limit by making up X-Forwarded-For: the proxy's address is what counts.
    assert _via_proxy(app, "198.51.100.7").get(f"/p/{public_world.survey['token']}").status_code == 429
