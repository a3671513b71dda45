"""Topic words and labels: c-TF-IDF over the comments of each topic, with our stop words.

c-TF-IDF is BERTopic's (``bertopic.vectorizers.ClassTfidfTransformer`` with its defaults): all comments of a topic
are joined into one document; a word's weight in a topic = its share of the topic's words (L1-normalised counts)
× log(1 + A / f), where A is the average number of words per topic (truncated to an integer, as BERTopic does) and f
the word's count over all topics. It is written out here in numpy so that recomputing labels after a planner merges
or splits topics does not import BERTopic (≈4 s, it pulls plotly) — a test checks both give the same numbers.

The vocabulary is chosen on single comments, before joining: words in fewer than ``min_df_for(n)`` comments
(typos, names) are left out. (BERTopic applies a vectorizer's ``min_df`` to the joined topic documents, where it
would mean "words in at least two topics" and drop exactly the words that distinguish a topic.)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from analysis.topics.languages import detect_languages, main_languages
from analysis.topics.stopwords import LANGUAGES, TOKEN_PATTERN, stop_words_for

LABEL_WORDS = 3
TOP_WORDS = 10


def min_df_for(n_texts: int) -> int:
    """Minimum number of comments a label word must occur in: 1 for small corpora, more for big ones."""
    if n_texts < 100:
        return 1
    if n_texts < 5000:
        return 2
    return 3


def stop_word_languages(texts: Sequence[str], language_hint: str | Collection[str] | None = None) -> frozenset[str]:
    """The languages whose stop words apply: the hint, else the languages detected in ``texts`` (all six if none)."""
    hinted = frozenset({language_hint}) if isinstance(language_hint, str) else frozenset(language_hint or ())
    chosen = hinted & set(LANGUAGES) or main_languages(detect_languages(texts))
    return chosen or frozenset(LANGUAGES)


def build_vocabulary(texts: Sequence[str], languages: frozenset[str]) -> tuple[list[str], dict[str, Any]]:
    """Label vocabulary of the corpus (sorted) and what was used to choose it (for the settings)."""
    from sklearn.feature_extraction.text import CountVectorizer

    min_df = min_df_for(len(texts))
    stop_words = stop_words_for(languages)
    for attempt_min_df in dict.fromkeys((min_df, 1)):  # a tiny or repetitive corpus may have no word twice
        vectorizer = CountVectorizer(token_pattern=TOKEN_PATTERN, stop_words=sorted(stop_words), min_df=attempt_min_df)
        try:
            vectorizer.fit(texts)
        except ValueError:  # empty vocabulary
            continue
        vocabulary = sorted(vectorizer.vocabulary_)
        return vocabulary, {
            "token_pattern": TOKEN_PATTERN,
            "min_df": attempt_min_df,
            "stop_word_languages": sorted(languages),
            "stop_words": len(stop_words),
            "vocabulary": len(vocabulary),
        }
    return [], {
        "token_pattern": TOKEN_PATTERN,
        "min_df": min_df,
        "stop_word_languages": sorted(languages),
        "stop_words": len(stop_words),
        "vocabulary": 0,
    }


def count_vectorizer(vocabulary: Sequence[str]):
    """A CountVectorizer restricted to ``vocabulary`` (also what BERTopic gets as ``vectorizer_model``)."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(token_pattern=TOKEN_PATTERN, vocabulary=list(vocabulary))


def class_tfidf(counts) -> np.ndarray:
    """BERTopic's c-TF-IDF (defaults) of a (topics × words) count matrix, as a dense float64 array."""
    counts = np.asarray(counts.toarray() if hasattr(counts, "toarray") else counts, dtype=np.float64)
    frequency = counts.sum(axis=0)
    average_words = int(counts.sum(axis=1).mean())
    with np.errstate(divide="ignore"):
        idf = np.log(average_words / frequency + 1)
    totals = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return tf * np.where(np.isfinite(idf), idf, 0.0)


def topic_words(
    texts: Sequence[str],
    assignments: Sequence[int],
    language_hint: str | Collection[str] | None = None,
    top_n: int = TOP_WORDS,
    *,
    vocabulary: Sequence[str] | None = None,
) -> dict[int, list[tuple[str, float]]]:
    """Top c-TF-IDF words per topic id (≥ 0) for the given assignment of texts to topics (-1 = outlier).

    Outliers take part as one class, as in BERTopic, but get no entry. Ties are broken alphabetically, so the result
    is deterministic. ``vocabulary`` (optional) reuses one chosen earlier by ``build_vocabulary``.
    """
    if len(texts) != len(assignments):
        raise ValueError(f"{len(texts)} texts but {len(assignments)} assignments")
    items = [text if isinstance(text, str) else "" for text in texts]
    labels = [int(a) for a in assignments]
    if vocabulary is None:
        used = [text for text in items if text.strip()]
        vocabulary, _ = build_vocabulary(used, stop_word_languages(used, language_hint))
    topic_ids = sorted(set(labels))
    if not vocabulary:
        return {topic: [] for topic in topic_ids if topic >= 0}
    pairs = list(zip(items, labels, strict=True))
    joined = [" ".join(text for text, label in pairs if label == topic) for topic in topic_ids]
    counts = count_vectorizer(vocabulary).transform(joined)
    scores = class_tfidf(counts)
    words = np.asarray(vocabulary)
    result: dict[int, list[tuple[str, float]]] = {}
    for row, topic in enumerate(topic_ids):
        if topic < 0:
            continue
        positive = np.flatnonzero(scores[row] > 0)
        order = positive[np.lexsort((words[positive], -scores[row, positive]))][:top_n]
        result[topic] = [(str(words[i]), float(scores[row, i])) for i in order]
    return result


def topic_label(words: Sequence[tuple[str, float]], n: int = LABEL_WORDS) -> str:
    """A readable label from the top words: "parking · permit · street" ("(no words)" when there are none)."""
    return " · ".join(word for word, _ in words[:n]) or "(no words)"


def topic_name(words: Sequence[tuple[str, float]], n: int = LABEL_WORDS) -> str:
    """A short machine name like BERTopic's: "parking_permit_street"."""
    return "_".join(word for word, _ in words[:n])
