"""Delivery reports, bounces and stopped reminders: signed webhooks, idempotent updates, no addresses kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from civic.campaigns import deliveries
from civic.campaigns.models import Campaign, MessageState, OutboundMessage
from civic.consultations.models import Access
from civic.outreach.models import Invitation

SECRET = "test-webhook-secret"
ADDRESS = "kari.nordmann@bjerke.example"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WEBHOOK_SECRET": SECRET, "BOUNCE_ADDRESS": "bounce+{id}@bounces.civic.example"}


@pytest.fixture
def outbox(db, organisation, create_survey, create_invitation):
    """A campaign with one invitation and an SMS and an e-mail message row, both sent."""
    consultation = create_survey(access=Access.INVITED).consultation
    campaign = Campaign(
        organisation_id=organisation.id, consultation_id=consultation.id, name="Parkering", token_salt="s"
    )
    db.session.add(campaign)
    db.session.flush()
    invitation, token = create_invitation(consultation)
    invitation.campaign_id = campaign.id
    sms = OutboundMessage(campaign_id=campaign.id, invitation_id=invitation.id, channel="sms", state="sent")
    email = OutboundMessage(campaign_id=campaign.id, invitation_id=invitation.id, channel="email", state="sent")
    db.session.add_all([sms, email])
    db.session.commit()
    return {"invitation": invitation, "token": token, "sms": sms, "email": email, "consultation": consultation}


def post_signed(client, url, body: bytes, content_type="application/json", secret=SECRET):
    return client.post(
        url, data=body, content_type=content_type, headers={"X-Civic-Signature": deliveries.sign(body, secret)}
    )


def dlr(ref_id, code, **extra) -> bytes:
    report = {
        "refId": str(ref_id),
        "id": "link-abc",
        "operator": "no.telenor",
        "sendTimestamp": "2026-11-23T10:00:00Z",
        "timestamp": "2026-11-23T10:00:05Z",
        "resultCode": code,
        "operatorResultCode": "0",
        "segments": 1,
    }
    report.update(extra)
    return json.dumps(report).encode()


# --- signatures and VERP ids ----------------------------------------------------------------------------------


def test_signature_check():
    body = b'{"refId": "1"}'
    assert deliveries.signature_valid(body, deliveries.sign(body, SECRET), SECRET)
    assert not deliveries.signature_valid(body, deliveries.sign(body, "other"), SECRET)
    assert not deliveries.signature_valid(body + b" ", deliveries.sign(body, SECRET), SECRET)
    assert not deliveries.signature_valid(body, None, SECRET)
    assert not deliveries.signature_valid(body, deliveries.sign(body, ""), "")
    assert not deliveries.signature_valid(body, "sha256=ø", SECRET)


def test_bounce_ids_are_opaque_and_reversible():
    ids = [deliveries.bounce_id(n, "k") for n in (1, 2, 3, 10**12)]
    assert all(len(value) == 32 for value in ids)
    assert len(set(ids)) == 4
    assert ids[0] != deliveries.bounce_id(1, "other")
    assert [deliveries.message_id_from_bounce_id(v, "k") for v in ids] == [1, 2, 3, 10**12]
    assert deliveries.message_id_from_bounce_id(ids[0].upper(), "k") == 1
    assert deliveries.message_id_from_bounce_id(ids[0], "other") is None  # wrong key: not ours
    assert deliveries.message_id_from_bounce_id("0" * 32, "k") is None
    assert deliveries.message_id_from_bounce_id("not-hex", "k") is None


def test_envelope_from_and_headers(app):
    sender = deliveries.envelope_from(42, app.config)
    assert sender.startswith("bounce+")
    assert sender.endswith("@bounces.civic.example")
    local_id = sender[len("bounce+") : -len("@bounces.civic.example")]
    assert deliveries.message_id_from_bounce_id(local_id, app.config["SECRET_KEY"]) == 42
    [value] = deliveries.bounce_headers(42, app.config).values()
    assert deliveries.message_id_from_bounce_id(value, app.config["SECRET_KEY"]) == 42


# --- SMS delivery reports ----------------------------------------------------------------------------------


def test_delivered_report_marks_message_and_invitation(client, db, outbox):
    sms = outbox["sms"]
    response = post_signed(client, "/hooks/sms/delivery", dlr(sms.id, 1001))
    assert response.status_code == 204
    db.session.refresh(sms)
    db.session.refresh(outbox["invitation"])
    assert sms.state == MessageState.DELIVERED
    assert sms.delivered_at.replace(tzinfo=UTC) == datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)
    assert outbox["invitation"].delivered_at is not None


def test_repeated_report_changes_nothing(client, db, outbox):
    sms = outbox["sms"]
    post_signed(client, "/hooks/sms/delivery", dlr(sms.id, 1001))
    db.session.refresh(sms)
    first = (sms.state, sms.delivered_at, sms.updated_at)
    later = dlr(sms.id, 1001, timestamp="2026-11-24T00:00:00Z")
    assert post_signed(client, "/hooks/sms/delivery", later).status_code == 204
    late_failure = dlr(sms.id, 1006)  # after the delivery: ignored
    assert post_signed(client, "/hooks/sms/delivery", late_failure).status_code == 204
    db.session.refresh(sms)
    assert (sms.state, sms.delivered_at, sms.updated_at) == first


def test_permanent_failure_code(client, db, outbox):
    sms = outbox["sms"]
    post_signed(client, "/hooks/sms/delivery", dlr(sms.id, 2104))
    db.session.refresh(sms)
    assert (sms.state, sms.failure_reason) == (MessageState.FAILED, "dlr_2104")


def test_unknown_message_is_resolved_by_a_report(client, db, outbox):
    sms = outbox["sms"]
    sms.state = MessageState.UNKNOWN
    db.session.commit()
    post_signed(client, "/hooks/sms/delivery", dlr(sms.id, 1005))
    db.session.refresh(sms)
    assert sms.state == MessageState.SENT
    assert sms.sent_at is not None
    post_signed(client, "/hooks/sms/delivery", dlr(sms.id, 1001))
    db.session.refresh(sms)
    assert sms.state == MessageState.DELIVERED


def test_accepted_report_leaves_a_sent_message_alone(client, db, outbox):
    sms = outbox["sms"]
    post_signed(client, "/hooks/sms/delivery", dlr(sms.id, 1000))
    db.session.refresh(sms)
    assert sms.state == MessageState.SENT


@pytest.mark.parametrize("ref_id", ["999999", "abc", ""])
def test_unknown_ref_id_is_204(client, outbox, ref_id):
    assert post_signed(client, "/hooks/sms/delivery", dlr(ref_id, 1001)).status_code == 204


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"refId": "1"}', b'{"refId": "1", "resultCode": "x"}'])
def test_bad_json_is_400(client, outbox, body):
    assert post_signed(client, "/hooks/sms/delivery", body).status_code == 400


def test_missing_or_bad_signature_is_403(client, db, outbox):
    body = dlr(outbox["sms"].id, 1001)
    assert client.post("/hooks/sms/delivery", data=body, content_type="application/json").status_code == 403
    assert post_signed(client, "/hooks/sms/delivery", body, secret="wrong").status_code == 403
    bad = client.post("/hooks/sms/delivery", data=body, headers={"X-Civic-Signature": "sha256=00"})
    assert bad.status_code == 403
    db.session.refresh(outbox["sms"])
    assert outbox["sms"].state == MessageState.SENT


def test_webhooks_need_no_csrf_token(app, client, outbox):
    app.config["WTF_CSRF_ENABLED"] = True
    assert post_signed(client, "/hooks/sms/delivery", dlr(outbox["sms"].id, 1001)).status_code == 204


def test_webhooks_accept_only_post(client):
    assert client.get("/hooks/sms/delivery").status_code == 405
    assert client.get("/hooks/email/bounce").status_code == 405


# --- e-mail bounces ----------------------------------------------------------------------------------------


def dsn(*, to: str, action: str = "failed", status: str = "5.1.1", returned_id: str = "") -> bytes:
    """A Postfix-style multipart/report DSN (RFC 3464) for a message to ADDRESS."""
    returned = f"X-Civic-Message: {returned_id}\n" if returned_id else ""
    return f"""Return-Path: <>
Delivered-To: {to}
From: MAILER-DAEMON@mx.civic.example (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"

--B0UND
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.civic.example. I'm sorry to have to inform you that your message
could not be delivered to one or more recipients.

<{ADDRESS}>: host mx.bjerke.example said: 550 5.1.1 User unknown

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.civic.example
X-Postfix-Queue-ID: 4Fabc123
Arrival-Date: Mon, 23 Nov 2026 10:00:00 +0100 (CET)

Final-Recipient: rfc822; {ADDRESS}
Original-Recipient: rfc822;{ADDRESS}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.bjerke.example
Diagnostic-Code: smtp; 550 5.1.1 <{ADDRESS}>: Recipient address rejected

--B0UND
Content-Type: text/rfc822-headers

From: Bydel Bjerke <noreply@civic.example>
To: {ADDRESS}
Subject: Si din mening: Parkering i Bjerke
{returned}
--B0UND--
""".replace("\n", "\r\n").encode()


def _verp(app, message_id):
    return deliveries.envelope_from(message_id, app.config)


def test_failed_dsn_to_the_verp_address_bounces_the_message(app, client, db, outbox):
    email = outbox["email"]
    response = post_signed(client, "/hooks/email/bounce", dsn(to=_verp(app, email.id)), "message/rfc822")
    assert response.status_code == 204
    db.session.refresh(email)
    db.session.refresh(outbox["invitation"])
    assert (email.state, email.failure_reason) == (MessageState.BOUNCED, "bounce_5.1.1")
    assert outbox["invitation"].bounced_at is not None
    assert ADDRESS not in json.dumps([email.failure_reason, email.provider_ref])
    # idempotent
    bounced_at = outbox["invitation"].bounced_at
    post_signed(client, "/hooks/email/bounce", dsn(to=_verp(app, email.id)), "message/rfc822")
    db.session.refresh(outbox["invitation"])
    assert outbox["invitation"].bounced_at == bounced_at


def test_bounce_matched_by_the_returned_header(app, client, db, outbox):
    email = outbox["email"]
    [value] = deliveries.bounce_headers(email.id, app.config).values()
    body = dsn(to="postmaster@bounces.civic.example", returned_id=value, status="5.2.2")
    post_signed(client, "/hooks/email/bounce", body, "message/rfc822")
    db.session.refresh(email)
    assert (email.state, email.failure_reason) == (MessageState.BOUNCED, "bounce_5.2.2")


def test_delayed_dsn_changes_nothing(app, client, db, outbox):
    email = outbox["email"]
    post_signed(client, "/hooks/email/bounce", dsn(to=_verp(app, email.id), action="delayed", status="4.4.1"))
    db.session.refresh(email)
    assert email.state == MessageState.SENT
    db.session.refresh(outbox["invitation"])
    assert outbox["invitation"].bounced_at is None


def test_plain_bounce_without_dsn_uses_the_verp_id(app, db, outbox):
    email = outbox["email"]
    raw = f"To: {_verp(app, email.id)}\r\nSubject: failure notice\r\n\r\nSorry, {ADDRESS} does not exist.\r\n".encode()
    bounce = deliveries.parse_bounce(raw, bounce_address=app.config["BOUNCE_ADDRESS"], secret=app.config["SECRET_KEY"])
    assert bounce == deliveries.Bounce(message_id=email.id, action="failed", status="")
    assert deliveries.apply_bounce(db.session, bounce) == "bounced"
    assert email.failure_reason == "bounce"


def test_forged_or_foreign_bounces_are_ignored(app, client, db, outbox):
    email = outbox["email"]
    forged = "bounce+" + "ab" * 16 + "@bounces.civic.example"
    assert post_signed(client, "/hooks/email/bounce", dsn(to=forged), "message/rfc822").status_code == 204
    assert post_signed(client, "/hooks/email/bounce", b"garbage", "message/rfc822").status_code == 204
    # An SMS message id in a VERP address is not bounced as e-mail.
    post_signed(client, "/hooks/email/bounce", dsn(to=_verp(app, outbox["sms"].id)), "message/rfc822")
    db.session.refresh(email)
    db.session.refresh(outbox["sms"])
    assert email.state == MessageState.SENT
    assert outbox["sms"].state == MessageState.SENT


def test_bounce_needs_a_signature(app, client, db, outbox):
    body = dsn(to=_verp(app, outbox["email"].id))
    assert client.post("/hooks/email/bounce", data=body).status_code == 403
    db.session.refresh(outbox["email"])
    assert outbox["email"].state == MessageState.SENT


def test_no_address_is_stored_anywhere(app, client, db, outbox):
    post_signed(client, "/hooks/email/bounce", dsn(to=_verp(app, outbox["email"].id)), "message/rfc822")
    messages = db.session.scalars(select(OutboundMessage)).all()
    invitations = db.session.scalars(select(Invitation)).all()
    rows = [(m.state, m.failure_reason, m.provider_ref) for m in messages]
    rows += [(i.person_ref, i.age_band, i.district, i.household_type) for i in invitations]
    assert ADDRESS not in repr(rows)
