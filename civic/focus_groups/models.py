"""Virtual focus groups: a discussion guide of prompts, pseudonymous participants, their answers and votes.

A focus group is one consultation (kind ``focus_group``). In live mode a moderator runs it at a set time and
pushes the guide's prompts one by one; in asynchronous mode the same guide stays open for n days and each
participant goes through it at their own pace. Nothing here holds an identity: a participant is found by the hash
of a key that only their personal link or browser cookie holds (as hearing participants are).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.consultations.models import Consultation
from civic.core.db import Base, TimestampMixin, enum_column
from civic.core.timeutils import now_utc


class FocusGroupMode(enum.StrEnum):
    LIVE = "live"  # a moderated session at a set time
    ASYNC = "async"  # the guide open for n days, answered at each participant's own pace


class SessionState(enum.StrEnum):
    """The live session: scheduled → live → finished. An asynchronous group follows its consultation's dates."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    FINISHED = "finished"


class PromptKind(enum.StrEnum):
    OPEN = "open"  # an open question answered in free text
    SINGLE_CHOICE = "single_choice"  # a poll, one option
    MULTIPLE_CHOICE = "multiple_choice"  # a poll, min..max options
    RANKING = "ranking"  # put every option in order
    STATEMENTS = "statements"  # agree / disagree / pass on each of a list of statements


class PromptState(enum.StrEnum):
    """pending (in the guide, not shown yet) → open (pushed) → closed. Asynchronous prompts are open throughout."""

    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class VoteValue(enum.IntEnum):
    """The hearings' scale (agree 1, pass 0, disagree -1), for votes on answers and on statements."""

    AGREE = 1
    PASS = 0
    DISAGREE = -1


class ModeratorActionKind(enum.StrEnum):
    START = "start"
    PUSH = "push"  # a prompt of the guide becomes the current one
    FOLLOW_UP = "follow_up"  # a prompt written on the fly, pushed at once
    CLOSE_PROMPT = "close_prompt"
    SHARE_RESULTS = "share_results"
    HIGHLIGHT = "highlight"
    UNHIGHLIGHT = "unhighlight"
    HIDE = "hide"
    UNHIDE = "unhide"
    FINISH = "finish"


class FocusGroup(TimestampMixin, Base):
    """The focus group of one consultation: schedule, capacity, mode and the live session's state."""

    __tablename__ = "focus_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[str] = enum_column(FocusGroupMode, default=FocusGroupMode.LIVE)
    #: Live mode: when the session starts (UTC) and how long it is planned to last.
    starts_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    #: Most participants who may join (observers are not counted). Rejoining never counts twice.
    capacity: Mapped[int] = mapped_column(default=50)
    #: Asynchronous mode: how many days the guide stays open from the consultation's opening.
    async_days: Mapped[int] = mapped_column(default=7)
    state: Mapped[str] = enum_column(SessionState, default=SessionState.SCHEDULED)
    current_prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("focus_group_prompts.id", use_alter=True, ondelete="SET NULL"), default=None
    )
    #: Raised on every change participants must see (push, close, results shared, finish): their pages poll it.
    version: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Hash of the read-only observer link for people without a staff account (politicians); None = no link.
    observer_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)

    consultation: Mapped[Consultation] = relationship()
    prompts: Mapped[list[Prompt]] = relationship(
        back_populates="focus_group",
        order_by="Prompt.position",
        cascade="all, delete-orphan",
        foreign_keys="Prompt.focus_group_id",
    )
    current_prompt: Mapped[Prompt | None] = relationship(foreign_keys=[current_prompt_id], post_update=True)


class Prompt(Base):
    """One step of the discussion guide. Texts are {lang: text}; ``options`` and ``statements`` lists of those.

    ``options`` belong to polls and rankings, ``statements`` to agree/disagree prompts. A follow-up is written
    during the session and placed right after the prompt it follows.
    """

    __tablename__ = "focus_group_prompts"
    __table_args__ = (Index("ix_focus_group_prompts_group_position", "focus_group_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = enum_column(PromptKind, default=PromptKind.OPEN)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    help_text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    options: Mapped[list[Any]] = mapped_column(default=list)
    statements: Mapped[list[Any]] = mapped_column(default=list)
    #: Multiple choice only: how many options a participant must and may pick.
    min_choices: Mapped[int] = mapped_column(default=1)
    max_choices: Mapped[int | None] = mapped_column(default=None)
    #: Open prompts: after answering, participants vote on a sample of others' answers.
    voting_enabled: Mapped[bool] = mapped_column(default=True)
    max_length: Mapped[int] = mapped_column(default=1000)
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("focus_group_prompts.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[str] = enum_column(PromptState, default=PromptState.PENDING)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The moderator shared this prompt's results with the participants.
    results_shared_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Open answers grouped into themes by the analysis library (see themes.py), and how many answers that saw.
    themes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    themed_answer_count: Mapped[int] = mapped_column(default=0)

    focus_group: Mapped[FocusGroup] = relationship(back_populates="prompts", foreign_keys=[focus_group_id])


class FocusGroupParticipant(Base):
    """A pseudonymous participant of one focus group; ``key_hash`` hashes a secret only they hold."""

    __tablename__ = "focus_group_participants"
    __table_args__ = (UniqueConstraint("focus_group_id", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(40))
    invited: Mapped[bool] = mapped_column(default=False)
    #: Coarse segments copied from the invitation, never anything finer.
    age_band: Mapped[str] = mapped_column(String(16), default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    household_type: Mapped[str] = mapped_column(String(32), default="")
    joined_at: Mapped[datetime] = mapped_column(default=now_utc)
    #: Last request from the participant's page: "who is here now" on the console.
    last_seen_at: Mapped[datetime] = mapped_column(default=now_utc)


class Contribution(Base):
    """A participant's answer to one prompt (one per pair; editing while the prompt is open updates it).

    ``text`` holds an open answer; ``choices`` the structured part: option indexes for polls, the order of option
    indexes for a ranking, one vote (1, 0, -1) per statement in the statements' order.
    """

    __tablename__ = "focus_group_contributions"
    __table_args__ = (UniqueConstraint("prompt_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("focus_group_prompts.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("focus_group_participants.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    choices: Mapped[list[Any]] = mapped_column(default=list)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    is_highlighted: Mapped[bool] = mapped_column(default=False)
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    pass_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)

    prompt: Mapped[Prompt] = relationship()
    participant: Mapped[FocusGroupParticipant] = relationship()


class ContributionVote(Base):
    """A participant's current vote on another participant's answer (one per pair)."""

    __tablename__ = "focus_group_votes"
    __table_args__ = (UniqueConstraint("contribution_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("focus_group_contributions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("focus_group_participants.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


class ModeratorAction(Base):
    """Append-only log of what the moderator did, for the transcript."""

    __tablename__ = "focus_group_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_group_id: Mapped[int] = mapped_column(ForeignKey("focus_groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = enum_column(ModeratorActionKind)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("focus_group_prompts.id", ondelete="SET NULL"), default=None
    )
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("focus_group_contributions.id", ondelete="SET NULL"), default=None
    )
    #: What the transcript needs beyond the ids, e.g. {"capacity": 50} or {"from": "open"}; never personal data.
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=now_utc)
