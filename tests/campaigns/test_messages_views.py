"""Planner pages for message texts: list, edit with validation, SMS counter, preview and test-send."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.campaigns.content import default_templates
from civic.campaigns.models import Campaign, CampaignState, CampaignTemplate
from civic.consultations.models import Access
from civic.outreach.models import Invitation
from tests.outreach.helpers import read_outbox, text_of

BASE = "/manage/campaigns"


@pytest.fixture
def campaign(db, organisation, create_survey) -> Campaign:
    consultation = create_survey(access=Access.INVITED).consultation
    consultation.languages = ["nb"]
    item = Campaign(
        organisation_id=organisation.id, consultation_id=consultation.id, name="Parkering", token_salt="salt"
    )
    item.templates = default_templates(consultation)
    db.session.add(item)
    db.session.commit()
    return item


def edit_url(campaign, purpose="invitation", language="nb", suffix=""):
    return f"{BASE}/{campaign.id}/messages/{purpose}/{language}{suffix}"


def form_data(**overrides):
    data = {
        "email_subject": "Si din mening: {title}",
        "email_body": "Hei {first_name},\n\nSvar her:\n\n{link}",
        "sms_body": "Hei {first_name}! Svar her: {link}",
        "language": "nb",
    }
    data.update(overrides)
    return data


def template_of(db, campaign, purpose="invitation", language="nb") -> CampaignTemplate:
    return db.session.scalars(
        select(CampaignTemplate).where(
            CampaignTemplate.campaign_id == campaign.id,
            CampaignTemplate.purpose == purpose,
            CampaignTemplate.language == language,
        )
    ).one()


# --- list --------------------------------------------------------------------------------------------------


def test_list_page_and_fragment(client, htmx_client, logged_in_planner, campaign, english_ui):
    response = client.get(f"{BASE}/{campaign.id}/messages")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Message texts</h1>" in page
    assert 'id="template-invitation-nb"' in page
    assert 'id="template-reminder-nb"' in page
    assert "Ready" in page
    assert '<option value="en">English</option>' in page
    fragment = htmx_client.get(f"{BASE}/{campaign.id}/messages")
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'id="message-list"' in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_other_organisations_campaign_is_404(client, db, auth, create_organisation, create_staff, campaign):
    other = create_organisation(slug="grorud", name="Bydel Grorud")
    auth.login(create_staff(Role.PLANNER, email="p@grorud.example", org=other))
    assert client.get(f"{BASE}/{campaign.id}/messages").status_code == 404
    assert client.get(edit_url(campaign)).status_code == 404
    assert client.post(edit_url(campaign), data=form_data()).status_code == 404
    assert client.post(f"{BASE}/{campaign.id}/messages/sms-info", data={"sms_body": "x"}).status_code == 404


def test_viewers_may_not_edit(client, auth, create_staff, campaign):
    auth.login(create_staff(Role.VIEWER))
    assert client.get(f"{BASE}/{campaign.id}/messages").status_code == 403
    assert client.post(edit_url(campaign), data=form_data()).status_code == 403


def test_unknown_purpose_or_language_is_404(client, logged_in_planner, campaign):
    assert client.get(edit_url(campaign, purpose="newsletter")).status_code == 404
    assert client.get(edit_url(campaign, language="de")).status_code == 404
    assert client.get(edit_url(campaign, language="en")).status_code == 404  # no English texts yet


def test_add_language(client, htmx_client, db, logged_in_planner, campaign):
    response = client.post(f"{BASE}/{campaign.id}/messages/languages", data={"language": "en"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(edit_url(campaign, language="en"))
    assert template_of(db, campaign, "reminder", "en").email_subject == "Reminder: {title}"
    # nb and en exist: nn is the only choice left, and adding en again is refused with the input kept
    again = client.post(f"{BASE}/{campaign.id}/messages/languages", data={"language": "en"})
    assert again.status_code == 422
    nynorsk = htmx_client.post(f"{BASE}/{campaign.id}/messages/languages", data={"language": "nn"})
    assert nynorsk.status_code == 204
    assert nynorsk.headers["HX-Redirect"].endswith(edit_url(campaign, language="nn"))


# --- edit --------------------------------------------------------------------------------------------------


def test_edit_page_shows_fields_counter_and_preview(client, logged_in_planner, campaign, english_ui):
    response = client.get(edit_url(campaign))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="email_subject"' in page
    assert 'hx-trigger="input changed delay:200ms"' in page
    assert 'id="sms-info"' in page
    assert "SMS part" in page  # the counter is there without JavaScript
    assert '<iframe sandbox="" srcdoc="' in page
    srcdoc = html.unescape(page.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "Si din mening: Parkering i Bjerke" in srcdoc
    assert "https://civic.example.no/p/" in srcdoc  # the sample link


def test_save_valid_texts(client, htmx_client, db, logged_in_planner, campaign):
    response = client.post(edit_url(campaign), data=form_data(sms_body="Svar: {link} 🙂"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(edit_url(campaign))
    saved = template_of(db, campaign)
    assert saved.email_body == "Hei {first_name},\n\nSvar her:\n\n{link}"
    assert saved.sms_body == "Svar: {link} 🙂"
    via_htmx = htmx_client.post(edit_url(campaign), data=form_data(email_subject="Ny: {title}"))
    assert via_htmx.status_code == 204
    assert via_htmx.headers["HX-Redirect"].endswith(edit_url(campaign))
    db.session.refresh(saved)
    assert saved.email_subject == "Ny: {title}"


def test_invalid_texts_are_refused_and_kept(client, db, logged_in_planner, campaign, english_ui):
    before = template_of(db, campaign).email_body
    body = "Hei {fornavn}, les mer: {link}"
    response = client.post(
        edit_url(campaign), data=form_data(email_body=body, sms_body="Hei {first_name}!" + "x" * 1000)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown placeholder {fornavn}" in page
    assert "The text must contain {link}" in page
    assert "at most 6 parts are allowed" in page
    assert html.escape(body) in page  # what was typed is still in the form
    assert "The texts were not saved" in page
    db.session.expire_all()
    assert template_of(db, campaign).email_body == before


def test_empty_texts_for_the_channel(client, db, logged_in_planner, campaign, english_ui):
    campaign.channel_policy = "sms"
    db.session.commit()
    response = client.post(edit_url(campaign), data=form_data(email_subject="", email_body="", sms_body=" "))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The SMS text is empty." in page
    assert "The e-mail subject is empty." not in page  # SMS-only campaigns need no e-mail


@pytest.mark.parametrize("state", [CampaignState.SENDING, CampaignState.SENT, CampaignState.CANCELLED])
def test_texts_are_frozen_once_sent(client, db, logged_in_planner, campaign, state, english_ui):
    campaign.state = state
    db.session.commit()
    response = client.post(edit_url(campaign), data=form_data(email_subject="Endret"))
    assert response.status_code == 409
    assert "can no longer be changed" in response.get_data(as_text=True)
    assert template_of(db, campaign).email_subject != "Endret"
    assert client.post(f"{BASE}/{campaign.id}/messages/languages", data={"language": "en"}).status_code == 409
    page = client.get(edit_url(campaign))
    assert page.status_code == 200
    assert "readonly" in page.get_data(as_text=True)


def test_scheduled_campaign_is_still_editable(client, db, logged_in_planner, campaign):
    campaign.state = CampaignState.SCHEDULED
    db.session.commit()
    assert client.post(edit_url(campaign), data=form_data()).status_code == 303


# --- SMS counter -------------------------------------------------------------------------------------------


def test_sms_info_fragment_and_page(client, htmx_client, logged_in_planner, campaign, english_ui):
    url = f"{BASE}/{campaign.id}/messages/sms-info"
    fragment = htmx_client.post(url, data={"sms_body": "a" * 161, "language": "nb"})
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<p id="sms-info"')
    assert "161 characters, 2 SMS parts" in text
    assert "GSM-7" in text
    ucs2 = htmx_client.post(url, data={"sms_body": "Hei 🙂", "language": "nb"}).get_data(as_text=True)
    assert "UCS-2" in ucs2
    assert "outside the GSM alphabet" in ucs2
    placeholders = htmx_client.post(url, data={"sms_body": "{link}"}).get_data(as_text=True)
    assert "70 characters, 1 SMS part" in placeholders  # counted with the sample link's length
    page = client.post(url, data={"sms_body": "Hei"})
    assert page.status_code == 200
    assert "<html" in page.get_data(as_text=True)
    assert "3 characters, 1 SMS part" in page.get_data(as_text=True)


def test_counter_after_a_no_js_post(client, logged_in_planner, campaign, english_ui):
    sms = "{link} " + "ж" * 100  # UCS-2: 70 + 1 + 100 units, 67 per part
    refused = client.post(edit_url(campaign), data=form_data(email_body="{oops} {link}", sms_body=sms))
    assert refused.status_code == 422
    assert "171 characters, 3 SMS parts" in refused.get_data(as_text=True)
    preview = client.post(edit_url(campaign, suffix="/preview"), data=form_data(sms_body=sms))
    assert "171 characters, 3 SMS parts" in preview.get_data(as_text=True)


# --- preview -----------------------------------------------------------------------------------------------


def test_preview_fragment_and_page(client, htmx_client, db, logged_in_planner, campaign, english_ui):
    data = form_data(email_body="Hei {first_name} <b>fet</b>\n\n{link}")
    fragment = htmx_client.post(edit_url(campaign, suffix="/preview"), data=data)
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<section id="message-preview"')
    srcdoc = html.unescape(text.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "Hei Kari &lt;b&gt;fet&lt;/b&gt;" in srcdoc  # escaped inside the e-mail HTML too
    assert "Plain-text version" in text
    page = client.post(edit_url(campaign, suffix="/preview"), data=data)
    assert page.status_code == 200
    assert "<html" in page.get_data(as_text=True)
    assert "Hei {first_name} &lt;b&gt;fet&lt;/b&gt;" in page.get_data(as_text=True)  # input kept, not saved
    assert "<b>fet</b>" not in template_of(db, campaign).email_body


def test_preview_of_invalid_texts(htmx_client, logged_in_planner, campaign, english_ui):
    response = htmx_client.post(edit_url(campaign, suffix="/preview"), data=form_data(email_body="{oops} {link}"))
    assert response.status_code == 422
    assert "Unknown placeholder {oops}" in response.get_data(as_text=True)
    assert "<iframe" not in response.get_data(as_text=True)


# --- test-send ---------------------------------------------------------------------------------------------


def sms_outbox(app) -> list[dict]:
    folder = Path(app.config["SMS_OUTBOX_FOLDER"])
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def test_test_send_to_my_address_and_a_phone(app, client, db, logged_in_planner, campaign, english_ui):
    response = client.post(
        edit_url(campaign, suffix="/test"), data=form_data(test_to_me="y", test_phone="912 34 567")
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"A test e-mail was sent to {logged_in_planner.email}." in page
    assert "A test SMS was sent to +4791234567." in page
    [message] = read_outbox(app.config["OUTBOX_FOLDER"])
    assert message["To"] == logged_in_planner.email
    assert message["Subject"] == "[Test] Si din mening: Parkering i Bjerke"
    assert message["Return-Path"] == "<noreply@civic.localhost>"  # the bare address of MAIL_FROM
    assert "Hei Test," in text_of(message)  # the planner's first name
    [sms] = sms_outbox(app)
    assert sms["to"] == "+4791234567"
    assert sms["text"].startswith("Hei Test! Svar her: http")
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0  # no invitation created


def test_test_send_fragment(app, htmx_client, logged_in_planner, campaign, english_ui):
    response = htmx_client.post(edit_url(campaign, suffix="/test"), data=form_data(test_phone="+4741234567"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith('<fieldset id="message-test"')
    assert "A test SMS was sent to +4741234567." in text
    assert read_outbox(app.config["OUTBOX_FOLDER"]) == []


@pytest.mark.parametrize("number", ["12", "abc", "+47 1234", "22 12 34 56"])  # the last is a landline
def test_malformed_phone_numbers(app, client, logged_in_planner, campaign, english_ui, number):
    response = client.post(edit_url(campaign, suffix="/test"), data=form_data(test_phone=number))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a valid mobile number" in page
    assert f'value="{number}"' in page  # kept
    assert sms_outbox(app) == []


def test_test_send_needs_a_target_and_valid_texts(app, client, logged_in_planner, campaign, english_ui):
    nothing = client.post(edit_url(campaign, suffix="/test"), data=form_data())
    assert nothing.status_code == 422
    assert "enter a mobile number" in nothing.get_data(as_text=True)
    invalid = client.post(edit_url(campaign, suffix="/test"), data=form_data(email_body="{x}", test_to_me="y"))
    assert invalid.status_code == 422
    assert "Correct the texts first" in invalid.get_data(as_text=True)
    assert read_outbox(app.config["OUTBOX_FOLDER"]) == []


def test_test_send_works_after_sending(app, client, db, logged_in_planner, campaign):
    campaign.state = CampaignState.SENT
    db.session.commit()
    assert client.post(edit_url(campaign, suffix="/test"), data=form_data(test_to_me="y")).status_code == 200
    assert len(read_outbox(app.config["OUTBOX_FOLDER"])) == 1
