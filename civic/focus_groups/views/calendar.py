"""The public calendar download of a focus group: ``/f/<public_id>/calendar.ics`` (no login, no cookie).

Linked from the waiting room, the invitation SMS and the e-mail texts; the event's link is the group's public
page (invitations attach their own copy carrying the personal link instead, see civic/campaigns/dispatch.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from civic.accounts.models import Organisation
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.i18n import current_locale
from civic.extensions import db
from civic.focus_groups.calendar import build_ics, calendar_filename
from civic.focus_groups.models import FocusGroup

bp = Blueprint("focus_groups_calendar", __name__)


def _not_found(message: str) -> NotFound:
    error = NotFound(message)
    error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
    return error


@bp.get("/f/<public_id>/calendar.ics")
def download(public_id: str) -> Response:
    """Return the event as ``text/calendar``: 404 for an unknown or draft group, or one without a time yet."""
    row = db.session.execute(
        select(FocusGroup, Consultation, Organisation.name)
        .join(Consultation, Consultation.id == FocusGroup.consultation_id)
        .join(Organisation, Organisation.id == Consultation.organisation_id)
        .where(Consultation.public_id == public_id, Consultation.kind == ConsultationKind.FOCUS_GROUP)
    ).one_or_none()
    if row is None or row[1].state == ConsultationState.DRAFT:
        raise _not_found(_("We could not find this focus group. Check that the address is complete."))
    focus_group, consultation, organisation_name = row
    language = request.args.get("lang") or current_locale()
    base_url = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    ics = build_ics(
        focus_group,
        consultation,
        organisation_name=organisation_name,
        url=f"{base_url}/f/{public_id}",  # the participant page (path fixed by the brief's URL map)
        base_url=base_url,
        language=language,
    )
    if ics is None:
        raise _not_found(_("This focus group has no date yet, so there is nothing to add to a calendar."))
    response = make_response(ics)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{calendar_filename(language, public_id)}"'
    response.headers["Cache-Control"] = "no-cache"  # a rescheduled session must not be served stale
    return response
