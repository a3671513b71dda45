"""Resident pages of a hearing: the proposal, its sections and comments, personal links, attachments.

Every page works without JavaScript (plain forms, 303 redirects); with htmx the forms swap the comments
region (#comments, templates/hearings/_partials/comments.html) in place.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from civic.consultations.formatting import format_deadline
from civic.consultations.models import Consultation, ConsultationState
from civic.core.errors import DomainError, InvalidInputError, StateError
from civic.core.htmx import is_partial_request
from civic.core.i18n import current_locale, localized
from civic.extensions import db
from civic.hearings import comments, comments_query
from civic.hearings.document import DocumentError, parse_document
from civic.hearings.models import (
    MAX_COMMENT_LENGTH,
    MAX_DEPTH,
    CommentState,
    FlagReason,
    Hearing,
    HearingAttachment,
    HearingSection,
    Participant,
)
from civic.hearings.participants import (
    check_can_contribute,
    find_participant,
    get_or_create_participant,
    join_with_link,
    new_participant_key,
)
from civic.hearings.views.common import (
    ForgedCookieError,
    PublicHearing,
    forget_participant_cookie,
    load_public_hearing,
    participant_key,
    set_participant_cookie,
)
from civic.outreach.links import find_invitation

bp = Blueprint("hearings_public", __name__)


class RulesNotAcceptedError(InvalidInputError):
    field = "accept_rules"


def _not_found(message: str) -> NotFound:
    error = NotFound(message)
    error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
    return error


@bp.app_template_global("optional_url")
def optional_url(endpoint: str, **values: Any) -> str | None:
    """url_for, or None while the endpoint does not exist (pages built by other parts link to them)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _reader(hearing: Hearing) -> Participant | None:
    """The participant reading the page; a forged cookie on a page that only reads counts as none."""
    try:
        return find_participant(db.session, hearing.id, participant_key(hearing))
    except ForgedCookieError:
        return None


def _section_of(ph: PublicHearing, section_id: int | None) -> HearingSection | None:
    if section_id is None:
        return None
    section = db.session.get(HearingSection, section_id)
    if section is None or section.hearing_id != ph.hearing.id:
        raise _not_found(_("This section of the proposal does not exist. It may have been removed."))
    return section


# --- rendering --------------------------------------------------------------------------------------------


def _contribution(ph: PublicHearing, participant: Participant | None) -> dict[str, Any]:
    """Whether the reader may post, and if not why (the notice shown instead of the forms)."""
    notice = ""
    try:
        check_can_contribute(ph.consultation, participant)
    except DomainError as refused:
        notice = refused.message
    return {"can_contribute": not notice, "contribution_notice": notice}


def _house_rules(hearing: Hearing) -> str:
    return localized(hearing.house_rules, current_locale()) or _(
        "Be kind and stay on topic. Criticise ideas, not people. Do not write names, phone numbers, e-mail "
        "addresses, national identity numbers or other personal details about yourself or others. No "
        "advertising or links to unknown sites. Comments that break these rules are hidden by a moderator."
    )


def _context(
    ph: PublicHearing,
    section: HearingSection | None,
    participant: Participant | None,
    *,
    form: dict[str, Any] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    sort = comments_query.normalise_sort(request.values.get("sort"))
    page = comments_query.normalise_page(request.values.get("page"))
    listing = comments_query.list_comments(
        db.session,
        ph.hearing.id,
        section_id=section.id if section else None,
        participant=participant,
        sort=sort,
        page=page,
    )
    public_id = ph.consultation.public_id
    verified = participant is not None and participant.verified_at is not None
    return {
        "ph": ph,
        "hearing": ph.hearing,
        "consultation": ph.consultation,
        "organisation": ph.consultation.organisation,
        "public_id": public_id,
        "section": section,
        "participant": participant,
        "listing": listing,
        "form": form or {},
        "notice": notice,
        "needs_rules": not comments.has_commented(db.session, participant),
        "house_rules": _house_rules(ph.hearing),
        "max_length": MAX_COMMENT_LENGTH,
        "max_depth": MAX_DEPTH,
        "flag_reasons": _flag_reasons(),
        "page_url": _page_url(ph, section),
        "current_url": _current_url(ph, section, listing),
        "deadline": format_deadline(ph.consultation),
        "links": {
            "statements": optional_url("hearings_statements.index", public_id=public_id),
            "vote_mode": optional_url("hearings_votes.statements", public_id=public_id),
            "verify": None
            if verified or not ph.hearing.verification_offered
            else optional_url("hearings_votes.verify", public_id=public_id),
        },
        **_contribution(ph, participant),
    }


def _flag_reasons() -> list[tuple[str, str]]:
    return [
        (FlagReason.PERSONAL_DATA.value, _("It contains personal information")),
        (FlagReason.OFFENSIVE.value, _("It is offensive or hateful")),
        (FlagReason.SPAM.value, _("It is spam or advertising")),
        (FlagReason.OFF_TOPIC.value, _("It is not about the proposal")),
        (FlagReason.OTHER.value, _("Something else")),
    ]


def _current_url(ph: PublicHearing, section: HearingSection | None, listing: comments_query.CommentPage) -> str:
    """The page the reader is on (sort and page kept), for forms that come back to it."""
    args: dict[str, Any] = {"sort": listing.sort} if listing.sort != comments_query.SORTS[0] else {}
    if listing.page > 1:
        args["page"] = listing.page
    return _page_url(ph, section, **args)


def _page_url(ph: PublicHearing, section: HearingSection | None, **args: Any) -> str:
    if section is None:
        return url_for(".hearing", public_id=ph.consultation.public_id, **args)
    return url_for(".section", public_id=ph.consultation.public_id, section_id=section.id, **args)


def _render(
    ph: PublicHearing,
    section: HearingSection | None,
    participant: Participant | None,
    *,
    status: int = 200,
    form: dict[str, Any] | None = None,
    notice: str = "",
) -> Response:
    context = _context(ph, section, participant, form=form, notice=notice)
    if is_partial_request():
        template = "hearings/_partials/comments.html"
    elif section is None:
        template = "hearings/public/hearing.html"
        context["sections"] = ph.hearing.sections
        context["counts"] = comments_query.top_level_counts(db.session, ph.hearing.id)
        context["preamble_html"] = _preamble(ph.hearing)
    else:
        template = "hearings/public/section.html"
        context["counts"] = {}
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"  # holds the reader's own pending comments and votes
    return response


def _preamble(hearing: Hearing) -> str:
    try:
        return parse_document(hearing.document).preamble_html
    except DocumentError:
        return ""


def _form(target: str, error: DomainError | str | None = None) -> dict[str, Any]:
    """What the resident typed in the form ``target`` ("new", "reply-<id>", "edit-<id>", "flag-<id>")."""
    message = error.message if isinstance(error, DomainError) else (error or "")
    return {
        "target": target,
        "body": request.form.get("body", ""),
        "accept_rules": bool(request.form.get("accept_rules")),
        "reason": request.form.get("reason", ""),
        "note": request.form.get("note", ""),
        "error": message,
        "error_field": getattr(error, "field", "body") if error else "",
    }


def _done(ph: PublicHearing, section: HearingSection | None, participant: Participant, message: str, anchor: str):
    """After a successful post: the region again for htmx, a 303 to the page for plain forms."""
    if is_partial_request():
        return _render(ph, section, participant, notice=message)
    flash(message, "success")
    args = {k: request.form[k] for k in ("sort", "page") if request.form.get(k)}
    return redirect(_page_url(ph, section, **args) + anchor, code=303)


def _posting_participant(ph: PublicHearing, section: HearingSection | None, target: str):
    """(participant, key) from the cookie, or a ready error response for a forged cookie."""
    try:
        key = participant_key(ph.hearing)
    except ForgedCookieError as forged:
        response = _render(ph, section, None, status=forged.status_code, form=_form(target, forged))
        return None, None, forget_participant_cookie(response, ph.hearing)
    return find_participant(db.session, ph.hearing.id, key), key, None


# --- pages --------------------------------------------------------------------------------------------


@bp.get("/h/<public_id>")
def hearing(public_id: str) -> Response:
    ph = load_public_hearing(public_id)
    return _render(ph, None, _reader(ph.hearing))


@bp.get("/h/<public_id>/s/<int:section_id>")
def section(public_id: str, section_id: int) -> Response:
    ph = load_public_hearing(public_id)
    return _render(ph, _section_of(ph, section_id), _reader(ph.hearing))


@bp.get("/h/p/<token>")
def join(token: str) -> Response:
    """A personal invitation link: find or create its participant, keep it in the cookie, show the hearing."""
    invitation = find_invitation(db.session, token)
    consultation = db.session.get(Consultation, invitation.consultation_id) if invitation else None
    if consultation is not None and consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        raise _not_found(_("This hearing is not open yet. Try your link again when it opens."))
    found = join_with_link(db.session, token)
    if found is None:
        raise _not_found(
            _("This personal link is not valid. Check that you copied the whole link from your invitation.")
        )
    _invitation, participant, key = found
    hearing_row = db.session.get_one(Hearing, participant.hearing_id)
    consultation = hearing_row.consultation
    public_id = consultation.public_id
    db.session.commit()
    response = redirect(url_for(".hearing", public_id=public_id), code=303)
    return set_participant_cookie(response, hearing_row, key)


@bp.get("/h/<public_id>/attachments/<int:attachment_id>")
def attachment(public_id: str, attachment_id: int) -> Response:
    ph = load_public_hearing(public_id)
    found = db.session.get(HearingAttachment, attachment_id)
    if found is None or found.hearing_id != ph.hearing.id:
        raise _not_found(_("We could not find this attachment. It may have been removed."))
    response = send_file(
        BytesIO(found.data), mimetype=found.content_type, as_attachment=True, download_name=found.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- posts --------------------------------------------------------------------------------------------


@bp.post("/h/<public_id>/comments")
def post_comment(public_id: str) -> Response:
    ph = load_public_hearing(public_id)
    section = _section_of(ph, _int(request.form.get("section_id")))
    parent_id = _int(request.form.get("parent_id"))
    target = f"reply-{parent_id}" if parent_id else "new"
    participant, key, forged = _posting_participant(ph, section, target)
    if forged is not None:
        return forged
    new_key = None
    try:
        check_can_contribute(ph.consultation, participant)
        comments.clean_body(request.form.get("body"))
        try:
            comments.find_parent(db.session, ph.hearing, parent_id)
        except (comments.CommentNotFoundError, StateError):
            target = "new"  # the reply form went with its comment: keep the text in the main form
            raise
        if not comments.has_commented(db.session, participant) and not request.form.get("accept_rules"):
            raise RulesNotAcceptedError(_("Confirm that you will follow the house rules before you post."))
        if participant is None:
            new_key = new_participant_key()
            participant = get_or_create_participant(db.session, ph.hearing, new_key)
        comment = comments.post_comment(
            db.session,
            ph.hearing,
            participant,
            request.form.get("body"),
            section_id=section.id if section else None,
            parent_id=parent_id,
            key=new_key or key,
        )
    except DomainError as refused:
        db.session.rollback()  # nothing half-way: not even a new participant
        reader = None if new_key else participant
        return _render(ph, section, reader, status=refused.status_code, form=_form(target, refused))
    db.session.commit()
    if comment.state == CommentState.PENDING:
        message = _("Thank you. Your comment is waiting for a moderator and is shown to others once approved.")
    else:
        message = _("Thank you. Your comment is published.")
    response = _done(ph, section, participant, message, f"#c-{comment.id}")
    if new_key:
        set_participant_cookie(response, ph.hearing, new_key)
    return response


def _comment_post(public_id: str, comment_id: int, target: str, action) -> Response:
    """Edit, delete or flag: the shared flow (load, cookie, run, commit or show the form again)."""
    ph = load_public_hearing(public_id)
    comment = comments.find_comment(db.session, ph.hearing, comment_id)
    section = _section_of(ph, comment.section_id)
    participant, _key, forged = _posting_participant(ph, section, f"{target}-{comment_id}")
    if forged is not None:
        return forged
    new_key = None
    try:
        if participant is None and target == "flag":
            check_can_contribute(ph.consultation, None)
            comments.check_flag(comment, request.form.get("reason"), request.form.get("note"))
            new_key = new_participant_key()
            participant = get_or_create_participant(db.session, ph.hearing, new_key)
        message = action(comment, participant)
    except DomainError as refused:
        db.session.rollback()
        reader = None if new_key else participant
        return _render(ph, section, reader, status=refused.status_code, form=_form(f"{target}-{comment_id}", refused))
    db.session.commit()
    assert participant is not None
    response = _done(ph, section, participant, message, f"#c-{comment.id}")
    if new_key:
        set_participant_cookie(response, ph.hearing, new_key)
    return response


@bp.post("/h/<public_id>/comments/<int:comment_id>/edit")
def edit_comment(public_id: str, comment_id: int) -> Response:
    def edit(comment, participant):
        comments.edit_comment(db.session, comment, participant, request.form.get("body"))
        if comment.state == CommentState.PENDING:
            return _("Your change is saved. The comment waits for a moderator before others see it.")
        return _("Your change is saved.")

    return _comment_post(public_id, comment_id, "edit", edit)


@bp.post("/h/<public_id>/comments/<int:comment_id>/delete")
def delete_comment(public_id: str, comment_id: int) -> Response:
    def delete(comment, participant):
        comments.delete_comment(db.session, comment, participant)
        return _("Your comment is deleted.")

    return _comment_post(public_id, comment_id, "delete", delete)


@bp.post("/h/<public_id>/comments/<int:comment_id>/flag")
def flag_comment(public_id: str, comment_id: int) -> Response:
    def flag(comment, participant):
        _flag, created = comments.flag_comment(
            db.session, comment, participant, request.form.get("reason"), request.form.get("note")
        )
        if not created:
            return _("You have already reported this comment. A moderator will look at it.")
        return _("Thank you. A moderator will look at the comment.")

    return _comment_post(public_id, comment_id, "flag", flag)
