"""The planner's report composer: choose sections, write texts, preview, publish, refresh, unpublish.

Who may do what: every staff role sees the reports, the composer and the preview (``VIEW_ROLES``); admins and
planners save and publish (``EDIT_ROLES``). Saving is its own endpoint on the composer's URL, so the permission
matrix can tell viewing from saving. Every action of the form saves what was typed before it acts, so a refused
publication never loses text. Staff see only their own organisation's consultations (404 otherwise).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic.accounts.permissions import ALL_STAFF, PLANNERS, same_organisation, staff_required
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.consultations.services import state_label
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.core.i18n import LANGUAGE_NAMES, current_locale, localized
from civic.extensions import db
from civic.reports import publishing
from civic.reports.forms import TEXTS, ReportForm
from civic.reports.models import Report, ReportState
from civic.reports.publishing import ReportError
from civic.reports.snapshot import build_snapshot
from civic.reports.summaries import day, section_label
from civic.reports.views_public import render_report

bp = Blueprint("reports_compose", __name__, url_prefix="/manage/reports")

VIEW_ROLES = ALL_STAFF
EDIT_ROLES = PLANNERS
PAGE = "reports/compose/edit.html"
PARTIAL = "reports/compose/_compose.html"


def _load(consultation_id: int) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    return consultation


def _consultation_url(consultation: Consultation) -> str:
    if consultation.kind == ConsultationKind.HEARING:
        return url_for("hearings_manage.detail", consultation_id=consultation.id)
    return url_for("consultations.detail", consultation_id=consultation.id)


def _form(consultation: Consultation, report: Report) -> ReportForm:
    districts = sorted({*publishing.known_districts(db.session, consultation), *report.districts})
    return ReportForm().setup(consultation, districts)


def _warnings(consultation: Consultation, report: Report) -> list[str]:
    """What would surprise a planner on publishing: an open consultation, a chosen text left empty."""
    notes = []
    if consultation.state not in (ConsultationState.CLOSED, ConsultationState.PUBLISHED):
        notes.append(
            _(
                "The consultation is %(state)s. Its report can be published once it is closed.",
                state=state_label(consultation.state),
            )
        )
    for name in TEXTS:
        if name in report.sections and not localized(getattr(report, name), consultation.default_language):
            notes.append(_("“%(section)s” has no text yet, so the section is left out.", section=section_label(name)))
    return notes


def _render(
    consultation: Consultation, report: Report, form: ReportForm, *, status: int = 200, **extra: Any
) -> Response:
    context = {
        "consultation": consultation,
        "report": report,
        "form": form,
        "can_edit": current_user.role in EDIT_ROLES,
        "is_published": report.state == ReportState.PUBLISHED,
        "consultation_url": _consultation_url(consultation),
        "public_url": url_for("reports_public.report", public_id=consultation.public_id, _external=True),
        "warnings": _warnings(consultation, report),
        "state_label": state_label,
        "language_names": LANGUAGE_NAMES,
        "built_at": day((report.snapshot or {}).get("built_at")),
        "outcomes_url": url_for("reports_outcomes.edit", consultation_id=consultation.id),
        **extra,
    }
    return render_fragment(PAGE, PARTIAL, status=status, **context)


def _done(consultation: Consultation, message: str) -> Response:
    """Finish a successful action: the fragment for htmx, a redirect with a flash message otherwise."""
    if not is_partial_request():
        flash(message, "success")
        return redirect(url_for("reports_compose.edit", consultation_id=consultation.id), code=303)
    report = publishing.get_or_create_report(db.session, consultation)
    form = _form(consultation, report)
    form.fill_from(report)
    return _render(consultation, report, form, message=message)


def _save_composed(consultation: Consultation) -> tuple[Report, ReportForm, Response | None]:
    """Save the posted form if one was posted; return the report, the form and an error page (or None)."""
    report = publishing.find_report(db.session, consultation) or publishing.default_report(consultation)
    form = _form(consultation, report)
    if "compose" not in request.form:
        form.fill_from(report)
        return publishing.get_or_create_report(db.session, consultation), form, None
    if not form.validate_on_submit():
        error = _("Some fields need another look. Nothing was saved yet; what you typed is still here.")
        return report, form, _render(consultation, report, form, status=422, error=error)
    report = publishing.get_or_create_report(db.session, consultation)
    try:
        publishing.update_report(db.session, report, **form.to_fields())
    except ReportError as exc:
        db.session.rollback()
        return report, form, _render(consultation, report, form, status=exc.status_code, error=exc.message)
    db.session.commit()
    return report, form, None


@bp.get("/")
@staff_required(*VIEW_ROLES)
def index() -> Response:
    rows = db.session.execute(
        select(Consultation, Report)
        .outerjoin(Report, Report.consultation_id == Consultation.id)
        .where(Consultation.organisation_id == current_user.organisation_id)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    ).all()
    overview_url = url_for("reports_overview.index", slug=current_user.organisation.slug)
    return make_response(
        render_template("reports/compose/index.html", rows=rows, state_label=state_label, overview_url=overview_url)
    )


@bp.get("/<int:consultation_id>")
@staff_required(*VIEW_ROLES)
def edit(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    report = publishing.find_report(db.session, consultation) or publishing.default_report(consultation)
    form = _form(consultation, report)
    form.fill_from(report)
    return _render(consultation, report, form)


@bp.post("/<int:consultation_id>", endpoint="save")
@staff_required(*EDIT_ROLES)
def save(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    report, _unused, error = _save_composed(consultation)
    if error is not None:
        return error
    if request.form.get("then") == "preview":
        return hx_redirect(url_for("reports_compose.preview", consultation_id=consultation.id))
    if report.state == ReportState.PUBLISHED:
        return _done(consultation, _("Saved. The published report shows your changes now."))
    return _done(consultation, _("Saved."))


@bp.get("/<int:consultation_id>/preview")
@staff_required(*VIEW_ROLES)
def preview(consultation_id: int) -> Response:
    """Render the public page from figures built now (not stored), with a "not published" banner."""
    consultation = _load(consultation_id)
    report = publishing.find_report(db.session, consultation) or publishing.default_report(consultation)
    snapshot = build_snapshot(db.session, report)
    html = render_report(report, snapshot, current_locale(), public=False, preview=True)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:consultation_id>/publish")
@staff_required(*EDIT_ROLES)
def publish(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    report, form, error = _save_composed(consultation)
    if error is not None:
        return error
    refresh = report.state == ReportState.PUBLISHED
    try:
        publishing.publish(db.session, report, current_user)
    except ReportError as exc:
        db.session.rollback()
        saved = _("Your changes are saved, but the report was not published.") if "compose" in request.form else ""
        return _render(consultation, report, form, status=exc.status_code, error=f"{saved} {exc.message}".strip())
    db.session.commit()
    if refresh:
        return _done(consultation, _("The figures are refreshed: version %(n)d is published.", n=report.version))
    return _done(consultation, _("The report is published."))


@bp.post("/<int:consultation_id>/unpublish")
@staff_required(*EDIT_ROLES)
def unpublish(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    report, form, error = _save_composed(consultation)
    if error is not None:
        return error
    try:
        publishing.unpublish(db.session, report, current_user)
    except ReportError as exc:
        db.session.rollback()
        return _render(consultation, report, form, status=exc.status_code, error=exc.message)
    db.session.commit()
    return _done(
        consultation, _("The report is no longer public. Its address shows “not found” until you publish it again.")
    )
