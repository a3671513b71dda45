"""Build e-mail messages and deliver them: to a local outbox folder (the demo) or through SMTP."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

#: Outbox only: which organisation a message belongs to, so admins see only their own.
ORGANISATION_HEADER = "X-Civic-Organisation"
#: Outbox file names: UTC timestamp + random part; also the id in the viewer's URL.
OUTBOX_NAME = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{16}$")
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")


def build_message(
    *, to: str, subject: str, text: str, html: str = "", mail_from: str, message_id: str | None = None
) -> EmailMessage:
    """Return a multipart/alternative message (plain text first, HTML optional)."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain=mail_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"  # tells autoresponders not to answer
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def mail_domain(address: str) -> str:
    """Return the domain part of an address (for Message-IDs)."""
    match = re.search(r"@([A-Za-z0-9.-]+)", address)
    return match.group(1) if match else "civic.localhost"


class Transport(Protocol):
    def send(self, message: EmailMessage, *, organisation_id: int | None = None) -> None: ...


@dataclass(frozen=True)
class OutboxTransport:
    """Write each message as an .eml file; nothing leaves the machine."""

    folder: Path

    def send(self, message: EmailMessage, *, organisation_id: int | None = None) -> None:
        if organisation_id is not None:
            message[ORGANISATION_HEADER] = str(organisation_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        # The random part comes from the Message-ID, so a retried task rewrites the same file.
        digest = _stable_hex(str(message["Message-ID"]))
        path = self.folder / f"{now:%Y%m%dT%H%M%S%f}-{digest}.eml"
        existing = list(self.folder.glob(f"*-{digest}.eml"))
        (existing[0] if existing else path).write_bytes(message.as_bytes(policy=policy.SMTP))


def _stable_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SmtpTransport:
    """Send through an SMTP server, with STARTTLS and login when configured."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 30.0

    def send(self, message: EmailMessage, *, organisation_id: int | None = None) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def transport_from_config(config: Mapping[str, Any]) -> Transport:
    """Return the transport EMAIL_TRANSPORT names."""
    kind = config.get("EMAIL_TRANSPORT", "outbox")
    if kind == "outbox":
        return OutboxTransport(Path(config["OUTBOX_FOLDER"]))
    if kind == "smtp":
        return SmtpTransport(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            username=config.get("SMTP_USERNAME") or "",
            password=config.get("SMTP_PASSWORD") or "",
            starttls=bool(config.get("SMTP_STARTTLS")),
        )
    raise ValueError(f"unknown EMAIL_TRANSPORT {kind!r}; use 'outbox' or 'smtp'")


@dataclass(frozen=True)
class OutboxMessage:
    """One message read back from the outbox for the viewer."""

    key: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str
    links: list[str]


def _read(path: Path) -> tuple[EmailMessage, str | None]:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    return message, message.get(ORGANISATION_HEADER)  # type: ignore[return-value]


def _summary(key: str, message: EmailMessage, *, with_body: bool) -> OutboxMessage:
    date = message["Date"].datetime if message["Date"] else None
    text = html = ""
    if with_body:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        text = text_part.get_content() if text_part else ""
        html = html_part.get_content() if html_part else ""
    return OutboxMessage(
        key=key,
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        date=date,
        text=text,
        html=html,
        links=URL_IN_TEXT.findall(text),
    )


def list_outbox(folder: str | Path, organisation_id: int) -> list[OutboxMessage]:
    """Return the organisation's messages in the outbox, newest first."""
    root = Path(folder)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("*.eml"), reverse=True):
        message, owner = _read(path)
        if owner == str(organisation_id):
            found.append(_summary(path.stem, message, with_body=False))
    return found


def read_outbox_message(folder: str | Path, key: str, organisation_id: int) -> OutboxMessage | None:
    """Return one of the organisation's messages, or None (bad key, missing, or another's)."""
    if not OUTBOX_NAME.match(key):
        return None  # also keeps "../" and friends out of the path
    path = Path(folder) / f"{key}.eml"
    if not path.is_file():
        return None
    message, owner = _read(path)
    if owner != str(organisation_id):
        return None
    return _summary(key, message, with_body=True)
