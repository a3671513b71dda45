"""How consultations' facts read to residents, in their language."""

from __future__ import annotations

from flask_babel import format_datetime

from civic.consultations.models import Consultation


def format_deadline(consultation: Consultation) -> str:
    """Return the closing date in the resident's language, or "" when there is none."""
    return format_datetime(consultation.closes_at, "medium") if consultation.closes_at else ""
