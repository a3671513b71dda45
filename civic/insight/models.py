"""Insight: stored text embeddings, analysis runs and the planners' edits of topics.

Embeddings are computed once per text (when it arrives) and reused by every later run; a run keeps its
result as JSON (the analysis library's ``to_dict()``), so a page shows it without recomputing. Topic edits
(rename, merge, split, hide) are stored apart from runs, anchored on the texts a topic held, so they are
re-applied to the matching topics of the next run.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.db import Base, enum_column
from civic.core.timeutils import now_utc


class TextSource(enum.StrEnum):
    """Where an analysed text lives; ``source_id`` is that table's id."""

    HEARING_COMMENT = "hearing_comment"  # hearing_comments.id
    SURVEY_ANSWER = "survey_answer"  # survey_answers.id (free text, or "other, please specify")
    FOCUS_GROUP_ANSWER = "focus_group_answer"  # focus_group_contributions.id (answers to open prompts)


class RunKind(enum.StrEnum):
    TOPICS = "topics"
    OPINION_GROUPS = "opinion_groups"


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    INSUFFICIENT = "insufficient"  # finished, with an explanation instead of a result (too few texts or votes)
    FAILED = "failed"  # crashed or the worker died; may be started again


class TopicEditAction(enum.StrEnum):
    RENAME = "rename"
    MERGE = "merge"
    SPLIT = "split"
    HIDE = "hide"


class TextEmbedding(Base):
    """One text's embedding by one embedder; ``text_hash`` tells when an edited text needs a new one."""

    __tablename__ = "insight_text_embeddings"
    __table_args__ = (UniqueConstraint("source", "source_id", "embedder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = enum_column(TextSource)
    source_id: Mapped[int] = mapped_column()
    embedder: Mapped[str] = mapped_column(String(32))
    text_hash: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(SmallInteger)
    #: float32, little-endian, ``dim`` values (numpy ``tobytes()``).
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class AnalysisRun(Base):
    """A topic model or opinion-group run of one consultation (microblog's Task row, with its result)."""

    __tablename__ = "insight_runs"
    __table_args__ = (Index("ix_insight_runs_latest", "consultation_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    kind: Mapped[str] = enum_column(RunKind)
    status: Mapped[str] = enum_column(RunStatus, default=RunStatus.QUEUED)
    #: 0–100, with a short stage code ("embedding", "clustering", "labelling") the page translates.
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    stage: Mapped[str] = mapped_column(String(32), default="")
    #: What the planner chose: {"n_topics": 8 | None, "embedder": "multilingual", "seed": 0}.
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The library's result (to_dict()) plus what the pages need to find the texts again (source ids).
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    #: A stable reason code ("too_few_texts", "worker_lost", …) and its explanation for the page.
    reason: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Touched by the worker while it runs; a running run whose heartbeat stops is swept to failed ("worker_lost").
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.INSUFFICIENT, RunStatus.FAILED)


class TopicEdit(Base):
    """A planner's edit of a topic, kept across re-runs.

    ``anchor`` holds the (source, source_id) pairs of the texts the edited topic held when the edit was made;
    a new run's topic that shares most of them with the anchor receives the edit again.
    """

    __tablename__ = "insight_topic_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = enum_column(TopicEditAction)
    #: [[source, source_id], …] of the edited topic (for a merge: of the topic merged into the other).
    anchor: Mapped[list[Any]] = mapped_column(default=list)
    #: rename: {"label": …}; merge: {"into_anchor": [[source, id], …]}; split: {"parts": 2}; hide: {}.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    #: An edit can be undone; undone edits stay for the record.
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
