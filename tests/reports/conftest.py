"""Crafted submitted responses for the results tests (rows written directly, as the answering flow would)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from civic.surveys.models import Answer, Question, QuestionKind, ResponseState, Survey, SurveyResponse

DAY1 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
#: 23:30 UTC on the 21st is already the 22nd in Oslo (CET, UTC+1).
LATE = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
DAY3 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example","klikk")'


@pytest.fixture(autouse=True)
def english(client) -> None:
    """Ask for English pages, so assertions do not depend on the bokmål catalogue."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def make_response(
    session: Session,
    survey: Survey,
    answers: dict[int, dict],
    *,
    state: ResponseState = ResponseState.SUBMITTED,
    submitted_at: datetime | None = DAY1,
    **segments: str,
) -> SurveyResponse:
    """Add one response with typed answers: ``answers`` maps question id to Answer fields."""
    response = SurveyResponse(
        survey_id=survey.id,
        state=state,
        submitted_at=submitted_at if state == ResponseState.SUBMITTED else None,
        **segments,
    )
    response.answers = [Answer(question_id=qid, **fields) for qid, fields in answers.items()]
    session.add(response)
    session.flush()
    return response


@pytest.fixture
def add_response(db) -> Callable[..., SurveyResponse]:
    """Add one response to the test database (see make_response)."""
    return functools.partial(make_response, db.session)


@pytest.fixture
def seeded(db, create_survey) -> Survey:
    """Ten submitted responses with known numbers, two drafts and an archived question."""
    survey = create_survey()
    seed_responses(db.session, survey)
    db.session.commit()
    return survey


def seed_responses(session: Session, survey: Survey) -> None:
    """Write the crafted data set the tests' numbers are computed from."""
    add_response = functools.partial(make_response, session)
    q = survey.questions
    archived = Question(
        survey=survey,
        section=survey.sections[0],
        position=9,
        kind=QuestionKind.SHORT_TEXT,
        text={"nb": "Gammelt spørsmål"},
        is_archived=True,
    )
    session.add(archived)
    session.flush()
    scale = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5]
    numbers = [0, 1, 1, 2, 2, 2, 3, 4, 10, None]
    dates = [date(2020, 1, 15)] * 3 + [date(2020, 3, 1)] * 2 + [date(2021, 3, 5)] * 5
    long_texts = ["Parkering er vanskelig om kvelden" if i % 3 == 0 else f"Innspill nummer {i}" for i in range(10)]
    long_texts[7] = "+47 12345678"
    for i in range(10):
        if i < 5:
            single = {"choice_keys": ["c1"]}
        elif i < 8:
            single = {"choice_keys": ["c2"]}
        else:
            single = {"choice_keys": ["other"], "text": "Har sykkel" if i == 8 else "Bor i sentrum"}
        answers = {
            q[0].id: single,
            q[1].id: {"choice_keys": ["c1", "c2"] if i < 6 else ["c3"]},
            q[2].id: {"number": scale[i]},
            q[3].id: {"text": FORMULA if i == 9 else f"Gate {i}"},
            q[4].id: {"text": long_texts[i]},
            q[6].id: {"date_value": dates[i]},
            q[7].id: {"choice_keys": ["c1", "c2", "c3"] if i < 6 else ["c2", "c1", "c3"]},
            q[8].id: {"lat": 59.93 + 0.001 * i, "lon": 10.8 + 0.001 * i},
        }
        if numbers[i] is not None:
            answers[q[5].id] = {"number": numbers[i]}
        if i == 0:
            answers[archived.id] = {"text": "Svar på arkivert spørsmål"}
        submitted_at = DAY1 if i < 4 else LATE if i < 7 else DAY3
        add_response(
            survey,
            answers,
            submitted_at=submitted_at.replace(minute=i),
            district="Årvoll" if i < 6 else "Linderud",
            age_band="18-29" if i % 2 == 0 else "30-44",
            household_type="family_with_children" if i < 5 else "single",
        )
    add_response(survey, {q[3].id: {"text": "utkast"}}, state=ResponseState.DRAFT, district="Årvoll")
    add_response(survey, {}, state=ResponseState.DRAFT, district="Linderud")
