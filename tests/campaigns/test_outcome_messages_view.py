"""The outcome message texts on the campaign's message page: shown with defaults, editable until the round starts."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from civic.campaigns.content import default_templates
from civic.campaigns.models import Campaign, CampaignState, CampaignTemplate
from civic.consultations.models import Access

BASE = "/manage/campaigns"


@pytest.fixture
def campaign(db, organisation, create_survey) -> Campaign:
    consultation = create_survey(access=Access.INVITED).consultation
    consultation.languages = ["nb"]
    item = Campaign(
        organisation_id=organisation.id,
        consultation_id=consultation.id,
        name="Parkering",
        token_salt="salt",
        state=CampaignState.SENT,
        counts={"rounds": {"0": {"status": "planned"}}},
    )
    item.templates = default_templates(consultation)
    db.session.add(item)
    db.session.commit()
    return item


def test_sent_campaign_lists_and_edits_the_outcome_text(client, db, logged_in_planner, campaign, english_ui):
    page = client.get(f"{BASE}/{campaign.id}/messages").get_data(as_text=True)
    assert 'id="template-outcome-nb"' in page
    assert "Outcome message" in page
    row = page.split('id="template-outcome-nb"', 1)[1].split("</tr>", 1)[0]
    assert ">Edit<" in row
    assert ">Show<" in page.split('id="template-invitation-nb"', 1)[1].split("</tr>", 1)[0]

    edit = client.get(f"{BASE}/{campaign.id}/messages/outcome/nb").get_data(as_text=True)
    assert "<h1>Outcome message" in edit
    assert ">Save<" in edit
    srcdoc = html.unescape(edit.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "https://civic.example.no/r/" in srcdoc
    assert "/stop/" not in srcdoc

    bad = client.post(
        f"{BASE}/{campaign.id}/messages/outcome/nb",
        data={"email_subject": "Utfall", "email_body": "Stopp: {stop_link}", "sms_body": "{link}"},
    )
    assert bad.status_code == 422
    assert "Remove {stop_link}" in html.unescape(bad.get_data(as_text=True))
    saved = client.post(
        f"{BASE}/{campaign.id}/messages/outcome/nb",
        data={"email_subject": "Vedtatt: {title}", "email_body": "Les: {link}", "sms_body": "{link}"},
    )
    assert saved.status_code == 303
    stored = db.session.scalars(select(CampaignTemplate).where(CampaignTemplate.purpose == "outcome")).one()
    assert stored.campaign_id == campaign.id
    assert stored.email_subject == "Vedtatt: {title}"
    # A sent campaign's invitation texts stay closed.
    assert (
        client.post(
            f"{BASE}/{campaign.id}/messages/invitation/nb",
            data={"email_subject": "x", "email_body": "{link}", "sms_body": "{link}"},
        ).status_code
        == 409
    )


def test_outcome_text_closes_once_its_round_started(client, db, logged_in_planner, campaign):
    campaign.counts = {"rounds": {"0": {"status": "planned"}, "1": {"status": "planned", "purpose": "outcome"}}}
    db.session.commit()
    edit = client.get(f"{BASE}/{campaign.id}/messages/outcome/nb").get_data(as_text=True)
    assert ">Save<" not in edit
    assert ">Lagre<" not in edit
    response = client.post(
        f"{BASE}/{campaign.id}/messages/outcome/nb",
        data={"email_subject": "x", "email_body": "{link}", "sms_body": "{link}"},
    )
    assert response.status_code == 409


def test_cancelled_campaign_outcome_text_is_closed(client, db, logged_in_planner, campaign):
    campaign.state = CampaignState.CANCELLED
    db.session.commit()
    response = client.post(
        f"{BASE}/{campaign.id}/messages/outcome/nb",
        data={"email_subject": "x", "email_body": "{link}", "sms_body": "{link}"},
    )
    assert response.status_code == 409
