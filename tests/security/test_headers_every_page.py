"""Security headers and a CSP without inline script on EVERY GET route of the URL map, as the audience sees it.

Staff pages are fetched as a staff member whose role may open them (the permission matrix's world), resident,
personal-link and report pages anonymously with the public world's sample objects; error pages count too.
"""

from __future__ import annotations

import re

from civic.accounts.models import Role
from tests.security.routes import Access, access_of, rules_of
from tests.test_permission_matrix import _client_as

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", flags=re.S | re.I)
EVENT_HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", flags=re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", flags=re.I)


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name] = sources
    return directives


def hardening_problems(response) -> list[str]:
    """What is missing or too loose in the response's security headers (empty: all good)."""
    problems = []
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    if not script_src:
        problems.append("no script-src")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(script_src):
        problems.append(f"loose script-src {script_src}")
    for directive, expected in (("object-src", ["'none'"]), ("frame-ancestors", ["'none'"]), ("base-uri", ["'self'"])):
        if csp.get(directive) != expected:
            problems.append(f"{directive} is {csp.get(directive)}")
    for header, expected in (
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ):
        if response.headers.get(header) != expected:
            problems.append(f"{header}: {response.headers.get(header)!r}")
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        if any(body.strip() for body in INLINE_SCRIPT.findall(page)):
            problems.append("inline <script>")
        if EVENT_HANDLER_ATTRIBUTE.search(page):
            problems.append("inline event handler attribute")
        if JAVASCRIPT_URL.search(page):
            problems.append("javascript: URL")
    return problems


def _staff_user(app, world, endpoint: str):
    roles = app.view_functions[endpoint].civic_roles
    for role in (Role.ADMIN, Role.PLANNER, Role.MODERATOR, Role.VIEWER):
        if role in roles:
            return world.users[role.value]
    raise AssertionError(f"{endpoint} allows no role")


def test_every_get_page_is_hardened(app, public_world):
    problems, statuses = {}, {}
    for rule in rules_of(app, "GET"):
        access = access_of(app, rule.endpoint)
        path = public_world.path(app, rule)
        if access == Access.STAFF:
            client = _client_as(app, _staff_user(app, public_world.staff, rule.endpoint))
        else:
            client = app.test_client()
        response = client.get(path)
        statuses[path] = response.status_code
        found = hardening_problems(response)
        response.close()
        if response.status_code >= 500:
            found.append(f"status {response.status_code}")
        if found:
            problems[f"GET {path} ({rule.endpoint})"] = found
    assert problems == {}
    # The sample objects must really reach the pages: most answer 200, not an error page.
    ok = sum(1 for status in statuses.values() if status in (200, 204, 302, 303))
    assert ok >= 0.9 * len(statuses), {p: s for p, s in statuses.items() if s >= 400}


def test_error_pages_are_hardened(client):
    for path in ("/s/does-not-exist", "/p/not-a-token", "/r/nothing", "/manage/no-such-page", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert hardening_problems(response) == [], path
    response = client.post("/manage/login", data={"email": "x" * 5000})
    assert hardening_problems(response) == []
