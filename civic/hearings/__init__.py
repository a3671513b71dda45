"""Digital hearings (høringer): proposals that residents read and comment on, section by section."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.accounts.permissions import ALL_STAFF
from civic.core.menu import add_menu_entry
from civic.hearings.views import manage, moderate, polis, public, votes
from civic.hearings.views import statements as statement_views


def register(app: Flask) -> None:
    """Wire the planner, moderator and resident blueprints and the staff menu entry."""
    for module in (manage, moderate, polis, public, statement_views, votes):
        app.register_blueprint(module.bp)
    add_menu_entry(app, "hearings_manage.index", lambda: _("Hearings"), ALL_STAFF)
