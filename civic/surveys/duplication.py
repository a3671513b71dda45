"""Duplicate a survey into a new draft consultation (structure only, never responses)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.consultations.models import Access, ConsultationKind
from civic.consultations.services import create_consultation
from civic.surveys.models import Question, QuestionChoice, Survey, SurveySection


def copy_title(title: dict[str, str]) -> dict[str, str]:
    """Prefix each language's title with "Copy of", translated into that language."""
    copied = {}
    for lang, text in title.items():
        if not text:
            continue
        with force_locale(lang):
            copied[lang] = _("Copy of %(title)s", title=text)
    return copied


def duplicate_survey(session: Session, survey: Survey, *, actor: StaffUser | None) -> Survey:
    """Create a draft consultation with a deep copy of ``survey``'s active structure."""
    source = survey.consultation
    consultation = create_consultation(
        session,
        source.organisation,
        actor=actor,
        kind=ConsultationKind.SURVEY,
        title=copy_title(source.title or {}),
        summary=dict(source.summary or {}),
        body=dict(source.body or {}),
        languages=list(source.languages or ["nb"]),
        access=Access(source.access),
    )
    copy = Survey(consultation=consultation)
    session.add(copy)
    new_questions: dict[int, Question] = {}
    pending_conditions: list[tuple[Question, Question]] = []
    for s_pos, section in enumerate(sorted(survey.sections, key=lambda s: s.position)):
        new_section = SurveySection(
            position=s_pos, title=dict(section.title or {}), description=dict(section.description or {})
        )
        copy.sections.append(new_section)
        active = sorted((q for q in section.questions if not q.is_archived), key=lambda q: q.position)
        for q_pos, question in enumerate(active):
            new_question = Question(
                survey=copy,
                position=q_pos,
                kind=question.kind,
                text=dict(question.text or {}),
                help_text=dict(question.help_text or {}),
                is_required=question.is_required,
                settings=_deep_copy(question.settings or {}),
                condition_choice_keys=list(question.condition_choice_keys or []),
                choices=[
                    QuestionChoice(
                        position=c.position, key=c.key, label=dict(c.label or {}), is_other=c.is_other
                    )
                    for c in sorted(question.choices, key=lambda c: c.position)
                ],
            )
            new_section.questions.append(new_question)
            new_questions[question.id] = new_question
            if question.condition_question_id is not None:
                pending_conditions.append((question, new_question))
    session.flush()
    # Conditions point at the copied questions, whose ids exist only after the flush.
    for original, new_question in pending_conditions:
        target = new_questions.get(original.condition_question_id)  # type: ignore[arg-type]
        if target is None:
            new_question.condition_question_id = None
            new_question.condition_choice_keys = []
        else:
            new_question.condition_question_id = target.id
    session.flush()
    return copy


def _deep_copy(value: object) -> object:
    if isinstance(value, dict):
        return {key: _deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep_copy(item) for item in value]
    return value
