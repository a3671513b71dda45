"""Campaigns: who to invite (criteria, never people), what to say, and an outbox of messages.

No table here holds a name, national identity number, address, e-mail address or phone number.
Recipients are fetched from the registries when a send runs and exist only in memory and in the
transient task payloads; a message row knows only its invitation, channel and state.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base, TimestampMixin, enum_column
from civic.core.timeutils import now_utc


class CampaignState(enum.StrEnum):
    """draft → scheduled → sending → sent; cancelled from draft or scheduled."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"  # sends by itself at send_at
    SENDING = "sending"
    SENT = "sent"  # every message reached a final or ambiguous state
    CANCELLED = "cancelled"


class ChannelPolicy(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    EMAIL_THEN_SMS = "email_then_sms"  # e-mail where KRR has a fresh address, SMS otherwise


class MessagePurpose(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    OUTCOME = "outcome"  # "you said, we did": the decision, to residents who took part


class MessageState(enum.StrEnum):
    """pending → sending → sent → delivered; failed, bounced; unknown when the outcome was lost."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"  # accepted by the SMTP server / SMS gateway
    DELIVERED = "delivered"  # delivery report received
    FAILED = "failed"  # permanent refusal, or transient errors past the retry budget
    BOUNCED = "bounced"  # e-mail bounce after acceptance
    UNKNOWN = "unknown"  # request may have reached the provider; see the stated policy in dispatch


#: While a campaign is in these states its audience, texts and channel policy may still change.
EDITABLE_STATES = frozenset({CampaignState.DRAFT, CampaignState.SCHEDULED})

FINAL_MESSAGE_STATES = frozenset(
    {MessageState.SENT, MessageState.DELIVERED, MessageState.FAILED, MessageState.BOUNCED, MessageState.UNKNOWN}
)


class Campaign(TimestampMixin, Base):
    """One mailing for one consultation: audience criteria, channel policy, schedule, reminders."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = enum_column(CampaignState, default=CampaignState.DRAFT)
    #: AudienceCriteria.to_json(): ages, sub-districts, polygon, streets, children's ages, languages.
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channel_policy: Mapped[str] = enum_column(ChannelPolicy, default=ChannelPolicy.EMAIL_THEN_SMS)
    send_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Reminders to residents who have not responded, reminder_after_days apart, at most reminder_max.
    reminder_after_days: Mapped[int] = mapped_column(default=7)
    reminder_max: Mapped[int] = mapped_column(default=1)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    #: Random per campaign; with SECRET_KEY it derives each resident's token (see campaigns.tokens).
    token_salt: Mapped[str] = mapped_column(String(64))
    #: Aggregate counts only, e.g. {"matched": 6210, "reserved": 180, "segments": {...}}.
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)

    templates: Mapped[list[CampaignTemplate]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignTemplate.id"
    )


class CampaignTemplate(Base):
    """The texts of one purpose (invitation or reminder) in one language, with {placeholders}."""

    __tablename__ = "campaign_templates"
    __table_args__ = (UniqueConstraint("campaign_id", "purpose", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = enum_column(MessagePurpose, default=MessagePurpose.INVITATION)
    language: Mapped[str] = mapped_column(String(8), default="nb")
    email_subject: Mapped[str] = mapped_column(String(200), default="")
    email_body: Mapped[str] = mapped_column(Text, default="")  # plain text with paragraphs; HTML is derived
    sms_body: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship(back_populates="templates")


class OutboundMessage(Base):
    """One message to one invitation in one round: the outbox row and its state machine.

    ``round`` 0 is the invitation, 1..n the reminders. The row is the idempotency gate: a task only sends
    a message it moved from pending to sending itself.
    """

    __tablename__ = "campaign_messages"
    __table_args__ = (
        UniqueConstraint("invitation_id", "round", "channel"),
        Index("ix_campaign_messages_campaign_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("outreach_invitations.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(8))  # outreach.models.Channel value: "email" or "sms"
    state: Mapped[str] = enum_column(MessageState, default=MessageState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    provider_ref: Mapped[str] = mapped_column(String(100), default="")
    #: A reason code, never the provider's free text (it can echo addresses): "rejected", "429", "bounce"…
    failure_reason: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
