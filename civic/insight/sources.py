"""Plain data for the analysis: the texts of a hearing, survey or focus group, with where they came from.

Hearing comments come only through ``civic.hearings.moderation.visible_for_analysis`` (published ones);
survey texts are the free-text answers and "other, please specify" texts of submitted responses; focus-group
texts are the answers to open prompts that the moderator has not hidden. Each text keeps its source and id (how
runs, embeddings and topic edits refer to it), when it was written, the hearing section, survey question or
focus-group prompt it answers, and, for surveys and focus groups, the writer's coarse segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation, ConsultationKind
from civic.core.i18n import localized
from civic.focus_groups.models import Contribution, FocusGroup, FocusGroupParticipant, Prompt, PromptKind
from civic.hearings.models import HearingSection
from civic.hearings.moderation import visible_for_analysis
from civic.hearings.services import find_hearing
from civic.insight.models import TextSource
from civic.surveys.models import Answer, Question, QuestionKind, ResponseState, Survey, SurveyResponse

#: Question kinds whose answers carry free text: text questions, and choice questions' "other" texts.
TEXT_ANSWER_KINDS = (
    QuestionKind.SHORT_TEXT,
    QuestionKind.LONG_TEXT,
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
)
#: The survey segments a topic can be broken down by (the respondent's coarse segment from the invitation).
SURVEY_SEGMENTS = ("age_band", "district", "household_type")

Key = tuple[str, int]
T = TypeVar("T")


@dataclass(frozen=True)
class SourceText:
    """One analysable text."""

    source: str  # a TextSource value
    source_id: int
    text: str
    created_at: datetime
    #: The hearing section ("1.2 Heading", "" for the whole document), the survey question or the focus-group
    #: prompt ("2. Prompt text") the text answers.
    section: str = ""
    #: Who wrote it (hearing or focus-group participant, survey response id): segments count people, not texts.
    author: int = 0
    #: Surveys and focus groups: {"age_band": …, "district": …, "household_type": …} ("" where unknown).
    #: Hearings: {}.
    segment: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.source, self.source_id)


def consultation_texts(
    session: Session, consultation: Consultation, *, question_ids: Sequence[int] | None = None
) -> list[SourceText]:
    """Every analysable text of a consultation, oldest first.

    ``question_ids`` limits a survey to those questions' answers and a focus group to those prompts' answers.
    """
    if consultation.kind == ConsultationKind.HEARING:
        hearing = find_hearing(session, consultation)
        return [] if hearing is None else hearing_texts(session, hearing.id)
    if consultation.kind == ConsultationKind.SURVEY:
        survey_id = session.scalar(select(Survey.id).where(Survey.consultation_id == consultation.id))
        if survey_id is None:
            return []
        return survey_texts(session, survey_id, consultation.default_language, question_ids=question_ids)
    if consultation.kind == ConsultationKind.FOCUS_GROUP:
        group_id = session.scalar(select(FocusGroup.id).where(FocusGroup.consultation_id == consultation.id))
        if group_id is None:
            return []
        return focus_group_texts(session, group_id, consultation.default_language, prompt_ids=question_ids)
    return []


def hearing_texts(session: Session, hearing_id: int) -> list[SourceText]:
    """The hearing's published comments (the one entry point: visible_for_analysis)."""
    sections = {
        section_id: f"{number} {heading}".strip()
        for section_id, number, heading in session.execute(
            select(HearingSection.id, HearingSection.number, HearingSection.heading).where(
                HearingSection.hearing_id == hearing_id
            )
        )
    }
    return [
        SourceText(
            source=TextSource.HEARING_COMMENT.value,
            source_id=comment.id,
            text=comment.body or "",
            created_at=comment.created_at,
            section=sections.get(comment.section_id, "") if comment.section_id else "",
            author=comment.participant_id,
        )
        for comment in visible_for_analysis(session, hearing_id)
    ]


def survey_texts(
    session: Session, survey_id: int, language: str = "nb", *, question_ids: Sequence[int] | None = None
) -> list[SourceText]:
    """Free-text answers (and "other" texts) of the survey's submitted responses (of some questions only)."""
    questions = {
        question.id: localized(question.text, language)
        for question in session.scalars(select(Question).where(Question.survey_id == survey_id))
    }
    rows = session.execute(
        select(
            Answer.id,
            Answer.text,
            Answer.question_id,
            SurveyResponse.id,
            SurveyResponse.submitted_at,
            SurveyResponse.started_at,
            SurveyResponse.age_band,
            SurveyResponse.district,
            SurveyResponse.household_type,
        )
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            SurveyResponse.survey_id == survey_id,
            SurveyResponse.state == ResponseState.SUBMITTED,
            Question.kind.in_([kind.value for kind in TEXT_ANSWER_KINDS]),
            Answer.text.is_not(None),
            func.length(func.trim(Answer.text)) > 0,
            *([Answer.question_id.in_(list(question_ids))] if question_ids is not None else []),
        )
        .order_by(SurveyResponse.submitted_at, Answer.id)
    )
    return [
        SourceText(
            source=TextSource.SURVEY_ANSWER.value,
            source_id=row[0],
            text=row[1],
            created_at=row[4] or row[5],
            section=questions.get(row[2], ""),
            author=row[3],
            segment=dict(zip(SURVEY_SEGMENTS, row[6:9], strict=True)),
        )
        for row in rows
    ]


def focus_group_texts(
    session: Session, focus_group_id: int, language: str = "nb", *, prompt_ids: Sequence[int] | None = None
) -> list[SourceText]:
    """Visible answers to the group's open prompts (of some prompts only), oldest first.

    Hidden answers are left out, as hearings leave out comments that are not published: the moderator hid
    them, so they must not shape a topic. Poll, ranking and statement answers have no free text to analyse.
    """
    numbers = {
        prompt_id: f"{number}. {localized(text, language)}".strip()
        for number, (prompt_id, text) in enumerate(
            session.execute(
                select(Prompt.id, Prompt.text)
                .where(Prompt.focus_group_id == focus_group_id)
                .order_by(Prompt.position, Prompt.id)
            ),
            start=1,
        )
    }
    rows = session.execute(
        select(
            Contribution.id,
            Contribution.text,
            Contribution.prompt_id,
            Contribution.participant_id,
            Contribution.created_at,
            FocusGroupParticipant.age_band,
            FocusGroupParticipant.district,
            FocusGroupParticipant.household_type,
        )
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .join(FocusGroupParticipant, FocusGroupParticipant.id == Contribution.participant_id)
        .where(
            Prompt.focus_group_id == focus_group_id,
            Prompt.kind == PromptKind.OPEN.value,
            Contribution.is_hidden.is_(False),
            func.length(func.trim(Contribution.text)) > 0,
            *([Contribution.prompt_id.in_(list(prompt_ids))] if prompt_ids is not None else []),
        )
        .order_by(Contribution.created_at, Contribution.id)
    )
    return [
        SourceText(
            source=TextSource.FOCUS_GROUP_ANSWER.value,
            source_id=row[0],
            text=row[1],
            created_at=row[4],
            section=numbers.get(row[2], ""),
            author=row[3],
            segment=dict(zip(SURVEY_SEGMENTS, (value or "" for value in row[5:8]), strict=True)),
        )
        for row in rows
    ]


def open_prompts(session: Session, consultation: Consultation) -> list[Prompt]:
    """A focus group's open prompts (the ones whose answers are free text), in the guide's order."""
    group_id = session.scalar(select(FocusGroup.id).where(FocusGroup.consultation_id == consultation.id))
    if group_id is None:
        return []
    return list(
        session.scalars(
            select(Prompt)
            .where(Prompt.focus_group_id == group_id, Prompt.kind == PromptKind.OPEN.value)
            .order_by(Prompt.position, Prompt.id)
        )
    )


def text_questions(session: Session, consultation: Consultation) -> list[Question]:
    """A survey's questions that collect free text: text questions, and choice questions with an "other" box."""
    survey = session.scalar(select(Survey).where(Survey.consultation_id == consultation.id))
    if survey is None:
        return []
    return [
        question
        for question in survey.questions
        if question.kind_enum in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
        or (question.kind_enum in TEXT_ANSWER_KINDS and any(choice.is_other for choice in question.choices))
    ]


def by_key(texts: Iterable[SourceText]) -> dict[Key, SourceText]:
    return {text.key: text for text in texts}


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Split a sequence into slices of at most ``size`` (IN lists and embedding batches)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
