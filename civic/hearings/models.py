"""Hearings: a proposal split into sections, residents' comments and votes, formal statements, moderation.

A participant is pseudonymous: a random key in a signed cookie, or (through a personal invitation link)
a key derived from the link's token. Only hashes of keys are stored, and, as with survey responses,
nothing joins a participant to an invitation (see civic/campaigns/tokens.py).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.consultations.models import Consultation
from civic.core.db import Base, TimestampMixin, enum_column
from civic.core.timeutils import now_utc

#: Replies nest at most this deep: a comment (0), a reply (1), a reply to a reply (2).
MAX_DEPTH = 2
#: An author may edit a comment for this many minutes after posting it.
EDIT_WINDOW_MINUTES = 15
MAX_COMMENT_LENGTH = 4000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class ModerationMode(enum.StrEnum):
    PRE = "pre"  # every comment waits for a moderator before it is shown
    POST = "post"  # comments are shown at once; moderators act afterwards (screening still holds some)


class CommentState(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # waiting for a moderator (pre-moderation, or held by screening or flags)
    HIDDEN = "hidden"  # a moderator hid it: left out of the page and of the analysis
    DELETED = "deleted"  # its author deleted it; replies stay, the text does not


class VoteValue(enum.IntEnum):
    AGREE = 1
    PASS = 0
    DISAGREE = -1


class FlagReason(enum.StrEnum):
    PERSONAL_DATA = "personal_data"
    OFFENSIVE = "offensive"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class StatementState(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Hearing(TimestampMixin, Base):
    """The hearing of one consultation (kind "hearing"): the proposal and how participation works."""

    __tablename__ = "hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    #: The proposal as the planner wrote it (Markdown); sections are derived from it on save.
    document: Mapped[str] = mapped_column(Text, default="")
    moderation_mode: Mapped[str] = enum_column(ModerationMode, default=ModerationMode.POST)
    #: Offer residents a one-time code by e-mail or SMS that marks their contributions "verified resident".
    verification_offered: Mapped[bool] = mapped_column(default=True)
    #: {lang: text}; empty means the platform's default house rules.
    house_rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Set for hearings imported from a Polis export: the conversation's topic, for the record.
    imported_from: Mapped[str] = mapped_column(String(200), default="")

    consultation: Mapped[Consultation] = relationship()
    sections: Mapped[list[HearingSection]] = relationship(
        back_populates="hearing", order_by="HearingSection.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[HearingAttachment]] = relationship(
        back_populates="hearing", order_by="HearingAttachment.id", cascade="all, delete-orphan"
    )


class HearingSection(Base):
    """One numbered section of the proposal, cut at its headings (hearings.document.parse_document)."""

    __tablename__ = "hearing_sections"
    __table_args__ = (UniqueConstraint("hearing_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(String(16))  # "1", "1.2"
    anchor: Mapped[str] = mapped_column(String(32))  # "s-1-2"
    heading: Mapped[str] = mapped_column(Text)  # plain text; escaped when shown
    level: Mapped[int] = mapped_column(SmallInteger)
    html: Mapped[str] = mapped_column(Text)  # sanitised (nh3) body
    text: Mapped[str] = mapped_column(Text)  # plain text, for search and analysis

    hearing: Mapped[Hearing] = relationship(back_populates="sections")


class HearingAttachment(Base):
    """A PDF attached to the proposal, stored in the database (small, and backed up with it)."""

    __tablename__ = "hearing_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    hearing: Mapped[Hearing] = relationship(back_populates="attachments")


class Participant(Base):
    """A pseudonymous participant of one hearing. Holds no identity; ``key_hash`` is a hash of a secret
    only the participant's browser (cookie) or personal link holds."""

    __tablename__ = "hearing_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Shown next to contributions: "Deltaker 4821". Unique within the hearing.
    pseudonym: Mapped[str] = mapped_column(String(40))
    #: Came through a personal invitation link; then the invitation's coarse segment is copied (never finer).
    invited: Mapped[bool] = mapped_column(default=False)
    age_band: Mapped[str] = mapped_column(String(16), default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    household_type: Mapped[str] = mapped_column(String(32), default="")
    #: Confirmed a one-time code sent to an e-mail address or phone (the address itself is not kept).
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Imported from Polis: the export's participant id and opinion group, so an export writes them back.
    polis_id: Mapped[int | None] = mapped_column(default=None)
    polis_group: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (UniqueConstraint("hearing_id", "pseudonym"),)


class Comment(Base):
    """A comment on a section (or on the whole document when ``section_id`` is None), or a reply.

    The agree/disagree/pass counters hold the latest vote of each participant (hearings.votes keeps them
    in step under concurrent votes); the history is in VoteEvent.
    """

    __tablename__ = "hearing_comments"
    __table_args__ = (
        Index("ix_hearing_comments_listing", "hearing_id", "section_id", "state"),
        UniqueConstraint("hearing_id", "polis_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("hearing_sections.id", ondelete="SET NULL"), default=None)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("hearing_comments.id"), index=True, default=None)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    participant_id: Mapped[int] = mapped_column(ForeignKey("hearing_participants.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = enum_column(CommentState, default=CommentState.PUBLISHED)
    #: Why screening or flags held it: "personal_data", "link", "repeat", "burst", "flagged", "pre_moderation".
    hold_reasons: Mapped[list[Any]] = mapped_column(default=list)
    verified: Mapped[bool] = mapped_column(default=False)  # the author was a verified resident when posting
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    pass_count: Mapped[int] = mapped_column(default=0)
    polis_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    participant: Mapped[Participant] = relationship()

    @property
    def vote_count(self) -> int:
        return self.agree_count + self.disagree_count + self.pass_count


class Vote(Base):
    """A participant's current vote on a comment (one per pair; changing it updates this row)."""

    __tablename__ = "hearing_votes"
    __table_args__ = (UniqueConstraint("comment_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("hearing_comments.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("hearing_participants.id"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


class VoteEvent(Base):
    """Append-only history of votes: every cast or change, as Polis' votes.csv records it."""

    __tablename__ = "hearing_vote_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("hearing_comments.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("hearing_participants.id"))
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class Flag(Base):
    """A participant's report that a comment breaks the house rules (one per participant and comment)."""

    __tablename__ = "hearing_flags"
    __table_args__ = (UniqueConstraint("comment_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("hearing_comments.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("hearing_participants.id"))
    reason: Mapped[str] = enum_column(FlagReason)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class ModerationDecision(Base):
    """Append-only log of moderators' decisions on comments and statements. Never updated or deleted."""

    __tablename__ = "hearing_moderation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("hearing_comments.id", ondelete="SET NULL"), default=None)
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("hearing_statements.id", ondelete="SET NULL"), default=None
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    action: Mapped[str] = mapped_column(String(16))  # "publish", "hide", "reject", "restore"
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class FormalStatement(Base):
    """A signed hearing statement (høringsuttalelse) from a resident or an organisation; public once approved."""

    __tablename__ = "hearing_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("hearing_participants.id"), default=None)
    #: Formal statements are public records with the signer's name (as in Norwegian hearing practice).
    signer_name: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")  # empty: on the signer's own behalf
    body: Mapped[str] = mapped_column(Text)
    attachment_filename: Mapped[str] = mapped_column(String(200), default="")
    attachment_size: Mapped[int] = mapped_column(default=0)
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    state: Mapped[str] = enum_column(StatementState, default=StatementState.PENDING)
    submitted_at: Mapped[datetime] = mapped_column(default=now_utc)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class VerificationCode(Base):
    """A one-time code sent to a participant (single use, 10 minutes, stored hashed; the address is not kept)."""

    __tablename__ = "hearing_verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("hearing_participants.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # "email" or "sms"
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
