"""Planner pages: campaign list, creation, sending, schedule, reminders and the follow-up funnel."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from civic.accounts.permissions import ALL_STAFF, PLANNERS, staff_required
from civic.campaigns import reporting, services
from civic.campaigns.forms import CHANNEL_LABELS, CampaignForm, ReminderForm, ScheduleForm, SegmentReminderForm
from civic.campaigns.models import Campaign, CampaignState
from civic.campaigns.views.common import load_campaign
from civic.consultations.forms import utc_to_local
from civic.consultations.models import Consultation, ConsultationState
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, render_fragment
from civic.extensions import db
from civic.outreach.models import Invitation
from civic.registry.factory import registry_from_config

bp = Blueprint("campaigns", __name__, url_prefix="/manage/campaigns")

DETAIL_PAGE = "campaigns/detail.html"
PROGRESS_PARTIAL = "campaigns/_partials/campaign_progress.html"
STATE_LABELS = {
    CampaignState.DRAFT: _l("Draft"),
    CampaignState.SCHEDULED: _l("Scheduled"),
    CampaignState.SENDING: _l("Sending"),
    CampaignState.SENT: _l("Sent"),
    CampaignState.CANCELLED: _l("Cancelled"),
}


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"campaign_state_label": lambda state: str(STATE_LABELS.get(state, state)), "shown": reporting.shown}



def _detail_url(campaign: Campaign) -> str:
    return url_for("campaigns.detail", campaign_id=campaign.id)


@bp.get("/")
@staff_required(*PLANNERS)
def index() -> str:
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.organisation_id == current_user.organisation_id).order_by(Campaign.id.desc())
    ).all()
    numbers = {
        campaign_id: (int(sent), int(responded))
        for campaign_id, sent, responded in db.session.execute(
            select(Invitation.campaign_id, func.count(Invitation.sent_at), func.count(Invitation.responded_at))
            .where(Invitation.campaign_id.in_([c.id for c in campaigns]))
            .group_by(Invitation.campaign_id)
        )
    }
    return render_template("campaigns/index.html", campaigns=campaigns, numbers=numbers)


def _consultation_choices() -> list[SelectChoice]:
    consultations = db.session.scalars(
        select(Consultation)
        .where(
            Consultation.organisation_id == current_user.organisation_id,
            Consultation.state.in_((ConsultationState.DRAFT, ConsultationState.SCHEDULED, ConsultationState.OPEN)),
        )
        .order_by(Consultation.id.desc())
    ).all()
    return [
        SelectChoice(c.id, c.title.get(c.default_language) or next(iter(c.title.values()), "—")) for c in consultations
    ]


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def new() -> Response | tuple[str, int] | str:
    form = CampaignForm()
    form.consultation_id.choices = _consultation_choices()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("campaigns/new.html", form=form), status
    try:
        campaign = services.create_campaign(
            db.session,
            current_user.organisation,
            actor=current_user,
            name=form.name.data,
            consultation_id=form.consultation_id.data,
            channel_policy=form.channel_policy.data,
        )
    except DomainError as exc:
        db.session.rollback()
        return render_template("campaigns/new.html", form=form, error=exc.message), exc.status_code
    db.session.commit()
    flash(_("The campaign is created. Choose the audience next."), "success")
    return hx_redirect(_detail_url(campaign))


def _detail(campaign: Campaign, status: int = 200, error: str = "", **forms: Any) -> Response:
    report = reporting.campaign_report(db.session, campaign)
    reminder_form = forms.get("reminder_form") or ReminderForm(
        data={"reminder_after_days": campaign.reminder_after_days, "reminder_max": campaign.reminder_max}
    )
    schedule_form = forms.get("schedule_form") or ScheduleForm(data={"send_at": utc_to_local(campaign.send_at)})
    return render_fragment(
        DETAIL_PAGE,
        PROGRESS_PARTIAL,
        status=status,
        campaign=campaign,
        consultation=db.session.get(Consultation, campaign.consultation_id),
        report=report,
        reminder_form=reminder_form,
        schedule_form=schedule_form,
        segment_labels=reporting.SEGMENT_LABELS,
        channel_label=CHANNEL_LABELS.get(campaign.channel_policy, campaign.channel_policy),
        error=error,
    )


@bp.get("/<int:campaign_id>")
@staff_required(*ALL_STAFF)
def detail(campaign_id: int) -> Response:
    return _detail(load_campaign(campaign_id))


@bp.get("/<int:campaign_id>/progress")
@staff_required(*ALL_STAFF)
def progress(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    response = render_fragment(
        PROGRESS_PARTIAL, PROGRESS_PARTIAL, campaign=campaign, report=reporting.progress(db.session, campaign)
    )
    return response


def _act(campaign: Campaign, action: Any, done_message: str) -> Response:
    """Run a service action; commit once and go back to the page, or show the page with the refusal."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        return _detail(db.session.get(Campaign, campaign.id), status=exc.status_code, error=exc.message)
    db.session.commit()
    flash(done_message, "success")
    return hx_redirect(_detail_url(campaign))


def _registry():
    return registry_from_config(current_app.config)


@bp.post("/<int:campaign_id>/send")
@staff_required(*PLANNERS)
def send_now(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return _act(
        campaign,
        lambda: services.send_now(db.session, campaign, registry=_registry()),
        _("Sending has started. The numbers below update while it runs."),
    )


@bp.post("/<int:campaign_id>/schedule")
@staff_required(*PLANNERS)
def schedule(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _detail(campaign, status=422, schedule_form=form)
    return _act(
        campaign,
        lambda: services.schedule(db.session, campaign, send_at=form.send_at_utc(), registry=_registry()),
        _("The campaign is scheduled."),
    )


@bp.post("/<int:campaign_id>/unschedule")
@staff_required(*PLANNERS)
def unschedule(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return _act(campaign, lambda: services.unschedule(db.session, campaign), _("The campaign is a draft again."))


@bp.post("/<int:campaign_id>/cancel")
@staff_required(*PLANNERS)
def cancel(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return _act(campaign, lambda: services.cancel(db.session, campaign), _("The campaign is cancelled."))


@bp.post("/<int:campaign_id>/reminders")
@staff_required(*PLANNERS)
def reminder_settings(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        return _detail(campaign, status=422, reminder_form=form)
    return _act(
        campaign,
        lambda: services.update_settings(
            db.session,
            campaign,
            name=campaign.name,
            channel_policy=campaign.channel_policy,
            reminder_after_days=form.reminder_after_days.data,
            reminder_max=form.reminder_max.data,
        ),
        _("The reminder settings are saved."),
    )


@bp.post("/<int:campaign_id>/remind")
@staff_required(*PLANNERS)
def remind(campaign_id: int) -> Response:
    """Send a reminder now; with a segment (from the follow-up table) only to that under-represented group."""
    campaign = load_campaign(campaign_id)
    form = SegmentReminderForm()
    segment = {"dimension": form.dimension.data, "value": form.value.data} if form.dimension.data else None
    if segment is not None and not form.validate_on_submit():
        return _detail(campaign, status=422, error=_("Choose a group to remind."))
    return _act(
        campaign,
        lambda: services.send_reminder(db.session, campaign, segment=segment),
        _("The reminder is on its way."),
    )


@bp.post("/<int:campaign_id>/resend-unknown")
@staff_required(*PLANNERS)
def resend_unknown(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return _act(
        campaign,
        lambda: services.resend_unknown(db.session, campaign),
        _("Messages with an unknown outcome are being sent again."),
    )
