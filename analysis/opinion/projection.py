"""PCA of the imputed vote matrix and Polis' sparsity-aware projection (analysis.md §1.4).

Missing votes are imputed with the column mean, so after centring they are exactly 0: the centred matrix is the
rating matrix minus the column means where a vote exists and 0 elsewhere. The two axes are the top eigenvectors of
its Gram matrix (exact, deterministic; Polis uses power iteration, which converges to the same axes up to sign).

Sign convention, so results do not flip between runs: with a previous run's axes, each new axis keeps the sign
(and the order) that agrees best with the previous one over the comments both runs know; without, each axis is
flipped so that its largest-magnitude loading is positive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Above this many comments an n_comments² Gram matrix gets big: use a seeded randomized SVD instead.
GRAM_LIMIT = 2500


@dataclass(frozen=True, eq=False)
class Projection:
    centre: np.ndarray  # (n_comments,) column means of the imputed matrix
    components: np.ndarray  # (2, n_comments)
    explained_variance: np.ndarray  # (2,)
    participants: np.ndarray  # (n_participants, 2)
    comments: np.ndarray  # (n_comments, 2): a virtual participant agreeing with that comment only


def column_means(rating: np.ndarray) -> np.ndarray:
    """Mean over the votes that exist; 0 for a comment nobody voted on."""
    seen = ~np.isnan(rating)
    counts = seen.sum(axis=0)
    sums = np.where(seen, rating, 0.0).sum(axis=0)
    return np.divide(sums, counts, out=np.zeros(rating.shape[1]), where=counts > 0)


def fit_projection(
    rating: np.ndarray,
    *,
    comment_ids: list[str],
    previous_components: Mapping[str, tuple[float, float]] | None = None,
    seed: int = 0,
) -> Projection:
    seen = ~np.isnan(rating)
    centre = column_means(rating)
    centred = np.where(seen, rating - centre, 0.0)
    components, variance = _top_two_axes(centred, seed)
    components = _fix_signs(components, comment_ids, previous_components)

    n_comments = rating.shape[1]
    n_votes = np.maximum(seen.sum(axis=1), 1)
    # sqrt(n_cmts / n_votes) undoes the shrinking of sparse voters towards the centre (their imputed votes add 0).
    scale = np.sqrt(n_comments / n_votes)[:, None]
    participants = scale * (centred @ components.T)
    # A comment's position: someone who agreed (+1) with it and voted on nothing else.
    comments = np.sqrt(n_comments) * (1.0 - centre)[:, None] * components.T
    return Projection(centre, components, variance, participants, comments)


def _top_two_axes(centred: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    n_rows, n_cols = centred.shape
    components = np.zeros((2, n_cols))
    variance = np.zeros(2)
    if n_rows == 0 or n_cols == 0:
        return components, variance
    if n_cols <= GRAM_LIMIT:
        gram = centred.T @ centred
        eigenvalues, eigenvectors = np.linalg.eigh(gram)  # ascending
        take = min(2, n_cols)
        components[:take] = eigenvectors[:, ::-1][:, :take].T
        variance[:take] = np.maximum(eigenvalues[::-1][:take], 0.0) / max(n_rows - 1, 1)
    else:
        from sklearn.utils.extmath import randomized_svd

        take = min(2, n_rows)
        _, singular, vt = randomized_svd(centred, n_components=take, n_iter=7, random_state=seed)
        components[:take] = vt
        variance[:take] = singular**2 / max(n_rows - 1, 1)
    # An axis without variance carries no information: keep it exactly 0 so ties do not depend on round-off.
    components[variance <= 1e-12 * max(variance.max(), 1e-300)] = 0.0
    return components, variance


def _fix_signs(
    components: np.ndarray, comment_ids: list[str], previous: Mapping[str, tuple[float, float]] | None
) -> np.ndarray:
    components = components.copy()
    if previous:
        known = [i for i, c in enumerate(comment_ids) if c in previous]
        if known:
            old = np.array([previous[comment_ids[i]] for i in known]).T  # (2, n_known)
            overlap = components[:, known] @ old.T  # new axis x old axis
            if abs(overlap[0, 1]) + abs(overlap[1, 0]) > abs(overlap[0, 0]) + abs(overlap[1, 1]):
                components = components[::-1].copy()  # near-equal variances: the axes swapped places
                overlap = overlap[::-1]
            signs = np.where(np.diag(overlap) < 0, -1.0, 1.0)
            return components * signs[:, None]
    for axis in components:
        if axis.size and axis[np.argmax(np.abs(axis))] < 0:
            axis *= -1.0
    return components
