"""Planner pages for focus groups: the list, creating one, its overview, its settings and opening it.

The discussion-guide builder (manage_guide.py) adds its routes to this blueprint. Closing and publishing go
through the consultations' own state page; opening goes through here, because an asynchronous group's window
and prompts open with it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from civic.accounts.models import StaffUser
from civic.accounts.permissions import ALL_STAFF, PLANNERS, same_organisation, staff_required
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.consultations.services import state_label
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.extensions import db
from civic.focus_groups import groups, guide
from civic.focus_groups.forms import FocusGroupForm
from civic.focus_groups.models import FocusGroup, FocusGroupParticipant, SessionState
from civic.focus_groups.views import manage_guide

bp = Blueprint("focus_groups_manage", __name__, url_prefix="/manage/focus-groups")
manage_guide.add_routes(bp)

DETAIL_PAGE = "focus_groups/manage_detail.html"
OPEN_PARTIAL = "focus_groups/_partials/manage_open.html"


def load_focus_group(consultation_id: int) -> FocusGroup:
    """The focus group of a consultation of the staff member's organisation; 404 otherwise."""
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    if consultation.kind != ConsultationKind.FOCUS_GROUP:
        abort(404)
    group = groups.find_focus_group(db.session, consultation.id)
    if group is None:
        abort(404)
    return group


def optional_url(endpoint: str, **values: Any) -> str | None:
    """url_for, or None when a page another part of the app provides does not exist (yet)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def public_url(group: FocusGroup) -> str:
    """The residents' address of the focus group, absolute, to copy into letters and posts."""
    public_id = group.consultation.public_id
    path = optional_url("focus_groups_public.group", public_id=public_id) or f"/f/{public_id}"
    return request.url_root.rstrip("/") + path


def session_label(state: str) -> str:
    labels = {
        SessionState.SCHEDULED: _("Scheduled"),
        SessionState.LIVE: _("Live now"),
        SessionState.FINISHED: _("Finished"),
    }
    return labels[SessionState(state)]


def mode_label(mode: str) -> str:
    return _("Live session") if mode == "live" else _("Asynchronous")


@bp.get("/")
@staff_required(*ALL_STAFF)
def index() -> str:
    rows = groups.list_focus_groups(db.session, current_user.organisation_id)
    ids = [group.id for group in rows]
    joined = dict(
        db.session.execute(
            select(FocusGroupParticipant.focus_group_id, func.count())
            .where(FocusGroupParticipant.focus_group_id.in_(ids))
            .group_by(FocusGroupParticipant.focus_group_id)
        ).all()
    )
    return render_template(
        "focus_groups/manage_list.html",
        rows=rows,
        joined=joined,
        state_label=state_label,
        session_label=session_label,
        mode_label=mode_label,
        can_edit=current_user.role in PLANNERS,
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def new() -> Response | str | tuple[str, int]:
    form = FocusGroupForm()
    form.future_start = True
    if request.method == "GET":
        return render_template("focus_groups/manage_new.html", form=form)
    if not form.validate_on_submit():
        return render_template("focus_groups/manage_new.html", form=form), 422
    try:
        group = groups.create_focus_group(db.session, current_user.organisation, actor=current_user, **form.to_fields())
    except DomainError as exc:
        db.session.rollback()
        return render_template("focus_groups/manage_new.html", form=form, error=exc.message), exc.status_code
    db.session.commit()
    flash(_("The focus group is created as a draft. Write the discussion guide next."), "success")
    return hx_redirect(url_for("focus_groups_manage.guide_page", consultation_id=group.consultation_id))


def _actors(consultation: Consultation) -> dict[int, StaffUser]:
    ids = {change.actor_id for change in consultation.state_changes if change.actor_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))}


def detail_context(group: FocusGroup, **extra: Any) -> dict[str, Any]:
    consultation = group.consultation
    cid = consultation.id
    links = {
        "console": optional_url("focus_groups_console.console", consultation_id=cid),
        "observe": optional_url("focus_groups_console.observe", consultation_id=cid),
        "transcript": optional_url("focus_groups_transcript.page", consultation_id=cid),
        "campaigns": optional_url("campaigns.new"),
        "state": optional_url("consultations.detail", consultation_id=cid),
        "analysis": optional_url("insight_runs.overview", consultation_id=cid),
        "calendar": optional_url("focus_groups_calendar.download", public_id=consultation.public_id),
    }
    return {
        "group": group,
        "consultation": consultation,
        "links": links,
        "public_url": public_url(group),
        "joined": groups.participant_count(db.session, group),
        "ends_at": groups.ends_at(group),
        "state_label": state_label,
        "session_label": session_label,
        "mode_label": mode_label,
        "kind_label": guide.kind_label,
        "prompt_state_label": guide.state_label,
        "actors": _actors(consultation),
        "can_edit": current_user.role in PLANNERS,
        "can_open": consultation.state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED)
        and group.state != SessionState.FINISHED,
        **extra,
    }


@bp.get("/<int:consultation_id>")
@staff_required(*ALL_STAFF)
def detail(consultation_id: int) -> Response:
    group = load_focus_group(consultation_id)
    return render_fragment(DETAIL_PAGE, OPEN_PARTIAL, **detail_context(group))


@bp.route("/<int:consultation_id>/settings", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def settings(consultation_id: int) -> Response | str | tuple[str, int]:
    group = load_focus_group(consultation_id)
    form = FocusGroupForm()
    context = {"group": group, "consultation": group.consultation, "form": form}
    if request.method == "GET":
        form.fill_from(group)
        return render_template("focus_groups/manage_settings.html", **context)
    if not form.validate_on_submit():
        return render_template("focus_groups/manage_settings.html", **context), 422
    try:
        groups.update_settings(db.session, group, **form.to_fields())
    except DomainError as exc:
        db.session.rollback()
        return render_template("focus_groups/manage_settings.html", error=exc.message, **context), exc.status_code
    db.session.commit()
    flash(_("Settings saved."), "success")
    return hx_redirect(url_for("focus_groups_manage.detail", consultation_id=consultation_id))


@bp.post("/<int:consultation_id>/open")
@staff_required(*PLANNERS)
def open_group(consultation_id: int) -> Response:
    """Open the focus group for participants (the waiting room of a live session, the guide of an async one)."""
    group = load_focus_group(consultation_id)
    try:
        groups.open_focus_group(db.session, group, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        db.session.refresh(group)
        return render_fragment(
            DETAIL_PAGE, OPEN_PARTIAL, status=exc.status_code, **detail_context(group, error=exc.message)
        )
    db.session.commit()
    message = _("The focus group is open: participants can join now.")
    if not is_partial_request():
        flash(message, "success")
        return hx_redirect(url_for("focus_groups_manage.detail", consultation_id=consultation_id))
    return render_fragment(DETAIL_PAGE, OPEN_PARTIAL, **detail_context(group, message=message))
