"""Formal statements on the resident side: the published list, the submission form and the PDF download.

Statements are listed apart from comments, with the signer's name (they are public records). A submitted
statement waits for a moderator (views/moderate.py); the resident gets a receipt that says so.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import parse as parse_limit
from sqlalchemy.exc import DBAPIError

from civic.core.errors import DomainError
from civic.core.errors_http import is_storage_full, storage_full_message
from civic.core.htmx import hx_redirect, render_fragment
from civic.extensions import db, limiter
from civic.hearings.attachments import read_limited
from civic.hearings.forms import StatementForm
from civic.hearings.models import Participant
from civic.hearings.participants import check_can_contribute
from civic.hearings.statements import (
    MAX_BODY_LENGTH,
    MIN_BODY_LENGTH,
    StatementInputError,
    UploadedPdf,
    find_published,
    list_published,
    submit_statement,
)
from civic.hearings.views.common import (
    ForgedCookieError,
    PublicHearing,
    current_participant,
    forget_participant_cookie,
    load_public_hearing,
)
from civic.hearings.views.manage_common import allow_large_upload, optional_url

bp = Blueprint("hearings_statements", __name__)
bp.url_value_preprocessor(allow_large_upload({"hearings_statements.submit"}))

PAGE = "hearings/statements.html"
FORM_PARTIAL = "hearings/_partials/statement_form.html"
RECEIPT_KEY = "hearing_statement_receipt"


def _participant(found: PublicHearing) -> tuple[Participant | None, bool]:
    """The participant of the cookie, if any; (None, True) when the cookie was forged (it is then forgotten)."""
    try:
        return current_participant(found.hearing), False
    except ForgedCookieError:
        return None, True


def _closed_reason(found: PublicHearing, participant: Participant | None) -> str | None:
    try:
        check_can_contribute(found.consultation, participant)
    except DomainError as exc:
        return exc.message
    return None


def _render(
    found: PublicHearing, form: StatementForm, *, status: int = 200, error: str | None = None, **extra: Any
) -> Response:
    participant, _forged = _participant(found)
    response = render_fragment(
        PAGE,
        FORM_PARTIAL,
        status=status,
        hearing=found.hearing,
        consultation=found.consultation,
        organisation=found.consultation.organisation,
        statements=list_published(db.session, found.hearing),
        form=form,
        error=error,
        closed_reason=_closed_reason(found, participant),
        hearing_url=optional_url("hearings_public.hearing", public_id=found.consultation.public_id),
        min_length=MIN_BODY_LENGTH,
        max_length=MAX_BODY_LENGTH,
        **extra,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/h/<public_id>/statements")
def index(public_id: str) -> Response:
    found = load_public_hearing(public_id)
    if session.get(RECEIPT_KEY) == public_id:
        session.pop(RECEIPT_KEY)
        return _render(found, StatementForm(formdata=None), receipt=True)
    return _render(found, StatementForm(formdata=None))


def _submit_allowed() -> bool:
    """Count a submission against the client's limit (keyed on a keyed hash of the address)."""
    if not limiter.enabled:
        return True
    secret = current_app.config["SECRET_KEY"].encode()
    key = hmac.new(secret, get_remote_address().encode(), hashlib.sha256).hexdigest()
    return limiter.limiter.hit(parse_limit(current_app.config["PUBLIC_SUBMIT_RATE_LIMIT"]), "hearings.statement", key)


@bp.post("/h/<public_id>/statements")
def submit(public_id: str) -> Response:
    found = load_public_hearing(public_id)
    form = StatementForm()
    form.validate_on_submit()  # CSRFProtect has checked the token already; the statement's rules are the service's
    participant, forged = _participant(found)
    upload = request.files.get("pdf")
    pdf = None
    if upload is not None and upload.filename:
        pdf = UploadedPdf(upload.filename, read_limited(upload.stream))
    if not _submit_allowed():
        return _render(found, form, status=429, error=_("Too many statements from here. Wait a while and try again."))
    try:
        submit_statement(
            db.session,
            found.hearing,
            participant,
            signer_name=form.signer_name.data or "",
            organisation_name=form.organisation_name.data or "",
            body=form.body.data or "",
            confirmed=bool(form.confirm.data),
            pdf=pdf,
        )
        db.session.commit()
    except StatementInputError as exc:
        db.session.rollback()
        form[exc.field].errors = [exc.message]
        return _render(found, form, status=exc.status_code, pdf_again=pdf is not None and exc.field != "pdf")
    except DomainError as exc:
        db.session.rollback()
        return _render(found, form, status=exc.status_code, error=exc.message, pdf_again=pdf is not None)
    except DBAPIError as exc:
        if not is_storage_full(exc):
            raise
        # The database had no room: nothing is stored, and the statement comes back as the resident wrote it.
        db.session.rollback()
        return _render(found, form, status=507, error=storage_full_message(), pdf_again=pdf is not None)
    session[RECEIPT_KEY] = public_id
    response = hx_redirect(url_for("hearings_statements.index", public_id=public_id))
    if forged:
        forget_participant_cookie(response, found.hearing)
    return response


@bp.get("/h/<public_id>/statements/<int:statement_id>/attachment")
def attachment(public_id: str, statement_id: int) -> Response:
    found = load_public_hearing(public_id)
    statement = find_published(db.session, found.hearing, statement_id)
    if statement is None or not statement.attachment_data:
        abort(404)
    response = make_response(statement.attachment_data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{statement.attachment_filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
