"""Small helpers around ``analysis.suppression`` for the snapshot's one-dimensional tables.

Most tables of a report are one list of counts of people whose sum the reader knows (a question's respondents, the
respondents of the consultation, the points on a map): ``suppress_column`` publishes such a list with its total
"shown", so a single small count is never the only hidden value of the list (it would be the total minus the rest).
A list whose sum is not a known number (the options of a multiple-choice question) is published with its total
"absent": only primary suppression applies, plus ``inequality_pins`` for what the reader can still bound.

Hiding more values than a safe pattern hides is always safe (the reader's set of possible tables only grows), so
callers may take the union of several patterns over the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.suppression import suppress_table
from civic.reports.queries import MIN_GROUP

#: Below this many people a count is hidden (the results pages' MIN_GROUP; the snapshot's ``min_cell``).
MIN_CELL = MIN_GROUP


@dataclass
class Tally:
    """Hidden values over the whole snapshot (the honesty panel's "hidden cells")."""

    hidden: int = 0

    def add(self, mask: Sequence[bool]) -> int:
        count = int(sum(bool(hidden) for hidden in mask))
        self.hidden += count
        return count


def is_small(count: int) -> bool:
    return 0 < count < MIN_CELL


def suppress_column(
    counts: Sequence[int], *, total_known: bool, force_hidden: Sequence[bool] | None = None
) -> list[bool]:
    """Return which counts of a list to hide (True = hidden).

    ``total_known``: the reader knows the sum of the list (it is printed, or follows from printed figures). When
    no pattern can protect every small count (a single count equal to a known total), every count is hidden: with
    two or more counts and only their sum known, none of them can be worked out.
    """
    if not counts:
        return []
    table = np.asarray(counts, dtype=np.int64)[:, None]
    forced = None if force_hidden is None else np.asarray(force_hidden, dtype=bool)[:, None]
    result = suppress_table(
        table,
        MIN_CELL,
        row_totals="absent",
        col_totals="shown" if total_known else "absent",
        grand_total="absent",
        force_hidden=forced,
    )
    hidden = [bool(value) for value in result.cells[:, 0]]
    if result.unprotectable and len(counts) > 1:
        return [True] * len(counts)
    return hidden


def inequality_pins(shown_sum: int, hidden_count: int, low: int | None, high: int | None) -> bool:
    """Whether bounds on a list's sum pin one of its hidden counts, when every hidden count is a small one.

    The reader of a multiple-choice question knows ``low <= sum <= high`` (each respondent chose at least
    ``min_choices`` and at most ``max_choices`` options) without knowing the sum. If every hidden count is primary
    (1 … MIN_CELL - 1; a reader who knows the rule knows that much), the hidden counts add up to at least
    ``low - shown_sum``; when that forces a hidden count to a single value (typically: all of them at MIN_CELL - 1,
    everyone chose exactly one option) it is pinned. Returns True in that case.
    """
    if hidden_count == 0:
        return False
    top = MIN_CELL - 1
    least = max(hidden_count, (low if low is not None else 0) - shown_sum)
    most = min(top * hidden_count, (high - shown_sum) if high is not None else top * hidden_count)
    if least > most:  # the reader's assumptions do not hold (a hidden count is not small): nothing to pin
        return False
    # One hidden count's range, the others taking whatever the sum's range leaves.
    lowest = max(1, least - top * (hidden_count - 1))
    highest = min(top, most - (hidden_count - 1))
    return lowest >= highest


def protect_bounded_sum(
    counts: Sequence[int], hidden: list[bool], primary: Sequence[bool], low: int | None, high: int | None
) -> list[bool]:
    """Hide the smallest shown non-zero count while bounds on the sum pin a hidden count (see ``inequality_pins``).

    Once a value that is not small is hidden too, the reader cannot bound the hidden counts by MIN_CELL - 1 any
    more, and the bounds on the sum no longer pin anything.
    """
    hidden = list(hidden)
    while True:
        if any(h and not p for h, p in zip(hidden, primary, strict=True)):
            return hidden
        shown_sum = sum(c for c, h in zip(counts, hidden, strict=True) if not h)
        if not inequality_pins(shown_sum, sum(hidden), low, high):
            return hidden
        candidates = [i for i, (c, h) in enumerate(zip(counts, hidden, strict=True)) if not h and c > 0]
        if not candidates:
            return hidden
        hidden[min(candidates, key=lambda i: (counts[i], i))] = True


def shown(count: int, hidden: bool) -> int | None:
    return None if hidden else int(count)


def share(count: int | None, base: int | None, digits: int = 4) -> float | None:
    """``count / base`` rounded, or None when either is hidden or the base is 0."""
    if count is None or not base:
        return None
    return round(count / base, digits)
