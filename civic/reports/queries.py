"""Read-side aggregation of survey responses, done in SQL (GROUP BY) wherever the data allows.

Only submitted responses count. Every function takes the segment ``Filters``; a group of fewer than
``MIN_GROUP`` respondents is never broken down (see ``is_suppressed``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation
from civic.core.i18n import localized
from civic.reports.stats import histogram, median
from civic.surveys.models import Answer, Question, QuestionKind, ResponseState, Survey, SurveyResponse

#: Below this many respondents a result is hidden: small groups could identify people.
MIN_GROUP = 5
TEXTS_PER_PAGE = 20
#: Segment columns that can be filtered on, as (query-string name, column).
SEGMENTS: dict[str, Any] = {
    "age_band": SurveyResponse.age_band,
    "district": SurveyResponse.district,
    "household_type": SurveyResponse.household_type,
}
LOCAL_TZ = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Filters:
    """The segment a planner narrowed the results to; empty strings mean "everyone"."""

    age_band: str = ""
    district: str = ""
    household_type: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the filters from a query string."""
        return cls(**{name: (args.get(name) or "").strip()[:64] for name in SEGMENTS})

    @property
    def active(self) -> bool:
        return any(self.as_args().values())

    def as_args(self) -> dict[str, str]:
        """Return the non-empty filters as query-string arguments."""
        return {name: getattr(self, name) for name in SEGMENTS if getattr(self, name)}

    def segment_conditions(self) -> list[ColumnElement[bool]]:
        """Return the WHERE conditions for responses (in any state) in this segment."""
        return [column == getattr(self, name) for name, column in SEGMENTS.items() if getattr(self, name)]

    def conditions(self) -> list[ColumnElement[bool]]:
        """Return the WHERE conditions for submitted responses in this segment."""
        return [SurveyResponse.state == ResponseState.SUBMITTED, *self.segment_conditions()]

    def matches(self, response_row: Any) -> bool:
        """Tell whether a loaded response row belongs to this segment (used while streaming exports)."""
        return all(getattr(response_row, name) == value for name, value in self.as_args().items())


def is_suppressed(respondents: int) -> bool:
    """Return True when a group is too small to show (but not empty)."""
    return 0 < respondents < MIN_GROUP


@dataclass
class Counts:
    submitted: int
    drafts: int
    by_day: list[tuple[date, int]]
    suppressed: bool = False
    drafts_suppressed: bool = False


def local_day(moment: datetime) -> date:
    """Return the Oslo calendar day of a UTC moment."""
    return moment.astimezone(LOCAL_TZ).date()


def _hour_bucket(session: Session, column: Any) -> Any:
    # Oslo's UTC offset is always whole hours, so hourly UTC buckets map exactly onto local days.
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def _month_bucket(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def segment_options(session: Session, survey_id: int) -> dict[str, list[str]]:
    """Return the distinct segment values found in the survey's submitted responses."""
    options = {}
    for name, column in SEGMENTS.items():
        options[name] = list(
            session.scalars(
                select(column)
                .where(SurveyResponse.survey_id == survey_id, SurveyResponse.state == ResponseState.SUBMITTED)
                .where(column != "")
                .distinct()
                .order_by(column)
            )
        )
    return options


def counts(session: Session, survey_id: int, filters: Filters) -> Counts:
    """Count submitted responses (in total and per local day) and unfinished drafts."""
    drafts = session.scalar(
        select(func.count(SurveyResponse.id)).where(
            SurveyResponse.survey_id == survey_id,
            SurveyResponse.state == ResponseState.DRAFT,
            *filters.segment_conditions(),
        )
    )
    bucket = _hour_bucket(session, SurveyResponse.submitted_at)
    rows = session.execute(
        select(bucket, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id == survey_id, *filters.conditions())
        .group_by(bucket)
    ).all()
    per_day: Counter[date] = Counter()
    for hour, count in rows:
        if hour:
            moment = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=ZoneInfo("UTC"))
            per_day[local_day(moment)] += count
    submitted = sum(per_day.values())
    by_day = []
    if per_day:
        day, last = min(per_day), max(per_day)
        while day <= last:  # fill quiet days so the chart's time axis is honest
            by_day.append((day, per_day[day]))
            day += timedelta(days=1)
    # A segment narrower than MIN_GROUP would reveal when named groups answered.
    suppressed = filters.active and is_suppressed(submitted)
    return Counts(
        submitted=submitted,
        drafts=drafts or 0,
        by_day=by_day,
        suppressed=suppressed,
        drafts_suppressed=filters.active and is_suppressed(drafts or 0),
    )


def _answers(question: Question, filters: Filters, *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .where(Answer.question_id == question.id, SurveyResponse.survey_id == question.survey_id)
        .where(*filters.conditions())
    )


@dataclass
class QuestionResult:
    """What a question panel shows; ``kind`` selects the part of the template."""

    question: Question
    respondents: int
    kind: str
    question_label: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, float | None] = field(default_factory=dict)
    other_texts: int = 0
    total_points: int = 0

    @property
    def suppressed(self) -> bool:
        return is_suppressed(self.respondents)


def _answered(question: Question) -> ColumnElement[bool]:
    kind = question.kind_enum
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING):
        # An "other" answer may carry only a text; an empty JSON list means nothing was chosen.
        return or_(func.coalesce(func.length(Answer.text), 0) > 0, func.json_array_length(Answer.choice_keys) > 0)
    if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return Answer.number.is_not(None)
    if kind == QuestionKind.DATE:
        return Answer.date_value.is_not(None)
    if kind == QuestionKind.MAP_POINT:
        return and_(Answer.lat.is_not(None), Answer.lon.is_not(None))
    return _has_text()


def respondents(session: Session, question: Question, filters: Filters) -> int:
    """Count the submitted responses in the segment that answered ``question``."""
    return session.scalar(_answers(question, filters, func.count(Answer.id)).where(_answered(question))) or 0


def question_result(session: Session, question: Question, filters: Filters, locale: str) -> QuestionResult:
    """Aggregate the answers to one question, or only count them if the group is too small."""
    n = respondents(session, question, filters)
    result = QuestionResult(
        question=question, respondents=n, kind=question.kind, question_label=localized(question.text, locale)
    )
    if n == 0 or result.suppressed:
        return result
    kind = question.kind_enum
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        _choice(session, question, filters, locale, result)
    elif kind == QuestionKind.RANKING:
        _ranking(session, question, filters, locale, result)
    elif kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        _numeric(session, question, filters, result)
    elif kind == QuestionKind.DATE:
        bucket = _month_bucket(session, Answer.date_value)
        rows = session.execute(
            _answers(question, filters, bucket, func.count(Answer.id))
            .where(Answer.date_value.is_not(None))
            .group_by(bucket)
            .order_by(bucket)
        ).all()
        result.rows = [{"label": month, "count": count} for month, count in rows]
    elif kind == QuestionKind.MAP_POINT:
        points = session.execute(
            _answers(question, filters, Answer.lat, Answer.lon)
            .where(_answered(question))
            .order_by(SurveyResponse.submitted_at.desc(), Answer.id.desc())
        ).all()
        result.rows = [{"lat": lat, "lon": lon} for lat, lon in points]
        result.total_points = len(points)
    return result


def _key_combinations(session: Session, question: Question, filters: Filters) -> list[tuple[list[str], int]]:
    """Count each distinct chosen-keys list in SQL, grouping on the JSON text (PostgreSQL's json has no =)."""
    # The few distinct combinations are then unpacked in Python, which stays portable across databases.
    keys_text = cast(Answer.choice_keys, Text)
    rows = session.execute(
        _answers(question, filters, keys_text, func.count(Answer.id)).where(_answered(question)).group_by(keys_text)
    )
    return [(json.loads(keys) if keys else [], count) for keys, count in rows]


def _has_text() -> ColumnElement[bool]:
    return func.coalesce(func.length(func.trim(Answer.text)), 0) > 0


def _choice(session: Session, question: Question, filters: Filters, locale: str, result: QuestionResult) -> None:
    tally: Counter[str] = Counter()
    for keys, count in _key_combinations(session, question, filters):
        for key in set(keys):
            tally[key] += count
    result.other_texts = session.scalar(_answers(question, filters, func.count(Answer.id)).where(_has_text())) or 0
    for choice in question.choices:
        count = tally.get(choice.key, 0)
        result.rows.append(
            {
                "key": choice.key,
                "label": localized(choice.label, locale),
                "count": count,
                # Multiple choice: share of respondents, so the shares may add up to more than 100 %.
                "percent": 100.0 * count / result.respondents,
                "is_other": choice.is_other,
            }
        )


def _ranking(session: Session, question: Question, filters: Filters, locale: str, result: QuestionResult) -> None:
    rank_sum: Counter[str] = Counter()
    ranked: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for keys, count in _key_combinations(session, question, filters):
        for position, key in enumerate(keys, start=1):
            rank_sum[key] += position * count
            ranked[key] += count
        if keys:
            first[keys[0]] += count
    for choice in question.choices:
        result.rows.append(
            {
                "label": localized(choice.label, locale),
                "average_rank": rank_sum[choice.key] / ranked[choice.key] if ranked[choice.key] else None,
                "first_count": first[choice.key],
                "first_percent": 100.0 * first[choice.key] / result.respondents,
            }
        )
    result.rows.sort(key=lambda row: (row["average_rank"] is None, row["average_rank"] or 0))


def _numeric(session: Session, question: Question, filters: Filters, result: QuestionResult) -> None:
    distribution = [
        (float(value), count)
        for value, count in session.execute(
            _answers(question, filters, Answer.number, func.count(Answer.id))
            .where(Answer.number.is_not(None))
            .group_by(Answer.number)
            .order_by(Answer.number)
        )
    ]
    total = sum(count for _, count in distribution)
    result.stats = {
        "mean": sum(value * count for value, count in distribution) / total,
        "median": median(distribution, total),
        "min": distribution[0][0],
        "max": distribution[-1][0],
    }
    if question.kind_enum == QuestionKind.SCALE:
        low, high = int(question.settings.get("min", 1)), int(question.settings.get("max", 5))
        found = dict(distribution)
        values = sorted({*range(low, high + 1), *(int(v) for v in found)})
        result.rows = [
            {
                "label": str(v),
                "count": found.get(float(v), 0),
                "percent": 100.0 * found.get(float(v), 0) / total,
            }
            for v in values
        ]
    else:
        result.rows = histogram(distribution, integer=bool(question.settings.get("integer")))


@dataclass
class TextPage:
    items: list[tuple[str, datetime | None]]
    total: int
    page: int
    pages: int


def text_page(session: Session, question: Question, filters: Filters, search: str, page: int) -> TextPage:
    """Return one page of the free texts (or "other" texts) given to a question, newest first."""
    stmt = _answers(question, filters, Answer.text, SurveyResponse.submitted_at).where(_has_text())
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Answer.text.ilike(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // TEXTS_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = session.execute(
        stmt.order_by(SurveyResponse.submitted_at.desc(), Answer.id.desc())
        .limit(TEXTS_PER_PAGE)
        .offset((page - 1) * TEXTS_PER_PAGE)
    ).all()
    return TextPage(items=[(text, at) for text, at in rows], total=total, page=page, pages=pages)


def submitted_per_survey(session: Session, organisation_id: int) -> list[tuple[Survey, int]]:
    """List the organisation's surveys, newest first, with their number of submitted responses."""
    submitted = (
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id).label("n"))
        .where(SurveyResponse.state == ResponseState.SUBMITTED)
        .group_by(SurveyResponse.survey_id)
        .subquery()
    )
    rows = session.execute(
        select(Survey, func.coalesce(submitted.c.n, 0))
        .join(Consultation, Consultation.id == Survey.consultation_id)
        .outerjoin(submitted, submitted.c.survey_id == Survey.id)
        .where(Consultation.organisation_id == organisation_id)
        .order_by(Consultation.created_at.desc(), Survey.id.desc())
    ).all()
    return [(survey, n) for survey, n in rows]
