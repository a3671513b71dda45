"""Structure edits of a survey: sections, questions and choices, guarded by the structural lock."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.consultations.models import Consultation, ConsultationKind
from civic.consultations.services import create_consultation
from civic.core.errors import InvalidInputError, StateError
from civic.surveys import structure  # noqa: F401 - registers the hook that renews structure keys on edits
from civic.surveys.builder_settings import clean_settings, default_settings, structural_part
from civic.surveys.conditions import (
    CONDITION_SOURCE_KINDS,
    check_order,
    question_order,
    require_no_dependents,
)
from civic.surveys.models import CHOICE_KINDS, Question, QuestionChoice, QuestionKind, Survey, SurveySection
from civic.surveys.versioning import has_answers, require_unlocked

OTHER_LABEL = {"nb": "Annet", "nn": "Anna", "en": "Other"}


def clean_texts(texts: dict[str, Any] | None) -> dict[str, str]:
    """Strip each language's text and drop the empty ones."""
    return {lang: str(text).strip() for lang, text in (texts or {}).items() if text and str(text).strip()}


def create_survey(session: Session, consultation: Consultation) -> Survey:
    """Create the questionnaire of a survey consultation with one empty section."""
    survey = Survey(consultation=consultation)
    survey.sections.append(SurveySection(position=0))
    session.add(survey)
    session.flush()
    return survey


def create_survey_consultation(
    session: Session, organisation: Organisation, *, actor: StaffUser | None, **fields: Any
) -> Survey:
    """Create a draft survey consultation and its survey."""
    consultation = create_consultation(
        session, organisation, actor=actor, kind=ConsultationKind.SURVEY, **fields
    )
    return create_survey(session, consultation)


# --- Sections -----------------------------------------------------------------------------------------


def add_section(session: Session, survey: Survey, *, title: dict[str, str] | None = None) -> SurveySection:
    """Add a section at the end."""
    require_unlocked(session, survey)
    position = max((s.position for s in survey.sections), default=-1) + 1
    section = SurveySection(position=position, title=clean_texts(title))
    survey.sections.append(section)
    session.flush()
    return section


def update_section(
    session: Session, section: SurveySection, *, title: dict[str, str], description: dict[str, str]
) -> SurveySection:
    """Change a section's texts (allowed when the structure is locked)."""
    section.title = clean_texts(title)
    section.description = clean_texts(description)
    session.flush()
    return section


def delete_section(session: Session, section: SurveySection) -> None:
    """Delete an empty section; a survey keeps at least one."""
    survey = section.survey
    require_unlocked(session, survey)
    if any(not q.is_archived for q in section.questions):
        raise StateError(_("Only empty sections can be deleted. Delete or move its questions first."))
    if section.questions:
        raise StateError(_("This section holds archived questions with answers, so it is kept."))
    if len(survey.sections) <= 1:
        raise StateError(_("A survey needs at least one section."))
    survey.sections.remove(section)  # delete-orphan deletes it (an extra session.delete breaks the flush)
    _apply_order(survey.sections, sorted(survey.sections, key=lambda s: s.position))
    session.flush()


def move_section(session: Session, section: SurveySection, offset: int) -> bool:
    """Move a section up (-1) or down (+1); return False at either end."""
    ordered = sorted(section.survey.sections, key=lambda s: s.position)
    new = _moved(ordered, section, offset)
    if new is None:
        return False
    _reorder_sections(session, section.survey, new)
    return True


def reorder_sections(session: Session, survey: Survey, ordered_ids: Sequence[int]) -> None:
    """Put the sections in the order of ``ordered_ids`` (from drag and drop)."""
    _reorder_sections(session, survey, _by_ids(survey.sections, ordered_ids))


def _reorder_sections(session: Session, survey: Survey, new: list[SurveySection]) -> None:
    if new == sorted(survey.sections, key=lambda s: s.position):
        return
    require_unlocked(session, survey)
    order = [q for s in new for q in sorted(s.questions, key=lambda q: q.position) if not q.is_archived]
    check_order(order)
    _apply_order(survey.sections, new)
    session.flush()


# --- Questions ----------------------------------------------------------------------------------------


def add_question(
    session: Session,
    section: SurveySection,
    *,
    kind: QuestionKind | str,
    text: dict[str, str],
    is_required: bool = False,
) -> Question:
    """Add a question of ``kind`` at the end of ``section`` with the kind's default settings."""
    require_unlocked(session, section.survey)
    try:
        kind = QuestionKind(kind)
    except ValueError:
        raise InvalidInputError(_("Choose a question type.")) from None
    text = clean_texts(text)
    if not text:
        raise InvalidInputError(_("Write the question."))
    position = max((q.position for q in section.questions), default=-1) + 1
    question = Question(
        survey=section.survey,
        position=position,
        kind=kind,
        text=text,
        is_required=is_required,
        settings=default_settings(kind),
    )
    section.questions.append(question)
    session.flush()
    return question


def update_question(
    session: Session,
    question: Question,
    *,
    text: dict[str, str],
    help_text: dict[str, str],
    is_required: bool,
    kind: QuestionKind | str,
    settings: dict[str, Any],
    has_other: bool = False,
) -> Question:
    """Save a question; when locked only texts (question, help, scale labels) may change."""
    try:
        kind = QuestionKind(kind)
    except ValueError:
        raise InvalidInputError(_("Choose a question type.")) from None
    text = clean_texts(text)
    if not text:
        raise InvalidInputError(_("Write the question."))
    kind_changed = kind != question.kind
    # A new kind starts from its defaults: the form showed the old kind's settings.
    cleaned = clean_settings(kind, {} if kind_changed else settings)
    has_other = has_other and kind == QuestionKind.SINGLE_CHOICE
    other = next((c for c in question.choices if c.is_other), None)
    structural_change = (
        kind_changed
        or is_required != question.is_required
        or structural_part(cleaned) != structural_part(question.settings)
        or has_other != (other is not None)
    )
    if structural_change:
        require_unlocked(session, question.survey)
    if kind_changed:
        _change_kind(session, question, kind)
    other = next((c for c in question.choices if c.is_other), None)
    if has_other and other is None:
        languages = question.survey.consultation.languages or ["nb"]
        add_choice(
            session, question, label={k: v for k, v in OTHER_LABEL.items() if k in languages}, is_other=True
        )
    elif not has_other and other is not None:
        delete_choice(session, other)
    question.text = text
    question.help_text = clean_texts(help_text)
    question.is_required = is_required
    question.settings = cleaned
    session.flush()
    return question


def _change_kind(session: Session, question: Question, kind: QuestionKind) -> None:
    if question.kind in CONDITION_SOURCE_KINDS and kind not in CONDITION_SOURCE_KINDS:
        require_no_dependents(session, question)
    if kind not in CHOICE_KINDS:
        question.choices.clear()
    elif kind != QuestionKind.SINGLE_CHOICE:
        for choice in [c for c in question.choices if c.is_other]:
            delete_choice(session, choice)
    question.kind = kind


def delete_question(session: Session, question: Question) -> bool:
    """Delete a question, or archive it if earlier versions have answers to it; return True if archived."""
    require_unlocked(session, question.survey)
    require_no_dependents(session, question)
    section = question.section
    if has_answers(session, question):
        question.is_archived = True
        archived = True
    else:
        section.questions.remove(question)  # delete-orphan deletes it
        archived = False
    _apply_order(section.questions, _with_archived_last(section.questions))
    session.flush()
    return archived


def move_question(session: Session, question: Question, offset: int) -> bool:
    """Move a question up (-1) or down (+1) inside its section; return False at either end."""
    section = question.section
    active = _active(section.questions)
    new = _moved(active, question, offset)
    if new is None:
        return False
    _reorder_questions(session, section, new)
    return True


def reorder_questions(session: Session, section: SurveySection, ordered_ids: Sequence[int]) -> None:
    """Put the section's questions in the order of ``ordered_ids`` (from drag and drop)."""
    _reorder_questions(session, section, _by_ids(_active(section.questions), ordered_ids))


def _reorder_questions(session: Session, section: SurveySection, new: list[Question]) -> None:
    if new == _active(section.questions):
        return
    require_unlocked(session, section.survey)
    order = []
    for other in sorted(section.survey.sections, key=lambda s: s.position):
        order.extend(new if other is section else _active(other.questions))
    check_order(order)
    _apply_order(section.questions, new + [q for q in section.questions if q.is_archived])
    session.flush()


# --- Choices ------------------------------------------------------------------------------------------


def add_choice(
    session: Session, question: Question, *, label: dict[str, str], is_other: bool = False
) -> QuestionChoice:
    """Add a choice with a fresh key; a regular choice goes before "Other", which stays last."""
    require_unlocked(session, question.survey)
    if question.kind not in CHOICE_KINDS:
        raise StateError(_("Only choice questions have choices."))
    label = clean_texts(label)
    if not label:
        raise InvalidInputError(_("Write the text of the choice."))
    choice = QuestionChoice(key=_new_key(question), label=label, is_other=is_other)
    ordered = sorted(question.choices, key=lambda c: c.position)
    others = [c for c in ordered if c.is_other]
    regular = [c for c in ordered if not c.is_other]
    question.choices.append(choice)
    _apply_order(question.choices, [*regular, choice, *others] if not is_other else [*ordered, choice])
    session.flush()
    return choice


def update_choice(session: Session, choice: QuestionChoice, *, label: dict[str, str]) -> QuestionChoice:
    """Change a choice's text (allowed when the structure is locked; the key stays)."""
    label = clean_texts(label)
    if not label:
        raise InvalidInputError(_("Write the text of the choice."))
    choice.label = label
    session.flush()
    return choice


def delete_choice(session: Session, choice: QuestionChoice) -> None:
    """Delete a choice unless another question's display condition uses it."""
    question = choice.question
    require_unlocked(session, question.survey)
    for other in question_order(question.survey):
        if other.condition_question_id == question.id and choice.key in (other.condition_choice_keys or []):
            raise StateError(_("A display condition uses this choice. Change that condition first."))
    question.choices.remove(choice)  # delete-orphan deletes it
    _apply_order(question.choices, sorted(question.choices, key=lambda c: c.position))
    session.flush()


def move_choice(session: Session, choice: QuestionChoice, offset: int) -> bool:
    """Move a choice up (-1) or down (+1); return False at either end."""
    ordered = sorted(choice.question.choices, key=lambda c: c.position)
    new = _moved(ordered, choice, offset)
    if new is None:
        return False
    _reorder_choices(session, choice.question, new)
    return True


def reorder_choices(session: Session, question: Question, ordered_ids: Sequence[int]) -> None:
    """Put the choices in the order of ``ordered_ids`` (from drag and drop)."""
    _reorder_choices(session, question, _by_ids(question.choices, ordered_ids))


def _reorder_choices(session: Session, question: Question, new: list[QuestionChoice]) -> None:
    if new == sorted(question.choices, key=lambda c: c.position):
        return
    require_unlocked(session, question.survey)
    _apply_order(question.choices, new)
    session.flush()


def _new_key(question: Question) -> str:
    """Return a random key: answers from earlier versions may still hold deleted keys, so never reuse one."""
    taken = {c.key for c in question.choices}
    while True:
        key = "c" + secrets.token_hex(5)
        if key not in taken:
            return key


# --- Ordering helpers ---------------------------------------------------------------------------------


def _active(questions: Sequence[Question]) -> list[Question]:
    return sorted((q for q in questions if not q.is_archived), key=lambda q: q.position)


def _with_archived_last(questions: Sequence[Question]) -> list[Question]:
    return _active(questions) + [q for q in questions if q.is_archived]


def _moved(items: list[Any], item: Any, offset: int) -> list[Any] | None:
    index = items.index(item)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(items):
        return None
    new = list(items)
    new[index], new[target] = new[target], new[index]
    return new


def _by_ids(items: Sequence[Any], ordered_ids: Sequence[int]) -> list[Any]:
    by_id = {item.id: item for item in items}
    if sorted(ordered_ids) != sorted(by_id):
        raise InvalidInputError(_("The list has changed in the meantime. Reload the page and try again."))
    return [by_id[item_id] for item_id in ordered_ids]


def _apply_order(collection: Any, ordered: Sequence[Any]) -> None:
    """Number ``ordered`` 0..n and sort the relationship list the same way so templates see the new order."""
    for position, item in enumerate(ordered):
        item.position = position
    collection.sort(key=lambda item: item.position)
