"""A participant's answers and votes: validation per prompt kind, one row per (prompt, participant), counters.

Submitting again while a prompt is open edits the same Contribution (two tabs are the same participant, and an
INSERT … ON CONFLICT DO NOTHING first makes a concurrent first answer from both tabs land on one row). Votes on
others' answers follow civic/hearings/votes.py: the answer's row is locked with an UPDATE before the previous
vote is read, so the counters on Contribution always equal the current votes under concurrent clicks.
Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from civic.consultations.models import Consultation
from civic.core.errors import DomainError, InvalidInputError, NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.focus_groups.models import (
    Contribution,
    ContributionVote,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
    VoteValue,
)

#: Form values → stored values (the hearings' scale).
VALUES: dict[str, VoteValue] = {"agree": VoteValue.AGREE, "disagree": VoteValue.DISAGREE, "pass": VoteValue.PASS}
NAMES: dict[int, str] = {int(v): k for k, v in VALUES.items()}
SAMPLE_SIZE = 5


class ContributionNotFoundError(DomainError):
    status_code = 404


class AnswerError(InvalidInputError):
    """An answer that does not fit its prompt; ``field`` names the input to point at."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- may the participant answer or vote now? -------------------------------------------------------------------


def check_can_answer(focus_group: FocusGroup, consultation: Consultation, prompt: Prompt, *, now=None) -> None:
    """Raise StateError (409) unless ``prompt`` takes answers now.

    Live: the session is live and the prompt open. Asynchronous: the consultation accepts responses (every
    prompt of the guide is open for the whole window).
    """
    if focus_group.state == SessionState.FINISHED or not consultation.is_accepting_responses(now):
        raise StateError(_("This focus group has finished, so your answer was not saved. Your text is kept below."))
    if focus_group.mode == FocusGroupMode.ASYNC:
        return
    if prompt.state == PromptState.CLOSED:
        raise StateError(_("This question has closed, so your answer was not saved. Your text is kept below."))
    if prompt.state != PromptState.OPEN or focus_group.state != SessionState.LIVE:
        raise StateError(_("This question is not open yet, so your answer was not saved."))


# --- what the form holds ---------------------------------------------------------------------------------------


@dataclass
class FormValues:
    """What the answer form shows: the saved answer, or what was just typed (so nothing is lost on an error)."""

    text: str = ""
    choices: set[str] = field(default_factory=set)  # option indexes as strings (single and multiple choice)
    ranks: dict[str, str] = field(default_factory=dict)  # option index → position
    votes: dict[str, str] = field(default_factory=dict)  # statement index → agree|disagree|pass


def values_from_form(prompt: Prompt, form: MultiDict) -> FormValues:
    size = len(prompt.options)
    return FormValues(
        text=form.get("text", ""),
        choices={c for c in [form.get("choice", ""), *form.getlist("choices")] if c},
        ranks={str(i): form.get(f"rank-{i}", "") for i in range(size)},
        votes={str(i): form.get(f"vote-{i}", "") for i in range(len(prompt.statements))},
    )


def values_from_contribution(prompt: Prompt, contribution: Contribution | None) -> FormValues:
    if contribution is None:
        return FormValues()
    stored = [c for c in contribution.choices if isinstance(c, int) or c is None]
    values = FormValues(text=contribution.text)
    if prompt.kind in (PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE):
        values.choices = {str(c) for c in stored if c is not None}
    elif prompt.kind == PromptKind.RANKING:
        values.ranks = {str(index): str(position) for position, index in enumerate(stored, start=1)}
    elif prompt.kind == PromptKind.STATEMENTS:
        values.votes = {str(i): NAMES.get(v, "") for i, v in enumerate(stored) if v is not None}
    return values


def _index(raw: str | None, size: int) -> int | None:
    try:
        index = int(raw or "")
    except ValueError:
        return None
    return index if 0 <= index < size else None


def parse_answer(prompt: Prompt, form: MultiDict) -> tuple[str, list[Any]]:
    """Return (text, choices) for a Contribution, or raise AnswerError (422) saying what to fix."""
    kind = prompt.kind
    if kind == PromptKind.OPEN:
        text = (form.get("text") or "").strip()
        if not text:
            raise AnswerError(_("Write your answer before you send it."), "text")
        if len(text) > prompt.max_length:
            raise AnswerError(
                _(
                    "Your answer is %(length)d characters long. Shorten it to at most %(max)d.",
                    length=len(text),
                    max=prompt.max_length,
                ),
                "text",
            )
        return text, []
    size = len(prompt.options)
    if kind == PromptKind.SINGLE_CHOICE:
        index = _index(form.get("choice"), size)
        if index is None:
            raise AnswerError(_("Choose one of the options."), "choice")
        return "", [index]
    if kind == PromptKind.MULTIPLE_CHOICE:
        return "", _multiple(prompt, form.getlist("choices"), size)
    if kind == PromptKind.RANKING:
        return "", _ranking(form, size)
    if kind == PromptKind.STATEMENTS:
        votes: list[Any] = []
        for i in range(len(prompt.statements)):
            value = VALUES.get((form.get(f"vote-{i}") or "").strip().lower())
            if value is None:
                raise AnswerError(_("Choose agree, disagree or pass for every statement."), f"vote-{i}")
            votes.append(int(value))
        return "", votes
    raise AnswerError(_("This question cannot be answered here."))


def _multiple(prompt: Prompt, raw: list[str], size: int) -> list[int]:
    chosen = sorted({i for i in (_index(r, size) for r in raw) if i is not None})
    if len(chosen) != len(set(raw)):
        raise AnswerError(_("Choose among the options shown."), "choices")
    least = max(prompt.min_choices or 0, 1)
    most = prompt.max_choices or size
    if len(chosen) < least:
        raise AnswerError(
            _("Choose at least %(min)d options.", min=least) if least > 1 else _("Choose at least one option."),
            "choices",
        )
    if len(chosen) > most:
        raise AnswerError(_("Choose at most %(max)d options.", max=most), "choices")
    return chosen


def _ranking(form: MultiDict, size: int) -> list[int]:
    positions: dict[int, int] = {}
    for i in range(size):
        raw = (form.get(f"rank-{i}") or "").strip()
        position = int(raw) if raw.isdigit() else 0
        if not 1 <= position <= size:
            raise AnswerError(_("Give every option a position."), f"rank-{i}")
        if position in positions:
            raise AnswerError(_("Give each position to one option only."), f"rank-{i}")
        positions[position] = i
    return [positions[p] for p in range(1, size + 1)]


# --- answers ---------------------------------------------------------------------------------------------------


def own_contribution(session: Session, prompt_id: int, participant_id: int) -> Contribution | None:
    return session.scalar(
        select(Contribution).where(Contribution.prompt_id == prompt_id, Contribution.participant_id == participant_id)
    )


def submit_answer(
    session: Session,
    focus_group: FocusGroup,
    prompt: Prompt,
    participant: FocusGroupParticipant,
    form: MultiDict,
    *,
    now: datetime | None = None,
) -> tuple[Contribution, bool]:
    """Save the participant's answer to ``prompt``; return (contribution, created). Flushes.

    Refuses (nothing stored) a prompt that does not take answers (409) and an answer that does not fit (422).
    A second answer edits the first, so a participant is never counted twice.
    """
    now = now or now_utc()
    if prompt.focus_group_id != focus_group.id or participant.focus_group_id != focus_group.id:
        raise ContributionNotFoundError(_("We could not find this question. It may have been removed."))
    check_can_answer(focus_group, focus_group.consultation, prompt, now=now)
    text, choices = parse_answer(prompt, form)
    connection = session.connection()
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    table = Contribution.__table__
    inserted = connection.execute(
        dialect_insert(table)
        .values(
            prompt_id=prompt.id,
            participant_id=participant.id,
            text=text,
            choices=choices,
            is_hidden=False,
            is_highlighted=False,
            agree_count=0,
            disagree_count=0,
            pass_count=0,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(table.c.id)
    ).scalar()
    if inserted is None:  # an edit (or the other tab's first answer a moment ago)
        connection.execute(
            update(table)
            .where(table.c.prompt_id == prompt.id, table.c.participant_id == participant.id)
            .values(text=text, choices=choices, updated_at=now)
        )
    contribution = own_contribution(session, prompt.id, participant.id)
    assert contribution is not None
    session.refresh(contribution)
    return contribution, inserted is not None


# --- votes on others' answers ----------------------------------------------------------------------------------


def parse_vote(raw: str | None) -> VoteValue:
    value = VALUES.get((raw or "").strip().lower())
    if value is None:
        raise InvalidInputError(_("Choose agree, disagree or pass."))
    return value


@dataclass(frozen=True)
class VoteCounts:
    agree: int
    disagree: int
    passed: int


def cast_vote(
    session: Session,
    focus_group: FocusGroup,
    participant: FocusGroupParticipant,
    contribution_id: int,
    raw_value: str | None,
    *,
    now: datetime | None = None,
) -> tuple[int, VoteCounts]:
    """Record the participant's vote on another's answer; return (their vote, the answer's counts). Flushes."""
    value = int(parse_vote(raw_value))
    now = now or now_utc()
    table = Contribution.__table__
    locked = session.execute(
        update(table)
        .where(table.c.id == contribution_id)
        .values(agree_count=table.c.agree_count)
        .returning(
            table.c.prompt_id,
            table.c.participant_id,
            table.c.is_hidden,
            table.c.agree_count,
            table.c.disagree_count,
            table.c.pass_count,
        )
    ).first()
    prompt = session.get(Prompt, locked.prompt_id) if locked is not None else None
    if locked is None or prompt is None or prompt.focus_group_id != focus_group.id or locked.is_hidden:
        raise ContributionNotFoundError(_("We could not find this answer. It may have been removed."))
    if locked.participant_id == participant.id:
        raise NotAllowedError(_("You cannot vote on your own answer."))
    if focus_group.state == SessionState.FINISHED or not focus_group.consultation.is_accepting_responses(now):
        raise StateError(_("This focus group has finished. Voting is closed."))
    if focus_group.mode == FocusGroupMode.LIVE and prompt.state != PromptState.OPEN:
        raise StateError(_("This question has closed. Voting on its answers is closed too."))

    votes = ContributionVote.__table__
    keys = {"contribution_id": contribution_id, "participant_id": participant.id}
    previous = session.execute(
        select(votes.c.value).where(
            votes.c.contribution_id == contribution_id, votes.c.participant_id == participant.id
        )
    ).scalar()
    if previous is None:
        session.execute(votes.insert().values(**keys, value=value, created_at=now, updated_at=now))
    else:
        session.execute(
            update(votes)
            .where(votes.c.contribution_id == contribution_id, votes.c.participant_id == participant.id)
            .values(value=value, updated_at=now)
        )
    delta = {"agree_count": 0, "disagree_count": 0, "pass_count": 0}
    names = {1: "agree_count", -1: "disagree_count", 0: "pass_count"}
    if previous != value:
        delta[names[value]] += 1
        if previous is not None:
            delta[names[int(previous)]] -= 1
        session.execute(
            update(table)
            .where(table.c.id == contribution_id)
            .values({table.c[name]: table.c[name] + step for name, step in delta.items() if step})
        )
    counts = VoteCounts(
        locked.agree_count + delta["agree_count"],
        locked.disagree_count + delta["disagree_count"],
        locked.pass_count + delta["pass_count"],
    )
    return value, counts


@dataclass(frozen=True)
class Votable:
    """An answer of someone else offered for a vote."""

    id: int
    text: str
    my_vote: int | None = None


def vote_sample(session: Session, prompt: Prompt, participant_id: int, limit: int = SAMPLE_SIZE) -> list[Votable]:
    """Up to ``limit`` visible open answers of others to ``prompt`` the participant has not voted on, at random."""
    voted = exists().where(
        ContributionVote.contribution_id == Contribution.id, ContributionVote.participant_id == participant_id
    )
    rows = session.execute(
        select(Contribution.id, Contribution.text)
        .where(
            Contribution.prompt_id == prompt.id,
            Contribution.participant_id != participant_id,
            Contribution.is_hidden.is_(False),
            Contribution.text != "",
            ~voted,
        )
        .order_by(func.random())
        .limit(limit)
    )
    return [Votable(id, text) for id, text in rows]


def votable_contribution(session: Session, focus_group: FocusGroup, contribution_id: int, participant_id: int):
    """The answer a vote was cast on, with the participant's vote, for re-rendering its card; None if gone."""
    row = session.execute(
        select(Contribution.id, Contribution.text, ContributionVote.value)
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .outerjoin(
            ContributionVote,
            (ContributionVote.contribution_id == Contribution.id) & (ContributionVote.participant_id == participant_id),
        )
        .where(Contribution.id == contribution_id, Prompt.focus_group_id == focus_group.id)
    ).first()
    return Votable(*row) if row is not None else None


# --- asynchronous mode: the guide in order --------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    prompt: Prompt
    number: int
    answered: bool


def async_steps(session: Session, focus_group: FocusGroup, participant_id: int) -> list[Step]:
    """The guide's prompts in order, each marked answered or not by this participant."""
    answered = set(
        session.scalars(
            select(Contribution.prompt_id)
            .join(Prompt, Prompt.id == Contribution.prompt_id)
            .where(Prompt.focus_group_id == focus_group.id, Contribution.participant_id == participant_id)
        )
    )
    prompts = [p for p in focus_group.prompts if p.state != PromptState.CLOSED or p.id in answered]
    return [Step(p, n, p.id in answered) for n, p in enumerate(prompts, start=1)]
