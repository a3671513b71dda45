"""The composer: full page and htmx fragment, saving (and keeping what was typed on an error), the refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import ConsultationState
from civic.reports.models import Report, ReportState

FRAGMENT_ROOT = 'id="report-compose"'


def _form(**overrides) -> dict:
    data = {
        "compose": "1",
        "sections": ["what_we_heard", "participation", "results", "next_steps"],
        "what_we_heard_nb": "Vi hørte mye om parkering.\n\nOg om skoleveien.",
        "what_we_heard_en": "We heard a lot about parking.",
        "next_steps_nb": "Saken går til bydelsutvalget.",
        "theme": "traffic",
        "breakdown": "age_band",
    }
    data.update(overrides)
    return data


@pytest.fixture
def survey(create_closed_survey):
    return create_closed_survey()


def _report(db, survey) -> Report | None:
    return db.session.scalar(select(Report).where(Report.consultation_id == survey.consultation_id))


def test_compose_page_and_fragment(client, htmx_client, logged_in_planner, survey):
    url = f"/manage/reports/{survey.consultation_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.text
    assert FRAGMENT_ROOT in page.text
    # Sections in page order with the honesty panel always on; a text area per consultation language.
    assert (
        page.text.index('value="what_we_heard"')
        < page.text.index('value="results"')
        < page.text.index('value="next_steps"')
    )
    assert "always shown" in page.text
    for lang in ("nb", "nn", "en"):
        assert f'name="what_we_heard_{lang}"' in page.text
    fragment = htmx_client.get(url)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert FRAGMENT_ROOT in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_viewing_creates_no_report(client, db, logged_in_planner, survey):
    client.get(f"/manage/reports/{survey.consultation_id}")
    client.get("/manage/reports/")
    assert _report(db, survey) is None


def test_save_stores_the_composition(client, db, logged_in_planner, survey):
    response = client.post(f"/manage/reports/{survey.consultation_id}", data=_form(districts=[]))
    assert response.status_code == 303
    report = _report(db, survey)
    assert report.sections == ["what_we_heard", "participation", "results", "next_steps", "honesty"]
    assert report.what_we_heard == {
        "nb": "Vi hørte mye om parkering.\n\nOg om skoleveien.",
        "en": "We heard a lot about parking.",
    }
    assert report.theme == "traffic"
    assert report.breakdown == "age_band"
    assert report.state == ReportState.DRAFT
    assert "Saved." in client.get(response.headers["Location"]).text


def test_save_fragment_says_saved(htmx_client, db, logged_in_planner, survey):
    response = htmx_client.post(f"/manage/reports/{survey.consultation_id}", data=_form())
    assert response.status_code == 200
    assert "<html" not in response.text
    assert FRAGMENT_ROOT in response.text
    assert "Saved." in response.text


def test_validation_error_keeps_everything_typed(client, htmx_client, db, logged_in_planner, survey):
    typed = _form(sections=[], what_we_heard_nn="Vi høyrde mykje.", theme="traffic")
    for sender in (client, htmx_client):
        response = sender.post(f"/manage/reports/{survey.consultation_id}", data=typed)
        assert response.status_code == 422
        assert "Choose at least one section" in response.text
        assert "Vi hørte mye om parkering.\n\nOg om skoleveien.</textarea>" in response.text
        assert "Vi høyrde mykje.</textarea>" in response.text
        assert '<option selected value="traffic">' in response.text
    assert _report(db, survey) is None  # nothing saved


def test_too_long_text_is_refused_in_place(client, logged_in_planner, survey):
    response = client.post(f"/manage/reports/{survey.consultation_id}", data=_form(next_steps_nb="x" * 20_001))
    assert response.status_code == 422
    assert "at most 20000 characters" in response.text


def test_unknown_district_is_refused(client, logged_in_planner, survey):
    response = client.post(f"/manage/reports/{survey.consultation_id}", data=_form(districts=["Atlantis"]))
    assert response.status_code == 422


def test_publishing_an_open_consultation_is_refused_with_409(
    client, htmx_client, db, logged_in_planner, create_closed_survey
):
    survey = create_closed_survey(ConsultationState.OPEN)
    url = f"/manage/reports/{survey.consultation_id}/publish"
    response = htmx_client.post(url, data=_form())
    assert response.status_code == 409
    assert FRAGMENT_ROOT in response.text
    assert "<html" not in response.text
    assert "once the consultation is closed; it is open now" in response.text
    assert "Your changes are saved" in response.text  # what was typed is kept (and stored)
    assert _report(db, survey).state == ReportState.DRAFT
    page = client.post(url)
    assert page.status_code == 409
    assert "<html" in page.text


def test_publishing_without_responses_is_refused_with_422(client, db, logged_in_planner, survey):
    response = client.post(f"/manage/reports/{survey.consultation_id}/publish", data=_form())
    assert response.status_code == 422
    assert "Nobody took part in this consultation" in response.text
    assert _report(db, survey).state == ReportState.DRAFT
    assert client.get(f"/r/{survey.consultation.public_id}").status_code == 404


def test_unpublishing_a_draft_is_refused(client, logged_in_planner, survey):
    response = client.post(f"/manage/reports/{survey.consultation_id}/unpublish")
    assert response.status_code == 409
    assert "The report is not published." in response.text


def test_index_lists_reports_with_their_state(client, logged_in_planner, published, create_closed_survey):
    create_closed_survey()
    page = client.get("/manage/reports/").text
    assert "Published, version 1" in page
    assert "Not started" in page
    assert f'href="/r/{published.consultation.public_id}"' in page


def test_viewer_sees_but_cannot_save(client, auth, create_staff, survey):
    auth.login(create_staff(Role.VIEWER))
    page = client.get(f"/manage/reports/{survey.consultation_id}")
    assert page.status_code == 200
    assert "Save and publish" not in page.text
    assert client.post(f"/manage/reports/{survey.consultation_id}", data=_form()).status_code == 403


def test_other_organisations_report_is_not_found(client, auth, create_organisation, create_staff, survey):
    other = create_organisation(slug="alna", name="Bydel Alna")
    auth.login(create_staff(Role.ADMIN, email="admin@alna.example", org=other))
    assert client.get(f"/manage/reports/{survey.consultation_id}").status_code == 404
    assert client.get(f"/manage/reports/{survey.consultation_id}/preview").status_code == 404
