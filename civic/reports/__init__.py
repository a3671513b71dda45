"""Results reporting for staff: aggregation, Plotly charts and CSV/XLSX exports."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.core.menu import add_menu_entry
from civic.reports import views


def register(app: Flask) -> None:
    """Wire the results blueprint and its staff-menu entry."""
    app.register_blueprint(views.bp)
    add_menu_entry(app, "reports.index", lambda: _("Results"), tuple(views.VIEW_ROLES))
