"""Participants: who may take part in a hearing, and under which pseudonym.

A participant is found by the hash of a key. For an open hearing the key is random and lives in a signed
cookie (views/common.py); through a personal invitation link it is derived from the link's token, so the
same link always finds the same participant while nothing stored joins the participant to the invitation.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civic.consultations.models import Access, Consultation, ConsultationState
from civic.core.errors import NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.hearings.models import Hearing, Participant
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation, coarse_day
from civic.outreach.segments import Segment


def new_participant_key() -> str:
    """A fresh random key for a cookie participant."""
    return new_token()


def link_participant_key(token: str) -> str:
    """The key of the participant who comes through a personal link: the link's token, domain-separated.

    Its hash differs from the link's own hash (outreach.links) and from a survey response's key.
    """
    return "hearing-participant:" + token


def find_participant(session: Session, hearing_id: int, key: str | None) -> Participant | None:
    if not key:
        return None
    return session.scalar(
        select(Participant).where(Participant.hearing_id == hearing_id, Participant.key_hash == hash_token(key))
    )


def get_or_create_participant(
    session: Session, hearing: Hearing, key: str, *, invited: bool = False, segment: Segment | None = None
) -> Participant:
    """Return the participant of ``key``, creating it (with a fresh pseudonym) on first use; flushes."""
    found = find_participant(session, hearing.id, key)
    if found is not None:
        return found
    segment = segment or Segment()
    connection = session.connection()
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for _attempt in range(20):
        # ON CONFLICT DO NOTHING, not a savepoint: on SQLite a savepoint opened by the first write of a
        # request would commit on release, and a later rollback of the request could not undo it.
        inserted = connection.execute(
            dialect_insert(Participant.__table__)
            .values(
                hearing_id=hearing.id,
                key_hash=hash_token(key),
                pseudonym=_pseudonym(),
                invited=invited,
                age_band=segment.age_band,
                district=segment.district,
                household_type=segment.household_type,
                created_at=now_utc(),
            )
            .on_conflict_do_nothing()
            .returning(Participant.__table__.c.id)
        ).scalar()
        found = find_participant(session, hearing.id, key)
        if found is not None:
            return found  # made now, or by a concurrent first request
        if inserted is None:
            continue  # the pseudonym was taken: draw another
    raise StateError(_("We could not register you as a participant. Try again."))


def _pseudonym() -> str:
    # A display name, not a secret: four digits give 9,000 per hearing before retries get frequent.
    return _("Participant %(number)s", number=1000 + secrets.randbelow(9000))


def join_with_link(session: Session, token: str) -> tuple[Invitation, Participant, str] | None:
    """Resolve a personal link to its hearing's participant; return (invitation, participant, key) or None.

    Marks the invitation opened (the day only). Returns None when the token is unknown or not a hearing's.
    """
    invitation = find_invitation(session, token)
    if invitation is None:
        return None
    hearing = session.scalar(select(Hearing).where(Hearing.consultation_id == invitation.consultation_id))
    if hearing is None:
        return None
    key = link_participant_key(token)
    segment = Segment.of(invitation)
    participant = get_or_create_participant(session, hearing, key, invited=True, segment=segment)
    if invitation.opened_at is None:
        invitation.opened_at = coarse_day(now_utc())
    return invitation, participant, key


def check_can_contribute(
    consultation: Consultation, participant: Participant | None, *, now: datetime | None = None
) -> None:
    """Raise unless the hearing accepts contributions now from this participant.

    Open hearings (public access) take anyone with a participant cookie; invited-only hearings only
    participants who came through a personal link.
    """
    if consultation.state != ConsultationState.OPEN or not consultation.is_accepting_responses(now):
        raise StateError(_("This hearing is closed. You can read it, but no longer comment or vote."))
    if consultation.access == Access.INVITED and (participant is None or not participant.invited):
        raise NotAllowedError(
            _("Only invited residents can take part in this hearing. Use the link in your invitation.")
        )


def mark_link_invitation_responded(session: Session, key: str, *, now: datetime | None = None) -> None:
    """On a link participant's first contribution, mark its invitation responded (the day only).

    The key of a link participant holds the link's token (it lives only in the participant's cookie), so the
    invitation is found from the request, never from anything stored with the participant.
    """
    prefix = link_participant_key("")
    if not key.startswith(prefix):
        return
    invitation = find_invitation(session, key.removeprefix(prefix))
    if invitation is not None and invitation.responded_at is None:
        invitation.responded_at = coarse_day(now or now_utc())
