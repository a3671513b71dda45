"""Telling the participants: one outcome round per sent campaign, once, through the outbox, with no personal link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civic.campaigns import services as campaign_services
from civic.campaigns.models import Campaign, CampaignState, OutboundMessage
from civic.consultations.models import ConsultationState
from civic.core.timeutils import now_utc
from civic.outreach.models import Invitation, InvitationLink
from civic.reports import outcomes
from civic.reports.models import Report, ReportOutcome
from tests.campaigns.conftest import make_campaign, small_registry  # noqa: F401 - fixtures used by name
from tests.outreach.helpers import read_outbox, text_of


@pytest.fixture
def consultation(create_survey):
    """The consultation the campaign invites to (open while the invitations go out)."""
    return create_survey(state=ConsultationState.OPEN).consultation


def _sms(app) -> list[dict]:
    folder = Path(app.config["SMS_OUTBOX_FOLDER"])
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def _clear_outboxes(app) -> None:
    for key in ("OUTBOX_FOLDER", "SMS_OUTBOX_FOLDER"):
        folder = Path(app.config[key])
        for path in folder.glob("*") if folder.is_dir() else ():
            path.unlink()


@pytest.fixture
def campaign(app, db, make_campaign, small_registry, consultation) -> Campaign:  # noqa: F811 - fixtures by name
    """A sent campaign: residents responded, some stopped messages or bounced; then the consultation closed."""
    item = make_campaign({"age_min": 18, "age_max": 27})
    campaign_services.send_now(db.session, item, registry=small_registry.bundle())
    db.session.commit()
    now = now_utc()
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.campaign_id == item.id).order_by(Invitation.id)
    ).all()
    for index, invitation in enumerate(invitations):
        if index % 3 != 2:
            invitation.responded_at = now
        if index % 6 == 1:
            invitation.reminders_stopped_at = now
        if index % 6 == 3:
            invitation.bounced_at = now
    consultation.state = ConsultationState.PUBLISHED
    db.session.commit()
    _clear_outboxes(app)
    return db.session.get(Campaign, item.id)


@pytest.fixture
def report(db, make_report, consultation, campaign) -> Report:
    """The consultation's published report with a decision written."""
    item = make_report(consultation=consultation)
    item.decision = {"nb": "Vedtatt: beboerparkering.", "en": "Decided: resident parking."}
    item.outcomes.append(ReportOutcome(topic_key="t3", topic_label="Beboerparkering", text={"nb": "Søkt."}))
    db.session.commit()
    return item


def _eligible(db, campaign: Campaign) -> set[int]:
    return set(
        db.session.scalars(
            select(Invitation.id).where(
                Invitation.campaign_id == campaign.id,
                Invitation.responded_at.is_not(None),
                Invitation.reminders_stopped_at.is_(None),
                Invitation.bounced_at.is_(None),
            )
        )
    )


def test_notify_sends_an_outcome_round_once(app, client, db, logged_in_planner, report, campaign):
    eligible = _eligible(db, campaign)
    assert len(eligible) > 0
    links_before = db.session.scalar(select(func.count()).select_from(InvitationLink))
    page = client.get(f"/manage/reports/{report.consultation_id}/outcomes").get_data(as_text=True)
    assert f"Can be told: {len(eligible)}." in page

    response = client.post(f"/manage/reports/{report.consultation_id}/outcomes/notify")
    assert response.status_code == 303
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.outcome_notified_at is not None
    sent = db.session.get(Campaign, campaign.id)
    assert sent.state == CampaignState.SENT
    rounds = sent.counts["rounds"]
    outcome_round = next(int(k) for k, entry in rounds.items() if entry.get("purpose") == "outcome")
    report_url = f"{app.config['PUBLIC_BASE_URL']}/r/{report.consultation.public_id}"
    assert rounds[str(outcome_round)]["link"] == report_url
    messages = db.session.scalars(select(OutboundMessage).where(OutboundMessage.round == outcome_round)).all()
    assert {m.invitation_id for m in messages} == eligible  # responded, not stopped, not bounced
    assert {m.state for m in messages} == {"sent"}
    assert db.session.scalar(select(func.count()).select_from(InvitationLink)) == links_before  # no new token

    emails, sms = read_outbox(app.config["OUTBOX_FOLDER"]), _sms(app)
    assert len(emails) + len(sms) == len(eligible)
    texts = [text_of(email) for email in emails] + [message["text"] for message in sms]
    assert all(report_url + "?lang=" in text for text in texts)
    assert not any("/p/" in text or "/stop/" in text for text in texts)
    assert not any("/p/" in email.as_string() or "List-Unsubscribe" in email for email in emails)

    page = client.get(f"/manage/reports/{report.consultation_id}/outcomes").get_data(as_text=True)
    assert "The outcome message is on its way to the residents who took part (at most" in page
    assert "The participants were told on" in page
    assert "outcomes/notify" not in page  # no second button

    again = client.post(f"/manage/reports/{report.consultation_id}/outcomes/notify")
    assert again.status_code == 409
    assert "The participants were told on" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.round == outcome_round)) == len(eligible)


def test_notify_through_htmx(app, htmx_client, db, logged_in_planner, report):
    first = htmx_client.post(f"/manage/reports/{report.consultation_id}/outcomes/notify")
    assert first.status_code == 204
    assert first.headers["HX-Redirect"].endswith(f"/manage/reports/{report.consultation_id}/outcomes")
    again = htmx_client.post(f"/manage/reports/{report.consultation_id}/outcomes/notify")
    assert again.status_code == 409
    body = again.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="outcomes-notify"')
    assert "The participants were told on" in body


def test_nothing_written_is_refused(client, db, logged_in_planner, report):
    report.decision = {}
    report.outcomes.clear()
    db.session.commit()
    response = client.post(f"/manage/reports/{report.consultation_id}/outcomes/notify")
    assert response.status_code == 409
    assert "before telling the participants" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Report, report.id).outcome_notified_at is None


def test_public_link_only_has_no_one_to_tell(client, db, logged_in_planner, make_report):
    report = make_report("Bare offentlig lenke")
    report.decision = {"nb": "Vedtatt."}
    db.session.commit()
    page = client.get(f"/manage/reports/{report.consultation_id}/outcomes").get_data(as_text=True)
    assert "There is no one to tell." in page
    assert "outcomes/notify" not in page
    response = client.post(f"/manage/reports/{report.consultation_id}/outcomes/notify")
    assert response.status_code == 409
    assert "public link only" in response.get_data(as_text=True)


def test_nobody_reachable_is_refused(db, report, campaign):
    for invitation in db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)):
        invitation.reminders_stopped_at = now_utc()
    db.session.commit()
    with pytest.raises(outcomes.OutcomeError) as refused:
        outcomes.notify_participants(db.session, report, report_url="https://x.example/r/1")
    assert refused.value.code == "nobody"
    assert not campaign.counts["rounds"].get("1")


def test_a_campaign_still_sending_makes_it_wait(db, report, campaign):
    campaign.state = CampaignState.SENDING
    db.session.commit()
    with pytest.raises(outcomes.OutcomeError) as refused:
        outcomes.notify_participants(db.session, report, report_url="https://x.example/r/1")
    assert refused.value.code == "busy"
