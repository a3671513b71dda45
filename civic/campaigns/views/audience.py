"""The audience builder: criteria, map, and a live preview of how many residents match.

Only aggregate counts leave this module: the preview, the saved ``Campaign.counts["preview"]`` and the
area's GeoJSON (the district outline and address points, which are not personal data).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, jsonify, make_response, render_template, url_for
from flask_babel import gettext as _

from civic.accounts.permissions import PLANNERS, staff_required
from civic.campaigns.audience import (
    AudienceCounts,
    AudienceCriteria,
    InvalidCriteria,
    address_index,
    area_geojson,
    count_audience,
)
from civic.campaigns.forms_audience import AudienceForm
from civic.campaigns.models import EDITABLE_STATES, Campaign, ChannelPolicy
from civic.campaigns.views.common import load_campaign
from civic.core.htmx import hx_redirect, is_partial_request
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.registry.base import Registry
from civic.registry.factory import registry_from_config
from civic.registry.types import RegistryError

bp = Blueprint("campaign_audience", __name__, url_prefix="/manage/campaigns")

PAGE = "campaigns/audience.html"
PREVIEW = "campaigns/_partials/audience_preview.html"
OSLO = ZoneInfo("Europe/Oslo")
#: Registry failures are shown as a message with this status (htmx swaps it in through audience-map.js).
UNAVAILABLE = 503


def today_in_oslo() -> date:
    return now_utc().astimezone(OSLO).date()


def get_registry() -> Registry:
    return registry_from_config(current_app.config)



def _form(registry: Registry | None, *, formdata: bool = True) -> tuple[AudienceForm, str]:
    """Build the form with the register's sub-districts; returns (form, registry problem message or "")."""
    form = AudienceForm() if formdata else AudienceForm(formdata=None)
    problem = ""
    names: list[str] = []
    if registry is not None:
        try:
            names = list(registry.addresses.area().sub_districts)
            names = names or address_index(registry.addresses).sub_district_names
        except RegistryError as exc:
            problem = _registry_message(exc)
    form.set_sub_districts(names)
    return form, problem


def _registry_message(exc: Exception) -> str:
    current_app.logger.warning("audience: registry unavailable: %s", exc)
    return _("The registries did not answer, so the audience cannot be counted right now. Try again in a while.")


def _streets(registry: Registry) -> list[str]:
    try:
        return address_index(registry.addresses).street_names
    except RegistryError:
        return []


def _page(campaign: Campaign, form: AudienceForm, registry: Registry, status: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("counts", None)
    ctx.setdefault("error", "")
    response = make_response(
        render_template(
            PAGE,
            campaign=campaign,
            form=form,
            streets=_streets(registry),
            editable=campaign.state in EDITABLE_STATES,
            **ctx,
        ),
        status,
    )
    response.vary.add("HX-Request")
    return response


def _fragment(campaign: Campaign, status: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("counts", None)
    ctx.setdefault("error", "")
    response = make_response(render_template(PREVIEW, campaign=campaign, **ctx), status)
    response.vary.add("HX-Request")
    return response


def _count(
    registry: Registry, criteria: AudienceCriteria, policy: str, form: AudienceForm | None = None
) -> tuple[AudienceCounts | None, str, int]:
    """Return (counts, error message, status); a criteria error is also shown at its form field."""
    try:
        return count_audience(registry, criteria, ChannelPolicy(policy), today_in_oslo()), "", 200
    except InvalidCriteria as exc:
        _mark(form, exc)
        return None, exc.message, exc.status_code
    except RegistryError as exc:
        return None, _registry_message(exc), UNAVAILABLE


def _mark(form: AudienceForm | None, exc: InvalidCriteria) -> None:
    field = getattr(form, exc.field, None) if form is not None and exc.field else None
    if field is not None:
        field.errors = [exc.message]


def _read(form: AudienceForm) -> tuple[AudienceCriteria | None, str]:
    """Validate the posted form; returns (criteria, message) with criteria None when the input is refused."""
    if not form.validate():
        return None, _("Check the highlighted fields.")
    try:
        return form.criteria(), ""
    except InvalidCriteria as exc:
        _mark(form, exc)
        return None, exc.message


@bp.get("/<int:campaign_id>/audience")
@staff_required(*PLANNERS)
def show(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    registry = get_registry()
    form, problem = _form(registry, formdata=False)
    try:
        criteria = AudienceCriteria.from_json(campaign.criteria)
    except InvalidCriteria as exc:
        return _page(campaign, form, registry, error=exc.message)
    form.fill(criteria, campaign.channel_policy)
    if problem:
        return _page(campaign, form, registry, status=UNAVAILABLE, error=problem)
    counts, error, _status = _count(registry, criteria, campaign.channel_policy, form)
    # A stored audience that no longer validates (e.g. a renamed street) is shown with its message, still 200.
    return _page(campaign, form, registry, counts=counts, error=error)


@bp.post("/<int:campaign_id>/audience/preview")
@staff_required(*PLANNERS)
def preview(campaign_id: int) -> Response:
    """The live preview: a fragment for htmx, the whole page (input kept) for the no-JS button."""
    campaign = load_campaign(campaign_id)
    registry = get_registry()
    form, problem = _form(registry)
    if problem:
        status, ctx = UNAVAILABLE, {"error": problem}
    else:
        criteria, error = _read(form)
        if criteria is None:
            status, ctx = 422, {"error": error}
        else:
            counts, error, status = _count(registry, criteria, form.channel_policy.data, form)
            ctx = {"counts": counts, "error": error}
    if is_partial_request():
        return _fragment(campaign, status=status, **ctx)
    return _page(campaign, form, registry, status=status, **ctx)


@bp.post("/<int:campaign_id>/audience")
@staff_required(*PLANNERS)
def save(campaign_id: int) -> Response:
    """Save the criteria and the channel policy, with the preview counts they give today."""
    campaign = load_campaign(campaign_id)
    registry = get_registry()
    form, problem = _form(registry)
    if campaign.state not in EDITABLE_STATES:
        message = _("The audience cannot be changed once the campaign has started sending.")
        return _page(campaign, form, registry, status=409, error=message)
    if problem:
        return _page(campaign, form, registry, status=UNAVAILABLE, error=problem)
    criteria, error = _read(form)
    if criteria is None:
        return _page(campaign, form, registry, status=422, error=error)
    counts, error, status = _count(registry, criteria, form.channel_policy.data, form)
    if counts is None:
        return _page(campaign, form, registry, status=status, error=error)
    campaign.criteria = criteria.to_json()
    campaign.channel_policy = ChannelPolicy(form.channel_policy.data)
    campaign.counts = {**(campaign.counts or {}), "preview": counts.to_json()}
    db.session.commit()
    flash(_("The audience is saved."), "success")
    return hx_redirect(url_for(".show", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/audience/area.geojson")
@staff_required(*PLANNERS)
def area(campaign_id: int) -> Response:
    """The district outline and address points for the map: no personal data."""
    load_campaign(campaign_id)
    try:
        data = area_geojson(get_registry())
    except RegistryError as exc:
        return make_response(jsonify({"error": _registry_message(exc)}), UNAVAILABLE)
    response = jsonify(data)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response
