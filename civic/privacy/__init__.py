"""Privacy: residents see and delete their own contributions; free text is erased after the retention period."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.accounts.permissions import PLANNERS
from civic.core.menu import add_menu_entry
from civic.privacy import tasks, views

__all__ = ["register", "tasks"]


def register(app: Flask) -> None:
    """Wire the resident and planner pages and the staff menu entry (tasks register with Celery by the import)."""
    app.register_blueprint(views.bp)
    add_menu_entry(app, "privacy.retention_settings", lambda: _("Privacy"), PLANNERS)
