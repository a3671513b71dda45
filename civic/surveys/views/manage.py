"""Planner pages: create a survey consultation, the survey builder (sections), versions and duplication.

Question and choice routes live in manage_questions.py and are added to this blueprint.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic.accounts.permissions import PLANNERS, same_organisation, staff_required
from civic.consultations.forms import ConsultationForm, MoveForm, OrderForm
from civic.consultations.models import Consultation
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, render_fragment
from civic.extensions import db
from civic.surveys import builder as structure
from civic.surveys import duplication, versioning
from civic.surveys.forms_builder import SectionForm, VersionForm
from civic.surveys.models import Survey
from civic.surveys.views import manage_questions
from civic.surveys.views.builder_common import (
    BUILDER_PAGE,
    SECTION_PARTIAL,
    SECTIONS_PARTIAL,
    VERSIONS_PARTIAL,
    builder_context,
    builder_url,
    done,
    load_section,
    load_survey,
    refused,
)

bp = Blueprint("surveys_manage", __name__, url_prefix="/manage/surveys")
manage_questions.add_routes(bp)


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def new_survey() -> Response | str | tuple[str, int]:
    form = ConsultationForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("consultations/manage_form.html", form=form, consultation=None), status
    try:
        survey = structure.create_survey_consultation(
            db.session, current_user.organisation, actor=current_user, **form.to_fields()
        )
    except DomainError as exc:
        db.session.rollback()
        return (
            render_template(
                "consultations/manage_form.html", form=form, consultation=None, error=exc.message
            ),
            exc.status_code,
        )
    db.session.commit()
    flash(_("The survey is created. Add your questions."), "success")
    return hx_redirect(builder_url(survey))


@bp.get("/consultation/<int:consultation_id>")
@staff_required(*PLANNERS)
def for_consultation(consultation_id: int) -> Response:
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    survey = db.first_or_404(select(Survey).where(Survey.consultation_id == consultation.id))
    return redirect(builder_url(survey))


@bp.get("/<int:survey_id>")
@staff_required(*PLANNERS)
def builder(survey_id: int) -> Response:
    survey = load_survey(survey_id)
    return render_fragment(BUILDER_PAGE, SECTIONS_PARTIAL, **builder_context(survey))


@bp.get("/<int:survey_id>/sections/<int:section_id>")
@staff_required(*PLANNERS)
def section(survey_id: int, section_id: int) -> Response:
    survey = load_survey(survey_id)
    section = load_section(survey, section_id)
    return render_fragment(BUILDER_PAGE, SECTION_PARTIAL, **builder_context(survey, section=section))


@bp.post("/<int:survey_id>/sections")
@staff_required(*PLANNERS)
def add_section(survey_id: int) -> Response:
    survey = load_survey(survey_id)
    form = SectionForm(prefix="new-section", languages=survey.consultation.languages)
    page = {"page": BUILDER_PAGE, "fragment": SECTIONS_PARTIAL}
    if not form.validate_on_submit():
        return refused(survey, **page, status=422, failed=form)
    try:
        section = structure.add_section(db.session, survey, title=form.texts("title"))
    except DomainError as exc:
        return refused(survey, **page, status=exc.status_code, failed=form, notice=exc.message)
    return done(survey, **page, redirect_to=builder_url(survey, f"section-{section.id}"))


@bp.post("/<int:survey_id>/sections/<int:section_id>")
@staff_required(*PLANNERS)
def update_section(survey_id: int, section_id: int) -> Response:
    survey = load_survey(survey_id)
    section = load_section(survey, section_id)
    form = SectionForm(prefix=f"section-{section.id}", languages=survey.consultation.languages)
    page = {"page": BUILDER_PAGE, "fragment": SECTION_PARTIAL, "section": section}
    if not form.validate_on_submit():
        return refused(survey, **page, status=422, failed=form)
    structure.update_section(
        db.session, section, title=form.texts("title"), description=form.texts("description")
    )
    return done(survey, **page, redirect_to=builder_url(survey, f"section-{section.id}"), saved=section.id)


@bp.post("/<int:survey_id>/sections/<int:section_id>/delete")
@staff_required(*PLANNERS)
def delete_section(survey_id: int, section_id: int) -> Response:
    survey = load_survey(survey_id)
    section = load_section(survey, section_id)
    page = {"page": BUILDER_PAGE, "fragment": SECTIONS_PARTIAL}
    # CSRFProtect has already checked the token of this field-less form.
    try:
        structure.delete_section(db.session, section)
    except DomainError as exc:
        return refused(survey, **page, status=exc.status_code, notice=exc.message)
    return done(survey, **page, redirect_to=builder_url(survey))


@bp.post("/<int:survey_id>/sections/<int:section_id>/move")
@staff_required(*PLANNERS)
def move_section(survey_id: int, section_id: int) -> Response:
    survey = load_survey(survey_id)
    section = load_section(survey, section_id)
    form = MoveForm()
    page = {"page": BUILDER_PAGE, "fragment": SECTIONS_PARTIAL}
    if not form.validate_on_submit():
        return refused(survey, **page, status=400, notice=_("Choose to move up or down."))
    try:
        structure.move_section(db.session, section, form.offset)
    except DomainError as exc:
        return refused(survey, **page, status=exc.status_code, notice=exc.message)
    return done(survey, **page, redirect_to=builder_url(survey, f"section-{section.id}"))


@bp.post("/<int:survey_id>/sections/order")
@staff_required(*PLANNERS)
def order_sections(survey_id: int) -> Response:
    survey = load_survey(survey_id)
    form = OrderForm()
    page = {"page": BUILDER_PAGE, "fragment": SECTIONS_PARTIAL}
    try:
        if not form.validate_on_submit():
            raise ValueError
        structure.reorder_sections(db.session, survey, form.ids())
    except ValueError:
        return refused(survey, **page, status=400, notice=_("The new order could not be read."))
    except DomainError as exc:
        return refused(survey, **page, status=exc.status_code, notice=exc.message)
    return done(survey, **page, redirect_to=builder_url(survey))


@bp.post("/<int:survey_id>/versions")
@staff_required(*PLANNERS)
def create_version(survey_id: int) -> Response:
    survey = load_survey(survey_id)
    form = VersionForm(prefix="version")
    page = {"page": BUILDER_PAGE, "fragment": VERSIONS_PARTIAL}
    if not form.validate_on_submit():
        return refused(survey, **page, status=422, failed=form)
    try:
        version = versioning.create_version(db.session, survey, actor=current_user, reason=form.reason.data)
    except DomainError as exc:
        return refused(survey, **page, status=exc.status_code, failed=form, notice=exc.message)
    db.session.commit()
    flash(
        _("Version %(number)d started. You can change the structure again.", number=version.number), "success"
    )
    return hx_redirect(builder_url(survey))


@bp.post("/<int:survey_id>/duplicate")
@staff_required(*PLANNERS)
def duplicate(survey_id: int) -> Response:
    survey = load_survey(survey_id)
    copy = duplication.duplicate_survey(db.session, survey, actor=current_user)
    db.session.commit()
    flash(_("This is a copy in draft. Nobody has answered it yet."), "success")
    return hx_redirect(url_for("surveys_manage.builder", survey_id=copy.id))
