"""Embedders: shape, unit length, determinism, batching; the no-model fallback (analysis.topics.embedders)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.topics import EMBEDDERS, get_embedder
from analysis.topics.embedders import BATCH_SIZE

TEXTS = [
    "Beboerparkeringen er for dyr for oss som bor her.",
    "Parkeringsavgiften gjør det vanskelig å få besøk.",
    "Skolen trenger flere lærere og nye klasserom.",
    "Skulen treng fleire lærarar og nye klasserom.",
    "The council should build more cycle lanes.",
    "",
]


def test_registry_names_and_declared_languages():
    assert set(EMBEDDERS) == {"multilingual", "english", "none"}
    assert {"nb", "nn", "da", "sv", "de", "en"} <= EMBEDDERS["multilingual"].languages
    assert "nb" not in EMBEDDERS["english"].languages
    assert "en" in EMBEDDERS["english"].languages
    assert EMBEDDERS["none"].needs_corpus
    assert not EMBEDDERS["multilingual"].needs_corpus
    with pytest.raises(ValueError, match="unknown embedder"):
        get_embedder("word2vec")


@pytest.mark.parametrize("name", ["multilingual", "english"])
def test_model_embedders_unit_rows_deterministic_and_batch_independent(name):
    embedder = get_embedder(name)
    assert (embedder.name, embedder.dim, embedder.needs_corpus) == (name, 384, False)
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(embedder.embed(TEXTS), vectors)  # deterministic
    np.testing.assert_array_equal(embedder.embed(TEXTS[2:3])[0], vectors[2])  # alone = in a batch
    assert embedder.embed([]).shape == (0, 384)


def test_multilingual_places_paraphrases_closer_than_other_topics():
    vectors = get_embedder("multilingual").embed(TEXTS)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2]  # two parking comments vs parking/school
    assert similarity[2, 3] > similarity[2, 0]  # school in bokmål and nynorsk vs school/parking


def test_model_is_loaded_once_per_process():
    from analysis.topics import embedders

    get_embedder("multilingual").embed(["a"])
    model = embedders._MODELS["original"]
    get_embedder("multilingual").embed(["b"])
    assert embedders._MODELS["original"] is model


def test_batches_report_progress():
    calls = []
    texts = [f"Kommentar nummer {i} om parkering." for i in range(BATCH_SIZE + 3)]
    vectors = get_embedder("english").embed(texts, progress=lambda done, total: calls.append((done, total)))
    assert vectors.shape == (len(texts), 384)
    assert calls == [(BATCH_SIZE, len(texts)), (len(texts), len(texts))]


def test_no_model_fallback_is_fitted_on_the_corpus():
    texts = [f"Parkering i gate {i} er dyr for beboere" for i in range(8)] + [
        f"Skolen nummer {i} trenger flere lærere" for i in range(8)
    ]
    embedder = get_embedder("none", seed=3)
    assert embedder.needs_corpus
    assert embedder.dim == 100
    vectors = embedder.embed(texts)
    assert vectors.shape == (16, 100)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(get_embedder("none", seed=3).embed(texts), vectors)
    similarity = vectors @ vectors.T
    assert similarity[:8, :8].mean() > similarity[:8, 8:].mean() + 0.3
    assert embedder.settings["stop_word_languages"] == ["nb"]


def test_no_model_fallback_with_nothing_to_count():
    vectors = get_embedder("none").embed(["og", "123", "", "!!"])
    assert vectors.shape == (4, 100)
    assert not vectors.any()  # no words: zero rows, not NaN
