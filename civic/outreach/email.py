"""Build e-mail messages and deliver them: to a local outbox folder (the demo) or through SMTP."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Any, Protocol

#: Outbox only: which organisation a message belongs to, so admins see only their own.
ORGANISATION_HEADER = "X-Civic-Organisation"
#: Outbox file names: UTC timestamp + random part; also the id in the viewer's URL.
OUTBOX_NAME = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{16}$")
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")


def build_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    mail_from: str,
    message_id: str | None = None,
    list_unsubscribe: str = "",
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Return a multipart/alternative message (plain text first, HTML optional).

    ``list_unsubscribe`` (an https URL) adds RFC 8058 one-click headers; ``headers`` adds more (e.g. the
    opaque id bounces echo back).
    """
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain=mail_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"  # tells autoresponders not to answer
    for name, value in (headers or {}).items():
        message[name] = value
    if list_unsubscribe:
        add_list_unsubscribe(message, list_unsubscribe)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def add_list_unsubscribe(message: EmailMessage, url: str) -> None:
    """Add ``List-Unsubscribe`` with an https URL and RFC 8058's one-click ``List-Unsubscribe-Post``."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("List-Unsubscribe needs an http(s) URL")
    del message["List-Unsubscribe"]
    del message["List-Unsubscribe-Post"]
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


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


# --- batch sessions for campaigns --------------------------------------------------------------------------


class EmailTransientError(Exception):
    """Not accepted now, worth retrying (4xx, a dropped or refused connection). ``reason`` is a short code.

    The text never holds an address: smtplib's own exceptions do, so they are not chained.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailPermanentError(Exception):
    """Refused for good (5xx, e.g. an unknown recipient). ``reason`` is a short code such as "smtp_550"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailSession(Protocol):
    def send(self, message: EmailMessage, envelope_from: str, *, organisation_id: int | None = None) -> None: ...


@dataclass
class OutboxSession:
    """The outbox behind the session interface; the envelope sender is kept as Return-Path."""

    transport: OutboxTransport

    def send(self, message: EmailMessage, envelope_from: str, *, organisation_id: int | None = None) -> None:
        del message["Return-Path"]
        message["Return-Path"] = f"<{envelope_from}>"
        self.transport.send(message, organisation_id=organisation_id)


class SmtpSession:
    """One SMTP connection for a batch of messages, opened on first use and reopened once if dropped."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        t = self.transport
        try:
            smtp = smtplib.SMTP(t.host, t.port, timeout=t.timeout)  # looked up at call time (tests patch it)
            if t.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if t.username:
                smtp.login(t.username, t.password)
        except smtplib.SMTPAuthenticationError:
            raise EmailTransientError("smtp_auth") from None
        except smtplib.SMTPResponseException as exc:
            raise _classified(exc.smtp_code, "connect") from None
        except (smtplib.SMTPException, OSError):
            raise EmailTransientError("connect_error") from None
        return smtp

    def send(self, message: EmailMessage, envelope_from: str, *, organisation_id: int | None = None) -> None:
        """Send one message on the batch's connection.

        A connection the server dropped while idle shows up at the first command (EHLO or MAIL FROM), before
        anything of the message went out: then the session reconnects once and carries on. A connection lost
        during DATA is different: the server may have taken the message, so it is reported as
        ``EmailTransientError("connection_lost")`` and never resent here (the caller's policy decides).

        Reason codes: "connect_error" and "disconnected" (nothing sent, retry), "connection_lost" (ambiguous),
        "smtp_<4xx>" (retry), "smtp_<5xx>" (permanent), "smtp_auth", "no_recipient", "address_not_ascii".
        """
        recipients = [address for _name, address in getaddresses(message.get_all("To", []))]
        if not recipients:
            raise EmailPermanentError("no_recipient")
        data = self._flatten(message, envelope_from, recipients)
        try:
            self._transmit(data, envelope_from, recipients)
        except _NothingSentError:
            self.close()  # a stale connection: nothing of this message was sent
            try:
                self._transmit(data, envelope_from, recipients)
            except _NothingSentError:
                self.close()
                raise EmailTransientError("disconnected") from None

    @staticmethod
    def _flatten(message: EmailMessage, envelope_from: str, recipients: list[str]) -> bytes:
        del message["Bcc"]
        if all(value.isascii() for value in (envelope_from, *recipients)):
            return message.as_bytes(policy=policy.SMTP)
        return message.as_bytes(policy=policy.SMTPUTF8)

    def _transmit(self, data: bytes, envelope_from: str, recipients: list[str]) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            smtp = self._smtp
            smtp.ehlo_or_helo_if_needed()
            mail_options: list[str] = []
            rcpt_options: list[str] = []
            if smtp.has_extn("dsn"):
                mail_options = ["RET=HDRS"]
                rcpt_options = ["NOTIFY=FAILURE,DELAY"]
            if not all(value.isascii() for value in (envelope_from, *recipients)):
                if not smtp.has_extn("smtputf8"):
                    raise EmailPermanentError("address_not_ascii")
                mail_options.append("SMTPUTF8")
            code, _reply = smtp.mail(envelope_from, mail_options)
        except smtplib.SMTPServerDisconnected:
            raise _NothingSentError from None
        except smtplib.SMTPResponseException as exc:  # e.g. EHLO refused
            self.close()
            raise _classified(exc.smtp_code, "smtp") from None
        except (TimeoutError, OSError):  # smtplib's exceptions are OSErrors too: keep this clause last
            raise _NothingSentError from None
        if code != 250:
            self._reset()
            raise _classified(code, "smtp")
        try:
            for recipient in recipients:
                code, _reply = smtp.rcpt(recipient, rcpt_options)
                if code not in (250, 251):
                    self._reset()
                    raise _classified(code, "rcpt")
        except (TimeoutError, OSError):
            raise _NothingSentError from None  # lost before DATA: the message was not taken
        try:
            code, _reply = smtp.data(data)
        except smtplib.SMTPResponseException as exc:  # the DATA command itself refused (no 354)
            self._reset()
            raise _classified(exc.smtp_code, "smtp") from None
        except (TimeoutError, OSError):  # includes SMTPServerDisconnected: the server may have the message
            self.close()
            raise EmailTransientError("connection_lost") from None
        if code != 250:
            if code == 421:
                self.close()
            else:
                self._reset()
            raise _classified(code, "smtp")

    def _reset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                with suppress(OSError):
                    self._smtp.close()
            self._smtp = None


class _NothingSentError(Exception):
    """The connection was gone before the message's first command: safe to reconnect and send."""


def _classified(code: int, stage: str) -> Exception:
    reason = f"smtp_{code}" if stage != "connect" else f"smtp_connect_{code}"
    if 400 <= code < 500 or code in (-1, 0):
        return EmailTransientError(reason)
    return EmailPermanentError(reason)


@contextmanager
def email_session_from_config(config: Mapping[str, Any]) -> Iterator[EmailSession]:
    """Yield a session for a batch: one SMTP connection (closed at the end), or the outbox."""
    transport = transport_from_config(config)
    if isinstance(transport, OutboxTransport):
        yield OutboxSession(transport)
        return
    assert isinstance(transport, SmtpTransport)
    session = SmtpSession(transport)
    try:
        yield session
    finally:
        session.close()
