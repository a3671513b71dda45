"""Consensus across segments: how each segment (age band, district, household type) answered, and whether they agree.

For a closed question (single choice, multiple choice, scale) or for the topics of free-text answers, and for each
segment dimension, this gives per option the count and share of each segment's respondents who chose it, hidden
where a cell is small (see ``analysis.suppression``), and a consensus measure across the segments.

Definitions (``n_s`` = respondents of segment *s* who answered, ``k_s`` = those of them who chose the option;
for topics: respondents with at least one analysed text, and those with a text in the topic):

* **share** ``k_s / n_s``; for multiple choice and topics the shares of a segment may add up to more than 1;
* **lowest share** ``min_s k_s / n_s`` — "at least this share of every segment chose it"; **spread**
  ``max − min`` (0 = every segment alike);
* **segment-informed consensus** ``(Π_s (k_s + 1) / (n_s + 2)) ^ (1 / m)`` over the *m* segments compared —
  Polis' group-informed consensus (the product over groups of the smoothed agree share) with segments in place of
  opinion groups, normalised by the *m*-th root so that dimensions with different numbers of segments compare.
  It is high only when every segment chose the option broadly; the +1/+2 smoothing keeps a small segment from
  swinging it to 0 or 1.

Only segments whose cell and size are shown enter the consensus (a measure computed over hidden cells would give
them back), and the "not stated" segment (respondents without a value, e.g. through a public link) never does:
it is still a column of the table, because the option totals readers see elsewhere include those respondents.
Fewer than two segments compared → no consensus for that option (``consensus_reason = "too_few_segments"``).

Suppression: cells with ``0 < k < min_cell`` and segments with ``0 < n < min_cell`` are hidden; a segment whose
size is hidden is hidden whole; secondary suppression assumes the reader knows each option's overall count and the
number of respondents (both are printed on the results page). For single choice and scales a segment's cells add
up to its size (a column equation); for multiple choice and topics they do not, so the sizes are protected as a
separate row whose total (respondents) is known.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from analysis.suppression import suppress_table

NOT_STATED = ""
KINDS = ("single", "multiple", "scale", "topics")
#: One answer per respondent (a column of the table adds up to the segment's size).
_EXCLUSIVE_KINDS = ("single", "scale")


@dataclass
class Consensus:
    """An option's consensus across the compared segments (see the module docstring)."""

    segments_used: int
    lowest_share: float
    highest_share: float
    spread: float
    segment_informed_consensus: float
    lowest_segment: str
    highest_segment: str


@dataclass
class OptionSegments:
    """One option (or topic) across the segments of one dimension; ``None`` where a value is hidden."""

    option: Hashable
    total: int
    share: float
    counts: list[int | None]
    shares: list[float | None]
    hidden: list[bool]
    consensus: Consensus | None = None
    consensus_reason: str = ""


@dataclass
class DimensionSegments:
    """The table of one dimension: segments as columns, options as rows."""

    dimension: str
    status: str
    reason: str
    explanation: str
    segments: list[str] = field(default_factory=list)
    sizes: list[int | None] = field(default_factory=list)
    sizes_hidden: list[bool] = field(default_factory=list)
    options: list[OptionSegments] = field(default_factory=list)
    hidden_cells: int = 0
    secondary_cells: int = 0


@dataclass
class SegmentConsensus:
    """One question's (or one topic run's) breakdown by every segment dimension."""

    status: str
    reason: str
    explanation: str
    kind: str
    respondents: int
    min_cell: int
    options: list[Hashable] = field(default_factory=list)
    dimensions: list[DimensionSegments] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def segment_consensus(
    answers: Mapping[Hashable, Any],
    segments: Mapping[Hashable, Mapping[str, str | None]],
    *,
    kind: str = "single",
    options: Sequence[Hashable] | None = None,
    dimensions: Sequence[str] | None = None,
    segment_order: Mapping[str, Sequence[str]] | None = None,
    min_cell: int = 5,
) -> SegmentConsensus:
    """Break a closed question's answers down by segment.

    ``answers``: respondent → the chosen option (single choice, scale) or a collection of options (multiple
    choice); ``None``, ``""`` or an empty collection = not answered. Values outside ``options`` (when given)
    are ignored. ``segments``: respondent → {dimension: value}; a missing or empty value is "not stated".
    ``segment_order`` lists a dimension's values in display order (others follow, sorted).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    chosen: dict[Hashable, set[Hashable]] = {}
    for respondent, answer in answers.items():
        if answer is None or answer == "":
            continue
        if kind in _EXCLUSIVE_KINDS or isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
            values = {answer}
        else:
            values = {value for value in answer if value is not None and value != ""}
        if options is not None:
            values &= set(options)
        if values:
            chosen[respondent] = values
    return _breakdown(chosen, segments, kind, options, dimensions, segment_order, min_cell)


def segment_topics(
    text_topics: Iterable[tuple[Hashable, int]],
    segments: Mapping[Hashable, Mapping[str, str | None]],
    *,
    topics: Sequence[int] | None = None,
    dimensions: Sequence[str] | None = None,
    segment_order: Mapping[str, Sequence[str]] | None = None,
    min_cell: int = 5,
) -> SegmentConsensus:
    """Break topics down by segment: the share of each segment's writers with a text in each topic.

    ``text_topics``: (respondent, topic id) per analysed text, -1 for an outlier (the writer counts in the
    segment's size but in no topic). A respondent with several texts counts once per topic.
    """
    chosen: dict[Hashable, set[Hashable]] = {}
    for respondent, topic in text_topics:
        held = chosen.setdefault(respondent, set())
        if topic is not None and topic >= 0 and (topics is None or topic in topics):
            held.add(topic)
    return _breakdown(chosen, segments, "topics", topics, dimensions, segment_order, min_cell)


def _breakdown(
    chosen: Mapping[Hashable, set[Hashable]],
    segments: Mapping[Hashable, Mapping[str, str | None]],
    kind: str,
    options: Sequence[Hashable] | None,
    dimensions: Sequence[str] | None,
    segment_order: Mapping[str, Sequence[str]] | None,
    min_cell: int,
) -> SegmentConsensus:
    option_list = list(options) if options is not None else _sorted({v for values in chosen.values() for v in values})
    respondents = len(chosen)
    result = SegmentConsensus("ok", "", "", kind, respondents, min_cell, option_list)
    if not option_list:
        return _insufficient(result, "no_options", "There are no options or topics to compare.")
    if respondents < min_cell:
        return _insufficient(
            result,
            "too_few_respondents",
            f"Only {respondents} respondents answered; at least {min_cell} are needed before anything is "
            "broken down by segment.",
        )
    if dimensions is None:
        dimensions = list(dict.fromkeys(name for values in segments.values() for name in values))
    if not dimensions:
        return _insufficient(result, "no_segment_data", "The respondents carry no segments.")
    for dimension in dimensions:
        order = (segment_order or {}).get(dimension, ())
        result.dimensions.append(_dimension(chosen, segments, dimension, option_list, kind, order, min_cell))
    if all(dimension.status != "ok" for dimension in result.dimensions):
        reasons = {dimension.reason for dimension in result.dimensions}
        if reasons == {"no_segment_data"}:
            result.status, result.reason = "insufficient", "no_segment_data"
            result.explanation = "No respondent stated a segment (answers through a public link carry none)."
        else:
            result.status, result.reason = "insufficient", "too_few_segments"
            result.explanation = (
                f"No dimension has two segments with at least {min_cell} respondents each, so there is "
                "nothing to compare."
            )
    return result


def _dimension(
    chosen: Mapping[Hashable, set[Hashable]],
    segments: Mapping[Hashable, Mapping[str, str | None]],
    dimension: str,
    options: list[Hashable],
    kind: str,
    order: Sequence[str],
    min_cell: int,
) -> DimensionSegments:
    value_of = {respondent: (segments.get(respondent) or {}).get(dimension) or NOT_STATED for respondent in chosen}
    stated = {value for value in value_of.values() if value != NOT_STATED}
    result = DimensionSegments(dimension, "ok", "", "")
    if not stated:
        result.status, result.reason = "insufficient", "no_segment_data"
        result.explanation = f"No respondent stated their {dimension}."
        return result
    columns = [value for value in order if value in stated] + _sorted(stated - set(order))
    if NOT_STATED in value_of.values():
        columns.append(NOT_STATED)
    column_of = {value: j for j, value in enumerate(columns)}
    row_of = {option: i for i, option in enumerate(options)}
    table = np.zeros((len(options), len(columns)), dtype=np.int64)
    sizes = np.zeros(len(columns), dtype=np.int64)
    for respondent, values in chosen.items():
        j = column_of[value_of[respondent]]
        sizes[j] += 1
        for value in values:
            table[row_of[value], j] += 1
    cells, sizes_hidden = suppress_breakdown(table, sizes, kind, min_cell)
    primary = (table > 0) & (table < min_cell)
    result.segments = columns
    result.sizes = [None if hide else int(size) for size, hide in zip(sizes, sizes_hidden, strict=True)]
    result.sizes_hidden = [bool(hide) for hide in sizes_hidden]
    result.hidden_cells = int(cells.sum())
    result.secondary_cells = int((cells & ~primary).sum())
    respondents = len(chosen)
    for i, option in enumerate(options):
        counts: list[int | None] = []
        shares: list[float | None] = []
        for j in range(len(columns)):
            shown = not cells[i, j] and sizes[j] > 0
            counts.append(int(table[i, j]) if shown else None)
            shares.append(float(table[i, j] / sizes[j]) if shown else None)
        total = int(table[i].sum())
        row = OptionSegments(option, total, total / respondents, counts, shares, [bool(h) for h in cells[i]])
        row.consensus, row.consensus_reason = _consensus(row, columns, result.sizes)
        result.options.append(row)
    compared = sum(1 for value, size in zip(columns, result.sizes, strict=True) if value != NOT_STATED and size)
    if compared < 2:
        result.status, result.reason = "insufficient", "too_few_segments"
        result.explanation = (
            f"Fewer than two {dimension} segments have at least {min_cell} respondents, so there is nothing to compare."
        )
    return result


def suppress_breakdown(table: np.ndarray, sizes: np.ndarray, kind: str, min_cell: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (hidden cells, hidden sizes); a segment whose size is hidden is hidden whole."""
    n_rows, n_cols = table.shape
    if kind in _EXCLUSIVE_KINDS:
        # One table: the sizes are its column totals. Hiding a size hides the column, which may call for more
        # suppression elsewhere, so repeat until the hidden columns stop growing.
        forced_columns = np.zeros(n_cols, dtype=bool)
        while True:
            forced = np.broadcast_to(forced_columns, (n_rows, n_cols))
            outcome = suppress_table(
                table, min_cell, row_totals="shown", col_totals="auto", grand_total="shown", force_hidden=forced
            )
            if not (outcome.col_totals & ~forced_columns).any():
                return outcome.cells | forced, outcome.col_totals | forced_columns
            forced_columns |= outcome.col_totals
    # Several answers per respondent: the sizes are protected on their own (their sum, the respondents, is known).
    sizes_outcome = suppress_table(
        sizes[None, :], min_cell, row_totals="shown", col_totals="absent", grand_total="absent"
    )
    sizes_hidden = sizes_outcome.cells[0]
    forced = np.broadcast_to(sizes_hidden, (n_rows, n_cols))
    outcome = suppress_table(
        table, min_cell, row_totals="shown", col_totals="absent", grand_total="absent", force_hidden=forced
    )
    return outcome.cells | forced, sizes_hidden


def _consensus(row: OptionSegments, columns: list[str], sizes: list[int | None]) -> tuple[Consensus | None, str]:
    compared = [
        (column, count, size)
        for column, count, size in zip(columns, row.counts, sizes, strict=True)
        if column != NOT_STATED and count is not None and size
    ]
    if len(compared) < 2:
        return None, "too_few_segments"
    shares = [count / size for _, count, size in compared]
    log_mean = sum(math.log((count + 1) / (size + 2)) for _, count, size in compared) / len(compared)
    lowest = min(range(len(compared)), key=lambda k: (shares[k], k))
    highest = max(range(len(compared)), key=lambda k: (shares[k], -k))
    return (
        Consensus(
            segments_used=len(compared),
            lowest_share=shares[lowest],
            highest_share=shares[highest],
            spread=shares[highest] - shares[lowest],
            segment_informed_consensus=math.exp(log_mean),
            lowest_segment=compared[lowest][0],
            highest_segment=compared[highest][0],
        ),
        "",
    )


def _insufficient(result: SegmentConsensus, reason: str, explanation: str) -> SegmentConsensus:
    result.status, result.reason, result.explanation = "insufficient", reason, explanation
    return result


def _sorted(values: Iterable[Any]) -> list[Any]:
    values = list(values)
    try:
        return sorted(values)
    except TypeError:  # mixed types: order by their text
        return sorted(values, key=str)
