"""Polis' two-level clustering of the 2-D projections (analysis.md §1.5) and the stability machinery.

1. Base clusters: k-means with k = min(100, distinct points) on the in-conv participants' positions.
2. Groups: weighted k-means (weights = base-cluster sizes) on the base centres for k = 2..min(5, 2 + n_base // 12);
   k chosen by the silhouette of the base centres (unweighted, Euclidean). A participant's group is the group of
   their base cluster.
3. Between re-runs: both k-means steps start from the previous centres, the displayed k changes only after a new k
   has won ``K_BUFFER`` runs in a row (Polis' group-k smoother), and new groups take the ids of the previous
   groups they share most members with (Hungarian assignment; centre distance when nobody is shared).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

BASE_K = 100
MAX_GROUPS = 5
K_BUFFER = 4  # runs a new k must win in a row before it is shown
BASE_MAX_ITER = 100
# Cold start: the best of 10 k-means++ restarts (least inertia), for the base clusters and for each candidate k of
# the groups. One run per candidate k let a poor start lose the right k: measured 2026-11-25 (scikit-learn 1.9.1)
# over seeds 0-19, brexit-consensus chose k = 4 for seed 9 (silhouette of k = 2: 0.275 against 0.405 for seed 0;
# ARI 0.34). With 10 restarts: k = 2 for every seed on both exports, ARI 0.857-0.876 (brexit-consensus) and
# 0.849-0.989 (scoop-hivemind) against Polis' own groups, for about 10 ms more per run. Polis' own cold start (the
# first k distinct points) picked k = 5 on brexit.
BASE_N_INIT = 10
GROUP_N_INIT = 10
# k-means on 2-D points gains nothing from OpenMP threads, and on a busy 2-core machine the thread hand-offs made a
# 100-cluster fit on 5,000 points 10x slower (1.2 s vs 0.1 s): run it single-threaded.
SINGLE_THREAD = {"limits": 1, "user_api": "openmp"}


@dataclass(frozen=True, eq=False)
class BaseClusters:
    labels: np.ndarray  # per point: index of its base cluster
    centres: np.ndarray  # (n_base, 2)
    sizes: np.ndarray  # (n_base,)


@dataclass(frozen=True, eq=False)
class GroupChoice:
    k: int  # the k chosen by silhouette in this run
    labelings: dict[int, np.ndarray]  # k -> group index per base cluster
    centres: dict[int, np.ndarray]  # k -> (k, 2) weighted centres
    silhouette: dict[int, float]


def distinct_count(points: np.ndarray) -> int:
    return len(np.unique(points, axis=0)) if len(points) else 0


def base_clusters(
    points: np.ndarray, *, previous_centres: Sequence[Sequence[float]] = (), seed: int = 0
) -> BaseClusters:
    k = min(BASE_K, distinct_count(points))
    init = _warm_start(points, np.asarray(previous_centres, dtype=float).reshape(-1, 2), k)
    if init is None:
        model = KMeans(n_clusters=k, n_init=BASE_N_INIT, max_iter=BASE_MAX_ITER, random_state=seed)
    else:
        model = KMeans(n_clusters=k, init=init, n_init=1, max_iter=BASE_MAX_ITER, random_state=seed)
    with threadpool_limits(**SINGLE_THREAD):
        labels = model.fit_predict(points)
    # sklearn relocates empty clusters, but keep only the used ones in case identical points collapse two centres.
    used, labels = np.unique(labels, return_inverse=True)
    centres = model.cluster_centers_[used]
    sizes = np.bincount(labels, minlength=len(used))
    return BaseClusters(labels, centres, sizes)


def _warm_start(points: np.ndarray, previous: np.ndarray, k: int) -> np.ndarray | None:
    """Polis' "clean start": previous centres that still attract points, topped up with the most distant points."""
    if len(previous) == 0 or k == 0:
        return None
    previous = np.unique(previous, axis=0)
    nearest = _squared_distances(points, previous).argmin(axis=1)
    counts = np.bincount(nearest, minlength=len(previous))
    keep = np.argsort(-counts, kind="stable")[: min(k, int((counts > 0).sum()))]
    centres = previous[np.sort(keep)]
    if len(centres) == 0:
        return None
    distance = _squared_distances(points, centres).min(axis=1)
    while len(centres) < k:
        far = int(np.argmax(distance))
        if distance[far] <= 0.0:
            return None  # every point already sits on a centre: fall back to distinct points
        centres = np.vstack([centres, points[far]])
        distance = np.minimum(distance, ((points - points[far]) ** 2).sum(axis=1))
    return centres


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def max_groups(n_base: int) -> int:
    return min(MAX_GROUPS, 2 + n_base // 12, max(n_base - 1, 2))


def choose_groups(
    base: BaseClusters, *, previous_centres: Mapping[int, Sequence[float]] | None = None, seed: int = 0
) -> GroupChoice:
    """Weighted k-means on the base centres for every candidate k; k with the best silhouette wins."""
    n_base = len(base.centres)
    labelings: dict[int, np.ndarray] = {}
    centres: dict[int, np.ndarray] = {}
    silhouette: dict[int, float] = {}
    warm = np.array([previous_centres[g] for g in sorted(previous_centres)]) if previous_centres else None
    for k in range(2, max_groups(n_base) + 1):
        if n_base < k:
            break
        if n_base == k:  # every base cluster its own group; the silhouette is undefined
            labelings[k], centres[k], silhouette[k] = np.arange(k), base.centres.copy(), 0.0
            continue
        if warm is not None and len(warm) == k:
            model = KMeans(n_clusters=k, init=warm, n_init=1, random_state=seed)
        else:
            model = KMeans(n_clusters=k, n_init=GROUP_N_INIT, random_state=seed)
        with threadpool_limits(**SINGLE_THREAD):
            labels = model.fit_predict(base.centres, sample_weight=base.sizes)
        used, labels = np.unique(labels, return_inverse=True)
        labelings[k] = labels
        centres[k] = model.cluster_centers_[used]
        n_labels = len(used)
        silhouette[k] = float(silhouette_score(base.centres, labels)) if 2 <= n_labels < n_base else 0.0
    best = max(silhouette, key=lambda k: (silhouette[k], -k)) if silhouette else 0
    return GroupChoice(best, labelings, centres, silhouette)


def smooth_k(
    this_k: int, available: Sequence[int], *, smoothed_k: int | None, candidate_k: int | None, candidate_runs: int
) -> tuple[int, int, int]:
    """Polis' k smoother: returns (k to show, candidate k, how many runs in a row the candidate has won).

    The first run shows its own best k. Later runs keep showing the previous k until the same new k has won
    ``K_BUFFER`` runs in a row, unless the previous k is no longer possible (too few base clusters).
    """
    runs = candidate_runs + 1 if this_k == candidate_k else 1
    if smoothed_k is None or smoothed_k not in available or runs >= K_BUFFER:
        return this_k, this_k, runs
    return smoothed_k, this_k, runs


def stable_ids(
    participant_ids: Sequence[str],
    labels: np.ndarray,
    centres: np.ndarray,
    *,
    previous_groups: Mapping[str, int] | None = None,
    previous_centres: Mapping[int, Sequence[float]] | None = None,
) -> np.ndarray:
    """Map group indices 0..k-1 to ids: the previous id of the group shared most (else nearest), new ids after.

    Without history, ids follow group size (0 = largest; ties by the first coordinate of the centre).
    ``labels`` gives each participant's group index; returns the id for each index.
    """
    k = len(centres)
    sizes = np.bincount(labels, minlength=k)
    by_size = sorted(range(k), key=lambda g: (-sizes[g], centres[g][0], centres[g][1]))
    ids = np.full(k, -1)
    old_ids = sorted(previous_centres or {}) or sorted(set((previous_groups or {}).values()))
    if old_ids:
        cost = _matching_cost(participant_ids, labels, centres, old_ids, previous_groups, previous_centres)
        if cost is not None:
            rows, cols = linear_sum_assignment(cost)
            for row, col in zip(rows, cols, strict=True):
                ids[row] = old_ids[col]
    taken = set(ids[ids >= 0].tolist())
    fresh = (i for i in range(k + len(taken) + 1) if i not in taken)
    for g in by_size:
        if ids[g] < 0:
            ids[g] = next(fresh)
    return ids


def _matching_cost(participant_ids, labels, centres, old_ids, previous_groups, previous_centres) -> np.ndarray | None:
    """Cost of giving new group i the old id j: minus the shared members, else the squared centre distance."""
    k = len(centres)
    overlap = np.zeros((k, len(old_ids)))
    if previous_groups:
        column = {g: j for j, g in enumerate(old_ids)}
        old = np.array([column.get(previous_groups.get(p, -1), -1) for p in participant_ids])
        both = old >= 0
        np.add.at(overlap, (labels[both], old[both]), 1.0)
    if overlap.sum() > 0:
        return -overlap
    if previous_centres and all(g in previous_centres for g in old_ids):
        old_centres = np.array([previous_centres[g] for g in old_ids], dtype=float)
        return _squared_distances(np.asarray(centres, dtype=float), old_centres)
    return None
