"""Taking a seat in a focus group: by personal link or (public groups) by the group's page, within capacity.

A participant is found by the hash of a key, as hearing participants are. A cookie participant's key is random
and lives in a signed cookie; a link participant's key is derived from the link's token, so the same link always
finds the same participant while nothing stored joins the participant to the invitation. Rejoining (the same
link or cookie, another tab, after a lost connection) finds the same row and never counts against capacity twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Response
from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civic.consultations.models import Access, Consultation, ConsultationState
from civic.core.errors import InvalidInputError, NotAllowedError, StateError
from civic.core.participant_cookie import ParticipantCookie
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.focus_groups.models import FocusGroup, FocusGroupMode, FocusGroupParticipant, SessionState
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation, coarse_day
from civic.outreach.segments import Segment

COOKIE_SALT = "civic-focus-group-participant"
COOKIE = ParticipantCookie(prefix="civic_fg_", salt=COOKIE_SALT)
#: How often a poll may write the participant's last_seen_at ("who is here" on the console needs 60 s).
SEEN_EVERY = timedelta(seconds=30)


class SessionFullError(StateError):
    """The (capacity+1)th newcomer: 409, nothing stored."""


class ForgedCookieError(InvalidInputError):
    status_code = 400


def new_participant_key() -> str:
    """A fresh random key for a cookie participant."""
    return new_token()


def link_participant_key(token: str) -> str:
    """The key of a personal link's participant: the token, domain-separated from hearings' and surveys' keys."""
    return "focus-group-participant:" + token


def find_participant(session: Session, focus_group_id: int, key: str | None) -> FocusGroupParticipant | None:
    if not key:
        return None
    return session.scalar(
        select(FocusGroupParticipant).where(
            FocusGroupParticipant.focus_group_id == focus_group_id,
            FocusGroupParticipant.key_hash == hash_token(key),
        )
    )


def check_can_join(focus_group: FocusGroup, consultation: Consultation, *, now: datetime | None = None) -> None:
    """Raise unless a seat may be taken now: the consultation is open and the session has not finished."""
    if focus_group.state == SessionState.FINISHED or consultation.state != ConsultationState.OPEN:
        raise StateError(_("This focus group has finished. Thank you for your interest."))
    if focus_group.mode == FocusGroupMode.ASYNC and not consultation.is_accepting_responses(now):
        raise StateError(_("This focus group is closed. It no longer takes answers."))


def get_or_create_participant(
    session: Session,
    focus_group: FocusGroup,
    key: str,
    *,
    invited: bool = False,
    segment: Segment | None = None,
) -> FocusGroupParticipant:
    """Return the participant of ``key``, creating it on first use if a seat is free; flushes.

    The group's row is locked (PostgreSQL: FOR NO KEY UPDATE) while seats are counted, so two newcomers cannot
    both take the last seat. A known key never needs a seat: rejoining always works.
    """
    found = find_participant(session, focus_group.id, key)
    if found is not None:
        return found
    # A write that changes nothing takes the group's lock: on PostgreSQL the row's FOR NO KEY UPDATE lock (it does
    # not block inserting participants, answers or polls' reads), on SQLite the database's write lock.
    groups = FocusGroup.__table__
    session.execute(
        update(groups)
        .where(groups.c.id == focus_group.id)
        .values(capacity=groups.c.capacity, updated_at=groups.c.updated_at)
    )
    taken = session.scalar(select(func.count()).where(FocusGroupParticipant.focus_group_id == focus_group.id))
    if (taken or 0) >= focus_group.capacity:
        raise SessionFullError(
            _(
                "This session is full: all %(capacity)d seats are taken. Thank you for your interest.",
                capacity=focus_group.capacity,
            )
        )
    segment = segment or Segment()
    connection = session.connection()
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = FocusGroupParticipant.__table__
    now = now_utc()
    for _attempt in range(20):
        # ON CONFLICT DO NOTHING rather than a savepoint, as hearings do (SQLite savepoints commit on release).
        inserted = connection.execute(
            dialect_insert(table)
            .values(
                focus_group_id=focus_group.id,
                key_hash=hash_token(key),
                pseudonym=_pseudonym(),
                invited=invited,
                age_band=segment.age_band,
                district=segment.district,
                household_type=segment.household_type,
                joined_at=now,
                last_seen_at=now,
            )
            .on_conflict_do_nothing()
            .returning(table.c.id)
        ).scalar()
        found = find_participant(session, focus_group.id, key)
        if found is not None:
            return found  # made now, or by a concurrent first request (a second tab)
        if inserted is None:
            continue  # the pseudonym was taken: draw another
    raise StateError(_("We could not give you a seat. Try again."))


def _pseudonym() -> str:
    # A display name, not a secret; four digits are plenty for a group of at most a few hundred.
    return _("Participant %(number)s", number=1000 + secrets.randbelow(9000))


def join_with_link(session: Session, token: str) -> tuple[FocusGroup, FocusGroupParticipant, str] | None:
    """Resolve a personal link to its focus group's participant; return (group, participant, key) or None.

    None when the token is unknown or not a focus group's. Raises StateError when the group does not take
    participants now (finished) and SessionFullError when a newcomer finds no free seat. Marks the invitation
    opened (the day only).
    """
    invitation = find_invitation(session, token)
    if invitation is None:
        return None
    focus_group = session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == invitation.consultation_id))
    if focus_group is None:
        return None
    key = link_participant_key(token)
    known = find_participant(session, focus_group.id, key)
    if known is None:
        check_can_join(focus_group, focus_group.consultation)
        segment = Segment.of(invitation)
        known = get_or_create_participant(session, focus_group, key, invited=True, segment=segment)
    _mark_opened(invitation)
    return focus_group, known, key


def _mark_opened(invitation: Invitation) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = coarse_day(now_utc())


def join_public(session: Session, focus_group: FocusGroup, key: str | None) -> tuple[FocusGroupParticipant, str]:
    """The "take part" button of a public group: the cookie's participant, or a new one; returns (participant, key)."""
    consultation = focus_group.consultation
    known = find_participant(session, focus_group.id, key)
    if known is not None:
        return known, key or ""
    if consultation.access != Access.PUBLIC:
        raise NotAllowedError(
            _("Only invited residents can take part in this focus group. Use the link in your invitation.")
        )
    check_can_join(focus_group, consultation)
    key = new_participant_key()
    return get_or_create_participant(session, focus_group, key), key


def mark_link_invitation_responded(session: Session, key: str, *, now: datetime | None = None) -> None:
    """On a link participant's first answer, mark its invitation responded (the day only), as hearings do."""
    prefix = link_participant_key("")
    if not key.startswith(prefix):
        return
    invitation = find_invitation(session, key.removeprefix(prefix))
    if invitation is not None and invitation.responded_at is None:
        invitation.responded_at = coarse_day(now or now_utc())


def touch_seen(session: Session, participant_id: int, last_seen_at: datetime | None, now: datetime) -> bool:
    """Record that the participant's page is open, at most every SEEN_EVERY; True if it wrote."""
    if last_seen_at is not None and now - last_seen_at < SEEN_EVERY:
        return False
    session.execute(
        update(FocusGroupParticipant).where(FocusGroupParticipant.id == participant_id).values(last_seen_at=now)
    )
    return True


# --- the signed participant cookie --------------------------------------------------------------------------


def cookie_name(public_id: str) -> str:
    return COOKIE.name(public_id)


def participant_key(public_id: str) -> str | None:
    """The key in this group's signed cookie, None if there is none; ForgedCookieError (400) if forged."""
    try:
        return COOKIE.read(public_id)
    except BadSignature:
        raise ForgedCookieError(
            _("Your participant cookie for this focus group was not valid, so we have reset it. Join again.")
        ) from None


def set_participant_cookie(response: Response, public_id: str, key: str) -> Response:
    """Keep the key in a signed, HttpOnly cookie for this group's pages."""
    return COOKIE.set(response, public_id, key)


def forget_participant_cookie(response: Response, public_id: str) -> Response:
    return COOKIE.forget(response, public_id)
