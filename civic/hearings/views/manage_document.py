"""The proposal editor: Markdown in a textarea, a live preview of the numbered sections (htmx, or a Preview
button without JavaScript), and a warning with a confirmation before sections with comments disappear."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _

from civic.accounts.permissions import PLANNERS, staff_required
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, render_fragment
from civic.extensions import db
from civic.hearings import services
from civic.hearings.document import Document
from civic.hearings.forms import DocumentForm
from civic.hearings.models import Hearing, HearingSection
from civic.hearings.views.manage_common import load_hearing

PAGE = "hearings/manage_document.html"
PREVIEW_PARTIAL = "hearings/_partials/manage_document_preview.html"


def _preview(hearing: Hearing, markdown: str) -> dict[str, Any]:
    """Parse the typed proposal for the preview: the sections, or the reason it cannot be split."""
    parsed: Document | None = None
    error = None
    losing: list[HearingSection] = []
    try:
        parsed = services.parse_or_explain(markdown)
        losing = services.sections_losing_comments(db.session, hearing, markdown)
    except DomainError as exc:
        error = exc.message
    return {"parsed": parsed, "preview_error": error, "losing": losing}


def _page(hearing: Hearing, form: DocumentForm, status: int = 200, **extra: Any) -> tuple[str, int]:
    context = {"hearing": hearing, "consultation": hearing.consultation, "form": form}
    context.update(_preview(hearing, form.document.data or ""))
    context.update(extra)
    return render_template(PAGE, **context), status


def edit_document(consultation_id: int) -> Response | tuple[str, int]:
    hearing = load_hearing(consultation_id)
    form = DocumentForm()
    if request.method == "GET":
        form.document.data = hearing.document
        return _page(hearing, form)
    form.validate_on_submit()  # carries the values (and checks CSRF); the rules are the parser's
    markdown = form.document.data or ""
    if request.form.get("action") == "preview":
        return _page(hearing, form, previewed=True)
    try:
        losing = services.sections_losing_comments(db.session, hearing, markdown)
    except DomainError as exc:
        form.document.errors = [exc.message]
        return _page(hearing, form, exc.status_code)
    if losing and not form.confirm_losing.data:
        form.confirm_losing.errors = [
            _("Some sections with comments would disappear. Tick the box to confirm, or keep their headings.")
        ]
        return _page(hearing, form, 422, confirm_needed=True)
    services.set_document(db.session, hearing, markdown)
    db.session.commit()
    if losing:
        flash(
            _(
                "Proposal saved. The comments on %(count)d removed sections are now on the whole document.",
                count=len(losing),
            ),
            "success",
        )
    else:
        flash(_("Proposal saved."), "success")
    return hx_redirect(url_for("hearings_manage.detail", consultation_id=hearing.consultation_id))


def preview_document(consultation_id: int) -> Response:
    """The live preview (htmx partial); without htmx, the editor page with the preview filled in."""
    hearing = load_hearing(consultation_id)
    form = DocumentForm()
    form.validate_on_submit()
    context = {"hearing": hearing, "consultation": hearing.consultation, "form": form, "previewed": True}
    context.update(_preview(hearing, form.document.data or ""))
    response = render_fragment(PAGE, PREVIEW_PARTIAL, **context)
    return make_response(response)


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule(
        "/<int:consultation_id>/document",
        "document",
        staff_required(*PLANNERS)(edit_document),
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/<int:consultation_id>/document/preview",
        "document_preview",
        staff_required(*PLANNERS)(preview_document),
        methods=["POST"],
    )
