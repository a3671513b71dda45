"""Personal links to a survey: find the invitation behind a token, and lock the response a post writes.

A personal link's token is never stored: its hash finds the invitation (core.tokens.hash_token), and a second,
separate hash finds the response (core.tokens.response_key_hash), so the database does not join an
invitation to its answers. Only a request that holds the token brings the two together, and only for itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from civic.consultations.models import Consultation
from civic.core.driver_sql import DriverStatement
from civic.core.tokens import hash_token, response_key_hash
from civic.outreach.models import Invitation, InvitationLink
from civic.surveys.locking import LOCKED_COLUMNS, RESPONSES, LockedResponse, locked_response, new_draft_row
from civic.surveys.models import Survey, SurveyResponse


def find_personal_link(
    session: Session, token: str
) -> tuple[Invitation, Consultation, Survey | None, SurveyResponse | None] | None:
    """Return the invitation of a personal link with its consultation, survey and this link's response, in one query."""
    row = session.execute(
        select(Invitation, Consultation, Survey, SurveyResponse)
        .join(InvitationLink, InvitationLink.invitation_id == Invitation.id)
        .join(Consultation, Consultation.id == Invitation.consultation_id)
        .outerjoin(Survey, Survey.consultation_id == Consultation.id)
        .outerjoin(SurveyResponse, SurveyResponse.draft_key_hash == response_key_hash(token))
        .where(InvitationLink.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    invitation, consultation, survey, response = row
    if survey is not None:
        set_committed_value(survey, "consultation", consultation)  # the identity map holds it only weakly
    return invitation, consultation, survey, response


@dataclass(frozen=True, slots=True)
class PersonalLink:
    """What a post through a personal link needs, read as plain values in one Core query.

    ``state`` and ``closes_at`` are the consultation's, so Consultation.is_accepting_responses applies.
    ``response_key`` is the hash the link's response is stored under (core.tokens.response_key_hash).
    """

    response_key: str
    invitation_id: int
    age_band: str
    district: str
    household_type: str
    consultation_id: int
    kind: str
    state: str
    closes_at: datetime | None
    survey_id: int | None
    structure_key: str | None
    survey_version: int | None


def find_link_response(session: Session, link: PersonalLink) -> SurveyResponse | None:
    """Return the response of a personal link, if it has one."""
    return session.scalars(select(SurveyResponse).where(SurveyResponse.draft_key_hash == link.response_key)).first()


def lock_personal_link(
    session: Session, token: str, *, locale: str
) -> tuple[PersonalLink, LockedResponse | None] | None:
    """Find a personal link and, if it leads to a survey, create or lock its one response; None for no link.

    The response is locked whenever the link has a survey, before the caller checks that the survey is open:
    a refused post rolls back, and the draft it may have created with it. On PostgreSQL the look-up and the
    lock are one statement (one round trip); elsewhere two.
    """
    connection = session.connection()
    response_key = response_key_hash(token)
    draft = new_draft_row(survey_id=0, survey_version=0, locale=locale, draft_key_hash=response_key)
    if connection.dialect.name == "postgresql":
        parameters = {name: draft[name] for name in _DRAFT_PARAMETERS}
        row = _LINK_AND_LOCK_PG.first(connection, {"token_hash": hash_token(token), **parameters})
        if row is None:
            return None
        link = PersonalLink(response_key, *row[: len(_LINK_COLUMNS)])
        locked = row[len(_LINK_COLUMNS) :]
        return link, (locked_response(locked) if locked[0] is not None else None)
    row = _LINK.first(connection, {"token_hash": hash_token(token)})
    if row is None:
        return None
    link = PersonalLink(response_key, *row)
    if link.survey_id is None:
        return link, None
    draft.update(survey_id=link.survey_id, survey_version=link.survey_version)
    locked = _UPSERT_SQLITE.first(connection, draft)
    assert locked is not None  # an upsert with RETURNING always returns its row
    return link, locked_response(locked)


_invitations, _consultations, _surveys = Invitation.__table__, Consultation.__table__, Survey.__table__
_links = InvitationLink.__table__
# In the order of PersonalLink's fields after response_key.
_LINK_COLUMNS = (
    _invitations.c.id.label("invitation_id"),
    _invitations.c.age_band,
    _invitations.c.district,
    _invitations.c.household_type,
    _consultations.c.id.label("consultation_id"),
    _consultations.c.kind,
    _consultations.c.state,
    _consultations.c.closes_at,
    _surveys.c.id.label("survey_id"),
    _surveys.c.structure_key,
    _surveys.c.version.label("survey_version"),
)
_LINK_QUERY = (
    select(*_LINK_COLUMNS)
    .select_from(_links)
    .join(_invitations, _invitations.c.id == _links.c.invitation_id)
    .join(_consultations, _consultations.c.id == _invitations.c.consultation_id)
    .outerjoin(_surveys, _surveys.c.consultation_id == _consultations.c.id)
    .where(_links.c.token_hash == bindparam("token_hash"))
)
# The statements of a personal-link post run on the driver's cursor (civic.core.driver_sql: why).
_LINK = DriverStatement(_LINK_QUERY)


def _upsert(insert: Any) -> Any:
    """INSERT … ON CONFLICT (draft_key_hash) DO UPDATE … RETURNING the locked values.

    The unique response key means a concurrent request never makes a second row, and the update takes the row
    lock (PostgreSQL) or the write lock (SQLite) until the transaction ends, as locking.lock_response does for
    public-link responses. RETURNING reads the row as the lock found it, so a submit committed meanwhile is seen.
    """
    return insert.on_conflict_do_update(
        index_elements=[RESPONSES.c.draft_key_hash],
        set_={"updated_at": insert.excluded.updated_at, "locale": insert.excluded.locale},
    ).returning(*LOCKED_COLUMNS)


_UPSERT_SQLITE = DriverStatement(_upsert(sqlite.insert(RESPONSES)))

# PostgreSQL: the link look-up and the upsert in one statement. The draft takes its survey and version from the
# link (no row when the link has no survey), the rest from parameters named like the columns (new_draft_row's).
_DRAFT_PARAMETERS = (
    "draft_key_hash",
    "state",
    "locale",
    "draft_data",
    "age_band",
    "district",
    "household_type",
    "started_at",
    "submitted_at",
    "updated_at",
)


def _link_and_lock_pg() -> Any:
    link = _LINK_QUERY.cte("link")
    draft = select(
        link.c.survey_id,
        link.c.survey_version,
        *(bindparam(name, type_=RESPONSES.c[name].type) for name in _DRAFT_PARAMETERS),
    ).where(link.c.survey_id.is_not(None))
    insert = postgresql.insert(RESPONSES).from_select(["survey_id", "survey_version", *_DRAFT_PARAMETERS], draft)
    locked = _upsert(insert).cte("locked")
    return select(*link.c, *locked.c).select_from(link.outerjoin(locked, true()))


_LINK_AND_LOCK_PG = DriverStatement(_link_and_lock_pg())
