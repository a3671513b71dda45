"""The outcome round ("you said, we did"): who gets it, what it says, and how the campaign reports it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civic.campaigns import content, reporting, services
from civic.campaigns.models import Campaign, CampaignState, CampaignTemplate, MessagePurpose, OutboundMessage
from civic.consultations.models import ConsultationState
from civic.core.errors import StateError
from civic.core.timeutils import now_utc
from civic.outreach.models import Invitation, InvitationLink
from tests.outreach.helpers import read_outbox, text_of

REPORT_URL = "https://civic.example.no/r/parkering-2026"


def _sms(app) -> list[dict]:
    folder = Path(app.config["SMS_OUTBOX_FOLDER"])
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def _clear_outboxes(app) -> None:
    for key in ("OUTBOX_FOLDER", "SMS_OUTBOX_FOLDER"):
        folder = Path(app.config[key])
        for path in folder.glob("*") if folder.is_dir() else ():
            path.unlink()


@pytest.fixture
def sent(app, db, make_campaign, small_registry, consultation) -> Campaign:
    """A sent campaign whose residents' invitations are marked: responded, stopped, bounced, or nothing."""
    campaign = make_campaign({"age_min": 18, "age_max": 27})
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.campaign_id == campaign.id).order_by(Invitation.id)
    ).all()
    now = now_utc()
    for index, invitation in enumerate(invitations):
        kind = index % 5
        if kind in (0, 1, 2, 3):
            invitation.responded_at = now
        if kind == 1:
            invitation.reminders_stopped_at = now
        if kind == 2:
            invitation.bounced_at = now
    consultation.state = ConsultationState.CLOSED
    db.session.commit()
    _clear_outboxes(app)
    return db.session.get(Campaign, campaign.id)


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


def test_outcome_round_reaches_only_responders_who_did_not_stop_or_bounce(app, db, sent):
    eligible = _eligible(db, sent)
    invited = db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.campaign_id == sent.id))
    links_before = db.session.scalar(select(func.count()).select_from(InvitationLink))
    assert 0 < len(eligible) < invited

    round_no = services.send_outcome(db.session, sent, link=REPORT_URL)
    db.session.commit()
    db.session.expire_all()

    campaign = db.session.get(Campaign, sent.id)
    messages = db.session.scalars(select(OutboundMessage).where(OutboundMessage.round == round_no)).all()
    assert {m.invitation_id for m in messages} == eligible
    assert {m.state for m in messages} == {"sent"}
    entry = campaign.counts["rounds"][str(round_no)]
    assert entry["purpose"] == "outcome"
    assert entry["link"] == REPORT_URL
    assert entry["status"] == "planned"
    assert set(entry["skipped"]) == {"not_responded", "stopped", "bounced"}
    assert campaign.state == CampaignState.SENT
    assert campaign.reminders_sent == 0  # not a reminder
    # No personal link was made for the outcome messages, and none is in them.
    assert db.session.scalar(select(func.count()).select_from(InvitationLink)) == links_before
    emails, sms = read_outbox(app.config["OUTBOX_FOLDER"]), _sms(app)
    assert len(emails) + len(sms) == len(eligible)
    for email in emails:
        text = text_of(email)
        assert REPORT_URL + "?lang=" in text
        assert "/p/" not in email.as_string()
        assert "/stop/" not in email.as_string()
        assert "List-Unsubscribe" not in email
    for message in sms:
        assert REPORT_URL + "?lang=" in message["text"]
        assert "/p/" not in message["text"]
        assert "/stop/" not in message["text"]
    # Outcome texts were added in the campaign's languages, with their defaults.
    outcome_texts = {t.language: t for t in campaign.templates if t.purpose == MessagePurpose.OUTCOME}
    assert set(outcome_texts) == {"nb", "en"}
    subjects = {str(email["Subject"]) for email in emails}
    assert subjects <= {"Dette ble bestemt: Parkering i Bjerke", "What was decided: Parkering i Bjerke"}


def test_outcome_round_is_asked_once_and_needs_a_sent_idle_campaign(app, english_ui, db, sent, make_campaign):
    first = services.send_outcome(db.session, sent, link=REPORT_URL)
    db.session.commit()
    campaign = db.session.get(Campaign, sent.id)
    assert services.send_outcome(db.session, campaign, link=REPORT_URL) == first  # no second round
    assert services.outcome_round(campaign) == first
    draft = make_campaign()
    with pytest.raises(StateError):
        services.send_outcome(db.session, draft, link=REPORT_URL)
    other = db.session.get(Campaign, make_campaign().id)
    other.state = CampaignState.SENDING
    with pytest.raises(services.CampaignStateError, match="Wait until"):
        services.send_outcome(db.session, other, link=REPORT_URL)


def test_invalid_outcome_texts_block_the_round(app, english_ui, db, sent):
    sent.templates.append(
        CampaignTemplate(purpose="outcome", language="nb", email_subject="Utfall", email_body="Les mer: {stop_link}",
                         sms_body="Les: {link}")
    )
    db.session.commit()
    with pytest.raises(services.CampaignNotReadyError, match="outcome message texts need changes"):
        services.send_outcome(db.session, sent, link=REPORT_URL)


def test_outcome_template_rules(app, english_ui):
    template = content.default_template(MessagePurpose.OUTCOME, "nb")
    assert content.validate_template(template) == []
    template.email_body = "Hei {first_name}. Stopp: {stop_link}"
    problems = content.validate_template(template)
    assert any("Remove {stop_link}" in p for p in problems)
    assert any("link to the published report" in p for p in problems)
    reminder = content.default_template(MessagePurpose.REMINDER, "nb")
    reminder.email_body = "Hei"
    assert any("personal link" in p for p in content.validate_template(reminder))


def test_outcome_message_footer_has_no_stop_link(app, organisation, consultation):
    template = content.default_template(MessagePurpose.OUTCOME, "nb")
    rendered = content.render_message(
        template, organisation=organisation, consultation=consultation, first_name="Kari", link=REPORT_URL,
        stop_link="", language="nb",
    )
    assert "Dette er den siste meldingen om saken." in rendered.text
    assert "påminnelser" not in rendered.text
    assert "/stop/" not in rendered.html
    assert f'href="{REPORT_URL}"' in rendered.html
    assert "Les rapporten" in rendered.html
    assert REPORT_URL in rendered.sms


def test_missing_outcome_templates_follow_the_campaigns_languages(app, db, make_campaign):
    campaign = make_campaign()
    missing = content.missing_outcome_templates(campaign)
    assert sorted(t.language for t in missing) == ["en", "nb"]
    assert all(t.purpose == "outcome" and t.campaign is None for t in missing)
    campaign.templates.append(missing[0])
    assert [t.language for t in content.missing_outcome_templates(campaign)] == [missing[1].language]


def test_reporting_shows_the_outcome_round(app, english_ui, db, sent):
    services.send_outcome(db.session, sent, link=REPORT_URL)
    db.session.commit()
    db.session.expire_all()
    campaign = db.session.get(Campaign, sent.id)
    report = reporting.campaign_report(db.session, campaign)
    funnel = {key: count for key, _label, count in report.funnel}
    assert funnel["told_outcome"] == len(_eligible(db, campaign))
    assert report.latest_label == "Outcome message"
    assert [label for _n, label, _at, _skipped in report.round_rows] == ["Invitations", "Outcome message"]


def test_funnel_has_no_outcome_row_without_an_outcome_round(app, db, sent):
    report = reporting.campaign_report(db.session, sent)
    assert "told_outcome" not in {key for key, _label, _count in report.funnel}
    assert report.round_rows[0][0] == 0
