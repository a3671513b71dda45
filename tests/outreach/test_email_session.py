"""Batch e-mail sessions: one SMTP connection per batch, error mapping, the outbox, one-click headers."""

from __future__ import annotations

import smtplib
import socket
import traceback
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from civic.outreach.email import (
    EmailPermanentError,
    EmailTransientError,
    OutboxSession,
    SmtpSession,
    build_message,
    email_session_from_config,
    list_outbox,
)
from tests.outreach.helpers import read_outbox

#: Captured at import, before the autouse ``no_smtp`` fixture swaps smtplib.SMTP for a failure.
REAL_SMTP = smtplib.SMTP
BOUNCE = "bounce+0123456789abcdef0123456789abcdef@civic.example"


def _message(to: str = "kari@bjerke.example", **kwargs):
    return build_message(
        to=to,
        subject="Si din mening",
        text="Hei",
        html="<p>Hei</p>",
        mail_from="Bjerke <noreply@civic.example>",
        **kwargs,
    )


class Scripted:
    """aiosmtpd handler: RCPT answers come from ``rcpt_replies`` (then 250); counts connections."""

    def __init__(self) -> None:
        self.envelopes = []
        self.sessions: set[int] = set()
        self.rcpt_replies: list[str] = []
        self.drop_in_data = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.sessions.add(id(session))
        self.envelopes.append(envelope)
        if self.drop_in_data:  # took the message, then the line went dead before the answer
            self.drop_in_data = False
            server.transport.close()
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self) -> None:
        self.handler = Scripted()
        self.port = _free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self, **extra) -> dict:
        return {"EMAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, **extra}


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)  # this test talks only to its own server on 127.0.0.1
    running = Server()
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_one_connection_for_a_batch_with_the_verp_sender(server):
    with email_session_from_config(server.config()) as session:
        assert isinstance(session, SmtpSession)
        for n in range(3):
            session.send(_message(to=f"r{n}@bjerke.example"), BOUNCE)
    envelopes = server.handler.envelopes
    assert [e.rcpt_tos for e in envelopes] == [["r0@bjerke.example"], ["r1@bjerke.example"], ["r2@bjerke.example"]]
    assert {e.mail_from for e in envelopes} == {BOUNCE}
    assert len(server.handler.sessions) == 1


def test_451_is_transient_and_the_next_try_goes_through(server):
    server.handler.rcpt_replies = ["451 4.3.0 Try again later"]
    with email_session_from_config(server.config()) as session:
        with pytest.raises(EmailTransientError) as caught:
            session.send(_message(), BOUNCE)
        assert caught.value.reason == "smtp_451"
        session.send(_message(), BOUNCE)  # the retry, on the same connection
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["kari@bjerke.example"]]
    assert len(server.handler.sessions) == 1


def test_550_is_permanent_and_names_no_address(server):
    server.handler.rcpt_replies = ["550 5.1.1 <kari@bjerke.example>: Recipient address rejected"]
    with email_session_from_config(server.config()) as session:
        with pytest.raises(EmailPermanentError) as caught:
            session.send(_message(), BOUNCE)
        session.send(_message(to="ola@bjerke.example"), BOUNCE)  # the session is still usable
    error = caught.value
    assert error.reason == "smtp_550"
    assert "kari" not in str(error)
    assert "kari" not in repr(error)
    logged = "".join(traceback.format_exception(error))  # what a log line with exc_info would show
    assert "kari" not in logged
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["ola@bjerke.example"]]


def test_reconnects_once_when_the_server_dropped_the_connection(server):
    with email_session_from_config(server.config()) as session:
        session.send(_message(to="a@bjerke.example"), BOUNCE)
        server.stop()  # drops every open connection
        server.start()
        session.send(_message(to="b@bjerke.example"), BOUNCE)
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["a@bjerke.example"], ["b@bjerke.example"]]
    assert len(server.handler.sessions) == 2


def test_connection_lost_during_data_is_not_resent(server):
    server.handler.drop_in_data = True
    with email_session_from_config(server.config()) as session:
        with pytest.raises(EmailTransientError) as caught:
            session.send(_message(to="a@bjerke.example"), BOUNCE)
        assert caught.value.reason == "connection_lost"  # the server may have it: the caller decides
        session.send(_message(to="b@bjerke.example"), BOUNCE)  # the session reconnects for the next one
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["a@bjerke.example"], ["b@bjerke.example"]]


def test_server_down_is_transient(server):
    server.stop()
    with email_session_from_config(server.config()) as session, pytest.raises(EmailTransientError) as caught:
        session.send(_message(), BOUNCE)
    assert caught.value.reason == "connect_error"


def test_smtp_stays_blocked_by_default(monkeypatch):
    # Without the fixture's real class, the autouse guard refuses to open a connection.
    config = {"EMAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1}
    with (
        email_session_from_config(config) as session,
        pytest.raises(pytest.fail.Exception, match="tried to send real e-mail"),
    ):
        session.send(_message(), BOUNCE)


def test_outbox_session_writes_the_message_with_its_envelope_sender(tmp_path):
    config = {"EMAIL_TRANSPORT": "outbox", "OUTBOX_FOLDER": str(tmp_path / "outbox")}
    with email_session_from_config(config) as session:
        assert isinstance(session, OutboxSession)
        session.send(_message(message_id="<m1@civic.example>"), BOUNCE, organisation_id=3)
        session.send(_message(message_id="<m1@civic.example>"), BOUNCE, organisation_id=3)  # a retry
    [message] = read_outbox(tmp_path / "outbox")
    assert message["Return-Path"] == f"<{BOUNCE}>"
    assert [m.subject for m in list_outbox(tmp_path / "outbox", 3)] == ["Si din mening"]


def test_one_click_unsubscribe_headers():
    url = "https://civic.example.no/stop/abc"
    message = _message(list_unsubscribe=url, headers={"X-Civic-Message": "0123"})
    parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes(policy=policy.SMTP))
    assert parsed["List-Unsubscribe"] == f"<{url}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["X-Civic-Message"] == "0123"
    with pytest.raises(ValueError, match="http"):
        _message(list_unsubscribe="mailto:stop@civic.example")
