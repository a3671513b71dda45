"""Suppression in the snapshot on crafted small segments: no count of 1–4 is printed and none can be worked out.

Every check builds the reader's knowledge from the snapshot alone (printed numbers, printed totals, and the tables
that count the same people: a question everyone answered has the participation table's counts as its segment
sizes, and its option counts are its breakdown's row totals), then searches all fillings of the hidden values by
brute force (``checker``). Each check is also run on the naive pattern (only the small counts hidden), to show the
crafted data would leak without secondary suppression.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from civic.core.timeutils import now_utc
from civic.insight.models import AnalysisRun, RunKind, RunStatus
from civic.reports.snapshot import suppressed
from tests.insight.conftest import topic_result
from tests.reports.snapshot.checker import Reader, hidden_values_that_are_pinned, small_shown, walk_counts
from tests.reports.snapshot.conftest import INVITED

MIN = 5


def _naive(counts: list[int]) -> list[int | None]:
    """Primary suppression only: every small count hidden, nothing else."""
    return [None if 0 < c < MIN else c for c in counts]


def _question(snapshot: dict[str, Any], number: int) -> dict[str, Any]:
    return snapshot["questions"][number]


def _district_table(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in snapshot["participation"]["segments"] if t["dimension"] == "district")


def _participation(reader: Reader, table: dict[str, Any], respondents: Counter, invited: Counter) -> None:
    total = table["respondents_total"]
    parts = [
        reader.value(f"resp:{r['segment']}", r["respondents"], respondents[r["segment"]], upper=total)
        for r in table["rows"]
    ]
    reader.add_sum(parts, total)
    population = table["population_total"]
    parts = [
        reader.value(f"pop:{r['segment']}", r["population"], invited[r["segment"]], upper=population)
        for r in table["rows"]
    ]
    reader.add_sum(parts, population)


def _options(reader: Reader, question: dict[str, Any], truth: Counter, *, exclusive: bool) -> list[Any]:
    respondents = question["respondents"]
    hidden = [o for o in question["options"] if o["count"] is None]
    small_only = all(0 < truth[o["key"]] < MIN for o in hidden)
    terms = []
    for option in question["options"]:
        key = option["key"]
        # No equation and no secondary suppression: a reader who knows the rule knows each hidden count is 1–4.
        bounds = {"upper": respondents} if exclusive or not small_only else {"upper": MIN - 1, "floor": 1}
        terms.append(reader.value(f"opt:{question['id']}:{key}", option["count"], truth[key], **bounds))
    if exclusive:
        reader.add_sum(terms, respondents)
    else:  # each respondent chose one or two options (q1's min_choices / max_choices)
        reader.add_range(terms, respondents, 2 * respondents)
    return terms


def _breakdown(
    reader: Reader, question: dict[str, Any], table: dict[tuple[str, str], int], sizes: Counter, *, exclusive: bool
) -> None:
    breakdown = question["breakdown"]
    assert breakdown is not None
    assert breakdown["dimension"] == "district"
    qid, respondents = question["id"], question["respondents"]
    size_terms = []
    for segment, shown in zip(breakdown["segments"], breakdown["sizes"], strict=True):
        term = reader.value(f"size:{qid}:{segment}", shown, sizes[segment], upper=respondents)
        # Everyone answered: a segment's size is its count in the participation table.
        reader.add_sum([term], f"resp:{segment}" if f"resp:{segment}" in reader.truth else sizes[segment])
        size_terms.append(term)
    reader.add_sum(size_terms, respondents)
    cells: dict[tuple[str, str], Any] = {}
    for row in breakdown["rows"]:
        for segment, shown, size in zip(breakdown["segments"], row["counts"], breakdown["sizes"], strict=True):
            cells[row["key"], segment] = reader.value(
                f"cell:{qid}:{row['key']}:{segment}", shown, table[row["key"], segment], upper=size or respondents
            )
    for row in breakdown["rows"]:
        option = next(o for o in question["options"] if o["key"] == row["key"])
        total = option["count"] if option["count"] is not None else f"opt:{qid}:{row['key']}"
        reader.add_sum([cells[row["key"], s] for s in breakdown["segments"]], total)
    for segment, term in zip(breakdown["segments"], size_terms, strict=True):
        column = [cells[row["key"], segment] for row in breakdown["rows"]]
        if exclusive:
            reader.add_sum(column, term)
        elif isinstance(term, int):
            reader.add_range(column, term, 2 * term)


def _truth(crafted, index: int) -> tuple[Counter, dict[tuple[str, str], int], Counter]:
    overall: Counter = Counter()
    table: Counter = Counter()
    sizes: Counter = Counter()
    for person in crafted.people:
        district, answer = person[0], person[1 + index]
        keys = answer if isinstance(answer, list) else [str(answer)]
        sizes[district] += 1
        for key in keys:
            overall[key] += 1
            table[key, district] += 1
    return overall, table, sizes


def _assert_safe(reader: Reader) -> None:
    assert small_shown(reader) == []
    assert hidden_values_that_are_pinned(reader) == []


def test_no_small_count_is_printed_anywhere(crafted, snapshot_of):
    snapshot = snapshot_of(crafted.survey.consultation)
    printed = walk_counts(snapshot)
    assert printed, "the walker found the tables"
    assert [(where, n) for where, n in printed if 0 < n < MIN] == []
    assert snapshot["honesty"]["suppression"]["hidden_cells"] > 0


def test_participation_by_segment_and_weeks(crafted, snapshot_of):
    snapshot = snapshot_of(crafted.survey.consultation)
    table = _district_table(snapshot)
    respondents = Counter(person[0] for person in crafted.people)
    reader = Reader()
    _participation(reader, table, respondents, Counter(INVITED))
    assert {"resp:Veitvet", "resp:", "pop:Veitvet"} <= set(reader.truth)
    _assert_safe(reader)

    weeks = snapshot["participation"]["by_week"]
    truth = Counter(person[4] for person in crafted.people)
    assert [w["week"] for w in weeks] == ["2026-11-16", "2026-11-23"]
    week_reader = Reader()
    week_reader.add_list("week", [w["respondents"] for w in weeks], [truth[0], truth[1]], len(crafted.people))
    assert week_reader.truth, "the week with 3 respondents is hidden"
    _assert_safe(week_reader)

    # Without secondary suppression the 3 would be the total minus the other week.
    naive = Reader()
    naive.add_list("week", _naive([truth[0], truth[1]]), [truth[0], truth[1]], len(crafted.people))
    assert hidden_values_that_are_pinned(naive) == ["week[1]"]


@pytest.mark.parametrize(("number", "exclusive"), [(0, True), (2, True), (1, False)])
def test_options_and_breakdown_together_with_participation(crafted, snapshot_of, number, exclusive):
    snapshot = snapshot_of(crafted.survey.consultation)
    question = _question(snapshot, number)
    overall, table, sizes = _truth(crafted, number)
    if number == 2:  # scale points are keys "1".."5"
        overall = Counter({str(k): v for k, v in overall.items()})
        table = Counter({(str(k), s): v for (k, s), v in table.items()})
    reader = Reader()
    _participation(reader, _district_table(snapshot), Counter(person[0] for person in crafted.people), Counter(INVITED))
    _options(reader, question, overall, exclusive=exclusive)
    _breakdown(reader, question, table, sizes, exclusive=exclusive)
    assert any(name.startswith("cell:") for name in reader.truth)
    _assert_safe(reader)


def test_single_choice_alone_would_leak_its_one_other_answer(crafted, snapshot_of):
    question = _question(snapshot_of(crafted.survey.consultation), 0)
    overall, _table, _sizes = _truth(crafted, 0)
    counts = [overall[o["key"]] for o in question["options"]]
    assert counts == [28, 8, 1]
    naive = Reader()
    naive.add_list("opt", _naive(counts), counts, question["respondents"])
    assert hidden_values_that_are_pinned(naive) == ["opt[2]"]
    assert question["options"][2]["count"] is None
    assert question["other_texts"] is None  # one "other" text would give the hidden count back


def test_multiple_choice_bounds_on_the_sum_would_pin_the_small_options(crafted, snapshot_of):
    question = _question(snapshot_of(crafted.survey.consultation), 1)
    overall, _table, _sizes = _truth(crafted, 1)
    counts = [overall[o["key"]] for o in question["options"]]
    assert counts == [29, 4, 4]
    naive = Reader()
    terms = [
        naive.value(f"opt[{i}]", c, t, upper=MIN - 1, floor=1)
        for i, (c, t) in enumerate(zip(_naive(counts), counts, strict=True))
    ]
    naive.add_range(terms, question["respondents"], 2 * question["respondents"])
    assert hidden_values_that_are_pinned(naive) == ["opt[1]", "opt[2]"]
    assert [o["count"] for o in question["options"]] == [None, None, None]


def test_suppress_column_never_leaves_a_lone_small_count():
    for counts in ([30, 7, 3], [3, 0, 0], [100, 3, 50, 2], [0, 0, 3, 100], [6, 6, 4], [5, 5]):
        hidden = suppressed.suppress_column(counts, total_known=True)
        reader = Reader()
        reader.add_list("c", [None if h else c for c, h in zip(counts, hidden, strict=True)], counts, sum(counts))
        _assert_safe(reader)


def test_inequality_pins_is_exact_for_small_hidden_counts():
    # Everyone chose one of three options; 29 shown, two hidden small ones must add up to 8: both are 4.
    assert suppressed.inequality_pins(29, 2, 37, 74)
    assert not suppressed.inequality_pins(30, 2, 37, 74)  # 7 left: 3 + 4 or 4 + 3
    assert not suppressed.inequality_pins(100, 2, 37, 74)  # the reader's assumption fails: nothing to pin
    # At most one option each (max_choices 1) and one hidden count: the sum's upper bound pins it too.
    assert suppressed.inequality_pins(33, 1, 34, 37) is False
    assert suppressed.inequality_pins(33, 1, 37, 37)


def test_survey_topic_sizes_are_suppressed_against_the_number_of_texts(db, create_survey, add_response, snapshot_of):
    survey = create_survey()
    long_text = survey.questions[4]
    answers = [add_response(survey, {long_text.id: {"text": f"Innspill {n}"}}).answers[0] for n in range(40)]
    documents = [("survey_answer", answer.id) for answer in answers]
    assignments = [0] * 30 + [1] * 3 + [-1] * 7
    db.session.add(
        AnalysisRun(
            consultation_id=survey.consultation_id,
            kind=RunKind.TOPICS.value,
            status=RunStatus.DONE.value,
            params={"n_topics": 2, "embedder": "none", "seed": 0},
            result=topic_result(documents, assignments),
            created_at=now_utc(),
            finished_at=now_utc(),
        )
    )
    db.session.commit()
    topics = snapshot_of(survey.consultation)["topics"]
    assert topics["texts"] == 40
    sizes = [t["size"] for t in topics["topics"]]
    assert sizes == [30, None]
    assert topics["outliers"] is None  # the 3's partner: 40 − 30 − 7 would give it back
    reader = Reader()
    reader.add_list("topic", [*sizes, topics["outliers"]], [30, 3, 7], topics["texts"])
    assert hidden_values_that_are_pinned(reader) == []
