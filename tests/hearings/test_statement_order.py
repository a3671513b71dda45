"""Statement routing (next_statement) and the agreed / divisive sorting scores."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from civic.hearings.statement_order import (
    Candidate,
    agreement_share,
    divisiveness,
    next_statement,
    rank_most_agreed,
    rank_most_divisive,
    routing_weight,
    wilson_lower_bound,
)


def _candidate(comment_id: int, agree: int = 0, disagree: int = 0, passed: int = 0) -> Candidate:
    return Candidate(comment_id, agree + disagree + passed, agree, disagree, passed)


def test_new_comment_is_drawn_far_more_often_than_a_100_vote_one() -> None:
    fresh, old = _candidate(1), _candidate(2, agree=50, disagree=50)  # old is as divisive as it gets
    rng = random.Random(20240917)
    draws = Counter(next_statement([fresh, old], rng) for _ in range(10_000))
    assert draws.keys() == {1, 2}  # the old one is still shown now and then
    # Expected share of the old one: weight ≤ 2/101 vs 1 → at most ~1.9 %; allow sampling noise.
    assert draws[2] < 300
    assert draws[1] > 30 * draws[2]


def test_vote_count_dominates_and_divisiveness_breaks_near_ties() -> None:
    consensus, divisive = _candidate(1, agree=40), _candidate(2, agree=20, disagree=20)
    assert routing_weight(divisive) > routing_weight(consensus)
    assert routing_weight(divisive) <= 2 * routing_weight(consensus)
    assert routing_weight(_candidate(3, agree=5, disagree=5)) > routing_weight(divisive)


def test_no_candidates_gives_none() -> None:
    assert next_statement([], random.Random(1)) is None


def test_same_seed_same_sequence_whatever_the_input_order() -> None:
    candidates = [_candidate(i, agree=i, disagree=i % 3, passed=i % 2) for i in range(20)]
    first = [next_statement(candidates, random.Random(7)) for _ in range(5)]
    rng_a, rng_b = random.Random(42), random.Random(42)
    seq_a = [next_statement(candidates, rng_a) for _ in range(50)]
    seq_b = [next_statement(list(reversed(candidates)), rng_b) for _ in range(50)]
    assert seq_a == seq_b
    assert len(set(first)) == 1  # a fresh rng with the same seed draws the same comment
    assert len(set(seq_a)) > 1


def test_single_candidate_and_bad_input() -> None:
    assert next_statement([_candidate(9, agree=3)], random.Random(0)) == 9
    with pytest.raises(ValueError, match="duplicate"):
        next_statement([_candidate(1), _candidate(1)], random.Random(0))
    with pytest.raises(ValueError, match="inconsistent"):
        Candidate(comment_id=1, vote_count=5, agree_count=1, disagree_count=1, pass_count=1)
    with pytest.raises(ValueError, match="exceeds"):
        divisiveness(3, 3, 5)


def test_wilson_lower_bound_known_values() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1, 2) == pytest.approx(0.0945, abs=1e-4)
    assert wilson_lower_bound(50, 100) == pytest.approx(0.4038, abs=1e-4)
    assert wilson_lower_bound(10, 10) == pytest.approx(0.7225, abs=1e-4)


def test_agreement_share_prefers_evidence_and_ignores_passes() -> None:
    assert agreement_share(0, 0) == 0.0
    assert agreement_share(95, 5) > agreement_share(3, 0)  # 3/3 is not yet convincing
    assert agreement_share(10, 10) < agreement_share(15, 5)
    ranked = rank_most_agreed(
        [
            _candidate(1, agree=3),
            _candidate(2, agree=95, disagree=5),
            _candidate(3, agree=10, disagree=10, passed=80),
            _candidate(4, agree=95, disagree=5, passed=50),  # same share as 2, more votes: ranks first
            _candidate(5),
        ]
    )
    assert ranked == [4, 2, 1, 3, 5]


def test_divisiveness_scores_balance_volume_and_passes() -> None:
    assert divisiveness(0, 0, 0) == 0.0
    assert divisiveness(40, 0, 40) == 0.0  # unanimous is not divisive
    assert divisiveness(1, 1, 2) == pytest.approx(0.189, abs=1e-3)
    assert divisiveness(70, 30, 100) == pytest.approx(0.438, abs=1e-3)
    assert divisiveness(50, 50, 100) > divisiveness(70, 30, 100) > divisiveness(1, 1, 2)
    assert divisiveness(50, 50, 100) > divisiveness(10, 10, 100)  # passes dilute
    assert 0.0 <= divisiveness(5000, 5000, 10_000) <= 1.0
    ranked = rank_most_divisive(
        [
            _candidate(1, agree=1, disagree=1),
            _candidate(2, agree=70, disagree=30),
            _candidate(3, agree=50, disagree=50),
            _candidate(4, agree=100),
            _candidate(5, agree=10, disagree=10, passed=80),
            _candidate(6),
        ]
    )
    assert ranked == [3, 2, 1, 5, 4, 6]  # 4 and 6 both score 0: more votes first
