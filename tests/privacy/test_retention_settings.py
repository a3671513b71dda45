"""Planners and admins set how long residents' free text is kept; the organisation page shows the same setting."""

from __future__ import annotations

import pytest

from civic.accounts.models import DEFAULT_FREE_TEXT_RETENTION_MONTHS, Role
from civic.consultations.models import ConsultationState

PAGE = "/manage/privacy"


def test_the_default_is_shown_and_a_planner_changes_it(client, db, organisation, logged_in_planner, english_ui):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert f'value="{DEFAULT_FREE_TEXT_RETENTION_MONTHS}"' in page.text
    saved = client.post(PAGE, data={"free_text_retention_months": "6"})
    assert saved.status_code == 303
    assert "The retention period is saved." in client.get(PAGE).text
    db.session.expire_all()
    assert organisation.free_text_retention_months == 6


@pytest.mark.parametrize(
    ("typed", "message"),
    [("0", "from 1 to 120"), ("121", "from 1 to 120"), ("", "Enter a number of months."), ("tolv", "")],
)
def test_bad_values_are_refused_with_a_message(client, db, organisation, logged_in_planner, english_ui, typed, message):
    refused = client.post(PAGE, data={"free_text_retention_months": typed})
    assert refused.status_code == 422
    assert message in refused.text
    assert 'aria-invalid="true"' in refused.text
    db.session.expire_all()
    assert organisation.free_text_retention_months == DEFAULT_FREE_TEXT_RETENTION_MONTHS


def test_viewers_may_not_change_it(client, db, organisation, create_staff, auth):
    auth.login(create_staff(Role.VIEWER))
    assert client.post(PAGE, data={"free_text_retention_months": "1"}).status_code == 403
    db.session.expire_all()
    assert organisation.free_text_retention_months == DEFAULT_FREE_TEXT_RETENTION_MONTHS


def test_the_organisation_page_has_the_setting(client, create_staff, auth, english_ui):
    auth.login(create_staff(Role.ADMIN))
    page = client.get("/manage/organisation")
    assert page.status_code == 200
    assert 'action="/manage/privacy"' in page.text
    assert 'name="free_text_retention_months"' in page.text


def test_the_page_lists_what_is_still_stored(client, db, create_survey, logged_in_planner, english_ui):
    survey = create_survey(state=ConsultationState.CLOSED)
    page = client.get(PAGE)
    assert "Parkering i Bjerke" in page.text
    assert "Nothing has been erased yet." in page.text
    assert survey.consultation.title["nb"] in page.text
