"""Reports: results pages for staff, and public reports for politicians and residents.

Staff results (``views``): live aggregation of a survey's responses, with exports. Public reports: a planner
composes a report from ready sections (``views_compose``, ``publishing``), publishes it with its figures frozen
into a snapshot (``snapshot``), and anyone reads it (``views_public``), as a PDF (``views_pdf``, ``pdf_tasks``), in
the municipality's overview (``views_overview``), and with "you said, we did" (``views_outcomes``).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from civic.core.menu import add_menu_entry
from civic.reports import pdf_tasks, views, views_compose, views_outcomes, views_overview, views_pdf, views_public

__all__ = ["pdf_tasks", "register"]


def register(app: Flask) -> None:
    """Wire the results and report blueprints and their staff-menu entries (importing pdf_tasks registers it)."""
    for module in (views, views_compose, views_outcomes, views_public, views_pdf, views_overview):
        app.register_blueprint(module.bp)
    add_menu_entry(app, "reports.index", lambda: _("Results"), tuple(views.VIEW_ROLES))
    add_menu_entry(app, "reports_compose.index", lambda: _("Reports"), tuple(views_compose.VIEW_ROLES))
