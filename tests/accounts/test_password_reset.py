"""Forgot password: a neutral answer, a one-hour single-use e-mailed link, a clear reset form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from civic.accounts import password_links, services
from civic.accounts.models import Role
from civic.core.errors import GoneError
from civic.core.timeutils import now_utc
from civic.extensions import limiter
from tests.fixtures.accounts import PASSWORD
from tests.outreach.helpers import read_outbox, reset_path, text_of

#: A Flask-WTF token (hidden inputs and the htmx header): a signed value whose timestamp changes every second.
CSRF_VALUE = re.compile(r'[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{20,}')

FORGOT = "/manage/password/forgot"
NEW_PASSWORD = "a brand new long password"


def _ask(client, email: str):
    return client.post(FORGOT, data={"email": email}, follow_redirects=True)


def _without_csrf(html: str) -> str:
    return CSRF_VALUE.sub("csrf", html)


def test_forgot_page_renders(client):
    response = client.get(FORGOT)
    assert response.status_code == 200
    assert 'name="email"' in response.text


def test_known_and_unknown_addresses_get_the_same_answer(client, planner, app):
    known = _ask(client, planner.email)
    unknown = _ask(client, "nobody@bjerke.example")
    assert known.status_code == unknown.status_code == 200
    # CSRF tokens carry a timestamp, so two requests may get different ones; the pages must not differ otherwise.
    assert _without_csrf(known.text.replace(planner.email, "X")) == _without_csrf(
        unknown.text.replace("nobody@bjerke.example", "X")
    )
    messages = read_outbox(app.config["OUTBOX_FOLDER"])
    assert [m["To"] for m in messages] == [planner.email]
    assert messages[0]["Subject"] == "Reset your password"
    assert "The link works for one hour." in known.text
    body = text_of(messages[0])
    assert "The link works once, for 1 hour." in body
    assert reset_path(messages[0]) in body


def test_no_mail_for_a_deactivated_account(client, planner, db, app):
    planner.is_active = False
    db.session.commit()
    assert _ask(client, planner.email).status_code == 200
    assert read_outbox(app.config["OUTBOX_FOLDER"]) == []


def test_invalid_address_is_422_and_kept(client):
    response = client.post(FORGOT, data={"email": "not-an-address"})
    assert response.status_code == 422
    assert 'value="not-an-address"' in response.text


def _link_for(client, app, user) -> str:
    _ask(client, user.email)
    return reset_path(read_outbox(app.config["OUTBOX_FOLDER"])[-1])


def test_reset_sets_the_password_and_the_link_works_once(client, auth, planner, app):
    link = _link_for(client, app, planner)
    page = client.get(link)
    assert page.status_code == 200
    assert planner.email in page.text
    assert page.headers["Cache-Control"] == "no-store"
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/login"
    assert auth.login(planner, password=PASSWORD).status_code == 200  # the old password is gone
    assert auth.login(planner, password=NEW_PASSWORD).status_code == 303
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.text


def test_reset_form_errors_are_clear(client, planner, app):
    link = _link_for(client, app, planner)
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "between 12 and 200 characters" in short.text
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 422
    assert "The two passwords are not the same." in mismatch.text


def test_reset_ends_other_sessions(client, auth, planner, app):
    other = app.test_client()
    other.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert other.get("/manage/consultations/").status_code == 200
    link = _link_for(client, app, planner)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other.get("/manage/consultations/").status_code == 302


def test_reset_lifts_a_lock(client, auth, planner, app):
    for _ in range(5):
        auth.login(planner, password="wrong password!")
    assert auth.login(planner).status_code == 429
    link = _link_for(client, app, planner)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert auth.login(planner, password=NEW_PASSWORD).status_code == 303


def test_tampered_link_is_404(client, planner, app):
    link = _link_for(client, app, planner)
    response = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert response.status_code == 404
    assert "not valid" in response.text


def test_link_expires_after_one_hour(client, planner, app, db, monkeypatch):
    link = _link_for(client, app, planner)
    token = link.rsplit("/", 1)[1]
    secret = app.config["SECRET_KEY"]
    in_59_minutes = now_utc() + timedelta(minutes=59)
    assert password_links.load_user(db.session, secret, token, now=in_59_minutes).id == planner.id
    with pytest.raises(GoneError, match="expired"):
        password_links.load_user(db.session, secret, token, now=now_utc() + timedelta(minutes=61))
    monkeypatch.setattr(password_links, "now_utc", lambda: now_utc() + timedelta(minutes=61))
    assert client.get(link).status_code == 410


def test_welcome_links_last_longer_than_reset_links(db, planner, app):
    secret = app.config["SECRET_KEY"]
    token = password_links.make_token(secret, planner, password_links.LinkPurpose.WELCOME)
    later = now_utc() + timedelta(hours=48)
    assert password_links.load_user(db.session, secret, token, now=later).id == planner.id


def test_link_dies_with_deactivation(client, planner, app, db, create_staff):
    link = _link_for(client, app, planner)
    admin = create_staff(Role.ADMIN)
    services.set_active(db.session, planner, False, actor=admin)
    db.session.commit()
    assert client.get(link).status_code == 410


@pytest.fixture
def app_config(app_config, request):
    if "rate_limited" in request.fixturenames:
        return {**app_config, "RATELIMIT_ENABLED": True}
    return app_config


@pytest.fixture
def rate_limited(app):
    limiter.reset()  # the in-memory counts belong to this test alone


def test_forgot_password_is_rate_limited_per_client(rate_limited, client):
    statuses = [_ask(client, f"person{i}@bjerke.example").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_forgot_password_is_rate_limited_per_address(rate_limited, client, planner, app):
    statuses = [client.post(FORGOT, data={"email": planner.email}).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert len(read_outbox(app.config["OUTBOX_FOLDER"])) == 3
    assert client.post(FORGOT, data={"email": "someone.else@bjerke.example"}).status_code == 303
