"""Planner pages for consultations: list, detail with state actions, edit."""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic.accounts.models import StaffUser
from civic.accounts.permissions import ALL_STAFF, PLANNERS, same_organisation, staff_required
from civic.consultations import services
from civic.consultations.forms import ConsultationForm, StateChangeForm
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.extensions import db

bp = Blueprint("consultations", __name__, url_prefix="/manage/consultations")

S = ConsultationState


def state_actions(consultation: Consultation) -> list[tuple[str, str]]:
    """Return (target state, button label) for each transition a planner may make now."""
    current = S(consultation.state)
    labels = {
        (S.DRAFT, S.SCHEDULED): _("Schedule"),
        (S.DRAFT, S.OPEN): _("Open now"),
        (S.SCHEDULED, S.OPEN): _("Open now"),
        (S.SCHEDULED, S.DRAFT): _("Back to draft"),
        (S.OPEN, S.CLOSED): _("Close"),
        (S.CLOSED, S.OPEN): _("Reopen"),
        (S.CLOSED, S.PUBLISHED): _("Publish results"),
    }
    order = [S.DRAFT, S.SCHEDULED, S.OPEN, S.CLOSED, S.PUBLISHED]
    targets = sorted(services.ALLOWED_TRANSITIONS[current], key=order.index)
    if _opened_elsewhere(consultation, current):
        targets = [target for target in targets if target != S.OPEN]
    return [(target.value, labels[(current, target)]) for target in targets]


def _opened_elsewhere(consultation: Consultation, current: ConsultationState) -> bool:
    """A focus group is opened from its own page: its asynchronous window and guide open with it."""
    return consultation.kind == ConsultationKind.FOCUS_GROUP and current in (S.DRAFT, S.SCHEDULED)


def _load(consultation_id: int) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    return consultation


def _public_prefix(consultation: Consultation) -> str:
    """The residents' URL prefix of each kind: /s/ surveys, /h/ hearings, /f/ focus groups."""
    prefixes = {ConsultationKind.HEARING: "h", ConsultationKind.FOCUS_GROUP: "f"}
    return prefixes.get(ConsultationKind(consultation.kind), "s")


def _detail_context(consultation: Consultation, **extra: object) -> dict[str, object]:
    actor_ids = {change.actor_id for change in consultation.state_changes if change.actor_id}
    actors = (
        {user.id: user for user in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    return {
        "consultation": consultation,
        "actions": state_actions(consultation),
        "actors": actors,
        "state_label": services.state_label,
        "can_edit": current_user.role in PLANNERS,
        "public_url": f"{request.url_root}{_public_prefix(consultation)}/{consultation.public_id}",
        "public_path": f"/{_public_prefix(consultation)}/{consultation.public_id}",
        **extra,
    }


@bp.get("/")
@staff_required(*ALL_STAFF)
def manage_list() -> str:
    consultations = db.session.scalars(
        select(Consultation)
        .where(Consultation.organisation_id == current_user.organisation_id)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    ).all()
    return render_template(
        "consultations/manage_list.html",
        consultations=consultations,
        state_label=services.state_label,
        can_edit=current_user.role in PLANNERS,
    )


@bp.get("/<int:consultation_id>")
@staff_required(*ALL_STAFF)
def detail(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    return render_fragment(
        "consultations/manage_detail.html",
        "consultations/_partials/consultation_state.html",
        **_detail_context(consultation),
    )


@bp.post("/<int:consultation_id>/state")
@staff_required(*PLANNERS)
def change_state(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    form = StateChangeForm()
    error = None
    status = 200
    if not form.validate_on_submit() or form.to_state.data not in set(ConsultationState):
        error, status = _("Choose a valid action."), 400
    elif form.to_state.data == S.OPEN and _opened_elsewhere(consultation, S(consultation.state)):
        error, status = _("Open the focus group from its own page, so its schedule and guide open with it."), 409
    else:
        try:
            services.change_state(
                db.session, consultation, ConsultationState(form.to_state.data), actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status_code
        else:
            db.session.commit()
            message = _("The consultation is now %(state)s.", state=services.state_label(consultation.state))
            if not is_partial_request():
                flash(message, "success")
                return hx_redirect(url_for("consultations.detail", consultation_id=consultation.id))
            return render_fragment(
                "consultations/manage_detail.html",
                "consultations/_partials/consultation_state.html",
                **_detail_context(consultation, message=message),
            )
    return render_fragment(
        "consultations/manage_detail.html",
        "consultations/_partials/consultation_state.html",
        status=status,
        **_detail_context(consultation, error=error),
    )


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def edit(consultation_id: int) -> Response | str | tuple[str, int]:
    consultation = _load(consultation_id)
    form = ConsultationForm()
    if request.method == "GET":
        form.fill_from(consultation)
        return render_template("consultations/manage_form.html", form=form, consultation=consultation)
    error = None
    status = 422
    if form.validate_on_submit():
        try:
            services.update_consultation(db.session, consultation, **form.to_fields())
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status_code
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return hx_redirect(url_for("consultations.detail", consultation_id=consultation.id))
    return (
        render_template("consultations/manage_form.html", form=form, consultation=consultation, error=error),
        status,
    )
