"""Privacy: the record of free text erased under the organisation's retention rule.

One row per consultation whose residents' free text the retention task has erased. It says when and how much,
never what: the erased text itself is gone. Its presence is also what makes the task idempotent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.db import Base
from civic.core.timeutils import now_utc


class FreeTextErasure(Base):
    """Free text of one consultation erased by the retention rule (survey, hearing or focus group)."""

    __tablename__ = "privacy_free_text_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    #: The moment the retention period ran from: the report's publication, or the consultation's closing.
    reference_at: Mapped[datetime] = mapped_column()
    #: The organisation's setting when the erasure ran.
    retention_months: Mapped[int] = mapped_column()
    erased_at: Mapped[datetime] = mapped_column(default=now_utc)
    #: How many texts were erased: survey free-text answers, hearing comments (and flag notes), focus-group answers.
    survey_texts: Mapped[int] = mapped_column(default=0)
    hearing_texts: Mapped[int] = mapped_column(default=0)
    focus_group_texts: Mapped[int] = mapped_column(default=0)
