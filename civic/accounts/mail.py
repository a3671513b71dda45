"""E-mail from accounts: the messages are written here, the sending is plugged in by outreach.

accounts sits below outreach, so it cannot import the sending task; outreach.register() hands its
sender to ``set_email_sender`` instead (dependency inversion, wired explicitly at startup).
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app, render_template, url_for
from flask_babel import gettext as _

from civic.accounts.models import StaffUser
from civic.accounts.password_links import MAX_AGE, LinkPurpose, make_token

SENDER_KEY = "civic_email_sender"


class EmailSender(Protocol):
    def __call__(
        self, *, to: str, subject: str, text: str, html: str, organisation_id: int | None
    ) -> None: ...


def set_email_sender(app: Flask, sender: EmailSender) -> None:
    """Install the function that queues e-mail for sending."""
    app.extensions[SENDER_KEY] = sender


def send_email(*, to: str, subject: str, text: str, html: str, organisation_id: int | None = None) -> None:
    """Queue one e-mail through the installed sender (sent after the current transaction commits)."""
    sender = current_app.extensions.get(SENDER_KEY)
    if sender is None:
        raise RuntimeError("no e-mail sender installed; outreach.register(app) must run")
    sender(to=to, subject=subject, text=text, html=html, organisation_id=organisation_id)


def send_password_link(user: StaffUser, purpose: LinkPurpose) -> None:
    """E-mail ``user`` a link to set their password (a reset, or the welcome for new staff)."""
    token = make_token(current_app.config["SECRET_KEY"], user, purpose)
    context = {
        "user": user,
        "organisation": user.organisation,
        "url": url_for("accounts.reset_password", token=token, _external=True),
        "hours": MAX_AGE[purpose] // 3600,
        "purpose": purpose.value,
    }
    if purpose == LinkPurpose.WELCOME:
        subject = _("Your staff account at %(organisation)s", organisation=user.organisation.name)
    else:
        subject = _("Reset your password")
    send_email(
        to=user.email,
        subject=subject,
        text=render_template("accounts/email/password_link.txt", **context),
        html=render_template("accounts/email/password_link.html", **context),
        organisation_id=user.organisation_id,
    )
