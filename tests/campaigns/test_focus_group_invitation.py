"""Invitations to focus groups: the texts say when the session is, e-mails carry the .ics, SMS the calendar link."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from civic.campaigns import content, services
from civic.campaigns.content import default_templates, render_message, sms_info
from civic.campaigns.models import ChannelPolicy, MessagePurpose
from civic.campaigns.services import create_campaign
from civic.consultations.models import ConsultationState
from civic.core.timeutils import now_utc
from civic.focus_groups import groups
from civic.focus_groups.models import FocusGroupMode
from civic.outreach.links import find_invitation
from tests.outreach.helpers import read_outbox, text_of

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 in Oslo
CRITERIA = {"age_min": 20, "age_max": 35}


@pytest.fixture
def create_focus_group(db, organisation):
    """An open focus group through the planner service (the focus-group fixtures live in their own package)."""

    def _create(
        *,
        mode: FocusGroupMode = FocusGroupMode.LIVE,
        starts_at: datetime | None = None,
        duration_minutes: int = 60,
        async_days: int = 7,
        languages: list[str] | None = None,
    ):
        group = groups.create_focus_group(
            db.session,
            organisation,
            actor=None,
            title={"nb": "Bilfrie gater rundt skolene", "en": "Car-free streets around the schools"},
            languages=languages or ["nb", "en"],
            mode=mode,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            async_days=async_days,
        )
        consultation = group.consultation
        consultation.state = ConsultationState.OPEN
        if mode == FocusGroupMode.ASYNC:
            consultation.opens_at = now_utc()
            consultation.closes_at = now_utc() + timedelta(days=async_days)
        db.session.commit()
        return group

    return _create


def _sms_files(app) -> list[dict]:
    folder = Path(app.config["SMS_OUTBOX_FOLDER"])
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.is_dir() else []


def _campaign(db, organisation, group, policy=ChannelPolicy.EMAIL_THEN_SMS):
    campaign = create_campaign(
        db.session,
        organisation,
        actor=None,
        name="Fokusgruppe",
        consultation_id=group.consultation_id,
        channel_policy=policy,
    )
    campaign.criteria = dict(CRITERIA)
    db.session.commit()
    return campaign


def _send(db, campaign, registry) -> None:
    services.send_now(db.session, campaign, registry=registry.bundle())
    db.session.commit()
    db.session.expire_all()


def _calendar_parts(message):
    return [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def test_live_invitation_email_carries_the_event_with_the_personal_link(
    app, db, organisation, small_registry, create_focus_group
):
    group = create_focus_group(starts_at=START, duration_minutes=90)
    public_id = group.consultation.public_id
    campaign = _campaign(db, organisation, group)
    _send(db, campaign, small_registry)

    emails = read_outbox(app.config["OUTBOX_FOLDER"])
    assert emails
    for message in emails:
        text = text_of(message)
        # The weekday follows the resident's language (tirsdag, tysdag, Tuesday); the template falls back to nb.
        assert "dag 1. desember 2026 kl. 18:00-19:30" in text or "Tuesday 1 December 2026, 18:00-19:30" in text
        assert f"/f/{public_id}/calendar.ics" in text
        assert message["Subject"].startswith(("Invitasjon til fokusgruppe", "Invitation to a focus group"))
        (part,) = _calendar_parts(message)
        assert part.get_param("method") == "PUBLISH"
        assert part.get_filename() in (f"fokusgruppe-{public_id}.ics", f"focus-group-{public_id}.ics")
        event = next(iter(Calendar.from_ical(part.get_content()).walk("VEVENT")))
        assert event.decoded("DTSTART") == START
        link = str(event["URL"])
        token = link.split("/p/", 1)[1]
        assert token in text  # the calendar joins through the same personal link as the e-mail
        assert find_invitation(db.session, token).campaign_id == campaign.id
        assert any(word in str(event["DESCRIPTION"]) for word in ("personlig", "personleg", "personal"))
    uids = {
        str(next(iter(Calendar.from_ical(_calendar_parts(m)[0].get_content()).walk("VEVENT")))["UID"]) for m in emails
    }
    assert len(uids) == 1  # one event per focus group, whoever it was sent to

    sms = _sms_files(app)
    assert sms
    for message in sms:
        assert f"/f/{public_id}/calendar.ics" in message["text"]
        assert (
            "1. desember 2026 kl. 18:00-19:30" in message["text"] or "1 December 2026, 18:00-19:30" in message["text"]
        )


def test_async_invitation_states_the_window_and_attaches_nothing(
    app, db, organisation, small_registry, create_focus_group
):
    group = create_focus_group(mode=FocusGroupMode.ASYNC, async_days=7)
    campaign = _campaign(db, organisation, group, policy=ChannelPolicy.EMAIL)
    _send(db, campaign, small_registry)
    emails = read_outbox(app.config["OUTBOX_FOLDER"])
    assert emails
    for message in emails:
        assert not _calendar_parts(message)
        assert re.search(r"Tid: fr[aå] \d+\. \w+ til |When: from \d+ \w+ to ", text_of(message))


def test_survey_invitations_are_unchanged(app, db, make_campaign, small_registry):
    campaign = make_campaign(dict(CRITERIA), policy=ChannelPolicy.EMAIL)
    _send(db, campaign, small_registry)
    emails = read_outbox(app.config["OUTBOX_FOLDER"])
    assert emails
    assert not any(_calendar_parts(message) for message in emails)
    assert "Du kan svare fram til" in text_of(emails[0])


def test_focus_group_default_texts(app, create_focus_group):
    group = create_focus_group(starts_at=START, languages=["nb", "nn", "en"])
    templates = default_templates(group.consultation)
    assert {(t.purpose, t.language) for t in templates} == {
        (purpose, language) for purpose in ("invitation", "reminder") for language in ("nb", "nn", "en")
    }
    for template in templates:
        for text in (template.email_body, template.sms_body):
            assert content.uses_placeholder(text, "when")
            assert content.uses_placeholder(text, "link")
        assert content.uses_placeholder(template.email_body, "calendar_link")
        assert content.validate_template(template, channel_policy=ChannelPolicy.EMAIL_THEN_SMS) == []
        # Cheap SMS: GSM-7 (no en dash in {when}), at most two parts with sample values.
        info = sms_info(content.fill(template.sms_body, content.sample_values()))
        assert info.encoding == "GSM-7", template.language
        assert info.segments <= 2, (template.language, template.purpose)


def test_rendered_when_and_calendar_link(app, organisation, create_focus_group):
    group = create_focus_group(starts_at=START, duration_minutes=90, languages=["nb", "en"])
    consultation = group.consultation
    english = next(
        t for t in default_templates(consultation) if t.language == "en" and t.purpose == MessagePurpose.INVITATION
    )
    rendered = render_message(
        english,
        organisation=organisation,
        consultation=consultation,
        first_name="Kari",
        link="https://civic.example.no/p/abc",
        stop_link="https://civic.example.no/stop/abc",
        language="en",
        base_url="https://civic.example.no",
    )
    assert "When: Tuesday 1 December 2026, 18:00-19:30" in rendered.text
    calendar_link = f"https://civic.example.no/f/{consultation.public_id}/calendar.ics"
    assert f"Calendar: {calendar_link}" in rendered.sms
    assert f'<a href="{calendar_link}">' in rendered.html


@pytest.mark.parametrize("language", ["nb", "en"])
def test_when_of_other_consultations_is_the_deadline(app, organisation, consultation, language):
    values = content.placeholder_values(
        organisation=organisation,
        consultation=consultation,
        first_name="Kari",
        link="l",
        stop_link="s",
        language=language,
    )
    assert values["when"] == values["deadline"]
    assert values["calendar_link"] == ""
