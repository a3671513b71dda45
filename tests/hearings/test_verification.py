"""One-time codes: hashing, expiry, single use, attempts, rate limits, and the address is never stored."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from civic.core.errors import GoneError, InvalidInputError
from civic.core.timeutils import now_utc
from civic.extensions import limiter
from civic.hearings import verification
from civic.hearings.models import VerificationCode
from civic.hearings.views.common import cookie_name

ADDRESS = "kari.nordmann@example.no"
SECRET = "test-secret"


# --- the code logic ---------------------------------------------------------------------------------------


def test_codes_are_stored_as_keyed_hashes(db, create_hearing, create_participant):
    participant, _key = create_participant(create_hearing())
    row, code = verification.create_code(db.session, participant, "email", SECRET)
    assert re.fullmatch(r"\d{6}", code)
    assert code not in row.code_hash
    assert row.code_hash == verification.hash_code(SECRET, participant.id, code)
    assert row.code_hash != verification.hash_code("other-secret", participant.id, code)
    assert row.code_hash != verification.hash_code(SECRET, participant.id + 1, code)
    assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_correct_code_verifies_once(db, create_hearing, create_participant):
    participant, _key = create_participant(create_hearing())
    _row, code = verification.create_code(db.session, participant, "sms", SECRET)
    verification.confirm_code(db.session, participant, f" {code[:3]} {code[3:]} ", SECRET)
    assert participant.verified_at is not None
    with pytest.raises(GoneError, match="already been used"):
        verification.confirm_code(db.session, participant, code, SECRET)


def test_expired_code_is_refused(db, create_hearing, create_participant):
    participant, _key = create_participant(create_hearing())
    start = now_utc()
    _row, code = verification.create_code(db.session, participant, "email", SECRET, now=start)
    with pytest.raises(GoneError, match="expired"):
        verification.confirm_code(db.session, participant, code, SECRET, now=start + timedelta(minutes=10, seconds=1))
    verification.confirm_code(db.session, participant, code, SECRET, now=start + timedelta(minutes=9))
    assert participant.verified_at is not None


def test_wrong_codes_count_attempts_and_spend_the_code(db, create_hearing, create_participant):
    participant, _key = create_participant(create_hearing())
    row, code = verification.create_code(db.session, participant, "email", SECRET)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInputError, match=f"{left} tries left"):
            verification.confirm_code(db.session, participant, wrong, SECRET)
    with pytest.raises(GoneError, match="Too many"):
        verification.confirm_code(db.session, participant, wrong, SECRET)
    assert row.attempts == 5
    with pytest.raises(GoneError):
        verification.confirm_code(db.session, participant, code, SECRET)  # even the right one, now
    assert participant.verified_at is None


def test_a_new_code_replaces_the_old(db, create_hearing, create_participant):
    participant, _key = create_participant(create_hearing())
    _old, old_code = verification.create_code(db.session, participant, "email", SECRET)
    _new, new_code = verification.create_code(db.session, participant, "email", SECRET)
    if old_code != new_code:
        with pytest.raises(GoneError):
            verification.confirm_code(db.session, participant, old_code, SECRET)
    verification.confirm_code(db.session, participant, new_code, SECRET)


def test_at_most_three_codes_an_hour(db, create_hearing, create_participant):
    participant, _key = create_participant(create_hearing())
    start = now_utc()
    for minutes in (0, 1, 2):
        verification.create_code(db.session, participant, "email", SECRET, now=start + timedelta(minutes=minutes))
    with pytest.raises(verification.TooManyCodesError):
        verification.create_code(db.session, participant, "email", SECRET, now=start + timedelta(minutes=3))
    verification.create_code(db.session, participant, "email", SECRET, now=start + timedelta(minutes=61))


@pytest.mark.parametrize(
    ("raw", "channel", "value"),
    [
        ("Kari.Nordmann@Example.no", "email", "Kari.Nordmann@example.no"),
        ("912 34 567", "sms", "+4791234567"),
        ("+47 412 34 567", "sms", "+4741234567"),
    ],
)
def test_addresses(raw, channel, value):
    assert verification.parse_address(raw) == verification.Address(channel, value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter your e-mail"),
        ("kari@", "does not look like an e-mail"),
        ("1234", "neither an e-mail address nor a valid phone number"),
        ("22 33 44 55", "only send text messages to Norwegian mobile"),  # landline
        ("+46 70 123 45 67", "only send text messages to Norwegian mobile"),  # Swedish mobile
    ],
)
def test_bad_addresses(raw, message):
    with pytest.raises(InvalidInputError, match=message):
        verification.parse_address(raw)


# --- the pages --------------------------------------------------------------------------------------------


def _url(hearing) -> str:
    return f"/h/{hearing.consultation.public_id}/verify"


def _sent_code(app) -> str:
    mails = list(Path(app.config["OUTBOX_FOLDER"]).glob("*.eml"))
    assert len(mails) == 1
    return re.search(r"\b(\d{6})\b", mails[0].read_text())[1]


def test_email_flow_end_to_end(app, db, client, create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    response = client.post(_url(hearing), data={"action": "send", "address": ADDRESS})
    assert response.status_code == 303
    page = client.get(_url(hearing)).get_data(as_text=True)
    assert "We have sent a code to the e-mail address you gave" in page
    assert 'name="code"' in page
    code = _sent_code(app)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(_url(hearing), data={"action": "confirm", "code": wrong})
    assert response.status_code == 422
    assert "4 tries left" in response.get_data(as_text=True)
    assert client.post(_url(hearing), data={"action": "confirm", "code": code}).status_code == 303
    assert "You are confirmed as a resident" in client.get(_url(hearing)).get_data(as_text=True)
    replay = client.post(_url(hearing), data={"action": "confirm", "code": code})
    assert replay.status_code == 410
    assert "already been used" in replay.get_data(as_text=True)
    row = db.session.scalars(select(VerificationCode)).one()
    assert row.attempts == 2
    assert row.used_at is not None


def test_sms_flow(app, db, htmx_client, create_hearing):
    hearing = create_hearing()
    response = htmx_client.post(_url(hearing), data={"action": "send", "address": "912 34 567"})
    assert response.status_code == 200
    assert "by text message" in response.get_data(as_text=True)
    sms = json.loads(next(Path(app.config["SMS_OUTBOX_FOLDER"]).glob("*.json")).read_text())
    assert sms["to"] == "+4791234567"
    code = re.search(r"\b(\d{6})\b", sms["text"])[1]
    response = htmx_client.post(_url(hearing), data={"action": "confirm", "code": code})
    assert response.status_code == 200
    assert "You are confirmed as a resident" in response.get_data(as_text=True)


def test_bad_address_keeps_what_was_typed(db, client, create_hearing):
    hearing = create_hearing()
    response = client.post(_url(hearing), data={"action": "send", "address": "kari@@example"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="kari@@example"' in html
    assert 'aria-invalid="true"' in html


def test_confirm_without_a_code(db, client, create_hearing):
    assert client.post(_url(create_hearing()), data={"action": "confirm", "code": "123456"}).status_code == 410


def test_fourth_code_in_an_hour_is_refused(app, db, client, create_hearing):
    hearing = create_hearing()
    statuses = [client.post(_url(hearing), data={"action": "send", "address": ADDRESS}).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]


def test_the_address_is_not_stored(app, db, client, create_hearing):
    hearing = create_hearing()
    client.post(_url(hearing), data={"action": "send", "address": ADDRESS})
    client.post(_url(hearing), data={"action": "send", "address": "912 34 567"})
    needles = [ADDRESS.lower(), "kari.nordmann", "91234567", "912 34 567"]
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                text = " ".join(str(v) for v in row).lower()
                assert not any(n in text for n in needles), table.name


def test_forged_cookie_and_hearing_without_verification(db, client, create_hearing):
    hearing = create_hearing()
    client.set_cookie(cookie_name(hearing), "forged")
    assert client.post(_url(hearing), data={"action": "send", "address": ADDRESS}).status_code == 400
    hearing.verification_offered = False
    db.session.commit()
    assert client.get(_url(hearing)).status_code == 404


@pytest.fixture
def app_config(app_config, request):
    if "rate_limited" in request.fixturenames:
        return {**app_config, "RATELIMIT_ENABLED": True, "HEARING_VERIFY_RATE_LIMIT": "5 per hour"}
    return app_config


@pytest.fixture
def rate_limited(app):
    limiter.reset()


def test_posts_are_rate_limited_per_client(rate_limited, db, client, create_hearing):
    hearing = create_hearing()
    statuses = [client.post(_url(hearing), data={"action": "confirm", "code": "000000"}).status_code for _ in range(6)]
    assert statuses[-1] == 429
    assert statuses[:5] == [410] * 5
