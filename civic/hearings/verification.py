"""One-time codes that mark a participant a "verified resident".

A six-digit code goes to an e-mail address or a Norwegian mobile number. Only an HMAC of the code (keyed
with the app's SECRET_KEY and bound to the participant) is stored; the address is used to send and then
forgotten: it is not written to the database and never logged. A code lasts 10 minutes, works once, and
allows 5 tries; a participant may ask for 3 codes an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.core.errors import DomainError, GoneError, InvalidInputError
from civic.core.timeutils import now_utc
from civic.hearings.models import Participant, VerificationCode
from civic.outreach.email import EmailPermanentError, EmailTransientError, build_message, email_session_from_config
from civic.outreach.sms import (
    SmsAmbiguousError,
    SmsMessage,
    SmsPermanentError,
    SmsTransientError,
    sms_transport_from_config,
)

CODE_DIGITS = 6
CODE_MINUTES = 10
MAX_ATTEMPTS = 5
CODES_PER_HOUR = 3
EMAIL, SMS = "email", "sms"


class TooManyCodesError(DomainError):
    status_code = 429


class NotSentError(DomainError):
    status_code = 503


@dataclass(frozen=True)
class Address:
    """Where to send a code: kept in memory for the request only."""

    channel: str  # EMAIL or SMS
    value: str  # normalised e-mail address, or E.164 number


def parse_address(raw: str) -> Address:
    """Read an e-mail address or a Norwegian mobile number; InvalidInputError with a specific message."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInputError(_("Enter your e-mail address or Norwegian mobile number."))
    if "@" in text:
        try:
            checked = validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            raise InvalidInputError(
                _("This does not look like an e-mail address. Check it, e.g. name@example.no.")
            ) from None
        return Address(EMAIL, checked.normalized)
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInputError(
            _(
                "This is neither an e-mail address nor a valid phone number. "
                "A mobile number has 8 digits, e.g. 912 34 567."
            )
        )
    if phonenumbers.region_code_for_number(number) != "NO" or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidInputError(
            _("We can only send text messages to Norwegian mobile numbers. Use your e-mail address instead.")
        )
    return Address(SMS, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def hash_code(secret_key: str, participant_id: int, code: str) -> str:
    """HMAC-SHA256 of the code, bound to the participant, keyed with the app's secret (64 hex characters)."""
    message = f"hearing-verification:{participant_id}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def codes_in_last_hour(session: Session, participant: Participant, now: datetime) -> int:
    return session.scalar(
        select(func.count()).where(
            VerificationCode.participant_id == participant.id,
            VerificationCode.created_at > now - timedelta(hours=1),
        )
    )


def create_code(
    session: Session, participant: Participant, channel: str, secret_key: str, *, now: datetime | None = None
) -> tuple[VerificationCode, str]:
    """Make a code for ``participant``; return (the stored row, the plain code to send). Flushes.

    Earlier unused codes stop working, so only the newest code sent can be used.
    """
    now = now or now_utc()
    if codes_in_last_hour(session, participant, now) >= CODES_PER_HOUR:
        raise TooManyCodesError(
            _("You have asked for %(count)d codes in the last hour. Wait a while and try again.", count=CODES_PER_HOUR)
        )
    for earlier in _active_codes(session, participant, now):
        earlier.used_at = now  # superseded
    code = new_code()
    row = VerificationCode(
        participant_id=participant.id,
        code_hash=hash_code(secret_key, participant.id, code),
        channel=channel,
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    session.add(row)
    session.flush()
    return row, code


def _active_codes(session: Session, participant: Participant, now: datetime) -> list[VerificationCode]:
    return list(
        session.scalars(
            select(VerificationCode).where(
                VerificationCode.participant_id == participant.id,
                VerificationCode.used_at.is_(None),
                VerificationCode.expires_at > now,
            )
        )
    )


def latest_code(session: Session, participant: Participant | None) -> VerificationCode | None:
    if participant is None:
        return None
    return session.scalar(
        select(VerificationCode)
        .where(VerificationCode.participant_id == participant.id)
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id.desc())
        .limit(1)
    )


def confirm_code(
    session: Session, participant: Participant, typed: str, secret_key: str, *, now: datetime | None = None
) -> None:
    """Check a typed code; on success mark the participant verified and the code used. Never commits.

    Wrong code: InvalidInputError (422) and one attempt counted on the newest code; expired, already used,
    superseded or out of attempts: GoneError (410). The caller commits in both cases so attempts count.
    """
    now = now or now_utc()
    code = "".join((typed or "").split())
    if not code.isdigit() or len(code) != CODE_DIGITS:
        raise InvalidInputError(_("The code has %(digits)d digits. Check the message we sent you.", digits=CODE_DIGITS))
    latest = latest_code(session, participant)
    if latest is None:
        raise GoneError(_("We have not sent you a code yet. Ask for one first."))
    digest = hash_code(secret_key, participant.id, code)
    matched = session.scalar(
        select(VerificationCode)
        .where(VerificationCode.participant_id == participant.id, VerificationCode.code_hash == digest)
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )
    if matched is not None and not hmac.compare_digest(matched.code_hash, digest):
        matched = None
    if matched is not None and matched.used_at is not None:
        if matched.id == latest.id and participant.verified_at is not None:
            raise GoneError(_("This code has already been used. You are already confirmed as a resident."))
        raise GoneError(_("This code has already been used or a newer code replaced it. Ask for a new code."))
    target = matched or latest
    if target.expires_at <= now:
        raise GoneError(
            _("This code has expired (codes last %(minutes)d minutes). Ask for a new code.", minutes=CODE_MINUTES)
        )
    if target.used_at is not None:
        raise GoneError(_("This code has already been used or a newer code replaced it. Ask for a new code."))
    if target.attempts >= MAX_ATTEMPTS:
        raise GoneError(_("Too many wrong tries for this code. Ask for a new code."))
    target.attempts += 1
    if matched is None:
        left = MAX_ATTEMPTS - target.attempts
        if left <= 0:
            target.used_at = now  # spent
            raise GoneError(_("Too many wrong tries for this code. Ask for a new code."))
        raise InvalidInputError(
            _("That code is not right. Check the message and try again (%(left)d tries left).", left=left)
        )
    target.used_at = now
    if participant.verified_at is None:
        participant.verified_at = now


def send_code(
    address: Address, code: str, *, hearing_title: str, organisation_id: int, config: Mapping[str, Any], ref: str
) -> None:
    """Send the code with the configured transport (as campaigns.trial_send does); NotSentError if it fails.

    Neither the address nor the code appears in an exception or a log line.
    """
    text = _(
        "Your code for the hearing “%(title)s” is %(code)s. It is valid for %(minutes)d minutes. "
        "If you did not ask for it, ignore this message.",
        title=hearing_title,
        code=code,
        minutes=CODE_MINUTES,
    )
    try:
        if address.channel == EMAIL:
            message = build_message(
                to=address.value,
                subject=_("Your confirmation code: %(code)s", code=code),
                text=text,
                mail_from=config["MAIL_FROM"],
            )
            with email_session_from_config(config) as session:
                envelope = parseaddr(config["MAIL_FROM"])[1] or config["MAIL_FROM"]
                session.send(message, envelope, organisation_id=organisation_id)
        else:
            sms_transport_from_config(config).send(
                SmsMessage(
                    ref_id=ref,
                    to=address.value,
                    text=text,
                    sender=config["SMS_SENDER"],
                    organisation_id=organisation_id,
                )
            )
    except (EmailTransientError, EmailPermanentError, SmsTransientError, SmsPermanentError, SmsAmbiguousError):
        raise NotSentError(_("We could not send the code just now. Try again in a few minutes.")) from None


def client_key(secret_key: str, address: str) -> str:
    """Rate-limit key: a keyed hash of the client's IP address, so the limiter's store does not hold it."""
    return hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()
