"""Virtual focus groups: residents co-create live (or over n days) in a moderated, text-based session."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.accounts.permissions import ALL_STAFF
from civic.core.menu import add_menu_entry
from civic.focus_groups.views import calendar, console, manage, public, transcript


def register(app: Flask) -> None:
    """Wire the planner, moderator, observer and participant blueprints and the staff menu entry."""
    for module in (manage, console, public, transcript, calendar):
        app.register_blueprint(module.bp)
    add_menu_entry(app, "focus_groups_manage.index", lambda: _("Focus groups"), ALL_STAFF)
