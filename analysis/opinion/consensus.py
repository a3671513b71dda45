"""Consensus and division: Polis' classic consensus (§1.7), group-informed consensus (§1.8), divisive comments.

``group_informed_consensus`` is public: it takes a vote matrix (or vote records) and any participant -> group
mapping, so Polis' own exported groups can be plugged in to check the formula against Polis' exported column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from analysis.opinion.matrix import VoteMatrix, VoteRecord, build_vote_matrix
from analysis.opinion.result import ConsensusComment, DivisiveComment
from analysis.opinion.stats import Z_90, prop_test, smoothed_share

MAX_CONSENSUS = 5
MAX_DIVISIVE = 10
DIVISIVE_EVIDENCE_HALF = 5  # votes at which a group's share counts half (see divisive_comments)


def classic_consensus(matrix: VoteMatrix) -> dict[str, list[ConsensusComment]]:
    """Comments most participants agree (disagree) with, over *all* participants, ignoring groups.

    Candidates need p = (n + 1)/(n_seen + 2) > 0.5 and prop_test(n, n_seen) > z90; the top 5 by p · p_test are
    kept per direction. Moderated-out comments are excluded.
    """
    everyone = np.zeros(matrix.shape[0], dtype=np.int64)
    na, nd, ns = (counts[0] for counts in matrix.group_counts(everyone, 1, zero_moderated=True))
    comment_ids = matrix.comment_ids
    eligible = ~matrix.moderated_out
    result: dict[str, list[ConsensusComment]] = {}
    for direction, n in (("agree", na), ("disagree", nd)):
        p, p_test = smoothed_share(n, ns), prop_test(n, ns)
        candidates = np.flatnonzero(eligible & (p > 0.5) & (p_test > Z_90))
        candidates = candidates[np.argsort(-(p * p_test)[candidates], kind="stable")][:MAX_CONSENSUS]
        result[direction] = [
            ConsensusComment(comment_ids[c], float(p[c]), float(p_test[c]), int(na[c]), int(nd[c]), int(ns[c]))
            for c in candidates
        ]
    return result


def group_informed_consensus(votes: VoteMatrix | Iterable[VoteRecord], groups: Mapping[str, int]) -> dict[str, float]:
    """GIC(c) = Π over groups g of (A_g(c) + 1) / (S_g(c) + 2), per comment.

    A_g and S_g are the agree and seen (agree + disagree + pass) counts of group g's members on the raw matrix (the
    latest vote per pair; moderated-out comments are *not* zeroed here). Participants missing from ``groups`` (not
    clustered) do not count; participants in ``groups`` without votes count nowhere. It is high only if every
    group tends to agree; with k groups it is a product of k shares, so compare values only at equal k.
    """
    matrix = votes if isinstance(votes, VoteMatrix) else build_vote_matrix(votes)
    group_ids = sorted(set(groups.values()))
    if not group_ids:
        return {}
    index = {g: i for i, g in enumerate(group_ids)}
    labels = np.array([index.get(groups.get(p), -1) for p in matrix.participant_ids], dtype=np.int64)
    na, _, ns = matrix.group_counts(labels, len(group_ids), zero_moderated=False)
    values = np.prod(smoothed_share(na, ns), axis=0)
    return {c: float(v) for c, v in zip(matrix.comment_ids, values, strict=True)}


def divisive_comments(
    na: np.ndarray,
    ns: np.ndarray,
    comment_ids: list[str],
    moderated_out: np.ndarray,
    group_ids: list[int],
    *,
    limit: int = MAX_DIVISIVE,
) -> list[DivisiveComment]:
    """Comments on which the groups' agree shares differ most, weighted by how much evidence each side has.

    With a_g = (A_g + 1)/(S_g + 2) (group g's smoothed agree share) and w_g = S_g / (S_g + 5) (a group's weight:
    half at 5 votes, near 1 from ~50), over the groups h with the highest and l with the lowest a:

        score(c) = (a_h − a_l) · min(w_h, w_l)          in [0, 1)

    e.g. 32 of 40 against 8 of 40 agreeing (80 % vs 20 %) scores 0.51; 2 of 2 against 0 of 2 scores 0.14.
    Counted on the raw votes of in-conv members. Comments with score 0 and moderated-out comments are left out;
    the top ``limit`` are returned, highest first (ties by comment order). ``agree_share`` in the result is the
    raw A_g / S_g, for display.
    """
    if na.shape[0] < 2:
        return []
    share = smoothed_share(na, ns)
    weight = ns / (ns + DIVISIVE_EVIDENCE_HALF)
    columns = np.arange(na.shape[1])
    high, low = share.argmax(axis=0), share.argmin(axis=0)
    score = (share[high, columns] - share[low, columns]) * np.minimum(weight[high, columns], weight[low, columns])
    score = np.where(np.asarray(moderated_out, dtype=bool), 0.0, score)
    order = np.argsort(-score, kind="stable")
    order = order[score[order] > 0][:limit]
    raw_share = np.divide(na, ns, out=np.zeros(na.shape), where=ns > 0)
    return [
        DivisiveComment(
            comment_id=comment_ids[c],
            score=float(score[c]),
            agree_share={g: float(raw_share[i, c]) for i, g in enumerate(group_ids)},
            n_seen={g: int(ns[i, c]) for i, g in enumerate(group_ids)},
        )
        for c in order
    ]
