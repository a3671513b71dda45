"""Closed questions (single choice, multiple choice, scale): option counts and the breakdown by one segment
dimension, suppressed together.

The grouped rows of ``answers.load`` (segment value × chosen keys or scale value) give everything: the
respondents, the "other" texts, each option's count and the options × segments table.

**Option counts.** Single choice and scale: every respondent has one answer, so the counts add up to the
respondents (printed) — the list is suppressed with its total known. A single-choice answer with only an "other"
text and no key is a respondent without an option; that remainder is never printed but counted in the equation.
Multiple choice: the counts do not add up to anything printed, so the total is "absent" and only small counts
are hidden — but the reader still knows bounds on their sum (every respondent chose between ``min_choices``
(at least 1) and ``max_choices`` options): when those bounds would pin a hidden small count (everyone chose one
option and the hidden counts must all be 4), the smallest shown count is hidden too (``protect_bounded_sum``).

**Breakdown.** ``analysis.segments``' suppression step (the segments page's, applied to the table counted here)
gives the pattern of the table — segments as columns, "not stated" included; small cells and sizes hidden, a
segment whose size is hidden hidden whole, secondary suppression — assuming the option counts are printed. Here
they are not all printed, and the participation table counts the same respondents, so one more pass suppresses
the *linked* system: the table with the option counts as its row totals ("auto": a hidden option count must not
be recoverable from the breakdown), the segment sizes as its column totals and the respondents as the grand
total, with the library's hidden cells and every segment the participation table hides forced hidden. The option
counts printed are that pass's row totals. When the sizes are exactly the participation table's counts (a
question everyone answered), the reader knows them from there: the forced segments are merged into one column
whose total (their sum) is known, and the sizes are "shown". Zeros in an option nobody chose are printed (they
follow from its printed 0). If no pattern protects everything, or fewer than two segments with a printed size
remain to compare, the breakdown is left out (``None``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.segments import suppress_breakdown as library_pattern
from analysis.suppression import suppress_table
from civic.reports.snapshot.answers import SurveyAnswers
from civic.reports.snapshot.context import DIMENSIONS, NOT_STATED, Build, ordered_segments
from civic.reports.snapshot.participation import SegmentCounts
from civic.reports.snapshot.suppressed import (
    MIN_CELL,
    inequality_pins,
    is_small,
    protect_bounded_sum,
    share,
    shown,
    suppress_column,
)
from civic.surveys.models import Question, QuestionKind


@dataclass
class ClosedAnswers:
    """One closed question's answers, counted in SQL."""

    kind: str  # the library's kind: "single" | "multiple" | "scale"
    options: list[Hashable]
    #: (segment value, chosen options) → respondents; the options are a sorted tuple (one for single/scale)
    groups: Counter[tuple[str, tuple[Hashable, ...]]] = field(default_factory=Counter)
    respondents: int = 0
    other_texts: int = 0
    #: single choice: respondents without a valid option (an "other" text alone)
    remainder: int = 0
    #: multiple choice: bounds on how many options one respondent chose
    min_choices: int = 1
    max_choices: int | None = None

    def overall(self) -> list[int]:
        counts: Counter[Hashable] = Counter()
        for (_segment, chosen), count in self.groups.items():
            for option in chosen:
                counts[option] += count
        return [counts[option] for option in self.options]


def count_answers(question: Question, options: list[Hashable], found: SurveyAnswers) -> ClosedAnswers:
    """The question's grouped rows (``answers.load``) as option counts per segment."""
    kind = {QuestionKind.SINGLE_CHOICE: "single", QuestionKind.MULTIPLE_CHOICE: "multiple"}.get(
        question.kind_enum, "scale"
    )
    settings = question.settings or {}
    data = ClosedAnswers(kind, list(options))
    if kind == "multiple":
        data.min_choices = max(1, int(settings.get("min_choices") or 1))
        data.max_choices = int(settings["max_choices"]) if settings.get("max_choices") else None
    if kind == "scale":
        for segment, number, count in found.numbers.get(question.id, []):
            option = int(number) if float(number).is_integer() else float(number)
            data.groups[(segment, (option,))] += count
            data.respondents += count
        return data
    valid = set(options)
    for segment, keys, with_text, count in found.choices.get(question.id, []):
        data.respondents += count
        data.other_texts += count if with_text else 0
        chosen = [str(key) for key in json.loads(keys)]
        picked = tuple(sorted({key for key in (chosen[:1] if kind == "single" else chosen) if key in valid}))
        if not picked:
            data.remainder += count if kind == "single" else 0
            continue
        data.groups[(segment, picked)] += count
    return data


@dataclass
class Published:
    """What the snapshot prints of a closed question's counts."""

    option_hidden: list[bool]
    breakdown: dict[str, Any] | None


def publish(build: Build, data: ClosedAnswers, dimension: str | None, counted: SegmentCounts | None) -> Published:
    overall = data.overall()
    exclusive = data.kind != "multiple"
    breakdown: dict[str, Any] | None = None
    option_hidden: list[bool] | None = None
    if dimension in DIMENSIONS and data.respondents >= MIN_CELL and overall and any(overall):
        linked = _breakdown(data, overall, dimension, counted)
        if linked is not None:
            breakdown, option_hidden = linked
    if option_hidden is None:
        if exclusive:
            column = overall + ([data.remainder] if data.remainder else [])
            option_hidden = suppress_column(column, total_known=True)[: len(overall)]
        else:
            option_hidden = suppress_column(overall, total_known=False)
    if not exclusive:
        high = data.max_choices * data.respondents if data.max_choices else None
        option_hidden = protect_bounded_sum(
            overall, option_hidden, [is_small(c) for c in overall], data.min_choices * data.respondents, high
        )
    build.tally.add(option_hidden)
    if breakdown is not None:
        build.tally.hidden += breakdown["hidden_cells"] + sum(size is None for size in breakdown["sizes"])
    return Published(option_hidden, breakdown)


def _breakdown(
    data: ClosedAnswers, overall: list[int], dimension: str, counted: SegmentCounts | None
) -> tuple[dict[str, Any], list[bool]] | None:
    """The breakdown and the option counts' hidden pattern, suppressed as one system (module docstring)."""
    columns = ordered_segments(dimension, {segment for segment, _chosen in data.groups})
    n_rows, n_cols = len(data.options), len(columns)
    row_of = {option: i for i, option in enumerate(data.options)}
    col_of = {segment: j for j, segment in enumerate(columns)}
    table = np.zeros((n_rows, n_cols), dtype=np.int64)
    sizes = np.zeros(n_cols, dtype=np.int64)
    for (segment, chosen), count in data.groups.items():
        j = col_of[segment]
        sizes[j] += count
        for option in chosen:
            table[row_of[option], j] += count
    # The segments page's own pattern (small cells and sizes, whole segments hidden with their size), computed
    # from the counted table: the library's entry point wants one entry per respondent, which costs seconds at
    # 50,000 responses.
    lib_cells, lib_sizes = library_pattern(table, sizes, data.kind, MIN_CELL)
    forced_columns = np.array([segment in (counted.hidden if counted else set()) for segment in columns], dtype=bool)
    zero_rows = table.sum(axis=1) == 0
    exclusive = data.kind != "multiple"
    identical = (
        exclusive
        and data.remainder == 0
        and counted is not None
        and all(
            (int(sizes[col_of[s]]) if s in col_of else 0) == counted.respondents.get(s, 0)
            for s in {*columns, *counted.respondents}
        )
    )
    forced = (lib_cells | forced_columns[None, :]) & ~zero_rows[:, None]
    if identical and forced_columns.any():
        cells_hidden, sizes_hidden, rows_hidden = _merged_pass(table, forced, forced_columns)
    else:
        cells_hidden, sizes_hidden, rows_hidden = _plain_pass(table, forced, exclusive, identical, data.remainder)
    if cells_hidden is None:
        return None
    cells_hidden |= forced
    sizes_hidden = sizes_hidden | lib_sizes | forced_columns
    if not exclusive and _columns_pinned(table, sizes, cells_hidden, sizes_hidden, data):
        return None
    compared = sum(1 for j, segment in enumerate(columns) if segment != NOT_STATED and not sizes_hidden[j])
    if compared < 2:  # nothing to compare (the segments page says the same)
        return None
    segments_out = [str(segment) for segment in columns]
    size_values = [shown(int(size), bool(hide)) for size, hide in zip(sizes, sizes_hidden, strict=True)]
    rows = []
    for i, option in enumerate(data.options):
        counts = [shown(int(table[i, j]), bool(cells_hidden[i, j])) for j in range(n_cols)]
        rows.append(
            {
                "key": str(option),
                "counts": counts,
                "shares": [share(c, s) for c, s in zip(counts, size_values, strict=True)],
            }
        )
    breakdown = {
        "dimension": dimension,
        "segments": segments_out,
        "sizes": size_values,
        "rows": rows,
        "hidden_cells": int(cells_hidden.sum()),
    }
    return breakdown, [bool(value) for value in rows_hidden]


def _plain_pass(
    table: np.ndarray, forced: np.ndarray, exclusive: bool, identical: bool, remainder: int
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    if exclusive:
        outcome = suppress_table(
            table,
            MIN_CELL,
            row_totals="auto",
            col_totals="shown" if identical else "auto",
            # Without a remainder the options add up to the printed respondents; with one, nothing printed is
            # their sum (the pass may "show" it: it is not printed, which only hides more).
            grand_total="shown" if remainder == 0 else "auto",
            force_hidden=forced,
        )
        sizes_hidden = outcome.col_totals.copy()
    else:
        outcome = suppress_table(
            table, MIN_CELL, row_totals="auto", col_totals="absent", grand_total="absent", force_hidden=forced
        )
        sizes_hidden = np.zeros(table.shape[1], dtype=bool)
    if outcome.unprotectable:
        return None, sizes_hidden, outcome.row_totals
    return outcome.cells.copy(), sizes_hidden, outcome.row_totals.copy()


def _merged_pass(
    table: np.ndarray, forced: np.ndarray, forced_columns: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Sizes known from the participation table: the segments it hides become one column with a known total."""
    keep = np.flatnonzero(~forced_columns)
    merged = table[:, forced_columns].sum(axis=1, keepdims=True)
    reduced = np.hstack([table[:, keep], merged])
    forced_reduced = np.hstack([forced[:, keep], (merged > 0)])
    outcome = suppress_table(
        reduced, MIN_CELL, row_totals="auto", col_totals="shown", grand_total="shown", force_hidden=forced_reduced
    )
    sizes_hidden = forced_columns.copy()
    if outcome.unprotectable:
        return None, sizes_hidden, outcome.row_totals
    cells = np.zeros(table.shape, dtype=bool)
    cells[:, keep] = outcome.cells[:, : len(keep)]
    cells[:, forced_columns] = forced[:, forced_columns]
    return cells, sizes_hidden, outcome.row_totals.copy()


def _columns_pinned(
    table: np.ndarray,
    sizes: np.ndarray,
    cells_hidden: np.ndarray,
    sizes_hidden: np.ndarray,
    data: ClosedAnswers,
) -> bool:
    """Multiple choice: whether a segment's printed size bounds its hidden small cells down to one value."""
    primary = (table > 0) & (table < MIN_CELL)
    for j in range(table.shape[1]):
        if sizes_hidden[j] or not cells_hidden[:, j].any():
            continue
        if (cells_hidden[:, j] & ~primary[:, j]).any():
            continue  # a hidden value that is not small: the reader cannot bound the hidden ones by MIN_CELL - 1
        shown_sum = int(table[~cells_hidden[:, j], j].sum())
        size = int(sizes[j])
        high = data.max_choices * size if data.max_choices else None
        if inequality_pins(shown_sum, int(cells_hidden[:, j].sum()), data.min_choices * size, high):
            return True
    return False


def options_payload(
    data: ClosedAnswers,
    labels: Sequence[dict[str, str]],
    hidden: list[bool],
) -> list[dict[str, Any]]:
    counts = data.overall()
    items = []
    for option, label, count, hide in zip(data.options, labels, counts, hidden, strict=True):
        value = shown(count, hide)
        items.append({"key": str(option), "label": label, "count": value, "share": share(value, data.respondents)})
    return items
