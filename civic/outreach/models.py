"""Invitations: personal links to a consultation, holding no identity.

An invitation keeps coarse segment attributes and timestamps; each message sent for it carries its own
random link, of which only a hash is stored (InvitationLink). A campaign's invitation also keeps a keyed
person reference so reminders can find it; the response is keyed by a second hash of the link token,
so even with the key and the registry an invitation cannot be joined to its answers (see
civic/campaigns/tokens.py). Who received a message is known only while a send runs.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.db import Base, enum_column
from civic.core.timeutils import now_utc


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LINK = "link"  # handed out by the municipality itself (letter, QR code)


class Invitation(Base):
    """One resident's invitation to one consultation; its links are InvitationLink rows."""

    __tablename__ = "outreach_invitations"
    __table_args__ = (UniqueConstraint("campaign_id", "person_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Referenced by table name: outreach sits below consultations and must not import it.
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    #: Set when a campaign sent it; referenced by table name because campaigns sits above outreach.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True, default=None
    )
    #: Campaign invitations only: HMAC(SECRET_KEY + campaign salt, national id), so a reminder round can find
    #: the invitation of a resident it fetched from the registry again. Useless without SECRET_KEY.
    person_ref: Mapped[str | None] = mapped_column(String(64), default=None)
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
    #: The day only (midnight UTC, see coarse_day): exact times would match the response's own timestamps.
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    responded_at: Mapped[datetime | None] = mapped_column(default=None)


class InvitationLink(Base):
    """One link token of an invitation: the first message's, and a fresh one in every reminder.

    Tokens are random and never stored; the hash finds the invitation. A reminder cannot repeat an
    earlier link because the platform does not know it, which is the point.
    """

    __tablename__ = "outreach_invitation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("outreach_invitations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


def coarse_day(moment: datetime) -> datetime:
    """Return midnight UTC of ``moment``'s day: what an invitation records of when it was opened or answered."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
