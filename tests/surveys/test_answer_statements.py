"""The resident hot paths stay a handful of SQL statements, however many questions a page has.

Page loads render from the cached survey structure and submissions write with Core statements; an N+1
(one statement per question or choice) or a reload after commit shows up here as a higher count.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from civic.outreach.models import Invitation
from civic.surveys.models import Answer, SurveyResponse
from tests.surveys.answer_helpers import page1, page2


@contextmanager
def counted(db):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def link(db, create_survey, create_invitation):
    survey = create_survey()
    invitation, token = create_invitation(survey.consultation, age_band="30-44", district="Årvoll")
    return survey, invitation, token


def test_personal_page_loads_take_a_few_statements(app, db, link):
    _survey, _invitation, token = link
    client = app.test_client()
    client.get(f"/p/{token}/page/1")  # fills the structure cache; records the first visit
    with counted(db) as statements:
        page = client.get(f"/p/{token}/page/2")
    assert page.status_code == 200
    assert len(statements) <= 3, statements  # link, organisation (no reload of the survey per question)


def test_personal_submission_takes_a_few_statements_and_stores_everything(app, db, link):
    survey, invitation, token = link
    client = app.test_client()
    assert client.post(f"/p/{token}/page/1", data=page1(survey)).status_code == 303
    data = page2(survey)
    with counted(db) as statements:
        response = client.post(f"/p/{token}/page/2", data=data)
    assert response.status_code == 303
    # PostgreSQL: link + lock, then invitation + response + answers. SQLite: link, lock, invitation, response,
    # answers. No delete: nothing was submitted yet.
    expected = 2 if db.engine.dialect.name == "postgresql" else 5
    assert len(statements) == expected, "\n".join(x[:150] for x in statements)
    db.session.expire_all()
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.state == "submitted"
    assert (stored.age_band, stored.district) == ("30-44", "Årvoll")
    assert stored.draft_data  # the draft is stored with the submission
    assert len(db.session.scalars(select(Answer)).all()) == 9
    assert db.session.get(Invitation, invitation.id).responded_at is not None
