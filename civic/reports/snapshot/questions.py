"""Results per survey question, in answering order (archived questions left out), already suppressed.

Every question carries every key of the schema; parts that do not apply to its kind are None (``options`` is []).
``respondents`` is the question's number of respondents as the results page counts them; a question with fewer
than ``MIN_CELL`` respondents has ``suppressed: true`` and prints nothing else.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from civic.reports.snapshot import answers, closed, distributions
from civic.reports.snapshot.context import DIMENSIONS, Build, texts
from civic.reports.snapshot.participation import SegmentCounts
from civic.reports.snapshot.suppressed import MIN_CELL, is_small
from civic.reports.stats import median
from civic.surveys.models import Question, QuestionKind

CLOSED = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.SCALE)


def questions(build: Build, segments: dict[str, SegmentCounts]) -> list[dict[str, Any]] | None:
    if build.survey is None:
        return None
    dimension = build.report.breakdown if build.report.breakdown in DIMENSIONS else None
    active = build.survey.questions
    found = answers.load(build.session, build.survey.id, active, dimension)
    return [
        _question(build, question, number, dimension, segments.get(dimension or ""), found)
        for number, question in enumerate(active, start=1)
    ]


def _empty(question: Question, number: int) -> dict[str, Any]:
    return {
        "id": question.id,
        "number": str(number),
        "kind": str(question.kind),
        "title": texts(question.text),
        "respondents": 0,
        "suppressed": False,
        "options": [],
        "other_texts": None,
        "stats": None,
        "histogram": None,
        "ranking": None,
        "map": None,
        "texts": None,
        "breakdown": None,
    }


def _question(
    build: Build,
    question: Question,
    number: int,
    dimension: str | None,
    counted: SegmentCounts | None,
    found: answers.SurveyAnswers,
) -> dict[str, Any]:
    item = _empty(question, number)
    kind = question.kind_enum
    if kind in CLOSED:
        _closed(build, question, item, dimension, counted, found)
    elif kind == QuestionKind.RANKING:
        labels = {choice.key: texts(choice.label) for choice in question.choices}
        item["respondents"], item["ranking"] = distributions.ranking_result(build, question, labels, found)
    elif kind == QuestionKind.NUMBER:
        item["respondents"], item["stats"], item["histogram"] = distributions.number_result(build, question, found)
    elif kind == QuestionKind.DATE:
        item["respondents"], item["histogram"] = distributions.date_result(build, question, found)
    elif kind == QuestionKind.MAP_POINT:
        item["respondents"], item["map"] = distributions.map_result(build, question, found)
    elif kind in answers.TEXT_KINDS:
        count = found.texts.get(question.id, 0)
        item["respondents"] = count
        item["texts"] = None if is_small(count) else count
    item["suppressed"] = is_small(item["respondents"])
    return item


def _closed(
    build: Build,
    question: Question,
    item: dict[str, Any],
    dimension: str | None,
    counted: SegmentCounts | None,
    found: answers.SurveyAnswers,
) -> None:
    options, labels = _options(build, question)
    data = closed.count_answers(question, options, found)
    if question.kind_enum == QuestionKind.SCALE:
        # Values outside the scale's range (it was changed after answers came in) are listed too, after it.
        extra = sorted({chosen[0] for _segment, chosen in data.groups} - set(options), key=float)
        data.options = [*options, *extra]
        labels = [*labels, *({lang: str(value) for lang in build.languages} for value in extra)]
    item["respondents"] = data.respondents
    if data.respondents < MIN_CELL:
        return
    published = closed.publish(build, data, dimension, counted)
    item["options"] = closed.options_payload(data, labels, published.option_hidden)
    item["breakdown"] = published.breakdown
    if question.kind_enum == QuestionKind.SCALE:
        item["stats"] = _scale_stats(data)
        return
    other = [i for i, choice in enumerate(question.choices) if choice.is_other]
    # An "other" choice comes with its text, so the number of texts would give a hidden "other" count back.
    other_hidden = any(published.option_hidden[i] for i in other)
    item["other_texts"] = None if is_small(data.other_texts) or other_hidden else data.other_texts
    if item["other_texts"] is None and data.other_texts:
        build.tally.hidden += 1


def _options(build: Build, question: Question) -> tuple[list[Hashable], list[dict[str, str]]]:
    """The question's options in order with their labels; a scale's points (and any value found) for a scale."""
    if question.kind_enum != QuestionKind.SCALE:
        return [choice.key for choice in question.choices], [texts(choice.label) for choice in question.choices]
    settings = question.settings or {}
    low, high = int(settings.get("min", 1)), int(settings.get("max", 5))
    values = list(range(low, high + 1))
    languages = build.languages
    labels = []
    for value in values:
        end = settings.get("min_label") if value == low else settings.get("max_label") if value == high else None
        end_texts = texts(end)
        labels.append(
            {lang: f"{value} – {end_texts[lang]}" if end_texts.get(lang) else str(value) for lang in languages}
        )
    return list(values), labels


def _scale_stats(data: closed.ClosedAnswers) -> dict[str, float] | None:
    distribution: dict[float, int] = {}
    for (_segment, chosen), count in data.groups.items():
        distribution[float(chosen[0])] = distribution.get(float(chosen[0]), 0) + count
    if not distribution:
        return None
    ordered = sorted(distribution.items())
    total = sum(count for _value, count in ordered)
    return {
        "mean": round(sum(value * count for value, count in ordered) / total, 3),
        "median": median(ordered, total),
        "min": ordered[0][0],
        "max": ordered[-1][0],
    }
