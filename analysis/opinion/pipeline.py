"""``compute_opinion_groups``: Polis' opinion-group pipeline from vote records to a typed result.

votes -> latest-vote matrix (moderated-out columns zeroed) -> in-conv participants -> PCA + sparsity-aware
projection (everyone) -> 100 base clusters (in-conv) -> weighted k-means on the base centres, k by silhouette,
smoothed over runs -> stable group ids -> repness, consensus, group-informed consensus, divisive comments.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np

from analysis.opinion import clustering
from analysis.opinion.consensus import classic_consensus, divisive_comments, group_informed_consensus
from analysis.opinion.matrix import VoteMatrix, VoteRecord, build_vote_matrix, enough_votes_count, in_conv_mask
from analysis.opinion.projection import fit_projection
from analysis.opinion.repness import repness_stats, select_rep_comments
from analysis.opinion.result import GroupVotes, OpinionResult, OpinionState

MIN_PARTICIPANTS = 2  # with enough votes (min(7, n_comments)) before anyone can be grouped
MIN_COMMENTS = 2  # that are not moderated out and have votes

EXPLANATIONS = {
    "no_votes": "There are no votes yet, so there are no opinion groups to show.",
    "too_few_comments": (
        "Opinion groups need votes on at least {need} statements that are not moderated out; there are {have}."
    ),
    "too_few_participants": (
        "Opinion groups need at least {need} participants who each voted on {threshold} or more statements; "
        "there are {have}."
    ),
    "no_variation": (
        "Everyone who voted voted the same way, so there are no differences of opinion to group people by."
    ),
}


def compute_opinion_groups(
    votes: Iterable[VoteRecord],
    *,
    comment_ids: Sequence[str] | None = None,
    moderated_out: Collection[str] = (),
    previous: OpinionState | None = None,
    seed: int = 0,
) -> OpinionResult:
    """Opinion groups, representative comments and consensus for one conversation (never raises on bad input).

    ``votes``: (participant_id, comment_id, vote) with agree = +1, disagree = −1, pass = 0; for a repeated pair the
    last record wins. ``comment_ids``: all comments of the conversation (votes on other ids are dropped); default =
    the comments that have votes. ``previous``: the ``state`` of the last run, to keep axes, centres, group ids and
    k stable while a hearing is live. ``seed`` seeds every random step (the k-means++ starts, and the randomized SVD
    used above 2,500 comments); the same input, state and seed give the same result.
    """
    matrix = build_vote_matrix(votes, comment_ids=comment_ids, moderated_out=moderated_out)
    previous = previous or OpinionState()
    problem = _input_problem(matrix)
    if problem is not None:
        return _insufficient(matrix, *problem, previous=previous)

    in_conv = in_conv_mask(matrix, previous.groups.keys())
    projection = fit_projection(
        matrix.rating, comment_ids=matrix.comment_ids, previous_components=previous.components, seed=seed
    )
    points = projection.participants[in_conv]
    if clustering.distinct_count(points) < 2:
        return _insufficient(matrix, "no_variation", {}, previous=previous)

    base = clustering.base_clusters(points, previous_centres=previous.base_centres, seed=seed)
    choice = clustering.choose_groups(base, previous_centres=previous.group_centres, seed=seed)
    k, candidate_k, candidate_runs = clustering.smooth_k(
        choice.k,
        sorted(choice.labelings),
        smoothed_k=previous.smoothed_k,
        candidate_k=previous.candidate_k,
        candidate_runs=previous.candidate_runs,
    )
    in_conv_ids = [p for p, inside in zip(matrix.participant_ids, in_conv, strict=True) if inside]
    member_index = choice.labelings[k][base.labels]  # group index 0..k-1 per in-conv participant
    ids = clustering.stable_ids(
        in_conv_ids,
        member_index,
        choice.centres[k],
        previous_groups=previous.groups,
        previous_centres=previous.group_centres,
    )
    # Rows of every per-group array are ordered by group id.
    order = np.argsort(ids)
    group_ids = [int(g) for g in ids[order]]
    row_of_index = np.empty(k, dtype=np.int64)
    row_of_index[order] = np.arange(k)
    labels = np.full(matrix.shape[0], -1, dtype=np.int64)
    labels[in_conv] = row_of_index[member_index]

    result = _common(matrix, status="ok", reason=None, explanation=_ok_explanation(k, int(in_conv.sum())))
    result.k = k
    result.silhouette = dict(choice.silhouette)
    result.n_in_conv = int(in_conv.sum())
    result.groups = {p: group_ids[labels[i]] for i, p in enumerate(matrix.participant_ids) if labels[i] >= 0}
    result.group_sizes = {g: int((labels == row).sum()) for row, g in enumerate(group_ids)}
    result.projection = {
        p: (float(x), float(y)) for p, (x, y) in zip(matrix.participant_ids, projection.participants, strict=True)
    }
    result.comment_projection = {
        c: (float(x), float(y)) for c, (x, y) in zip(matrix.comment_ids, projection.comments, strict=True)
    }

    na, nd, ns = matrix.group_counts(labels, k, zero_moderated=True)
    stats = repness_stats(na, nd, ns)
    result.repness = select_rep_comments(stats, matrix.comment_ids, matrix.moderated_out, group_ids)
    result.group_informed_consensus = group_informed_consensus(matrix, result.groups)
    raw_na, raw_nd, raw_ns = matrix.group_counts(labels, k, zero_moderated=False)
    result.divisive = divisive_comments(raw_na, raw_ns, matrix.comment_ids, matrix.moderated_out, group_ids)
    result.comment_votes = _comment_votes(matrix.comment_ids, group_ids, raw_na, raw_nd, raw_ns)

    group_centres = {g: choice.centres[k][index] for index, g in zip(order, group_ids, strict=True)}
    result.state = OpinionState(
        components={
            c: (float(a), float(b)) for c, a, b in zip(matrix.comment_ids, *projection.components, strict=True)
        },
        base_centres=[(float(x), float(y)) for x, y in base.centres],
        group_centres={g: (float(x), float(y)) for g, (x, y) in group_centres.items()},
        groups=dict(result.groups),
        smoothed_k=k,
        candidate_k=candidate_k,
        candidate_runs=candidate_runs,
        runs=previous.runs + 1,
    )
    return result


def _input_problem(matrix: VoteMatrix) -> tuple[str, dict] | None:
    if matrix.n_votes == 0:
        return "no_votes", {}
    active = int((matrix.seen.any(axis=0) & ~matrix.moderated_out).sum())
    if active < MIN_COMMENTS:
        return "too_few_comments", {"need": MIN_COMMENTS, "have": active}
    enough = enough_votes_count(matrix)
    if enough < MIN_PARTICIPANTS:
        threshold = min(7, matrix.shape[1])
        return "too_few_participants", {"need": MIN_PARTICIPANTS, "threshold": threshold, "have": enough}
    return None


def _common(matrix: VoteMatrix, *, status: str, reason: str | None, explanation: str) -> OpinionResult:
    """The parts every result has, including the classic consensus (it needs no groups)."""
    result = OpinionResult(status=status, reason=reason, explanation=explanation)
    result.n_participants, result.n_comments = matrix.shape
    result.n_votes = matrix.n_votes
    result.dropped_votes = matrix.dropped
    if matrix.n_votes:
        result.consensus = classic_consensus(matrix)
    return result


def _insufficient(matrix: VoteMatrix, reason: str, details: dict, *, previous: OpinionState) -> OpinionResult:
    result = _common(matrix, status="insufficient", reason=reason, explanation=EXPLANATIONS[reason].format(**details))
    result.state = previous  # nothing learned: the next run starts from the same history
    return result


def _ok_explanation(k: int, n_in_conv: int) -> str:
    return f"{n_in_conv} participants with enough votes fall into {k} opinion groups."


def _comment_votes(comment_ids, group_ids, na, nd, ns) -> dict[str, dict[int, GroupVotes]]:
    passed = ns - na - nd
    return {
        c: {g: GroupVotes(int(na[i, j]), int(nd[i, j]), int(passed[i, j])) for i, g in enumerate(group_ids)}
        for j, c in enumerate(comment_ids)
    }
