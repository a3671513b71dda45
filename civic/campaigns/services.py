"""Campaign lifecycle: create, schedule, send now, cancel, reminders, outcome messages and "resend unknown".

Services flush, never commit; views commit once. Work for the worker is queued with enqueue_after_commit,
by task name (tasks sit above services and import them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from celery import signature
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.campaigns import dispatch
from civic.campaigns.audience import (
    SEGMENT_DIMENSIONS,
    AudienceCounts,
    AudienceCriteria,
    InvalidCriteria,
    count_audience,
    validate_criteria,
)
from civic.campaigns.content import default_templates, missing_outcome_templates, validate_template
from civic.campaigns.models import (
    EDITABLE_STATES,
    Campaign,
    CampaignState,
    ChannelPolicy,
    MessagePurpose,
    MessageState,
    OutboundMessage,
)
from civic.campaigns.tokens import new_salt
from civic.consultations.models import Consultation, ConsultationState
from civic.core.after_commit import enqueue_after_commit
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.registry.base import Registry

START_ROUND = "campaigns.start_round"
MAX_REMINDERS = 5
MAX_REMINDER_DAYS = 60


class CampaignNotReadyError(StateError):
    """The campaign cannot be sent as it is (409): the message says what is missing."""


class CampaignStateError(StateError):
    """The campaign is in a state that does not allow this (409)."""


def _consultation_for(session: Session, organisation: Organisation, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or consultation.organisation_id != organisation.id:
        raise InvalidInputError(_("Choose one of your organisation's consultations."))
    return consultation


def create_campaign(
    session: Session,
    organisation: Organisation,
    *,
    actor: StaffUser | None,
    name: str,
    consultation_id: int,
    channel_policy: str = ChannelPolicy.EMAIL_THEN_SMS,
) -> Campaign:
    """Create a draft campaign with the default invitation and reminder texts in the consultation's languages."""
    consultation = _consultation_for(session, organisation, consultation_id)
    campaign = Campaign(
        organisation_id=organisation.id,
        consultation_id=consultation.id,
        name=name.strip(),
        channel_policy=ChannelPolicy(channel_policy),
        token_salt=new_salt(),
        created_by_id=actor.id if actor else None,
        criteria={},
        counts={},
        templates=default_templates(consultation),
    )
    session.add(campaign)
    session.flush()
    return campaign


def _editable(campaign: Campaign) -> None:
    if campaign.state not in EDITABLE_STATES:
        raise CampaignStateError(_("This campaign has been sent; its settings can no longer change."))


def update_settings(
    session: Session,
    campaign: Campaign,
    *,
    name: str,
    channel_policy: str,
    reminder_after_days: int,
    reminder_max: int,
) -> None:
    """Change name, channel policy and reminder settings (reminders may change until the last one went)."""
    if not 0 <= reminder_max <= MAX_REMINDERS:
        raise InvalidInputError(_("Send at most %(n)d reminders.", n=MAX_REMINDERS))
    if not 1 <= reminder_after_days <= MAX_REMINDER_DAYS:
        raise InvalidInputError(_("Reminders go 1 to %(n)d days apart.", n=MAX_REMINDER_DAYS))
    if campaign.state == CampaignState.CANCELLED:
        raise CampaignStateError(_("This campaign is cancelled."))
    if campaign.state in EDITABLE_STATES:
        campaign.name = name.strip()
        campaign.channel_policy = ChannelPolicy(channel_policy)
    campaign.reminder_after_days = reminder_after_days
    campaign.reminder_max = reminder_max
    session.flush()


def check_ready(
    session: Session, campaign: Campaign, *, registry: Registry, today: date, now: datetime | None = None
) -> AudienceCounts:
    """Raise CampaignNotReadyError unless the campaign can go out; return the audience counts it would reach."""
    now = now or now_utc()
    if not any(value for value in (campaign.criteria or {}).values()):
        raise CampaignNotReadyError(_("Choose the audience first: without criteria the campaign would reach everyone."))
    try:
        criteria = AudienceCriteria.from_json(campaign.criteria)
        validate_criteria(criteria, registry)
    except InvalidCriteria as exc:
        raise CampaignNotReadyError(exc.message) from None
    consultation = session.get_one(Consultation, campaign.consultation_id)
    open_or_soon = consultation.state in (ConsultationState.OPEN, ConsultationState.SCHEDULED)
    if not open_or_soon or (consultation.closes_at is not None and consultation.closes_at <= now):
        raise CampaignNotReadyError(
            _("The consultation is not open or scheduled to open: residents could not respond to the invitation.")
        )
    if not any(t.purpose == MessagePurpose.INVITATION for t in campaign.templates):
        raise CampaignNotReadyError(_("Write the invitation text first."))
    for template in campaign.templates:
        problems = validate_template(template, channel_policy=campaign.channel_policy)
        if problems:
            raise CampaignNotReadyError(
                _("The message texts need changes first (%(language)s): %(problems)s",
                  language=template.language, problems=" ".join(problems))
            )
    counts = count_audience(registry, criteria, ChannelPolicy(campaign.channel_policy), today)
    if counts.reachable == 0:
        raise CampaignNotReadyError(_("Nobody in this audience can be reached by the chosen channels."))
    return counts


def schedule(
    session: Session, campaign: Campaign, *, send_at: datetime, registry: Registry, now: datetime | None = None
) -> None:
    """Schedule a draft to send itself at ``send_at`` (the beat task send_due starts it)."""
    now = now or now_utc()
    _editable(campaign)
    if send_at.tzinfo is None:
        raise InvalidInputError(_("The sending time needs a time zone."))
    if send_at <= now:
        raise InvalidInputError(_("Choose a sending time in the future, or send now."))
    check_ready(session, campaign, registry=registry, today=now.date(), now=now)
    campaign.send_at = send_at
    campaign.state = CampaignState.SCHEDULED
    session.flush()


def unschedule(session: Session, campaign: Campaign) -> None:
    """Back to draft: nothing goes out until it is scheduled or sent again."""
    if campaign.state != CampaignState.SCHEDULED:
        raise CampaignStateError(_("Only a scheduled campaign can be unscheduled."))
    campaign.state = CampaignState.DRAFT
    campaign.send_at = None
    session.flush()


def send_now(session: Session, campaign: Campaign, *, registry: Registry, now: datetime | None = None) -> None:
    """Check the campaign and start the invitation round once the request commits."""
    now = now or now_utc()
    _editable(campaign)
    check_ready(session, campaign, registry=registry, today=now.date(), now=now)
    begin_sending(session, campaign, now=now)


def begin_sending(session: Session, campaign: Campaign, *, now: datetime) -> None:
    """Move to sending and queue round 0 (also used by send_due for scheduled campaigns)."""
    campaign.state = CampaignState.SENDING
    campaign.started_at = campaign.started_at or now
    _request_round(session, campaign, 0, now=now)


def _request_round(
    session: Session, campaign: Campaign, round_no: int, *, now: datetime, segment: Mapping[str, str] | None = None,
    targeted: bool = False, purpose: str | None = None, link: str = "",
) -> None:
    rounds = dispatch.rounds_of(campaign)
    rounds[str(round_no)] = {
        "status": "requested",
        "requested_at": now.isoformat(),
        "segment": dict(segment) if segment else None,
        "targeted": targeted,
        "purpose": str(purpose or (MessagePurpose.INVITATION if round_no == 0 else MessagePurpose.REMINDER)),
    }
    if link:
        rounds[str(round_no)]["link"] = link
    dispatch.store_rounds(campaign, rounds)
    session.flush()
    enqueue_after_commit(session, signature(START_ROUND), campaign.id, round_no)


def next_round(campaign: Campaign) -> int:
    rounds = dispatch.rounds_of(campaign)
    return max((int(key) for key in rounds), default=-1) + 1


def reminder_due(campaign: Campaign, consultation: Consultation, now: datetime) -> bool:
    """True when an automatic reminder should go: the last round finished n days ago and reminders remain."""
    return (
        campaign.state == CampaignState.SENT
        and campaign.reminders_sent < campaign.reminder_max
        and campaign.completed_at is not None
        and campaign.completed_at + timedelta(days=campaign.reminder_after_days) <= now
        and consultation.is_accepting_responses(now)
    )


def send_reminder(
    session: Session, campaign: Campaign, *, now: datetime | None = None, segment: Mapping[str, str] | None = None
) -> int:
    """Start a reminder round to residents who have not responded; ``segment`` limits it to one group.

    An automatic reminder counts against reminder_max. A targeted one is the planner's explicit choice, so it
    is allowed beyond the maximum but logged in the campaign's counts.
    """
    now = now or now_utc()
    if campaign.state != CampaignState.SENT:
        raise CampaignStateError(_("Reminders can be sent once the invitations have gone out."))
    consultation = session.get_one(Consultation, campaign.consultation_id)
    if not consultation.is_accepting_responses(now):
        raise CampaignStateError(_("The consultation is not open: a reminder would not help."))
    if segment is not None:
        if segment.get("dimension") not in SEGMENT_DIMENSIONS or not segment.get("value"):
            raise InvalidInputError(_("Choose a group to remind."))
        segment = {"dimension": segment["dimension"], "value": segment["value"]}
    round_no = next_round(campaign)
    campaign.state = CampaignState.SENDING
    if segment is None:
        campaign.reminders_sent += 1
    _request_round(session, campaign, round_no, now=now, segment=segment, targeted=segment is not None)
    if segment is not None:
        entry = {"round": round_no, **segment, "at": now.isoformat()}
        targeted = [*campaign.counts.get("targeted_reminders", []), entry]
        campaign.counts = {**campaign.counts, "targeted_reminders": targeted}
    return round_no


def outcome_round(campaign: Campaign) -> int | None:
    """Return the number of the campaign's outcome round, or None when there is none."""
    for key, entry in dispatch.rounds_of(campaign).items():
        if entry.get("purpose") == MessagePurpose.OUTCOME:
            return int(key)
    return None


def send_outcome(session: Session, campaign: Campaign, *, link: str, now: datetime | None = None) -> int:
    """Start the outcome round ("you said, we did"): one message with the public report ``link`` to residents who
    responded, have not stopped messages and did not bounce. Contact data is fetched again when the round runs.

    At most one outcome round per campaign: asking again returns the existing round. Outcome texts missing in a
    language of the campaign get the defaults.
    """
    now = now or now_utc()
    existing = outcome_round(campaign)
    if existing is not None:
        return existing
    if campaign.state == CampaignState.SENDING:
        raise CampaignStateError(_("Wait until the current send has finished."))
    if campaign.state != CampaignState.SENT:
        raise CampaignStateError(_("Only residents of a sent campaign can be told the outcome."))
    campaign.templates.extend(missing_outcome_templates(campaign))
    for template in campaign.templates:
        if template.purpose != MessagePurpose.OUTCOME:
            continue
        problems = validate_template(template, channel_policy=campaign.channel_policy)
        if problems:
            raise CampaignNotReadyError(
                _("The outcome message texts need changes first (%(language)s): %(problems)s",
                  language=template.language, problems=" ".join(problems))
            )
    round_no = next_round(campaign)
    campaign.state = CampaignState.SENDING
    _request_round(session, campaign, round_no, now=now, purpose=MessagePurpose.OUTCOME, link=link)
    return round_no


def cancel(session: Session, campaign: Campaign, *, now: datetime | None = None) -> int:
    """Cancel a draft or scheduled campaign, or stop a running send: pending messages fail as "cancelled"."""
    now = now or now_utc()
    if campaign.state in (CampaignState.SENT, CampaignState.CANCELLED):
        raise CampaignStateError(_("This campaign has already finished."))
    stopped = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.campaign_id == campaign.id, OutboundMessage.state == MessageState.PENDING)
        .values(state=MessageState.FAILED, failure_reason="cancelled", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    campaign.state = CampaignState.CANCELLED
    campaign.completed_at = now
    session.flush()
    return stopped


def resend_unknown(session: Session, campaign: Campaign, *, now: datetime | None = None) -> int:
    """The planner's explicit choice: send the messages whose outcome is unknown again (may duplicate a few).

    Their contact data was not kept, so the rounds are planned again from the registry.
    """
    now = now or now_utc()
    if campaign.state != CampaignState.SENT:
        raise CampaignStateError(_("Wait until the current send has finished."))
    rounds = sorted(
        set(
            session.scalars(
                select(OutboundMessage.round).where(
                    OutboundMessage.campaign_id == campaign.id, OutboundMessage.state == MessageState.UNKNOWN
                )
            )
        )
    )
    if not rounds:
        raise CampaignStateError(_("No message has an unknown outcome."))
    count = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.campaign_id == campaign.id, OutboundMessage.state == MessageState.UNKNOWN)
        .values(state=MessageState.PENDING, failure_reason="resent_unknown", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    campaign.state = CampaignState.SENDING
    resent = int(campaign.counts.get("resent_unknown", 0)) + count
    campaign.counts = {**campaign.counts, "resent_unknown": resent}
    session.flush()
    for round_no in rounds:
        enqueue_after_commit(session, signature(START_ROUND), campaign.id, round_no)
    return count


def mark_round_planned(campaign: Campaign, round_no: int, summary: Mapping[str, Any], now: datetime) -> None:
    """Record what start_round did (kept from the first planning; re-plans are counted)."""
    rounds = dispatch.rounds_of(campaign)
    entry = rounds.get(str(round_no), {"requested_at": now.isoformat(), "segment": None, "targeted": False})
    if entry.get("status") == "planned":
        entry["replanned"] = int(entry.get("replanned", 0)) + 1
    else:
        entry.update(summary)
        entry["planned_at"] = now.isoformat()
    entry["status"] = "planned"
    rounds[str(round_no)] = entry
    dispatch.store_rounds(campaign, rounds)
