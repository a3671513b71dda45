"""The vote matrix: latest vote wins, moderated-out columns, the in-conv rule, unreadable records, export reading."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.opinion import build_vote_matrix, in_conv_mask, read_polis_export


def test_latest_vote_wins():
    matrix = build_vote_matrix([("a", "c1", 1), ("b", "c1", 1), ("a", "c1", -1), ("a", "c2", -1), ("a", "c2", 0)])
    assert matrix.participant_ids == ["a", "b"]
    assert matrix.comment_ids == ["c1", "c2"]
    assert matrix.raw[0].tolist() == [-1.0, 0.0]  # the pass came last, so it replaces the disagree
    assert matrix.n_votes == 3
    assert np.isnan(matrix.raw[1, 1])


def test_comment_ids_fix_columns_and_drop_unknown_comments():
    matrix = build_vote_matrix([("a", "c2", 1), ("a", "gone", 1)], comment_ids=["c1", "c2", "c3"])
    assert matrix.comment_ids == ["c1", "c2", "c3"]
    assert matrix.dropped == 1
    assert matrix.raw.shape == (1, 3)


def test_moderated_out_columns_are_zeroed_in_rating_only():
    votes = [("a", "c1", 1), ("b", "c1", -1), ("a", "c2", 1)]
    matrix = build_vote_matrix(votes, moderated_out={"c1"})
    assert matrix.rating[:, 0].tolist() == [0.0, 0.0]  # everyone "passed", even b's disagree
    assert matrix.raw[:, 0].tolist() == [1.0, -1.0]
    labels = np.array([0, 1])
    na, nd, ns = matrix.group_counts(labels, 2, zero_moderated=True)
    assert (na[:, 0].tolist(), nd[:, 0].tolist(), ns[:, 0].tolist()) == ([0, 0], [0, 0], [1, 1])
    na, nd, ns = matrix.group_counts(labels, 2, zero_moderated=False)
    assert (na[:, 0].tolist(), nd[:, 0].tolist()) == ([1, 0], [0, 1])


def test_unreadable_records_are_dropped_and_counted():
    votes = [("a", "c1", 1), ("b",), None, ("c", "c1", "x"), ("d", "c1", 5), (None, "c1", 1), ("e", "c1", "-1")]
    matrix = build_vote_matrix(iter(votes))
    assert matrix.participant_ids == ["a", "e"]
    assert matrix.dropped == 5
    assert matrix.raw[:, 0].tolist() == [1.0, -1.0]


def test_unhashable_ids_do_not_crash():
    matrix = build_vote_matrix([(["a"], "c1", 1), ("b", "c1", 0)])
    assert matrix.participant_ids == ["['a']", "b"]


def test_ids_are_strings():
    matrix = build_vote_matrix([(1, 10, 1), ("1", "10", -1)])
    assert matrix.participant_ids == ["1"]
    assert matrix.comment_ids == ["10"]
    assert matrix.raw.tolist() == [[-1.0]]


def _votes_per_participant(counts: list[int], n_comments: int = 20):
    return [(f"p{i}", f"c{j}", 1) for i, n in enumerate(counts) for j in range(n)] + [
        ("filler", f"c{j}", 0) for j in range(n_comments)
    ]


def test_in_conv_needs_seven_votes_once_fifteen_are_in():
    matrix = build_vote_matrix(_votes_per_participant([7] * 15 + [6, 1]))
    mask = dict(zip(matrix.participant_ids, in_conv_mask(matrix), strict=True))
    assert sum(mask.values()) == 16  # 15 with 7 votes + the filler with 20
    assert not mask["p15"]
    assert not mask["p16"]


def test_in_conv_tops_up_to_fifteen_with_the_most_active():
    matrix = build_vote_matrix(_votes_per_participant([7, 7, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
    mask = dict(zip(matrix.participant_ids, in_conv_mask(matrix), strict=True))
    assert sum(mask.values()) == 15
    assert mask["p2"]
    assert mask["p3"]
    assert [mask[f"p{i}"] for i in range(5, 17)] == [True] * 9 + [False] * 3  # ties: earlier first


def test_in_conv_threshold_is_lower_with_few_comments_and_once_in_always_in():
    matrix = build_vote_matrix([(f"p{i}", f"c{j}", 1) for i in range(20) for j in range(3 if i < 16 else 2)])
    mask = in_conv_mask(matrix)
    assert mask.sum() == 16  # min(7, 3 comments) = 3 votes suffice
    kept = in_conv_mask(matrix, previous_in_conv={"p19"})
    assert kept.sum() == 17


def _write_export(folder, agrees_sign: int):
    folder.mkdir()
    (folder / "comments.csv").write_text(
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1,0,0,2,1,1,First\n2,1,0,0,1,-1,Second\n"
    )
    votes = [(3, 0, 0, agrees_sign), (4, 0, 1, agrees_sign), (5, 0, 2, -agrees_sign), (6, 1, 0, -agrees_sign)]
    (folder / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n" + "".join(f"{t},x,{c},{v},{s}\n" for t, c, v, s in votes)
    )
    (folder / "participants-votes.csv").write_text("participant,group-id,n-votes\n0,1,2\n1,,1\n2,0,1\n")
    (folder / "summary.csv").write_text("topic,Test\n")


@pytest.mark.parametrize("sign", [1, -1])
def test_read_polis_export_checks_the_vote_sign(tmp_path, sign):
    _write_export(tmp_path / "export", sign)
    export = read_polis_export(tmp_path / "export")
    assert export.vote_sign == sign
    assert export.votes[:3] == [("0", "0", 1), ("1", "0", 1), ("2", "0", -1)]  # agree = +1 after reading
    assert export.moderated_out == frozenset({"1"})
    assert export.group_ids == {"0": 1, "2": 0}
    assert export.comment_texts["0"] == "First"
    assert export.summary == {"topic": "Test"}
    assert export.group_informed_consensus is None
