"""Builder routes for questions, choices and display conditions (added to the surveys_manage blueprint)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import gettext as _

from civic.accounts.permissions import PLANNERS, staff_required
from civic.consultations.forms import MoveForm, OrderForm
from civic.core.errors import DomainError
from civic.core.htmx import render_fragment
from civic.extensions import db
from civic.surveys import builder, conditions
from civic.surveys.builder_settings import SettingsError
from civic.surveys.forms_builder import (
    ChoiceForm,
    ConditionForm,
    NewQuestionForm,
    QuestionForm,
)
from civic.surveys.views.builder_common import (
    BUILDER_PAGE,
    EDITOR_PARTIAL,
    QUESTION_PAGE,
    SECTION_PARTIAL,
    builder_context,
    builder_url,
    done,
    editor_url,
    load_choice,
    load_question,
    load_section,
    load_survey,
    refused,
)


def _editor(question: object) -> dict[str, object]:
    return {"page": QUESTION_PAGE, "fragment": EDITOR_PARTIAL, "question": question}


def _in_section(section: object) -> dict[str, object]:
    return {"page": BUILDER_PAGE, "fragment": SECTION_PARTIAL, "section": section}


@staff_required(*PLANNERS)
def add_question(survey_id: int, section_id: int) -> Response:
    survey = load_survey(survey_id)
    section = load_section(survey, section_id)
    form = NewQuestionForm(prefix=f"new-question-{section.id}", languages=survey.consultation.languages)
    if not form.validate_on_submit():
        return refused(survey, **_in_section(section), status=422, failed=form)
    try:
        question = builder.add_question(db.session, section, kind=form.kind.data, text=form.texts("text"))
    except DomainError as exc:
        return refused(
            survey, **_in_section(section), status=exc.status_code, failed=form, notice=exc.message
        )
    # Open the new question's editor right away: choices and settings come next.
    return done(
        survey, **_in_section(section), redirect_to=editor_url(question), open_question_id=question.id
    )


@staff_required(*PLANNERS)
def order_questions(survey_id: int, section_id: int) -> Response:
    survey = load_survey(survey_id)
    section = load_section(survey, section_id)
    form = OrderForm()
    try:
        if not form.validate_on_submit():
            raise ValueError
        builder.reorder_questions(db.session, section, form.ids())
    except ValueError:
        return refused(
            survey, **_in_section(section), status=400, notice=_("The new order could not be read.")
        )
    except DomainError as exc:
        return refused(survey, **_in_section(section), status=exc.status_code, notice=exc.message)
    return done(survey, **_in_section(section), redirect_to=builder_url(survey, f"section-{section.id}"))


@staff_required(*PLANNERS)
def edit_question(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    return render_fragment(QUESTION_PAGE, EDITOR_PARTIAL, **builder_context(survey, question=question))


@staff_required(*PLANNERS)
def update_question(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    form = QuestionForm(prefix=f"question-{question.id}", languages=survey.consultation.languages)
    if not form.validate_on_submit():
        return refused(survey, **_editor(question), status=422, failed=form)
    try:
        builder.update_question(
            db.session,
            question,
            text=form.texts("text"),
            help_text=form.texts("help"),
            is_required=form.is_required.data,
            kind=form.kind.data,
            settings=form.settings(),
            has_other=form.has_other.data,
        )
    except SettingsError as exc:
        field = form.error_field(exc.field)
        field.errors = [*field.errors, exc.message]
        return refused(survey, **_editor(question), status=422, failed=form)
    except DomainError as exc:
        return refused(survey, **_editor(question), status=exc.status_code, failed=form, notice=exc.message)
    return done(survey, **_editor(question), redirect_to=editor_url(question), saved=True)


@staff_required(*PLANNERS)
def delete_question(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    section = question.section
    try:
        archived = builder.delete_question(db.session, question)
    except DomainError as exc:
        return refused(survey, **_in_section(section), status=exc.status_code, notice=exc.message)
    message = _("The question is archived: earlier answers to it are kept.") if archived else None
    return done(
        survey,
        **_in_section(section),
        redirect_to=builder_url(survey, f"section-{section.id}"),
        message=message,
    )


@staff_required(*PLANNERS)
def move_question(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    section = question.section
    form = MoveForm()
    if not form.validate_on_submit():
        return refused(survey, **_in_section(section), status=400, notice=_("Choose to move up or down."))
    try:
        builder.move_question(db.session, question, form.offset)
    except DomainError as exc:
        return refused(survey, **_in_section(section), status=exc.status_code, notice=exc.message)
    return done(survey, **_in_section(section), redirect_to=builder_url(survey, f"question-{question.id}"))


@staff_required(*PLANNERS)
def set_condition(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    form = ConditionForm(prefix=f"condition-{question.id}", sources=conditions.eligible_sources(question))
    if not form.validate_on_submit():
        return refused(survey, **_editor(question), status=422, failed=form)
    try:
        source_id, keys = form.parsed()
    except ValueError:
        form.choices.errors = [_("Choose answers from one question only.")]
        return refused(survey, **_editor(question), status=422, failed=form)
    try:
        conditions.set_condition(db.session, question, source_id=source_id, choice_keys=keys)
    except DomainError as exc:
        form.choices.errors = [exc.message]
        return refused(survey, **_editor(question), status=exc.status_code, failed=form, notice=exc.message)
    return done(survey, **_editor(question), redirect_to=editor_url(question), saved=True)


@staff_required(*PLANNERS)
def add_choice(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    form = ChoiceForm(prefix=f"new-choice-{question.id}", languages=survey.consultation.languages)
    if not form.validate_on_submit():
        return refused(survey, **_editor(question), status=422, failed=form)
    try:
        builder.add_choice(db.session, question, label=form.texts("label"))
    except DomainError as exc:
        return refused(survey, **_editor(question), status=exc.status_code, failed=form, notice=exc.message)
    return done(
        survey, **_editor(question), redirect_to=editor_url(question) + "#choices-" + str(question.id)
    )


@staff_required(*PLANNERS)
def update_choice(survey_id: int, question_id: int, choice_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    choice = load_choice(question, choice_id)
    form = ChoiceForm(prefix=f"choice-{choice.id}", languages=survey.consultation.languages)
    if not form.validate_on_submit():
        return refused(survey, **_editor(question), status=422, failed=form)
    try:
        builder.update_choice(db.session, choice, label=form.texts("label"))
    except DomainError as exc:
        return refused(survey, **_editor(question), status=exc.status_code, failed=form, notice=exc.message)
    return done(survey, **_editor(question), redirect_to=editor_url(question) + f"#choice-{choice.id}")


@staff_required(*PLANNERS)
def delete_choice(survey_id: int, question_id: int, choice_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    choice = load_choice(question, choice_id)
    try:
        builder.delete_choice(db.session, choice)
    except DomainError as exc:
        return refused(survey, **_editor(question), status=exc.status_code, notice=exc.message)
    return done(survey, **_editor(question), redirect_to=editor_url(question) + f"#choices-{question.id}")


@staff_required(*PLANNERS)
def move_choice(survey_id: int, question_id: int, choice_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    choice = load_choice(question, choice_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return refused(survey, **_editor(question), status=400, notice=_("Choose to move up or down."))
    try:
        builder.move_choice(db.session, choice, form.offset)
    except DomainError as exc:
        return refused(survey, **_editor(question), status=exc.status_code, notice=exc.message)
    return done(survey, **_editor(question), redirect_to=editor_url(question) + f"#choice-{choice.id}")


@staff_required(*PLANNERS)
def order_choices(survey_id: int, question_id: int) -> Response:
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    form = OrderForm()
    try:
        if not form.validate_on_submit():
            raise ValueError
        builder.reorder_choices(db.session, question, form.ids())
    except ValueError:
        return refused(survey, **_editor(question), status=400, notice=_("The new order could not be read."))
    except DomainError as exc:
        return refused(survey, **_editor(question), status=exc.status_code, notice=exc.message)
    return done(survey, **_editor(question), redirect_to=editor_url(question))


ROUTES = (
    ("/<int:survey_id>/sections/<int:section_id>/questions", add_question, ["POST"]),
    ("/<int:survey_id>/sections/<int:section_id>/questions/order", order_questions, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>", edit_question, ["GET"]),
    ("/<int:survey_id>/questions/<int:question_id>", update_question, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/delete", delete_question, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/move", move_question, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/condition", set_condition, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/choices", add_choice, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/choices/order", order_choices, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>", update_choice, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/delete", delete_choice, ["POST"]),
    ("/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/move", move_choice, ["POST"]),
)


def add_routes(bp: Blueprint) -> None:
    """Add the question and choice routes to the planner blueprint (endpoints keep their function names)."""
    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=methods)
