"""The admin outbox viewer: own organisation's messages only, newest first, text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from civic.accounts.models import Role
from civic.extensions import db as _db
from civic.outreach import tasks
from civic.outreach.sms import OutboxSmsTransport, SmsMessage

OUTBOX = "/manage/outbox/"


def _send(app, organisation_id: int, subject: str, text: str = "Hello") -> None:
    with app.test_request_context():
        tasks.queue_email(
            to="x@bjerke.example", subject=subject, text=text, html="", organisation_id=organisation_id
        )
        _db.session.commit()


@pytest.fixture
def logged_in_admin(auth, create_staff):
    admin = create_staff(Role.ADMIN)
    auth.login(admin)
    return admin


def test_lists_own_messages_newest_first(app, client, logged_in_admin, create_organisation):
    elsewhere = create_organisation(slug="alna", name="Bydel Alna")
    _send(app, logged_in_admin.organisation_id, "First message")
    _send(app, elsewhere.id, "Someone else's message")
    _send(app, logged_in_admin.organisation_id, "Second message")
    page = client.get(OUTBOX)
    assert page.status_code == 200
    assert page.text.index("Second message") < page.text.index("First message")
    assert "Someone else" not in page.text


def test_open_message_shows_text_escaped_and_links(app, client, logged_in_admin):
    _send(
        app,
        logged_in_admin.organisation_id,
        "Evil",
        "<script>alert(1)</script> see https://civic.example/x?a=1",
    )
    page = client.get(OUTBOX)
    [key] = re.findall(r'href="/manage/outbox/([0-9T]+-[0-9a-f]+)"', page.text)
    message = client.get(OUTBOX + key)
    assert message.status_code == 200
    assert "<script>alert(1)</script>" not in message.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.text
    assert '<a href="https://civic.example/x?a=1"' in message.text


def test_other_organisations_message_is_404(app, client, logged_in_admin, create_organisation):
    elsewhere = create_organisation(slug="alna", name="Bydel Alna")
    _send(app, elsewhere.id, "Secret reset link")
    key = next(p.stem for p in Path(app.config["OUTBOX_FOLDER"]).glob("*.eml"))
    assert client.get(OUTBOX + key).status_code == 404


@pytest.mark.parametrize("key", ["nope", "..%2F..%2Fetc%2Fpasswd", "20260101T000000000000-0000000000000000"])
def test_bad_or_missing_keys_are_404(client, logged_in_admin, key):
    assert client.get(OUTBOX + key).status_code == 404


def test_outbox_is_for_admins_and_in_their_menu(client, auth, logged_in_admin, create_staff):
    assert 'href="/manage/outbox/"' in client.get(OUTBOX).text
    auth.logout()
    planner = create_staff(Role.PLANNER)
    auth.login(planner)
    assert client.get(OUTBOX).status_code == 403
    assert 'href="/manage/outbox/"' not in client.get("/manage/consultations/").text


def test_no_outbox_when_sending_for_real(app, client, logged_in_admin):
    app.config["EMAIL_TRANSPORT"] = "smtp"
    assert client.get(OUTBOX).status_code == 404


def test_sms_outbox_lists_own_organisations_messages_escaped(app, client, logged_in_admin, create_organisation):
    elsewhere = create_organisation(slug="alna", name="Bydel Alna")
    transport = OutboxSmsTransport(Path(app.config["SMS_OUTBOX_FOLDER"]))
    own = logged_in_admin.organisation_id
    transport.send(SmsMessage("1", "+4791234567", "Hei <b>Kari</b>", "Bjerke", organisation_id=own))
    transport.send(SmsMessage("2", "+4798765432", "Not yours", "Alna", organisation_id=elsewhere.id))
    page = client.get(OUTBOX + "sms")
    assert page.status_code == 200
    assert "Hei &lt;b&gt;Kari&lt;/b&gt;" in page.text
    assert "+4791234567" in page.text
    assert "Not yours" not in page.text
    assert "/manage/outbox/sms" in client.get(OUTBOX).text


def test_no_sms_outbox_with_a_real_gateway(app, client, logged_in_admin):
    app.config["SMS_TRANSPORT"] = "link"
    assert client.get(OUTBOX + "sms").status_code == 404
