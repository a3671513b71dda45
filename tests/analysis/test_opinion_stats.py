"""Polis' formulas on tiny hand-computed cases: smoothed tests, repness selection, consensus, GIC, divisive."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.opinion import (
    build_vote_matrix,
    classic_consensus,
    divisive_comments,
    group_informed_consensus,
    prop_test,
    two_prop_test,
)
from analysis.opinion.repness import repness_stats, select_rep_comments
from analysis.opinion.stats import smoothed_share


def test_prop_test_by_hand():
    # 2·sqrt(n+1)·((s+1)/(n+1) − 1/2): 3 of 4 -> 2·sqrt(5)·(4/5 − 1/2) = 0.6·sqrt(5)
    assert prop_test(3, 4) == pytest.approx(0.6 * math.sqrt(5))
    assert prop_test(0, 0) == pytest.approx(1.0)  # the pseudo-count: no votes still leans to 1/2 + ...
    assert prop_test(np.array([0, 10]), np.array([10, 10])).tolist() == pytest.approx(
        [2 * math.sqrt(11) * (1 / 11 - 0.5), 2 * math.sqrt(11) * 0.5]
    )


def test_two_prop_test_by_hand():
    # +1 to every count: 4/5 vs 2/5, pooled 6/10 -> 0.4 / sqrt(0.6·0.4·(1/5 + 1/5))
    assert two_prop_test(3, 1, 4, 4) == pytest.approx(0.4 / math.sqrt(0.096))
    assert two_prop_test(1, 3, 4, 4) == pytest.approx(-0.4 / math.sqrt(0.096))
    assert two_prop_test(4, 4, 4, 4) == 0.0  # pooled share 1: defined as 0, not a division by zero


def test_smoothed_share():
    assert smoothed_share(1, 1) == pytest.approx(2 / 3)
    assert smoothed_share(0, 0) == pytest.approx(0.5)


def _two_groups():
    # Group 0 agrees with c0 (9 of 10), group 1 disagrees (9 of 10); everybody agrees with c1; c2 is split evenly.
    na = np.array([[9, 10, 5], [1, 10, 5]])
    nd = np.array([[1, 0, 5], [9, 0, 5]])
    ns = np.full((2, 3), 10)
    return repness_stats(na, nd, ns)


def test_repness_values_by_hand():
    stats = _two_groups()
    assert stats.pa[0, 0] == pytest.approx(10 / 12)
    assert stats.ra[0, 0] == pytest.approx((10 / 12) / (2 / 12))  # 5: versus the rest's (1 + 1)/(10 + 2)
    pooled = 12 / 22
    assert stats.rat[0, 0] == pytest.approx((10 / 11 - 2 / 11) / math.sqrt(pooled * (1 - pooled) * (2 / 11)))
    assert stats.rdt[1, 0] == pytest.approx(stats.rat[0, 0])
    assert stats.rat[0, 1] == 0.0  # everyone agrees: pooled share 1


def test_repness_selection_with_best_agree_first():
    reps = select_rep_comments(_two_groups(), ["c0", "c1", "c2"], np.zeros(3, dtype=bool), [0, 1])
    # Group 0: c0 is both sufficient and its best agree.
    assert [(r.comment_id, r.direction, r.best_agree) for r in reps[0]] == [("c0", "agree", True)]
    # Group 1: nothing it agrees with is representative, but Polis' best-agree rule still puts what it agrees
    # with most (c1: pat = 2·sqrt(11)·0.5 > 1.2816) first; its real distinction, disagreeing with c0, follows.
    assert [(r.comment_id, r.direction, r.best_agree) for r in reps[1]] == [
        ("c1", "agree", True),
        ("c0", "disagree", False),
    ]
    assert reps[1][1].n_disagree == 9
    assert reps[1][1].repness == pytest.approx(5.0)


def test_repness_fallback_when_nothing_is_significant():
    # Group 0 disagrees once with c0 (group 1 agreed twice) and only passed c1: nothing is significant and there
    # is no candidate agreement, so the group gets the comment with the largest max(rat, rdt): c0, by disagreeing.
    stats = repness_stats(np.array([[0, 0], [2, 0]]), np.array([[1, 0], [0, 0]]), np.full((2, 2), 2))
    reps = select_rep_comments(stats, ["c0", "c1"], np.zeros(2, dtype=bool), [0, 1])
    assert [(r.comment_id, r.direction) for r in reps[0]] == [("c0", "disagree")]
    assert reps[0][0].repness_test == pytest.approx((2 / 3 - 1 / 3) / math.sqrt(0.25 * (2 / 3)))


def test_repness_never_selects_moderated_out_and_keeps_at_most_five():
    rng = np.random.default_rng(1)
    na = rng.integers(0, 30, size=(2, 20))
    nd = 30 - na
    stats = repness_stats(na, nd, np.full((2, 20), 30))
    out = np.zeros(20, dtype=bool)
    out[:10] = True
    reps = select_rep_comments(stats, [f"c{i}" for i in range(20)], out, [0, 1])
    for group in reps.values():
        assert 1 <= len(group) <= 5
        assert all(int(r.comment_id[1:]) >= 10 for r in group)
        directions = [r.direction for r in group]
        assert directions == sorted(directions, key=lambda d: d != "agree")  # agrees first


def test_classic_consensus_by_hand():
    # c0: 9 of 10 agree; c1: 6 agree 4 disagree (p = 7/12 but prop_test 0.6 < 1.2816); c2: 9 of 10 disagree.
    votes = [(f"p{i}", "c0", 1 if i < 9 else 0) for i in range(10)]
    votes += [(f"p{i}", "c1", 1 if i < 6 else -1) for i in range(10)]
    votes += [(f"p{i}", "c2", -1 if i < 9 else 1) for i in range(10)]
    consensus = classic_consensus(build_vote_matrix(votes))
    assert [c.comment_id for c in consensus["agree"]] == ["c0"]
    assert consensus["agree"][0].p == pytest.approx(10 / 12)
    assert consensus["agree"][0].p_test == pytest.approx(2 * math.sqrt(11) * (10 / 11 - 0.5))
    assert [c.comment_id for c in consensus["disagree"]] == ["c2"]
    moderated = build_vote_matrix(votes, moderated_out={"c0"})
    assert classic_consensus(moderated)["agree"] == []


def test_group_informed_consensus_by_hand():
    votes = [
        ("a", "c", -1),
        ("a", "c", 1),  # a changed their mind: the latest vote counts
        ("b", "c", 1),
        ("c", "c", 0),
        ("d", "c", -1),
        ("e", "c", 1),  # e is not in any group: ignored
        ("a", "x", 1),
    ]
    groups = {"a": 0, "b": 0, "c": 0, "d": 1}
    gic = group_informed_consensus(votes, groups)
    # group 0: 2 agree of 3 seen -> 3/5; group 1: 0 of 1 -> 1/3
    assert gic["c"] == pytest.approx(3 / 5 * 1 / 3, abs=1e-15)
    # x: group 0 1 of 1 -> 2/3; group 1 saw nothing -> 1/2
    assert gic["x"] == pytest.approx(2 / 3 * 1 / 2, abs=1e-15)
    assert group_informed_consensus(votes, {}) == {}


def test_divisive_by_hand():
    na = np.array([[32, 2, 20], [8, 0, 20]])
    ns = np.array([[40, 2, 40], [40, 2, 40]])
    ranked = divisive_comments(na, ns, ["wide", "thin", "same"], np.zeros(3, dtype=bool), [0, 1])
    assert [d.comment_id for d in ranked] == ["wide", "thin"]  # "same": equal shares, score 0, left out
    assert ranked[0].score == pytest.approx((33 / 42 - 9 / 42) * 40 / 45)
    assert ranked[1].score == pytest.approx((3 / 4 - 1 / 4) * 2 / 7)
    assert ranked[0].agree_share == {0: pytest.approx(0.8), 1: pytest.approx(0.2)}
    assert divisive_comments(na[:1], ns[:1], ["wide", "thin", "same"], np.zeros(3, dtype=bool), [0]) == []
