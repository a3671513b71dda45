"""Message content: placeholders, rendering, GSM-7/UCS-2 segment counting, template validation."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st

from civic.campaigns import content
from civic.campaigns.content import (
    PLACEHOLDERS,
    default_template,
    default_templates,
    pick_template,
    render_message,
    sms_info,
    validate_template,
)
from civic.campaigns.models import Campaign, CampaignTemplate, ChannelPolicy
from civic.consultations.models import Consultation, ConsultationKind

LINK = "https://civic.example.no/p/" + "a" * 43
STOP = "https://civic.example.no/stop/" + "a" * 43


@pytest.fixture
def consultation(db, organisation) -> Consultation:
    item = Consultation(
        organisation=organisation,
        public_id="pub-content",
        kind=ConsultationKind.SURVEY,
        title={"nb": "Parkering i Bjerke", "en": "Parking in Bjerke"},
        languages=["nb", "en"],
        closes_at=datetime(2026, 12, 1, 22, 59, tzinfo=UTC),
    )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def campaign(db, organisation, consultation) -> Campaign:
    item = Campaign(
        organisation_id=organisation.id, consultation_id=consultation.id, name="Parkering", token_salt="salt"
    )
    item.templates = default_templates(consultation)
    db.session.add(item)
    db.session.commit()
    return item


def _render(template, organisation, consultation, language="nb", first_name="Kari"):
    return render_message(
        template,
        organisation=organisation,
        consultation=consultation,
        first_name=first_name,
        link=LINK,
        stop_link=STOP,
        language=language,
    )


# --- SMS length -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "length", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("Hei", "GSM-7", 3, 1),
        ("Blåbærsyltetøy ÆØÅ", "GSM-7", 18, 1),  # Norwegian letters are in the basic table
        ("Grüße aus Köln, ça va? Ñ", "UCS-2", 24, 1),  # ç is not in GSM 03.38 (only Ç is)
        ("äöüÄÖÜé", "GSM-7", 7, 1),  # … but ä, ö, ü are
        ("Pris: 10 €", "GSM-7", 11, 1),  # € is in the extension table: two septets
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("{" * 80, "GSM-7", 160, 1),
        ("🙂", "UCS-2", 2, 1),  # outside the BMP: a surrogate pair
        ("ø" * 69 + "🙂", "UCS-2", 71, 2),
        ("ж" * 70, "UCS-2", 70, 1),
        ("ж" * 71, "UCS-2", 71, 2),
        ("ж" * 134, "UCS-2", 134, 2),
        ("ж" * 135, "UCS-2", 135, 3),
    ],
)
def test_sms_info(text, encoding, length, segments):
    info = sms_info(text)
    assert (info.encoding, info.length, info.segments) == (encoding, length, segments)


def test_escape_pair_is_not_split_between_parts():
    # 152 plain septets and a € (2 septets): the € cannot straddle the 153-septet boundary.
    info = sms_info("a" * 152 + "€" + "a" * 10)
    assert info.length == 164
    assert info.segments == 2
    assert sms_info("a" * 152 + "€" + "a" * 152).segments == 3


@given(st.text(alphabet=st.sampled_from(sorted(content.GSM_BASIC - {"\r"})), max_size=1200))
def test_gsm_segments_match_the_arithmetic(text):
    info = sms_info(text)
    assert info.encoding == "GSM-7"
    expected = 0 if not text else 1 if len(text) <= 160 else -(-len(text) // 153)
    assert info.segments == expected


# --- rendering --------------------------------------------------------------------------------------------


def test_render_fills_placeholders_and_adds_a_footer(app, organisation, consultation, campaign):
    template = pick_template(campaign, "invitation", "nb")
    rendered = _render(template, organisation, consultation)
    assert rendered.subject == "Si din mening: Parkering i Bjerke"
    assert rendered.text.startswith("Hei Kari,")
    assert LINK in rendered.text
    assert "1. desember 2026 kl. 23:59" in rendered.text  # Oslo time, bokmål month
    assert "Bydel Bjerke" in rendered.text
    assert STOP in rendered.text  # the footer's stop-reminders link
    assert "Kontakt- og reservasjonsregisteret" in rendered.text  # why you got this
    assert "{" not in rendered.text
    assert rendered.sms.startswith("Hei Kari!")
    assert LINK in rendered.sms


def test_render_in_english_uses_english_title_and_date(app, organisation, consultation, campaign):
    rendered = _render(pick_template(campaign, "invitation", "en"), organisation, consultation, language="en")
    assert rendered.subject == "Have your say: Parking in Bjerke"
    assert "1 December 2026 at 23:59" in rendered.text


def test_html_escapes_everything_and_has_no_tracking(app, organisation, consultation):
    organisation.coat_of_arms = "coat-of-arms-abc.png"
    template = CampaignTemplate(
        purpose="invitation",
        language="nb",
        email_subject="<b>{title}</b>",
        email_body="Hei {first_name} <script>alert(1)</script>\nlinje to\n\n{link}\n\nMer: {stop_link}",
        sms_body="{link}",
    )
    rendered = _render(template, organisation, consultation, first_name='<img src=x onerror="y">')
    html = rendered.html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html
    assert "linje to" in html
    assert "<br>" in html
    assert f'href="{LINK}"' in html  # the link paragraph became a button
    assert 'lang="nb"' in html
    assert organisation.primary_color in html
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    with app.test_request_context():
        path = url_for("accounts.coat_of_arms", slug=organisation.slug)
    assert images == [app.config["PUBLIC_BASE_URL"] + path]  # the coat of arms, and no pixel
    assert "<script" not in html.replace("&lt;script", "")


def test_html_has_no_image_without_coat_of_arms(app, organisation, consultation, campaign):
    rendered = _render(pick_template(campaign, "reminder", "nb"), organisation, consultation)
    assert "<img" not in rendered.html
    assert "Stopp meldinger" in rendered.html


def test_no_deadline_gives_a_phrase(app, organisation, consultation, campaign):
    consultation.closes_at = None
    rendered = _render(pick_template(campaign, "invitation", "nb"), organisation, consultation)
    assert "fram til høringen stenger" in rendered.text


def test_pick_template_falls_back_to_default_language_then_any(app, db, campaign, consultation):
    assert pick_template(campaign, "invitation", "en").language == "en"
    assert pick_template(campaign, "invitation", "nn").language == "nb"  # the consultation's default
    consultation.languages = ["en"]
    db.session.commit()
    assert pick_template(campaign, "invitation", "nn").language == "en"
    campaign.templates = [t for t in campaign.templates if t.language == "nb" and t.purpose == "reminder"]
    assert pick_template(campaign, "reminder", "nn").language == "nb"  # any
    with pytest.raises(content.MissingTemplateError):
        pick_template(campaign, "invitation", "nb")


def test_default_templates_are_valid_in_every_language(app, consultation):
    consultation.languages = ["nb", "nn", "en"]
    templates = default_templates(consultation)
    assert {(t.purpose, t.language) for t in templates} == {
        (p, lang) for p in ("invitation", "reminder") for lang in ("nb", "nn", "en")
    }
    for template in templates:
        assert validate_template(template, channel_policy=ChannelPolicy.EMAIL_THEN_SMS) == []


# --- validation -------------------------------------------------------------------------------------------


def _template(**fields):
    template = default_template("invitation", "nb")
    for name, value in fields.items():
        setattr(template, name, value)
    return template


def test_unknown_and_complex_placeholders_are_named(app, english_ui):
    with app.test_request_context():
        problems = validate_template(_template(email_body="Hei {fornavn} {link} {title.__class__} {0} {link!r}"))
    assert any("{fornavn}" in p for p in problems)
    assert any("{title.__class__}" in p for p in problems)
    assert any("{0}" in p for p in problems)
    assert any("{link!r}" in p for p in problems)
    assert all("{first_name}" in p for p in problems)  # each lists what is allowed


def test_lone_brace_is_reported(app, english_ui):
    with app.test_request_context():
        [problem] = validate_template(_template(sms_body="Svar {link} {"))
    assert "curly brace" in problem


def test_missing_link_is_an_error(app, english_ui):
    with app.test_request_context():
        problems = validate_template(_template(email_body="Hei {first_name}"), channel_policy=ChannelPolicy.EMAIL)
    assert problems == ["The text must contain {link}: without the personal link the resident cannot respond."]


def test_empty_fields_only_when_the_channel_needs_them(app, english_ui):
    with app.test_request_context():
        assert validate_template(_template(sms_body=""), channel_policy=ChannelPolicy.EMAIL) == []
        assert validate_template(_template(sms_body=""), channel_policy=ChannelPolicy.SMS) == ["The SMS text is empty."]
        problems = validate_template(_template(email_subject=" ", email_body=""), channel_policy=ChannelPolicy.EMAIL)
    assert problems == ["The e-mail subject is empty.", "The e-mail text is empty."]


def test_sms_over_six_parts_is_too_long(app, english_ui):
    with app.test_request_context():
        ok = validate_template(_template(sms_body="{link} " + "a" * 700), channel_policy=ChannelPolicy.SMS)
        long = validate_template(_template(sms_body="{link} " + "a" * 900), channel_policy=ChannelPolicy.SMS)
        emoji = validate_template(_template(sms_body="{link} 🙂" + "a" * 340), channel_policy=ChannelPolicy.SMS)
    assert ok == []
    assert long == ["The SMS is too long: 7 parts with sample values; at most 6 parts are allowed."]
    assert emoji
    assert "at most 6 parts" in emoji[0]


def test_rendering_never_calls_format_on_objects(app, organisation, consultation):
    # A template can only ever see these strings, never attributes of Python objects.
    template = _template(email_body="{link}", email_subject="{title}")
    rendered = _render(template, organisation, consultation)
    assert rendered.subject == "Parkering i Bjerke"
    assert set(PLACEHOLDERS) == {
        "first_name",
        "title",
        "link",
        "deadline",
        "organisation",
        "stop_link",
        "when",
        "calendar_link",
    }


def test_default_sms_texts_stay_cheap(app, consultation):
    # Guillemets or curly quotes would force UCS-2 (70 characters a part); the defaults avoid them.
    consultation.languages = ["nb", "nn", "en"]
    for template in default_templates(consultation):
        info = sms_info(content.fill(template.sms_body, content.sample_values()))
        assert info.encoding == "GSM-7", template.language
        assert info.segments <= 2, (template.language, template.purpose)
