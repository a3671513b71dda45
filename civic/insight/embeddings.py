"""Stored text embeddings: each text is embedded once per embedder and reused by every later run.

New texts are embedded soon after they arrive (``embed_new_texts``, from the comment signal and the beat
schedule); a run embeds whatever is still missing, and re-embeds a text whose hash no longer matches (it was
edited). The no-model embedder ("none") fits on the whole corpus, so its vectors are never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from analysis.topics import EMBEDDERS, get_embedder
from civic.core.timeutils import now_utc
from civic.focus_groups.models import Contribution, Prompt, PromptKind
from civic.hearings.models import Comment
from civic.insight.models import TextEmbedding, TextSource
from civic.insight.sources import TEXT_ANSWER_KINDS, Key, chunked
from civic.surveys.models import Answer, Question, ResponseState, SurveyResponse

#: Keys per IN list when reading stored vectors (well under every backend's parameter limit).
READ_CHUNK = 500

_embedders: dict[str, Any] = {}


class HasText(Protocol):
    @property
    def key(self) -> Key: ...

    @property
    def text(self) -> str: ...


def embedder_for(name: str) -> Any:
    """The analysis library's embedder (the library loads a model's weights once per process)."""
    if name not in _embedders:
        _embedders[name] = get_embedder(name)
    return _embedders[name]


def stores_vectors(name: str) -> bool:
    """Whether an embedder's vectors can be stored: a known model, not the corpus-fitted no-model fallback."""
    info = EMBEDDERS.get(name)
    return info is not None and not info.needs_corpus


def text_hash(text: str, model_id: str = "") -> str:
    """The hash stored with a vector: of the text *and* the model, so a new model version re-embeds it."""
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()


def _model_id(embedder: Any) -> str:
    return str(getattr(embedder, "model_id", ""))


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes, dim: int) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4", count=dim).astype(np.float32)


def stored_vectors(session: Session, keys: Sequence[Key], embedder: str) -> dict[Key, tuple[str, np.ndarray]]:
    """The stored (text_hash, vector) of each key that has one."""
    found: dict[Key, tuple[str, np.ndarray]] = {}
    by_source: dict[str, list[int]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    for source, ids in by_source.items():
        for chunk in chunked(ids, READ_CHUNK):
            rows = session.execute(
                select(TextEmbedding.source_id, TextEmbedding.text_hash, TextEmbedding.dim, TextEmbedding.vector).where(
                    TextEmbedding.source == source,
                    TextEmbedding.embedder == embedder,
                    TextEmbedding.source_id.in_(chunk),
                )
            )
            for source_id, hashed, dim, vector in rows:
                found[(source, source_id)] = (hashed, from_bytes(vector, dim))
    return found


def store_vectors(session: Session, embedder: str, items: Sequence[tuple[Key, str, np.ndarray]]) -> None:
    """Insert or replace embeddings in one statement (safe if another worker stored the same text meanwhile)."""
    if not items:
        return
    now = now_utc()
    rows = [
        {
            "source": source,
            "source_id": source_id,
            "embedder": embedder,
            "text_hash": hashed,
            "dim": int(vector.shape[0]),
            "vector": to_bytes(vector),
            "created_at": now,
        }
        for (source, source_id), hashed, vector in items
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(TextEmbedding).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["source", "source_id", "embedder"],
        set_={name: statement.excluded[name] for name in ("text_hash", "dim", "vector", "created_at")},
    )
    session.execute(statement)


def ensure_vectors(
    session: Session,
    texts: Sequence[HasText],
    embedder: Any,
    *,
    batch_size: int = 128,
    on_batch: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The embedding matrix of ``texts`` (in order), embedding and storing only what is missing or stale.

    ``on_batch(done, missing)`` runs after each stored batch (the run commits there and reports progress).
    """
    stored = stored_vectors(session, [t.key for t in texts], embedder.name)
    model = _model_id(embedder)
    matrix = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    missing: list[int] = []
    for index, text in enumerate(texts):
        hit = stored.get(text.key)
        if hit is not None and hit[0] == text_hash(text.text, model) and hit[1].shape[0] == embedder.dim:
            matrix[index] = hit[1]
        else:
            missing.append(index)
    done = 0
    for batch in chunked(missing, batch_size):
        vectors = np.asarray(embedder.embed([texts[i].text for i in batch]), dtype=np.float32)
        store_vectors(
            session,
            embedder.name,
            [(texts[i].key, text_hash(texts[i].text, model), vectors[row]) for row, i in enumerate(batch)],
        )
        matrix[list(batch)] = vectors
        done += len(batch)
        if on_batch is not None:
            on_batch(done, len(missing))
    return matrix


# --- embedding new texts in advance (the Celery task's body) -----------------------------------------------


@dataclass(frozen=True)
class PendingText:
    source: str
    source_id: int
    text: str

    @property
    def key(self) -> Key:
        return (self.source, self.source_id)


def pending_texts(session: Session, embedder: str, limit: int) -> list[PendingText]:
    """Texts with no embedding by ``embedder`` yet, or edited since they were embedded (oldest first).

    Every comment with text counts, whatever its moderation state (a pending comment is usually published
    soon; which comments a run uses is decided when it runs). Survey answers count once their response is
    submitted: the submit hot path is left alone and the beat schedule catches them; so do focus-group answers.
    """
    stored = aliased(TextEmbedding)

    def joined(source: TextSource, id_column: Any) -> Any:
        return (stored.source == source.value) & (stored.source_id == id_column) & (stored.embedder == embedder)

    comments = session.execute(
        select(Comment.id, Comment.body)
        .outerjoin(stored, joined(TextSource.HEARING_COMMENT, Comment.id))
        .where(
            func.length(Comment.body) > 0,
            or_(stored.id.is_(None), Comment.edited_at > stored.created_at),
        )
        .order_by(Comment.id)
        .limit(limit)
    ).all()
    pending = [PendingText(TextSource.HEARING_COMMENT.value, cid, body) for cid, body in comments]
    if len(pending) >= limit:
        return pending
    answers = session.execute(
        select(Answer.id, Answer.text)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(stored, joined(TextSource.SURVEY_ANSWER, Answer.id))
        .where(
            stored.id.is_(None),
            SurveyResponse.state == ResponseState.SUBMITTED,
            Question.kind.in_([kind.value for kind in TEXT_ANSWER_KINDS]),
            Answer.text.is_not(None),
            func.length(func.trim(Answer.text)) > 0,
        )
        .order_by(Answer.id)
        .limit(limit - len(pending))
    ).all()
    pending += [PendingText(TextSource.SURVEY_ANSWER.value, aid, text) for aid, text in answers]
    if len(pending) >= limit:
        return pending
    # Focus-group answers to open prompts; hidden ones too (a hidden answer may be shown again), edited ones again.
    contributions = session.execute(
        select(Contribution.id, Contribution.text)
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .outerjoin(stored, joined(TextSource.FOCUS_GROUP_ANSWER, Contribution.id))
        .where(
            Prompt.kind == PromptKind.OPEN.value,
            func.length(func.trim(Contribution.text)) > 0,
            or_(stored.id.is_(None), Contribution.updated_at > stored.created_at),
        )
        .order_by(Contribution.id)
        .limit(limit - len(pending))
    ).all()
    return pending + [PendingText(TextSource.FOCUS_GROUP_ANSWER.value, cid, text) for cid, text in contributions]


def embed_pending(
    session: Session, embedder_name: str, *, batch_size: int, limit: int, commit: Callable[[], None]
) -> int:
    """Embed up to ``limit`` pending texts in batches, committing each batch; return how many were embedded."""
    if not stores_vectors(embedder_name):
        return 0
    embedder = embedder_for(embedder_name)
    pending = pending_texts(session, embedder.name, limit)
    for batch in chunked(pending, batch_size):
        vectors = np.asarray(embedder.embed([p.text for p in batch]), dtype=np.float32)
        hashed = [text_hash(p.text, _model_id(embedder)) for p in batch]
        store_vectors(session, embedder.name, [(p.key, hashed[i], vectors[i]) for i, p in enumerate(batch)])
        commit()
    return len(pending)
