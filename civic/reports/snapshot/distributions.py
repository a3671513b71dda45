"""Numbers, dates, rankings and map points: what a question of those kinds prints, from ``answers.load``'s rows.

Every list of counts is suppressed with its total (the question's respondents) known, so no count of 1–4 is printed
and none can be worked out as the total minus the rest. Statistics (mean, median, min, max) and mean ranks are
printed only when the question has at least ``MIN_CELL`` respondents (and a mean rank only over as many rankers).
Histograms of numbers are the results page's (``civic.reports.stats.histogram``); dates are counted by month and
binned by year or decade when they span long (fine bins over decades would be mostly small, hidden cells).

Map points are counted in a coarse grid (``answers.GRID_DEGREES``); only cells the suppression leaves shown are
listed, so a small cell is never printed and, with the total of points printed, never derivable (the suppression
assumes the reader knows which cells hold points, which a reader of the list does not).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from civic.reports.snapshot.answers import GRID_DEGREES, SurveyAnswers
from civic.reports.snapshot.context import Build
from civic.reports.snapshot.suppressed import MIN_CELL, shown, suppress_column
from civic.reports.stats import histogram, median
from civic.surveys.models import Question

MONTHS_MAX = 24
YEARS_MAX = 30


def _published_counts(build: Build, labels: list[str], counts: list[int]) -> list[dict[str, Any]]:
    hidden = suppress_column(counts, total_known=True)
    build.tally.add(hidden)
    return [
        {"label": label, "count": shown(count, hide)} for label, count, hide in zip(labels, counts, hidden, strict=True)
    ]


def number_result(
    build: Build, question: Question, found: SurveyAnswers
) -> tuple[int, dict[str, Any] | None, list[dict[str, Any]] | None]:
    """(respondents, stats, histogram) of a number question."""
    values: Counter[float] = Counter()
    for _segment, number, count in found.numbers.get(question.id, []):
        values[number] += count
    distribution = sorted(values.items())
    respondents = sum(values.values())
    if respondents < MIN_CELL:
        return respondents, None, None
    stats = {
        "mean": round(sum(value * count for value, count in distribution) / respondents, 3),
        "median": median(distribution, respondents),
        "min": distribution[0][0],
        "max": distribution[-1][0],
    }
    rows = histogram(distribution, integer=bool((question.settings or {}).get("integer")))
    return respondents, stats, _published_counts(build, [row["label"] for row in rows], [row["count"] for row in rows])


def date_result(build: Build, question: Question, found: SurveyAnswers) -> tuple[int, list[dict[str, Any]] | None]:
    """(respondents, histogram) of a date question."""
    months: Counter[str] = Counter()
    for label, count in found.months.get(question.id, []):
        months[label] += count
    respondents = sum(months.values())
    if respondents < MIN_CELL:
        return respondents, None
    first, last = min(months), max(months)
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    if span <= MONTHS_MAX:
        labels = []
        year, month = int(first[:4]), int(first[5:7])
        for _ in range(span):
            labels.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        counts = [months.get(label, 0) for label in labels]
    else:
        width = 1 if int(last[:4]) - int(first[:4]) < YEARS_MAX else 10
        start = int(first[:4]) // width * width
        per_bin: Counter[int] = Counter()
        for label, count in months.items():
            per_bin[(int(label[:4]) - start) // width] += count
        bins = range(max(per_bin) + 1)
        labels = [str(start + b) if width == 1 else f"{start + b * 10}–{start + b * 10 + 9}" for b in bins]
        counts = [per_bin.get(b, 0) for b in bins]
    return respondents, _published_counts(build, labels, counts)


def ranking_result(
    build: Build, question: Question, labels: dict[str, dict[str, str]], found: SurveyAnswers
) -> tuple[int, list[dict[str, Any]] | None]:
    """(respondents, items by mean rank) of a ranking question; "first" = how many ranked the item first."""
    rank_sum: Counter[str] = Counter()
    ranked: Counter[str] = Counter()
    first: Counter[str] = Counter()
    respondents = 0
    for keys, count in found.rankings.get(question.id, []):
        order = [str(key) for key in json.loads(keys)]
        respondents += count
        for position, key in enumerate(order, start=1):
            rank_sum[key] += position * count
            ranked[key] += count
        if order:
            first[order[0]] += count
    if respondents < MIN_CELL:
        return respondents, None
    keys = list(labels)
    firsts = [first[key] for key in keys]
    # Respondents whose first choice is no longer an option (or who ranked nothing) complete the equation.
    remainder = respondents - sum(firsts)
    hidden = suppress_column([*firsts, *([remainder] if remainder else [])], total_known=True)[: len(keys)]
    build.tally.add(hidden)
    items = [
        {
            "key": key,
            "label": labels[key],
            "mean_rank": round(rank_sum[key] / ranked[key], 3) if ranked[key] >= MIN_CELL else None,
            "first": shown(count, hide),
        }
        for key, count, hide in zip(keys, firsts, hidden, strict=True)
    ]
    items.sort(key=lambda item: (item["mean_rank"] is None, item["mean_rank"] or 0))
    return respondents, items


def map_result(build: Build, question: Question, found: SurveyAnswers) -> tuple[int, dict[str, Any] | None]:
    """(respondents, {"points", "cells"}) of a map question."""
    grid = sorted(found.cells.get(question.id, []))
    points = sum(count for _r, _c, count in grid)
    if points < MIN_CELL:
        return points, None
    counts = [count for _r, _c, count in grid]
    hidden = suppress_column(counts, total_known=True)
    build.tally.add(hidden)
    cells = [
        {
            "lat": round((r + 0.5) * GRID_DEGREES, 5),
            "lon": round((c + 0.5) * GRID_DEGREES, 5),
            "count": count,
        }
        for (r, c, _n), count, hide in zip(grid, counts, hidden, strict=True)
        if not hide
    ]
    return points, {"points": points, "cells": cells, "cell_degrees": GRID_DEGREES}
