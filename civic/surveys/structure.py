"""A per-process cache of survey structures as immutable plain data, for the resident answering flow.

Validating a submission needs every section, question and choice, and rendering a page needs their texts
too; loading them as ORM objects on each request cost more CPU than everything else. The cache is keyed
by (survey id, ``Survey.structure_key``). The key is a random value replaced by a ``before_flush`` hook
whenever any Survey, SurveySection, Question or QuestionChoice is added, changed or deleted through the
ORM (the builder, duplication, versioning, seeding and tests all go through it), so every edit, of the
structure or of a text, is seen by the next request in every process: the key is read from the database
row on each request. A random key, unlike a counter, also stays unique when a database is recreated and
ids start again.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from civic.surveys.answering import field_names
from civic.surveys.models import Question, QuestionChoice, QuestionKind, Survey, SurveySection

MAX_CACHED = 256


@dataclass(frozen=True, eq=False, slots=True)
class ChoiceShape:
    """An answer option, as the answering checks and the answer pages read it."""

    id: int
    position: int
    key: str
    label: Mapping[str, str]
    is_other: bool


@dataclass(frozen=True, eq=False, slots=True)
class QuestionShape:
    """A question with the attributes the answering checks, conditions and answer pages read from ``Question``."""

    id: int
    section_id: int
    position: int
    kind: str
    kind_enum: QuestionKind
    text: Mapping[str, str]
    help_text: Mapping[str, str]
    is_required: bool
    settings: Mapping[str, Any]
    condition_question_id: int | None
    condition_choice_keys: tuple[Any, ...]
    is_archived: bool
    choices: tuple[ChoiceShape, ...]
    #: The form field names the question posts (surveys.answering.field_names reads them from here).
    fields: frozenset[str]


@dataclass(frozen=True, eq=False, slots=True)
class SectionShape:
    """A page: its texts and its questions in order, archived ones included (as ``SurveySection.questions``)."""

    id: int
    position: int
    title: Mapping[str, str]
    description: Mapping[str, str]
    questions: tuple[QuestionShape, ...]


@dataclass(frozen=True, eq=False, slots=True)
class SurveyShape:
    """A survey's pages, and its active questions in answering order (as ``Survey.questions``)."""

    id: int
    structure_key: str
    sections: tuple[SectionShape, ...]
    questions: tuple[QuestionShape, ...]


_cache: OrderedDict[tuple[int, str], SurveyShape] = OrderedDict()
_lock = threading.Lock()


def new_structure_key() -> str:
    """Return a fresh random structure key."""
    return secrets.token_hex(16)


def survey_structure(survey: Survey) -> SurveyShape:
    """Return the immutable structure of ``survey``, built once per process and structure key."""
    session = object_session(survey)
    if session is not None and (session.new or session.dirty or session.deleted):
        session.flush()  # pending edits renew the key first, so they are never cached under the old one
    key = (survey.id, survey.structure_key)
    shape = _cache.get(key)
    if shape is None:
        shape = _build(survey)
        with _lock:
            _cache[key] = shape
            while len(_cache) > MAX_CACHED:
                _cache.popitem(last=False)
    return shape


def structure_for(session: Session, survey_id: int, structure_key: str) -> SurveyShape:
    """Return the structure of the survey whose row holds ``structure_key``; load the survey only if not cached."""
    shape = _cache.get((survey_id, structure_key))
    if shape is not None:
        return shape
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise LookupError(f"survey {survey_id} not found")
    return survey_structure(survey)


def clear_cache() -> None:
    """Forget every cached structure."""
    with _lock:
        _cache.clear()


def _build(survey: Survey) -> SurveyShape:
    sections = tuple(
        SectionShape(
            id=s.id,
            position=s.position,
            title=_texts(s.title),
            description=_texts(s.description),
            questions=tuple(_question(q) for q in s.questions),
        )
        for s in survey.sections
    )
    active = tuple(q for s in sections for q in s.questions if not q.is_archived)
    return SurveyShape(id=survey.id, structure_key=survey.structure_key, sections=sections, questions=active)


def _question(question: Question) -> QuestionShape:
    return QuestionShape(
        id=question.id,
        section_id=question.section_id,
        position=question.position,
        kind=question.kind,
        kind_enum=question.kind_enum,
        text=_texts(question.text),
        help_text=_texts(question.help_text),
        is_required=bool(question.is_required),
        settings=MappingProxyType(copy.deepcopy(dict(question.settings or {}))),
        condition_question_id=question.condition_question_id,
        condition_choice_keys=tuple(question.condition_choice_keys or ()),
        is_archived=bool(question.is_archived),
        choices=tuple(
            ChoiceShape(id=c.id, position=c.position, key=c.key, label=_texts(c.label), is_other=bool(c.is_other))
            for c in question.choices
        ),
        fields=field_names(question),
    )


def _texts(value: Any) -> Mapping[str, str]:
    """Return a read-only copy of a {language: text} value (a plain string stays as it is)."""
    if isinstance(value, str):
        return value  # type: ignore[return-value] - localized() accepts both
    return MappingProxyType(dict(value or {}))


# --- invalidation -----------------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _renew_structure_keys(session: Session, flush_context: object, instances: object) -> None:
    """Give every survey whose structure or texts are about to change a new structure key."""
    touched: dict[int, Survey] = {}
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            survey = _owning_survey(session, obj)
            if survey is not None:
                touched[id(survey)] = survey
    for survey in touched.values():
        survey.structure_key = new_structure_key()


def _owning_survey(session: Session, obj: object) -> Survey | None:
    if isinstance(obj, Survey):
        return obj
    if isinstance(obj, QuestionChoice):
        question = obj.question
        if question is None and obj.question_id is not None:
            question = session.get(Question, obj.question_id)
        return _owning_survey(session, question) if question is not None else None
    if isinstance(obj, Question):
        survey = obj.survey or (obj.section.survey if obj.section is not None else None)
    elif isinstance(obj, SurveySection):
        survey = obj.survey
    else:
        return None
    if survey is None and obj.survey_id is not None:
        survey = session.get(Survey, obj.survey_id)
    return survey
