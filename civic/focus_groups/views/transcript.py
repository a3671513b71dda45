"""The transcript page of a focus group and its CSV/XLSX exports (staff)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from civic.accounts.models import Role
from civic.accounts.permissions import ALL_STAFF, same_organisation, staff_required
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.downloads import attachment, xlsx_attachment
from civic.extensions import db
from civic.focus_groups import exports
from civic.focus_groups.models import FocusGroup
from civic.focus_groups.transcript import ACTION_LABELS, build_transcript, kind_label

bp = Blueprint("focus_groups_transcript", __name__, url_prefix="/manage/focus-groups")

#: Exports hold every answer, hidden ones too: the roles that export other consultations' responses.
EXPORT_ROLES = (Role.ADMIN, Role.PLANNER, Role.MODERATOR)


def load_focus_group(consultation_id: int) -> FocusGroup:
    """The focus group of a consultation of the staff member's organisation; 404 otherwise."""
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    if consultation.kind != ConsultationKind.FOCUS_GROUP:
        abort(404)
    focus_group = db.session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation.id))
    if focus_group is None:
        abort(404)
    return focus_group


def optional_url(endpoint: str, **values: Any) -> str | None:
    """url_for, or None while the page another helper writes does not exist yet."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.get("/<int:consultation_id>/transcript")
@staff_required(*ALL_STAFF)
def page(consultation_id: int) -> str:
    focus_group = load_focus_group(consultation_id)
    return render_template(
        "focus_groups/transcript.html",
        consultation=focus_group.consultation,
        focus_group=focus_group,
        transcript=build_transcript(db.session, focus_group),
        kind_label=kind_label,
        action_labels=ACTION_LABELS,
        can_export=current_user.role in EXPORT_ROLES,
        detail_url=optional_url("focus_groups_manage.detail", consultation_id=consultation_id),
        analysis_url=optional_url("insight_runs.overview", consultation_id=consultation_id),
    )


@bp.get("/<int:consultation_id>/transcript.csv")
@staff_required(*EXPORT_ROLES)
def export_csv(consultation_id: int) -> Response:
    transcript = build_transcript(db.session, load_focus_group(consultation_id))
    return attachment(
        exports.write_csv(transcript), mimetype="text/csv; charset=utf-8", filename=exports.filename(transcript, "csv")
    )


@bp.get("/<int:consultation_id>/transcript.xlsx")
@staff_required(*EXPORT_ROLES)
def export_xlsx(consultation_id: int) -> Response:
    transcript = build_transcript(db.session, load_focus_group(consultation_id))
    return xlsx_attachment(
        lambda target: exports.write_xlsx(transcript, target), filename=exports.filename(transcript, "xlsx")
    )
