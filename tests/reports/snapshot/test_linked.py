"""A question's option counts, its breakdown and the participation table count the same people: suppressed one at
a time they can give each other's hidden counts away; the snapshot suppresses them as one system.

Random small tables (seeded) go through ``closed.publish`` with a participation table of the same respondents
(everyone answered: the sizes are known from it) or of more respondents (some skipped the question); the brute-force
checker then reads all three tables together.
"""

from __future__ import annotations

import random
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from analysis.segments import suppress_breakdown as library_pattern
from civic.reports.snapshot import closed
from civic.reports.snapshot.participation import SegmentCounts
from civic.reports.snapshot.suppressed import Tally, suppress_column
from tests.reports.snapshot.checker import Reader, hidden_values_that_are_pinned, small_shown

SEGMENTS = ["Årvoll", "Linderud", "Veitvet", ""]


def _single(table: np.ndarray) -> closed.ClosedAnswers:
    options = [f"o{i}" for i in range(table.shape[0])]
    data = closed.ClosedAnswers("single", options)
    for (i, j), count in np.ndenumerate(table):
        if count:
            data.groups[(SEGMENTS[j], (options[i],))] += int(count)
    data.respondents = int(table.sum())
    return data


def _read(
    table: np.ndarray,
    participation: list[int],
    participation_hidden: list[bool],
    option_hidden: list[bool],
    breakdown: dict | None,
    *,
    everyone_answered: bool,
) -> Reader:
    """The reader's system over the participation table, the option counts and the breakdown."""
    n_rows = table.shape[0]
    respondents, people = int(table.sum()), sum(participation)
    reader = Reader()
    counts = [
        reader.value(f"resp:{s}", None if h else p, p, upper=people)
        for s, p, h in zip(SEGMENTS, participation, participation_hidden, strict=False)
    ]
    reader.add_sum(counts, people)
    overall = table.sum(axis=1)
    options = [
        reader.value(f"opt:{i}", None if option_hidden[i] else int(overall[i]), int(overall[i]), upper=respondents)
        for i in range(n_rows)
    ]
    reader.add_sum(options, respondents)
    if breakdown is None:
        return reader
    column = {segment: j for j, segment in enumerate(SEGMENTS)}
    sizes = []
    for segment, shown in zip(breakdown["segments"], breakdown["sizes"], strict=True):
        truth = int(table[:, column[segment]].sum())
        term = reader.value(f"size:{segment}", shown, truth, upper=respondents)
        if everyone_answered:
            reader.add_sum([term], f"resp:{segment}" if f"resp:{segment}" in reader.truth else truth)
        sizes.append(term)
    reader.add_sum(sizes, respondents)
    cells = {}
    for i, row in enumerate(breakdown["rows"]):
        for segment, shown in zip(breakdown["segments"], row["counts"], strict=True):
            cells[i, segment] = reader.value(
                f"cell:{i}:{segment}", shown, int(table[i, column[segment]]), upper=respondents
            )
        reader.add_sum([cells[i, s] for s in breakdown["segments"]], options[i])
    for segment, term in zip(breakdown["segments"], sizes, strict=True):
        reader.add_sum([cells[i, segment] for i in range(n_rows)], term)
    return reader


def test_suppressed_one_at_a_time_the_tables_give_a_small_count_away():
    # Options 22, 20, 4: alone, the 4 is hidden with the 20 as its partner. The library's breakdown assumes the
    # option counts are printed, so it shows the 20's row whole (12 + 8): the 20, and with it the 4, come back.
    table = np.array([[2, 20], [12, 8], [3, 1]])
    cells, sizes_hidden = library_pattern(table, table.sum(axis=0), "single", 5)
    option_hidden = suppress_column(table.sum(axis=1).tolist(), total_known=True)
    breakdown = {
        "segments": SEGMENTS[:2],
        "sizes": [None if h else int(s) for s, h in zip(table.sum(axis=0), sizes_hidden, strict=True)],
        "rows": [{"counts": [None if cells[i, j] else int(table[i, j]) for j in range(2)]} for i in range(3)],
    }
    sizes = table.sum(axis=0).tolist()
    reader = _read(table, sizes, [False, False], option_hidden, breakdown, everyone_answered=True)
    assert set(hidden_values_that_are_pinned(reader)) == {"opt:1", "opt:2"}

    # The snapshot's pass over the linked system leaves nothing derivable.
    counted = SegmentCounts("district", dict(zip(SEGMENTS, sizes, strict=False)), set())
    published = closed.publish(SimpleNamespace(tally=Tally()), _single(table), "district", counted)
    reader = _read(table, sizes, [False, False], published.option_hidden, published.breakdown, everyone_answered=True)
    assert small_shown(reader) == []
    assert hidden_values_that_are_pinned(reader) == []


@pytest.mark.parametrize("seed", range(4))
def test_random_small_tables_leave_nothing_derivable(seed):
    rng = random.Random(seed)
    checked = with_breakdown = 0
    while checked < 40:
        n_rows, n_cols = rng.choice([2, 3]), rng.choice([2, 3, 4])
        table = np.array([[rng.choice([0, 1, 2, 3, 4, 6, 8, 12, 20]) for _ in range(n_cols)] for _ in range(n_rows)])
        if table.sum() < 10 or (table.sum(axis=0) == 0).any():
            continue
        checked += 1
        sizes = table.sum(axis=0)
        for everyone_answered in (True, False):
            extra = [0] * n_cols if everyone_answered else [rng.choice([0, 0, 1, 3, 10]) for _ in range(n_cols)]
            participation = [int(s + e) for s, e in zip(sizes, extra, strict=True)]
            hidden = suppress_column(participation, total_known=True)
            counted = SegmentCounts(
                "district",
                dict(Counter(dict(zip(SEGMENTS, participation, strict=False)))),
                {s for s, h in zip(SEGMENTS, hidden, strict=False) if h},
            )
            published = closed.publish(SimpleNamespace(tally=Tally()), _single(table), "district", counted)
            with_breakdown += published.breakdown is not None
            reader = _read(
                table,
                participation,
                hidden,
                published.option_hidden,
                published.breakdown,
                everyone_answered=everyone_answered,
            )
            assert small_shown(reader) == [], table.tolist()
            assert hidden_values_that_are_pinned(reader) == [], (table.tolist(), everyone_answered)
    assert with_breakdown >= 20  # most tables are published with their breakdown, not dropped
