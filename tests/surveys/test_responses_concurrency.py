"""Simultaneous submissions through one personal link store exactly one response with one set of answers.

Runs against a real database file (SQLite in tmp_path) or the PostgreSQL of CIVIC_TEST_DATABASE_URI, with
one thread, one connection and one session per request, as in production.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from civic.core.tokens import response_key_hash
from civic.surveys.models import Answer, SurveyResponse
from tests.fixtures.app import TEST_DATABASE_URI
from tests.surveys.answer_helpers import page1, page2

THREADS = 4


@pytest.fixture
def app_config(app_config, tmp_path):
    if TEST_DATABASE_URI.startswith("sqlite"):
        return {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'concurrency.sqlite'}"}
    return app_config


def _post_together(app, url: str, data: dict) -> list[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data=data).status_code)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def test_database_is_a_real_file_or_server(db):
    assert db.engine.url.database not in (None, "", ":memory:")


def test_simultaneous_first_posts_create_one_response(app, db, create_survey, create_invitation):
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation)
    data = page1(survey)
    db.session.commit()  # end the test's own transaction so it holds no locks

    statuses = _post_together(app, f"/p/{token}/page/1", data)

    assert statuses == [303] * THREADS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert db.session.scalars(select(SurveyResponse.draft_key_hash)).one() == response_key_hash(token)


def test_simultaneous_submits_store_one_set_of_answers(app, db, create_survey, create_invitation):
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation)
    client = app.test_client()
    assert client.post(f"/p/{token}/page/1", data=page1(survey)).status_code == 303
    data = page2(survey)
    db.session.commit()

    statuses = _post_together(app, f"/p/{token}/page/2", data)

    assert statuses == [303] * THREADS  # each one a valid (re)submission of the same response
    db.session.expire_all()
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.state == "submitted"
    answers = db.session.scalars(select(Answer)).all()
    assert len(answers) == 9  # one per question answered, not one set per request
    assert {a.response_id for a in answers} == {response.id}
    assert len({a.question_id for a in answers}) == 9
