"""Brute force on staff login: a per-address rate limit (credential stuffing across many accounts) and a
per-account lock (one account guessed from many addresses), and answers that do not tell accounts apart."""

from __future__ import annotations

import pytest

from civic.accounts import password_links, services
from tests.fixtures.accounts import PASSWORD

LOGIN = "/manage/login"
PROTECTED = "/manage/consultations/"


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_login_attempts_are_limited_per_client_address(app, limits_on, planner, english_ui):
    attacker = _from(app, "203.0.113.7")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [
        attacker.post(LOGIN, data={"email": f"person{i}@bjerke.example", "password": "guess"}).status_code
        for i in range(limit)
    ]
    assert statuses == [200] * limit  # wrong password, form shown again
    refused = attacker.post(LOGIN, data={"email": planner.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert attacker.get(PROTECTED).status_code == 302  # the right password did not log in either
    colleague = _from(app, "198.51.100.20")
    assert colleague.post(LOGIN, data={"email": planner.email, "password": PASSWORD}).status_code == 303


def test_an_account_guessed_from_many_addresses_is_locked(app, limits_on, planner, db, english_ui):
    for i in range(services.MAX_FAILED_LOGINS):
        _from(app, f"192.0.2.{i + 1}").post(LOGIN, data={"email": planner.email, "password": f"guess {i}"})
    owner = _from(app, "198.51.100.20")
    response = owner.post(LOGIN, data={"email": planner.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.text
    assert owner.get(PROTECTED).status_code == 302
    db.session.refresh(planner)
    assert planner.locked_until is not None


def test_unknown_and_known_accounts_answer_alike(client, planner, english_ui):
    known = client.post(LOGIN, data={"email": planner.email, "password": "wrong password"})
    unknown = client.post(LOGIN, data={"email": "nobody@bjerke.example", "password": "wrong password"})
    assert known.status_code == unknown.status_code == 200
    assert "Wrong e-mail address or password." in known.text
    assert "Wrong e-mail address or password." in unknown.text


def test_password_reset_form_is_rate_limited(app, limits_on, planner):
    token = password_links.make_token(app.config["SECRET_KEY"], planner)
    attacker = _from(app, "203.0.113.9")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [
        attacker.post(f"/manage/password/reset/{token}", data={"password": "short", "confirm": "x"}).status_code
        for _ in range(limit + 1)
    ]
    assert statuses[-1] == 429
    assert 429 not in statuses[:-1]


@pytest.mark.parametrize("path", ["/manage/password/reset/forged-token", "/manage/password/reset/" + "A" * 3000])
def test_forged_reset_links_are_refused_without_error(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500
