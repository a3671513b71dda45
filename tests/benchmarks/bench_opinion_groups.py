"""Benchmark ``compute_opinion_groups`` on a synthetic conversation, next to a plain scikit-learn baseline.

    .venv/bin/python -m tests.benchmarks.bench_opinion_groups [--participants 5000] [--comments 500] [--repeat 3]

The conversation: participants in 3 latent opinion groups (sizes 50/30/20 %), each voting on 30-150 comments
(older comments are seen more often, as with Polis' routing), agree / disagree / pass drawn from the group's
stance on the comment; 2 % of the votes are changed later (the latest must win). Timed from the vote records to the
full result (matrix, PCA, projection, base clusters, k by silhouette, repness, consensus, GIC, divisive).
The baseline, timed in the same run on the same records: latest vote per pair with pandas, a dense pivot,
SimpleImputer(mean), PCA(2), KMeans(3, n_init=10) — no base clusters, no choice of k, no statistics.
Memory peak: tracemalloc over one extra (untimed) run, plus the process' ru_maxrss. The last line holds the
figures as key=value pairs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from analysis.opinion import VoteRecord, compute_opinion_groups

GOAL_S = 5.0
GROUP_SHARES = (0.5, 0.3, 0.2)


def synthetic_conversation(
    n_participants: int,
    n_comments: int,
    *,
    min_votes: int = 30,
    max_votes: int = 150,
    changed_share: float = 0.02,
    seed: int = 0,
) -> tuple[list[VoteRecord], dict[str, int]]:
    """Vote records (agree +1, disagree −1, pass 0; chronological) and each participant's latent group."""
    rng = np.random.default_rng(seed)
    n_groups = len(GROUP_SHARES)
    latent = rng.choice(n_groups, size=n_participants, p=GROUP_SHARES)
    # Each group leans agree (0.8), disagree (0.15) or undecided (0.45) on each comment; passes are 15 %.
    stance = rng.choice([0.8, 0.15, 0.45], size=(n_groups, n_comments), p=[0.4, 0.3, 0.3])
    consensus = rng.random(n_comments) < 0.15  # some comments every group agrees with
    stance[:, consensus] = 0.85
    p_pass = 0.15
    p_agree = stance[latent] * (1 - p_pass)  # (n_participants, n_comments)

    # Which comments each participant sees: a weighted race (older comments weigh more), first n_votes win.
    n_votes = rng.integers(min_votes, min(max_votes, n_comments) + 1, size=n_participants)
    weight = 1.0 / (1.0 + np.arange(n_comments) / (n_comments / 4))
    keys = rng.exponential(size=(n_participants, n_comments)) / weight
    rank = keys.argsort(axis=1).argsort(axis=1)
    rows, cols = np.nonzero(rank < n_votes[:, None])

    def draw(r, c):
        u = rng.random(len(r))
        return np.where(u < p_agree[r, c], 1, np.where(u < p_agree[r, c] + p_pass, 0, -1))

    votes = draw(rows, cols)
    changed = rng.random(len(rows)) < changed_share
    first = rng.integers(-1, 2, size=int(changed.sum()))  # an earlier vote, replaced by the drawn one
    all_rows = np.concatenate([rows[changed], rows])
    all_cols = np.concatenate([cols[changed], cols])
    all_votes = np.concatenate([first, votes])
    time_of = np.concatenate([rng.random(int(changed.sum())) * 0.5, 0.5 + rng.random(len(rows)) * 0.5])
    order = np.argsort(time_of, kind="stable")
    participant_names = np.array([f"p{i}" for i in range(n_participants)])
    comment_names = np.array([f"c{j}" for j in range(n_comments)])
    records = list(
        zip(
            participant_names[all_rows[order]].tolist(),
            comment_names[all_cols[order]].tolist(),
            all_votes[order].tolist(),
            strict=True,
        )
    )
    return records, {str(name): int(g) for name, g in zip(participant_names, latent, strict=True)}


def baseline(records: list[VoteRecord], seed: int = 0) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.impute import SimpleImputer

    frame = pd.DataFrame.from_records(records, columns=["participant", "comment", "vote"])
    frame = frame.drop_duplicates(["participant", "comment"], keep="last")
    dense = frame.pivot(index="participant", columns="comment", values="vote").to_numpy(dtype=float)
    imputed = SimpleImputer(strategy="mean").fit_transform(dense)
    points = PCA(n_components=2, random_state=seed).fit_transform(imputed)
    return KMeans(n_clusters=3, n_init=10, random_state=seed).fit_predict(points)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    records, latent = synthetic_conversation(args.participants, args.comments)
    print(
        f"synthetic conversation: {args.participants} participants, {args.comments} comments, "
        f"{len(records)} vote records ({time.perf_counter() - started:.1f} s to generate)"
    )

    ours, theirs = [], []
    result = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = compute_opinion_groups(records, seed=0)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline(records)
        theirs.append(time.perf_counter() - started)
    assert result is not None
    assert result.ok, result.explanation

    tracemalloc.start()
    compute_opinion_groups(records, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    common = list(result.groups)
    ari = adjusted_rand_score([latent[p] for p in common], [result.groups[p] for p in common])
    median_ours, median_baseline = statistics.median(ours), statistics.median(theirs)
    print(
        f"compute_opinion_groups: median {median_ours:.2f} s over {args.repeat} runs "
        f"({', '.join(f'{t:.2f}' for t in ours)}); goal <= {GOAL_S:.0f} s"
    )
    print(f"baseline (pandas pivot + SimpleImputer + PCA + KMeans(3)): median {median_baseline:.2f} s")
    print(
        f"k = {result.k}, sizes {dict(sorted(result.group_sizes.items()))}, in-conv {result.n_in_conv}, "
        f"ARI vs latent groups {ari:.3f}; tracemalloc peak {peak / 2**20:.0f} MiB, ru_maxrss {maxrss_mb:.0f} MiB"
    )
    print(
        f"participants={args.participants} comments={args.comments} votes={len(records)} "
        f"seconds={median_ours:.3f} baseline_seconds={median_baseline:.3f} "
        f"ratio={median_ours / median_baseline:.2f} goal_seconds={GOAL_S:.0f} "
        f"goal_met={int(median_ours <= GOAL_S)} k={result.k} ari_latent={ari:.3f} "
        f"peak_mib={peak / 2**20:.0f} maxrss_mib={maxrss_mb:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
