"""Login: sessions that expire, and an account lock after repeated failed passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner

from civic.accounts import services
from civic.accounts.models import Role, StaffUser
from civic.core.timeutils import now_utc
from tests.fixtures.accounts import PASSWORD

PROTECTED = "/manage/consultations/"
WRONG = "not the right password"


def test_login_page_links_to_password_reset(client):
    response = client.get("/manage/login")
    assert 'href="/manage/password/forgot"' in response.text


def test_login_makes_a_permanent_session_cookie(client, auth, planner, app):
    response = auth.login(planner)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie
    assert "HttpOnly" in cookie
    assert app.permanent_session_lifetime == timedelta(hours=8)


def _shift_session_clock(monkeypatch, seconds: int) -> None:
    """Make Flask's signed session cookie look ``seconds`` older than it is."""
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)


def test_session_still_valid_within_lifetime(client, auth, planner, monkeypatch):
    auth.login(planner)
    _shift_session_clock(monkeypatch, 7 * 3600)
    assert client.get(PROTECTED).status_code == 200


def test_expired_session_is_logged_out(client, auth, planner, monkeypatch):
    auth.login(planner)
    assert client.get(PROTECTED).status_code == 200
    # The server checks the cookie's signed timestamp against PERMANENT_SESSION_LIFETIME (8 hours).
    _shift_session_clock(monkeypatch, 8 * 3600 + 60)
    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manage/login")


@pytest.fixture
def clock(monkeypatch):
    """Move the accounts services' clock: ``clock.advance(minutes=…)``."""

    class Clock:
        now = now_utc()

        def advance(self, **delta) -> None:
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(services, "now_utc", lambda: c.now)
    return c


def _fail(auth, user: StaffUser, times: int):
    response = None
    for _ in range(times):
        response = auth.login(user, password=WRONG)
    return response


def test_five_failures_lock_the_account_even_for_the_right_password(client, auth, planner, clock, db):
    response = _fail(auth, planner, 4)
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.text
    response = _fail(auth, planner, 1)
    assert response.status_code == 429
    assert "locked for 15 more minutes" in response.text
    clock.advance(minutes=5)
    response = auth.login(planner)
    assert response.status_code == 429
    assert "locked for 10 more minutes" in response.text
    assert client.get(PROTECTED).status_code == 302
    db.session.refresh(planner)
    assert planner.locked_until is not None


def test_lock_ends_after_fifteen_minutes(client, auth, planner, clock, db):
    _fail(auth, planner, 5)
    clock.advance(minutes=15, seconds=1)
    assert auth.login(planner).status_code == 303
    assert client.get(PROTECTED).status_code == 200
    db.session.refresh(planner)
    assert planner.locked_until is None
    assert planner.failed_login_count == 0


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(auth, planner, clock):
    _fail(auth, planner, 4)
    clock.advance(minutes=16)
    assert _fail(auth, planner, 4).status_code == 200
    assert auth.login(planner).status_code == 303


def test_a_successful_login_resets_the_counter(auth, planner, clock):
    _fail(auth, planner, 4)
    assert auth.login(planner).status_code == 303
    auth.logout()
    assert _fail(auth, planner, 4).status_code == 200
    assert auth.login(planner).status_code == 303


def test_lock_is_per_account(auth, planner, create_staff, clock):
    other = create_staff(Role.VIEWER)
    _fail(auth, planner, 5)
    assert auth.login(other, password=PASSWORD).status_code == 303


def test_unknown_address_gets_the_plain_error(auth, client):
    response = client.post("/manage/login", data={"email": "nobody@bjerke.example", "password": WRONG})
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.text


def test_login_redirect_explains_itself_with_a_translatable_message(client):
    response = client.get(PROTECTED + "?lang=en", follow_redirects=True)
    assert "Please log in to see this page." in response.text
    assert "Please log in to access this page." not in response.text  # Flask-Login's untranslatable default
