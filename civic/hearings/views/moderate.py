"""Moderator pages: the queue of held and flagged comments with bulk actions, the decision log, formal statements.

Moderators (and planners, admins) act; every staff member of the organisation may look at the queue and the log.
The services in civic/hearings/moderation.py do the work; these views parse the form and commit once.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import case, select

from civic.accounts.permissions import ALL_STAFF, MODERATORS, same_organisation, staff_required
from civic.consultations.models import Consultation
from civic.core.errors import DomainError, InvalidInputError
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.extensions import db
from civic.hearings import moderation
from civic.hearings.models import FormalStatement, Hearing, StatementState
from civic.hearings.services import find_hearing

bp = Blueprint("hearings_moderate", __name__, url_prefix="/manage/hearings")

QUEUE_PAGE = "hearings/moderate_queue.html"
QUEUE_PARTIAL = "hearings/_partials/moderate_queue.html"


def load_hearing(consultation_id: int) -> tuple[Consultation, Hearing]:
    """The staff member's own organisation's hearing; 404 for other organisations and for non-hearings."""
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    hearing = find_hearing(db.session, consultation)
    if hearing is None:
        abort(404)
    return consultation, hearing


def _reason_filter() -> str | None:
    reason = request.values.get("filter", "")
    return reason if reason in (*moderation.QUEUE_REASONS, moderation.HIDDEN_FILTER) else None


def _queue_response(
    consultation: Consultation,
    hearing: Hearing,
    *,
    status: int = 200,
    error: str | None = None,
    message: str | None = None,
    selected: set[int] | None = None,
    reason_text: str = "",
) -> Response:
    active = _reason_filter()
    queue = moderation.comment_queue(db.session, hearing, reason=active)
    if active == moderation.HIDDEN_FILTER:
        queue.items = moderation.hidden_comments(db.session, hearing)
    return render_fragment(
        QUEUE_PAGE,
        QUEUE_PARTIAL,
        status=status,
        consultation=consultation,
        hearing=hearing,
        queue=queue,
        active_filter=active,
        reasons=moderation.QUEUE_REASONS,
        hidden_filter=moderation.HIDDEN_FILTER,
        hidden_count=moderation.count_hidden(db.session, hearing),
        reason_label=moderation.reason_label,
        flag_reason_label=moderation.flag_reason_label,
        can_act=current_user.role in MODERATORS,
        error=error,
        message=message,
        selected=selected or set(),
        reason_text=reason_text,
    )


@bp.get("/<int:consultation_id>/moderation")
@staff_required(*ALL_STAFF)
def queue(consultation_id: int) -> Response:
    consultation, hearing = load_hearing(consultation_id)
    return _queue_response(consultation, hearing)


@bp.post("/<int:consultation_id>/moderation")
@staff_required(*MODERATORS)
def decide(consultation_id: int) -> Response:
    consultation, hearing = load_hearing(consultation_id)
    raw_ids = request.form.getlist("comment_id")
    ids = {int(value) for value in raw_ids if value.isdigit()}
    action = request.form.get("action", "")
    reason_text = request.form.get("reason", "")
    try:
        if len(ids) != len(raw_ids):
            raise InvalidInputError(_("Choose comments from the list."))
        decisions = moderation.decide(db.session, current_user, hearing, ids, action, reason_text)
    except DomainError as exc:
        db.session.rollback()
        return _queue_response(
            consultation, hearing, status=exc.status_code, error=exc.message, selected=ids, reason_text=reason_text
        )
    db.session.commit()
    count = len(decisions)
    messages = {
        "publish": ngettext("%(num)d comment published.", "%(num)d comments published.", count),
        "hide": ngettext("%(num)d comment hidden.", "%(num)d comments hidden.", count),
        "restore": ngettext("%(num)d comment restored.", "%(num)d comments restored.", count),
    }
    message = messages[action]
    if is_partial_request():
        return _queue_response(consultation, hearing, message=message)
    flash(message, "success")
    return hx_redirect(url_for(".queue", consultation_id=consultation.id, filter=_reason_filter()))


@bp.get("/<int:consultation_id>/moderation/log")
@staff_required(*ALL_STAFF)
def log(consultation_id: int) -> Response:
    consultation, hearing = load_hearing(consultation_id)
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    entries, has_more = moderation.decision_log(db.session, hearing, page=page_number)
    return render_fragment(
        "hearings/moderate_log.html",
        "hearings/_partials/moderate_log.html",
        consultation=consultation,
        hearing=hearing,
        entries=entries,
        page=page_number,
        has_more=has_more,
        action_label=moderation.action_label,
        state_label=moderation.state_label,
    )


def _statements_response(
    consultation: Consultation,
    hearing: Hearing,
    *,
    status: int = 200,
    error: str | None = None,
    error_statement: int | None = None,
    reason_text: str = "",
) -> Response:
    pending_first = case((FormalStatement.state == StatementState.PENDING, 0), else_=1)
    statements = db.session.scalars(
        select(FormalStatement)
        .where(FormalStatement.hearing_id == hearing.id)
        .order_by(pending_first, FormalStatement.submitted_at.desc(), FormalStatement.id.desc())
    ).all()
    return render_fragment(
        "hearings/moderate_statements.html",
        "hearings/_partials/moderate_statements.html",
        status=status,
        consultation=consultation,
        hearing=hearing,
        statements=statements,
        can_act=current_user.role in MODERATORS,
        state_label=moderation.state_label,
        error=error,
        error_statement=error_statement,
        reason_text=reason_text,
    )


@bp.get("/<int:consultation_id>/statements")
@staff_required(*ALL_STAFF)
def statements(consultation_id: int) -> Response:
    consultation, hearing = load_hearing(consultation_id)
    return _statements_response(consultation, hearing)


def _load_statement(hearing: Hearing, statement_id: int) -> FormalStatement:
    statement = db.session.get(FormalStatement, statement_id)
    if statement is None or statement.hearing_id != hearing.id:
        abort(404)
    return statement


@bp.post("/<int:consultation_id>/statements/<int:statement_id>")
@staff_required(*MODERATORS)
def decide_statement(consultation_id: int, statement_id: int) -> Response:
    consultation, hearing = load_hearing(consultation_id)
    statement = _load_statement(hearing, statement_id)
    action = request.form.get("action", "")
    reason_text = request.form.get("reason", "")
    try:
        moderation.decide_statement(db.session, current_user, statement, action, reason_text)
    except DomainError as exc:
        db.session.rollback()
        return _statements_response(
            consultation,
            hearing,
            status=exc.status_code,
            error=exc.message,
            error_statement=statement_id,
            reason_text=reason_text,
        )
    db.session.commit()
    message = (
        _("The statement from %(name)s is published.", name=statement.signer_name)
        if statement.state == StatementState.PUBLISHED
        else _("The statement from %(name)s is rejected.", name=statement.signer_name)
    )
    flash(message, "success")
    return hx_redirect(url_for(".statements", consultation_id=consultation.id))


@bp.get("/<int:consultation_id>/statements/<int:statement_id>/attachment")
@staff_required(*ALL_STAFF)
def statement_attachment(consultation_id: int, statement_id: int) -> Response:
    """The statement's PDF for reviewing it before publication (always downloaded, never shown inline)."""
    _consultation, hearing = load_hearing(consultation_id)
    statement = _load_statement(hearing, statement_id)
    if statement.attachment_data is None:
        abort(404)
    response = Response(statement.attachment_data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=statement-{statement.id}.pdf"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
