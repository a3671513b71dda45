"""The participants x comments vote matrix (analysis.md §1.2-1.3).

Votes use the export convention: agree = +1, disagree = -1, pass = 0. Several votes on one (participant, comment)
pair: the last one in the input sequence wins. ``raw`` keeps NaN for "not voted"; ``rating`` is ``raw`` with every
moderated-out comment's column set to 0 (Polis treats those as passed by everyone, so they carry no opinion).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

VoteRecord = tuple[str, str, int]

# Polis' in-conv rule: enough votes to be clustered, and a floor on how many get clustered.
MIN_VOTES_TO_CLUSTER = 7
MIN_IN_CONV = 15


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    participant_ids: list[str]  # rows, in order of first vote
    comment_ids: list[str]  # columns: the given comment ids, else in order of first vote
    raw: np.ndarray  # float64 (n_participants, n_comments); NaN = not voted
    moderated_out: np.ndarray = field(repr=False)  # bool per column
    dropped: int = 0  # input records that were ignored (bad vote value, unknown comment, malformed)
    # The same latest votes as triplets (row, column, value), for counting in O(n_votes).
    vote_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    vote_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    vote_values: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.raw.shape

    @cached_property
    def seen(self) -> np.ndarray:
        """True where the participant voted (agree, disagree or pass) on the comment."""
        return ~np.isnan(self.raw)

    @cached_property
    def rating(self) -> np.ndarray:
        """``raw`` with moderated-out columns zeroed (no longer missing: everyone 'passed')."""
        if not self.moderated_out.any():
            return self.raw
        rating = self.raw.copy()
        rating[:, self.moderated_out] = 0.0
        return rating

    @cached_property
    def votes_per_participant(self) -> np.ndarray:
        return np.bincount(self.vote_rows, minlength=self.shape[0])

    @property
    def n_votes(self) -> int:
        return len(self.vote_values)

    def group_counts(
        self, labels: np.ndarray, n_groups: int, *, zero_moderated: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Agree, disagree and seen counts per (group, comment), each of shape (n_groups, n_comments).

        ``labels``: each row's group index 0..n_groups-1, or -1 for rows in no group. ``zero_moderated``: count on
        the rating matrix (moderated-out columns = everyone passed) instead of the raw votes.
        """
        n_comments = self.shape[1]
        group = labels[self.vote_rows]
        inside = group >= 0
        keys = group[inside] * n_comments + self.vote_cols[inside]
        values = self.vote_values[inside]
        size = n_groups * n_comments

        def count(weights):
            return np.bincount(keys, weights=weights, minlength=size).reshape(n_groups, n_comments).astype(np.int64)

        agree, disagree, seen = count(values == 1.0), count(values == -1.0), count(None)
        if zero_moderated and self.moderated_out.any():
            members = np.bincount(labels[labels >= 0], minlength=n_groups)
            agree[:, self.moderated_out] = 0
            disagree[:, self.moderated_out] = 0
            seen[:, self.moderated_out] = members[:, None]
        return agree, disagree, seen


def build_vote_matrix(
    votes: Iterable[VoteRecord],
    *,
    comment_ids: Sequence[str] | None = None,
    moderated_out: Collection[str] = (),
) -> VoteMatrix:
    """Latest vote per pair, vectorised. Records that cannot be read are dropped and counted, never raised."""
    participants, comments, values, dropped = _records_columns(votes)
    comment_codes, comment_uniques = pd.factorize(comments, sort=False)
    if comment_ids is not None:
        columns = list(dict.fromkeys(str(c) for c in comment_ids))
        cols = pd.Index(columns).get_indexer(comment_uniques)[comment_codes] if len(comments) else comment_codes
        known = cols >= 0
        dropped += int((~known).sum())
        participants, cols, values = participants[known], cols[known], values[known]
    else:
        columns = [str(c) for c in comment_uniques]
        cols = comment_codes
    rows, participant_uniques = pd.factorize(participants, sort=False)  # first-vote order
    n_rows, n_cols = len(participant_uniques), len(columns)

    # The last occurrence of each (row, col) key: first occurrence in the reversed sequence.
    keys = rows.astype(np.int64) * n_cols + cols
    _, first_in_reversed = np.unique(keys[::-1], return_index=True)
    last = np.sort(len(keys) - 1 - first_in_reversed)
    rows, cols, values = rows[last].astype(np.int64), cols[last].astype(np.int64), values[last]
    raw = np.full((n_rows, n_cols), np.nan)
    raw[rows, cols] = values
    mod_out = {str(c) for c in moderated_out or ()}
    mask = np.array([c in mod_out for c in columns], dtype=bool)
    return VoteMatrix([str(p) for p in participant_uniques], columns, raw, mask, dropped, rows, cols, values)


def _records_columns(votes: Iterable[VoteRecord]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Participant and comment ids as str arrays, votes as float in {-1, 0, 1}; unreadable records dropped."""
    if isinstance(votes, pd.DataFrame):
        votes = votes.iloc[:, :3].itertuples(index=False, name=None)
    try:
        records = votes if isinstance(votes, list) else list(votes or ())
    except TypeError:  # not iterable at all: nothing to read
        records = []
    shaped = [r for r in records if isinstance(r, (tuple, list)) and len(r) == 3]
    dropped = len(records) - len(shaped)
    participant = pd.Series([r[0] for r in shaped], dtype=object)
    comment = pd.Series([r[1] for r in shaped], dtype=object)
    vote = pd.to_numeric(pd.Series([r[2] for r in shaped], dtype=object), errors="coerce")
    valid = (vote.isin([-1.0, 0.0, 1.0]) & participant.notna() & comment.notna()).to_numpy()
    dropped += int((~valid).sum())
    return (
        _as_str(participant[valid]),
        _as_str(comment[valid]),
        vote[valid].to_numpy(dtype=np.float64),
        dropped,
    )


def _as_str(ids: pd.Series) -> np.ndarray:
    """Ids as str; only the distinct values are converted (there are far fewer ids than votes)."""
    if not len(ids):
        return np.zeros(0, dtype=object)
    try:
        codes, uniques = pd.factorize(ids, sort=False)
    except TypeError:  # an unhashable id (a list, a dict): convert every record
        return np.asarray([str(i) for i in ids], dtype=object)
    return np.asarray([str(u) for u in uniques], dtype=object)[codes]


def in_conv_mask(matrix: VoteMatrix, previous_in_conv: Collection[str] = ()) -> np.ndarray:
    """Which participants are clustered (Polis' "in-conv", analysis.md §1.3).

    In when the participant has at least min(7, n_comments) votes (passes count); once in, always in (the previous
    run's in-conv set); if fewer than 15 are in, the participants with the most votes are added until 15 are in
    (ties: earlier participant first). Nobody without a vote is ever in.
    """
    counts = matrix.votes_per_participant
    n_comments = matrix.shape[1]
    mask = counts >= min(MIN_VOTES_TO_CLUSTER, n_comments) if n_comments else np.zeros(len(counts), dtype=bool)
    if previous_in_conv:
        previous = set(previous_in_conv)
        mask |= np.array([p in previous for p in matrix.participant_ids], dtype=bool)
    mask &= counts > 0
    missing = MIN_IN_CONV - int(mask.sum())
    if missing > 0:
        order = np.argsort(-counts, kind="stable")
        candidates = order[~mask[order] & (counts[order] > 0)]
        mask[candidates[:missing]] = True
    return mask


def enough_votes_count(matrix: VoteMatrix) -> int:
    """How many participants reach min(7, n_comments) votes (without the top-up to 15)."""
    n_comments = matrix.shape[1]
    if not n_comments:
        return 0
    return int((matrix.votes_per_participant >= min(MIN_VOTES_TO_CLUSTER, n_comments)).sum())
