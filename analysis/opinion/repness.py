"""Representative comments per group (Polis' repness, analysis.md §1.6), re-implemented from the formulas.

For group g and comment c (counts over the in-conv members, on the rating matrix), with "rest" = the other groups:

    pa  = (na + 1) / (ns + 2)                 pat = prop_test(na, ns)
    ra  = pa / ((rest_na + 1) / (rest_ns + 2))  rat = two_prop_test(na, rest_na, ns, rest_ns)

and the same with nd for disagree (pd, pdt, rd, rdt). The comment represents g by agreement if rat > rdt, else by
disagreement. It is *sufficient* if (rat > z90 and pat > z90) or (rdt > z90 and pdt > z90); sufficient comments are
ranked by repness · repness_test · p_success · p_test and the top 5 kept. A "best agree" comment - the group's most
convincing agreement - always goes first, so every group shows something it agrees with when there is one; a group
with nothing sufficient gets the best agree, else the comment with the largest max(rat, rdt). Agrees are listed
before disagrees. Moderated-out comments are never selected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.opinion.result import RepComment
from analysis.opinion.stats import Z_90, prop_test, smoothed_share, two_prop_test

MAX_REP_COMMENTS = 5


@dataclass(frozen=True, eq=False)
class RepnessStats:
    """All per-(group, comment) statistics, each an array of shape (n_groups, n_comments)."""

    na: np.ndarray
    nd: np.ndarray
    ns: np.ndarray
    pa: np.ndarray
    pd: np.ndarray
    pat: np.ndarray
    pdt: np.ndarray
    ra: np.ndarray
    rd: np.ndarray
    rat: np.ndarray
    rdt: np.ndarray


def repness_stats(na: np.ndarray, nd: np.ndarray, ns: np.ndarray) -> RepnessStats:
    """Statistics from per-group agree / disagree / seen counts (arrays of shape (n_groups, n_comments))."""
    rest_na = na.sum(axis=0) - na
    rest_nd = nd.sum(axis=0) - nd
    rest_ns = ns.sum(axis=0) - ns
    pa, pd = smoothed_share(na, ns), smoothed_share(nd, ns)
    return RepnessStats(
        na=na,
        nd=nd,
        ns=ns,
        pa=pa,
        pd=pd,
        pat=prop_test(na, ns),
        pdt=prop_test(nd, ns),
        ra=pa / smoothed_share(rest_na, rest_ns),
        rd=pd / smoothed_share(rest_nd, rest_ns),
        rat=two_prop_test(na, rest_na, ns, rest_ns),
        rdt=two_prop_test(nd, rest_nd, ns, rest_ns),
    )


def select_rep_comments(
    stats: RepnessStats, comment_ids: list[str], moderated_out: np.ndarray, group_ids: list[int]
) -> dict[int, list[RepComment]]:
    """Up to 5 representative comments per group id (``group_ids[i]`` names row i of the statistics)."""
    eligible = ~np.asarray(moderated_out, dtype=bool)
    selected: dict[int, list[RepComment]] = {}
    for row, group_id in enumerate(group_ids):
        selected[group_id] = _select_for_group(stats, row, comment_ids, eligible)
    return selected


def _select_for_group(stats: RepnessStats, g: int, comment_ids: list[str], eligible: np.ndarray) -> list[RepComment]:
    agree_wins = stats.rat[g] > stats.rdt[g]
    metric = np.where(
        agree_wins,
        stats.ra[g] * stats.rat[g] * stats.pa[g] * stats.pat[g],
        stats.rd[g] * stats.rdt[g] * stats.pd[g] * stats.pdt[g],
    )
    sufficient = eligible & (
        ((stats.rat[g] > Z_90) & (stats.pat[g] > Z_90)) | ((stats.rdt[g] > Z_90) & (stats.pdt[g] > Z_90))
    )
    best_agree = _best_agree(stats, g, eligible)
    if not sufficient.any():
        if best_agree is not None:
            return [_rep(stats, g, best_agree, comment_ids, agree=True, best_agree=True)]
        candidates = np.flatnonzero(eligible)
        if not len(candidates):
            return []
        strength = np.maximum(stats.rat[g], stats.rdt[g])[candidates]
        best = int(candidates[np.argmax(strength)])  # first of equals, in comment order
        return [_rep(stats, g, best, comment_ids, agree=bool(agree_wins[best]))]

    ranked = np.flatnonzero(sufficient)
    ranked = ranked[np.argsort(-metric[ranked], kind="stable")]
    chosen: list[RepComment] = []
    if best_agree is not None:
        chosen.append(_rep(stats, g, best_agree, comment_ids, agree=True, best_agree=True))
        ranked = ranked[ranked != best_agree]
    for c in ranked[: MAX_REP_COMMENTS - len(chosen)]:
        chosen.append(_rep(stats, g, int(c), comment_ids, agree=bool(agree_wins[c])))
    # Agrees first; the order within each direction (best agree first, then by metric) is kept.
    return sorted(chosen, key=lambda r: r.direction != "agree")


def _best_agree(stats: RepnessStats, g: int, eligible: np.ndarray) -> int | None:
    """The group's most convincing agreement, scanning comments in order (a later one must be strictly better).

    A comment nobody in the group agreed or disagreed with is skipped. The first candidate needs pat > z90, or
    ra > 1 and pa > 0.5. A later one replaces the incumbent if ra·rat·pa·pat is larger (when the incumbent has
    ra > 1), else if pa·pat is larger.
    """
    ra, rat, pa, pat = stats.ra[g], stats.rat[g], stats.pa[g], stats.pat[g]
    voted = (stats.na[g] + stats.nd[g]) > 0
    best: int | None = None
    for c in np.flatnonzero(eligible & voted):  # a loop over comments only (hundreds), per group
        if best is None:
            better = pat[c] > Z_90 or (ra[c] > 1.0 and pa[c] > 0.5)
        elif ra[best] > 1.0:
            better = ra[c] * rat[c] * pa[c] * pat[c] > ra[best] * rat[best] * pa[best] * pat[best]
        else:
            better = pa[c] * pat[c] > pa[best] * pat[best]
        if better:
            best = int(c)
    return best


def _rep(stats: RepnessStats, g: int, c: int, comment_ids: list[str], *, agree: bool, best_agree: bool = False):
    if agree:
        p, p_test, rep, rep_test = stats.pa[g, c], stats.pat[g, c], stats.ra[g, c], stats.rat[g, c]
    else:
        p, p_test, rep, rep_test = stats.pd[g, c], stats.pdt[g, c], stats.rd[g, c], stats.rdt[g, c]
    return RepComment(
        comment_id=comment_ids[c],
        direction="agree" if agree else "disagree",
        p_success=float(p),
        p_test=float(p_test),
        repness=float(rep),
        repness_test=float(rep_test),
        n_agree=int(stats.na[g, c]),
        n_disagree=int(stats.nd[g, c]),
        n_seen=int(stats.ns[g, c]),
        best_agree=best_agree,
    )
