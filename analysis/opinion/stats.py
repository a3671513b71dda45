"""Polis' smoothed proportions and z tests (analysis.md §1.6), vectorised over numpy arrays.

Every function takes counts (ints or arrays of them) and returns floats of the broadcast shape.
"""

from __future__ import annotations

import numpy as np

Z_90 = 1.2816  # one-sided 90 %: Polis' significance threshold for representative and consensus comments
Z_95 = 1.6449  # defined by Polis, not used by its selection rules


def smoothed_share(successes, seen):
    """(s + 1) / (n + 2): the share with a Beta(1, 1) prior, so one vote out of one is not 100 %."""
    return (np.asarray(successes, dtype=float) + 1.0) / (np.asarray(seen, dtype=float) + 2.0)


def prop_test(successes, seen):
    """One-sample z of the smoothed share against 1/2: 2·sqrt(n + 1)·((s + 1)/(n + 1) − 1/2)."""
    s = np.asarray(successes, dtype=float)
    n = np.asarray(seen, dtype=float)
    return 2.0 * np.sqrt(n + 1.0) * ((s + 1.0) / (n + 1.0) - 0.5)


def two_prop_test(successes_1, successes_2, seen_1, seen_2):
    """Two-proportion z (group vs rest) with one pseudo-count added to every count; 0 when the pooled share is 1."""
    s1 = np.asarray(successes_1, dtype=float) + 1.0
    s2 = np.asarray(successes_2, dtype=float) + 1.0
    n1 = np.asarray(seen_1, dtype=float) + 1.0
    n2 = np.asarray(seen_2, dtype=float) + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / np.sqrt(variance)
    return np.where(variance > 0.0, z, 0.0)


def significant(z) -> np.ndarray:
    return np.asarray(z) > Z_90
