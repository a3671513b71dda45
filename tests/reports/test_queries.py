"""Aggregation numbers on crafted data, small-group suppression and segment filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from civic.reports import queries, stats
from civic.reports.queries import Filters
from tests.reports.conftest import FORMULA

EVERYONE = Filters()


def result(db, survey, index, filters=EVERYONE):
    return queries.question_result(db.session, survey.questions[index], filters, "nb")


def test_counts_by_oslo_day_with_gaps_and_drafts(db, seeded):
    counts = queries.counts(db.session, seeded.id, Filters())
    assert counts.submitted == 10
    assert counts.drafts == 2
    # 23:30 UTC on the 21st counts for the 22nd in Oslo; the quiet 21st is filled with 0.
    assert counts.by_day == [(date(2026, 11, 20), 4), (date(2026, 11, 21), 0), (date(2026, 11, 22), 6)]
    assert not counts.suppressed


def test_single_choice_counts_percentages_and_other(db, seeded):
    res = result(db, seeded, 0)
    assert res.respondents == 10
    rows = {r["label"]: (r["count"], r["percent"]) for r in res.rows}
    assert rows == {"Ja": (5, 50.0), "Nei": (3, 30.0), "Annet": (2, 20.0)}
    assert res.other_texts == 2


def test_multiple_choice_shares_are_of_respondents(db, seeded):
    res = result(db, seeded, 1)
    shares = {r["label"]: r["percent"] for r in res.rows}
    assert shares == {"Beboerparkering": 60.0, "Flere ladepunkter": 60.0, "Bilfrie gater": 40.0}
    assert sum(shares.values()) > 100


def test_scale_distribution_mean_and_median(db, seeded):
    res = result(db, seeded, 2)
    assert [(r["label"], r["count"]) for r in res.rows] == [("1", 1), ("2", 1), ("3", 2), ("4", 3), ("5", 3)]
    assert res.stats["mean"] == pytest.approx(3.6)
    assert res.stats["median"] == 4


def test_number_histogram_and_statistics(db, seeded):
    res = result(db, seeded, 5)
    assert res.respondents == 9
    assert res.stats == pytest.approx({"mean": 25 / 9, "median": 2, "min": 0, "max": 10})
    # Small integer range: one bin per value, empty values included.
    assert [r["label"] for r in res.rows] == [str(v) for v in range(11)]
    assert [r["count"] for r in res.rows] == [1, 2, 3, 1, 1, 0, 0, 0, 0, 0, 1]


def test_histogram_uses_equal_width_bins_for_wide_ranges():
    bins = stats.histogram([(0.0, 1), (50.0, 2), (99.0, 1), (100.0, 1)], integer=False)
    assert len(bins) == 10
    assert bins[0]["count"] == 1
    assert bins[5]["count"] == 2
    assert bins[9]["count"] == 2  # the maximum falls into the last bin
    assert sum(b["count"] for b in bins) == 5


def test_integer_histogram_uses_whole_number_bins():
    bins = stats.histogram([(0.0, 1), (4.0, 1), (5.0, 2), (49.0, 1)], integer=True)
    assert [b["label"] for b in bins] == [f"{i * 5}–{i * 5 + 4}" for i in range(10)]
    assert [b["count"] for b in bins][:2] == [2, 2]
    assert bins[-1]["count"] == 1


@pytest.mark.parametrize(
    ("distribution", "expected"),
    [([(1.0, 1), (2.0, 1), (10.0, 1)], 2.0), ([(1.0, 2), (3.0, 2)], 2.0), ([(5.0, 1)], 5.0)],
)
def test_median_from_grouped_distribution(distribution, expected):
    assert stats.median(distribution, sum(c for _, c in distribution)) == expected


def test_dates_by_month(db, seeded):
    res = result(db, seeded, 6)
    assert [(r["label"], r["count"]) for r in res.rows] == [("2020-01", 3), ("2020-03", 2), ("2021-03", 5)]


def test_ranking_average_rank_and_first_share(db, seeded):
    res = result(db, seeded, 7)
    rows = [(r["label"], r["average_rank"], r["first_percent"]) for r in res.rows]
    assert rows == [
        ("Trygg skolevei", pytest.approx(1.4), 60.0),
        ("Parkering", pytest.approx(1.6), 40.0),
        ("Brøyting", 3.0, 0.0),
    ]


def test_map_points_newest_first(db, seeded):
    res = result(db, seeded, 8)
    assert res.total_points == 10
    assert res.rows[0]["lat"] == pytest.approx(59.939)  # the last submitted
    assert res.rows[-1]["lat"] == pytest.approx(59.93)


def test_segment_filter_narrows_every_number(db, seeded):
    arvoll = Filters(district="Årvoll")
    assert queries.counts(db.session, seeded.id, arvoll).submitted == 6
    assert queries.counts(db.session, seeded.id, arvoll).drafts == 1
    res = result(db, seeded, 0, arvoll)
    assert {r["label"]: r["count"] for r in res.rows} == {"Ja": 5, "Nei": 1, "Annet": 0}
    combined = Filters(district="Årvoll", household_type="family_with_children")
    assert result(db, seeded, 2, combined).respondents == 5


def test_groups_below_five_are_suppressed(db, seeded):
    linderud = Filters(district="Linderud")  # four respondents
    res = result(db, seeded, 0, linderud)
    assert res.respondents == 4
    assert res.suppressed
    assert res.rows == []  # nothing is even computed
    assert queries.counts(db.session, seeded.id, linderud).suppressed
    arvoll = queries.counts(db.session, seeded.id, Filters(district="Årvoll"))
    assert not arvoll.suppressed
    assert arvoll.drafts_suppressed  # one draft in Årvoll
    assert not result(db, seeded, 0, Filters(district="Årvoll")).suppressed
    assert not queries.is_suppressed(0)


def test_text_search_paging_and_newest_first(db, create_survey, add_response):
    survey = create_survey()
    question = survey.questions[3]
    for i in range(25):
        add_response(
            survey,
            {question.id: {"text": f"Svar {i:02d}" + (" sykkel" if i % 5 == 0 else "")}},
            submitted_at=datetime(2026, 11, 1, 8, i, tzinfo=UTC),
        )
    page1 = queries.text_page(db.session, question, Filters(), "", 1)
    assert (page1.total, page1.pages, len(page1.items)) == (25, 2, 20)
    assert page1.items[0][0] == "Svar 24"
    page2 = queries.text_page(db.session, question, Filters(), "", 2)
    assert [t for t, _ in page2.items] == [
        f"Svar {i:02d}" + (" sykkel" if i % 5 == 0 else "") for i in range(4, -1, -1)
    ]
    found = queries.text_page(db.session, question, Filters(), "SYKKEL", 1)
    assert found.total == 5
    # LIKE wildcards typed by the user are taken literally.
    assert queries.text_page(db.session, question, Filters(), "%", 1).total == 0
    assert queries.text_page(db.session, question, Filters(), "", 99).page == 2


def test_drafts_do_not_count_in_answers(db, seeded):
    res = result(db, seeded, 3)
    assert res.respondents == 10
    texts = queries.text_page(db.session, seeded.questions[3], Filters(), "", 1)
    assert "utkast" not in [t for t, _ in texts.items]
    assert FORMULA in [t for t, _ in texts.items]


def test_segment_options_come_from_submitted_responses(db, seeded):
    options = queries.segment_options(db.session, seeded.id)
    assert set(options["district"]) == {"Linderud", "Årvoll"}
    assert options["age_band"] == ["18-29", "30-44"]
