"""Planner use cases for focus groups: create one, change its settings, open it for participants.

A focus group is one consultation (kind ``focus_group``) plus one FocusGroup row. Services flush and never
commit; views commit once. Validation lives here (not only in forms) so the CLI, the demo and tests get the same
rules and messages as the browser.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.consultations.services import change_state, create_consultation, update_consultation
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.focus_groups.models import (
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    Prompt,
    PromptState,
    SessionState,
)

#: Bounds a planner may set; wide enough for real use, narrow enough to catch typos (600 instead of 60).
MIN_DURATION, MAX_DURATION = 10, 8 * 60
MIN_CAPACITY, MAX_CAPACITY = 2, 1000
MIN_ASYNC_DAYS, MAX_ASYNC_DAYS = 1, 60

#: Settings stored on the FocusGroup row (the rest belong to its consultation).
GROUP_FIELDS = ("mode", "starts_at", "duration_minutes", "capacity", "async_days")
CONSULTATION_FIELDS = ("title", "summary", "languages", "access")


def check_settings(
    *,
    mode: FocusGroupMode | str,
    starts_at: datetime | None,
    duration_minutes: int,
    capacity: int,
    async_days: int,
) -> None:
    """Raise InvalidInputError with the planner's message when a setting is out of bounds."""
    if FocusGroupMode(mode) == FocusGroupMode.LIVE and starts_at is None:
        raise InvalidInputError(_("A live session needs a start date and time."))
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise InvalidInputError(
            _("The duration must be between %(low)s and %(high)s minutes.", low=MIN_DURATION, high=MAX_DURATION)
        )
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise InvalidInputError(
            _("The capacity must be between %(low)s and %(high)s participants.", low=MIN_CAPACITY, high=MAX_CAPACITY)
        )
    if not MIN_ASYNC_DAYS <= async_days <= MAX_ASYNC_DAYS:
        raise InvalidInputError(
            _(
                "An asynchronous group is open between %(low)s and %(high)s days.",
                low=MIN_ASYNC_DAYS,
                high=MAX_ASYNC_DAYS,
            )
        )


def create_focus_group(
    session: Session,
    organisation: Organisation,
    *,
    actor: StaffUser | None,
    title: dict[str, str],
    summary: dict[str, str] | None = None,
    languages: list[str] | None = None,
    access: Access = Access.INVITED,
    mode: FocusGroupMode = FocusGroupMode.LIVE,
    starts_at: datetime | None = None,
    duration_minutes: int = 60,
    capacity: int = 50,
    async_days: int = 7,
) -> FocusGroup:
    """Create a draft focus group (its consultation and settings); flushes, never commits."""
    check_settings(
        mode=mode, starts_at=starts_at, duration_minutes=duration_minutes, capacity=capacity, async_days=async_days
    )
    consultation = create_consultation(
        session,
        organisation,
        actor=actor,
        kind=ConsultationKind.FOCUS_GROUP,
        title=title,
        summary=summary,
        languages=languages,
        access=access,
    )
    group = FocusGroup(
        consultation=consultation,
        mode=FocusGroupMode(mode),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        capacity=capacity,
        async_days=async_days,
    )
    session.add(group)
    session.flush()
    return group


def update_settings(session: Session, group: FocusGroup, **fields: Any) -> FocusGroup:
    """Change texts, languages, access and the schedule; flushes.

    Mode, start time and duration are fixed once the session has started (participants and the transcript rely
    on them); the capacity may still grow, never below the participants already in.
    """
    unknown = set(fields) - set(GROUP_FIELDS) - set(CONSULTATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    if fields.get("starts_at") and group.starts_at and _minute(fields["starts_at"]) == _minute(group.starts_at):
        fields["starts_at"] = group.starts_at  # the form shows minutes: the same minute is no change
    merged = {name: fields.get(name, getattr(group, name)) for name in GROUP_FIELDS}
    check_settings(**merged)
    consultation = group.consultation
    if consultation.state == ConsultationState.PUBLISHED:
        raise StateError(_("Published consultations can no longer be edited."))
    started = group.state != SessionState.SCHEDULED
    if started and any(
        name in fields and fields[name] != getattr(group, name) for name in ("mode", "starts_at", "duration_minutes")
    ):
        raise StateError(_("The session has started: its mode, start time and duration can no longer change."))
    if (
        consultation.state != ConsultationState.DRAFT
        and "mode" in fields
        and FocusGroupMode(fields["mode"]) != group.mode
    ):
        raise StateError(_("The mode can only change while the focus group is a draft."))
    joined = participant_count(session, group)
    if merged["capacity"] < joined:
        raise InvalidInputError(
            _("%(count)s participants have already joined: the capacity cannot be lower.", count=joined)
        )
    if "title" in fields and not any((fields["title"] or {}).values()):
        raise InvalidInputError(_("A title is required."))
    texts = {name: fields[name] for name in CONSULTATION_FIELDS if name in fields}
    if texts:
        update_consultation(session, consultation, **texts)
    for name in GROUP_FIELDS:
        if name in fields:
            setattr(group, name, FocusGroupMode(fields[name]) if name == "mode" else fields[name])
    if group.mode == FocusGroupMode.ASYNC and consultation.state == ConsultationState.OPEN and consultation.opens_at:
        consultation.closes_at = consultation.opens_at + timedelta(days=group.async_days)
    session.flush()
    return group


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def open_focus_group(
    session: Session, group: FocusGroup, *, actor: StaffUser | None, now: datetime | None = None
) -> FocusGroup:
    """Open the consultation so participants can join (live: the waiting room; async: the guide); flushes.

    An asynchronous group opens for ``async_days`` from now and all its prompts open with it.
    """
    now = now or now_utc()
    consultation = group.consultation
    if consultation.state == ConsultationState.OPEN:
        raise StateError(_("The focus group is already open."))
    if group.state == SessionState.FINISHED:
        raise StateError(_("This session has finished and cannot be opened again."))
    if not group.prompts:
        raise StateError(_("Add at least one prompt to the discussion guide before opening."))
    if group.mode == FocusGroupMode.LIVE and group.starts_at is None:
        raise StateError(_("A live session needs a start date and time."))
    if group.mode == FocusGroupMode.ASYNC:
        consultation.opens_at = None  # the window starts now, whatever was set before
        consultation.closes_at = now + timedelta(days=group.async_days)
    change_state(session, consultation, ConsultationState.OPEN, actor=actor, now=now)
    if group.mode == FocusGroupMode.ASYNC:
        consultation.opens_at = now
        open_all_prompts(group, now=now)
    session.flush()
    return group


def open_all_prompts(group: FocusGroup, *, now: datetime | None = None) -> None:
    """Asynchronous mode: every prompt is open for the whole window."""
    now = now or now_utc()
    for prompt in group.prompts:
        if prompt.state == PromptState.PENDING:
            prompt.state = PromptState.OPEN
            prompt.opened_at = now


def guide_is_locked(group: FocusGroup) -> bool:
    """An asynchronous guide cannot change once it has opened: participants go through it in order."""
    return group.mode == FocusGroupMode.ASYNC and group.consultation.state != ConsultationState.DRAFT


def find_focus_group(session: Session, consultation_id: int) -> FocusGroup | None:
    return session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation_id))


def participant_count(session: Session, group: FocusGroup) -> int:
    if group.id is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(FocusGroupParticipant)
            .where(FocusGroupParticipant.focus_group_id == group.id)
        )
        or 0
    )


def list_focus_groups(session: Session, organisation_id: int) -> list[FocusGroup]:
    """The organisation's focus groups, soonest session first, those without a date last."""
    groups = session.scalars(
        select(FocusGroup)
        .join(Consultation, FocusGroup.consultation_id == Consultation.id)
        .where(Consultation.organisation_id == organisation_id)
        .order_by(Consultation.created_at.desc())
    ).all()
    return sorted(groups, key=lambda g: (g.starts_at is None, g.starts_at or now_utc()), reverse=False)


def prompt_count(group: FocusGroup) -> int:
    return len(group.prompts)


def ends_at(group: FocusGroup) -> datetime | None:
    """When a live session is planned to end; an asynchronous group's window closes with its consultation."""
    if group.mode == FocusGroupMode.ASYNC:
        return group.consultation.closes_at
    if group.starts_at is None:
        return None
    return group.starts_at + timedelta(minutes=group.duration_minutes)


def first_prompt(group: FocusGroup) -> Prompt | None:
    return group.prompts[0] if group.prompts else None
