"""The accessibility statement and the data-protection page, per organisation.

URLs: ``/about/<slug>/accessibility`` and ``/about/<slug>/privacy`` name the organisation, like
``/reports/<slug>``, because each municipality publishes its own statement under its own branding. Pages that know
no single organisation (the front page of a platform shared by several) link to ``/about/accessibility`` and
``/about/privacy``: with one organisation these show its page, with several a list to choose from.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from civic.accounts.models import Organisation, OrganisationKind
from civic.extensions import db
from civic.pages import statement

bp = Blueprint("pages", __name__, url_prefix="/about")


def _organisation(slug: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    return organisation


def _only_organisation() -> Organisation | None:
    """The organisation when the platform serves exactly one, else None."""
    found = db.session.scalars(select(Organisation).order_by(Organisation.name).limit(2)).all()
    return found[0] if len(found) == 1 else None


def _choose(endpoint: str) -> str:
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("pages/choose_organisation.html", organisations=organisations, endpoint=endpoint)


def _controller(organisation: Organisation) -> str:
    """The data controller: a city district acts for its municipality (e.g. Oslo kommune)."""
    if organisation.kind == OrganisationKind.DISTRICT and organisation.parent_name:
        return organisation.parent_name
    return organisation.name


@bp.get("/accessibility", defaults={"slug": None})
@bp.get("/<slug>/accessibility")
def accessibility(slug: str | None) -> str:
    """The accessibility statement (tilgjengelighetserklæring) of an organisation's participation pages."""
    organisation = _organisation(slug) if slug else _only_organisation()
    if organisation is None:
        return _choose("pages.accessibility")
    return render_template(
        "pages/accessibility.html",
        organisation=organisation,
        tested_pages=statement.tested_pages(),
        test_methods=statement.test_methods(),
        limitations=statement.limitations(),
        last_evaluation=format_date(statement.LAST_EVALUATION, "long"),
        last_evaluation_iso=statement.LAST_EVALUATION.isoformat(),
        complaint_url=statement.COMPLAINT_URL,
        supervisor_url=statement.SUPERVISOR_URL,
        register_url=statement.REGISTER_URL,
    )


@bp.get("/privacy", defaults={"slug": None})
@bp.get("/<slug>/privacy")
def data_protection(slug: str | None) -> str:
    """What civic stores about residents and what it does not, their rights and where to complain."""
    organisation = _organisation(slug) if slug else _only_organisation()
    if organisation is None:
        return _choose("pages.data_protection")
    return render_template(
        "pages/data_protection.html",
        organisation=organisation,
        controller=_controller(organisation),
        retention_months=organisation.free_text_retention_months,
    )


@bp.app_template_global("about_page_links")
def about_page_links(organisation: Organisation | None) -> list[tuple[str, str]]:
    """The footer's links: the organisation's own pages when the page belongs to one, else the general ones.

    A template global rather than ``url_for`` in the layout, so the layout renders even in an app built
    without this blueprint.
    """
    slug = {"slug": organisation.slug} if isinstance(organisation, Organisation) else {}
    return [
        (_("Accessibility statement"), url_for("pages.accessibility", **slug)),
        (_("Data protection"), url_for("pages.data_protection", **slug)),
    ]
