"""Planner pages: create, send, refusals with clear 409s, the follow-up page, htmx progress, targeted reminders."""

from __future__ import annotations

from sqlalchemy import select

from civic.campaigns import tasks
from civic.campaigns.models import Campaign, CampaignState, OutboundMessage
from civic.core.timeutils import now_utc
from civic.outreach.models import Invitation


def test_index_lists_campaigns_with_a_new_button(client, logged_in_planner, make_campaign, english_ui):
    campaign = make_campaign()
    page = client.get("/manage/campaigns/")
    assert page.status_code == 200
    assert "New campaign" in page.text
    assert f'id="campaign-{campaign.id}"' in page.text


def test_create_campaign_from_the_form(client, db, logged_in_planner, consultation, small_registry, english_ui):
    page = client.get("/manage/campaigns/new")
    assert page.status_code == 200
    missing = client.post("/manage/campaigns/new", data={"name": "", "consultation_id": consultation.id})
    assert missing.status_code == 422
    assert "Give the campaign a name." in missing.text
    created = client.post(
        "/manage/campaigns/new",
        data={"name": "Parkering", "consultation_id": consultation.id, "channel_policy": "sms"},
    )
    assert created.status_code == 303
    campaign = db.session.scalars(select(Campaign)).one()
    assert campaign.channel_policy == "sms"
    assert campaign.token_salt
    assert campaign.templates


def test_send_without_criteria_is_a_clear_409(client, db, logged_in_planner, make_campaign, english_ui):
    campaign = make_campaign(criteria={})
    response = client.post(f"/manage/campaigns/{campaign.id}/send")
    assert response.status_code == 409
    assert "Choose the audience first" in response.text
    assert db.session.get(Campaign, campaign.id).state == CampaignState.DRAFT


def test_send_when_the_consultation_is_closed_is_refused(client, db, logged_in_planner, make_campaign,
                                                         consultation, english_ui):
    campaign = make_campaign()
    consultation.state = "closed"
    db.session.commit()
    response = client.post(f"/manage/campaigns/{campaign.id}/send")
    assert response.status_code == 409
    assert "not open" in response.text


def test_send_with_an_empty_audience_is_refused(client, logged_in_planner, make_campaign, english_ui):
    campaign = make_campaign({"age_min": 100, "age_max": 110})
    response = client.post(f"/manage/campaigns/{campaign.id}/send")
    assert response.status_code == 409
    assert "Nobody in this audience" in response.text


def test_schedule_in_the_past_is_refused_and_future_works(client, db, logged_in_planner, make_campaign, english_ui):
    campaign = make_campaign()
    past = client.post(f"/manage/campaigns/{campaign.id}/schedule", data={"send_at": "2020-01-01T10:00"})
    assert past.status_code == 422
    future = client.post(f"/manage/campaigns/{campaign.id}/schedule", data={"send_at": "2099-01-01T10:00"})
    assert future.status_code == 303
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).state == CampaignState.SCHEDULED
    assert client.post(f"/manage/campaigns/{campaign.id}/unschedule").status_code == 303


def test_send_now_then_the_follow_up_page(client, htmx_client, db, logged_in_planner, make_campaign, english_ui):
    campaign = make_campaign({"age_min": 18, "age_max": 60})
    response = client.post(f"/manage/campaigns/{campaign.id}/send")
    assert response.status_code == 303
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.state == CampaignState.SENT
    # Young residents respond; older ones do not: 45-66 becomes under-represented.
    invitations = db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)).all()
    for invitation in invitations:
        if invitation.age_band != "45-66":
            invitation.opened_at = invitation.responded_at = now_utc()
    db.session.commit()

    page = client.get(f"/manage/campaigns/{campaign.id}")
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'id="funnel-responded"' in page.text
    assert "under-represented" in page.text
    assert 'name="value" value="45-66"' in page.text
    assert 'hx-trigger="every 2s"' not in page.text  # not sending: no polling

    fragment = htmx_client.get(f"/manage/campaigns/{campaign.id}/progress")
    assert "<html" not in fragment.text
    assert f'id="campaign-{campaign.id}-progress"' in fragment.text

    reminder = client.post(f"/manage/campaigns/{campaign.id}/remind", data={"dimension": "age_band", "value": "45-66"})
    assert reminder.status_code == 303
    db.session.expire_all()
    reminded = db.session.scalars(select(OutboundMessage).where(OutboundMessage.round == 1)).all()
    assert reminded
    assert {db.session.get(Invitation, m.invitation_id).age_band for m in reminded} == {"45-66"}


def test_progress_polls_only_while_sending(client, db, logged_in_planner, make_campaign, monkeypatch):
    monkeypatch.setattr(tasks, "publish_batches", lambda *args: 0)
    campaign = make_campaign({"age_min": 18, "age_max": 30})
    client.post(f"/manage/campaigns/{campaign.id}/send")
    page = client.get(f"/manage/campaigns/{campaign.id}")
    assert 'hx-trigger="every 2s"' in page.text
    assert page.headers["Vary"]
    assert "HX-Request" in page.headers["Vary"]


def test_small_counts_are_suppressed(client, db, logged_in_planner, make_campaign, english_ui):
    campaign = make_campaign({"age_min": 18, "age_max": 60})
    campaign.counts = {"matched": 3, "reachable": 3, "reserved": 2}
    db.session.commit()
    page = client.get(f"/manage/campaigns/{campaign.id}")
    assert "fewer than 5" in page.text
    assert '<td>3</td>' not in page.text


def test_other_organisation_gets_404(client, db, make_campaign, create_organisation, create_staff, auth):
    campaign = make_campaign()
    other = create_organisation(slug="alna", name="Bydel Alna")
    stranger = create_staff(email="p@alna.example", org=other)
    auth.login(stranger)
    assert client.get(f"/manage/campaigns/{campaign.id}").status_code == 404
    assert client.post(f"/manage/campaigns/{campaign.id}/send").status_code == 404
