"""The public overview of a municipality's published reports: search, filter by district and theme, page.

A plain GET form, so it works without JavaScript; with htmx the form asks for the results list only (active
search: the ``HX-Request`` header selects the partial) as the reader types or changes a filter, and pushes the
URL, so the address always names what is shown.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from civic.accounts.models import Organisation
from civic.core.htmx import render_fragment
from civic.core.i18n import current_locale
from civic.extensions import db
from civic.reports import overview, summaries
from civic.reports.overview import OverviewFilters

bp = Blueprint("reports_overview", __name__)

PAGE = "reports/overview.html"
RESULTS_PARTIAL = "reports/_partials/overview_results.html"


@bp.get("/reports/<slug>")
def index(slug: str) -> Response:
    """All published reports of the organisation ``slug``, newest first (404 for an unknown organisation)."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    filters = OverviewFilters.from_args(request.args)
    result = overview.search(db.session, organisation, filters, current_locale())
    context: dict[str, Any] = {
        "organisation": organisation,
        "filters": filters,
        "result": result,
        "theme_label": summaries.theme_label,
        "num": summaries.num,
        "pct": summaries.pct,
        "day": summaries.day,
    }
    return render_fragment(PAGE, RESULTS_PARTIAL, **context)


@bp.app_template_global("report_overviews")
def report_overviews(organisation: Organisation | None = None) -> list[Organisation]:
    """For the front page: the organisations whose overview is worth a link (those with published reports)."""
    return overview.organisations_with_reports(db.session, organisation)
