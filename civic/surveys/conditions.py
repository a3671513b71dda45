"""Display conditions: a question is shown only if an earlier answer includes one of the chosen keys.

Two sides share this module: the builder sets and guards conditions (set_condition, check_order,
require_no_dependents, eligible_sources), and the answering flow evaluates them over the raw form values
(``{field name: [strings]}``) with visible_question_ids, so page rendering, drafts and the final submit
apply one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.errors import InvalidInputError, StateError
from civic.surveys.answering import RawValues, field_name
from civic.surveys.models import Question, QuestionKind, Survey
from civic.surveys.versioning import require_unlocked

#: Kinds whose answers a condition can test: the resident picks choice keys.
CONDITION_SOURCE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


# --- builder side -----------------------------------------------------------------------------------------


def question_order(survey: Survey) -> list[Question]:
    """Return the active questions in answering order (pages by position, then questions by position)."""
    ordered = []
    for section in sorted(survey.sections, key=lambda s: s.position):
        ordered.extend(sorted((q for q in section.questions if not q.is_archived), key=lambda q: q.position))
    return ordered


def eligible_sources(question: Question) -> list[Question]:
    """Return the earlier choice questions that ``question``'s condition may depend on."""
    sources = []
    for other in question_order(question.survey):
        if other.id == question.id:
            break
        if other.kind in CONDITION_SOURCE_KINDS and other.choices:
            sources.append(other)
    return sources


def set_condition(
    session: Session, question: Question, *, source_id: int | None, choice_keys: Sequence[str]
) -> Question:
    """Show ``question`` only if the answer to ``source_id`` includes one of ``choice_keys``; None clears."""
    require_unlocked(session, question.survey)
    if source_id is None or not choice_keys:
        question.condition_question_id = None
        question.condition_choice_keys = []
        session.flush()
        return question
    source = next((q for q in eligible_sources(question) if q.id == source_id), None)
    if source is None:
        raise InvalidInputError(
            _("A condition can only depend on an earlier single or multiple choice question.")
        )
    known = {c.key for c in source.choices}
    keys = list(dict.fromkeys(choice_keys))
    if not set(keys) <= known:
        raise InvalidInputError(_("Choose answers that belong to the question the condition depends on."))
    question.condition_question_id = source.id
    question.condition_choice_keys = keys
    session.flush()
    return question


def check_order(order: Sequence[Question]) -> None:
    """Refuse an order in which a question comes before the question its condition depends on."""
    position = {q.id: i for i, q in enumerate(order)}
    for i, question in enumerate(order):
        source = question.condition_question_id
        if source is not None and source in position and position[source] >= i:
            raise StateError(
                _(
                    "A question must come after the question its display condition depends on. "
                    "Change the condition first."
                )
            )


def require_no_dependents(session: Session, question: Question) -> None:
    """Refuse to remove (or change the kind of) a question other questions' conditions depend on."""
    dependent = session.scalars(
        select(Question).where(Question.condition_question_id == question.id, Question.is_archived.is_(False))
    ).first()
    if dependent is not None:
        raise StateError(
            _("Another question's display condition depends on this question. Change that condition first.")
        )


# --- answering side ---------------------------------------------------------------------------------------


def chosen_keys(question: Question, raw: RawValues) -> set[str]:
    """Return the choice keys currently chosen for ``question`` (only keys that exist)."""
    known = {c.key for c in question.choices}
    return {value for value in raw.get(field_name(question), []) if value in known}


def visible_question_ids(questions: Iterable[Question], raw: RawValues) -> set[int]:
    """Return the ids of the questions whose display conditions are met.

    A condition on a hidden question is unmet (conditions chain). A condition on a question that is no
    longer active (archived) is ignored, so the dependent question cannot become unreachable.
    """
    ordered = list(questions)
    by_id: Mapping[int, Question] = {q.id: q for q in ordered}
    decided: dict[int, bool] = {}

    def is_visible(question: Question, seen: frozenset[int]) -> bool:
        if question.id in decided:
            return decided[question.id]
        parent = by_id.get(question.condition_question_id) if question.condition_question_id else None
        if parent is None or parent.id in seen:  # no condition, archived parent, or a cycle: show
            result = True
        else:
            result = is_visible(parent, seen | {question.id}) and bool(
                chosen_keys(parent, raw) & set(question.condition_choice_keys or [])
            )
        decided[question.id] = result
        return result

    return {q.id for q in ordered if is_visible(q, frozenset())}
