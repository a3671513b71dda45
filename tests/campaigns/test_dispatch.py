"""The dispatch engine with eager Celery: planning rounds, sending batches once, reminders, the at-most-once policy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civic.campaigns import dispatch, services, tasks
from civic.campaigns.deliveries import apply_delivery_report
from civic.campaigns.models import Campaign, CampaignState, MessageState, OutboundMessage
from civic.campaigns.tokens import person_reference
from civic.core.timeutils import now_utc
from civic.outreach.email import EmailTransientError
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation
from civic.outreach.sms import SmsAmbiguousError, SmsTransientError
from tests.outreach.helpers import read_outbox


def _messages(db, campaign_id: int, round_no: int | None = None) -> list[OutboundMessage]:
    query = select(OutboundMessage).where(OutboundMessage.campaign_id == campaign_id)
    if round_no is not None:
        query = query.where(OutboundMessage.round == round_no)
    return list(db.session.scalars(query.order_by(OutboundMessage.id)))


def _states(db, campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(OutboundMessage.state, func.count())
        .where(OutboundMessage.campaign_id == campaign_id)
        .group_by(OutboundMessage.state)
    ).all()
    return dict(rows)


def _sms_files(app) -> list[dict]:
    folder = Path(app.config["SMS_OUTBOX_FOLDER"])
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.is_dir() else []


def _send(db, campaign, registry) -> None:
    services.send_now(db.session, campaign, registry=registry.bundle())
    db.session.commit()  # the invitation round starts after the commit (eagerly in tests)
    db.session.expire_all()


def test_send_now_invites_every_reachable_resident_once(app, db, make_campaign, small_registry):
    campaign = make_campaign()
    _send(db, campaign, small_registry)

    counts = campaign.counts
    assert counts["matched"] > counts["reachable"] > 200
    invitations = db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)).all()
    assert len(invitations) == counts["reachable"]
    assert all(i.sent_at is not None and i.age_band and i.district and i.household_type for i in invitations)
    assert _states(db, campaign.id) == {"sent": counts["reachable"]}
    emails = read_outbox(app.config["OUTBOX_FOLDER"])
    sms = _sms_files(app)
    assert len(emails) == counts["reachable_email"]
    assert len(sms) == counts["reachable_sms"]
    assert len({m["To"] for m in emails}) == len(emails)
    assert len({s["to"] for s in sms}) == len(sms)
    assert campaign.state == CampaignState.SENT
    assert campaign.completed_at is not None
    assert counts["rounds"]["0"]["status"] == "planned"


def test_each_link_leads_to_its_invitation_and_people_are_found_by_reference(app, db, make_campaign, small_registry):
    campaign = make_campaign({"age_min": 18, "age_max": 30})
    _send(db, campaign, small_registry)
    links = [s["text"] for s in _sms_files(app)]
    assert links
    for text in links:
        token = text.split("/p/", 1)[1].split()[0]
        invitation = find_invitation(db.session, token)
        assert invitation is not None
        assert invitation.campaign_id == campaign.id
    references = set(db.session.scalars(select(Invitation.person_ref).where(Invitation.campaign_id == campaign.id)))
    person = next(p for p in small_registry.people if 18 <= (now_utc().date() - p.birth_date).days // 365 <= 30)
    assert person_reference(app.config["SECRET_KEY"], campaign.token_salt, person.national_id) in references


def test_rerunning_start_round_and_send_batch_changes_nothing(app, db, make_campaign, small_registry):
    campaign = make_campaign({"age_min": 18, "age_max": 40})
    _send(db, campaign, small_registry)
    before = [(m.id, m.state, m.attempts, m.sent_at) for m in _messages(db, campaign.id)]
    files = len(read_outbox(app.config["OUTBOX_FOLDER"])) + len(_sms_files(app))

    tasks.start_round.delay(campaign.id, 0)
    db.session.expire_all()
    # A duplicated batch (re-delivery) with the payload of already-sent messages.
    item = {"m": before[0][0], "c": "email", "a": "x@epost.example", "f": "F", "l": "nb"}
    tasks.send_batch.apply(args=(campaign.id, 0, [item]))
    db.session.expire_all()

    after = [(m.id, m.state, m.attempts, m.sent_at) for m in _messages(db, campaign.id)]
    assert after == before
    assert len(read_outbox(app.config["OUTBOX_FOLDER"])) + len(_sms_files(app)) == files
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == len(before)


def test_start_round_is_fast_in_bulk(app, db, make_campaign, small_registry, monkeypatch):
    """Planning inserts invitations and messages in bulk; here only planning, no sending."""
    monkeypatch.setattr(tasks, "publish_batches", lambda *args: 0)
    campaign = make_campaign()
    services.begin_sending(db.session, campaign, now=now_utc())
    db.session.commit()
    db.session.expire_all()
    assert _states(db, campaign.id) == {"pending": campaign.counts["reachable"]}


def test_message_left_in_sending_becomes_unknown_and_is_not_resent(app, db, make_campaign, small_registry,
                                                                     monkeypatch):
    published: list[tuple] = []
    monkeypatch.setattr(tasks, "publish_batches", lambda cid, rnd, plan: published.extend(plan.batches()) or 0)
    campaign = make_campaign({"age_min": 18, "age_max": 40}, policy="email")
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    batch = published[0]
    # The worker claimed the first message, then died before the provider answered.
    db.session.execute(
        OutboundMessage.__table__.update()
        .where(OutboundMessage.id == batch[0]["m"])
        .values(state="sending", attempts=1)
    )
    db.session.commit()

    tasks.send_batch.apply(args=(campaign.id, 0, batch))  # the broker re-delivers the batch
    db.session.expire_all()
    first = db.session.get(OutboundMessage, batch[0]["m"])
    assert first.state == MessageState.UNKNOWN
    assert first.failure_reason == "interrupted"
    assert len(read_outbox(app.config["OUTBOX_FOLDER"])) == len(batch) - 1

    # The sweep expires leases of messages stuck in sending and finishes the campaign.
    for rest in published[1:]:
        tasks.send_batch.apply(args=(campaign.id, 0, rest))
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.state == CampaignState.SENT
    assert _states(db, campaign.id)["unknown"] == 1


def test_sweep_expires_leases_and_replans_stalled_rounds(app, db, make_campaign, small_registry, monkeypatch):
    publish = tasks.publish_batches
    monkeypatch.setattr(tasks, "publish_batches", lambda *args: 0)
    campaign = make_campaign({"age_min": 18, "age_max": 30}, policy="sms")
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    messages = _messages(db, campaign.id)
    old = now_utc() - timedelta(hours=1)
    db.session.execute(
        OutboundMessage.__table__.update().where(OutboundMessage.id == messages[0].id).values(state="sending",
                                                                                              updated_at=old)
    )
    db.session.execute(
        OutboundMessage.__table__.update().where(OutboundMessage.id != messages[0].id).values(updated_at=old)
    )
    db.session.commit()
    monkeypatch.setattr(tasks, "publish_batches", publish)

    tasks.sweep.delay()  # lease expired → unknown; the round's batches were lost → planned and sent again
    db.session.expire_all()
    states = _states(db, campaign.id)
    assert states == {"unknown": 1, "sent": len(messages) - 1}
    assert len(_sms_files(app)) == len(messages) - 1
    assert db.session.get(Campaign, campaign.id).state == CampaignState.SENT


class FlakySms:
    """Fails the first ``failures`` sends with ``error``, then accepts."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.sent: list[str] = []

    def send(self, message) -> str:
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        self.sent.append(message.to)
        return f"ref-{message.ref_id}"


def _use_sms(monkeypatch, sms) -> None:
    real = tasks.transports_from_config

    def fake(config):
        return dispatch.Transports(email_session=real(config).email_session, sms=lambda: sms)

    monkeypatch.setattr(tasks, "transports_from_config", fake)


def test_transient_errors_retry_the_rest_of_the_batch(app, db, make_campaign, small_registry, monkeypatch):
    sms = FlakySms(3, SmsTransientError("http_429", retry_after=0))
    _use_sms(monkeypatch, sms)
    campaign = make_campaign({"age_min": 18, "age_max": 40}, policy="sms")
    _send(db, campaign, small_registry)
    messages = _messages(db, campaign.id)
    assert {m.state for m in messages} == {"sent"}
    assert len(sms.sent) == len(set(sms.sent)) == len(messages)
    assert messages[0].attempts == 4


def test_retry_budget_ends_in_failed(app, app_config, db, make_campaign, small_registry, monkeypatch):
    app.config["CAMPAIGN_RETRY_BUDGET"] = 2
    sms = FlakySms(10_000, SmsTransientError("http_500"))
    _use_sms(monkeypatch, sms)
    campaign = make_campaign({"age_min": 18, "age_max": 30}, policy="sms")
    _send(db, campaign, small_registry)
    states = _states(db, campaign.id)
    assert set(states) == {"failed"}
    reasons = set(db.session.scalars(select(OutboundMessage.failure_reason)))
    assert reasons == {"retries_http_500"}
    assert db.session.get(Campaign, campaign.id).state == CampaignState.SENT


def test_ambiguous_sms_is_unknown_and_a_delivery_report_resolves_it(app, db, make_campaign, small_registry,
                                                                    monkeypatch):
    sms = FlakySms(1, SmsAmbiguousError("timeout"))
    _use_sms(monkeypatch, sms)
    campaign = make_campaign({"age_min": 18, "age_max": 30}, policy="sms")
    _send(db, campaign, small_registry)
    unknown = [m for m in _messages(db, campaign.id) if m.state == MessageState.UNKNOWN]
    assert len(unknown) == 1
    assert unknown[0].failure_reason == "timeout"
    assert str(unknown[0].id) not in [s for s in sms.sent]

    apply_delivery_report(db.session, {"refId": str(unknown[0].id), "resultCode": 1001})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(OutboundMessage, unknown[0].id).state == MessageState.DELIVERED


def test_email_transient_error_on_connect_retries_then_sends(app, db, make_campaign, small_registry, monkeypatch):
    attempts = {"n": 0}
    real = tasks.transports_from_config

    def flaky_session(config):
        transports = real(config)
        inner = transports.email_session

        class Session:
            def __enter__(self):
                self.session = inner().__enter__()
                return self

            def __exit__(self, *exc):
                return False

            def send(self, message, envelope_from, **kwargs):
                attempts["n"] += 1
                if attempts["n"] <= 2:
                    raise EmailTransientError("connect_error")
                return self.session.send(message, envelope_from, **kwargs)

        return dispatch.Transports(email_session=Session, sms=transports.sms)

    monkeypatch.setattr(tasks, "transports_from_config", flaky_session)
    campaign = make_campaign({"age_min": 18, "age_max": 40}, policy="email")
    _send(db, campaign, small_registry)
    emails = read_outbox(app.config["OUTBOX_FOLDER"])
    assert _states(db, campaign.id) == {"sent": len(emails)}
    assert len({m["Message-ID"] for m in emails}) == len(emails)
    assert all(m["Return-Path"].startswith("<bounce+") for m in emails)


def test_cancel_during_send_stops_pending_messages(app, db, make_campaign, small_registry, monkeypatch):
    monkeypatch.setattr(tasks, "publish_batches", lambda *args: 0)
    campaign = make_campaign({"age_min": 18, "age_max": 40})
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    stopped = services.cancel(db.session, campaign)
    db.session.commit()
    assert stopped > 0
    assert _states(db, campaign.id) == {"failed": stopped}


@pytest.fixture
def sent_campaign(db, make_campaign, small_registry):
    campaign = make_campaign({"age_min": 18, "age_max": 60}, reminder_max=2, reminder_after_days=3)
    _send(db, campaign, small_registry)
    return db.session.get(Campaign, campaign.id)


def test_reminders_skip_responders_stopped_and_bounced(app, db, sent_campaign, small_registry):
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.campaign_id == sent_campaign.id).order_by(Invitation.id)
    ).all()
    now = now_utc()
    invitations[0].responded_at = now
    invitations[1].reminders_stopped_at = now
    invitations[2].bounced_at = now
    db.session.commit()

    services.send_reminder(db.session, sent_campaign)
    db.session.commit()
    db.session.expire_all()
    reminders = _messages(db, sent_campaign.id, 1)
    reminded = {m.invitation_id for m in reminders}
    assert len(reminders) == len(invitations) - 3
    assert not reminded & {invitations[0].id, invitations[1].id, invitations[2].id}
    campaign = db.session.get(Campaign, sent_campaign.id)
    assert campaign.reminders_sent == 1
    assert campaign.counts["rounds"]["1"]["skipped"] == {"responded": 1, "stopped": 1, "bounced": 1}
    assert {m.state for m in reminders} == {"sent"}
    assert campaign.state == CampaignState.SENT


def test_targeted_reminder_reaches_only_the_segment(app, db, sent_campaign):
    band = "16-29"
    services.send_reminder(db.session, sent_campaign, segment={"dimension": "age_band", "value": band})
    db.session.commit()
    db.session.expire_all()
    reminders = _messages(db, sent_campaign.id, 1)
    bands = {db.session.get(Invitation, m.invitation_id).age_band for m in reminders}
    assert bands == {band}
    campaign = db.session.get(Campaign, sent_campaign.id)
    assert campaign.reminders_sent == 0
    assert campaign.counts["targeted_reminders"][0]["value"] == band


def test_send_due_starts_scheduled_campaigns_and_due_reminders(app, db, make_campaign, small_registry):
    campaign = make_campaign({"age_min": 18, "age_max": 30}, reminder_max=1, reminder_after_days=2)
    services.schedule(db.session, campaign, send_at=now_utc() + timedelta(minutes=5),
                      registry=small_registry.bundle())
    db.session.commit()
    tasks.send_due.delay()
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).state == CampaignState.SCHEDULED

    campaign.send_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    tasks.send_due.delay()
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.state == CampaignState.SENT
    invited = len(_messages(db, campaign.id, 0))

    tasks.send_due.delay()  # too early for the reminder
    db.session.expire_all()
    assert _messages(db, campaign.id, 1) == []
    campaign.completed_at = now_utc() - timedelta(days=3)
    db.session.commit()
    tasks.send_due.delay()
    db.session.expire_all()
    assert len(_messages(db, campaign.id, 1)) == invited
    tasks.send_due.delay()  # reminder_max reached
    db.session.expire_all()
    assert _messages(db, campaign.id, 2) == []


def test_resend_unknown_is_explicit_and_sends_them_again(app, db, sent_campaign):
    message = _messages(db, sent_campaign.id)[0]
    message.state = MessageState.UNKNOWN
    db.session.commit()
    count = services.resend_unknown(db.session, sent_campaign)
    db.session.commit()
    db.session.expire_all()
    assert count == 1
    assert db.session.get(OutboundMessage, message.id).state == MessageState.SENT
    assert db.session.get(Campaign, sent_campaign.id).counts["resent_unknown"] == 1
