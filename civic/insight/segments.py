"""The segments page's data: every closed survey question, and every topic of the latest topic run, by segment.

Plain data is pulled here (submitted responses with their coarse segment, closed answers, the topic run's texts
and the planners' topic edits) and handed to ``analysis.segments``, which computes shares, suppresses small cells
(with secondary suppression) and the consensus across segments. Hearing participants carry no segments in
the analysis, so this page is for surveys only.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.segments import SegmentConsensus, segment_consensus, segment_topics
from civic.consultations.models import Consultation
from civic.core.i18n import localized
from civic.insight.models import AnalysisRun
from civic.insight.sources import SURVEY_SEGMENTS
from civic.insight.topic_edits import Corpus, build_view
from civic.insight.topic_stats import MIN_CELL
from civic.surveys.models import Answer, Question, QuestionKind, ResponseState, Survey, SurveyResponse

#: Closed question kinds and how the library reads their answers.
CLOSED_KINDS = {
    QuestionKind.SINGLE_CHOICE: "single",
    QuestionKind.MULTIPLE_CHOICE: "multiple",
    QuestionKind.SCALE: "scale",
}
DIMENSIONS = SURVEY_SEGMENTS


@dataclass
class QuestionSegments:
    question: Question
    label: str
    #: option key (or scale value) → what the page prints
    option_labels: dict[Hashable, str]
    result: SegmentConsensus


@dataclass
class TopicSegments:
    run: AnalysisRun
    #: option (the topic's position among the visible topics) → label
    option_labels: dict[Hashable, str]
    topic_keys: dict[Hashable, str]
    result: SegmentConsensus


@dataclass
class SegmentsPage:
    survey: Survey | None
    respondents: int
    questions: list[QuestionSegments] = field(default_factory=list)
    topics: TopicSegments | None = None


def segments_page(
    session: Session, consultation: Consultation, topics_run: AnalysisRun | None, locale: str
) -> SegmentsPage:
    survey = session.scalar(select(Survey).where(Survey.consultation_id == consultation.id))
    if survey is None:
        return SegmentsPage(survey=None, respondents=0)
    segments = respondent_segments(session, survey.id)
    page = SegmentsPage(survey=survey, respondents=len(segments))
    closed = [q for q in survey.questions if q.kind_enum in CLOSED_KINDS]
    answers = closed_answers(session, survey.id, [q.id for q in closed])
    for question in closed:
        kind = CLOSED_KINDS[question.kind_enum]
        labels = option_labels(question, answers.get(question.id, {}), locale)
        result = segment_consensus(
            answers.get(question.id, {}),
            segments,
            kind=kind,
            options=list(labels),
            dimensions=DIMENSIONS,
            min_cell=MIN_CELL,
        )
        page.questions.append(QuestionSegments(question, localized(question.text, locale), labels, result))
    if topics_run is not None:
        page.topics = topic_segments(session, consultation, topics_run)
    return page


def respondent_segments(session: Session, survey_id: int) -> dict[int, dict[str, str]]:
    """Submitted responses → their coarse segment ("" where unknown, e.g. through a public link)."""
    rows = session.execute(
        select(SurveyResponse.id, SurveyResponse.age_band, SurveyResponse.district, SurveyResponse.household_type)
        .where(SurveyResponse.survey_id == survey_id, SurveyResponse.state == ResponseState.SUBMITTED)
        .order_by(SurveyResponse.id)
    )
    return {row[0]: dict(zip(DIMENSIONS, (value or "" for value in row[1:]), strict=True)) for row in rows}


def closed_answers(session: Session, survey_id: int, question_ids: list[int]) -> dict[int, dict[int, Any]]:
    """question id → {response id → chosen keys (list) or the scale value}, submitted responses only."""
    found: dict[int, dict[int, Any]] = {qid: {} for qid in question_ids}
    if not question_ids:
        return found
    rows = session.execute(
        select(Answer.question_id, Answer.response_id, Answer.choice_keys, Answer.number)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .where(
            SurveyResponse.survey_id == survey_id,
            SurveyResponse.state == ResponseState.SUBMITTED,
            Answer.question_id.in_(question_ids),
        )
    )
    kinds = {
        qid: kind
        for qid, kind in session.execute(select(Question.id, Question.kind).where(Question.id.in_(question_ids)))
    }
    for question_id, response_id, keys, number in rows:
        kind = kinds[question_id]
        if kind == QuestionKind.SCALE:
            if number is not None:
                found[question_id][response_id] = int(number) if float(number).is_integer() else float(number)
        elif kind == QuestionKind.SINGLE_CHOICE:
            # An "other" answer with only a text has no key: it is not a choice to compare.
            if keys:
                found[question_id][response_id] = str(keys[0])
        elif keys:
            found[question_id][response_id] = [str(key) for key in keys]
    return found


def option_labels(question: Question, answers: dict[int, Any], locale: str) -> dict[Hashable, str]:
    """The options in the question's order: its choices, or every point of the scale (and any value found)."""
    if question.kind_enum == QuestionKind.SCALE:
        low, high = int(question.settings.get("min", 1)), int(question.settings.get("max", 5))
        values = sorted({*range(low, high + 1), *answers.values()})
        labels: dict[Hashable, str] = {value: str(value) for value in values}
        if low in labels and localized(question.settings.get("min_label") or {}, locale):
            labels[low] = f"{low} – {localized(question.settings['min_label'], locale)}"
        if high in labels and localized(question.settings.get("max_label") or {}, locale):
            labels[high] = f"{high} – {localized(question.settings['max_label'], locale)}"
        return labels
    return {choice.key: localized(choice.label, locale) for choice in question.choices}


def topic_segments(session: Session, consultation: Consultation, run: AnalysisRun) -> TopicSegments:
    """The latest topic run as the planners edited it: each visible topic's writers by segment."""
    corpus = Corpus(session, run, consultation)
    view = build_view(session, run, consultation, corpus)
    visible = view.visible
    number = {topic.key: n for n, topic in enumerate(visible)}
    owner = view.topic_of_documents()
    pairs: list[tuple[int, int]] = []
    segments: dict[int, dict[str, str]] = {}
    for index, key in enumerate(view.documents):
        text = corpus.texts.get(key)
        if text is None:  # no longer analysable (e.g. the response was deleted)
            continue
        topic = owner[index]
        pairs.append((text.author, number.get(topic.key, -1) if topic is not None else -1))
        segments[text.author] = dict(text.segment)
    result = segment_topics(pairs, segments, topics=list(range(len(visible))), dimensions=DIMENSIONS, min_cell=MIN_CELL)
    return TopicSegments(
        run=run,
        option_labels={n: topic.label for n, topic in enumerate(visible)},
        topic_keys={n: topic.key for n, topic in enumerate(visible)},
        result=result,
    )
