"""Insight fixtures: a small commented hearing, a fast fake embedder, and hand-made topic runs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta

import numpy as np
import pytest

from civic.core.timeutils import now_utc
from civic.insight import embeddings
from civic.insight.models import AnalysisRun, RunKind, RunStatus

#: Three themes a planner would recognise, eight comments each (nb), so a topic model has something to find.
CORPUS = [
    *(
        f"Parkering: {text}"
        for text in (
            "det er altfor få parkeringsplasser for beboere i gata vår",
            "beboerparkering vil gjøre det lettere å finne en plass å parkere bilen",
            "parkeringsavgiften er for høy for oss som må ha bil",
            "gjesteparkering må være mulig når familien kommer på besøk",
            "bilene parkerer på fortauet fordi det mangler plasser",
            "pendlere tar alle parkeringsplassene om morgenen",
            "beboerkort for parkering bør koste mindre",
            "vi trenger flere parkeringsplasser ved senteret",
        )
    ),
    *(
        f"Sykkel: {text}"
        for text in (
            "bygg trygge sykkelveier til skolen for barna",
            "sykkelstien langs Trondheimsveien er farlig og smal",
            "flere sykkelparkeringer ved T-banen takk",
            "sykkelveien må brøytes om vinteren",
            "jeg sykler til jobb og trenger en sammenhengende sykkelvei",
            "bysykler ved Årvoll senter hadde vært fint",
            "fartsdumper gjør sykkelveien tryggere",
            "sykkelfelt i begge retninger på Tonsenveien",
        )
    ),
    *(
        f"Lekeplass: {text}"
        for text in (
            "lekeplassen i parken trenger nye husker og sklier",
            "barna har ingen trygg lekeplass i nærheten",
            "grøntområdet ved skolen må bevares for barna",
            "lekeplassen bør ha benker for foreldrene",
            "mer lys på lekeplassen om kvelden",
            "ballbinge og lekeplass for de eldre barna",
            "parken og lekeplassen er viktig for nabolaget",
            "sandkassen på lekeplassen er skitten og må skiftes",
        )
    ),
]
THEMES = ["parkering"] * 8 + ["sykkel"] * 8 + ["lekeplass"] * 8


@pytest.fixture(autouse=True)
def _english_by_default(request) -> None:
    if "app" in request.fixturenames:
        request.getfixturevalue("english_ui")


class FakeEmbedder:
    """Bag-of-words hashing into 32 dimensions (the first word, a theme in CORPUS, weighs most): texts that share
    words are close. Counts what it embeds."""

    needs_corpus = False
    dim = 32
    languages = frozenset({"nb", "nn", "da", "sv", "de", "en"})

    def __init__(self, name: str = "multilingual") -> None:
        self.name = name
        self.calls = 0
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for position, word in enumerate(text.lower().replace(":", " ").split()):
                slot = int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim
                matrix[row, slot] += 4.0 if position == 0 else 1.0
            matrix[row] /= max(float(np.linalg.norm(matrix[row])), 1e-9)
        return matrix


@pytest.fixture
def fake_embedder(monkeypatch) -> FakeEmbedder:
    """Replace every stored-vector embedder by one FakeEmbedder (fast, and it counts its calls)."""
    fake = FakeEmbedder()

    def embedder_for(name: str):
        if name == "none":
            raise AssertionError("the no-model embedder is never asked for vectors")
        fake.name = name
        return fake

    monkeypatch.setattr(embeddings, "embedder_for", embedder_for)
    return fake


@pytest.fixture
def commented_hearing(db, create_hearing, create_participant, create_comment):
    """A hearing with CORPUS as published comments (one participant each), written over three weeks."""
    hearing = create_hearing()
    start = now_utc() - timedelta(days=21)
    comments = []
    for index, text in enumerate(CORPUS):
        participant, _key = create_participant(hearing)
        section = hearing.sections[index % len(hearing.sections)]
        comment = create_comment(hearing, participant, text, section_id=section.id)
        comment.created_at = start + timedelta(days=index)
        comments.append(comment)
    db.session.commit()
    hearing.comments_for_test = comments
    return hearing


def topic_result(
    documents: Sequence[tuple[str, int]], assignments: Sequence[int], labels: dict[int, str] | None = None
) -> dict:
    """A result dict shaped like analysis.topics' TopicResult.to_dict(), plus the run's documents."""
    labels = labels or {}
    topics = []
    for topic_id in sorted({a for a in assignments if a >= 0}):
        members = [i for i, a in enumerate(assignments) if a == topic_id]
        topics.append(
            {
                "topic_id": topic_id,
                "size": len(members),
                "label": labels.get(topic_id, f"topic {topic_id}"),
                "words": [[f"word{topic_id}", 0.5], [f"other{topic_id}", 0.25]],
                "representative": members[:3],
            }
        )
    return {
        "status": "ok",
        "reason": None,
        "explanation": "",
        "warnings": [],
        "warning_codes": [],
        "assignments": list(assignments),
        "topics": topics,
        "settings": {"seed": 0},
        "documents": [list(d) for d in documents],
        "embedder": "multilingual",
    }


@pytest.fixture
def make_topic_run(db) -> Callable[..., AnalysisRun]:
    """Store a finished topic run with a hand-made result (no model involved)."""

    def _make(consultation_id: int, documents, assignments, labels=None, **values) -> AnalysisRun:
        now = now_utc()
        run = AnalysisRun(
            consultation_id=consultation_id,
            kind=RunKind.TOPICS.value,
            status=RunStatus.DONE.value,
            stage="done",
            progress=100,
            params={"n_topics": None, "embedder": "multilingual", "seed": 0},
            result=topic_result(documents, assignments, labels),
            created_at=now,
            started_at=now,
            finished_at=now,
            **values,
        )
        db.session.add(run)
        db.session.commit()
        return run

    return _make


def comment_keys(hearing) -> list[tuple[str, int]]:
    return [("hearing_comment", c.id) for c in hearing.comments_for_test]
