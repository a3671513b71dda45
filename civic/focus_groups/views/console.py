"""The moderator console, the staff observer page and the public observer link.

Moderators run the live session here (start, push prompts, follow up, close, share results, highlight or hide
answers, finish); the services in civic/focus_groups/live.py do the work, these views parse the form and commit
once. Every action answers htmx with the re-rendered console body and a plain form with a 303 back to the console,
so the console works without JS too. The live panels are a separate fragment that the page polls every 3 s while
the session can change; observers (staff, and politicians with the observer link) get the same panels, read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civic.accounts.permissions import ALL_STAFF, MODERATORS, PLANNERS, same_organisation, staff_required
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, is_partial_request
from civic.extensions import db
from civic.focus_groups import live, observers, panels, tasks
from civic.focus_groups.groups import find_focus_group
from civic.focus_groups.guide import kind_label, state_label
from civic.focus_groups.models import Contribution, FocusGroup, Prompt, PromptKind

bp = Blueprint("focus_groups_console", __name__)

PREFIX = "/manage/focus-groups/<int:consultation_id>"
CONSOLE_PAGE = "focus_groups/console.html"
CONSOLE_BODY = "focus_groups/_partials/console_body.html"
PANELS = "focus_groups/_partials/console_panels.html"
#: Follow-ups may be written as these kinds from the console.
FOLLOW_UP_KINDS = (PromptKind.OPEN, PromptKind.SINGLE_CHOICE, PromptKind.MULTIPLE_CHOICE)


def load_group(consultation_id: int) -> FocusGroup:
    """The focus group of a consultation of the staff member's organisation; 404 otherwise."""
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    if consultation.kind != ConsultationKind.FOCUS_GROUP:
        abort(404)
    group = find_focus_group(db.session, consultation.id)
    if group is None:
        abort(404)
    return group


def _load_prompt(group: FocusGroup, prompt_id: int) -> Prompt:
    prompt = db.session.get(Prompt, prompt_id)
    if prompt is None or prompt.focus_group_id != group.id:
        abort(404)
    return prompt


def _load_contribution(group: FocusGroup, contribution_id: int) -> Contribution:
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None:
        abort(404)
    prompt = db.session.get(Prompt, contribution.prompt_id)
    if prompt is None or prompt.focus_group_id != group.id:
        abort(404)
    return contribution


def _panels_prompt_id() -> int | None:
    value = request.values.get("prompt_id", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _live_panels(group: FocusGroup, audience: str) -> panels.LivePanels:
    data = panels.live_panels(db.session, group, audience=audience, prompt_id=_panels_prompt_id())
    open_prompt = data.prompt is not None and data.prompt.kind == PromptKind.OPEN and data.polling
    if open_prompt and tasks.request_themes(db.session, data.prompt):
        db.session.commit()  # the task is sent after the commit (nothing else was written)
        data = panels.live_panels(db.session, group, audience=audience, prompt_id=_panels_prompt_id())
    return data


def _context(group: FocusGroup, audience: str, **extra: Any) -> dict[str, Any]:
    return {
        "group": group,
        "consultation": group.consultation,
        "panels": _live_panels(group, audience),
        "kind_label": kind_label,
        "prompt_state_label": state_label,
        "can_plan": getattr(current_user, "role", None) in PLANNERS,
        "follow_up_kinds": [(kind, kind_label(kind)) for kind in FOLLOW_UP_KINDS],
        "follow_up": {"text": "", "kind": PromptKind.OPEN, "options": "", "voting": True},
        "error": None,
        "observer_link": None,
        **extra,
    }


def _console(group: FocusGroup, *, status: int = 200, **extra: Any) -> Response:
    """The full console page, or its body for htmx (after an action)."""
    template = CONSOLE_BODY if is_partial_request() else CONSOLE_PAGE
    response = make_response(render_template(template, **_context(group, panels.MODERATOR, **extra)), status)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


def _done(group: FocusGroup, message: str) -> Response:
    """After a successful action: the console body for htmx, a 303 to the console (with a flash) otherwise."""
    db.session.commit()
    if is_partial_request():
        return _console(group, message=message)
    flash(message, "success")
    return hx_redirect(url_for(".console", consultation_id=group.consultation_id))


def _failed(group: FocusGroup, exc: DomainError, **extra: Any) -> Response:
    db.session.rollback()
    return _console(group, status=exc.status_code, error=exc.message, **extra)


def _act(
    group: FocusGroup,
    action: Callable[[], object],
    message: str,
    *,
    done: Callable[[FocusGroup, str], Response] = _done,
    **failed_extra: Any,
) -> Response:
    """Run one moderator action: ``done`` with ``message`` when it worked, the console with the error when not."""
    try:
        action()
    except DomainError as exc:
        return _failed(group, exc, **failed_extra)
    return done(group, message)


def _act_on_prompt(
    consultation_id: int, prompt_id: int, action: Callable[..., object], message: str
) -> Response:
    """Run a moderator action on one prompt of the group: ``action(session, group, prompt, actor=...)``."""
    group = load_group(consultation_id)
    prompt = _load_prompt(group, prompt_id)
    return _act(group, lambda: action(db.session, group, prompt, actor=current_user), message)


@bp.get(f"{PREFIX}/console")
@staff_required(*MODERATORS)
def console(consultation_id: int) -> Response:
    return _console(load_group(consultation_id))


@bp.get(f"{PREFIX}/console/panels")
@staff_required(*MODERATORS)
def console_panels(consultation_id: int) -> Response:
    return _panels_response(load_group(consultation_id), panels.MODERATOR)


def _panels_response(group: FocusGroup, audience: str, *, token: str | None = None) -> Response:
    context = {"group": group, "consultation": group.consultation, "panels": _live_panels(group, audience)}
    response = make_response(render_template(PANELS, observer_token=token, **context))
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(f"{PREFIX}/console/start")
@staff_required(*MODERATORS)
def start(consultation_id: int) -> Response:
    group = load_group(consultation_id)
    return _act(
        group,
        lambda: live.start_session(db.session, group, actor=current_user),
        _("The session has started. Push the first prompt when everyone is ready."),
    )


@bp.post(f"{PREFIX}/console/finish")
@staff_required(*MODERATORS)
def finish(consultation_id: int) -> Response:
    group = load_group(consultation_id)
    return _act(
        group,
        lambda: live.finish_session(db.session, group, actor=current_user),
        _("The session has finished. Participants see a thank-you page."),
    )


@bp.post(f"{PREFIX}/console/prompts/<int:prompt_id>/push")
@staff_required(*MODERATORS)
def push(consultation_id: int, prompt_id: int) -> Response:
    return _act_on_prompt(
        consultation_id, prompt_id, live.push_prompt, _("The prompt is now shown to the participants.")
    )


@bp.post(f"{PREFIX}/console/prompts/<int:prompt_id>/close")
@staff_required(*MODERATORS)
def close(consultation_id: int, prompt_id: int) -> Response:
    return _act_on_prompt(
        consultation_id, prompt_id, live.close_prompt, _("The prompt is closed: no more answers are taken.")
    )


@bp.post(f"{PREFIX}/console/prompts/<int:prompt_id>/share")
@staff_required(*MODERATORS)
def share(consultation_id: int, prompt_id: int) -> Response:
    return _act_on_prompt(
        consultation_id, prompt_id, live.share_results, _("The results are shown to the participants.")
    )


@bp.post(f"{PREFIX}/console/follow-up")
@staff_required(*MODERATORS)
def follow_up(consultation_id: int) -> Response:
    group = load_group(consultation_id)
    typed = {
        "text": request.form.get("text", ""),
        "kind": request.form.get("kind", PromptKind.OPEN),
        "options": request.form.get("options", ""),
        "voting": request.form.get("voting_enabled") == "1",
    }
    return _act(
        group,
        lambda: live.add_follow_up(
            db.session,
            group,
            text=typed["text"],
            lang=group.consultation.default_language,  # written in the session's language, not the UI's
            kind=typed["kind"],
            options=typed["options"],
            voting_enabled=typed["voting"],
            actor=current_user,
        ),
        _("The follow-up is now shown to the participants."),
        follow_up=typed,
    )


def _flag() -> bool:
    return request.form.get("value", "1") == "1"


@bp.post(f"{PREFIX}/console/contributions/<int:contribution_id>/highlight")
@staff_required(*MODERATORS)
def highlight(consultation_id: int, contribution_id: int) -> Response:
    group = load_group(consultation_id)
    contribution = _load_contribution(group, contribution_id)
    on = _flag()
    return _act(
        group,
        lambda: live.set_highlight(db.session, group, contribution, on, actor=current_user),
        _("The answer is highlighted.") if on else _("The answer is no longer highlighted."),
        done=_answer_done,
    )


@bp.post(f"{PREFIX}/console/contributions/<int:contribution_id>/hide")
@staff_required(*MODERATORS)
def hide(consultation_id: int, contribution_id: int) -> Response:
    group = load_group(consultation_id)
    contribution = _load_contribution(group, contribution_id)
    on = _flag()
    return _act(
        group,
        lambda: live.set_hidden(db.session, group, contribution, on, actor=current_user),
        _("The answer is hidden.") if on else _("The answer is shown again."),
        done=_answer_done,
    )


def _answer_done(group: FocusGroup, message: str) -> Response:
    """Answer actions live inside the polled panels: htmx gets the panels back, a plain form the console."""
    db.session.commit()
    if is_partial_request():
        return _panels_response(group, panels.MODERATOR)
    flash(message, "success")
    return hx_redirect(url_for(".console", consultation_id=group.consultation_id, prompt_id=_panels_prompt_id()))


@bp.post(f"{PREFIX}/console/observer-link")
@staff_required(*PLANNERS)
def create_observer_link(consultation_id: int) -> Response:
    """A new observer link, shown once (only its hash is kept): rendered straight away, not redirected."""
    group = load_group(consultation_id)
    token = observers.create_observer_link(db.session, group)
    db.session.commit()
    link = request.url_root.rstrip("/") + url_for(".observe_public", token=token)
    return _console(
        group, observer_link=link, message=_("A new observer link is ready. Copy it now: it is shown only once.")
    )


@bp.post(f"{PREFIX}/console/observer-link/revoke")
@staff_required(*PLANNERS)
def revoke_observer_link(consultation_id: int) -> Response:
    group = load_group(consultation_id)
    revoked = observers.revoke_observer_link(db.session, group)
    message = _("The observer link no longer works.") if revoked else _("There was no observer link.")
    return _done(group, message)


# --- observers -------------------------------------------------------------------------------------------------


@bp.get(f"{PREFIX}/observe")
@staff_required(*ALL_STAFF)
def observe(consultation_id: int) -> Response:
    group = load_group(consultation_id)
    context = {"group": group, "consultation": group.consultation, "panels": _live_panels(group, panels.STAFF_OBSERVER)}
    response = make_response(render_template("focus_groups/observe.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(f"{PREFIX}/observe/panels")
@staff_required(*ALL_STAFF)
def observe_panels(consultation_id: int) -> Response:
    return _panels_response(load_group(consultation_id), panels.STAFF_OBSERVER)


def _observed_group(token: str) -> FocusGroup:
    group = observers.find_by_observer_token(db.session, token)
    if group is None:
        abort(404)
    return group


def _public_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/f/observe/<token>")
def observe_public(token: str) -> Response:
    """Read-only live view for people without an account who hold the observer link (no pseudonyms, no hidden)."""
    group = _observed_group(token)
    context = {
        "group": group,
        "consultation": group.consultation,
        "panels": _live_panels(group, panels.PUBLIC_OBSERVER),
        "observer_token": token,
        "organisation": group.consultation.organisation,  # the resident layout's header
    }
    return _public_headers(make_response(render_template("focus_groups/observe_public.html", **context)))


@bp.get("/f/observe/<token>/panels")
def observe_public_panels(token: str) -> Response:
    return _public_headers(_panels_response(_observed_group(token), panels.PUBLIC_OBSERVER, token=token))
