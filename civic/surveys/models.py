"""Survey structure (sections, questions, choices) and anonymous responses."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.consultations.models import Consultation
from civic.core.db import Base, TimestampMixin, enum_column
from civic.core.timeutils import now_utc


class QuestionKind(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SCALE = "scale"  # rating / Likert
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    RANKING = "ranking"
    MAP_POINT = "map_point"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class ResponseState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Survey(TimestampMixin, Base):
    """The questionnaire of a survey consultation."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    #: Structural version; answers record the version they were given under.
    version: Mapped[int] = mapped_column(default=1)
    #: Random key replaced on every structure or text edit (surveys.structure), so per-process caches of the
    #: structure are keyed by it and never serve a stale copy, even after a database is recreated.
    structure_key: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    consultation: Mapped[Consultation] = relationship()
    sections: Mapped[list[SurveySection]] = relationship(
        back_populates="survey", order_by="SurveySection.position", cascade="all, delete-orphan"
    )
    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number", cascade="all, delete-orphan"
    )

    @property
    def questions(self) -> list[Question]:
        """Active questions in answering order."""
        return [q for s in self.sections for q in s.questions if not q.is_archived]


class SurveyVersion(Base):
    """Log of explicit new versions made after answers arrived (who, when, why)."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    survey: Mapped[Survey] = relationship(back_populates="versions")


class SurveySection(Base):
    """A page of the survey."""

    __tablename__ = "survey_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict[str, Any]] = mapped_column(default=dict)
    description: Mapped[dict[str, Any]] = mapped_column(default=dict)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    """One question. ``settings`` holds the kind-specific limits (see surveys.question_types)."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = enum_column(QuestionKind)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    help_text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_required: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Display condition: show only if the answer to this question includes one of the choice keys.
    condition_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="SET NULL"), default=None
    )
    condition_choice_keys: Mapped[list[Any]] = mapped_column(default=list)
    #: Removed in a later version; kept so earlier answers stay readable.
    is_archived: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship()
    section: Mapped[SurveySection] = relationship(back_populates="questions")
    choices: Mapped[list[QuestionChoice]] = relationship(
        back_populates="question", order_by="QuestionChoice.position", cascade="all, delete-orphan"
    )

    @property
    def kind_enum(self) -> QuestionKind:
        return QuestionKind(self.kind)


class QuestionChoice(Base):
    """An answer option; ``key`` is stable across edits and used in answers."""

    __tablename__ = "survey_question_choices"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(32))
    label: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: "Other, please specify": choosing it asks for a text.
    is_other: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="choices")


class SurveyResponse(Base):
    """One resident's answers. Never linked to an identity, nor to an invitation.

    A response is found again only through ``draft_key_hash``: for a public link, the hash of a random
    draft key kept in the resident's cookie; for a personal link, core.tokens.response_key_hash of the
    link's token, which only the resident holds. On submit it copies the invitation's coarse segment.
    """

    __tablename__ = "survey_responses"
    # Few indexes on purpose: a submission writes this row twice (the lock's upsert, then the submit). With no
    # index on a column the submit changes, PostgreSQL updates the row in place (a HOT update) without writing
    # any index again. Every reader reads one survey's responses through the survey_id index and groups by
    # segment within them; per-segment and submitted_at indexes helped no query and cost about a third of
    # PostgreSQL's CPU per submission.

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    #: Unique: one response per personal link or draft cookie, even under concurrent submissions.
    draft_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    state: Mapped[str] = enum_column(ResponseState, default=ResponseState.DRAFT)
    survey_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str] = mapped_column(String(8), default="nb")
    #: The raw form values as typed, so nothing is lost on a validation error or a reload.
    draft_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    age_band: Mapped[str] = mapped_column(String(16), default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    household_type: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime] = mapped_column(default=now_utc)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    """A validated answer to one question, typed for aggregation."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (response_id, question_id) index serves lookups by response.
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    #: Chosen keys (single/multiple choice), or the full order (ranking).
    choice_keys: Mapped[list[Any]] = mapped_column(default=list)
    #: Free text, or the "other, please specify" text.
    text: Mapped[str | None] = mapped_column(Text, default=None)
    number: Mapped[float | None] = mapped_column(default=None)
    date_value: Mapped[date | None] = mapped_column(default=None)
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
