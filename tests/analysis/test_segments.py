"""Consensus across segments: shares, suppression of small cells, consensus measures, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.segments import segment_consensus, segment_topics
from analysis.suppression import Suppression
from tests.analysis.test_suppression import derivable_hidden


def _people(groups: dict[tuple[str, str], int], dimension: str = "district"):
    """Build answers and segments: {(segment, option): how many respondents}; ids are running numbers."""
    answers, segments = {}, {}
    for (segment, option), count in groups.items():
        for _ in range(count):
            respondent = len(answers)
            answers[respondent] = option
            segments[respondent] = {dimension: segment}
    return answers, segments


def test_shares_counts_and_consensus_of_a_clear_table():
    answers, segments = _people({("A", "yes"): 20, ("A", "no"): 10, ("B", "yes"): 12, ("B", "no"): 18})
    result = segment_consensus(answers, segments, options=["yes", "no"], dimensions=["district"])
    assert result.status == "ok"
    assert result.respondents == 60
    district = result.dimensions[0]
    assert district.segments == ["A", "B"]
    assert district.sizes == [30, 30]
    yes, no = district.options
    assert yes.counts == [20, 12]
    assert yes.shares == pytest.approx([20 / 30, 12 / 30])
    assert yes.total == 32
    assert yes.share == pytest.approx(32 / 60)
    assert not any(yes.hidden)
    consensus = yes.consensus
    assert consensus.segments_used == 2
    assert consensus.lowest_share == pytest.approx(0.4)
    assert consensus.highest_share == pytest.approx(20 / 30)
    assert consensus.spread == pytest.approx(20 / 30 - 0.4)
    assert consensus.lowest_segment == "B"
    assert consensus.highest_segment == "A"
    expected = math.sqrt((21 / 32) * (13 / 32))
    assert consensus.segment_informed_consensus == pytest.approx(expected)
    assert no.consensus.segment_informed_consensus < consensus.segment_informed_consensus


def test_an_option_every_segment_chose_ranks_above_a_divisive_one():
    answers, segments = _people(
        {
            ("A", "park"): 18,
            ("A", "road"): 2 + 10,
            ("B", "park"): 17,
            ("B", "road"): 13,
            ("C", "park"): 19,
            ("C", "road"): 11,
        }
    )
    # Multiple choice: everybody also picked "bench" in A, nobody in C.
    multiple = {r: [answers[r], "bench"] if segments[r]["district"] == "A" else [answers[r]] for r in answers}
    result = segment_consensus(multiple, segments, kind="multiple", dimensions=["district"])
    rows = {row.option: row for row in result.dimensions[0].options}
    assert set(rows) == {"bench", "park", "road"}
    assert rows["bench"].consensus.spread == pytest.approx(1.0)
    assert rows["bench"].consensus.lowest_share == 0.0
    assert rows["park"].consensus.spread < 0.1
    # Shares of a segment add up to more than 1 for multiple choice.
    a_column = [row.shares[0] for row in rows.values()]
    assert sum(a_column) == pytest.approx(2.0)


def test_small_cells_are_hidden_with_secondary_suppression_and_nothing_leaks():
    answers, segments = _people(
        {
            ("A", "yes"): 3,
            ("A", "no"): 27,
            ("B", "yes"): 20,
            ("B", "no"): 15,
            ("C", "yes"): 22,
            ("C", "no"): 30,
            ("D", "yes"): 12,
            ("D", "no"): 9,
        }
    )
    result = segment_consensus(answers, segments, options=["yes", "no"], dimensions=["district"])
    district = result.dimensions[0]
    yes, no = district.options
    assert yes.hidden[0]
    assert yes.counts[0] is None
    assert yes.shares[0] is None
    # Option totals and segment sizes are public: "A" has 30 respondents, so "no" in A would give "yes" back.
    assert no.hidden[0]
    assert district.hidden_cells >= 4
    assert district.secondary_cells == district.hidden_cells - 1
    # The reader's knowledge: shown cells, segment sizes, option totals and the number of respondents.
    table = np.array([[3, 20, 22, 12], [27, 15, 30, 9]])
    published = Suppression(
        cells=np.array([row.hidden for row in district.options]),
        row_totals=np.array([False, False]),
        col_totals=np.array(district.sizes_hidden),
        grand_total=False,
        primary=np.zeros((2, 4), dtype=bool),
    )
    assert derivable_hidden(table, published) == []
    # Consensus only over shown cells (a measure over hidden ones could give them back).
    assert yes.consensus.segments_used == sum(count is not None for count in yes.counts) == 2


def test_a_small_segment_is_hidden_whole_and_its_size_cannot_be_derived():
    answers, segments = _people(
        {("A", "yes"): 2, ("A", "no"): 1, ("B", "yes"): 20, ("B", "no"): 15, ("C", "yes"): 22, ("C", "no"): 30}
    )
    district = segment_consensus(answers, segments, dimensions=["district"]).dimensions[0]
    assert district.sizes_hidden[0]
    assert district.sizes[0] is None
    assert all(row.hidden[0] for row in district.options)
    # The respondents' number is public, so a second segment's size must go too.
    assert sum(district.sizes_hidden) >= 2
    table = np.array([[2, 20, 22], [1, 15, 30]])
    published = Suppression(
        cells=np.array([row.hidden for row in district.options]),
        row_totals=np.array([False, False]),
        col_totals=np.array(district.sizes_hidden),
        grand_total=False,
        primary=np.zeros((2, 3), dtype=bool),
    )
    assert derivable_hidden(table, published) == []


def test_multiple_choice_protects_small_segments_through_their_sizes():
    answers, segments = {}, {}
    for respondent, district in enumerate(["A"] * 3 + ["B"] * 12 + ["C"] * 14 + ["D"] * 40):
        answers[respondent] = ["bus", "bike"] if respondent % 2 else ["bus"]
        segments[respondent] = {"district": district}
    district = segment_consensus(answers, segments, kind="multiple", dimensions=["district"]).dimensions[0]
    # A (3) is hidden; its size would follow from the respondents' number, so the smallest other one goes too.
    assert district.sizes == [None, None, 14, 40]
    assert all(row.hidden[:2] == [True, True] for row in district.options)
    assert all(row.consensus.segments_used == 2 for row in district.options)


def test_not_stated_is_a_column_but_never_compared():
    answers, segments = _people({("A", "yes"): 10, ("B", "yes"): 10, ("A", "no"): 10, ("B", "no"): 10})
    for respondent in range(100, 116):
        answers[respondent] = "yes" if respondent < 110 else "no"
        segments[respondent] = {"district": ""}
    answers[200] = "no"  # no segments at all
    district = segment_consensus(answers, segments, dimensions=["district"]).dimensions[0]
    assert district.segments == ["A", "B", ""]
    assert district.sizes == [20, 20, 17]
    assert district.options[0].counts == [10, 10, 7]
    yes = district.options[1]
    assert yes.option == "yes"
    assert yes.consensus.segments_used == 2


def test_segment_order_and_several_dimensions():
    answers, segments = {}, {}
    bands = ["67+", "16-24", "25-44"]
    for respondent in range(60):
        answers[respondent] = 1 + respondent % 5
        segments[respondent] = {
            "age_band": bands[respondent % 3],
            "household_type": "single" if respondent < 30 else "couple",
        }
    result = segment_consensus(
        answers,
        segments,
        kind="scale",
        dimensions=["age_band", "household_type", "district"],
        segment_order={"age_band": ["16-24", "25-44", "67+"]},
    )
    assert result.options == [1, 2, 3, 4, 5]
    age, household, district = result.dimensions
    assert age.segments == ["16-24", "25-44", "67+"]
    assert household.segments == ["couple", "single"]
    assert district.status == "insufficient"
    assert district.reason == "no_segment_data"
    assert result.status == "ok"


def test_topics_count_writers_once_and_outliers_in_the_size_only():
    texts = []
    segments = {}
    for respondent in range(40):
        segments[respondent] = {"district": "North" if respondent < 20 else "South"}
        texts.append((respondent, 0 if respondent % 2 else 1))
        texts.append((respondent, 0 if respondent % 2 else -1))  # a second text: same topic or an outlier
    result = segment_topics(texts, segments, dimensions=["district"])
    assert result.kind == "topics"
    assert result.options == [0, 1]
    district = result.dimensions[0]
    assert district.sizes == [20, 20]
    topic0, topic1 = district.options
    assert topic0.counts == [10, 10]
    assert topic1.counts == [10, 10]
    assert topic0.consensus.spread == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({1: "yes", 2: "no", 3: "yes"}, "too_few_respondents"),
        ({}, "no_options"),
        ({r: None for r in range(10)}, "no_options"),
    ],
)
def test_too_little_data_is_explained(answers, reason):
    result = segment_consensus(answers, {r: {"district": "A"} for r in range(10)}, dimensions=["district"])
    assert result.status == "insufficient"
    assert result.reason == reason
    assert result.explanation
    assert result.dimensions == []


def test_public_link_answers_without_segments_are_explained():
    answers = {r: "yes" if r % 2 else "no" for r in range(30)}
    result = segment_consensus(answers, {r: {"district": "", "age_band": ""} for r in range(30)})
    assert result.status == "insufficient"
    assert result.reason == "no_segment_data"
    assert segment_consensus(answers, {}).reason == "no_segment_data"


def test_one_segment_big_enough_is_not_a_comparison():
    answers, segments = _people({("A", "yes"): 20, ("A", "no"): 20, ("B", "yes"): 1, ("B", "no"): 2})
    result = segment_consensus(answers, segments, dimensions=["district"])
    assert result.status == "insufficient"
    assert result.reason == "too_few_segments"
    assert result.dimensions[0].reason == "too_few_segments"
    assert all(row.consensus is None for row in result.dimensions[0].options)


def test_unknown_options_are_ignored_and_unknown_kinds_refused():
    answers, segments = _people({("A", "yes"): 10, ("B", "yes"): 10, ("A", "bogus"): 3})
    result = segment_consensus(answers, segments, options=["yes", "no"], dimensions=["district"])
    assert result.respondents == 20
    with pytest.raises(ValueError):
        segment_consensus(answers, segments, kind="ranking")


def test_result_is_json_serialisable_and_hides_values():
    answers, segments = _people({("A", "yes"): 3, ("A", "no"): 27, ("B", "yes"): 20, ("B", "no"): 15})
    data = json.loads(json.dumps(segment_consensus(answers, segments, dimensions=["district"]).to_dict()))
    row = data["dimensions"][0]["options"][1]
    assert row["option"] == "yes"
    assert row["counts"][0] is None
    assert 3 not in [count for option in data["dimensions"][0]["options"] for count in option["counts"]]
