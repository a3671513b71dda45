"""Outreach: invitations, and e-mail sending (staff e-mail now; resident messaging later)."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.accounts.mail import set_email_sender
from civic.accounts.permissions import ADMINS
from civic.core.menu import add_menu_entry
from civic.outreach import tasks, views

__all__ = ["register", "tasks"]


def register(app: Flask) -> None:
    """Wire the outbox viewer, and plug the e-mail task into accounts (importing tasks registers it)."""
    app.register_blueprint(views.bp)
    set_email_sender(app, tasks.queue_email)
    if app.config["EMAIL_TRANSPORT"] == "outbox":
        add_menu_entry(app, "outreach.outbox", lambda: _("Outbox"), ADMINS)
