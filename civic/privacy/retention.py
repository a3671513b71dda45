"""Retention of residents' free text: erase it n months after the report is published (or the consultation closed).

What is erased: survey free-text answers (and "other, please specify" texts) with the drafts as typed, hearing
comments' bodies with the notes of flags on them, focus-group answers to open prompts, and the analysis embeddings
of those texts. What stays: every structured answer, vote and count, so results and the frozen figures of a
published report (reports.snapshot, the PDF, the open data) are unchanged; formal hearing statements, which are
signed public records that the municipality archives under the Archives Act, not residents' anonymous free text.

A consultation is erased once: the FreeTextErasure row both records it and makes a rerun skip it. Each
consultation is erased in a handful of set-based statements, and a run handles at most ``batch_size`` of them so
a backlog (a lowered setting, a first run) is spread over several scheduled runs (see tasks.py).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState, ConsultationStateChange
from civic.core.timeutils import now_utc
from civic.focus_groups.models import Contribution, FocusGroup, Prompt
from civic.hearings.models import Comment, Flag, Hearing
from civic.insight.models import TextEmbedding, TextSource
from civic.privacy.models import FreeTextErasure
from civic.reports.models import Report, ReportState
from civic.surveys.models import Answer, Survey, SurveyResponse

DEFAULT_BATCH_SIZE = 20
_ENDED = (ConsultationState.CLOSED, ConsultationState.PUBLISHED)


def add_months(moment: datetime, months: int) -> datetime:
    """Return ``moment`` plus whole calendar months, on the last day of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Candidate:
    """An ended consultation not erased yet, with the moment its retention period runs from."""

    consultation_id: int
    kind: str
    reference_at: datetime
    retention_months: int
    title: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def due_at(self) -> datetime:
        return add_months(self.reference_at, self.retention_months)


def candidates(session: Session, *, organisation_id: int | None = None) -> list[Candidate]:
    """Return every ended consultation whose free text is not erased yet (a few hundred rows at most)."""
    closed_at = (
        select(ConsultationStateChange.consultation_id, func.max(ConsultationStateChange.at).label("at"))
        .where(ConsultationStateChange.to_state == ConsultationState.CLOSED)
        .group_by(ConsultationStateChange.consultation_id)
        .subquery()
    )
    query = (
        select(
            Consultation.id,
            Consultation.kind,
            Consultation.title,
            Consultation.closes_at,
            Consultation.updated_at,
            closed_at.c.at,
            Report.published_at,
            Report.state,
            Organisation.free_text_retention_months,
        )
        .join(Organisation, Organisation.id == Consultation.organisation_id)
        .outerjoin(closed_at, closed_at.c.consultation_id == Consultation.id)
        .outerjoin(Report, Report.consultation_id == Consultation.id)
        .outerjoin(FreeTextErasure, FreeTextErasure.consultation_id == Consultation.id)
        .where(Consultation.state.in_(_ENDED), FreeTextErasure.id.is_(None))
        .order_by(Consultation.id)
    )
    if organisation_id is not None:
        query = query.where(Consultation.organisation_id == organisation_id)
    found = []
    for cid, kind, title, closes_at, updated_at, closed, published_at, report_state, months in session.execute(query):
        if report_state == ReportState.PUBLISHED and published_at is not None:
            reference = published_at
        else:  # no report: the closing, as logged, else as planned, else the last change of the consultation
            reference = closed or closes_at or updated_at
        found.append(Candidate(cid, kind, reference, months, title))
    return found


def due(session: Session, *, now: datetime | None = None) -> list[Candidate]:
    """Return the candidates whose retention period has run out at ``now``."""
    now = now or now_utc()
    return [c for c in candidates(session) if c.due_at <= now]


def _drop_embeddings(session: Session, source: TextSource, ids: Select) -> None:
    session.execute(delete(TextEmbedding).where(TextEmbedding.source == source, TextEmbedding.source_id.in_(ids)))


def _erase_survey(session: Session, consultation_id: int) -> int:
    surveys = select(Survey.id).where(Survey.consultation_id == consultation_id).scalar_subquery()
    responses = select(SurveyResponse.id).where(SurveyResponse.survey_id.in_(surveys))
    texts = select(Answer.id).where(Answer.response_id.in_(responses), Answer.text.is_not(None))
    _drop_embeddings(session, TextSource.SURVEY_ANSWER, texts)
    erased = session.execute(
        update(Answer).where(Answer.response_id.in_(responses), Answer.text.is_not(None)).values(text=None)
    ).rowcount
    # The drafts as typed hold the same texts (and unfinished ones): structured answers are in survey_answers.
    session.execute(update(SurveyResponse).where(SurveyResponse.survey_id.in_(surveys)).values(draft_data={}))
    return erased


def _erase_hearing(session: Session, consultation_id: int) -> int:
    hearings = select(Hearing.id).where(Hearing.consultation_id == consultation_id).scalar_subquery()
    comments = select(Comment.id).where(Comment.hearing_id.in_(hearings))
    _drop_embeddings(session, TextSource.HEARING_COMMENT, comments)
    erased = session.execute(
        update(Comment).where(Comment.hearing_id.in_(hearings), Comment.body != "").values(body="")
    ).rowcount
    session.execute(update(Flag).where(Flag.comment_id.in_(comments), Flag.note != "").values(note=""))
    return erased


def _erase_focus_group(session: Session, consultation_id: int) -> int:
    groups = select(FocusGroup.id).where(FocusGroup.consultation_id == consultation_id).scalar_subquery()
    prompts = select(Prompt.id).where(Prompt.focus_group_id.in_(groups))
    answers = select(Contribution.id).where(Contribution.prompt_id.in_(prompts))
    _drop_embeddings(session, TextSource.FOCUS_GROUP_ANSWER, answers)
    return session.execute(
        update(Contribution).where(Contribution.prompt_id.in_(prompts), Contribution.text != "").values(text="")
    ).rowcount


_ERASERS = {
    ConsultationKind.SURVEY: ("survey_texts", _erase_survey),
    ConsultationKind.HEARING: ("hearing_texts", _erase_hearing),
    ConsultationKind.FOCUS_GROUP: ("focus_group_texts", _erase_focus_group),
}


def erase_free_text(session: Session, candidate: Candidate, *, now: datetime | None = None) -> FreeTextErasure:
    """Erase one consultation's free text and record it; flushes, never commits."""
    erasure = FreeTextErasure(
        consultation_id=candidate.consultation_id,
        reference_at=candidate.reference_at,
        retention_months=candidate.retention_months,
        erased_at=now or now_utc(),
    )
    counter, erase = _ERASERS[ConsultationKind(candidate.kind)]
    setattr(erasure, counter, erase(session, candidate.consultation_id))
    session.add(erasure)
    session.flush()
    return erasure


def erasures_of(session: Session, organisation_id: int) -> list[tuple[FreeTextErasure, dict[str, Any]]]:
    """Return the organisation's erasures, newest first, each with its consultation's title."""
    return [
        (erasure, title)
        for erasure, title in session.execute(
            select(FreeTextErasure, Consultation.title)
            .join(Consultation, Consultation.id == FreeTextErasure.consultation_id)
            .where(Consultation.organisation_id == organisation_id)
            .order_by(FreeTextErasure.erased_at.desc(), FreeTextErasure.id.desc())
        )
    ]
