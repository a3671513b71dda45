"""Resident pages: landing, states, every kind rendered accessibly, drafts, validation, conditions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.surveys.models import SurveyResponse
from tests.surveys.answer_helpers import page1, page2, qs, responses_and_answers


@pytest.fixture
def survey(create_survey):
    return create_survey()


def url(survey, n=None):
    base = f"/s/{survey.consultation.public_id}"
    return base if n is None else f"{base}/page/{n}"


def test_landing_states_purpose_anonymity_and_branding(client, db, survey):
    survey.consultation.summary = {"nb": "Vi vil høre fra deg"}
    survey.consultation.closes_at = now_utc() + timedelta(days=10)
    db.session.commit()
    response = client.get(url(survey) + "?lang=en")
    assert response.status_code == 200
    html = response.text
    assert "Parkering i Bjerke" in html
    assert "Vi vil høre fra deg" in html
    assert "Your answers are anonymous" in html
    assert "Open until" in html
    assert f'href="{url(survey, 1)}"' in html
    assert ">Start<" in html
    assert "Bydel Bjerke" in html  # the organisation's branding in the header
    assert 'data-brand-primary="#2a2859"' in html


@pytest.mark.parametrize("state", [ConsultationState.DRAFT, ConsultationState.SCHEDULED])
def test_draft_and_scheduled_surveys_are_not_found(client, create_survey, state):
    survey = create_survey(state=state)
    assert client.get(url(survey)).status_code == 404
    assert client.get(url(survey, 1)).status_code == 404
    assert client.post(url(survey, 1), data=page1(survey)).status_code == 404


def test_unknown_public_id_is_404(client, survey):
    assert client.get("/s/does-not-exist").status_code == 404


def test_invited_only_survey_refuses_the_public_link(client, create_survey):
    survey = create_survey(access=Access.INVITED)
    response = client.get(url(survey) + "?lang=en")
    assert response.status_code == 403
    assert "only for invited residents" in response.text
    assert client.post(url(survey, 1), data=page1(survey)).status_code == 403


@pytest.mark.parametrize("closed_by", ["state", "date"])
def test_closed_survey_is_gone_and_keeps_typed_values(client, db, survey, closed_by):
    if closed_by == "state":
        survey.consultation.state = ConsultationState.CLOSED
    else:
        survey.consultation.closes_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(url(survey) + "?lang=en").status_code == 410
    q = qs(survey)
    response = client.post(url(survey, 1) + "?lang=en", data=page1(survey, **{f"q{q[0].id}": "c2"}))
    assert response.status_code == 410
    assert "has closed" in response.text
    assert "What you wrote" in response.text
    assert "Nei" in response.text
    assert responses_and_answers(db) == (0, 0)


def test_each_page_renders_fully_with_accessible_markup(client, survey):
    q = qs(survey)
    first = client.get(url(survey, 1) + "?lang=en")
    assert first.status_code == 200
    html = first.text
    assert "<html" in html
    assert "Page 1 of 2" in html
    assert '<progress max="2" value="1"' in html
    assert html.count("<fieldset") == 3
    assert html.count("<legend>") == 3
    assert f'type="radio" id="q{q[0].id}-0" name="q{q[0].id}" value="c1"' in html
    assert f'<label for="q{q[0].id}-other">' in html  # the "other" text box has its own label
    assert f'type="checkbox" id="q{q[1].id}-0"' in html
    assert "Svært vanskelig" in html
    assert "Svært lett" in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html
    assert 'autocomplete="off"' in html
    assert 'aria-hidden="true"' in html
    assert 'value="next"' in html
    assert 'value="back"' not in html

    second = client.get(url(survey, 2) + "?lang=en")
    html = second.text
    assert second.status_code == 200
    assert "Page 2 of 2" in html
    assert f'<label for="q{q[3].id}">' in html
    assert 'maxlength="80"' in html
    assert f'<textarea id="q{q[4].id}"' in html
    assert 'maxlength="2000"' in html
    assert f'id="q{q[5].id}"' not in html  # number question: its condition (car = yes) is not met
    assert 'type="date"' in html
    assert 'min="1950-01-01"' in html
    assert 'max="2030-12-31"' in html
    assert html.count('class="rank-select"') == 3
    assert "Choose position" in html
    assert f'id="q{q[8].id}-lat"' in html
    assert f'id="q{q[8].id}-lon"' in html
    assert "Describe the place (optional)" in html
    assert "/vendor/leaflet.js" in html
    assert "/static/js/map_question.js" in html
    assert 'value="submit"' in html
    assert 'value="back"' in html


@pytest.mark.parametrize("n", [0, 3, 99])
def test_wrong_page_numbers_are_404(client, survey, n):
    assert client.get(url(survey, n)).status_code == 404
    assert client.post(url(survey, n), data={"action": "next"}).status_code == 404


def test_validation_errors_keep_values_and_are_announced(client, db, survey):
    q = qs(survey)
    data = page1(survey, **{f"q{q[1].id}": ["c1", "c2", "c3"], f"q{q[2].id}": ""})
    response = client.post(url(survey, 1) + "?lang=en", data=data)
    assert response.status_code == 422
    html = response.text
    assert 'class="error-summary"' in html
    assert "There are 2 problems on this page" in html
    assert f'href="#q{q[1].id}-0"' in html  # the summary links to the field
    assert "Choose at most 2 options." in html
    assert "Choose a point on the scale." in html
    assert f'aria-describedby="q{q[1].id}-hint q{q[1].id}-error"' in html
    assert f'id="q{q[1].id}-2" name="q{q[1].id}" value="c3" checked' in html  # what was typed is kept
    # The draft is stored too, so a reload shows the same values.
    reloaded = client.get(url(survey, 1))
    assert 'value="c3" checked' in reloaded.text
    assert f'name="q{q[0].id}" value="c1" checked' in reloaded.text


def test_public_draft_lives_behind_a_signed_cookie_and_only_its_hash_is_stored(client, app, db, survey):
    response = client.post(url(survey, 1), data=page1(survey))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(survey, 2))
    cookie = client.get_cookie(f"civic_draft_{survey.id}", path=url(survey))
    assert cookie is not None
    assert cookie.http_only
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.draft_key_hash
    assert len(stored.draft_key_hash) == 64
    assert stored.draft_key_hash not in cookie.value
    # Another browser (no cookie) starts empty; a tampered cookie is ignored rather than trusted.
    other = app.test_client()
    assert "checked" not in other.get(url(survey, 1)).text
    other.set_cookie(f"civic_draft_{survey.id}", cookie.value[:-2] + "xx", path=url(survey))
    assert "checked" not in other.get(url(survey, 1)).text


def test_back_and_save_store_the_draft_without_checking(client, db, survey):
    q = qs(survey)
    client.post(url(survey, 1), data=page1(survey))
    response = client.post(url(survey, 2), data={f"q{q[3].id}": "x" * 95, "action": "back"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(survey, 1))
    saved = client.post(
        url(survey, 2) + "?lang=en",
        data={f"q{q[4].id}": "Halvferdig", "action": "save"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Your answers are saved" in saved.text
    assert "Halvferdig" in saved.text
    draft = db.session.scalars(select(SurveyResponse)).one().draft_data
    assert draft[f"q{q[4].id}"] == ["Halvferdig"]
    assert f"q{q[3].id}" not in draft  # the page was saved again without the short text


def test_condition_from_an_earlier_page_shows_the_question(client, survey):
    q = qs(survey)
    client.post(url(survey, 1), data=page1(survey))  # car: yes
    assert f'id="q{q[5].id}"' in client.get(url(survey, 2)).text
    client.post(url(survey, 1), data=page1(survey, **{f"q{q[0].id}": "c2"}))  # car: no
    assert f'id="q{q[5].id}"' not in client.get(url(survey, 2)).text


def test_hidden_question_value_is_dropped_on_submit(client, db, survey):
    q = qs(survey)
    client.post(url(survey, 1), data=page1(survey, **{f"q{q[0].id}": "c2"}))
    response = client.post(url(survey, 2), data=page2(survey, **{f"q{q[5].id}": "99"}))
    assert response.status_code == 303  # 99 would be invalid, but the question does not apply
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert q[5].id not in {a.question_id for a in stored.answers}
    assert f"q{q[5].id}" not in stored.draft_data


def test_unknown_question_field_is_refused_and_nothing_stored(client, db, survey):
    response = client.post(url(survey, 1) + "?lang=en", data=page1(survey, q999999="x"))
    assert response.status_code == 422
    assert "not on this page" in response.text
    assert responses_and_answers(db) == (0, 0)


def test_question_from_another_page_is_refused(client, db, survey):
    q = qs(survey)
    assert client.post(url(survey, 1), data=page1(survey, **{f"q{q[3].id}": "x"})).status_code == 422
    assert responses_and_answers(db) == (0, 0)


def test_unknown_choice_key_is_refused_and_nothing_stored(client, db, survey):
    q = qs(survey)
    response = client.post(url(survey, 1) + "?lang=en", data=page1(survey, **{f"q{q[0].id}": "c99"}))
    assert response.status_code == 422
    assert "does not exist" in response.text
    assert responses_and_answers(db) == (0, 0)


def test_oversized_values_are_refused(client, app, db, survey):
    q = qs(survey)
    response = client.post(url(survey, 2), data=page2(survey, **{f"q{q[4].id}": "x" * 25_000}))
    assert response.status_code == 422
    assert responses_and_answers(db) == (0, 0)
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    assert client.post(url(survey, 2), data=page2(survey, **{f"q{q[4].id}": "x" * 15_000})).status_code == 413


def test_same_page_condition_is_live_for_scripts_and_reasked_without_them(client, db, survey):
    q = qs(survey)
    # Move the number question onto page 1 so its condition is on the same page.
    q[5].section = survey.sections[0]
    q[5].position = 9
    db.session.commit()
    html = client.get(url(survey, 1) + "?lang=en").text
    assert f'data-condition-question="{q[0].id}" data-condition-keys="c1"' in html
    assert f'id="question-{q[5].id}"' in html
    assert "hidden" in html.split(f'id="question-{q[5].id}"')[1][:200]
    # Without JavaScript the resident picks "yes" and presses Next: the page comes back with the new question.
    shown = f"{q[0].id} {q[1].id} {q[2].id}"
    response = client.post(url(survey, 1) + "?lang=en", data=page1(survey, shown=shown))
    assert response.status_code == 200
    assert "Your answer added a question" in response.text
    assert "Answer this only if you chose “Ja”" in response.text
    again = client.post(
        url(survey, 1), data=page1(survey, shown=shown + f" {q[5].id}", **{f"q{q[5].id}": "1"})
    )
    assert again.status_code == 303


def test_page_text_follows_the_resident_language(client, survey):
    html = client.get(url(survey, 1) + "?lang=en").text
    assert "About you" in html  # section title in English
    assert "Does your household have a car?" in html
    assert "Har husstanden din bil?" in client.get(url(survey, 1) + "?lang=nb").text
