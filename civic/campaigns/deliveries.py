"""What happens after a message left: SMS delivery reports, e-mail bounces, and "stop reminders".

Every function here is idempotent: a provider that repeats a report, or a resident who clicks twice, changes
nothing the second time. None of them stores an address or a phone number: an SMS report is matched by its
``refId`` (= ``str(OutboundMessage.id)``), a bounce by the opaque VERP id of the envelope sender (or the same id
echoed in the returned ``X-Civic-Message`` header); a DSN's ``Final-Recipient`` is never read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation
from civic.campaigns.models import MessageState, OutboundMessage
from civic.consultations.models import Consultation
from civic.core.timeutils import now_utc
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation

#: Header with the opaque per-message id, so a bounce that returns the original headers can be matched.
BOUNCE_HEADER = "X-Civic-Message"
SIGNATURE_HEADER = "X-Civic-Signature"
BOUNCE_ID = re.compile(r"^[0-9a-f]{32}$")

# LINK result codes in delivery reports.
DLR_DELIVERED = 1001
DLR_ACCEPTED = frozenset({1000, 1005})


def _is_permanent_failure(code: int) -> bool:
    """1002 expired … 1013, permanent routing (2), and the 2xxx–4xxx destination/charging/content errors."""
    return code == 2 or 1002 <= code <= 1999 or 2000 <= code <= 4999


# --- webhook signatures ------------------------------------------------------------------------------------


def sign(body: bytes, secret: str) -> str:
    """Return the ``X-Civic-Signature`` value for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    """Check a signature header in constant time; a missing secret or header never passes."""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(body, secret).encode("ascii"), header.strip().encode("ascii", "replace"))


# --- VERP ids ----------------------------------------------------------------------------------------------


def _cipher(secret: str) -> Cipher:
    key = hashlib.sha256(f"civic-verp\x00{secret}".encode()).digest()[:16]
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305 - one block: a keyed permutation of the id


def bounce_id(message_id: int, secret: str) -> str:
    """Return the opaque id of a message for its envelope sender: 32 hex digits, unguessable without ``secret``.

    One AES block holding the id and eight zero bytes: the id cannot be read or forged, and the zero bytes
    let :func:`message_id_from_bounce_id` reject made-up values.
    """
    block = int(message_id).to_bytes(8, "big") + bytes(8)
    encryptor = _cipher(secret).encryptor()
    return (encryptor.update(block) + encryptor.finalize()).hex()


def message_id_from_bounce_id(value: str, secret: str) -> int | None:
    """Return the message id behind a bounce id, or None for anything :func:`bounce_id` did not make."""
    value = value.strip().lower()
    if not BOUNCE_ID.match(value):
        return None
    decryptor = _cipher(secret).decryptor()
    block = decryptor.update(bytes.fromhex(value)) + decryptor.finalize()
    if block[8:] != bytes(8):
        return None
    return int.from_bytes(block[:8], "big")


def envelope_from(message_id: int, config: Mapping[str, Any]) -> str:
    """Return the VERP envelope sender for a message (``BOUNCE_ADDRESS`` with ``{id}`` filled)."""
    return str(config["BOUNCE_ADDRESS"]).replace("{id}", bounce_id(message_id, config["SECRET_KEY"]))


def bounce_headers(message_id: int, config: Mapping[str, Any]) -> dict[str, str]:
    """Headers to add to a campaign e-mail so a bounce that returns them can be matched."""
    return {BOUNCE_HEADER: bounce_id(message_id, config["SECRET_KEY"])}


def _verp_pattern(bounce_address: str) -> re.Pattern[str]:
    prefix, _sep, suffix = bounce_address.partition("{id}")
    return re.compile(re.escape(prefix) + r"(?P<id>[0-9a-fA-F]{32})" + re.escape(suffix), re.IGNORECASE)


# --- SMS delivery reports ----------------------------------------------------------------------------------


class BadReport(ValueError):  # noqa: N818 - reads better at the call site
    """A delivery report that is not the expected JSON object."""


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def apply_delivery_report(session: Session, report: Any) -> str:
    """Apply one LINK-style delivery report; return what happened ("delivered", "sent", "failed", "ignored").

    ``report`` is the decoded JSON: ``{refId, id, operator, sendTimestamp, timestamp, resultCode, …}``.
    Raises :class:`BadReport` when it is not an object with a ``refId`` and an integer ``resultCode``.
    """
    if not isinstance(report, dict):
        raise BadReport("not an object")
    ref_id = report.get("refId")
    try:
        code = int(report.get("resultCode"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadReport("resultCode missing") from None
    if not isinstance(ref_id, str | int) or not str(ref_id).isdigit():
        return "ignored"  # not one of ours; answered like any other so nothing leaks
    message = session.get(OutboundMessage, int(ref_id))
    if message is None:
        return "ignored"
    when = _parse_time(report.get("timestamp")) or now_utc()
    state = message.state
    if code == DLR_DELIVERED:
        if state not in (MessageState.SENDING, MessageState.SENT, MessageState.UNKNOWN):
            return "ignored"
        message.state = MessageState.DELIVERED
        message.failure_reason = ""
        message.sent_at = message.sent_at or when
        message.delivered_at = message.delivered_at or when
        invitation = session.get(Invitation, message.invitation_id)
        if invitation is not None:
            invitation.sent_at = invitation.sent_at or message.sent_at
            invitation.delivered_at = invitation.delivered_at or when
        return "delivered"
    if code in DLR_ACCEPTED:
        if state != MessageState.UNKNOWN:
            return "ignored"
        message.state = MessageState.SENT
        message.failure_reason = ""
        message.sent_at = message.sent_at or when
        invitation = session.get(Invitation, message.invitation_id)
        if invitation is not None:
            invitation.sent_at = invitation.sent_at or when
        return "sent"
    if _is_permanent_failure(code):
        if state not in (MessageState.SENDING, MessageState.SENT, MessageState.UNKNOWN):
            return "ignored"
        message.state = MessageState.FAILED
        message.failure_reason = f"dlr_{code}"
        return "failed"
    return "ignored"  # temporary codes: a final report follows


# --- e-mail bounces ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounce:
    message_id: int
    action: str  # "failed", "delayed", … (RFC 3464), "failed" for a bounce that is not a DSN
    status: str  # "5.1.1", or "" when unknown


STATUS = re.compile(r"^\d\.\d{1,3}\.\d{1,3}$")
RECIPIENT_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To")


def _delivery_status(report: Message) -> tuple[str, str]:
    """Return (action, status) of the first recipient block of a message/delivery-status part."""
    blocks = report.get_payload()
    if not isinstance(blocks, list):
        return "", ""
    action = status = ""
    for block in blocks[1:] or blocks:  # the first block holds per-message fields
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip().split(" ")[0]
        if action:
            break
    return action, status if STATUS.match(status) else ""


def _returned_headers(message: Message) -> Message | None:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
        if content_type == "text/rfc822-headers":
            return HeaderParser(policy=policy.default).parsestr(part.get_content())
    return None


def parse_bounce(raw: bytes, *, bounce_address: str, secret: str) -> Bounce | None:
    """Find which of our messages a bounce is about, and what happened; None if it is not about one."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]
    pattern = _verp_pattern(bounce_address)
    found: int | None = None
    for name in RECIPIENT_HEADERS:
        for value in message.get_all(name, []) or []:
            match = pattern.search(str(value))
            if match and found is None:
                found = message_id_from_bounce_id(match.group("id"), secret)
    returned = _returned_headers(message)
    if found is None and returned is not None and returned.get(BOUNCE_HEADER):
        found = message_id_from_bounce_id(str(returned[BOUNCE_HEADER]), secret)
    if found is None:
        return None
    action, status = "failed", ""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            action, status = _delivery_status(part)
            break
    return Bounce(message_id=found, action=action or "failed", status=status)


def apply_bounce(session: Session, bounce: Bounce) -> str:
    """Mark the message bounced (and the invitation) for a permanent failure; "ignored" otherwise."""
    if bounce.action != "failed":
        return "ignored"  # delayed, relayed, delivered, expanded: nothing to do
    message = session.get(OutboundMessage, bounce.message_id)
    if message is None or message.channel != "email":
        return "ignored"
    if message.state not in (MessageState.SENDING, MessageState.SENT, MessageState.DELIVERED, MessageState.UNKNOWN):
        return "ignored"
    message.state = MessageState.BOUNCED
    message.failure_reason = f"bounce_{bounce.status}" if bounce.status else "bounce"
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is not None and invitation.bounced_at is None:
        invitation.bounced_at = now_utc()
    return "bounced"


# --- stop reminders ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StopTarget:
    invitation: Invitation
    consultation: Consultation
    organisation: Organisation


def find_stop_target(session: Session, token: str) -> StopTarget | None:
    """Return the invitation of a personal token with its consultation and organisation, or None."""
    if not token or len(token) > 200:
        return None
    invitation = find_invitation(session, token)
    if invitation is None:
        return None
    consultation = session.get(Consultation, invitation.consultation_id)
    if consultation is None:
        return None
    return StopTarget(invitation, consultation, consultation.organisation)


def stop_reminders(session: Session, invitation: Invitation) -> bool:
    """Stop reminders for this invitation; return False when they were already stopped."""
    if invitation.reminders_stopped_at is not None:
        return False
    invitation.reminders_stopped_at = now_utc()
    return True
