"""The transcript of a focus group: what happened, in the order it happened.

Built from the rows the session left behind: moderator actions (who did what, when), the prompts (when they
were pushed and closed; an asynchronous guide has no push actions, so the prompts' own times stand in), and the
answers with their votes. Answers are written in words (chosen options, rankings, statement votes), in the
consultation's default language, so the page and the exports read the same. Hidden answers stay in the record,
marked hidden: the transcript is the full account, unlike the participants' pages and the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.core.i18n import localized
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    FocusGroupParticipant,
    ModeratorAction,
    ModeratorActionKind,
    Prompt,
    PromptKind,
    VoteValue,
)

ACTION_LABELS = {
    ModeratorActionKind.START: _l("Started the session"),
    ModeratorActionKind.PUSH: _l("Pushed a prompt"),
    ModeratorActionKind.FOLLOW_UP: _l("Asked a follow-up"),
    ModeratorActionKind.CLOSE_PROMPT: _l("Closed a prompt"),
    ModeratorActionKind.SHARE_RESULTS: _l("Shared the results"),
    ModeratorActionKind.HIGHLIGHT: _l("Highlighted an answer"),
    ModeratorActionKind.UNHIGHLIGHT: _l("Removed a highlight"),
    ModeratorActionKind.HIDE: _l("Hid an answer"),
    ModeratorActionKind.UNHIDE: _l("Showed a hidden answer again"),
    ModeratorActionKind.FINISH: _l("Finished the session"),
}
KIND_LABELS = {
    PromptKind.OPEN: _l("Open question"),
    PromptKind.SINGLE_CHOICE: _l("Poll, one answer"),
    PromptKind.MULTIPLE_CHOICE: _l("Poll, several answers"),
    PromptKind.RANKING: _l("Ranking"),
    PromptKind.STATEMENTS: _l("Statements"),
}
VOTE_LABELS = {
    VoteValue.AGREE: _l("Agree"),
    VoteValue.DISAGREE: _l("Disagree"),
    VoteValue.PASS: _l("Pass"),
}


@dataclass
class PromptInfo:
    id: int
    number: int  # 1-based place in the guide
    kind: str
    text: str
    is_follow_up: bool


@dataclass
class AnswerInfo:
    id: int
    prompt: PromptInfo
    pseudonym: str
    at: datetime
    edited: bool
    text: str  # the answer in words
    agree: int
    disagree: int
    passes: int
    hidden: bool
    highlighted: bool


@dataclass
class Entry:
    """One line of the transcript. ``kind`` is "action", "opened", "closed" or "answer"."""

    at: datetime
    kind: str
    label: str
    prompt: PromptInfo | None = None
    answer: AnswerInfo | None = None
    actor: str = ""
    detail: str = ""
    #: Sorting within the same instant: actions before the answers they caused.
    order: tuple[int, int] = (0, 0)


@dataclass
class Transcript:
    focus_group: FocusGroup
    language: str
    prompts: list[PromptInfo]
    entries: list[Entry]
    answers: list[AnswerInfo] = field(default_factory=list)
    participant_count: int = 0


def build_transcript(session: Session, focus_group: FocusGroup) -> Transcript:
    """Every action, prompt event and answer of the group, oldest first."""
    language = focus_group.consultation.default_language
    prompts = _prompts(session, focus_group, language)
    by_id = {p.id: p for p in prompts}
    answers = _answers(session, focus_group, by_id, language)
    answers_by_id = {a.id: a for a in answers}
    actions = session.scalars(
        select(ModeratorAction)
        .where(ModeratorAction.focus_group_id == focus_group.id)
        .order_by(ModeratorAction.at, ModeratorAction.id)
    ).all()
    names = _staff_names(session, {a.actor_id for a in actions if a.actor_id})
    entries: list[Entry] = []
    announced: set[tuple[int, str]] = set()
    for action in actions:
        kind = ModeratorActionKind(action.kind)
        prompt = by_id.get(action.prompt_id) if action.prompt_id else None
        answer = answers_by_id.get(action.contribution_id) if action.contribution_id else None
        if prompt is not None and kind in (ModeratorActionKind.PUSH, ModeratorActionKind.FOLLOW_UP):
            announced.add((prompt.id, "opened"))
        if prompt is not None and kind == ModeratorActionKind.CLOSE_PROMPT:
            announced.add((prompt.id, "closed"))
        entries.append(
            Entry(
                at=action.at,
                kind="action",
                label=str(ACTION_LABELS.get(kind, action.kind)),
                prompt=prompt or (answer.prompt if answer else None),
                answer=answer,
                actor=names.get(action.actor_id or 0, _("System") if action.actor_id is None else ""),
                detail=_detail(action.detail),
                order=(0, action.id),
            )
        )
    entries.extend(_prompt_events(session, focus_group, by_id, announced))
    entries.extend(
        Entry(at=a.at, kind="answer", label=str(_l("Answer")), prompt=a.prompt, answer=a, order=(2, a.id))
        for a in answers
    )
    entries.sort(key=lambda e: (e.at, e.order))
    return Transcript(
        focus_group=focus_group,
        language=language,
        prompts=prompts,
        entries=entries,
        answers=answers,
        participant_count=_participant_count(session, focus_group),
    )


def _prompts(session: Session, focus_group: FocusGroup, language: str) -> list[PromptInfo]:
    rows = session.scalars(
        select(Prompt).where(Prompt.focus_group_id == focus_group.id).order_by(Prompt.position, Prompt.id)
    ).all()
    return [
        PromptInfo(
            id=p.id,
            number=n,
            kind=p.kind,
            text=localized(p.text, language),
            is_follow_up=p.follows_id is not None,
        )
        for n, p in enumerate(rows, start=1)
    ]


def _prompt_events(
    session: Session, focus_group: FocusGroup, by_id: dict[int, PromptInfo], announced: set[tuple[int, str]]
) -> list[Entry]:
    """Openings and closings no moderator action records (an asynchronous guide, or a session's end)."""
    events: list[Entry] = []
    rows = session.execute(
        select(Prompt.id, Prompt.opened_at, Prompt.closed_at).where(Prompt.focus_group_id == focus_group.id)
    )
    for prompt_id, opened_at, closed_at in rows:
        prompt = by_id[prompt_id]
        if opened_at is not None and (prompt_id, "opened") not in announced:
            events.append(Entry(at=opened_at, kind="opened", label=_("Prompt opened"), prompt=prompt, order=(1, 0)))
        if closed_at is not None and (prompt_id, "closed") not in announced:
            events.append(Entry(at=closed_at, kind="closed", label=_("Prompt closed"), prompt=prompt, order=(1, 1)))
    return events


def _answers(
    session: Session, focus_group: FocusGroup, prompts: dict[int, PromptInfo], language: str
) -> list[AnswerInfo]:
    full = {
        p.id: p
        for p in session.scalars(select(Prompt).where(Prompt.focus_group_id == focus_group.id))
        if p.id in prompts
    }
    rows = session.execute(
        select(Contribution, FocusGroupParticipant.pseudonym)
        .join(FocusGroupParticipant, FocusGroupParticipant.id == Contribution.participant_id)
        .where(Contribution.prompt_id.in_(list(prompts) or [0]))
        .order_by(Contribution.created_at, Contribution.id)
    )
    return [
        AnswerInfo(
            id=c.id,
            prompt=prompts[c.prompt_id],
            pseudonym=pseudonym,
            at=c.created_at,
            edited=c.updated_at is not None and c.updated_at > c.created_at,
            text=answer_in_words(full[c.prompt_id], c, language),
            agree=c.agree_count,
            disagree=c.disagree_count,
            passes=c.pass_count,
            hidden=c.is_hidden,
            highlighted=c.is_highlighted,
        )
        for c, pseudonym in rows
    ]


def answer_in_words(prompt: Prompt, contribution: Contribution, language: str) -> str:
    """An answer as a reader would say it: the text, the chosen options, the order, or each statement's vote."""
    kind = PromptKind(prompt.kind)
    choices: list[Any] = list(contribution.choices or [])
    parts: list[str] = []
    if kind in (PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE):
        parts.append("; ".join(_option(prompt.options, index, language) for index in choices))
    elif kind == PromptKind.RANKING:
        parts.append(
            "; ".join(f"{n}. {_option(prompt.options, index, language)}" for n, index in enumerate(choices, 1))
        )
    elif kind == PromptKind.STATEMENTS:
        parts.append(
            "; ".join(
                f"{_option(prompt.statements, n, language)}: {_vote_label(value)}" for n, value in enumerate(choices)
            )
        )
    if contribution.text:
        parts.append(contribution.text)
    return " – ".join(part for part in parts if part)


def _option(options: list[Any], index: Any, language: str) -> str:
    try:
        return localized(options[int(index)], language)
    except (IndexError, TypeError, ValueError):
        return str(index)


def _vote_label(value: Any) -> str:
    try:
        return str(VOTE_LABELS[VoteValue(int(value))])
    except (TypeError, ValueError):
        return str(value)


def _detail(detail: dict[str, Any] | None) -> str:
    """The action's extra facts, as "key: value" pairs (they never hold personal data)."""
    return ", ".join(f"{key}: {value}" for key, value in sorted((detail or {}).items()))


def _staff_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        row[0]: row[1] for row in session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids)))
    }


def _participant_count(session: Session, focus_group: FocusGroup) -> int:
    return (
        session.scalar(
            select(func.count(FocusGroupParticipant.id)).where(FocusGroupParticipant.focus_group_id == focus_group.id)
        )
        or 0
    )


def kind_label(kind: str) -> str:
    try:
        return str(KIND_LABELS[PromptKind(kind)])
    except ValueError:
        return kind
