"""The shared kernel of surveys, hearings and focus groups."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import Organisation
from civic.core.db import Base, TimestampMixin, enum_column
from civic.core.timeutils import now_utc


class ConsultationKind(enum.StrEnum):
    SURVEY = "survey"
    HEARING = "hearing"
    FOCUS_GROUP = "focus_group"


class ConsultationState(enum.StrEnum):
    """draft → scheduled → open → closed → published (results)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"  # will open by itself at opens_at
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"  # results published


class Access(enum.StrEnum):
    PUBLIC = "public"  # anyone with the public link
    INVITED = "invited"  # only residents with a personal link


class Consultation(TimestampMixin, Base):
    """A survey, hearing or focus group run by an organisation. Texts are {lang: text} dicts."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Unguessable id used in public URLs so drafts cannot be enumerated.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = enum_column(ConsultationKind)
    state: Mapped[str] = enum_column(ConsultationState, default=ConsultationState.DRAFT)
    access: Mapped[str] = enum_column(Access, default=Access.PUBLIC)
    title: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Languages the content is written in; the first is the default.
    languages: Mapped[list[Any]] = mapped_column(default=lambda: ["nb"])
    opens_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)

    organisation: Mapped[Organisation] = relationship()
    state_changes: Mapped[list[ConsultationStateChange]] = relationship(
        back_populates="consultation", order_by="ConsultationStateChange.id", cascade="all, delete-orphan"
    )

    def is_accepting_responses(self, now: datetime | None = None) -> bool:
        """Open, and inside the date window even if the scheduler has not run yet."""
        now = now or now_utc()
        if self.state != ConsultationState.OPEN:
            return False
        return self.closes_at is None or now < self.closes_at

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "nb"


class ConsultationStateChange(Base):
    """Append-only log of state changes (who, when, from, to)."""

    __tablename__ = "consultation_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    #: None when the scheduler made the change.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=now_utc)

    consultation: Mapped[Consultation] = relationship(back_populates="state_changes")
