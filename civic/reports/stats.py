"""Statistics over grouped (value, count) distributions, computed without expanding them."""

from __future__ import annotations

import math
from typing import Any


def median(distribution: list[tuple[float, int]], total: int) -> float:
    """Return the median of a sorted (value, count) distribution without expanding it."""
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), 0-based
    found: list[float] = []
    seen = 0
    for value, count in distribution:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return sum(found) / len(found)


def histogram(distribution: list[tuple[float, int]], *, integer: bool, bins: int = 10) -> list[dict[str, Any]]:
    """Group a sorted (value, count) distribution into equal-width bins (one per value for small integers)."""
    low, high = distribution[0][0], distribution[-1][0]
    total = sum(count for _, count in distribution)
    if (integer and high - low <= 20) or low == high:
        found = dict(distribution)
        values = [low + i for i in range(int(high - low) + 1)] if integer else [low]
        return [
            {"label": f"{v:g}", "count": found.get(v, 0), "percent": 100.0 * found.get(v, 0) / total} for v in values
        ]
    if integer:
        # Whole-number bins ("0–4", "5–9"): fractional edges would be meaningless for counts of things.
        width = math.ceil((high - low + 1) / bins)
        bins = math.ceil((high - low + 1) / width)
        edges = [(low + i * width, low + (i + 1) * width - 1) for i in range(bins)]
    else:
        width = (high - low) / bins
        edges = [(low + i * width, low + (i + 1) * width) for i in range(bins)]
    counts_per_bin = [0] * bins
    for value, count in distribution:
        counts_per_bin[min(int((value - low) / width), bins - 1)] += count
    return [
        {"label": f"{start:g}–{end:g}", "count": c, "percent": 100.0 * c / total}
        for (start, end), c in zip(edges, counts_per_bin, strict=True)
    ]
