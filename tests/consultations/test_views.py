"""Consultation planner pages: list, create (survey), detail with state actions, edit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import Consultation, ConsultationState, ConsultationStateChange
from civic.surveys.models import Survey

NEW = "/manage/surveys/new"


def _form(**overrides):
    data = {
        "languages": ["nb", "en"],
        "title_nb": "Parkering i Bjerke",
        "title_en": "Parking in Bjerke",
        "summary_nb": "Si din mening",
        "access": "public",
        "opens_at": "2030-01-15T10:00",
        "closes_at": "2030-06-15T10:00",
    }
    data.update(overrides)
    return data


@pytest.fixture
def consultation(db, logged_in_planner, client) -> Consultation:
    response = client.post(NEW, data=_form())
    assert response.status_code == 303
    return db.session.scalars(select(Consultation)).one()


def test_create_survey_consultation_converts_oslo_time_and_creates_survey(db, client, logged_in_planner):
    response = client.post(NEW, data=_form(title_nn="Parkering i Bjerke (nn)"))
    assert response.status_code == 303
    consultation = db.session.scalars(select(Consultation)).one()
    survey = db.session.scalars(select(Survey)).one()
    assert response.headers["Location"] == f"/manage/surveys/{survey.id}"
    assert survey.consultation_id == consultation.id
    assert len(survey.sections) == 1
    assert survey.sections[0].questions == []
    assert consultation.kind == "survey"
    assert consultation.state == ConsultationState.DRAFT
    assert consultation.languages == ["nb", "en"]
    # nn was not chosen, so its text is dropped.
    assert consultation.title == {"nb": "Parkering i Bjerke", "en": "Parking in Bjerke"}
    assert consultation.created_by_id == logged_in_planner.id
    # Winter: Oslo is UTC+1; summer: UTC+2.
    assert consultation.opens_at == datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2030, 6, 15, 8, 0, tzinfo=UTC)


def test_create_with_bad_input_is_422_and_keeps_values(db, client, logged_in_planner):
    response = client.post(
        NEW,
        data=_form(
            title_nb="", title_en="Keep me", opens_at="2030-06-15T10:00", closes_at="2030-01-01T10:00"
        ),
    )
    assert response.status_code == 422
    assert "Write a title in Bokmål." in response.text
    assert "The closing time must be after the opening time." in response.text
    assert 'value="Keep me"' in response.text
    assert 'value="2030-06-15T10:00"' in response.text
    assert db.session.scalars(select(Consultation)).all() == []


def test_create_needs_a_language(db, client, logged_in_planner):
    response = client.post(NEW, data=_form(languages=[]))
    assert response.status_code == 422
    assert "Choose at least one language." in response.text


def test_viewer_sees_but_cannot_create_or_change(db, client, auth, create_staff, consultation):
    auth.logout()
    viewer = create_staff(Role.VIEWER)
    auth.login(viewer)
    assert client.get(NEW).status_code == 403
    page = client.get(f"/manage/consultations/{consultation.id}")
    assert page.status_code == 200
    assert 'name="to_state"' not in page.text
    response = client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "open"})
    assert response.status_code == 403
    assert client.get(f"/manage/consultations/{consultation.id}/edit").status_code == 403


def test_list_shows_state_names_from_state_label_and_dates(db, client, consultation):
    consultation.state = ConsultationState.PUBLISHED
    db.session.commit()
    response = client.get("/manage/consultations/")
    assert response.status_code == 200
    # The stored value is "published"; the label comes from consultations.services.state_label.
    assert 'class="badge state-published">results published<' in response.text
    assert "Parking in Bjerke" in response.text  # the English UI shows the English title
    assert "Opens" in response.text
    assert "New survey" in response.text


def test_detail_shows_public_link_state_actions_and_log(db, client, consultation):
    response = client.get(f"/manage/consultations/{consultation.id}")
    assert response.status_code == 200
    assert f'href="/s/{consultation.public_id}"' in response.text
    assert 'value="scheduled"' in response.text
    assert 'value="open"' in response.text
    assert 'value="closed"' not in response.text
    assert "No changes yet." in response.text
    assert f"/manage/surveys/consultation/{consultation.id}" in response.text


def test_state_change_without_js_redirects_and_logs(db, client, consultation, logged_in_planner):
    response = client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "open"})
    assert response.status_code == 303
    db.session.refresh(consultation)
    assert consultation.state == ConsultationState.OPEN
    change = db.session.scalars(select(ConsultationStateChange)).one()
    assert (change.from_state, change.to_state, change.actor_id) == ("draft", "open", logged_in_planner.id)
    page = client.get(f"/manage/consultations/{consultation.id}")
    assert "draft → open" in page.text
    assert logged_in_planner.name in page.text
    assert 'value="closed"' in page.text  # now it can be closed


def test_state_change_with_htmx_returns_the_state_fragment(db, htmx_client, consultation):
    response = htmx_client.post(
        f"/manage/consultations/{consultation.id}/state", data={"to_state": "scheduled"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="consultation-{consultation.id}-state"' in response.text
    assert "HX-Request" in response.headers.get("Vary", "")
    db.session.refresh(consultation)
    assert consultation.state == ConsultationState.SCHEDULED


def test_refused_state_change_is_409_with_message(db, client, htmx_client, consultation):
    response = client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "published"})
    assert response.status_code == 409
    assert "cannot be made" in response.text
    assert "<html" in response.text
    fragment = htmx_client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "closed"})
    assert fragment.status_code == 409
    assert "<html" not in fragment.text
    assert 'role="alert"' in fragment.text
    db.session.refresh(consultation)
    assert consultation.state == ConsultationState.DRAFT
    assert db.session.scalars(select(ConsultationStateChange)).all() == []


def test_schedule_needs_future_opening(db, client, consultation):
    consultation.opens_at = None
    db.session.commit()
    response = client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "scheduled"})
    assert response.status_code == 409
    assert "opening date in the future" in response.text


def test_unknown_state_is_400(client, consultation):
    response = client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "exploded"})
    assert response.status_code == 400


def test_edit_shows_local_time_and_saves(db, client, consultation):
    page = client.get(f"/manage/consultations/{consultation.id}/edit")
    assert page.status_code == 200
    assert 'value="2030-01-15T10:00"' in page.text  # stored 09:00 UTC, shown in Oslo time
    response = client.post(
        f"/manage/consultations/{consultation.id}/edit",
        data=_form(title_en="New title", access="invited", opens_at="", closes_at=""),
    )
    assert response.status_code == 303
    db.session.refresh(consultation)
    assert consultation.title["en"] == "New title"
    assert consultation.access == "invited"
    assert consultation.opens_at is None


def test_edit_bad_input_keeps_values(db, client, consultation):
    response = client.post(
        f"/manage/consultations/{consultation.id}/edit", data=_form(title_en="", summary_nb="Kept")
    )
    assert response.status_code == 422
    assert "Write a title in English." in response.text
    assert "Kept" in response.text
    db.session.refresh(consultation)
    assert consultation.title["en"] == "Parking in Bjerke"


def test_published_consultation_cannot_be_edited(db, client, consultation):
    consultation.state = ConsultationState.PUBLISHED
    db.session.commit()
    response = client.post(f"/manage/consultations/{consultation.id}/edit", data=_form(title_en="Changed"))
    assert response.status_code == 409
    assert "Published consultations can no longer be edited." in response.text


def test_other_organisation_gets_404(db, client, auth, consultation, create_organisation, create_staff):
    other = create_organisation(slug="grorud", name="Bydel Grorud")
    outsider = create_staff(Role.ADMIN, email="admin@grorud.example", org=other)
    auth.logout()
    auth.login(outsider)
    assert client.get(f"/manage/consultations/{consultation.id}").status_code == 404
    assert client.get(f"/manage/consultations/{consultation.id}/edit").status_code == 404
    assert (
        client.post(f"/manage/consultations/{consultation.id}/state", data={"to_state": "open"}).status_code
        == 404
    )
    assert client.get(f"/manage/surveys/consultation/{consultation.id}").status_code == 404
    assert "Parking" not in client.get("/manage/consultations/").text
