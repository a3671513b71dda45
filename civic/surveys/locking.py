"""The response row a resident's post writes: create it as an empty draft, lock it, read back what it holds.

Every post of an answer page locks its response row first and keeps the lock until it commits, so that two
tabs or a double click run one after the other and each reads what the one before committed. The answering
flow then writes the row with one UPDATE (responses.save_draft or responses.submit_response).
Personal links create and lock their row with the link look-up (surveys.personal_links); public links here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.surveys.models import ResponseState, Survey, SurveyResponse

RESPONSES = SurveyResponse.__table__
#: What a lock reads back (see locked_response).
LOCKED_COLUMNS = (RESPONSES.c.id, RESPONSES.c.state, RESPONSES.c.draft_data)
_LOCK = (
    update(RESPONSES)
    .where(RESPONSES.c.id == bindparam("response_id"))
    .values(updated_at=bindparam("now"), locale=bindparam("new_locale"))
    .returning(*LOCKED_COLUMNS)
)


@dataclass
class LockedResponse:
    """The response row this request holds locked until it commits: its id, state and saved draft.

    Plain values read back by the statement that took the lock; the answering flow then writes the row
    with one UPDATE (save_draft or submit_response), never through ORM objects.
    """

    id: int
    state: str
    draft_data: dict[str, list[str]]


def locked_response(row: Any) -> LockedResponse:
    """The values of LOCKED_COLUMNS, as a statement that took the lock returned them."""
    return LockedResponse(id=row[0], state=row[1], draft_data=dict(row[2] or {}))


def new_draft_row(*, survey_id: int, survey_version: int, locale: str, draft_key_hash: str) -> dict[str, Any]:
    """The values of a new, empty draft response; segments are copied from the invitation only on submit."""
    now = now_utc()
    return {
        "survey_id": survey_id,
        "draft_key_hash": draft_key_hash,
        "state": ResponseState.DRAFT.value,
        "survey_version": survey_version,
        "locale": locale,
        "draft_data": {},
        "age_band": "",
        "district": "",
        "household_type": "",
        "started_at": now,
        "submitted_at": None,
        "updated_at": now,
    }


def find_public_response(session: Session, survey: Survey, draft_key: str | None) -> SurveyResponse | None:
    """Return the public-link response whose draft key the resident's cookie holds."""
    if not draft_key:
        return None
    return session.scalars(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.draft_key_hash == hash_token(draft_key)
        )
    ).first()


def create_public_response(session: Session, survey: Survey, *, locale: str) -> tuple[int, str]:
    """Start a public-link response; return its id and the draft key for the cookie (only its hash is stored)."""
    key = new_token()
    response_id = session.connection().scalar(
        insert(RESPONSES).returning(RESPONSES.c.id),
        new_draft_row(
            survey_id=survey.id,
            survey_version=survey.version,
            locale=locale,
            draft_key_hash=hash_token(key),
        ),
    )
    return int(response_id), key


def lock_response(session: Session, response_id: int, *, locale: str) -> LockedResponse:
    """Lock the response row until the transaction ends; return its locked values.

    An UPDATE … RETURNING takes the row lock on PostgreSQL and SQLite's write lock (SQLite ignores
    FOR UPDATE): concurrent submits run one at a time, and each reads what the one before committed.
    """
    row = session.connection().execute(_LOCK, {"response_id": response_id, "now": now_utc(), "new_locale": locale})
    return locked_response(row.one())
