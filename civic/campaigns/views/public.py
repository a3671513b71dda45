"""Public endpoints: a resident stops reminders; providers report deliveries and bounces."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from civic.campaigns import deliveries
from civic.extensions import csrf, db, limiter
from civic.surveys.forms_answer import client_key

bp = Blueprint("campaign_public", __name__)
log = logging.getLogger(__name__)

DEFAULT_STOP_RATE_LIMIT = "30 per minute"
MAX_WEBHOOK_BODY = 512 * 1024  # a bounce with its returned headers; DLRs are tiny


def _stop_rate_limit() -> str:
    return current_app.config.get("STOP_RATE_LIMIT", DEFAULT_STOP_RATE_LIMIT)


def _verified_body() -> bytes:
    """Return the raw body if its signature is right; 403 otherwise (and 413 for oversized bodies)."""
    if (request.content_length or 0) > MAX_WEBHOOK_BODY:
        abort(413)
    body = request.get_data(cache=True)
    secret = current_app.config.get("WEBHOOK_SECRET") or ""
    if not deliveries.signature_valid(body, request.headers.get(deliveries.SIGNATURE_HEADER), secret):
        abort(403)
    return body


def _no_content() -> Response:
    return make_response("", 204)


@bp.post("/hooks/sms/delivery")
@csrf.exempt
def sms_delivery() -> Response:
    """A LINK-style delivery report, signed with WEBHOOK_SECRET. 204 also for unknown refIds (nothing leaks)."""
    body = _verified_body()
    try:
        report = json.loads(body)
        outcome = deliveries.apply_delivery_report(db.session, report)
    except (ValueError, deliveries.BadReport):
        abort(400)
    db.session.commit()
    log.info("sms delivery report: %s", outcome)
    return _no_content()


@bp.post("/hooks/email/bounce")
@csrf.exempt
def email_bounce() -> Response:
    """A bounce as an MTA pipe posts it (raw RFC 822), signed with WEBHOOK_SECRET."""
    body = _verified_body()
    config = current_app.config
    bounce = deliveries.parse_bounce(body, bounce_address=config["BOUNCE_ADDRESS"], secret=config["SECRET_KEY"])
    outcome = deliveries.apply_bounce(db.session, bounce) if bounce else "ignored"
    db.session.commit()
    log.info("e-mail bounce: %s", outcome)
    return _no_content()


def _stop_target(token: str) -> deliveries.StopTarget:
    target = deliveries.find_stop_target(db.session, token)
    if target is None:
        error = NotFound(
            _("This link is not valid. Check that you copied the whole link from the message you received.")
        )
        error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
        raise error
    return target


def _page(target: deliveries.StopTarget, *, stopped: bool, already: bool = False) -> Response:
    response = make_response(
        render_template(
            "campaigns/stop_done.html" if stopped else "campaigns/stop.html",
            token=request.view_args["token"] if request.view_args else "",
            consultation=target.consultation,
            organisation=target.organisation,
            already=already,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stop/<token>")
@limiter.limit(_stop_rate_limit, key_func=client_key)
def stop(token: str) -> Response:
    """Ask before stopping: link scanners in mail systems follow GET links, so GET changes nothing."""
    target = _stop_target(token)
    return _page(target, stopped=target.invitation.reminders_stopped_at is not None, already=True)


@bp.post("/stop/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail provider POSTs "List-Unsubscribe=One-Click" with no CSRF token
@limiter.limit(_stop_rate_limit, key_func=client_key)
def stop_confirm(token: str) -> Response:
    """Stop reminders for this invitation (idempotent); the form on the page and one-click both land here."""
    target = _stop_target(token)
    changed = deliveries.stop_reminders(db.session, target.invitation)
    db.session.commit()
    return _page(target, stopped=True, already=not changed)
