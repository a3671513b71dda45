"""Send e-mail in the background, only after the request's transaction has committed."""

from __future__ import annotations

import logging
import smtplib
from email.utils import make_msgid

from celery import shared_task
from flask import current_app

from civic.core.after_commit import enqueue_after_commit
from civic.extensions import db
from civic.outreach.email import build_message, mail_domain, transport_from_config

log = logging.getLogger(__name__)


@shared_task(
    name="outreach.send_email",
    acks_late=True,
    autoretry_for=(smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_email(
    to: str, subject: str, text: str, html: str = "", organisation_id: int | None = None, message_id: str = ""
) -> None:
    """Deliver one staff e-mail. The Message-ID is fixed when queued, so an outbox retry rewrites one file."""
    config = current_app.config
    message = build_message(
        to=to,
        subject=subject,
        text=text,
        html=html,
        mail_from=config["MAIL_FROM"],
        message_id=message_id or None,
    )
    transport_from_config(config).send(message, organisation_id=organisation_id)
    log.info("e-mail sent via %s: %s", config["EMAIL_TRANSPORT"], message["Message-ID"])


def queue_email(*, to: str, subject: str, text: str, html: str, organisation_id: int | None = None) -> None:
    """Queue ``send_email`` to run once the current database transaction commits."""
    message_id = make_msgid(domain=mail_domain(current_app.config["MAIL_FROM"]))
    enqueue_after_commit(
        db.session,
        send_email,
        to,
        subject,
        text,
        html,
        organisation_id=organisation_id,
        message_id=message_id,
    )
