"""Map domain errors and HTTP errors to pages (or fragments) in the user's language.

Infrastructure faults get their own codes, so clients and proxies can tell "try again" from "broken":
a lost or unreachable database answers 503 with Retry-After (the transaction was rolled back, nothing
half-stored; the resident's browser or a load balancer can retry), and a full disk answers 507.
"""

from __future__ import annotations

import errno
import logging

from flask import Flask, Response, make_response, render_template
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from civic.core.errors import DomainError
from civic.core.htmx import is_partial_request
from civic.extensions import db

log = logging.getLogger(__name__)

#: Seconds a client should wait before retrying after the database was unavailable (a restart takes a few).
RETRY_AFTER_SECONDS = 5
#: errno values that mean "no room left to write".
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
#: PostgreSQL's disk_full SQLSTATE; SQLite's SQLITE_FULL text.
_PG_DISK_FULL = "53100"
_SQLITE_FULL = "database or disk is full"


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have access to this page."),
        404: _("We could not find that page."),
        405: _("That action is not possible here."),
        409: _("That is not possible right now."),
        410: _("This is no longer available."),
        413: _("The upload is too large."),
        422: _("Some of what you entered needs another look."),
        429: _("Too many attempts. Please wait a little and try again."),
        500: _("Something went wrong on our side. Nothing you entered has been lost; please try again."),
        503: _(
            "The service is briefly unavailable. What you just sent was not stored; "
            "please wait a few seconds and send it again."
        ),
        507: _("The server has no room to store this right now. Nothing was saved; please try again later."),
    }


def storage_full_message() -> str:
    """The 507 message, for views that show it in their own form (so the rest of what was typed is kept)."""
    return _messages()[507]


def is_storage_full(error: BaseException) -> bool:
    """Tell whether ``error`` says the disk (of the file system or the database) is full."""
    if isinstance(error, OSError) and error.errno in STORAGE_FULL_ERRNOS:
        return True
    if isinstance(error, DBAPIError):
        original = error.orig
        if getattr(original, "sqlstate", None) == _PG_DISK_FULL:
            return True
        return _SQLITE_FULL in str(original)
    return False


def is_database_unavailable(error: BaseException) -> bool:
    """Tell whether ``error`` is the database being away (restarted, unreachable, pool exhausted): retryable."""
    if isinstance(error, PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError):
        return isinstance(error, OperationalError) or bool(error.connection_invalidated)
    return False


def _render(status: int, message: str | None = None) -> tuple[str, int]:
    template = "layout/_partials/error.html" if is_partial_request() else "layout/error.html"
    text = message or _messages().get(status, _messages()[400])
    return render_template(template, status=status, message=text), status


def _render_without_database(status: int) -> Response:
    """The error page when the database is away: the layout may need it (a staff user's menu), so fall back to
    the bare message rather than fail a second time with a 500."""
    db.session.rollback()  # the failed transaction; rolling back an invalidated connection is safe
    try:
        body, _status = _render(status)
    except Exception:
        log.warning("error page for %s rendered without the layout", status, exc_info=True)
        body = f'<!doctype html><title>{status}</title><p role="alert">{escape(_messages()[status])}</p>'
    return make_response(body, status)


def init_app(app: Flask) -> None:
    """Register the handlers."""

    # A refused request stores nothing: its uncommitted writes (say, the draft a refused post's lock created) are
    # rolled back before the error page, not only when the session is removed at the end of the request.
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[str, int]:
        db.session.rollback()
        return _render(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        db.session.rollback()
        description = error.description if getattr(error, "civic_message", False) else None
        return _render(error.code, description)

    @app.errorhandler(OSError)
    def _os_error(error: OSError) -> Response:
        if not is_storage_full(error):
            raise error
        log.error("storage full: %s", error.strerror)
        return _render_without_database(507)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def _database_error(error: Exception) -> Response:
        if is_storage_full(error):
            log.error("database storage full")
            return _render_without_database(507)
        if not is_database_unavailable(error):
            raise error
        # The class only: the statement's parameters could hold what a resident typed.
        log.error("database unavailable (%s): answered 503", type(getattr(error, "orig", error)).__name__)
        response = _render_without_database(503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response
