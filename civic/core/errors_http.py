"""Map domain errors and HTTP errors to pages (or fragments) in the user's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from civic.core.errors import DomainError
from civic.core.htmx import is_partial_request


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
    }


def _render(status: int, message: str | None = None) -> tuple[str, int]:
    template = "layout/_partials/error.html" if is_partial_request() else "layout/error.html"
    text = message or _messages().get(status, _messages()[400])
    return render_template(template, status=status, message=text), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[str, int]:
        return _render(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        description = error.description if getattr(error, "civic_message", False) else None
        return _render(error.code, description)
