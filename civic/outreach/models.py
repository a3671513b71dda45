"""Invitations: a personal link per resident, holding no identity.

An invitation keeps only the token's hash, coarse segment attributes and timestamps. Who received it
is known only while a send runs (see the outreach issue); the platform never stores it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.db import Base, enum_column
from civic.core.timeutils import now_utc


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LINK = "link"  # handed out by the municipality itself (letter, QR code)


class Invitation(Base):
    """A personal link to one consultation."""

    __tablename__ = "outreach_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Referenced by table name: outreach sits below consultations and must not import it.
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    #: Set when a campaign sent it; referenced by table name because campaigns sits above outreach.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True, default=None
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = enum_column(Channel, default=Channel.LINK)
    #: Coarse segments only: "18-29", "Årvoll", "family_with_children". Never anything finer.
    age_band: Mapped[str] = mapped_column(String(16), default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    household_type: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    bounced_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The resident asked for no more reminders about this consultation (link in every message).
    reminders_stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    responded_at: Mapped[datetime | None] = mapped_column(default=None)
