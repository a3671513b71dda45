"""Shared pieces of the builder views: loading with organisation checks, forms per object, responses."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from civic.accounts.models import StaffUser
from civic.accounts.permissions import same_organisation
from civic.consultations.forms import MoveForm
from civic.consultations.services import state_label
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.extensions import db
from civic.surveys.conditions import eligible_sources, question_order
from civic.surveys.forms_builder import (
    ChoiceForm,
    ConditionForm,
    NewQuestionForm,
    QuestionForm,
    SectionForm,
    VersionForm,
    has_choices,
    kind_labels,
)
from civic.surveys.models import Question, QuestionChoice, Survey, SurveySection
from civic.surveys.versioning import is_structure_locked

BUILDER_PAGE = "surveys/manage_builder.html"
QUESTION_PAGE = "surveys/manage_question.html"
SECTIONS_PARTIAL = "surveys/_partials/builder_sections.html"
SECTION_PARTIAL = "surveys/_partials/builder_section.html"
EDITOR_PARTIAL = "surveys/_partials/builder_question_editor.html"
VERSIONS_PARTIAL = "surveys/_partials/builder_versions.html"


def load_survey(survey_id: int) -> Survey:
    """Return the survey or 404 (also for other organisations' surveys)."""
    survey = db.get_or_404(Survey, survey_id)
    same_organisation(survey.consultation.organisation_id)
    return survey


def load_section(survey: Survey, section_id: int) -> SurveySection:
    """Return a section of ``survey`` or 404."""
    section = db.session.get(SurveySection, section_id)
    if section is None or section.survey_id != survey.id:
        abort(404)
    return section


def load_question(survey: Survey, question_id: int) -> Question:
    """Return an active question of ``survey`` or 404."""
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id or question.is_archived:
        abort(404)
    return question


def load_choice(question: Question, choice_id: int) -> QuestionChoice:
    """Return a choice of ``question`` or 404."""
    choice = db.session.get(QuestionChoice, choice_id)
    if choice is None or choice.question_id != question.id:
        abort(404)
    return choice


class FormBook:
    """Build each object's form on demand; the form that failed keeps what the user typed and its errors."""

    def __init__(self, survey: Survey, failed: FlaskForm | None = None) -> None:
        self.survey = survey
        self.languages = list(survey.consultation.languages or ["nb"])
        self.failed = failed

    def _get(self, cls: Any, prefix: str, fill: Any = None, **kwargs: Any) -> Any:
        if self.failed is not None and self.failed._prefix == f"{prefix}-":
            return self.failed
        form = cls(formdata=None, prefix=prefix, **kwargs)
        if fill is not None:
            fill(form)
        return form

    def new_section(self) -> Any:
        return self._get(SectionForm, "new-section", languages=self.languages)

    def section(self, section: SurveySection) -> Any:
        def fill(form: Any) -> None:
            form.fill_texts("title", section.title)
            form.fill_texts("description", section.description)

        return self._get(SectionForm, f"section-{section.id}", fill, languages=self.languages)

    def new_question(self, section: SurveySection) -> Any:
        return self._get(NewQuestionForm, f"new-question-{section.id}", languages=self.languages)

    def question(self, question: Question) -> Any:
        return self._get(
            QuestionForm, f"question-{question.id}", lambda f: f.fill_from(question), languages=self.languages
        )

    def choice(self, choice: QuestionChoice) -> Any:
        return self._get(
            ChoiceForm,
            f"choice-{choice.id}",
            lambda f: f.fill_texts("label", choice.label),
            languages=self.languages,
        )

    def new_choice(self, question: Question) -> Any:
        return self._get(ChoiceForm, f"new-choice-{question.id}", languages=self.languages)

    def condition(self, question: Question) -> Any:
        return self._get(
            ConditionForm,
            f"condition-{question.id}",
            lambda f: f.fill_from(question),
            sources=eligible_sources(question),
        )

    def version(self) -> Any:
        return self._get(VersionForm, "version")

    def move(self) -> Any:
        return MoveForm(formdata=None)


def builder_context(survey: Survey, *, failed: FlaskForm | None = None, **extra: Any) -> dict[str, Any]:
    """Return everything the builder templates need."""
    order = question_order(survey)
    actor_ids = {v.created_by_id for v in survey.versions if v.created_by_id}
    actors = (
        {u.id: u for u in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    return {
        "survey": survey,
        "consultation": survey.consultation,
        "languages": list(survey.consultation.languages or ["nb"]),
        "locked": is_structure_locked(db.session, survey),
        "forms": FormBook(survey, failed),
        "numbers": {q.id: n for n, q in enumerate(order, start=1)},
        "questions_by_id": {q.id: q for q in order},
        "kind_labels": kind_labels(),
        "has_choices": has_choices,
        "state_label": state_label,
        "version_actors": actors,
        "sources_for": eligible_sources,
        **extra,
    }


def builder_url(survey: Survey, anchor: str | None = None) -> str:
    """Return the builder page URL, optionally scrolled to an element."""
    url = url_for("surveys_manage.builder", survey_id=survey.id)
    return f"{url}#{anchor}" if anchor else url


def editor_url(question: Question) -> str:
    """Return the question editor page URL."""
    return url_for("surveys_manage.edit_question", survey_id=question.survey_id, question_id=question.id)


def done(survey: Survey, *, page: str, fragment: str, redirect_to: str, **ctx: Any) -> Response:
    """Answer a successful change: the changed fragment for htmx, a 303 to ``redirect_to`` otherwise."""
    db.session.commit()
    if not is_partial_request():
        return hx_redirect(redirect_to)
    return render_fragment(page, fragment, **builder_context(survey, **ctx))


def refused(
    survey: Survey,
    *,
    page: str,
    fragment: str,
    status: int,
    failed: FlaskForm | None = None,
    notice: str | None = None,
    **ctx: Any,
) -> Response:
    """Answer a refused change: nothing stored; the fragment or page again with the message and the values."""
    db.session.rollback()
    return render_fragment(
        page, fragment, status=status, **builder_context(survey, failed=failed, notice=notice, **ctx)
    )
