"""Public reports: what a planner composes from a closed consultation, and what is published.

A report's figures are frozen at publication into ``snapshot`` (plain JSON, already suppressed): the public
page, the PDF and the open data are all rendered from it, so they agree with each other, a journalist can check
them against the download, and a published page costs no aggregation over the responses. The planner's own
texts stay editable after publication. ``version`` counts changes to what the public sees (each publication,
and each edit of a published report's texts or outcomes); the PDFs and page caches are keyed by it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.consultations.models import Consultation
from civic.core.db import Base, TimestampMixin, enum_column
from civic.core.timeutils import now_utc


class ReportState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Section(enum.StrEnum):
    """The ready-made sections a report is composed of, in the order the page shows them."""

    WHAT_WE_HEARD = "what_we_heard"  # the planner's text
    PARTICIPATION = "participation"
    RESULTS = "results"  # surveys: every question
    TOPICS = "topics"  # free text, from the latest finished topic run
    GROUPS = "groups"  # hearings: opinion groups and consensus
    STATEMENTS = "statements"  # hearings: formal statements received
    NEXT_STEPS = "next_steps"  # the planner's text
    OUTCOMES = "outcomes"  # "you said, we did"
    HONESTY = "honesty"  # the statistical honesty panel (always shown)


class Theme(enum.StrEnum):
    """What a consultation is about: the overview's theme filter."""

    TRAFFIC = "traffic"
    URBAN_DEVELOPMENT = "urban_development"
    ENVIRONMENT = "environment"
    HEALTH_WELFARE = "health_welfare"
    CHILDHOOD_EDUCATION = "childhood_education"
    CULTURE_LEISURE = "culture_leisure"
    SERVICES = "services"
    OTHER = "other"


class Report(TimestampMixin, Base):
    """One consultation's public report (at most one per consultation)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = enum_column(ReportState, default=ReportState.DRAFT)
    #: Section values the planner chose; the page shows them in ``Section`` order.
    sections: Mapped[list[Any]] = mapped_column(default=list)
    #: The planner's texts, {lang: text}; paragraphs separated by blank lines.
    what_we_heard: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_steps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    theme: Mapped[str] = enum_column(Theme, default=Theme.OTHER)
    #: The districts the consultation concerns (overview filter); [] = the whole municipality.
    districts: Mapped[list[Any]] = mapped_column(default=list)
    #: Segment dimension the results are broken down by ("district", "age_band", "household_type" or "").
    breakdown: Mapped[str] = mapped_column(String(32), default="district")
    #: Figures frozen at publication (see the module docstring); {} while a draft was never published.
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    #: "You said, we did": the decision taken, {lang: text}, when, and when participants were told.
    decision: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome_notified_at: Mapped[datetime | None] = mapped_column(default=None)

    consultation: Mapped[Consultation] = relationship()
    outcomes: Mapped[list[ReportOutcome]] = relationship(
        back_populates="report", order_by="ReportOutcome.position", cascade="all, delete-orphan"
    )


class ReportOutcome(Base):
    """"You said, we did": what was decided about one topic of the report's snapshot."""

    __tablename__ = "report_outcomes"
    __table_args__ = (UniqueConstraint("report_id", "topic_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    #: The topic's key in ``Report.snapshot["topics"]["topics"]``; its label is copied so a later snapshot
    #: without that topic still shows what was answered.
    topic_key: Mapped[str] = mapped_column(String(64))
    topic_label: Mapped[str] = mapped_column(String(200))
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(default=0)

    report: Mapped[Report] = relationship(back_populates="outcomes")


class ReportPdf(Base):
    """A rendered PDF of one snapshot version in one language (rendered by a task; blobs kept off ``Report``)."""

    __tablename__ = "report_pdfs"
    __table_args__ = (UniqueConstraint("report_id", "version", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    pages: Mapped[int] = mapped_column(default=0)
    render_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
