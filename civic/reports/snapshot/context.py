"""What every part of a snapshot build shares: the session, the report, its consultation and the hidden-cell tally."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation, ConsultationKind
from civic.focus_groups.models import FocusGroup
from civic.hearings.models import Hearing
from civic.hearings.services import find_hearing
from civic.insight.models import AnalysisRun, RunKind, RunStatus
from civic.registry.types import AGE_BANDS, HouseholdType
from civic.reports.models import Report
from civic.reports.snapshot.suppressed import Tally
from civic.surveys.models import Survey

#: The coarse segments a respondent or participant carries (from their invitation), in the order tables show them.
DIMENSIONS = ("age_band", "district", "household_type")
#: A respondent without a value (a public link carries none): the library's "not stated" segment.
NOT_STATED = ""
#: Known values in display order; others (and every district) follow sorted, "not stated" last.
SEGMENT_ORDER: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "household_type": tuple(kind.value for kind in HouseholdType),
}
LOCAL_TZ = ZoneInfo("Europe/Oslo")


@dataclass
class Build:
    """One snapshot build (read only: nothing here writes)."""

    session: Session
    report: Report
    consultation: Consultation
    survey: Survey | None = None
    hearing: Hearing | None = None
    focus_group: FocusGroup | None = None
    tally: Tally = field(default_factory=Tally)

    @classmethod
    def start(cls, session: Session, report: Report) -> Build:
        consultation = report.consultation
        build = cls(session, report, consultation)
        if consultation.kind == ConsultationKind.SURVEY:
            build.survey = session.scalar(select(Survey).where(Survey.consultation_id == consultation.id))
        elif consultation.kind == ConsultationKind.HEARING:
            build.hearing = find_hearing(session, consultation)
        elif consultation.kind == ConsultationKind.FOCUS_GROUP:
            build.focus_group = session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation.id))
        return build

    @property
    def languages(self) -> list[str]:
        return [str(lang) for lang in (self.consultation.languages or ["nb"])]

    def latest_done_run(self, kind: RunKind) -> AnalysisRun | None:
        """The newest run of ``kind`` that produced a result (what the insight pages show)."""
        return self.session.scalars(
            select(AnalysisRun)
            .where(
                AnalysisRun.consultation_id == self.consultation.id,
                AnalysisRun.kind == kind.value,
                AnalysisRun.status == RunStatus.DONE.value,
            )
            .order_by(AnalysisRun.id.desc())
            .limit(1)
        ).first()


#: Norwegian alphabetical order: æ, ø, å come after z (code points put å before ø).
_NORWEGIAN = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def ordered_segments(dimension: str, values: Iterable[str]) -> list[str]:
    """Segment values in display order: known ones first, the rest alphabetically, "not stated" last."""
    found = set(values)
    known = [value for value in SEGMENT_ORDER.get(dimension, ()) if value in found]
    rest = sorted(found - set(known) - {NOT_STATED}, key=lambda value: (value.casefold().translate(_NORWEGIAN), value))
    return known + rest + ([NOT_STATED] if NOT_STATED in found else [])


def iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def week_of(moment: datetime) -> date:
    """Monday of the week (Europe/Oslo) a UTC moment falls in."""
    day = moment.astimezone(LOCAL_TZ).date()
    return day - timedelta(days=day.weekday())


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def texts(value: Any) -> dict[str, str]:
    """A content field as a {lang: text} dict (a plain string becomes bokmål)."""
    if isinstance(value, dict):
        return {str(lang): str(text) for lang, text in value.items() if text}
    return {"nb": str(value)} if value else {}
