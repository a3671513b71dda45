"""Typed results of the topic model; everything converts to plain JSON types with ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OUTLIER = -1  # the assignment of comments in no topic: HDBSCAN's noise, and empty texts


@dataclass(frozen=True)
class TopicInfo:
    """One topic: its size, c-TF-IDF words, a readable label, and the comments that represent it.

    ``representative`` holds indices into the texts given to ``fit_topics`` (3-5 comments closest to the topic's
    mean embedding, exact copies skipped). ``name`` is BERTopic-style ("parking_permit_street"), ``label`` the
    readable form ("parking · permit · street").
    """

    topic_id: int
    size: int
    label: str
    name: str
    words: list[tuple[str, float]]
    representative: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic_id": self.topic_id,
            "size": self.size,
            "label": self.label,
            "name": self.name,
            "words": [[word, round(score, 6)] for word, score in self.words],
            "representative": list(self.representative),
        }


@dataclass
class TopicResult:
    """What ``fit_topics`` found.

    ``status`` is "ok" or "insufficient". When insufficient, ``reason`` is a stable code (the web layer translates
    by it) and ``explanation`` says in English what is missing; ``assignments`` are then all -1 and ``topics`` empty.
    ``warnings`` are English sentences, ``warning_codes`` their stable codes in the same order. ``assignments`` has
    one entry per input text (-1: outlier, or an empty text that was left out). ``settings`` records everything a
    reader needs to judge or reproduce the run (model, embedder, UMAP/KMeans/HDBSCAN parameters, seed, languages).
    """

    status: str
    reason: str | None
    explanation: str
    assignments: list[int]
    topics: list[TopicInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_codes: list[str] = field(default_factory=list)
    languages: dict[str, float] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def outlier_count(self) -> int:
        """Comments in no topic (HDBSCAN noise and empty texts)."""
        return sum(1 for topic in self.assignments if topic == OUTLIER)

    def topic(self, topic_id: int) -> TopicInfo:
        for info in self.topics:
            if info.topic_id == topic_id:
                return info
        raise KeyError(topic_id)

    def warn(self, code: str, message: str) -> None:
        self.warning_codes.append(code)
        self.warnings.append(message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "explanation": self.explanation,
            "assignments": list(self.assignments),
            "topics": [info.to_dict() for info in self.topics],
            "outliers": self.outlier_count,
            "warnings": list(self.warnings),
            "warning_codes": list(self.warning_codes),
            "languages": dict(self.languages),
            "settings": self.settings,
        }
