"""Submitting: typed answers, personal links (segments, edits), public replays, honeypot, preview."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.core.tokens import response_key_hash
from civic.outreach.models import Invitation, coarse_day
from civic.surveys.models import Answer, SurveyResponse
from tests.surveys.answer_helpers import page1, page2, qs, responses_and_answers


def public(survey, n=None):
    base = f"/s/{survey.consultation.public_id}"
    return base if n is None else f"{base}/page/{n}"


def personal(token, n=None):
    return f"/p/{token}" if n is None else f"/p/{token}/page/{n}"


def answer_all(client, base_page, survey, **page2_overrides):
    assert client.post(base_page(1), data=page1(survey)).status_code == 303
    return client.post(base_page(2), data=page2(survey, **page2_overrides))


def test_public_submit_stores_typed_answers_and_shows_a_receipt(client, db, create_survey):
    survey = create_survey()
    response = answer_all(client, lambda n: public(survey, n), survey)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(public(survey) + "/done")
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.state == "submitted"
    assert stored.submitted_at is not None
    assert stored.survey_version == survey.version
    assert stored.age_band == ""  # a public-link response carries no segment
    by_question = {a.question_id: a for a in stored.answers}
    q = qs(survey)
    assert by_question[q[0].id].choice_keys == ["c1"]
    assert by_question[q[1].id].choice_keys == ["c1"]
    assert by_question[q[2].id].number == 4
    assert by_question[q[3].id].text == "Refstadveien"
    assert by_question[q[5].id].number == 2
    assert by_question[q[6].id].date_value == date(2015, 8, 1)
    assert by_question[q[7].id].choice_keys == ["c2", "c1", "c3"]
    assert (by_question[q[8].id].lat, by_question[q[8].id].lon) == (59.9401, 10.8152)
    receipt = client.get(public(survey) + "/done?lang=en")
    assert receipt.status_code == 200
    assert "Thank you" in receipt.text
    assert "What happens next" in receipt.text
    assert "cannot be changed" in receipt.text
    assert "my-data" not in receipt.text  # a public link has no personal data page


def test_public_replay_after_submit_is_refused(client, db, create_survey):
    survey = create_survey()
    answer_all(client, lambda n: public(survey, n), survey)
    before = responses_and_answers(db)
    replay = client.post(public(survey, 2) + "?lang=en", data=page2(survey))
    assert replay.status_code == 409
    assert "cannot be changed" in replay.text
    assert client.post(public(survey, 1), data=page1(survey)).status_code == 409
    assert responses_and_answers(db) == before
    assert "cannot be changed" in client.get(public(survey) + "?lang=en").text
    assert client.get(public(survey, 1)).status_code == 303


def test_submit_with_gaps_on_an_earlier_page_shows_that_page_and_stores_no_answers(client, db, create_survey):
    survey = create_survey()
    response = client.post(public(survey, 2) + "?lang=en", data=page2(survey))
    assert response.status_code == 422
    assert "Page 1 of 2" in response.text
    assert "Choose an answer." in response.text
    assert f'action="{public(survey, 1)}"' in response.text
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.state == "draft"
    assert stored.answers == []
    assert stored.draft_data  # page 2 is kept for later


def test_personal_link_marks_opened_once_and_copies_the_segment(client, db, create_survey, create_invitation):
    survey = create_survey(access=Access.INVITED)
    invitation, token = create_invitation(
        survey.consultation, age_band="30-44", district="Årvoll", household_type="family_with_children"
    )
    assert client.get(personal(token)).status_code == 200
    db.session.expire_all()
    opened = db.session.get(Invitation, invitation.id).opened_at
    assert opened is not None
    client.get(personal(token, 1))
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).opened_at == opened
    response = answer_all(client, lambda n: personal(token, n), survey)
    assert response.headers["Location"].endswith(personal(token) + "/done")
    stored = db.session.scalars(select(SurveyResponse)).one()
    # The response is stored under a second hash of the token: nothing in the database joins it to the invitation.
    assert stored.draft_key_hash == response_key_hash(token)
    assert db.session.get(Invitation, invitation.id).responded_at == coarse_day(stored.submitted_at)
    assert (stored.age_band, stored.district, stored.household_type) == (
        "30-44",
        "Årvoll",
        "family_with_children",
    )
    assert db.session.get(Invitation, invitation.id).responded_at is not None


def test_personal_link_can_edit_until_closing(client, db, create_survey, create_invitation):
    survey = create_survey()
    survey.consultation.closes_at = now_utc() + timedelta(days=3)
    db.session.commit()
    _invitation, token = create_invitation(survey.consultation)
    answer_all(client, lambda n: personal(token, n), survey)
    first_id = db.session.scalars(select(SurveyResponse.id)).one()
    receipt = client.get(personal(token) + "/done?lang=en").text
    assert "You can change your answers until" in receipt
    assert f'href="{personal(token, 1)}"' in receipt
    assert f'href="/p/{token}/my-data"' in receipt  # the resident's data, to see or delete
    q = qs(survey)
    # Edit: same response row, answers replaced (car: no → the number question disappears).
    assert client.post(personal(token, 1), data=page1(survey, **{f"q{q[0].id}": "c2"})).status_code == 303
    assert (
        client.post(personal(token, 2), data=page2(survey, **{f"q{q[3].id}": "Årvollveien"})).status_code
        == 303
    )
    db.session.expire_all()
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.id == first_id
    by_question = {a.question_id: a for a in stored.answers}
    assert by_question[q[0].id].choice_keys == ["c2"]
    assert by_question[q[3].id].text == "Årvollveien"
    assert q[5].id not in by_question
    assert db.session.scalars(select(Answer)).all().__len__() == len(stored.answers)


def test_personal_link_after_closing_is_gone(client, db, create_survey, create_invitation):
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation)
    answer_all(client, lambda n: personal(token, n), survey)
    survey.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    response = client.get(personal(token) + "?lang=en")
    assert response.status_code == 410
    assert "Your answers were received" in response.text
    assert client.post(personal(token, 1), data=page1(survey)).status_code == 410


@pytest.mark.parametrize(
    ("state", "page", "status"),
    [(ConsultationState.CLOSED, 1, 410), (ConsultationState.SCHEDULED, 1, 404), (ConsultationState.OPEN, 9, 404)],
)
def test_refused_personal_post_leaves_no_draft_behind(
    client, db, create_survey, create_invitation, state, page, status
):
    # The post locks (and so creates) the link's response before the checks; a refusal must roll that back.
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation)
    survey.consultation.state = state
    db.session.commit()
    assert client.post(personal(token, page), data=page1(survey)).status_code == status
    assert responses_and_answers(db) == (0, 0)


def test_refused_personal_post_leaves_the_saved_draft_as_it_was(client, db, create_survey, create_invitation):
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation)
    assert client.post(personal(token, 1) + "?lang=en", data={**page1(survey), "action": "save"}).status_code == 303
    before = db.session.scalars(select(SurveyResponse)).one()
    saved = (before.draft_data, before.locale, before.updated_at)
    survey.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    assert client.post(personal(token, 1) + "?lang=nn", data=page1(survey)).status_code == 410
    db.session.expire_all()
    after = db.session.scalars(select(SurveyResponse)).one()
    assert (after.draft_data, after.locale, after.updated_at) == saved


@pytest.mark.parametrize("token", ["not-a-token", "x" * 32])
def test_tampered_token_is_404(client, create_survey, create_invitation, token):
    survey = create_survey()
    _invitation, real = create_invitation(survey.consultation)
    response = client.get(personal(token) + "?lang=en")
    assert response.status_code == 404
    assert "personal link is not valid" in response.text
    assert (
        client.post(personal(real[:-1] + "A" if real[-1] != "A" else real[:-1] + "B", 1)).status_code == 404
    )


def test_honeypot_discards_silently(client, db, create_survey, caplog):
    survey = create_survey()
    caplog.set_level("INFO", logger="civic.surveys.views.public")
    response = client.post(public(survey, 2), data=page2(survey, website="http://spam.example"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/done")
    assert responses_and_answers(db) == (0, 0)
    assert "honeypot" in caplog.text
    assert "127.0.0.1" not in caplog.text  # no addresses in logs


def test_preview_for_planners_stores_nothing(client, db, create_survey, logged_in_planner):
    survey = create_survey(state=ConsultationState.DRAFT)
    landing = client.get(f"/manage/surveys/{survey.id}/preview?lang=en")
    assert landing.status_code == 200
    assert "Preview — answers are not saved" in landing.text
    page = client.get(f"/manage/surveys/{survey.id}/preview/page/2?lang=en")
    assert page.status_code == 200
    assert "Preview — answers are not saved" in page.text
    q = qs(survey)
    assert f'id="q{q[5].id}"' in page.text  # conditions on earlier pages are shown in a preview
    bad = client.post(
        f"/manage/surveys/{survey.id}/preview/page/1?lang=en", data=page1(survey, **{f"q{q[2].id}": ""})
    )
    assert bad.status_code == 422
    assert "Choose a point on the scale." in bad.text
    good = client.post(f"/manage/surveys/{survey.id}/preview/page/1", data=page1(survey))
    assert good.status_code == 303
    assert good.headers["Location"].endswith("/preview/page/2")
    assert client.post(f"/manage/surveys/{survey.id}/preview/page/2", data=page2(survey)).status_code == 303
    assert responses_and_answers(db) == (0, 0)


def test_preview_is_hidden_from_other_organisations_and_residents(
    app, db, create_survey, create_organisation, create_staff, auth, client
):
    survey = create_survey()
    assert client.get(f"/manage/surveys/{survey.id}/preview").status_code in (302, 401)
    other = create_organisation(slug="other", name="Other kommune")
    stranger = create_staff(Role.PLANNER, email="p@other.example", org=other)
    auth.login(stranger)
    assert client.get(f"/manage/surveys/{survey.id}/preview").status_code == 404
    assert client.get(f"/manage/surveys/{survey.id}/preview/page/1").status_code == 404
