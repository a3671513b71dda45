"""Benchmark the topic model over 10,000 comments with cached embeddings, next to BERTopic's defaults.

    .venv/bin/python -m tests.benchmarks.bench_topics [--count N] [--topics K]

Embeddings are not computed here (that is bench_embeddings): a seeded, clustered set of 384-d unit vectors shaped
like multilingual-e5's (all vectors share a common direction; cosine ≈ 0.78 between topics, ≈ 0.86 within one —
real e5 vectors of the labelled Scoop comments: 0.80 between conversations, 0.82 within one;
Zipf-like topic sizes, 10 % background comments) is written once to /tmp/civic-bench-topics/ with generated
Norwegian texts. Every run is a fresh Python process (so each memory peak, ru_maxrss, is its own):

* ``ours_fixed``: ``fit_topics(n_topics=K)`` — seeded UMAP + KMeans, after ``warm_up()``;
* ``ours_fixed_cold``: the same without warm-up: the first fit of a fresh process, paying numba's JIT compilation
  of umap-learn (or loading it from numba's on-disk cache, which ``analysis.topics.runtime`` switches on);
* ``ours_discover``: ``fit_topics(n_topics=None, min_topic_size=10)`` — seeded UMAP + HDBSCAN, after warm-up;
* ``bertopic_default``: ``BERTopic().fit_transform(texts, embeddings)`` — its default UMAP (unseeded, so it may
  use both cores) + HDBSCAN(min_cluster_size=10) and default vectorizer, after a warm-up fit of that kind on 4,200
  texts.

Goal (issue 6): ≤ 20 s on 2 cores for the topic model over 10,000 comments. The last line printed holds the
figures as key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GOAL_S = 20.0
CACHE = Path(tempfile.gettempdir()) / "civic-bench-topics"
DIM = 384
_TOPIC_TEXT = (
    "parkering beboerkort avgift skole lærer klasserom park benk tre buss rute holdeplass sykkel sykkelvei hjelm "
    "bibliotek bok åpningstid støy natt konsert snø brøyting fortau lys gatelys mørke vei hull asfalt barnehage "
    "plass venteliste idrett bane kunstgress eldre sykehjem omsorg bolig leie utbygging trafikk fartsgrense "
    "fotgjenger vann avløp flom søppel gjenvinning henting hund båndtvang luftegård skog tursti hogst kafé "
    "marked torg kirke gravlund kapell badeplass strand badevakt ungdom klubb fritid kultur teater museum "
    "skatt eiendomsskatt budsjett helse legevakt fastlege bydel råd medvirkning"
)
_FILLER_TEXT = "det er og som på for med til av kommunen bør må vi her mer nå være flere også veldig viktig"
TOPIC_WORDS = _TOPIC_TEXT.split()
FILLERS = _FILLER_TEXT.split()


def corpus(count: int, topics: int, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, unit embeddings and topic labels (-1 = background); written to CACHE and read back next time."""
    path = CACHE / f"corpus_{count}_{topics}_{seed}.npz"
    if path.exists():
        data = np.load(path, allow_pickle=False)
        return data["texts"].tolist(), data["embeddings"], data["labels"]
    rng = np.random.default_rng(seed)
    common = _unit(rng.normal(size=DIM))
    centres = _unit(common + 0.32 * _unit(rng.normal(size=(topics, DIM))))
    weights = 1.0 / np.arange(1, topics + 1) ** 0.8
    topical = int(count * 0.9)
    labels = np.concatenate([rng.choice(topics, size=topical, p=weights / weights.sum()), -np.ones(count - topical)])
    labels = labels.astype(int)
    rng.shuffle(labels)
    spread = np.where(labels[:, None] >= 0, 0.0204, 0.027)
    base = np.where(labels[:, None] >= 0, centres[np.maximum(labels, 0)], common)
    embeddings = _unit(base + spread * rng.normal(size=(count, DIM))).astype(np.float32)
    own = [TOPIC_WORDS[(3 * k) % len(TOPIC_WORDS) : (3 * k) % len(TOPIC_WORDS) + 3] for k in range(topics)]
    texts = []
    for label in labels:
        vocabulary = own[label] if label >= 0 else TOPIC_WORDS
        words = list(rng.choice(vocabulary, size=3)) + list(rng.choice(FILLERS, size=int(rng.integers(4, 10))))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, texts=np.array(texts), embeddings=embeddings, labels=labels)
    return texts, embeddings, labels


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(variant: str, count: int, topics: int) -> None:
    """One measured run in this (fresh) process; prints a JSON line."""
    import warnings

    warnings.simplefilter("ignore")
    texts, embeddings, labels = corpus(count, topics)
    warm = 0.0
    if variant == "bertopic_default":
        from bertopic import BERTopic

        started = time.perf_counter()
        BERTopic().fit_transform(texts[:4200], embeddings=embeddings[:4200])
        warm = time.perf_counter() - started
        before = peak_mb()
        started = time.perf_counter()
        found, _ = BERTopic().fit_transform(texts, embeddings=embeddings)
        seconds = time.perf_counter() - started
    else:
        from analysis.topics import fit_topics, warm_up

        if variant != "ours_fixed_cold":
            warm = warm_up()
        before = peak_mb()
        n_topics = None if variant == "ours_discover" else topics
        started = time.perf_counter()
        result = fit_topics(texts, embeddings=embeddings, n_topics=n_topics, min_topic_size=10, seed=0)
        seconds = time.perf_counter() - started
        found = result.assignments
    from sklearn.metrics import normalized_mutual_info_score

    found = np.asarray(found)
    row = {
        "variant": variant,
        "fit_s": round(seconds, 2),
        "warm_up_s": round(warm, 2),
        "topics": len(set(found.tolist()) - {-1}),
        "outliers": int((found == -1).sum()),
        "nmi": round(float(normalized_mutual_info_score(labels, found)), 3),
        "rss_before_fit_mb": round(before),
        "peak_mb": round(peak_mb()),
    }
    print(json.dumps(row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count, args.topics)
        return 0
    _, embeddings, labels = corpus(args.count, args.topics)
    sample = embeddings[:2000]
    similarity = sample @ sample.T
    same = (labels[:2000, None] == labels[None, :2000]) & ~np.eye(2000, dtype=bool)
    topical = (labels[:2000, None] >= 0) & (labels[None, :2000] >= 0)
    print(
        f"{args.count} comments, {args.topics} generated topics + {int((labels < 0).sum())} background; cosine within "
        f"a topic {similarity[same & topical].mean():.2f}, between topics {similarity[~same & topical].mean():.2f}"
    )
    rows = {}
    for variant in ("ours_fixed", "ours_fixed_cold", "ours_discover", "bertopic_default"):
        command = [sys.executable, "-m", "tests.benchmarks.bench_topics", "--child", variant]
        command += ["--count", str(args.count), "--topics", str(args.topics)]
        completed = subprocess.run(command, capture_output=True, text=True, check=True)
        row = rows[variant] = json.loads(completed.stdout.strip().splitlines()[-1])
        print(
            f"{variant:>17}: fit {row['fit_s']:>6} s (warm-up {row['warm_up_s']} s); {row['topics']} topics, "
            f"{row['outliers']} outliers, NMI vs generated {row['nmi']}; RSS before fit {row['rss_before_fit_mb']} "
            f"MB, peak {row['peak_mb']} MB"
        )
    base = rows["bertopic_default"]["fit_s"]
    figures = {
        "comments": args.count,
        "ours_fixed_s": rows["ours_fixed"]["fit_s"],
        "ours_fixed_cold_s": rows["ours_fixed_cold"]["fit_s"],
        "ours_discover_s": rows["ours_discover"]["fit_s"],
        "bertopic_default_s": base,
        "ratio_fixed": round(rows["ours_fixed"]["fit_s"] / base, 2),
        "ratio_discover": round(rows["ours_discover"]["fit_s"] / base, 2),
        "warm_up_s": rows["ours_fixed"]["warm_up_s"],
        "ours_fixed_peak_mb": rows["ours_fixed"]["peak_mb"],
        "ours_discover_peak_mb": rows["ours_discover"]["peak_mb"],
        "bertopic_default_peak_mb": rows["bertopic_default"]["peak_mb"],
        "goal_met": rows["ours_fixed"]["fit_s"] <= GOAL_S,
    }
    print(
        f"goal: topic model over {args.count} comments ≤ {GOAL_S:.0f} s: {'met' if figures['goal_met'] else 'NOT met'}"
    )
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
