"""Which statement to show next in "vote on statements" mode, and the divisive / agreed scores for sorting.

Pure module: the caller passes the visible comments the participant has not voted on yet, with their counts.

Routing weight (see ``routing_weight``)::

    weight = (1 + DIVISIVE_BONUS · divisiveness(A, D, S)) / (1 + S)        S = all votes incl. passes

* ``1 / (1 + S)`` evens out the vote counts: a new comment (S = 0) is drawn 101 times as often as a 100-vote
  one. The opinion-group math needs every comment to reach enough voters, and new comments otherwise start
  behind for good. Polis' own routing priority (analysis.md §1.9) does the same with ``1 + 8·2^(−S/5)``, but
  that needs comment extremity from the PCA, which a plain count-based router cannot have.
* The divisiveness factor (0…1, so the bonus is at most ×2 with DIVISIVE_BONUS = 1) nudges comments that split
  the room, where another vote tells the most about the groups — Polis gets this from comment extremity. It is
  multiplicative, so it only reorders comments with similar vote counts and never beats the count term by more
  than a factor of two; an additive bonus would dominate once every comment has many votes.
* It is a weighted random draw, not "lowest count first", so participants voting at the same time do not all see
  the same comment, and every candidate keeps a non-zero chance.

Sorting scores (comment list "most agreed" / "most divisive"): both use the Wilson score lower bound (z = 1.96),
so a comment with 2 votes cannot outrank one with 100 on luck alone.

* ``agreement_share`` = Wilson lower bound of A / (A + D); passes are ignored (a pass is not a disagreement).
* ``divisiveness`` = 2 · Wilson lower bound of min(A, D) / S: the share of voters on the minority side, doubled
  so an even split scores ~1. This is ((A+D)/S)·(1 − |A−D|/(A+D)) — the share of non-pass votes times the
  balance — with the Wilson bound in place of the raw share; passes dilute it (a mostly-passed comment is
  not divisive). The raw form would rank 1-agree/1-disagree (0.67 with +1 smoothing) above 70/30 (0.59);
  with the bound they score 0.19 and 0.44.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

DIVISIVE_BONUS = 1.0
WILSON_Z = 1.96  # 95 % two-sided


@dataclass(frozen=True)
class Candidate:
    """A visible comment the participant has not voted on, with its vote counts so far."""

    comment_id: int
    vote_count: int  # agree + disagree + pass
    agree_count: int
    disagree_count: int
    pass_count: int

    def __post_init__(self) -> None:
        counts = (self.vote_count, self.agree_count, self.disagree_count, self.pass_count)
        if min(counts) < 0 or self.agree_count + self.disagree_count + self.pass_count != self.vote_count:
            raise ValueError(f"inconsistent vote counts for comment {self.comment_id}: {counts}")


def wilson_lower_bound(successes: int, trials: int, z: float = WILSON_Z) -> float:
    """Lower end of the Wilson score interval for a proportion; 0 when there are no trials."""
    if trials <= 0:
        return 0.0
    share = successes / trials
    z2 = z * z
    centre = share + z2 / (2 * trials)
    margin = z * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z2 / trials))


def agreement_share(agree: int, disagree: int) -> float:
    """Score for "most agreed": Wilson lower bound of the agree share among agree + disagree votes (0…1)."""
    return wilson_lower_bound(agree, agree + disagree)


def divisiveness(agree: int, disagree: int, total: int) -> float:
    """Score for "most divisive": 2 × Wilson lower bound of the minority side's share of all votes (0…1)."""
    if agree + disagree > total:
        raise ValueError(f"agree + disagree ({agree + disagree}) exceeds the total ({total})")
    return min(1.0, 2 * wilson_lower_bound(min(agree, disagree), total))


def routing_weight(candidate: Candidate) -> float:
    """Relative chance of showing ``candidate`` next (formula and reasons in the module docstring)."""
    divisive = divisiveness(candidate.agree_count, candidate.disagree_count, candidate.vote_count)
    return (1 + DIVISIVE_BONUS * divisive) / (1 + candidate.vote_count)


def next_statement(candidates: Sequence[Candidate], rng: random.Random) -> int | None:
    """Draw the comment id to show next, or None if nothing is left.

    Deterministic for a given rng state and candidate set: candidates are ordered by id first, so the caller's
    (e.g. database) order does not change the outcome.
    """
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: c.comment_id)
    if len({c.comment_id for c in ordered}) != len(ordered):
        raise ValueError("duplicate comment ids among the candidates")
    chosen = rng.choices(ordered, weights=[routing_weight(c) for c in ordered])[0]
    return chosen.comment_id


def rank_most_agreed(candidates: Sequence[Candidate]) -> list[int]:
    """Comment ids by agreement_share, best first; ties: more votes first, then lower id (stable pages)."""
    return [
        c.comment_id
        for c in sorted(
            candidates, key=lambda c: (-agreement_share(c.agree_count, c.disagree_count), -c.vote_count, c.comment_id)
        )
    ]


def rank_most_divisive(candidates: Sequence[Candidate]) -> list[int]:
    """Comment ids by divisiveness, most divisive first; ties: more votes first, then lower id."""
    return [
        c.comment_id
        for c in sorted(
            candidates,
            key=lambda c: (-divisiveness(c.agree_count, c.disagree_count, c.vote_count), -c.vote_count, c.comment_id),
        )
    ]
