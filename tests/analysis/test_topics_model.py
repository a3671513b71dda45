"""fit_topics and topic_words on small corpora: themes recovered, discover mode, bad input, determinism."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.topics import OUTLIER, fit_topics, get_embedder, topic_words
from analysis.topics.labels import build_vocabulary, class_tfidf, count_vectorizer

THEMES = {
    "parking": (
        [
            "Beboerparkering",
            "Parkeringsavgiften",
            "Gjesteparkering",
            "Parkeringsplassen i gata",
            "Boligsoneparkeringen",
        ],
        [
            "er for dyr for oss som bor her",
            "gjør det vanskelig å få besøk",
            "må gjelde hele døgnet",
            "tar for mye plass fra bilene våre",
            "burde koste mindre for beboere",
        ],
    ),
    "school": (
        ["Skolen", "Klasserommene på skolen", "Skolegården", "Leksehjelpen for elevene", "Skoleveien for barna"],
        [
            "trenger flere lærere",
            "er for trang for alle elevene",
            "må pusses opp før neste skoleår",
            "er utrygg om morgenen",
            "bør få mer penger til undervisning",
        ],
    ),
    "park": (
        ["Parken ved elva", "Trærne i parken", "Lekeplassen i parken", "Grøntområdet", "Turstien gjennom parken"],
        [
            "må bevares for fugler og dyr",
            "trenger flere benker og blomster",
            "blir ødelagt av nye bygg",
            "er viktig for turgåere",
            "bør ha bedre belysning om kvelden",
        ],
    ),
}


def theme_corpus(per_theme: int = 20) -> tuple[list[str], list[str]]:
    """Norwegian comments on three clear themes (20 distinct sentences each by default)."""
    texts, labels = [], []
    for label, (subjects, predicates) in THEMES.items():
        for subject, predicate in itertools.islice(itertools.product(subjects, predicates), per_theme):
            texts.append(f"{subject} {predicate}.")
            labels.append(label)
    return texts, labels


def blob_embeddings(sizes: list[int], noise: int = 0, dim: int = 48, seed: int = 0) -> np.ndarray:
    """Unit vectors in tight groups around random centres, then ``noise`` scattered ones (no model needed)."""
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        centre = rng.normal(size=dim)
        rows.append(centre + rng.normal(scale=0.15 * np.linalg.norm(centre) / np.sqrt(dim), size=(size, dim)))
    rows.append(rng.normal(size=(noise, dim)))
    matrix = np.vstack(rows).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def themes():
    texts, labels = theme_corpus()
    return texts, labels, get_embedder("multilingual").embed(texts)


def test_three_clear_themes_are_recovered(themes):
    texts, labels, vectors = themes
    result = fit_topics(texts, embeddings=vectors, n_topics=3, seed=0)
    assert result.status == "ok", result.explanation
    assert result.reason is None
    assert adjusted_rand_score(labels, result.assignments) >= 0.9
    assert [topic.topic_id for topic in result.topics] == [0, 1, 2]
    assert sum(topic.size for topic in result.topics) == len(texts)
    labels_by_theme = " | ".join(topic.label for topic in result.topics)
    for word in ("parkering", "skolen", "parken"):
        assert word in labels_by_theme, labels_by_theme
    for topic in result.topics:
        assert " · " in topic.label
        assert topic.name == "_".join(word for word, _ in topic.words[:3])
        assert 3 <= len(topic.representative) <= 5
        assert all(result.assignments[index] == topic.topic_id for index in topic.representative)
        assert len({texts[index] for index in topic.representative}) == len(topic.representative)
    settings = result.settings
    assert settings["umap"] == {
        "n_neighbors": 15,
        "n_components": 5,
        "min_dist": 0.0,
        "metric": "cosine",
        "random_state": 0,
        "n_epochs": 500,
        "neighbours": "exact (umap-learn)",
    }
    assert settings["kmeans"] == {"n_clusters": 3, "n_init": 10, "random_state": 0}
    assert settings["embedder"]["name"] == "multilingual"
    assert settings["vectorizer"]["stop_word_languages"] == ["nb"]
    assert result.languages["nb"] > 0.5
    json.dumps(result.to_dict())


def test_same_seed_same_result(themes):
    texts, _, vectors = themes
    first = fit_topics(texts, embeddings=vectors, n_topics=3, seed=7).to_dict()
    assert fit_topics(texts, embeddings=vectors, n_topics=3, seed=7).to_dict() == first
    assert (
        fit_topics(texts, embeddings=vectors, seed=7).to_dict()
        == fit_topics(texts, embeddings=vectors, seed=7).to_dict()
    )


def test_topic_words_recomputes_the_labels_and_follows_a_merge(themes):
    texts, _, vectors = themes
    result = fit_topics(texts, embeddings=vectors, n_topics=3, seed=0)
    again = topic_words(texts, result.assignments)
    assert again == {topic.topic_id: topic.words for topic in result.topics}
    merged = [0 if topic == 1 else topic for topic in result.assignments]  # a planner merges topic 1 into 0
    after = topic_words(texts, merged)
    assert set(after) == {0, 2}
    merged_words = {word for word, _ in after[0]}
    assert merged_words & {word for word, _ in result.topics[0].words}
    assert merged_words & {word for word, _ in result.topics[1].words}


def test_class_tfidf_equals_bertopics():
    from bertopic.vectorizers import ClassTfidfTransformer

    texts, labels = theme_corpus(8)
    joined = [" ".join(t for t, label in zip(texts, labels, strict=True) if label == theme) for theme in THEMES]
    vocabulary, _ = build_vocabulary(texts, frozenset({"nb"}))
    counts = count_vectorizer(vocabulary).transform(joined)
    expected = ClassTfidfTransformer().fit_transform(counts).toarray()
    np.testing.assert_allclose(class_tfidf(counts), expected, rtol=1e-12)


def test_discover_mode_finds_groups_and_shows_outliers():
    # 34 texts in three tight groups + 4 scattered ones: below UMAP_MIN_TEXTS, so HDBSCAN sees the vectors as they
    # are and the scattered texts stay noise (on real comments UMAP + HDBSCAN: see test_topics_fidelity).
    sizes = [12, 12, 10]
    vectors = blob_embeddings(sizes, noise=4, seed=3)
    words = ["parkering avgift bil", "skole lærer elev", "park tre benk"]
    texts = [f"{words[g]} kommentar {i}" for g, size in enumerate(sizes) for i in range(size)]
    texts += [f"noe helt annet {w}" for w in ["vær", "fotball", "musikk", "mat"]]
    result = fit_topics(texts, embeddings=vectors, n_topics=None, seed=0, min_topic_size=5)
    assert result.status == "ok", result.explanation
    truth = [g for g, size in enumerate(sizes) for _ in range(size)]
    assert adjusted_rand_score(truth, result.assignments[: len(truth)]) == 1.0
    assert len(result.topics) == 3
    assert result.assignments[len(truth) :] == [OUTLIER] * 4
    assert result.outlier_count == 4
    assert "4 texts (11%) fit no topic (outliers)" in result.explanation
    assert result.settings["hdbscan"]["min_cluster_size"] == 5
    assert result.settings["hdbscan"]["max_cluster_size"] == len(texts) // 2  # no topic is most of everything
    assert result.settings["kmeans"] is None
    assert all(topic.topic_id >= 0 for topic in result.topics)  # outliers are not a topic
    assert {word for topic in result.topics for word, _ in topic.words[:3]} >= {"parkering", "skole", "park"}


def test_discover_mode_without_any_group_is_insufficient():
    vectors = blob_embeddings([], noise=20, seed=4)
    texts = [f"tekst nummer{i} om ting{i}" for i in range(20)]
    result = fit_topics(texts, embeddings=vectors, min_topic_size=8)
    assert result.status == "insufficient"
    assert result.reason == "no_topics_found"
    assert "8 similar texts" in result.explanation


def test_small_corpus_skips_umap():
    vectors = blob_embeddings([8, 8], seed=2)
    texts = [f"parkering bil nummer {i}" for i in range(8)] + [f"skole elev nummer {i}" for i in range(8)]
    result = fit_topics(texts, embeddings=vectors, n_topics=2)
    assert result.status == "ok"
    assert result.settings["umap"] is None
    assert "fewer than" in result.settings["umap_skipped"]
    assert adjusted_rand_score([0] * 8 + [1] * 8, result.assignments) == 1.0


def test_empty_texts_are_left_out_and_counted():
    vectors = blob_embeddings([8, 8], seed=3)
    texts = [f"parkering bil nummer {i}" for i in range(8)] + [f"skole elev nummer {i}" for i in range(8)]
    texts[2], texts[9] = "", "   "
    texts.append(None)  # a missing answer
    vectors = np.vstack([vectors, np.zeros((1, vectors.shape[1]), np.float32)])
    result = fit_topics(texts, embeddings=vectors, n_topics=2)
    assert result.status == "ok"
    assert result.assignments[2] == result.assignments[9] == result.assignments[16] == OUTLIER
    assert "empty_texts" in result.warning_codes
    assert "3 empty texts left out" in result.warnings[result.warning_codes.index("empty_texts")]
    assert result.settings["texts"] == {"given": 17, "used": 14, "empty": 3, "duplicates": 0}


def test_duplicates_are_counted_and_still_assigned():
    vectors = blob_embeddings([8, 8], seed=4)
    texts = [f"parkering bil nummer {i}" for i in range(8)] + [f"skole elev nummer {i}" for i in range(8)]
    texts[1] = texts[0]
    vectors[1] = vectors[0]
    result = fit_topics(texts, embeddings=vectors, n_topics=2)
    assert result.status == "ok"
    assert "duplicate_texts" in result.warning_codes
    assert result.assignments[0] == result.assignments[1] != OUTLIER
    assert result.settings["texts"]["duplicates"] == 1


@pytest.mark.parametrize(
    ("texts", "reason"),
    [
        ([], "too_few_texts"),
        (["", " ", "\n"], "too_few_texts"),
        ([f"kommentar {i}" for i in range(9)], "too_few_texts"),
        (["Samme tekst igjen."] * 12 + ["En annen tekst."], "too_few_distinct_texts"),
    ],
)
def test_too_little_data_is_insufficient_not_an_error(texts, reason):
    result = fit_topics(texts, embeddings=np.ones((len(texts), 8), np.float32), n_topics=3)
    assert result.status == "insufficient"
    assert result.reason == reason
    assert result.explanation
    assert result.assignments == [OUTLIER] * len(texts)
    assert result.topics == []
    json.dumps(result.to_dict())


def test_texts_without_words_are_insufficient():
    texts = [f"{i} {i * 7} !!" for i in range(12)]
    assert fit_topics(texts, embedder="none", n_topics=2).reason == "no_words"
    given = fit_topics(texts, embeddings=blob_embeddings([6, 6]), n_topics=2)
    assert given.reason == "no_words"


def test_more_topics_than_distinct_texts_are_reduced():
    texts = [f"tekst nummer {i % 4} om parkering" for i in range(12)]
    vectors = blob_embeddings([3, 3, 3, 3], seed=5)[[i % 4 * 3 for i in range(12)]]
    result = fit_topics(texts, embeddings=vectors, n_topics=6)
    assert result.status == "ok"
    assert "n_topics_reduced" in result.warning_codes
    assert len(result.topics) == 4


def test_language_the_embedder_does_not_cover_is_a_warning():
    texts, _ = theme_corpus(6)
    vectors = blob_embeddings([6, 6, 6], seed=6)
    result = fit_topics(texts, embeddings=vectors, embedder="english", n_topics=3)
    assert result.status == "ok"
    assert "language_not_covered" in result.warning_codes
    assert "Norwegian (bokmål)" in result.warnings[result.warning_codes.index("language_not_covered")]
    assert "language_not_covered" not in fit_topics(texts, embeddings=vectors, n_topics=3).warning_codes


def test_invalid_arguments_raise():
    texts = [f"tekst {i}" for i in range(12)]
    with pytest.raises(ValueError, match="unknown embedder"):
        fit_topics(texts, embedder="bert")
    with pytest.raises(ValueError, match="n_topics"):
        fit_topics(texts, n_topics=1)
    with pytest.raises(ValueError, match="one row per text"):
        fit_topics(texts, embeddings=np.ones((3, 8)))
    with pytest.raises(ValueError, match="NaN"):
        fit_topics(texts, embeddings=np.full((12, 8), np.nan))


def test_no_model_fallback_end_to_end():
    texts, labels = theme_corpus()
    result = fit_topics(texts, embedder="none", n_topics=3, seed=0)
    assert result.status == "ok"
    assert adjusted_rand_score(labels, result.assignments) >= 0.9
    assert result.settings["umap"] is None  # LSA vectors are clustered directly
    assert result.settings["embedder"]["fitted"]["svd_components"] >= 2


def test_exact_neighbours_match_scikit_learn_and_choose_the_umap_path():
    from sklearn.neighbors import NearestNeighbors

    from analysis.topics.runtime import exact_neighbours, umap_model

    vectors = blob_embeddings([300, 300], noise=50, dim=16, seed=7)
    indices, distances = exact_neighbours(vectors, k=15)
    expected_distances, expected_indices = (
        NearestNeighbors(n_neighbors=15, metric="cosine", algorithm="brute").fit(vectors).kneighbors(vectors)
    )
    np.testing.assert_allclose(distances, expected_distances, atol=1e-5)
    assert (indices[:, 0] == np.arange(len(vectors))).all()
    assert (indices == expected_indices).mean() > 0.99  # equal up to ties
    big = np.tile(vectors, (8, 1))[:5000]
    model, settings = umap_model(3, big)
    assert settings["neighbours"] == "exact (precomputed)"
    assert settings["n_epochs"] == model.n_epochs == 200
    assert model.random_state == 3
    assert umap_model(0, vectors)[1]["neighbours"] == "exact (umap-learn)"
