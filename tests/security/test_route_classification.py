"""Every route of the URL map has a decided audience (tests/security/routes.py), and each class behaves as such.

A new route without an entry fails here; staff routes are then checked role by role by the permission matrix.
"""

from __future__ import annotations

from civic.extensions import csrf
from tests.security.routes import CSRF_EXEMPT, ROUTE_ACCESS, Access, access_of, rules_of


def test_every_route_is_classified(app):
    unclassified = sorted(
        f"{rule.rule} ({rule.endpoint})" for rule in app.url_map.iter_rules() if access_of(app, rule.endpoint) is None
    )
    assert unclassified == [], (
        "routes with no decided audience: wrap staff views in @staff_required(...) or add the endpoint to "
        "ROUTE_ACCESS in tests/security/routes.py"
    )


def test_classification_has_no_stale_entries(app):
    assert sorted(set(ROUTE_ACCESS) - set(app.view_functions)) == []
    assert sorted(set(CSRF_EXEMPT) - set(app.view_functions)) == []


def test_no_route_is_both_staff_only_and_public(app):
    both = [e for e in ROUTE_ACCESS if getattr(app.view_functions.get(e), "civic_roles", None)]
    assert both == []


def test_manage_prefix_is_only_for_staff(app):
    """Everything under /manage is staff-only or the sign-in pages; nothing for residents hides there."""
    wrong = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/manage") and access_of(app, rule.endpoint) not in (Access.STAFF, Access.STAFF_SIGN_IN)
    ]
    assert wrong == []


def test_staff_routes_live_under_manage(app):
    outside = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if access_of(app, rule.endpoint) == Access.STAFF and not rule.rule.startswith("/manage")
    ]
    assert outside == []


def test_only_the_listed_views_skip_csrf(app):
    """A CSRF-exempt view that takes POST must be one whose reason is written down (webhooks, one-click stop)."""
    exempt = set()
    for rule in rules_of(app, "POST"):
        view = app.view_functions[rule.endpoint]
        location = f"{view.__module__}.{view.__name__}"
        blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
        if location in csrf._exempt_views or (blueprint is not None and blueprint in csrf._exempt_blueprints):
            exempt.add(rule.endpoint)
    assert exempt == set(CSRF_EXEMPT)
    assert all(ROUTE_ACCESS[e] in (Access.WEBHOOK, Access.PERSONAL_LINK) for e in exempt)


def test_webhooks_refuse_unsigned_calls(app, client):
    for rule in rules_of(app, "POST"):
        if ROUTE_ACCESS.get(rule.endpoint) == Access.WEBHOOK:
            response = client.post(rule.rule, data={"status": "delivered"}, headers={"X-Civic-Signature": "forged"})
            assert response.status_code in (400, 401, 403), f"{rule.rule} accepted an unsigned call"


def test_public_get_routes_need_no_login(app, public_world):
    """Every non-staff GET route answers an anonymous visitor itself: no redirect to the login page, no crash."""
    checked = 0
    for rule in rules_of(app, "GET"):
        access = access_of(app, rule.endpoint)
        if access in (Access.STAFF, None):
            continue
        path = public_world.path(app, rule)
        response = app.test_client().get(path)
        response.close()  # file responses (static, vendor) hold their file open until closed
        assert response.status_code < 500, f"GET {path} ({access}) -> {response.status_code}"
        location = response.headers.get("Location", "")
        assert "/manage/login" not in location, f"GET {path} -> login"
        checked += 1
    assert checked >= 30
