"""The proposal's PDF attachments: upload (checked in hearings.attachments), list, download, delete."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from civic.accounts.permissions import ALL_STAFF, PLANNERS, staff_required
from civic.core.errors import DomainError
from civic.core.errors_http import is_storage_full, storage_full_message
from civic.core.htmx import hx_redirect
from civic.extensions import db
from civic.hearings import attachments
from civic.hearings.forms import AttachmentForm
from civic.hearings.models import MAX_ATTACHMENT_BYTES, Hearing
from civic.hearings.views.manage_common import allow_large_upload, load_hearing

PAGE = "hearings/manage_attachments.html"


def _page(hearing: Hearing, form: AttachmentForm, status: int = 200, error: str | None = None) -> tuple[str, int]:
    html = render_template(
        PAGE,
        hearing=hearing,
        consultation=hearing.consultation,
        form=form,
        error=error,
        max_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024),
    )
    return html, status


def list_attachments(consultation_id: int) -> Response | tuple[str, int]:
    hearing = load_hearing(consultation_id)
    form = AttachmentForm()
    if request.method == "GET":
        return _page(hearing, form)
    form.validate_on_submit()  # checks CSRF; the rules are the service's, checked here field by field
    upload = request.files.get("file")
    filename = upload.filename if upload is not None and upload.filename else None
    data = attachments.read_limited(upload.stream) if filename else None
    for field, check in (
        (form.title, lambda: attachments.check_title(form.title.data)),
        (form.file, lambda: attachments.check_pdf(filename, data)),
    ):
        try:
            check()
        except DomainError as exc:
            field.errors = [exc.message]
    if form.title.errors or form.file.errors:
        return _page(hearing, form, 422)
    try:
        attachment = attachments.add_attachment(
            db.session, hearing, title=form.title.data or "", filename=filename, data=data
        )
        db.session.commit()
    except DBAPIError as exc:
        if not is_storage_full(exc):
            raise
        # The database had no room for the file: nothing is stored, the title typed is shown again.
        db.session.rollback()
        return _page(hearing, form, 507, error=storage_full_message())
    flash(_("Attachment “%(title)s” added.", title=attachment.title), "success")
    return hx_redirect(url_for("hearings_manage.attachments", consultation_id=hearing.consultation_id))


def download_attachment(consultation_id: int, attachment_id: int) -> Response:
    hearing = load_hearing(consultation_id)
    attachment = attachments.find_attachment(db.session, hearing, attachment_id)
    if attachment is None:
        abort(404)
    response = make_response(attachment.data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def delete_attachment(consultation_id: int, attachment_id: int) -> Response:
    hearing = load_hearing(consultation_id)
    attachment = attachments.find_attachment(db.session, hearing, attachment_id)
    if attachment is None:
        abort(404)
    title = attachment.title
    attachments.delete_attachment(db.session, attachment)
    db.session.commit()
    flash(_("Attachment “%(title)s” deleted.", title=title), "success")
    return hx_redirect(url_for("hearings_manage.attachments", consultation_id=hearing.consultation_id))


def add_routes(bp: Blueprint) -> None:
    bp.url_value_preprocessor(allow_large_upload({f"{bp.name}.attachments"}))
    bp.add_url_rule(
        "/<int:consultation_id>/attachments",
        "attachments",
        staff_required(*PLANNERS)(list_attachments),
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/<int:consultation_id>/attachments/<int:attachment_id>",
        "attachment",
        staff_required(*ALL_STAFF)(download_attachment),
    )
    bp.add_url_rule(
        "/<int:consultation_id>/attachments/<int:attachment_id>/delete",
        "delete_attachment",
        staff_required(*PLANNERS)(delete_attachment),
        methods=["POST"],
    )
