"""E-mail: message building, the outbox and SMTP transports, and sending only after commit."""

from __future__ import annotations

import smtplib
import socket
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import text

from civic.extensions import db as _db
from civic.outreach import tasks
from civic.outreach.email import OutboxTransport, SmtpTransport, build_message, transport_from_config
from tests.outreach.helpers import read_outbox, text_of

#: Captured at import, before the autouse ``no_smtp`` fixture swaps smtplib.SMTP for a failure.
REAL_SMTP = smtplib.SMTP


def _message(**overrides):
    fields = {
        "to": "kari@bjerke.example",
        "subject": "Hei på deg",
        "text": "Plain body æøå",
        "html": "<p>HTML body</p>",
        "mail_from": "civic <noreply@civic.example>",
    }
    fields.update(overrides)
    return build_message(**fields)


def test_build_message_has_text_and_html_alternatives():
    message = _message()
    assert message.get_content_type() == "multipart/alternative"
    assert message["Message-ID"].endswith("@civic.example>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Plain body æøå"
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>HTML body</p>"


def test_text_only_message():
    message = _message(html="")
    assert message.get_content_type() == "text/plain"


def test_outbox_transport_writes_one_eml_per_message_and_is_idempotent(tmp_path):
    transport = OutboxTransport(tmp_path / "outbox")
    message = _message(message_id="<fixed@civic.example>")
    transport.send(message, organisation_id=7)
    transport.send(_message(message_id="<fixed@civic.example>"), organisation_id=7)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["Subject"] == "Hei på deg"
    assert parsed["X-Civic-Organisation"] == "7"


def test_transport_is_chosen_by_config(tmp_path):
    assert isinstance(
        transport_from_config({"EMAIL_TRANSPORT": "outbox", "OUTBOX_FOLDER": tmp_path}), OutboxTransport
    )
    smtp = transport_from_config(
        {"EMAIL_TRANSPORT": "smtp", "SMTP_HOST": "mail.example", "SMTP_PORT": "587", "SMTP_STARTTLS": True}
    )
    assert smtp == SmtpTransport(host="mail.example", port=587, starttls=True)
    with pytest.raises(ValueError, match="unknown EMAIL_TRANSPORT"):
        transport_from_config({"EMAIL_TRANSPORT": "pigeon"})


def test_queued_email_is_sent_only_after_commit(app):
    folder = app.config["OUTBOX_FOLDER"]
    with app.test_request_context():
        tasks.queue_email(to="a@bjerke.example", subject="S", text="T", html="", organisation_id=1)
        assert read_outbox(folder) == []
        _db.session.commit()
    [message] = read_outbox(folder)
    assert message["To"] == "a@bjerke.example"
    assert text_of(message).strip() == "T"


def test_rollback_drops_the_queued_email(app):
    with app.test_request_context():
        _db.session.execute(text("SELECT 1"))  # a transaction is under way, as in every real request
        tasks.queue_email(to="a@bjerke.example", subject="S", text="T", html="", organisation_id=1)
        _db.session.rollback()
        _db.session.commit()
    assert read_outbox(app.config["OUTBOX_FOLDER"]) == []


def test_send_email_task_is_registered_by_name(app):
    celery = app.extensions["celery"]
    assert "outreach.send_email" in celery.tasks


class Recorder:
    """aiosmtpd handler that keeps what it received."""

    def __init__(self) -> None:
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=recorder.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


@pytest.fixture
def app_config(app_config, request):
    if "smtp_server" not in request.fixturenames:
        return app_config
    controller, _ = request.getfixturevalue("smtp_server")
    return {
        **app_config,
        "EMAIL_TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_USERNAME": "civic",
        "SMTP_PASSWORD": "s3cret",
        "MAIL_FROM": "Bydel Bjerke <noreply@bjerke.example>",
    }


def test_smtp_transport_delivers_to_a_real_server(smtp_server, app, monkeypatch):
    # tests/fixtures/app.py replaces smtplib.SMTP with a failure so no test mails the world by accident.
    # This test talks to its own server on 127.0.0.1, so it puts the real class back for itself alone.
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)
    _, recorder = smtp_server
    with app.test_request_context():
        tasks.queue_email(
            to="kari@bjerke.example",
            subject="Test via SMTP",
            text="Hello",
            html="<p>Hello</p>",
            organisation_id=1,
        )
        _db.session.commit()
    assert recorder.logins == [(b"civic", b"s3cret")]
    [envelope] = recorder.envelopes
    assert envelope.mail_from == "noreply@bjerke.example"
    assert envelope.rcpt_tos == ["kari@bjerke.example"]
    received = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    assert received["Subject"] == "Test via SMTP"
    assert "X-Civic-Organisation" not in received  # internal bookkeeping stays in the outbox
    assert not Path(app.config["OUTBOX_FOLDER"]).exists()


def test_smtp_is_blocked_by_default_in_tests(app_config):
    transport = SmtpTransport(host="127.0.0.1", port=25)
    with pytest.raises(pytest.fail.Exception, match="tried to send real e-mail"):
        transport.send(_message())
