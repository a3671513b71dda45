"""SMS transports: a local outbox folder (the demo) and LINK Mobility's "Common Platform" REST API.

Errors are split by what a caller may do next:

- :class:`SmsTransientError`: the message was certainly not accepted (429, 5xx, no connection); retry later.
- :class:`SmsPermanentError`: the gateway refused it (4xx, permanent result code); do not retry.
- :class:`SmsAmbiguousError`: the request was sent but the answer was lost; the message may or may not go
  out. Do not resend blindly; a delivery report with the same ``refId`` resolves it.

No exception text holds the phone number or the message text, so they never reach a log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import requests

#: LINK result codes that mean "accepted": 1000 sent to operator, 1005 queued (1001 delivered, in DLRs).
LINK_ACCEPTED = frozenset({1000, 1005})
LINK_DELIVERED = 1001
#: Files the outbox writes: the ref id, made safe for a file name.
SAFE_REF = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class SmsMessage:
    ref_id: str  # our correlation id (str(OutboundMessage.id)); echoed in delivery reports
    to: str  # E.164, e.g. +4791234567
    text: str
    sender: str  # alphanumeric sender id, at most 11 characters
    #: Outbox only: which organisation's viewer may show it (real gateways never see it).
    organisation_id: int | None = None


class SmsTransientError(Exception):
    """Not accepted, safe to retry; ``retry_after`` seconds when the gateway said so."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class SmsPermanentError(Exception):
    """Refused for good; ``reason`` is a short code such as "http_400" or "link_2104"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmsAmbiguousError(Exception):
    """The request went out but its answer did not come back: the outcome is unknown."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmsTransport(Protocol):
    def send(self, message: SmsMessage) -> str: ...


def _file_name(ref_id: str) -> str:
    safe = SAFE_REF.sub("_", ref_id)[:100] or "message"
    return f"{safe}.json"


@dataclass(frozen=True)
class OutboxSmsTransport:
    """Write one JSON file per message, named by ref id, so a retried send rewrites the same file."""

    folder: Path

    def send(self, message: SmsMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / _file_name(message.ref_id)
        payload = {
            "ref_id": message.ref_id,
            "to": message.to,
            "sender": message.sender,
            "text": message.text,
            "organisation_id": message.organisation_id,
            "written_at": datetime.now(UTC).isoformat(),
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        temporary.replace(path)  # atomic: a viewer never reads half a file
        return f"outbox-{path.stem}"


@dataclass(frozen=True)
class OutboxSms:
    """One message read back from the SMS outbox for a viewer."""

    ref_id: str
    to: str
    sender: str
    text: str
    written_at: datetime | None


def list_sms_outbox(folder: str | Path, organisation_id: int) -> list[OutboxSms]:
    """Return the organisation's messages in the SMS outbox, newest first (unreadable files are skipped)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    found = []
    for path in root.glob("*.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("organisation_id") != organisation_id:
                continue
            written = datetime.fromisoformat(data["written_at"]) if data.get("written_at") else None
            found.append(
                OutboxSms(
                    ref_id=str(data["ref_id"]),
                    to=str(data["to"]),
                    sender=str(data.get("sender", "")),
                    text=str(data["text"]),
                    written_at=written,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    found.sort(key=lambda m: m.written_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return found


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; the caller's backoff applies


@dataclass(frozen=True)
class LinkMobilityTransport:
    """LINK Mobility ``POST /sms/send`` with HTTP Basic auth and delivery reports to one gate."""

    base_url: str
    username: str
    password: str
    platform_id: str
    platform_partner_id: str
    gate_id: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 15.0

    def payload(self, message: SmsMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "source": message.sender,
            "sourceTON": "ALPHANUMERIC",
            "destination": message.to,
            "userData": message.text,
            "platformId": self.platform_id,
            "platformPartnerId": self.platform_partner_id,
            "useDeliveryReport": bool(self.gate_id),
            "refId": message.ref_id,
        }
        if self.gate_id:
            body["deliveryReportGates"] = [self.gate_id]
        return body

    def send(self, message: SmsMessage, session: requests.Session | None = None) -> str:
        """Send one message; return LINK's messageId. Raises the three error kinds described above."""
        http = session or requests
        try:
            response = http.post(
                self.base_url.rstrip("/") + "/sms/send",
                json=self.payload(message),
                auth=(self.username, self.password),
                timeout=(self.connect_timeout, self.read_timeout),
                headers={"Accept": "application/json"},
            )
        except requests.ConnectTimeout:
            raise SmsTransientError("connect_timeout") from None
        except requests.ConnectionError as exc:
            # A refused or unreachable connection is certain not to have sent anything; a reset after the
            # request went out is not.
            if _before_sending(exc):
                raise SmsTransientError("connect_error") from None
            raise SmsAmbiguousError("connection_lost") from None
        except requests.Timeout:
            raise SmsAmbiguousError("read_timeout") from None
        return _interpret(response)


def _before_sending(exc: requests.ConnectionError) -> bool:
    """True when the connection failed before the request could be sent (refused, DNS, unreachable)."""
    text = repr(exc)
    markers = ("NewConnectionError", "Connection refused", "NameResolutionError", "Failed to resolve", "unreachable")
    return any(marker in text for marker in markers)


def _interpret(response: requests.Response) -> str:
    status = response.status_code
    if status == 429:
        raise SmsTransientError("http_429", retry_after=_retry_after(response.headers.get("Retry-After")))
    if status >= 500:
        raise SmsTransientError(f"http_{status}")
    code = _result_code(response)
    if status >= 400:
        raise SmsPermanentError(f"link_{code}" if code is not None else f"http_{status}")
    if code in LINK_ACCEPTED or code == LINK_DELIVERED:
        try:
            return str(response.json()["messageId"])
        except (ValueError, KeyError, TypeError):
            raise SmsAmbiguousError("no_message_id") from None
    if code is not None and 2000 <= code < 5000:
        raise SmsPermanentError(f"link_{code}")
    if code is not None and code in (1, 3, 4, 5, 6, 104, 105):
        raise SmsTransientError(f"link_{code}")
    # An answer we do not understand after the gateway had the request: the outcome is unknown.
    raise SmsAmbiguousError(f"link_{code}" if code is not None else "unreadable_answer")


def _result_code(response: requests.Response) -> int | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return int(data.get("resultCode"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def sms_transport_from_config(config: Mapping[str, Any]) -> SmsTransport:
    """Return the transport SMS_TRANSPORT names: "outbox" (default) or "link"."""
    kind = config.get("SMS_TRANSPORT", "outbox")
    if kind == "outbox":
        return OutboxSmsTransport(Path(config["SMS_OUTBOX_FOLDER"]))
    if kind == "link":
        if not config.get("SMS_LINK_URL"):
            raise ValueError("SMS_TRANSPORT is 'link' but SMS_LINK_URL is empty")
        return LinkMobilityTransport(
            base_url=config["SMS_LINK_URL"],
            username=config.get("SMS_LINK_USERNAME") or "",
            password=config.get("SMS_LINK_PASSWORD") or "",
            platform_id=str(config.get("SMS_LINK_PLATFORM_ID") or ""),
            platform_partner_id=str(config.get("SMS_LINK_PLATFORM_PARTNER_ID") or ""),
            gate_id=str(config.get("SMS_LINK_GATE_ID") or ""),
        )
    raise ValueError(f"unknown SMS_TRANSPORT {kind!r}; use 'outbox' or 'link'")
