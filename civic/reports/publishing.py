"""Compose and publish a consultation's public report: the services behind the planner's buttons.

Publication freezes the figures (``civic.reports.snapshot.build_snapshot``) into ``Report.snapshot``; the public
page, PDF and open data are rendered from that copy. Services flush and raise :class:`ReportError`; views commit.
``version`` counts changes to what the public sees, and the page caches and PDFs are keyed by it, so every change
to a published report goes through :func:`bump_version` (or a new publication).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.consultations.services import change_state, state_label
from civic.core.errors import DomainError
from civic.core.timeutils import now_utc
from civic.hearings.models import Hearing, Participant
from civic.outreach.models import Invitation
from civic.reports.models import Report, ReportState, Section, Theme
from civic.reports.pdf_tasks import request_pdfs
from civic.reports.snapshot import build_snapshot
from civic.surveys.models import Survey, SurveyResponse

#: Segment dimensions a report's results can be broken down by ("" = no breakdown).
BREAKDOWNS = ("district", "age_band", "household_type", "")
#: The planner's own texts: longer than this is a document to attach, not a report section.
MAX_TEXT = 20_000

_SURVEY_SECTIONS = (
    Section.WHAT_WE_HEARD,
    Section.PARTICIPATION,
    Section.RESULTS,
    Section.TOPICS,
    Section.NEXT_STEPS,
    Section.OUTCOMES,
    Section.HONESTY,
)
_HEARING_SECTIONS = (
    Section.WHAT_WE_HEARD,
    Section.PARTICIPATION,
    Section.TOPICS,
    Section.GROUPS,
    Section.STATEMENTS,
    Section.NEXT_STEPS,
    Section.OUTCOMES,
    Section.HONESTY,
)
#: Sections a planner may choose per consultation kind (and the defaults of a new report).
SECTIONS_BY_KIND: dict[str, tuple[Section, ...]] = {
    ConsultationKind.SURVEY: _SURVEY_SECTIONS,
    ConsultationKind.HEARING: _HEARING_SECTIONS,
    # Focus groups have no formal statements and no opinion-group runs (their votes are on answers, per prompt).
    ConsultationKind.FOCUS_GROUP: tuple(s for s in _HEARING_SECTIONS if s not in (Section.STATEMENTS, Section.GROUPS)),
}
#: Fields whose change a published report's readers see at once (figures change only by publishing again).
_VISIBLE_FIELDS = frozenset({"sections", "what_we_heard", "next_steps", "theme", "districts"})


class ReportError(DomainError):
    """Publishing refused; ``code`` says why (tests and other helpers match on it, users read ``message``)."""

    STATUS: ClassVar[dict[str, int]] = {"not_closed": 409, "no_responses": 422, "not_published": 409, "invalid": 422}

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status_code = self.STATUS.get(code, 409)


def sections_for(consultation: Consultation) -> tuple[Section, ...]:
    """Return the sections a report of this consultation can have, in page order."""
    return SECTIONS_BY_KIND.get(consultation.kind, _SURVEY_SECTIONS)


def find_report(session: Session, consultation: Consultation) -> Report | None:
    return session.scalar(select(Report).where(Report.consultation_id == consultation.id))


def default_report(consultation: Consultation) -> Report:
    """Return an unsaved report with the defaults (the compose page shows it before anything is saved)."""
    return Report(
        consultation_id=consultation.id,
        consultation=consultation,
        state=ReportState.DRAFT,
        sections=[s.value for s in sections_for(consultation)],
        what_we_heard={},
        next_steps={},
        theme=Theme.OTHER,
        districts=[],
        breakdown="district",
        snapshot={},
        version=0,
    )


def get_or_create_report(session: Session, consultation: Consultation) -> Report:
    """Return the consultation's report, creating a draft with the defaults for its kind."""
    report = find_report(session, consultation)
    if report is None:
        report = default_report(consultation)
        session.add(report)
        session.flush()
    return report


def update_report(session: Session, report: Report, **fields: Any) -> Report:
    """Change what the planner composes: sections, texts, theme, districts, breakdown.

    Values are checked here as well as in the form, since the demo and other callers come without a form.
    A published report's readers see text, section and theme edits at once (a new version); a new breakdown
    needs new figures, so it shows after the next publication ("refresh figures").
    """
    unknown = set(fields) - {"sections", "what_we_heard", "next_steps", "theme", "districts", "breakdown"}
    if unknown:
        raise TypeError(f"update_report got unknown fields {sorted(unknown)}")
    clean: dict[str, Any] = {}
    if "sections" in fields:
        clean["sections"] = _clean_sections(report.consultation, fields["sections"])
    for name in ("what_we_heard", "next_steps"):
        if name in fields:
            clean[name] = _clean_texts(fields[name] or {})
    if "theme" in fields:
        if fields["theme"] not in set(Theme):
            raise ReportError("invalid", _("Choose one of the themes."))
        clean["theme"] = Theme(fields["theme"]).value
    if "districts" in fields:
        clean["districts"] = list(dict.fromkeys(str(d).strip() for d in fields["districts"] or [] if str(d).strip()))
    if "breakdown" in fields:
        if (fields["breakdown"] or "") not in BREAKDOWNS:
            raise ReportError("invalid", _("Choose how the results are broken down."))
        clean["breakdown"] = fields["breakdown"] or ""
    changed = {name for name, value in clean.items() if getattr(report, name) != value}
    for name in changed:
        setattr(report, name, clean[name])
    session.flush()
    if report.state == ReportState.PUBLISHED and changed & _VISIBLE_FIELDS:
        bump_version(report)
        session.flush()
    return report


def _clean_sections(consultation: Consultation, values: Iterable[str]) -> list[str]:
    allowed = sections_for(consultation)
    chosen = {str(v) for v in values}
    unknown = chosen - {s.value for s in allowed}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ReportError("invalid", _("This report cannot have the section(s) %(names)s.", names=names))
    # The honesty panel is not optional: figures without their limits would mislead.
    chosen.add(Section.HONESTY.value)
    return [s.value for s in Section if s.value in chosen]


def _clean_texts(texts: Mapping[str, Any]) -> dict[str, str]:
    clean = {}
    for lang, text in texts.items():
        value = str(text or "").replace("\r\n", "\n").strip()
        if len(value) > MAX_TEXT:
            raise ReportError("invalid", _("A text may be at most %(max)d characters long.", max=MAX_TEXT))
        if value:
            clean[str(lang)] = value
    return clean


def respondents(snapshot: Mapping[str, Any]) -> int:
    """Return how many took part according to a snapshot (respondents or hearing participants)."""
    participation = snapshot.get("participation") or {}
    headline = snapshot.get("headline") or {}
    return int(participation.get("responded") or headline.get("respondents") or 0)


def publish(session: Session, report: Report, actor: StaffUser | None, now: datetime | None = None) -> Report:
    """Freeze the figures and publish (again: "refresh figures" is a new publication with new figures).

    Refused while the consultation can still change (answers would arrive after the figures are frozen), and
    when nobody took part (an empty report says nothing and shows the honesty panel's limits as if real).
    """
    now = now or now_utc()
    consultation = report.consultation
    if consultation.state not in (ConsultationState.CLOSED, ConsultationState.PUBLISHED):
        raise ReportError(
            "not_closed",
            _(
                "The report can be published once the consultation is closed; it is %(state)s now. "
                "Close it on the consultation's page first.",
                state=state_label(consultation.state),
            ),
        )
    snapshot = build_snapshot(session, report)
    if respondents(snapshot) < 1:
        raise ReportError(
            "no_responses",
            _("Nobody took part in this consultation, so there is nothing to report. The report was not published."),
        )
    first = report.state != ReportState.PUBLISHED
    report.snapshot = snapshot
    report.state = ReportState.PUBLISHED
    report.version += 1
    if first or report.published_at is None:
        # A refresh keeps the publication date; the page says when the figures were built.
        report.published_at = now
        report.published_by_id = actor.id if actor else None
    if consultation.state == ConsultationState.CLOSED:
        change_state(session, consultation, ConsultationState.PUBLISHED, actor=actor, now=now)
    session.flush()
    request_pdfs(report)
    return report


def unpublish(session: Session, report: Report, actor: StaffUser | None = None, now: datetime | None = None) -> Report:
    """Take the report off its public address (it becomes a draft; the figures stay until the next publication).

    The consultation stays "results published": its state machine has no way back, and its answers are closed.
    """
    if report.state != ReportState.PUBLISHED:
        raise ReportError("not_published", _("The report is not published."))
    report.state = ReportState.DRAFT
    session.flush()
    return report


def bump_version(report: Report) -> None:
    """Count an edit of a published report's texts or outcomes: new page caches and new PDFs."""
    report.version += 1
    request_pdfs(report)


def known_districts(session: Session, consultation: Consultation) -> list[str]:
    """Return the districts seen in the consultation's invitations, responses or participants (sorted)."""
    queries = [select(Invitation.district).where(Invitation.consultation_id == consultation.id)]
    if consultation.kind == ConsultationKind.SURVEY:
        queries.append(
            select(SurveyResponse.district)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.consultation_id == consultation.id)
        )
    elif consultation.kind == ConsultationKind.HEARING:
        queries.append(
            select(Participant.district)
            .join(Hearing, Hearing.id == Participant.hearing_id)
            .where(Hearing.consultation_id == consultation.id)
        )
    found: set[str] = set()
    for query in queries:
        found.update(d for d in session.scalars(query.distinct()) if d)
    return sorted(found)
