"""Celery tasks for campaigns: take ids (and, for send_batch, a transient payload), are safe to re-run.

send_batch payloads hold the minimum a send needs (message id, address, first name, language). They
are published with a redacted argsrepr/kwargsrepr so Celery's logs and events never show them, and they
leave the broker when the task is acknowledged. Nothing here logs a payload.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy import select

from civic.campaigns import dispatch, services
from civic.campaigns.audience import AudienceCriteria, select_recipients
from civic.campaigns.models import Campaign, CampaignState, ChannelPolicy
from civic.consultations.models import Consultation
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.outreach.email import email_session_from_config
from civic.outreach.sms import sms_transport_from_config
from civic.registry.factory import registry_from_config
from civic.registry.types import RegistryError

log = logging.getLogger(__name__)

REDACTED = {"argsrepr": "(redacted)", "kwargsrepr": "{}"}
#: Retries of one batch after transient errors (with backoff up to RETRY_BACKOFF_MAX seconds).
RETRY_BUDGET = 12
RETRY_BACKOFF = 2.0
RETRY_BACKOFF_MAX = 60.0


def transports_from_config(config: Mapping[str, Any]) -> dispatch.Transports:
    return dispatch.Transports(
        email_session=lambda: email_session_from_config(config),
        sms=lambda: sms_transport_from_config(config),
    )


def backoff(retries: int, config: Mapping[str, Any]) -> float:
    """Exponential backoff with jitter; CAMPAIGN_RETRY_BACKOFF(_MAX) override the defaults (tests)."""
    base = float(config.get("CAMPAIGN_RETRY_BACKOFF", RETRY_BACKOFF))
    ceiling = float(config.get("CAMPAIGN_RETRY_BACKOFF_MAX", RETRY_BACKOFF_MAX))
    delay = min(ceiling, base * (2**retries))
    return delay * random.uniform(0.8, 1.0)  # noqa: S311 - jitter, not security


def publish_batches(campaign_id: int, round_no: int, plan: dispatch.RoundPlan) -> int:
    count = 0
    for items in plan.batches():
        send_batch.apply_async(args=(campaign_id, round_no, items), **REDACTED)
        count += 1
    return count


@shared_task(
    name="campaigns.start_round",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(RegistryError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def start_round(campaign_id: int, round_no: int) -> None:
    """Fetch the audience, create invitations (round 0) and message rows in bulk, then queue send batches.

    Every round fetches contact data afresh, outcome rounds too; the round's purpose decides who gets a message.
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.state == CampaignState.CANCELLED:
        return
    config = current_app.config
    now = now_utc()
    registry = registry_from_config(config)
    criteria = AudienceCriteria.from_json(campaign.criteria)
    selection = select_recipients(registry, criteria, ChannelPolicy(campaign.channel_policy), now.date())
    segment = dispatch.rounds_of(campaign).get(str(round_no), {}).get("segment")
    plan = dispatch.plan_round(
        db.session, campaign, round_no, selection.recipients, secret_key=config["SECRET_KEY"], segment=segment,
        now=now, purpose=dispatch.round_purpose(campaign, round_no),
    )
    if round_no == 0:
        # Aggregate numbers only: matched, reachable, each reason for not contacting, population by segment.
        campaign.counts = {**(campaign.counts or {}), **selection.counts.to_json()}
    del selection  # contact data only as long as needed: the payloads below carry the rest
    services.mark_round_planned(campaign, round_no, plan.summary(), now)
    dispatch.complete_if_done(db.session, campaign, now)
    db.session.commit()
    batches = publish_batches(campaign_id, round_no, plan)
    log.info("campaign %s round %s planned: %d messages in %d batches", campaign_id, round_no, len(plan.items), batches)


@shared_task(
    bind=True,
    name="campaigns.send_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the budget is ours (RETRY_BUDGET): Celery's MaxRetriesExceededError would print the args
)
def send_batch(self: Any, campaign_id: int, round_no: int, items: list[dict[str, Any]]) -> None:
    """Send each pending message of the batch at most once; retry the rest after transient errors."""
    config = current_app.config
    result = dispatch.send_batch_items(
        db.session,
        campaign_id,
        round_no,
        items,
        config=config,
        transports=transports_from_config(config),
        limiter=dispatch.rate_limiter_from_config(config),
    )
    log.info(
        "campaign %s round %s batch: %d sent, %d failed, %d unknown, %d skipped, %d to retry (%s)",
        campaign_id, round_no, result.sent, result.failed, result.unknown, result.skipped, len(result.retry),
        result.reason or "-",
    )
    if result.retry:
        budget = int(config.get("CAMPAIGN_RETRY_BUDGET", RETRY_BUDGET))
        if self.request.retries >= budget:
            failed = dispatch.give_up(db.session, result.retry, result.reason)
            log.warning("campaign %s round %s: %d messages failed after %d retries", campaign_id, round_no, failed,
                        budget)
        else:
            wait = result.retry_after if result.retry_after is not None else backoff(self.request.retries, config)
            raise self.retry(args=(campaign_id, round_no, result.retry), kwargs={}, countdown=wait, **REDACTED)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None and dispatch.complete_if_done(db.session, campaign, now_utc()):
        log.info("campaign %s sent", campaign_id)
    db.session.commit()


def _seconds(config: Mapping[str, Any], key: str, default: timedelta) -> timedelta:
    return timedelta(seconds=float(config.get(key, default.total_seconds())))


@shared_task(name="campaigns.sweep")
def sweep() -> None:
    """Every minute: expire lost in-flight messages, re-plan rounds whose batches were lost, finish campaigns."""
    config = current_app.config
    now = now_utc()
    lease = _seconds(config, "CAMPAIGN_SENDING_LEASE_SECONDS", dispatch.SENDING_LEASE)
    stalled_after = _seconds(config, "CAMPAIGN_STALLED_SECONDS", dispatch.STALLED_AFTER)
    replan: list[tuple[int, int]] = []
    sending = db.session.scalars(select(Campaign).where(Campaign.state == CampaignState.SENDING)).all()
    for campaign in sending:
        for key, entry in dispatch.rounds_of(campaign).items():
            requested = datetime.fromisoformat(entry.get("requested_at") or now.isoformat())
            if entry.get("status") == "requested" and requested < now - stalled_after:
                replan.append((campaign.id, int(key)))  # start_round itself was lost
        # Judged before expiring leases below, which counts as movement.
        replan.extend((campaign.id, r) for r in dispatch.stalled_rounds(db.session, campaign.id, now, stalled_after))
    expired = dispatch.expire_leases(db.session, now, lease)
    if expired:
        log.warning("%d campaign messages were in flight when their worker stopped: now unknown", expired)
    for campaign in sending:
        dispatch.complete_if_done(db.session, campaign, now)
    db.session.commit()
    for campaign_id, round_no in dict.fromkeys(replan):
        log.warning("campaign %s round %s stalled: planning it again", campaign_id, round_no)
        start_round.delay(campaign_id, round_no)


@shared_task(name="campaigns.send_due")
def send_due() -> None:
    """Start scheduled campaigns whose time has come, and automatic reminders that are due."""
    now = now_utc()
    due = db.session.scalars(
        select(Campaign).where(Campaign.state == CampaignState.SCHEDULED, Campaign.send_at <= now)
    ).all()
    for campaign in due:
        services.begin_sending(db.session, campaign, now=now)
        log.info("campaign %s: scheduled send started", campaign.id)
    finished = db.session.scalars(
        select(Campaign).where(Campaign.state == CampaignState.SENT, Campaign.reminders_sent < Campaign.reminder_max)
    ).all()
    for campaign in finished:
        consultation = db.session.get(Consultation, campaign.consultation_id)
        if consultation is not None and services.reminder_due(campaign, consultation, now):
            round_no = services.send_reminder(db.session, campaign, now=now)
            log.info("campaign %s: reminder round %s started", campaign.id, round_no)
    db.session.commit()
