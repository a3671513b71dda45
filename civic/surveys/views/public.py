"""Resident pages: answering a survey through a public or a personal link, and the planner's preview."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from limits import parse as parse_limit
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from civic.accounts.permissions import ALL_STAFF, same_organisation, staff_required
from civic.consultations.formatting import format_deadline
from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.core.errors import NotAllowedError, StateError
from civic.core.i18n import current_locale
from civic.extensions import db, limiter
from civic.surveys import locking, personal_links, responses
from civic.surveys.answering import parse_date
from civic.surveys.forms_answer import (
    PERSONAL,
    PREVIEW,
    PUBLIC,
    Flow,
    build_items,
    client_key,
    describe_values,
    draft_key_from_cookie,
    geojson_url,
    set_draft_cookie,
)
from civic.surveys.locking import LockedResponse
from civic.surveys.models import QuestionKind, Survey
from civic.surveys.structure import SectionShape, SurveyShape

bp = Blueprint("surveys", __name__)
log = logging.getLogger(__name__)

ACTIONS = ("next", "back", "save", "submit")


def _not_found(message: str) -> NotFound:
    error = NotFound(message)
    error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
    return error


# --- loading --------------------------------------------------------------------------------------------


def _survey_of(consultation: Consultation | None, survey: Survey | None) -> Survey:
    """Return the survey residents may see; 404 for drafts and plans, 410 once closed."""
    if consultation is None or consultation.kind != ConsultationKind.SURVEY:
        raise _not_found(_("We could not find this survey. Check that the address is complete."))
    if consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        raise _not_found(_("This survey is not open yet."))
    if survey is None:
        raise _not_found(_("We could not find this survey. Check that the address is complete."))
    return survey


def _public_flow(public_id: str) -> Flow:
    survey = _survey_of(*responses.find_public_survey(db.session, public_id))
    if survey.consultation.access == Access.INVITED:
        raise NotAllowedError(
            _("This survey is only for invited residents. Use the personal link from your invitation.")
        )
    flow = Flow(PUBLIC, survey)
    flow.response = locking.find_public_response(db.session, survey, draft_key_from_cookie(survey))
    return flow


def _personal_flow(token: str) -> Flow:
    found = personal_links.find_personal_link(db.session, token)  # invitation, consultation, survey, response
    if found is None:
        raise _not_found(
            _("This personal link is not valid. Check that you copied the whole link from your invitation.")
        )
    invitation, consultation, survey, response = found
    if consultation.kind == ConsultationKind.HEARING:  # one link for every kind: hearings join on their own page
        abort(redirect(url_for("hearings_public.join", token=token), code=303))
    if consultation.kind == ConsultationKind.FOCUS_GROUP:  # so do focus groups (a seat, then the session)
        abort(redirect(url_for("focus_groups_public.join", token=token), code=303))
    flow = Flow(PERSONAL, _survey_of(consultation, survey), invitation=invitation, token=token)
    flow.response = response
    return flow


def _personal_post_flow(token: str) -> Flow:
    """Return the flow of a post through a personal link, from plain values (ORM objects load on demand).

    Its response is locked from here on (personal_links.lock_personal_link); a refused post rolls back.
    """
    found = personal_links.lock_personal_link(db.session, token, locale=current_locale())
    if found is None:
        raise _not_found(
            _("This personal link is not valid. Check that you copied the whole link from your invitation.")
        )
    link, locked = found
    # The checks of _survey_of, in the same order, on the link's values.
    if link.kind != ConsultationKind.SURVEY:
        raise _not_found(_("We could not find this survey. Check that the address is complete."))
    if link.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        raise _not_found(_("This survey is not open yet."))
    if link.survey_id is None:
        raise _not_found(_("We could not find this survey. Check that the address is complete."))
    return Flow(PERSONAL, link=link, token=token, response=locked)


def _preview_flow(survey_id: int) -> Flow:
    survey = db.get_or_404(Survey, survey_id)
    same_organisation(survey.consultation.organisation_id)
    return Flow(PREVIEW, survey)


def _closed(flow: Flow, kept: list[tuple[str, str]] | None = None) -> Response:
    """Say the survey has closed (410), showing what the resident typed so nothing is lost."""
    html = render_template(
        "surveys/answer_closed.html",
        **_base_context(flow),
        kept=kept or [],
    )
    return make_response(html, 410)


def _is_open(flow: Flow) -> bool:
    return flow.mode == PREVIEW or flow.is_accepting_responses()


@bp.app_template_filter("iso_date")
def iso_date(value: str) -> str:
    """Turn a typed dd.mm.yyyy date into the ISO form a date input shows; leave anything else as typed."""
    parsed = parse_date(value.strip()) if value else None
    return parsed.isoformat() if parsed else value


# --- rendering --------------------------------------------------------------------------------------------


def _base_context(flow: Flow) -> dict[str, Any]:
    return {
        "flow": flow,
        "survey": flow.survey,
        "consultation": flow.consultation,
        "organisation": flow.consultation.organisation,
        "deadline": format_deadline(flow.consultation),
    }


def _render_page(
    flow: Flow,
    number: int,
    raw: dict[str, list[str]],
    errors: dict[int, str] | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    section = flow.section(number)
    assert section is not None
    visible = responses.visible_on_page(flow.structure(), section, raw, preview=flow.mode == PREVIEW)
    items = build_items(section, visible, raw, errors or {})
    html = render_template(
        "surveys/answer.html",
        **_base_context(flow),
        section=section,
        number=number,
        items=items,
        values=raw,
        errors=errors or {},
        notice=notice,
        shown=" ".join(str(i.question.id) for i in items if not i.hidden),
        has_map=any(i.question.kind_enum == QuestionKind.MAP_POINT for i in items),
        geojson_url=geojson_url(flow.consultation.organisation.slug),
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"  # answers must not linger in shared caches
    return response


def _landing(flow: Flow) -> Response:
    if not _is_open(flow):
        return _closed(flow)
    html = render_template("surveys/landing.html", **_base_context(flow), page_count=flow.page_count)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the page flow shared by the three ways in ------------------------------------------------------------


def _page(flow: Flow, number: int) -> Response:
    shape = flow.structure()
    if not 1 <= number <= len(shape.sections):
        raise _not_found(_("This survey has no page %(number)d.", number=number))
    if not _is_open(flow):
        if request.method == "POST":
            draft = _saved_draft(flow)
            draft.update(request.form.to_dict(flat=False))
            db.session.rollback()  # nothing is stored: not even the lock a personal link's post took
        return _closed(flow, describe_values(flow.survey, draft) if request.method == "POST" else None)
    if request.method == "GET":
        if flow.mode == PUBLIC and flow.is_submitted:
            return redirect(flow.landing_url(), code=303)  # the landing says the answers cannot be changed
        return _render_page(flow, number, _saved_draft(flow))
    return _post_page(flow, number, shape)


def _saved_draft(flow: Flow) -> dict[str, list[str]]:
    return dict(flow.response.draft_data) if flow.response else {}


def _post_page(flow: Flow, number: int, shape: SurveyShape) -> Response:
    """Check and store one posted page; the checks read the cached structure, not ORM objects."""
    section = shape.sections[number - 1]
    form = request.form.to_dict(flat=False)
    action = request.form.get("action", "next")
    action = action if action in ACTIONS else "next"
    if flow.mode == PUBLIC and request.form.get("website"):
        # A bot filled the invisible field: store nothing, but answer as if all went well.
        log.info("Discarded a public survey post with the honeypot filled (survey %s).", flow.survey.id)
        target = number + 1 if action == "next" and number < len(shape.sections) else number
        return redirect(flow.receipt_url() if action == "submit" else flow.page_url(target), code=303)
    values = responses.clean_page_values(section, form)
    parsed = responses.parse_page(section, values)  # refuses impossible values before anything is stored
    if flow.mode == PREVIEW:
        return _post_preview(flow, number, shape, values, action, parsed)

    locale = current_locale()
    new_key = None
    if flow.mode == PERSONAL:
        locked = flow.response  # locked with the link
        assert isinstance(locked, LockedResponse)
    else:
        if flow.response is None:
            response_id, new_key = locking.create_public_response(db.session, flow.survey, locale=locale)
        else:
            response_id = flow.response.id
        locked = locking.lock_response(db.session, response_id, locale=locale)
    flow.response = locked
    if flow.mode == PUBLIC and flow.is_submitted:
        db.session.rollback()
        raise StateError(responses.already_sent_message())
    draft = responses.merge_draft(locked.draft_data, shape, section, values)
    result, submitted = _decide(flow, number, shape, draft, form, action, parsed)
    if not submitted:
        responses.save_draft(db.session, locked, draft, locale=locale)
    db.session.commit()  # the draft is kept whatever the outcome: nothing typed is lost
    if new_key:
        set_draft_cookie(result, flow, new_key)
    return result


def _decide(
    flow: Flow,
    number: int,
    shape: SurveyShape,
    draft: dict[str, list[str]],
    form: dict,
    action: str,
    parsed: responses.ParsedPage,
) -> tuple[Response, bool]:
    """Choose what follows a saved page: the next page, the same page with errors, or the receipt.

    Return it and whether the response was submitted (which stored the draft too).
    """
    section = shape.sections[number - 1]
    if action == "back":
        return redirect(flow.page_url(number - 1) if number > 1 else flow.landing_url(), code=303), False
    if action == "save":
        if flow.mode == PERSONAL:
            message = _("Your answers are saved. You can continue later with the same personal link.")
        else:
            message = _("Your answers are saved. You can continue later in this browser on this device.")
        flash(message, "success")
        return redirect(flow.page_url(number), code=303), False
    errors = responses.check_page(section, shape, draft, parsed=parsed)
    if errors:
        return _render_page(flow, number, draft, errors, status=422), False
    if _new_questions_appeared(flow, shape, section, draft, form):
        notice = _("Your answer added a question on this page. Answer it and continue.")
        return _render_page(flow, number, draft, notice=notice), False
    if action == "next" and number < len(shape.sections):
        return redirect(flow.page_url(number + 1), code=303), False
    check = responses.check_survey(shape, draft, parsed=parsed)
    page_with_errors = check.first_page_with_errors
    if page_with_errors is not None:
        notice = _("Some answers on this page need another look before you can send the survey.")
        flow_errors = check.errors[page_with_errors]
        return _render_page(flow, page_with_errors, draft, flow_errors, status=422, notice=notice), False
    if flow.mode == PUBLIC and not _submit_allowed():
        notice = _(
            "Too many answers have been sent from your network in a short time. Your answers are saved: "
            "wait a few minutes and press Send again."
        )
        return _render_page(flow, number, draft, status=429, notice=notice), False
    assert isinstance(flow.response, LockedResponse)
    try:
        responses.submit_response(
            db.session,
            flow.response,
            flow.survey_version,
            check.answers,
            personal=flow.link,
            draft=draft,
            locale=current_locale(),
        )
    except StateError as refused:  # another link of this invitation was answered first; the draft is kept
        return _render_page(flow, number, draft, status=409, notice=str(refused)), False
    return redirect(flow.receipt_url(), code=303), True


def _new_questions_appeared(flow: Flow, shape: SurveyShape, section: SectionShape, draft: dict, form: dict) -> bool:
    """Tell whether an answer on this page revealed a question the resident has not seen (no-JS browsers)."""
    if "shown" not in form:
        return False
    shown = {int(i) for i in " ".join(form["shown"]).split() if i.isdigit()}
    visible = responses.visible_on_page(shape, section, draft, preview=flow.mode == PREVIEW)
    return bool(visible - shown)


def _post_preview(
    flow: Flow,
    number: int,
    shape: SurveyShape,
    values: dict[str, list[str]],
    action: str,
    parsed: responses.ParsedPage,
) -> Response:
    """Run the checks of a page for a planner; nothing is stored."""
    if action == "back":
        return redirect(flow.page_url(number - 1) if number > 1 else flow.landing_url(), code=303)
    section = shape.sections[number - 1]
    errors = responses.check_page(section, shape, values, preview=True, parsed=parsed)
    if (
        errors
        or action == "save"
        or _new_questions_appeared(flow, shape, section, values, request.form.to_dict(flat=False))
    ):
        return _render_page(flow, number, values, errors, status=422 if errors else 200)
    if number < len(shape.sections):
        return redirect(flow.page_url(number + 1), code=303)
    flash(_("Preview finished. In a real response the answers would now be sent."), "success")
    return redirect(flow.landing_url(), code=303)


def _submit_allowed() -> bool:
    """Count a public submission against the client's limit; False once it is exceeded."""
    if not limiter.enabled:
        return True
    item = parse_limit(current_app.config["PUBLIC_SUBMIT_RATE_LIMIT"])
    return limiter.limiter.hit(item, "surveys.public_submit", client_key())


def _receipt(flow: Flow) -> Response:
    html = render_template(
        "surveys/receipt.html", **_base_context(flow), can_edit=flow.mode == PERSONAL and _is_open(flow)
    )
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- routes ---------------------------------------------------------------------------------------------


@bp.get("/s/<public_id>")
def public_landing(public_id: str) -> Response:
    return _landing(_public_flow(public_id))


@bp.route("/s/<public_id>/page/<int:n>", methods=["GET", "POST"])
def public_page(public_id: str, n: int) -> Response:
    return _page(_public_flow(public_id), n)


@bp.get("/s/<public_id>/done")
def public_receipt(public_id: str) -> Response:
    # Also shown to bots that filled the honeypot, so it does not depend on a stored response.
    return _receipt(_public_flow(public_id))


@bp.get("/p/<token>")
def personal_landing(token: str) -> Response:
    flow = _personal_flow(token)
    return _opened(flow, lambda: _landing(flow))


@bp.route("/p/<token>/page/<int:n>", methods=["GET", "POST"])
def personal_page(token: str, n: int) -> Response:
    if request.method == "POST":
        return _page(_personal_post_flow(token), n)
    flow = _personal_flow(token)
    return _opened(flow, lambda: _page(flow, n))


@bp.get("/p/<token>/done")
def personal_receipt(token: str) -> Response:
    flow = _personal_flow(token)
    if not flow.is_submitted:
        return redirect(flow.landing_url(), code=303)
    return _receipt(flow)


@bp.get("/manage/surveys/<int:survey_id>/preview")
@staff_required(*ALL_STAFF)
def preview(survey_id: int) -> Response:
    return _landing(_preview_flow(survey_id))


@bp.route("/manage/surveys/<int:survey_id>/preview/page/<int:n>", methods=["GET", "POST"])
@staff_required(*ALL_STAFF)
def preview_page(survey_id: int, n: int) -> Response:
    return _page(_preview_flow(survey_id), n)


def _opened(flow: Flow, show: Callable[[], Response]) -> Response:
    """Record the first visit of a personal link, committed once the page is built.

    Committing after rendering (not before) keeps the loaded survey from being expired and loaded again. Only
    after a page that was built: if building it failed (the database went away), the error handler rolls back,
    and committing here first would hide that error behind a second one (a 500 instead of a retryable 503).
    """
    assert flow.invitation is not None
    if flow.invitation.opened_at is not None:
        return show()
    responses.mark_opened(db.session, flow.invitation)
    page = show()
    db.session.commit()
    return page
