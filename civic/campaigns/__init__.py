"""Campaigns: target residents from the registries and invite them by e-mail and SMS."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.accounts.permissions import PLANNERS
from civic.campaigns import tasks
from civic.campaigns.views import audience as audience_views
from civic.campaigns.views import manage as manage_views
from civic.campaigns.views import messages as messages_views
from civic.campaigns.views import public as public_views
from civic.core.menu import add_menu_entry

__all__ = ["register", "tasks"]


def register(app: Flask) -> None:
    """Wire the planner pages, the public stop-reminders page and the delivery webhooks."""
    for module in (manage_views, audience_views, messages_views, public_views):
        app.register_blueprint(module.bp)
    add_menu_entry(app, "campaigns.index", lambda: _("Campaigns"), PLANNERS)
