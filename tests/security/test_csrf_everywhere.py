"""Every POST route of the URL map refuses a request without a valid CSRF token (400) and changes nothing, for
residents and staff alike; only the views in CSRF_EXEMPT (signed webhooks, one-click stop) skip the check."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role
from tests.fixtures.accounts import PASSWORD
from tests.security.routes import CSRF_EXEMPT, Access, access_of, rules_of
from tests.test_permission_matrix import _client_as

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _row_counts(db) -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def _client_for(app, world, endpoint: str):
    """Staff routes as an admin or a role that may use them (so a missing token is the only thing wrong)."""
    if access_of(app, endpoint) != Access.STAFF:
        return app.test_client()
    roles = app.view_functions[endpoint].civic_roles
    role = next(r for r in (Role.ADMIN, Role.PLANNER, Role.MODERATOR, Role.VIEWER) if r in roles)
    return _client_as(app, world.users[role.value])


@pytest.mark.parametrize("token", [None, "forged", "ImFiYyI.Zm9yZ2Vk.c2lnbmF0dXJl"])
def test_every_post_without_a_valid_token_is_refused(app, db, csrf_on, public_world, token):
    before = _row_counts(db)
    accepted = {}
    checked = 0
    for rule in rules_of(app, "POST"):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        path = public_world.path(app, rule)
        data = {"body": "Forfalsket innspill", "text": "Forfalsket", "value": "agree", "lang": "en", "role": "admin"}
        if token is not None:
            data["csrf_token"] = token
        for headers in ({}, {"HX-Request": "true", "X-CSRFToken": token or ""}):
            response = _client_for(app, public_world.staff, rule.endpoint).post(path, data=data, headers=headers)
            if response.status_code != 400:
                accepted[f"POST {path} ({rule.endpoint}) {headers}"] = response.status_code
        checked += 1
    assert accepted == {}
    assert checked >= 50
    db.session.expire_all()
    assert _row_counts(db) == before, "a refused request changed the database"


def test_token_of_another_session_is_refused(app, csrf_on, client, public_world):
    """A token is bound to its session: one taken from the attacker's own visit does not work in the victim's."""
    attacker = app.test_client()
    token = CSRF_FIELD.search(attacker.get("/manage/login").text).group(1)
    planner = public_world.staff.users["planner"]
    response = client.post("/manage/login", data={"email": planner.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400


def test_resident_form_accepts_its_own_token(app, csrf_on, client, public_world):
    """The refusals above are the token's doing: the same resident form with its page's token goes through."""
    public_id = public_world.hearing["public_id"]
    page = client.get(f"/h/{public_id}").text
    token = CSRF_FIELD.search(page).group(1)
    form = {"body": "Et ekte innspill om parkering", "accept_rules": "1", "csrf_token": token}
    response = client.post(f"/h/{public_id}/comments", data=form)
    assert response.status_code in (200, 303)
    assert client.post(f"/h/{public_id}/comments", data={"body": "Uten nøkkel"}).status_code == 400
