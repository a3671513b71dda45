"""The public-link submission limit per client address (Flask-Limiter, keyed on a hash of the address)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.surveys.models import SurveyResponse
from tests.surveys.answer_helpers import page1, page2


def public(survey, n):
    return f"/s/{survey.consultation.public_id}/page/{n}"


def answer_all(client, base_page, survey):
    assert client.post(base_page(1), data=page1(survey)).status_code == 303
    return client.post(base_page(2), data=page2(survey))


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "PUBLIC_SUBMIT_RATE_LIMIT": "2 per hour"}


def test_public_submissions_are_rate_limited_per_address(app, db, create_survey):
    survey = create_survey()
    for _ in range(2):
        client = app.test_client()
        assert answer_all(client, lambda n: public(survey, n), survey).status_code == 303
    client = app.test_client()
    blocked = answer_all(client, lambda n: public(survey, n) + "?lang=en", survey)
    assert blocked.status_code == 429
    assert "Too many answers have been sent from your network" in blocked.text
    assert "Page 2 of 2" in blocked.text  # the page comes back with what was typed
    submitted = db.session.scalars(select(SurveyResponse).where(SurveyResponse.state == "submitted")).all()
    assert len(submitted) == 2
    # The blocked resident's answers are kept as a draft, and Next/Back are never limited.
    assert db.session.scalars(select(SurveyResponse).where(SurveyResponse.state == "draft")).one().draft_data
    assert client.post(public(survey, 1), data=page1(survey)).status_code == 303
