"""Consultation use cases: create, edit and move through draft → scheduled → open → closed → published."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.consultations.models import (
    Access,
    Consultation,
    ConsultationKind,
    ConsultationState,
    ConsultationStateChange,
)
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc

S = ConsultationState
# Which manual transitions a planner may make.
ALLOWED_TRANSITIONS: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.SCHEDULED, S.OPEN}),
    S.SCHEDULED: frozenset({S.DRAFT, S.OPEN}),
    S.OPEN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.OPEN, S.PUBLISHED}),
    S.PUBLISHED: frozenset(),
}


def create_consultation(
    session: Session,
    organisation: Organisation,
    *,
    actor: StaffUser | None,
    kind: ConsultationKind,
    title: dict[str, str],
    summary: dict[str, str] | None = None,
    body: dict[str, str] | None = None,
    languages: list[str] | None = None,
    access: Access = Access.PUBLIC,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    """Create a draft consultation."""
    _check_dates(opens_at, closes_at)
    if not any(title.values()):
        raise InvalidInputError(_("A title is required."))
    consultation = Consultation(
        organisation=organisation,
        public_id=secrets.token_urlsafe(12),
        kind=kind,
        title=title,
        summary=summary or {},
        body=body or {},
        languages=languages or ["nb"],
        access=access,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=actor.id if actor else None,
    )
    session.add(consultation)
    session.flush()
    return consultation


def update_consultation(session: Session, consultation: Consultation, **fields: Any) -> Consultation:
    """Edit texts, access and dates; dates are checked against each other and the state."""
    opens_at = fields.get("opens_at", consultation.opens_at)
    closes_at = fields.get("closes_at", consultation.closes_at)
    _check_dates(opens_at, closes_at)
    if consultation.state == S.PUBLISHED:
        raise StateError(_("Published consultations can no longer be edited."))
    for name, value in fields.items():
        setattr(consultation, name, value)
    session.flush()
    return consultation


def change_state(
    session: Session,
    consultation: Consultation,
    to_state: ConsultationState,
    *,
    actor: StaffUser | None,
    now: datetime | None = None,
) -> Consultation:
    """Move a consultation to ``to_state`` if the rules allow it, and log the change."""
    now = now or now_utc()
    current = ConsultationState(consultation.state)
    if to_state not in ALLOWED_TRANSITIONS[current]:
        raise StateError(
            _(
                "A consultation that is %(current)s cannot be made %(target)s.",
                current=state_label(current),
                target=state_label(to_state),
            )
        )
    if to_state == S.SCHEDULED and (consultation.opens_at is None or consultation.opens_at <= now):
        raise StateError(_("Set an opening date in the future before scheduling."))
    if to_state == S.OPEN and consultation.closes_at is not None and consultation.closes_at <= now:
        raise StateError(_("The closing date has passed. Move it to the future before opening."))
    if to_state == S.OPEN and current == S.DRAFT and consultation.opens_at and consultation.opens_at > now:
        consultation.opens_at = now  # opened early by hand: the record should show when it really opened
    _record(session, consultation, to_state, actor=actor, now=now)
    return consultation


def apply_schedule(session: Session, *, now: datetime | None = None) -> tuple[int, int]:
    """Open scheduled consultations whose time has come and close expired ones; return (opened, closed)."""
    now = now or now_utc()
    to_open = session.scalars(
        select(Consultation).where(Consultation.state == S.SCHEDULED, Consultation.opens_at <= now)
    ).all()
    for consultation in to_open:
        _record(session, consultation, S.OPEN, actor=None, now=now)
    to_close = session.scalars(
        select(Consultation).where(
            Consultation.state == S.OPEN, Consultation.closes_at.is_not(None), Consultation.closes_at <= now
        )
    ).all()
    for consultation in to_close:
        _record(session, consultation, S.CLOSED, actor=None, now=now)
    return len(to_open), len(to_close)


def state_label(state: ConsultationState | str) -> str:
    """Return the translated name of a state."""
    labels = {
        S.DRAFT: _("draft"),
        S.SCHEDULED: _("scheduled"),
        S.OPEN: _("open"),
        S.CLOSED: _("closed"),
        S.PUBLISHED: _("results published"),
    }
    return labels[ConsultationState(state)]


def _record(
    session: Session, consultation: Consultation, to_state: ConsultationState, *, actor: StaffUser | None, now: datetime
) -> None:
    session.add(
        ConsultationStateChange(
            consultation=consultation,
            from_state=consultation.state,
            to_state=to_state,
            actor_id=actor.id if actor else None,
            at=now,
        )
    )
    consultation.state = to_state
    session.flush()


def _check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise InvalidInputError(_("The closing date must be after the opening date."))
