"""Shared helpers for the answering tests: field names and valid values for the fixture survey."""

from __future__ import annotations

from sqlalchemy import func, select

from civic.surveys.models import Answer, SurveyResponse


def qs(survey):
    """Return the fixture's questions: single, multiple, scale, short, long, number, date, ranking, map."""
    return survey.questions


def page1(survey, **overrides) -> dict:
    q = qs(survey)
    data = {f"q{q[0].id}": "c1", f"q{q[1].id}": ["c1"], f"q{q[2].id}": "4", "action": "next"}
    data.update(overrides)
    return data


def page2(survey, **overrides) -> dict:
    q = qs(survey)
    data = {
        f"q{q[3].id}": "Refstadveien",
        f"q{q[4].id}": "Flere sykkelstativ",
        f"q{q[5].id}": "2",
        f"q{q[6].id}": "2015-08-01",
        f"q{q[7].id}-c1": "2",
        f"q{q[7].id}-c2": "1",
        f"q{q[7].id}-c3": "3",
        f"q{q[8].id}-lat": "59.9401",
        f"q{q[8].id}-lon": "10.8152",
        f"q{q[8].id}-text": "Ved Refstad skole",
        "action": "submit",
    }
    data.update(overrides)
    return data


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def responses_and_answers(db) -> tuple[int, int]:
    db.session.expire_all()
    return count(db, SurveyResponse), count(db, Answer)

