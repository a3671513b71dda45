"""The sign-in forms and the language switch fuzzed with hypothesis: login, forgot password, reset password.

Never a 500; the answer never echoes a submitted script unescaped; a fuzzed login never logs anybody in; the
language switch never sends the visitor off the site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from civic.accounts import password_links
from tests.security.fuzzing import (
    FUZZ_SETTINGS,
    NASTY,
    assert_escaped,
    assert_no_server_error,
    field_names,
    form_data,
    values,
)


def _fuzz(client, page: str, action: str, baseline: dict, check=None) -> None:
    names = field_names(client.get(page).text)

    @FUZZ_SETTINGS
    @given(data=form_data(names, baseline), query=st.dictionaries(st.sampled_from(["next", "lang"]), values))
    def post_anything(data, query):
        response = client.post(action, data=data, query_string=query)
        assert_no_server_error(response, f"POST {action} {data!r}"[:500])
        assert_escaped(response.get_data(as_text=True), f"POST {action}")
        if check is not None:
            check(response)

    post_anything()


def _stays_on_site(response) -> None:
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        assert not parts.scheme, location
        assert not parts.netloc, location
        assert location.startswith("/"), location
        assert not location.startswith("//"), location
        assert not any(ord(ch) < 0x20 or ch == "\\" for ch in location), location


def test_login_survives_fuzzing(client, planner):
    def never_logged_in(response):
        assert response.status_code != 303 or response.headers["Location"] == "/manage/consultations/"
        assert client.get("/manage/consultations/").status_code == 302  # no fuzzed input logs anyone in

    _fuzz(client, "/manage/login", "/manage/login", {"email": planner.email, "password": "wrong"}, never_logged_in)


def test_forgot_password_survives_fuzzing(client, planner):
    _fuzz(client, "/manage/password/forgot", "/manage/password/forgot", {"email": planner.email}, _stays_on_site)


def test_reset_password_survives_fuzzing(app, client, planner, db):
    token = password_links.make_token(app.config["SECRET_KEY"], planner)
    path = f"/manage/password/reset/{token}"
    _fuzz(client, path, path, {"password": "x", "confirm": "y"})
    for bad in ("forged", "x" * 3000, *[n for n in NASTY if n and "\x00" not in n and "/" not in n][:8]):
        response = client.post(f"/manage/password/reset/{bad}", data={"password": "a" * 20, "confirm": "a" * 20})
        assert_no_server_error(response, f"reset with token {bad[:20]!r}")


def test_language_switch_survives_fuzzing(client):
    _fuzz(client, "/", "/language", {"lang": "en", "next": "/"}, _stays_on_site)
