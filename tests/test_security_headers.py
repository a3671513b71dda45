"""Security headers on resident and staff pages, and CSRF protection when it is switched on."""

from __future__ import annotations

import re

import pytest

from civic.accounts.models import Role
from tests.fixtures.accounts import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _assert_hardened(response) -> None:
    csp = _csp(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    assert "data:" not in script_src
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"] or response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Personal-link tokens live in URLs, so nothing of the URL may leak to other sites.
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")


def test_resident_pages_are_hardened(client, create_survey):
    survey = create_survey()
    response = client.get(f"/s/{survey.consultation.public_id}")
    assert response.status_code == 200
    _assert_hardened(response)
    _assert_hardened(client.get("/s/does-not-exist"))  # error pages too


def test_staff_pages_are_hardened(client, logged_in_planner):
    response = client.get("/manage/consultations/")
    assert response.status_code == 200
    _assert_hardened(response)
    _assert_hardened(client.get("/manage/login"))
    _assert_hardened(client.get("/manage/password/forgot"))


def test_pages_have_no_inline_script(client, logged_in_planner):
    response = client.get("/manage/consultations/")
    assert response.status_code == 200
    page = response.text
    for tag in re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S):
        assert tag.strip() == ""
    assert not re.search(r"\son[a-z]+=", page)


# --- CSRF, with protection on as in production (the other tests switch it off) ---


@pytest.fixture
def app_config(app_config, request):
    if "csrf_on" in request.fixturenames:
        return {**app_config, "WTF_CSRF_ENABLED": True}
    return app_config


@pytest.fixture
def csrf_on(app):
    assert app.config["WTF_CSRF_ENABLED"] is True


def _token(client, path: str) -> str:
    match = CSRF_FIELD.search(client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def _login(client, user) -> None:
    token = _token(client, "/manage/login")
    response = client.post(
        "/manage/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303


def test_login_without_csrf_token_is_refused(csrf_on, client, planner):
    response = client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/manage/consultations/").status_code == 302
    _login(client, planner)
    assert client.get("/manage/consultations/").status_code == 200


def test_staff_form_needs_csrf_token(csrf_on, client, create_staff, organisation, db):
    admin = create_staff(Role.ADMIN)
    _login(client, admin)
    form = {
        "name": "Forged",
        "parent_name": "",
        "contact_email": "",
        "primary_color": "#003366",
        "accent_color": "#1f42aa",
    }
    assert client.post("/manage/organisation", data=form).status_code == 400
    assert client.post("/manage/organisation", data={**form, "csrf_token": "forged"}).status_code == 400
    db.session.refresh(organisation)
    assert organisation.name == "Bydel Bjerke"

    token = _token(client, "/manage/organisation")
    assert client.post("/manage/organisation", data={**form, "csrf_token": token}).status_code == 303
    db.session.refresh(organisation)
    assert organisation.name == "Forged"


def test_htmx_requests_carry_the_token_in_a_header(csrf_on, client, create_staff, db):
    admin = create_staff(Role.ADMIN)
    planner = create_staff(Role.PLANNER)
    _login(client, admin)
    page = client.get("/manage/staff").text
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    url = f"/manage/staff/{planner.id}/role"
    headers = {"HX-Request": "true"}
    assert client.post(url, data={"role": "viewer"}, headers=headers).status_code == 400
    ok = client.post(url, data={"role": "viewer"}, headers={**headers, "X-CSRFToken": header_token})
    assert ok.status_code == 200
    db.session.refresh(planner)
    assert planner.role == Role.VIEWER
