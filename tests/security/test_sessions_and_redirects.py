"""Session fixation (a session set up before login does not carry over; copied cookies die at logout) and open
redirects (login's ``next``, the language switch's ``next``, a hearing's return path: only paths on this site)."""

from __future__ import annotations

import pytest
from werkzeug.http import parse_cookie

from civic.core.urls import safe_local_path
from tests.fixtures.accounts import PASSWORD

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: owned=1",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "http:evil.example",
    "/" + "a" * 5000,
]
ON_SITE = ["/", "/s/abc/page/2", "/h/abc?sort=newest#comments", "/manage/consultations/"]


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_refused(target):
    assert safe_local_path(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", ON_SITE)
def test_paths_on_this_site_are_kept(target):
    assert safe_local_path(target, "/fallback") == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(client, planner, target):
    response = client.post(
        "/manage/login", query_string={"next": target}, data={"email": planner.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/manage/consultations/"


def test_login_follows_a_local_next(client, planner):
    response = client.post(
        "/manage/login", query_string={"next": "/manage/staff"}, data={"email": planner.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/manage/staff"


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_hearing_return_path_stays_in_the_hearing(app):
    from civic.hearings.views.votes import safe_next

    for target in [*OFF_SITE, "/s/other-survey", "/h/abc/../../manage"]:
        assert safe_next(target, "abc") is None, target
    assert safe_next("/h/abc/s/3?sort=newest", "abc") == "/h/abc/s/3?sort=newest"


def test_a_session_from_before_login_does_not_survive_it(client, planner):
    """Whatever an attacker planted in the visitor's session (or the visitor had) is gone once they log in."""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["_user_id"] = "999:0"
    before = _session_cookie(client)
    response = client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert response.status_code == 303
    after = _session_cookie(client)
    assert after
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == planner.get_id()


def test_the_cookie_from_before_login_stays_anonymous(app, client, planner):
    """Session fixation with cookie sessions: the attacker's copy of the pre-login cookie is not logged in."""
    client.get("/manage/login")
    with client.session_transaction() as session:
        session["planted"] = "x"
    fixed = _session_cookie(client)
    client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    attacker = app.test_client()
    attacker.set_cookie("session", fixed)
    response = attacker.get("/manage/consultations/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manage/login")


def test_a_copied_cookie_dies_at_logout(app, client, planner, db):
    client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert client.get("/manage/consultations/").status_code == 200
    stolen = _session_cookie(client)
    assert client.post("/manage/logout").status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/manage/consultations/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manage/login")
    # and the owner can log in again at once
    client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert client.get("/manage/consultations/").status_code == 200


def test_session_cookie_flags(app, client, planner):
    response = client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "path"} <= flags
    assert parse_cookie(header).get("session")
    assert "samesite=lax" in header.lower()
