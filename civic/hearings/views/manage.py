"""Planner pages for hearings: the list, creating a hearing, its overview and its settings.

The proposal editor (manage_document.py) and the attachments (manage_attachments.py) add their routes to
this blueprint. State changes go through the consultations' own endpoint (consultations.change_state).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from civic.accounts.models import StaffUser
from civic.accounts.permissions import ALL_STAFF, PLANNERS, staff_required
from civic.consultations.models import Consultation
from civic.consultations.services import state_label
from civic.consultations.views import state_actions
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect
from civic.extensions import db
from civic.hearings import services
from civic.hearings.forms import HearingForm, SettingsForm
from civic.hearings.models import Comment, CommentState, FormalStatement, Hearing, StatementState
from civic.hearings.views import manage_attachments, manage_document
from civic.hearings.views.manage_common import load_hearing, optional_url, public_url

bp = Blueprint("hearings_manage", __name__, url_prefix="/manage/hearings")
manage_document.add_routes(bp)
manage_attachments.add_routes(bp)


def _counts(column, *conditions) -> dict[int, int]:
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


@bp.get("/")
@staff_required(*ALL_STAFF)
def index() -> str:
    rows = db.session.execute(
        select(Hearing, Consultation)
        .join(Consultation, Consultation.id == Hearing.consultation_id)
        .where(Consultation.organisation_id == current_user.organisation_id)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    ).all()
    ids = [hearing.id for hearing, _consultation in rows]
    published = _counts(Comment.hearing_id, Comment.hearing_id.in_(ids), Comment.state == CommentState.PUBLISHED)
    pending = _counts(Comment.hearing_id, Comment.hearing_id.in_(ids), Comment.state == CommentState.PENDING)
    statements = _counts(
        FormalStatement.hearing_id, FormalStatement.hearing_id.in_(ids), FormalStatement.state == StatementState.PENDING
    )
    return render_template(
        "hearings/manage_list.html",
        rows=rows,
        published=published,
        pending=pending,
        statements=statements,
        state_label=state_label,
        can_edit=current_user.role in PLANNERS,
        optional_url=optional_url,
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def new() -> Response | str | tuple[str, int]:
    form = HearingForm()
    if request.method == "GET":
        return render_template("hearings/manage_new.html", form=form)
    ok = form.validate_on_submit()
    if form.document.data and not form.document.errors:
        try:
            services.parse_or_explain(form.document.data)
        except DomainError as exc:
            form.document.errors = [*form.document.errors, exc.message]
            ok = False
    if not ok:
        return render_template("hearings/manage_new.html", form=form), 422
    try:
        hearing = services.create_hearing(db.session, current_user.organisation, actor=current_user, **form.to_fields())
    except DomainError as exc:
        db.session.rollback()
        return render_template("hearings/manage_new.html", form=form, error=exc.message), exc.status_code
    db.session.commit()
    flash(_("The hearing is created as a draft. Check the proposal, add attachments and open it."), "success")
    return hx_redirect(url_for("hearings_manage.detail", consultation_id=hearing.consultation_id))


def _actors(consultation: Consultation) -> dict[int, StaffUser]:
    ids = {change.actor_id for change in consultation.state_changes if change.actor_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))}


@bp.get("/<int:consultation_id>")
@staff_required(*ALL_STAFF)
def detail(consultation_id: int) -> str:
    hearing = load_hearing(consultation_id)
    consultation = hearing.consultation
    counts = services.comment_counts_by_section(db.session, hearing.id)
    pending = db.session.scalar(
        select(func.count()).where(Comment.hearing_id == hearing.id, Comment.state == CommentState.PENDING)
    )
    statements = _counts(FormalStatement.state, FormalStatement.hearing_id == hearing.id)
    cid = consultation.id
    links = {
        "moderation": optional_url("hearings_moderate.queue", consultation_id=cid),
        "moderation_log": optional_url("hearings_moderate.log", consultation_id=cid),
        "statements": optional_url("hearings_moderate.statements", consultation_id=cid),
        "export": optional_url("hearings_polis.export", consultation_id=cid),
    }
    return render_template(
        "hearings/manage_detail.html",
        hearing=hearing,
        consultation=consultation,
        counts=counts,
        whole_document=counts.get(None, 0),
        pending=pending or 0,
        statements=statements,
        links=links,
        public_url=public_url(hearing),
        # For the consultations' state partial (its form posts to consultations.change_state).
        actions=state_actions(consultation),
        actors=_actors(consultation),
        state_label=state_label,
        can_edit=current_user.role in PLANNERS,
    )


@bp.route("/<int:consultation_id>/settings", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def settings(consultation_id: int) -> Response | str | tuple[str, int]:
    hearing = load_hearing(consultation_id)
    form = SettingsForm()
    if request.method == "GET":
        form.fill_from(hearing)
        return render_template("hearings/manage_settings.html", form=form, hearing=hearing)
    if not form.validate_on_submit():
        return render_template("hearings/manage_settings.html", form=form, hearing=hearing), 422
    hearing.moderation_mode = form.moderation_mode.data
    hearing.verification_offered = bool(form.verification_offered.data)
    hearing.house_rules = form.house_rules()
    db.session.commit()
    flash(_("Settings saved."), "success")
    return hx_redirect(url_for("hearings_manage.detail", consultation_id=hearing.consultation_id))
