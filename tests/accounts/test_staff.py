"""Admins manage their organisation's staff: add (with a welcome e-mail), change role, (de)activate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.accounts import services
from civic.accounts.models import Role, StaffUser
from civic.core.errors import NotAllowedError, StateError
from tests.fixtures.accounts import PASSWORD
from tests.outreach.helpers import read_outbox, reset_path, text_of

STAFF = "/manage/staff"


def test_list_shows_only_own_organisation(
    client, logged_in_admin, planner, create_organisation, create_staff
):
    elsewhere = create_organisation(slug="alna", name="Bydel Alna")
    create_staff(Role.PLANNER, email="stranger@alna.example", org=elsewhere)
    response = client.get(STAFF)
    assert response.status_code == 200
    assert planner.email in response.text
    assert logged_in_admin.email in response.text
    assert "stranger@alna.example" not in response.text
    assert f'id="staff-{planner.id}"' in response.text


def test_admin_menu_has_staff_and_organisation(client, logged_in_admin):
    page = client.get(STAFF).text
    assert 'href="/manage/staff"' in page
    assert 'href="/manage/organisation"' in page


def test_planner_has_no_staff_pages(client, logged_in_planner):
    assert client.get(STAFF).status_code == 403
    assert 'href="/manage/staff"' not in client.get("/manage/consultations/").text


def test_add_staff_sends_a_welcome_link_that_sets_the_password(client, auth, logged_in_admin, db, app):
    response = client.post(
        STAFF + "/new", data={"name": "Kari Nordmann", "email": "Kari@Bjerke.example", "role": "moderator"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == STAFF
    kari = db.session.scalars(select(StaffUser).where(StaffUser.email == "kari@bjerke.example")).one()
    assert kari.role == Role.MODERATOR
    assert kari.organisation_id == logged_in_admin.organisation_id
    [mail] = read_outbox(app.config["OUTBOX_FOLDER"])
    assert mail["To"] == "kari@bjerke.example"
    assert "new staff account at Bydel Bjerke" in text_of(mail)
    assert "72 hours" in text_of(mail)
    link = reset_path(mail)

    auth.logout()
    new_password = "kari's own long password"
    assert client.post(link, data={"password": new_password, "confirm": new_password}).status_code == 303
    assert (
        client.post("/manage/login", data={"email": kari.email, "password": new_password}).status_code == 303
    )


def test_add_staff_with_taken_address_keeps_input(client, logged_in_admin, planner, app):
    response = client.post(
        STAFF + "/new", data={"name": "Same Person", "email": planner.email, "role": "viewer"}
    )
    assert response.status_code == 422
    assert "already exists" in response.text
    assert 'value="Same Person"' in response.text
    assert read_outbox(app.config["OUTBOX_FOLDER"]) == []


def test_add_staff_rejects_unknown_role(client, logged_in_admin):
    response = client.post(STAFF + "/new", data={"name": "X", "email": "x@bjerke.example", "role": "owner"})
    assert response.status_code == 422
    assert 'id="role-field"' in response.text
    assert "has-error" in response.text


def test_change_role_full_page(client, logged_in_admin, planner, db):
    response = client.post(f"{STAFF}/{planner.id}/role", data={"role": "viewer"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Test planner is now Viewer." in response.text
    db.session.refresh(planner)
    assert planner.role == Role.VIEWER


def test_change_role_htmx_returns_the_row(htmx_client, logged_in_admin, planner):
    response = htmx_client.post(f"{STAFF}/{planner.id}/role", data={"role": "moderator"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith(f'<tr id="staff-{planner.id}"')
    assert "Test planner is now Moderator." in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_staff_list_full_and_fragment_vary(client, logged_in_admin):
    response = client.get(STAFF)
    assert "<html" in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_change_role_bad_value_is_422(htmx_client, logged_in_admin, planner):
    response = htmx_client.post(f"{STAFF}/{planner.id}/role", data={"role": "emperor"})
    assert response.status_code == 422
    assert "Choose one of the roles" in response.text


def test_admin_cannot_demote_or_deactivate_themself(client, logged_in_admin, db):
    demote = client.post(f"{STAFF}/{logged_in_admin.id}/role", data={"role": "viewer"})
    assert demote.status_code == 403
    assert "your own admin role" in demote.text
    deactivate = client.post(f"{STAFF}/{logged_in_admin.id}/active", data={"active": "0"})
    assert deactivate.status_code == 403
    assert "your own account" in deactivate.text
    db.session.refresh(logged_in_admin)
    assert logged_in_admin.role == Role.ADMIN
    assert logged_in_admin.is_active


def test_last_active_admin_cannot_be_removed(app, db, admin, planner):
    with app.test_request_context(), pytest.raises(StateError, match="last active admin"):
        services.change_role(db.session, admin, Role.PLANNER, actor=planner)
    with app.test_request_context(), pytest.raises(StateError, match="last active admin"):
        services.set_active(db.session, admin, False, actor=planner)
    with app.test_request_context(), pytest.raises(NotAllowedError):
        services.set_active(db.session, admin, False, actor=admin)


def test_admin_can_demote_another_admin(client, logged_in_admin, create_staff, db):
    second = create_staff(Role.ADMIN, email="second@bjerke.example")
    assert client.post(f"{STAFF}/{second.id}/role", data={"role": "planner"}).status_code == 303
    db.session.refresh(second)
    assert second.role == Role.PLANNER


def test_deactivate_ends_sessions_and_reactivation_needs_a_new_login(
    app, client, logged_in_admin, planner, db
):
    planner_client = app.test_client()
    planner_client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert planner_client.get("/manage/consultations/").status_code == 200

    assert client.post(f"{STAFF}/{planner.id}/active", data={"active": "0"}).status_code == 303
    assert planner_client.get("/manage/consultations/").status_code == 302
    refused = planner_client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert refused.status_code == 200

    response = client.post(f"{STAFF}/{planner.id}/active", data={"active": "1"}, follow_redirects=True)
    assert "Test planner can log in again." in response.text
    db.session.refresh(planner)
    assert planner.is_active
    login = planner_client.post("/manage/login", data={"email": planner.email, "password": PASSWORD})
    assert login.status_code == 303


def test_active_needs_a_clear_value(htmx_client, logged_in_admin, planner):
    assert htmx_client.post(f"{STAFF}/{planner.id}/active", data={"active": "maybe"}).status_code == 422


def test_other_organisations_staff_are_404(client, logged_in_admin, create_organisation, create_staff):
    elsewhere = create_organisation(slug="alna", name="Bydel Alna")
    stranger = create_staff(Role.PLANNER, email="stranger@alna.example", org=elsewhere)
    assert client.post(f"{STAFF}/{stranger.id}/role", data={"role": "viewer"}).status_code == 404
    assert client.post(f"{STAFF}/{stranger.id}/active", data={"active": "0"}).status_code == 404
