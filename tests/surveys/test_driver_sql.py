"""DriverStatement gives what SQLAlchemy would: the same values, SQLAlchemy's errors, and visible statements.

On PostgreSQL it runs on psycopg's cursor; on SQLite through SQLAlchemy. Both passes of the suite run these.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from civic.core.driver_sql import DriverStatement
from civic.surveys.models import SurveyResponse
from tests.fixtures.app import TEST_DATABASE_URI

RESPONSES = SurveyResponse.__table__
INSERT = DriverStatement(insert(RESPONSES).returning(RESPONSES.c.id, RESPONSES.c.draft_data, RESPONSES.c.started_at))
BY_KEY = DriverStatement(
    select(RESPONSES.c.id, RESPONSES.c.state, RESPONSES.c.draft_data, RESPONSES.c.updated_at).where(
        RESPONSES.c.draft_key_hash == bindparam("key")
    )
)


def _row(survey_id: int, key: str, when: datetime) -> dict:
    return {
        "survey_id": survey_id,
        "draft_key_hash": key,
        "state": "draft",
        "survey_version": 1,
        "locale": "nn",
        "draft_data": {"q1": ["c2"], "q9": ["Ved skolen, ærlig talt"]},
        "age_band": "",
        "district": "",
        "household_type": "",
        "started_at": when,
        "submitted_at": None,
        "updated_at": when,
    }


def test_values_come_back_as_sqlalchemy_gives_them(db, create_survey):
    survey = create_survey()
    # A time given in another zone is stored as UTC, and read back as an aware UTC datetime (UTCDateTime).
    when = datetime(2026, 11, 24, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    connection = db.session.connection()
    response_id, draft, started = INSERT.first(connection, _row(survey.id, "k1", when))
    assert draft == {"q1": ["c2"], "q9": ["Ved skolen, ærlig talt"]}  # JSON in, a dict out
    assert started == when
    assert started.tzinfo == UTC

    found = BY_KEY.first(connection, {"key": "k1"})
    core = tuple(connection.execute(BY_KEY.statement, {"key": "k1"}).one())
    assert found == core == (response_id, "draft", draft, when)
    assert found[3].tzinfo == UTC
    assert BY_KEY.first(connection, {"key": "none such"}) is None


def test_a_text_statement_returns_its_row(db):
    statement = DriverStatement(text("SELECT :a + 1, :b"))
    assert statement.first(db.session.connection(), {"a": 41, "b": "x"}) == (42, "x")


def test_listeners_see_the_statement(db, create_survey):
    row = _row(create_survey().id, "k2", datetime.now(UTC))
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        INSERT.first(db.session.connection(), row)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(seen) == 1
    assert seen[0].startswith("INSERT INTO survey_responses")


def test_a_driver_error_is_raised_as_sqlalchemy_error(db, create_survey):
    survey = create_survey()
    connection = db.session.connection()
    INSERT.first(connection, _row(survey.id, "same", datetime.now(UTC)))
    with pytest.raises(IntegrityError):  # the unique response key, as SQLAlchemy would report it
        INSERT.first(connection, _row(survey.id, "same", datetime.now(UTC)))
    db.session.rollback()


@pytest.mark.skipif(TEST_DATABASE_URI.startswith("sqlite"), reason="a server connection to lose: PostgreSQL only")
def test_a_lost_connection_is_invalidated_and_replaced(app, db):
    connection = db.session.connection()
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.engine.connect() as other:  # another pooled connection: the session holds its own
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    with pytest.raises(OperationalError) as raised:  # what the 503 page (retry) is shown for
        BY_KEY.first(connection, {"key": "k"})
    assert raised.value.connection_invalidated
    db.session.rollback()
    assert BY_KEY.first(db.session.connection(), {"key": "k"}) is None  # a new connection from the pool
