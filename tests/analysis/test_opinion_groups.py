"""compute_opinion_groups end to end on synthetic votes: result shape, determinism, stability, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.opinion import OpinionState, compute_opinion_groups
from analysis.opinion.clustering import K_BUFFER, smooth_k, stable_ids
from tests.benchmarks.bench_opinion_groups import synthetic_conversation


@pytest.fixture(scope="module")
def conversation():
    return synthetic_conversation(300, 40, min_votes=20, max_votes=40, seed=4)


@pytest.fixture(scope="module")
def first_run(conversation):
    records, _ = conversation
    return compute_opinion_groups(records, seed=0)


def test_finds_the_latent_groups(conversation, first_run):
    _, latent = conversation
    result = first_run
    assert result.status == "ok", result.explanation
    assert result.reason is None
    assert result.k == 3
    assert sum(result.group_sizes.values()) == len(result.groups) == result.n_in_conv
    assert len(result.projection) == result.n_participants == 300
    ari = adjusted_rand_score([latent[p] for p in result.groups], list(result.groups.values()))
    assert ari > 0.8  # noisy by design: 30 % of stances are undecided, 15 % of votes are passes
    assert set(result.repness) == set(result.group_sizes)
    assert all(1 <= len(reps) <= 5 for reps in result.repness.values())
    assert set(result.group_informed_consensus) == {f"c{j}" for j in range(40)}
    assert result.consensus["agree"]  # the generator makes 15 % of comments agreeable to every group
    assert result.divisive
    assert result.divisive == sorted(result.divisive, key=lambda d: -d.score)
    votes = result.comment_votes["c0"]
    assert set(votes) == set(result.group_sizes)
    assert all(v.seen <= result.group_sizes[g] for g, v in votes.items())


def test_result_is_json_and_the_same_twice(conversation, first_run):
    records, _ = conversation
    again = compute_opinion_groups(list(records), seed=0)
    first = json.dumps(first_run.to_dict(), sort_keys=True)
    assert json.dumps(again.to_dict(), sort_keys=True) == first
    data = json.loads(first)
    assert all(isinstance(g, int) for g in data["groups"].values())
    assert set(data) >= {"groups", "group_informed_consensus", "consensus", "repness", "k", "group_sizes", "divisive"}


def test_state_round_trips_through_json(first_run):
    state = first_run.state
    restored = OpinionState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert OpinionState.from_dict({"version": 999}) == OpinionState()
    assert OpinionState.from_dict({"version": 1, "components": {"c": "x"}}) == OpinionState()


def test_previous_state_keeps_group_ids_when_votes_are_added(conversation, first_run):
    records, _ = conversation
    more = [*records, *[(f"p{i}", f"c{i % 40}", (-1) ** i) for i in range(0, 300, 7)], ("newcomer", "c1", 1)]
    # Relabel the previous run's groups (0 -> 7, 1 -> 3, 2 -> 5): the next run must follow the old labels.
    relabel = dict(zip(sorted(first_run.group_sizes), (7, 3, 5), strict=True))
    state = OpinionState.from_dict(json.loads(json.dumps(first_run.state.to_dict())))
    state.groups = {p: relabel[g] for p, g in state.groups.items()}
    state.group_centres = {relabel[g]: c for g, c in state.group_centres.items()}
    result = compute_opinion_groups(more, previous=state, seed=0)
    assert result.k == 3
    assert set(result.group_sizes) == {3, 5, 7}
    same = [p for p in first_run.groups if result.groups.get(p) == relabel[first_run.groups[p]]]
    assert len(same) >= 0.95 * len(first_run.groups)
    assert result.state.runs == 2


def test_k_smoother_waits_for_k_buffer_runs(conversation, first_run):
    records, _ = conversation
    state = OpinionState.from_dict(first_run.state.to_dict())
    state.smoothed_k, state.candidate_k, state.candidate_runs = 2, None, 0
    shown = []
    for _ in range(K_BUFFER):
        result = compute_opinion_groups(records, previous=state, seed=0)
        shown.append(result.k)
        state = result.state
    assert shown == [2] * (K_BUFFER - 1) + [3]


def test_smooth_k_rules():
    assert smooth_k(3, [2, 3], smoothed_k=None, candidate_k=None, candidate_runs=0) == (3, 3, 1)
    assert smooth_k(3, [2, 3], smoothed_k=2, candidate_k=3, candidate_runs=1) == (2, 3, 2)
    assert smooth_k(3, [2, 3], smoothed_k=2, candidate_k=3, candidate_runs=3) == (3, 3, 4)
    assert smooth_k(2, [2, 3], smoothed_k=2, candidate_k=3, candidate_runs=3) == (2, 2, 1)
    assert smooth_k(2, [2], smoothed_k=4, candidate_k=4, candidate_runs=0) == (2, 2, 1)  # 4 is not possible now


def test_stable_ids_follow_members_then_size():
    participants = ["a", "b", "c", "d", "e"]
    labels = np.array([0, 0, 1, 1, 1])
    centres = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert stable_ids(participants, labels, centres).tolist() == [1, 0]  # no history: largest group is 0
    ids = stable_ids(participants, labels, centres, previous_groups={"a": 4, "b": 4, "c": 9})
    assert ids.tolist() == [4, 9]
    # One more group than before: it gets the smallest unused id.
    ids = stable_ids(
        participants, np.array([0, 0, 1, 1, 2]), np.array([[0.0, 0], [1, 1], [2, 2]]), previous_groups={"a": 1, "c": 0}
    )
    assert ids.tolist() == [1, 0, 2]
    # No shared members: nearest previous centre.
    ids = stable_ids(participants, labels, centres, previous_centres={0: (1.1, 1.0), 1: (0.1, 0.0)})
    assert ids.tolist() == [1, 0]


def _insufficient(votes, **kwargs):
    result = compute_opinion_groups(votes, **kwargs)
    assert result.status == "insufficient"
    assert result.explanation
    assert result.groups == {}
    json.dumps(result.to_dict())
    return result


def test_no_votes():
    assert _insufficient([]).reason == "no_votes"
    assert _insufficient(iter(())).reason == "no_votes"
    assert _insufficient([("a", "c", 7), ("b",)]).reason == "no_votes"
    assert _insufficient(None).reason == "no_votes"  # type: ignore[arg-type]
    assert _insufficient(42).reason == "no_votes"  # type: ignore[arg-type]


def test_a_single_comment():
    result = _insufficient([(f"p{i}", "c0", (-1) ** i) for i in range(30)])
    assert result.reason == "too_few_comments"
    assert "2 statements" in result.explanation


def test_all_comments_moderated_out():
    votes = [(f"p{i}", f"c{j}", (-1) ** (i + j)) for i in range(30) for j in range(10)]
    result = _insufficient(votes, moderated_out={f"c{j}" for j in range(10)})
    assert result.reason == "too_few_comments"


def test_fewer_than_two_participants_with_enough_votes():
    votes = [("p0", f"c{j}", 1) for j in range(10)] + [(f"q{i}", "c0", -1) for i in range(20)]
    result = _insufficient(votes)
    assert result.reason == "too_few_participants"
    assert "7 or more" in result.explanation


def test_everyone_voting_the_same():
    votes = [(f"p{i}", f"c{j}", 1) for i in range(20) for j in range(10)]
    result = _insufficient(votes)
    assert result.reason == "no_variation"
    assert len(result.consensus["agree"]) == 5  # a clear consensus is still a result worth showing


def test_insufficient_keeps_the_previous_state(first_run):
    result = _insufficient([], previous=first_run.state)
    assert result.state is first_run.state


def test_two_participants_who_differ_form_two_groups():
    votes = [("a", f"c{j}", 1) for j in range(8)] + [("b", f"c{j}", -1) for j in range(8)]
    result = compute_opinion_groups(votes)
    assert result.status == "ok"
    assert sorted(result.groups.values()) == [0, 1]
