"""Run time of the topic model: UMAP as we configure it, and numba's JIT compilation inside umap-learn.

JIT. The first UMAP fit in a fresh process compiles umap's numba functions: measured 18.5-19.6 s for 800 texts where
a second fit takes 2.0-2.4 s (the analysis notes §4.4 saw the same: 19.1 s vs 1.9 s). Most of umap-learn's jitted
functions are declared without ``cache=True``, so nothing was kept on disk. ``enable_numba_cache()`` switches
numba's on-disk cache on for them before they compile; a fresh process's first fit of the same 800 texts then took
3.0 s instead of 19.5 s (compiled code is loaded, not rebuilt). pynndescent's two NN-descent drivers cannot be cached
("uses dynamic globals") and recompile with what they call (~25 s) — which is one reason we avoid NN-descent up to
``EXACT_NEIGHBOURS_MAX`` texts (below).

Where numba writes: beside umap's and pynndescent's sources (``site-packages/*/__pycache__``) when writable, else
numba's user-wide cache directory; set ``NUMBA_CACHE_DIR`` in the worker's environment (before Python starts) to
choose the place, e.g. on a read-only image. ``CIVIC_NUMBA_CACHE=0`` turns this off.

``warm_up()`` is for a long-running worker: call it once at start so the first planner's run does not pay the
compilation or cache loading.

Neighbours. From ``WIDER_FROM`` texts UMAP looks at each text's 25 nearest neighbours, not BERTopic's default 15.
On the labelled Scoop HiveMind comments (5 topics, UMAP + KMeans, seeds 0-2, each also with the embeddings perturbed
by 1e-6, the size of float differences between CPUs) 15 neighbours gave NMI 0.535-0.562 (mean 0.549, under the 0.55
floor on one machine), 25 gave 0.557-0.582 (mean 0.570). 20 and 30 each had runs near 0.48-0.51, so 25 is a choice
measured on that one set, not a general law. Below ``WIDER_FROM`` texts, 15: a neighbourhood of 25 reaches past a
small corpus' themes (three themes of 20 texts came out with ARI 0.86 instead of >= 0.9).

Below 4,096 texts umap-learn computes the neighbours exactly itself; above, it switches to pynndescent's approximate
NN-descent (single-threaded when seeded, plus the JIT cost above). From 4,096 up to ``EXACT_NEIGHBOURS_MAX`` texts we
compute them exactly with one matrix product per block of rows (BLAS, both cores; 10,000 × 384-d: ~4 s) and hand
them to UMAP as ``precomputed_knn``. Above that, NN-descent.

Epochs. umap-learn runs 500 layout epochs up to 10,000 texts and 200 above; at 10,000 texts the 500 epochs took
~19 s single-threaded, 200 took ~8 s with the same topics (NMI 0.896 both, generated data) — so from
``FEWER_EPOCHS_FROM`` texts we ask for 200. Below it, umap-learn's default (the fidelity figures were measured so).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np

N_NEIGHBOURS = 15  # BERTopic's default, below WIDER_FROM texts (see Neighbours above)
WIDER_NEIGHBOURS = 25
WIDER_FROM = 500
EXACT_NEIGHBOURS_MIN = 4096  # umap-learn's own switch from exact to approximate neighbours
EXACT_NEIGHBOURS_MAX = 20_000
FEWER_EPOCHS_FROM = 5_000
_UNCACHEABLE = frozenset({"nn_descent", "nn_descent_internal"})
_BLOCK_CELLS = 1 << 24  # similarity cells per block of rows: 64 MB of float32

_cache_enabled = False


def import_quietly(module: str):
    """Import a topic-model library without its import-time noise: umap-learn warns (ImportWarning) that TensorFlow
    is missing for ParametricUMAP, which we do not use; under ``-W error`` that warning would be an exception."""
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return importlib.import_module(module)


def enable_numba_cache() -> int:
    """Turn numba's on-disk cache on for umap-learn's and pynndescent's jitted functions; returns how many."""
    global _cache_enabled
    if _cache_enabled or os.environ.get("CIVIC_NUMBA_CACHE", "1") == "0":
        return 0
    import_quietly("umap")  # imports umap.umap_, layouts, distances, utils, spectral, sparse and pynndescent
    from numba.core.dispatcher import Dispatcher

    switched = 0
    for module_name, module in list(sys.modules.items()):
        if module is None or module_name.split(".")[0] not in ("umap", "pynndescent"):
            continue
        for name, obj in list(vars(module).items()):
            if name in _UNCACHEABLE or not isinstance(obj, Dispatcher):
                continue
            if type(getattr(obj, "_cache", None)).__name__ == "NullCache":
                try:
                    obj.enable_caching()
                except Exception:  # noqa: S112 - a function numba cannot cache simply stays uncached
                    continue
                switched += 1
    _cache_enabled = True
    return switched


def neighbours_for(n: int) -> int:
    """How many neighbours UMAP looks at for ``n`` texts (see Neighbours above)."""
    return WIDER_NEIGHBOURS if n >= WIDER_FROM else N_NEIGHBOURS


def exact_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine distances of each row's ``k`` nearest rows (itself included), ties by row index."""
    n = len(vectors)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    step = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, n, step):
        similarity = vectors[start : start + step] @ vectors.T
        candidates = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(similarity, candidates, axis=1)
        order = np.lexsort((candidates, -values), axis=1)
        indices[start : start + step] = np.take_along_axis(candidates, order, axis=1)
        distances[start : start + step] = np.maximum(0.0, 1.0 - np.take_along_axis(values, order, axis=1))
    return indices, distances


def umap_model(seed: int, vectors: np.ndarray | None = None) -> tuple[Any, dict[str, Any]]:
    """UMAP as the topic model uses it, and its settings for the record.

    BERTopic's defaults (5 dimensions, min_dist 0, cosine) with ``neighbours_for(n)`` neighbours and a seed.
    ``n_jobs=1`` because a seeded UMAP is single-threaded anyway (umap-learn would warn and override it). ``vectors``
    (the data it will fit) chooses the neighbours, their search and the number of epochs, as the module docstring
    explains.
    """
    enable_numba_cache()
    UMAP = import_quietly("umap").UMAP  # noqa: N806 - the class
    n = 0 if vectors is None else len(vectors)
    settings: dict[str, Any] = {
        "n_neighbors": neighbours_for(n),
        "n_components": 5,
        "min_dist": 0.0,
        "metric": "cosine",
        "random_state": seed,
        "n_epochs": 200 if n >= FEWER_EPOCHS_FROM else 500,
    }
    options: dict[str, Any] = {}
    if n >= FEWER_EPOCHS_FROM:
        options["n_epochs"] = 200
    if n < EXACT_NEIGHBOURS_MIN:
        settings["neighbours"] = "exact (umap-learn)"
    elif n <= EXACT_NEIGHBOURS_MAX:
        settings["neighbours"] = "exact (precomputed)"
        options["precomputed_knn"] = exact_neighbours(vectors, k=settings["n_neighbors"])
    else:
        settings["neighbours"] = "approximate (pynndescent NN-descent)"
    model = UMAP(
        n_neighbors=settings["n_neighbors"],
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=seed,
        n_jobs=1,
        **options,
    )
    return model, settings


def warm_up(*, approximate: bool = False) -> float:
    """Compile (or load from numba's cache) what UMAP fits need; returns the seconds it took.

    Covers corpora up to ``EXACT_NEIGHBOURS_MAX`` texts (umap-learn's exact path and ours); ``approximate`` adds a
    fit over pynndescent's NN-descent, which bigger corpora use (its compilation cannot be cached: ~25 s).
    """
    import warnings

    started = time.perf_counter()
    rng = np.random.default_rng(0)
    data = rng.normal(size=(EXACT_NEIGHBOURS_MIN + 100, 8)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rows, options in ((60, {}), (len(data), {}), (len(data), {"force_approximation_algorithm": True})):
            if options and not approximate:
                continue
            model, _ = umap_model(0, None if options else data[:rows])
            model.set_params(n_epochs=10, **options)  # the epochs' code compiles in the first one
            model.fit_transform(data[:rows])
    return time.perf_counter() - started
