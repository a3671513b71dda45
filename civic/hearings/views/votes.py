"""Residents vote on comments (agree / disagree / pass), vote statement by statement, and confirm a one-time code.

Every page works without JavaScript (forms, 303 redirects); htmx requests get the partial that changed.
"""

from __future__ import annotations

import random
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from civic.consultations.models import ConsultationState
from civic.core.errors import DomainError, GoneError, InvalidInputError
from civic.core.htmx import is_partial_request
from civic.core.i18n import current_locale, localized
from civic.core.timeutils import now_utc
from civic.extensions import db, limiter
from civic.hearings import verification
from civic.hearings.models import Comment, Hearing, Participant
from civic.hearings.participants import (
    check_can_contribute,
    find_participant,
    get_or_create_participant,
    mark_link_invitation_responded,
    new_participant_key,
)
from civic.hearings.views.common import (
    ForgedCookieError,
    PublicHearing,
    forget_participant_cookie,
    load_public_hearing,
    participant_key,
    participant_key_for,
    set_participant_cookie,
    set_participant_cookie_for,
)
from civic.hearings.votes import (
    VALUES,
    CommentNotFoundError,
    Voter,
    VoterContext,
    cast_vote,
    next_for,
    parse_value,
    voter_context,
)

bp = Blueprint("hearings_votes", __name__)

_rng = random.Random(secrets.randbits(64))  # noqa: S311 - statement draws; not security-relevant


# --- shared -----------------------------------------------------------------------------------------------


def _error(status: int, message: str) -> Response:
    template = "layout/_partials/error.html" if is_partial_request() else "layout/error.html"
    return make_response(render_template(template, status=status, message=message), status)


def _forged(found: PublicHearing, error: ForgedCookieError) -> Response:
    db.session.rollback()
    return forget_participant_cookie(_error(400, error.message), found.hearing)


def _participant_for_post(found: PublicHearing, key: str | None) -> tuple[Participant, str, bool]:
    """Return (participant, key, is the key new): the cookie's participant, created on first contribution."""
    participant = find_participant(db.session, found.hearing.id, key) if key else None
    check_can_contribute(found.consultation, participant)
    if participant is not None:
        return participant, key, False  # type: ignore[return-value]
    new = key is None
    key = key or new_participant_key()
    return get_or_create_participant(db.session, found.hearing, key), key, new


def _voter_for_post(context: VoterContext, key: str | None) -> tuple[Voter | Participant, str, bool]:
    """_participant_for_post on a voter context: the cookie's participant, created on the first vote."""
    check_can_contribute(context, context.voter)  # type: ignore[arg-type]
    if context.voter is not None:
        return context.voter, key, False  # type: ignore[return-value]
    new = key is None
    key = key or new_participant_key()
    hearing = db.session.get_one(Hearing, context.hearing_id)
    return get_or_create_participant(db.session, hearing, key), key, new


def _reading_participant(found: PublicHearing) -> tuple[Participant | None, bool]:
    """The participant of a page that only reads; a forged cookie counts as none (and is forgotten)."""
    try:
        key = participant_key(found.hearing)
    except ForgedCookieError:
        return None, True
    return (find_participant(db.session, found.hearing.id, key) if key else None), False


def _url(endpoint: str, fallback: str, **values) -> str:
    try:
        return url_for(endpoint, **values)
    except BuildError:  # the page's view is not registered (yet)
        return fallback


def safe_next(raw: str | None, public_id: str) -> str | None:
    """A same-site relative path under this hearing's /h/<public_id> (query allowed), or None."""
    if not raw or len(raw) > 500 or any(ch in raw for ch in "\\\r\n\t") or raw.startswith("//"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or ".." in parts.path.split("/"):
        return None
    prefix = f"/h/{public_id}"
    if parts.path != prefix and not parts.path.startswith(prefix + "/"):
        return None
    return raw


def _comment_page(public_id: str, comment_id: int) -> str:
    comment = db.session.get(Comment, comment_id)
    if comment is not None and comment.section_id is not None:
        return _url(
            "hearings_public.section",
            f"/h/{public_id}/s/{comment.section_id}",
            public_id=public_id,
            section_id=comment.section_id,
        )
    return _url("hearings_public.hearing", f"/h/{public_id}", public_id=public_id)


# --- one vote ---------------------------------------------------------------------------------------------


@bp.post("/h/<public_id>/comments/<int:comment_id>/vote")
def vote(public_id: str, comment_id: int) -> Response:
    # The hot path of a hearing: plain values from one query (voter_context), no ORM objects unless needed.
    try:
        key = participant_key_for(public_id)
    except ForgedCookieError as error:
        return _forged(load_public_hearing(public_id), error)
    context = voter_context(db.session, public_id, key)
    if context is None or context.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        load_public_hearing(public_id)  # answers 404 with the resident's message
        raise NotFoundMessage()  # pragma: no cover - load_public_hearing has aborted
    value = parse_value(request.form.get("value"))
    voter, key, new_key = _voter_for_post(context, key)
    try:
        my_vote, _counts = cast_vote(db.session, comment_id, voter, value, consultation=context)
    except CommentNotFoundError as error:
        db.session.rollback()
        raise NotFoundMessage(error.message) from None
    mark_link_invitation_responded(db.session, key)
    db.session.commit()
    next_url = safe_next(request.form.get("next"), public_id)
    if is_partial_request():
        comment = db.session.get(Comment, comment_id, populate_existing=True)
        response = make_response(
            render_template(
                "hearings/_partials/vote_buttons.html",
                comment=comment,
                my_vote=my_vote,
                public_id=public_id,
                next_url=next_url,
            )
        )
        response.vary.add("HX-Request")
    else:
        response = redirect(next_url or _comment_page(public_id, comment_id), code=303)
    return set_participant_cookie_for(response, public_id, key) if new_key else response


class NotFoundMessage(NotFound):
    civic_message = True


def _hearing_page(found: PublicHearing, page: str, partial: str, status: int, **ctx) -> Response:
    """Render a resident page of the hearing, or its partial for htmx; never cached (it is per participant)."""
    public_id = found.consultation.public_id
    context = {
        "hearing": found.hearing,
        "consultation": found.consultation,
        "organisation": found.consultation.organisation,
        "public_id": public_id,
        "hearing_url": _url("hearings_public.hearing", f"/h/{public_id}", public_id=public_id),
        **ctx,
    }
    response = make_response(render_template(partial if is_partial_request() else page, **context), status)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- vote on statements -----------------------------------------------------------------------------------


def _statement_page(found: PublicHearing, participant: Participant | None, *, status: int = 200, message: str = ""):
    closed = not found.consultation.is_accepting_responses()
    current = next_for(db.session, found.hearing.id, participant, _rng)
    return _hearing_page(
        found,
        "hearings/vote_statement.html",
        "hearings/_partials/vote_statement_card.html",
        status,
        current=current,
        closed=closed,
        message=message,
    )


@bp.route("/h/<public_id>/vote", methods=["GET", "POST"])
def statements(public_id: str) -> Response:
    found = load_public_hearing(public_id)
    if request.method == "GET":
        participant, forged = _reading_participant(found)
        response = _statement_page(found, participant)
        return forget_participant_cookie(response, found.hearing) if forged else response
    try:
        key = participant_key(found.hearing)
    except ForgedCookieError as error:
        return _forged(found, error)
    raw = (request.form.get("value") or "").strip().lower()
    value = parse_value("pass" if raw == "skip" else raw)
    comment_id = request.form.get("comment_id", type=int)
    if comment_id is None:
        raise InvalidInputError(_("Choose agree, disagree or pass."))
    participant, key, new_key = _participant_for_post(found, key)
    message = ""
    try:
        cast_vote(db.session, comment_id, participant, value, consultation=found.consultation)
    except CommentNotFoundError:
        db.session.rollback()
        message = _("That statement is no longer shown, so your vote was not counted. Here is the next one.")
    except DomainError as error:
        if error.status_code != 409 or not found.consultation.is_accepting_responses():
            raise
        db.session.rollback()  # the comment was hidden meanwhile
        message = error.message
    else:
        mark_link_invitation_responded(db.session, key)
        db.session.commit()
    if message:
        participant = find_participant(db.session, found.hearing.id, key)
    if is_partial_request():
        response = _statement_page(found, participant, message=message)
    else:
        if message:
            flash(message, "error")
        response = redirect(url_for("hearings_votes.statements", public_id=public_id), code=303)
    return set_participant_cookie(response, found.hearing, key) if new_key and not message else response


# --- one-time code ----------------------------------------------------------------------------------------


def _verify_rate_limit() -> str:
    return current_app.config.get("HEARING_VERIFY_RATE_LIMIT", "30 per hour")


def _verify_client_key() -> str:
    return verification.client_key(current_app.config["SECRET_KEY"], get_remote_address() or "")


def _verify_page(found: PublicHearing, participant: Participant | None, *, step: str = "", status: int = 200, **ctx):
    if not step:
        latest = verification.latest_code(db.session, participant)
        if participant is not None and participant.verified_at is not None:
            step = "done"
        elif latest is not None and latest.used_at is None and latest.expires_at > now_utc():
            step = "confirm"
            ctx.setdefault("channel", latest.channel)
        else:
            step = "ask"
    return _hearing_page(
        found,
        "hearings/verify.html",
        "hearings/_partials/verify_panel.html",
        status,
        step=step,
        minutes=verification.CODE_MINUTES,
        **ctx,
    )


@bp.route("/h/<public_id>/verify", methods=["GET", "POST"])
@limiter.limit(_verify_rate_limit, methods=["POST"], key_func=_verify_client_key)
def verify(public_id: str) -> Response:
    found = load_public_hearing(public_id)
    if not found.hearing.verification_offered:
        raise NotFoundMessage(_("This hearing does not offer confirmation with a code."))
    if request.method == "GET":
        participant, forged = _reading_participant(found)
        step = (
            "ask" if request.args.get("step") == "ask" and (participant is None or not participant.verified_at) else ""
        )
        response = _verify_page(found, participant, step=step)
        return forget_participant_cookie(response, found.hearing) if forged else response
    try:
        key = participant_key(found.hearing)
    except ForgedCookieError as error:
        return _forged(found, error)
    if request.form.get("action") == "confirm":
        return _confirm(found, key)
    return _send(found, key)


def _send(found: PublicHearing, key: str | None) -> Response:
    typed = request.form.get("address", "")
    try:
        address = verification.parse_address(typed)
    except InvalidInputError as error:
        return _verify_page(found, None, step="ask", status=422, error=error.message, address=typed)
    participant, key, new_key = _participant_for_post(found, key)
    secret = current_app.config["SECRET_KEY"]
    try:
        row, code = verification.create_code(db.session, participant, address.channel, secret)
        verification.send_code(
            address,
            code,
            hearing_title=_title(found),
            organisation_id=found.consultation.organisation_id,
            config=current_app.config,
            ref=f"hearing-verify-{row.id}",
        )
    except (verification.TooManyCodesError, verification.NotSentError) as error:
        db.session.rollback()
        return _verify_page(found, None, step="ask", status=error.status_code, error=error.message, address=typed)
    db.session.commit()
    del address, typed, code
    if is_partial_request():
        response = _verify_page(found, participant, step="confirm", channel=row.channel, sent=True)
    else:
        flash(_sent_message(row.channel), "success")
        response = redirect(url_for("hearings_votes.verify", public_id=found.consultation.public_id), code=303)
    return set_participant_cookie(response, found.hearing, key) if new_key else response


def _sent_message(channel: str) -> str:
    if channel == verification.SMS:
        return _("We have sent a code by text message to the number you gave.")
    return _("We have sent a code to the e-mail address you gave. Check your spam folder if it does not arrive.")


def _confirm(found: PublicHearing, key: str | None) -> Response:
    participant = find_participant(db.session, found.hearing.id, key) if key else None
    if participant is None:
        raise GoneError(_("We have not sent you a code yet. Ask for one first."))
    check_can_contribute(found.consultation, participant)
    try:
        verification.confirm_code(
            db.session, participant, request.form.get("code", ""), current_app.config["SECRET_KEY"]
        )
    except (InvalidInputError, GoneError) as error:
        db.session.commit()  # attempts count, and a spent code stays spent
        step = "confirm" if isinstance(error, InvalidInputError) else "ask"
        return _verify_page(
            found, participant, step=step, status=error.status_code, error=error.message, code_error=True
        )
    db.session.commit()
    if is_partial_request():
        return _verify_page(found, participant, step="done")
    flash(_("Thank you. Your comments are now marked “verified resident”."), "success")
    return redirect(url_for("hearings_votes.verify", public_id=found.consultation.public_id), code=303)


def _title(found: PublicHearing) -> str:
    return localized(found.consultation.title, current_locale(), found.consultation.default_language)


__all__ = ["VALUES", "bp", "safe_next"]
