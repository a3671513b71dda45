"""The live session's engine: what a moderator does to a running focus group.

Every service checks the session's state, records a ModeratorAction (the transcript's log) and raises
``FocusGroup.version`` whenever participants must see the change: their pages poll the version and re-render only
when it moved. Services flush and never commit (views commit once); they raise ``StateError`` (409) with a text the
moderator can act on, and ``InvalidInputError`` (422) for a bad follow-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.consultations.models import ConsultationState
from civic.consultations.services import change_state
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    ModeratorAction,
    ModeratorActionKind,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
)

#: "Who is here": participants whose page asked for news within this window (pages poll every 1–2 s).
PRESENT_WINDOW = timedelta(seconds=60)
FOLLOW_UP_MAX_LENGTH = 1000
FOLLOW_UP_KINDS = (PromptKind.OPEN, PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE)
MAX_OPTIONS = 20


def _lock(session: Session, focus_group: FocusGroup, *others: Prompt | Contribution) -> None:
    """Re-read the group under a row lock (PostgreSQL: FOR UPDATE) before acting.

    Two moderators clicking at once then act one after the other: a push cannot leave two prompts open, and two
    version bumps cannot both write the same number (participants compare versions, so a lost bump would hide the
    second change from everyone who polled in between).
    """
    session.refresh(focus_group, with_for_update=True)
    for other in others:  # loaded before the lock: re-read what a concurrent action may have changed
        if other in session and other.id is not None:
            session.refresh(other)


def _finished_error() -> StateError:
    return StateError(_("This session has finished. Nothing in it can be changed any more."))


def _check_live(focus_group: FocusGroup) -> None:
    if focus_group.mode != FocusGroupMode.LIVE:
        raise StateError(_("This focus group is asynchronous: its prompts are all open while it runs."))
    if focus_group.state == SessionState.FINISHED:
        raise _finished_error()
    if focus_group.state != SessionState.LIVE:
        raise StateError(_("Start the session first."))


def _check_prompt(focus_group: FocusGroup, prompt: Prompt) -> None:
    if prompt.focus_group_id != focus_group.id:
        raise StateError(_("This prompt belongs to another focus group."))


def _record(
    session: Session,
    focus_group: FocusGroup,
    kind: ModeratorActionKind,
    *,
    actor: StaffUser | None,
    now: datetime,
    prompt: Prompt | None = None,
    contribution: Contribution | None = None,
    detail: dict[str, Any] | None = None,
    bump: bool = True,
) -> ModeratorAction:
    action = ModeratorAction(
        focus_group_id=focus_group.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        prompt_id=prompt.id if prompt else None,
        contribution_id=contribution.id if contribution else None,
        detail=detail or {},
        at=now,
    )
    session.add(action)
    if bump:
        focus_group.version = (focus_group.version or 0) + 1
    session.flush()
    return action


def start_session(session: Session, focus_group: FocusGroup, *, actor: StaffUser | None) -> FocusGroup:
    """SCHEDULED → LIVE. Opens the consultation if the planner had not yet, so residents can take their seats."""
    _lock(session, focus_group)
    if focus_group.mode != FocusGroupMode.LIVE:
        raise StateError(_("This focus group is asynchronous: it runs by its dates, there is no session to start."))
    if focus_group.state == SessionState.FINISHED:
        raise _finished_error()
    if focus_group.state == SessionState.LIVE:
        raise StateError(_("The session has already started."))
    now = now_utc()
    consultation = focus_group.consultation
    if consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        change_state(session, consultation, ConsultationState.OPEN, actor=actor, now=now)
    elif consultation.state != ConsultationState.OPEN:
        raise StateError(_("The consultation is closed; reopen it before starting the session."))
    focus_group.state = SessionState.LIVE
    focus_group.started_at = now
    _record(session, focus_group, ModeratorActionKind.START, actor=actor, now=now)
    return focus_group


def _close(
    session: Session, focus_group: FocusGroup, prompt: Prompt, *, actor: StaffUser | None, now: datetime
) -> None:
    prompt.state = PromptState.CLOSED
    prompt.closed_at = now
    _record(session, focus_group, ModeratorActionKind.CLOSE_PROMPT, actor=actor, now=now, prompt=prompt, bump=False)


def _open_prompts(session: Session, focus_group: FocusGroup) -> list[Prompt]:
    return list(
        session.scalars(select(Prompt).where(Prompt.focus_group_id == focus_group.id, Prompt.state == PromptState.OPEN))
    )


def push_prompt(
    session: Session, focus_group: FocusGroup, prompt: Prompt, *, actor: StaffUser | None, follow_up: bool = False
) -> Prompt:
    """Make a pending prompt the current one; the prompt open until now closes."""
    _lock(session, focus_group, prompt)
    _check_live(focus_group)
    _check_prompt(focus_group, prompt)
    if prompt.state == PromptState.OPEN:
        raise StateError(_("This prompt is already open."))
    if prompt.state == PromptState.CLOSED:
        raise StateError(_("This prompt has been closed. Write a follow-up to ask again."))
    now = now_utc()
    for other in _open_prompts(session, focus_group):
        _close(session, focus_group, other, actor=actor, now=now)
    prompt.state = PromptState.OPEN
    prompt.opened_at = now
    focus_group.current_prompt_id = prompt.id
    focus_group.current_prompt = prompt
    kind = ModeratorActionKind.FOLLOW_UP if follow_up else ModeratorActionKind.PUSH
    _record(session, focus_group, kind, actor=actor, now=now, prompt=prompt)
    return prompt


def _clean_options(lines: str | list[str], lang: str) -> list[dict[str, str]]:
    raw = lines.splitlines() if isinstance(lines, str) else lines
    options = [line.strip() for line in raw if line and line.strip()]
    return [{lang: option[:200]} for option in options]


def add_follow_up(
    session: Session,
    focus_group: FocusGroup,
    *,
    text: str,
    lang: str,
    actor: StaffUser | None,
    kind: str = PromptKind.OPEN,
    options: str | list[str] = "",
    voting_enabled: bool = True,
) -> Prompt:
    """Write a prompt on the fly, place it right after the current one and push it.

    Validated before anything is written, so a bad follow-up changes nothing and the moderator keeps the text.
    """
    _lock(session, focus_group)
    _check_live(focus_group)
    text = (text or "").strip()
    if not text:
        raise InvalidInputError(_("Write the follow-up question."))
    if len(text) > FOLLOW_UP_MAX_LENGTH:
        raise InvalidInputError(_("The question can be at most %(max)d characters.", max=FOLLOW_UP_MAX_LENGTH))
    if kind not in FOLLOW_UP_KINDS:
        raise InvalidInputError(_("Choose an open question or a poll."))
    cleaned = _clean_options(options, lang) if kind != PromptKind.OPEN else []
    if kind != PromptKind.OPEN and not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise InvalidInputError(_("A poll needs 2 to %(max)d options, one per line.", max=MAX_OPTIONS))
    anchor = focus_group.current_prompt
    if anchor is None:
        anchor = session.scalar(
            select(Prompt)
            .where(Prompt.focus_group_id == focus_group.id, Prompt.state != PromptState.PENDING)
            .order_by(Prompt.opened_at.desc(), Prompt.id.desc())
            .limit(1)
        )
    position = (anchor.position + 1) if anchor is not None else 0
    # Make room: every prompt at or after the new position moves one down the guide.
    session.execute(
        update(Prompt)
        .where(Prompt.focus_group_id == focus_group.id, Prompt.position >= position)
        .values(position=Prompt.position + 1)
        .execution_options(synchronize_session="fetch")
    )
    prompt = Prompt(
        focus_group_id=focus_group.id,
        position=position,
        kind=kind,
        text={lang: text},
        options=cleaned,
        min_choices=1,
        max_choices=None,
        voting_enabled=voting_enabled if kind == PromptKind.OPEN else False,
        follows_id=anchor.id if anchor is not None else None,
    )
    session.add(prompt)
    session.flush()
    session.expire(focus_group, ["prompts"])
    return push_prompt(session, focus_group, prompt, actor=actor, follow_up=True)


def close_prompt(session: Session, focus_group: FocusGroup, prompt: Prompt, *, actor: StaffUser | None) -> Prompt:
    """Stop taking answers to the prompt. It stays the current one, so its results can be shared next."""
    _lock(session, focus_group, prompt)
    _check_live(focus_group)
    _check_prompt(focus_group, prompt)
    if prompt.state != PromptState.OPEN:
        raise StateError(_("Only the open prompt can be closed."))
    now = now_utc()
    prompt.state = PromptState.CLOSED
    prompt.closed_at = now
    _record(session, focus_group, ModeratorActionKind.CLOSE_PROMPT, actor=actor, now=now, prompt=prompt)
    return prompt


def share_results(session: Session, focus_group: FocusGroup, prompt: Prompt, *, actor: StaffUser | None) -> Prompt:
    """Show the prompt's results to the participants (they keep seeing them until the next push)."""
    _lock(session, focus_group, prompt)
    if focus_group.state == SessionState.FINISHED:
        raise _finished_error()
    _check_prompt(focus_group, prompt)
    if prompt.state == PromptState.PENDING:
        raise StateError(_("This prompt has not been asked yet, so it has no results to share."))
    if prompt.results_shared_at is not None:
        return prompt
    now = now_utc()
    prompt.results_shared_at = now
    _record(session, focus_group, ModeratorActionKind.SHARE_RESULTS, actor=actor, now=now, prompt=prompt)
    return prompt


def _contribution_prompt(session: Session, focus_group: FocusGroup, contribution: Contribution) -> Prompt:
    prompt = session.get(Prompt, contribution.prompt_id)
    if prompt is None or prompt.focus_group_id != focus_group.id:
        raise StateError(_("This answer belongs to another focus group."))
    return prompt


def _shown_to_participants(prompt: Prompt) -> bool:
    """Participants see others' open answers while voting on an open prompt, and once its results are shared."""
    voting = prompt.kind == PromptKind.OPEN and prompt.voting_enabled and prompt.state == PromptState.OPEN
    return voting or prompt.results_shared_at is not None


def set_highlight(
    session: Session, focus_group: FocusGroup, contribution: Contribution, highlighted: bool, *, actor: StaffUser | None
) -> Contribution:
    """Mark an answer to bring up in the discussion (shown first in the results)."""
    _lock(session, focus_group, contribution)
    if focus_group.state == SessionState.FINISHED:
        raise _finished_error()
    prompt = _contribution_prompt(session, focus_group, contribution)
    if highlighted and contribution.is_hidden:
        raise StateError(_("A hidden answer cannot be highlighted. Show it again first."))
    if contribution.is_highlighted == highlighted:
        return contribution
    contribution.is_highlighted = highlighted
    kind = ModeratorActionKind.HIGHLIGHT if highlighted else ModeratorActionKind.UNHIGHLIGHT
    bump = prompt.results_shared_at is not None
    _record(session, focus_group, kind, actor=actor, now=now_utc(), prompt=prompt, contribution=contribution, bump=bump)
    return contribution


def set_hidden(
    session: Session, focus_group: FocusGroup, contribution: Contribution, hidden: bool, *, actor: StaffUser | None
) -> Contribution:
    """Hide an answer from participants, observers and analysis (the transcript keeps it, marked), or show it again."""
    _lock(session, focus_group, contribution)
    if focus_group.state == SessionState.FINISHED:
        raise _finished_error()
    prompt = _contribution_prompt(session, focus_group, contribution)
    if contribution.is_hidden == hidden:
        return contribution
    contribution.is_hidden = hidden
    if hidden:
        contribution.is_highlighted = False
    kind = ModeratorActionKind.HIDE if hidden else ModeratorActionKind.UNHIDE
    bump = _shown_to_participants(prompt)
    _record(session, focus_group, kind, actor=actor, now=now_utc(), prompt=prompt, contribution=contribution, bump=bump)
    return contribution


def finish_session(session: Session, focus_group: FocusGroup, *, actor: StaffUser | None) -> FocusGroup:
    """End the session: the open prompt closes, participants see the thank-you page, the consultation closes."""
    _lock(session, focus_group)
    if focus_group.mode != FocusGroupMode.LIVE:
        raise StateError(_("This focus group is asynchronous: it ends when its consultation closes."))
    if focus_group.state == SessionState.FINISHED:
        raise _finished_error()
    now = now_utc()
    for prompt in _open_prompts(session, focus_group):
        _close(session, focus_group, prompt, actor=actor, now=now)
    focus_group.state = SessionState.FINISHED
    focus_group.finished_at = now
    if focus_group.consultation.state == ConsultationState.OPEN:
        change_state(session, focus_group.consultation, ConsultationState.CLOSED, actor=actor, now=now)
    _record(session, focus_group, ModeratorActionKind.FINISH, actor=actor, now=now)
    return focus_group


def present_count(session: Session, focus_group: FocusGroup, *, now: datetime | None = None) -> int:
    """Participants whose page was open within the last minute."""
    since = (now or now_utc()) - PRESENT_WINDOW
    return (
        session.scalar(
            select(func.count())
            .select_from(FocusGroupParticipant)
            .where(FocusGroupParticipant.focus_group_id == focus_group.id, FocusGroupParticipant.last_seen_at >= since)
        )
        or 0
    )


def participant_count(session: Session, focus_group: FocusGroup) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(FocusGroupParticipant)
            .where(FocusGroupParticipant.focus_group_id == focus_group.id)
        )
        or 0
    )


def answer_counts(session: Session, focus_group: FocusGroup) -> dict[int, int]:
    """Visible answers per prompt of the group."""
    rows = session.execute(
        select(Contribution.prompt_id, func.count())
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .where(Prompt.focus_group_id == focus_group.id, Contribution.is_hidden.is_(False))
        .group_by(Contribution.prompt_id)
    ).all()
    return {prompt_id: count for prompt_id, count in rows}
