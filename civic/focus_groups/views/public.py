"""Resident pages of a focus group: joining, the stage (waiting room, prompt, votes, results, end) and /live.

Every page works without JavaScript (plain forms, 303 redirects, a "check for the next question" link); with
htmx the stage polls ``/f/<public_id>/live?v=<version>`` every second and the forms swap the stage in place.
The poll is the hot path of a live session (hundreds of phones, once a second): one small Core query by public
id, 204 with no body while the version is unchanged, and a write of last_seen_at at most every 30 seconds.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select
from werkzeug.wrappers import Response

from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.core.errors import DomainError, NotAllowedError, StateError
from civic.core.htmx import is_partial_request
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token
from civic.extensions import db
from civic.focus_groups import answering, participation
from civic.focus_groups.models import FocusGroup, FocusGroupMode, FocusGroupParticipant, Prompt, PromptKind
from civic.focus_groups.participation import ForgedCookieError, SessionFullError
from civic.focus_groups.stage import PROMPT, Stage, build_stage, fill_prompt
from civic.outreach.links import find_invitation

bp = Blueprint("focus_groups_public", __name__)


class NotFoundError(DomainError):
    status_code = 404


# One statement for the poll: the group's version and the caller's participant (seen when), by public id.
_groups, _consultations, _participants = (
    FocusGroup.__table__,
    Consultation.__table__,
    FocusGroupParticipant.__table__,
)
_LIVE = (
    select(_groups.c.version, _participants.c.id, _participants.c.last_seen_at)
    .select_from(_consultations)
    .join(_groups, _groups.c.consultation_id == _consultations.c.id)
    .outerjoin(
        _participants,
        and_(_participants.c.focus_group_id == _groups.c.id, _participants.c.key_hash == bindparam("key_hash")),
    )
    .where(_consultations.c.public_id == bindparam("public_id"), _consultations.c.kind == "focus_group")
)


def _load(public_id: str) -> FocusGroup:
    """The focus group of a public id; 404 while a draft or scheduled (it does not exist for residents yet)."""
    focus_group = db.session.scalar(
        select(FocusGroup)
        .join(Consultation, Consultation.id == FocusGroup.consultation_id)
        .where(Consultation.public_id == public_id, Consultation.kind == ConsultationKind.FOCUS_GROUP)
    )
    if focus_group is None or focus_group.consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        raise NotFoundError(_("We could not find this focus group. Check that the address is complete."))
    return focus_group


def _reader(focus_group: FocusGroup) -> FocusGroupParticipant | None:
    """The participant of the request's cookie; a forged cookie counts as none."""
    try:
        key = participation.participant_key(focus_group.consultation.public_id)
    except ForgedCookieError:
        return None
    return participation.find_participant(db.session, focus_group.id, key)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@cache
def _calendar_endpoint() -> str | None:
    endpoints = [rule.endpoint for rule in current_app.url_map.iter_rules()]
    return next((e for e in endpoints if e.startswith("focus_groups_calendar.")), None)


def _calendar_url(public_id: str) -> str | None:
    endpoint = _calendar_endpoint()
    try:
        return url_for(endpoint, public_id=public_id) if endpoint else None
    except Exception:  # another helper's route with other parameters: no link rather than a 500
        return None


def _when(value: datetime | None) -> str:
    """A start like "tirsdag 24. november 2026 18:00", in the reader's language and the app's time zone."""
    return f"{format_date(value, 'full')} {format_time(value, 'short')}" if value else ""


def _context(focus_group: FocusGroup, **extra: Any) -> dict[str, Any]:
    consultation = focus_group.consultation
    public_id = consultation.public_id
    return {
        "focus_group": focus_group,
        "consultation": consultation,
        "organisation": consultation.organisation,
        "public_id": public_id,
        "page_url": url_for(".group", public_id=public_id),
        "live_url": url_for(".live", public_id=public_id),
        "calendar_url": _calendar_url(public_id),
        "starts_at": _when(focus_group.starts_at),
        "closes_at": _when(consultation.closes_at),
        **extra,
    }


def _no_store(response: Response) -> Response:
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"  # holds the participant's own answers
    return response


def _render_stage(stage: Stage, status: int = 200, *, fragment: bool | None = None) -> Response:
    fragment = is_partial_request() if fragment is None else fragment
    template = "focus_groups/_partials/stage.html" if fragment else "focus_groups/public/group.html"
    html = render_template(template, **_context(stage.focus_group, stage=stage))
    return _no_store(make_response(html, status))


def _render_landing(focus_group: FocusGroup, status: int = 200, message: str = "") -> Response:
    joinable = ""
    try:
        participation.check_can_join(focus_group, focus_group.consultation)
    except DomainError as refused:
        joinable = refused.message
    html = render_template(
        "focus_groups/public/group.html",
        **_context(
            focus_group,
            stage=None,
            message=message,
            closed_notice=joinable,
            public_access=focus_group.consultation.access == Access.PUBLIC,
        ),
    )
    return _no_store(make_response(html, status))


def _render_full(focus_group: FocusGroup, message: str) -> Response:
    html = render_template("focus_groups/public/full.html", **_context(focus_group, message=message))
    return _no_store(make_response(html, 409))


# --- pages ---------------------------------------------------------------------------------------------------


@bp.get("/f/join/<token>")
def join(token: str) -> Response:
    """A personal link: find or create its participant, keep it in the cookie, show the group."""
    invitation = find_invitation(db.session, token)
    consultation = db.session.get(Consultation, invitation.consultation_id) if invitation else None
    if consultation is not None and consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        raise NotFoundError(_("This focus group is not open yet. Try your link again closer to the start."))
    try:
        found = participation.join_with_link(db.session, token)
    except SessionFullError as full:
        db.session.rollback()
        assert consultation is not None
        return _render_full(_load(consultation.public_id), full.message)
    except StateError:
        db.session.rollback()
        assert consultation is not None
        return _render_landing(_load(consultation.public_id), 409)
    if found is None:
        raise NotFoundError(
            _("This personal link is not valid. Check that you copied the whole link from your invitation.")
        )
    focus_group, _participant, key = found
    public_id = focus_group.consultation.public_id
    db.session.commit()
    response = redirect(url_for(".group", public_id=public_id), code=303)
    return participation.set_participant_cookie(response, public_id, key)


@bp.get("/f/<public_id>")
def group(public_id: str) -> Response:
    focus_group = _load(public_id)
    participant = _reader(focus_group)
    if participant is None:
        return _render_landing(focus_group)
    if participation.touch_seen(db.session, participant.id, participant.last_seen_at, now_utc()):
        db.session.commit()
    return _render_stage(build_stage(db.session, focus_group, participant, step_id=_int(request.args.get("step"))))


@bp.post("/f/<public_id>/join")
def take_part(public_id: str) -> Response:
    """The "take part" button of a public group: a cookie participant, if a seat is free."""
    focus_group = _load(public_id)
    try:
        key = participation.participant_key(public_id)
    except ForgedCookieError:
        key = None
    try:
        _participant, key = participation.join_public(db.session, focus_group, key)
    except SessionFullError as full:
        db.session.rollback()
        return _render_full(focus_group, full.message)
    except DomainError as refused:
        db.session.rollback()
        return _render_landing(focus_group, refused.status_code, refused.message)
    db.session.commit()
    response = redirect(url_for(".group", public_id=public_id), code=303)
    return participation.set_participant_cookie(response, public_id, key)


@bp.get("/f/<public_id>/live")
def live(public_id: str) -> Response:
    """204 while the group's version equals ``v``; otherwise the stage fragment (carrying the new version)."""
    try:
        key = participation.participant_key(public_id)
    except ForgedCookieError:
        key = None
    row = db.session.execute(_LIVE, {"public_id": public_id, "key_hash": hash_token(key or "")}).first()
    if row is None:
        return make_response("", 404)
    version, participant_id, last_seen_at = row
    if participant_id is None:
        return make_response("", 403)  # no swap: the page keeps what it shows
    if _int(request.args.get("v")) == version:
        if participation.touch_seen(db.session, participant_id, last_seen_at, now_utc()):
            db.session.commit()
        response = make_response("", 204)
        response.headers["Cache-Control"] = "no-store"
        return response
    focus_group = _load(public_id)
    participant = db.session.get_one(FocusGroupParticipant, participant_id)
    if participation.touch_seen(db.session, participant_id, last_seen_at, now_utc()):
        db.session.commit()
    return _render_stage(build_stage(db.session, focus_group, participant), fragment=True)


# --- posts ---------------------------------------------------------------------------------------------------


def _posting_participant(focus_group: FocusGroup) -> FocusGroupParticipant:
    try:
        key = participation.participant_key(focus_group.consultation.public_id)
    except ForgedCookieError:
        key = None
    participant = participation.find_participant(db.session, focus_group.id, key)
    if participant is None:
        raise NotAllowedError(_("Join the focus group first: use your personal link or the group's page."))
    return participant


def _back(focus_group: FocusGroup, step: int | None = None) -> Response:
    args = {"step": step} if step and focus_group.mode == FocusGroupMode.ASYNC else {}
    return redirect(url_for(".group", public_id=focus_group.consultation.public_id, **args), code=303)


@bp.post("/f/<public_id>/prompts/<int:prompt_id>/answer")
def answer(public_id: str, prompt_id: int) -> Response:
    focus_group = _load(public_id)
    participant = _posting_participant(focus_group)
    prompt = db.session.get(Prompt, prompt_id)
    if prompt is None or prompt.focus_group_id != focus_group.id:
        raise NotFoundError(_("We could not find this question. It may have been removed."))
    try:
        _contribution, created = answering.submit_answer(db.session, focus_group, prompt, participant, request.form)
    except DomainError as refused:
        db.session.rollback()
        stage = build_stage(db.session, focus_group, participant, step_id=prompt.id, prompt=prompt)
        if stage.prompt is None or stage.prompt.id != prompt.id:
            fill_prompt(db.session, stage, prompt)
        stage.kind = PROMPT  # the form again, holding what was typed, whatever the session did meanwhile
        stage.values = answering.values_from_form(prompt, request.form)
        stage.error = refused.message
        stage.error_field = getattr(refused, "field", "")
        return _render_stage(stage, refused.status_code)
    if created:
        key = participation.participant_key(public_id) or ""
        participation.mark_link_invitation_responded(db.session, key)
    db.session.commit()
    # The stage says "Your answer is saved" next to the form (no flash: it would say it twice).
    stays = prompt.kind == PromptKind.OPEN and prompt.voting_enabled
    step = prompt.id if focus_group.mode == FocusGroupMode.LIVE or stays else None
    if is_partial_request():
        return _render_stage(build_stage(db.session, focus_group, participant, step_id=step))
    return _back(focus_group, step)


@bp.post("/f/<public_id>/contributions/<int:contribution_id>/vote")
def vote(public_id: str, contribution_id: int) -> Response:
    focus_group = _load(public_id)
    participant = _posting_participant(focus_group)
    step = _int(request.form.get("step"))
    error = ""
    try:
        answering.cast_vote(db.session, focus_group, participant, contribution_id, request.form.get("value"))
    except DomainError as refused:
        db.session.rollback()
        if not is_partial_request():
            flash(refused.message, "error")
            return _back(focus_group, step)
        error, status = refused.message, refused.status_code
    else:
        db.session.commit()
        status = 200
        if not is_partial_request():
            flash(_("Your vote is saved."), "success")
            return _back(focus_group, step)
    item = answering.votable_contribution(db.session, focus_group, contribution_id, participant.id)
    if item is None:
        raise NotFoundError(_("We could not find this answer. It may have been removed."))
    html = render_template(
        "focus_groups/_partials/vote_item.html",
        item=item,
        error=error,
        public_id=public_id,
        step=step,
        vote_names=answering.NAMES,
    )
    return _no_store(make_response(html, status))
