"""Opinion groups of a hearing: the group map, what each group thinks, consensus and divisive statements.

Shows the latest opinion-group run that produced a result; a newer run that is still going, or that ended
without a result, is shown above it with its status or explanation. No run yet: a link to the analysis page.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l

from civic.accounts.permissions import staff_required
from civic.consultations.models import ConsultationKind
from civic.extensions import db
from civic.insight import charts
from civic.insight.groups import groups_page
from civic.insight.models import RunKind
from civic.insight.views.common import VIEW_ROLES, latest_done_run, latest_run, load_consultation, reason_text

bp = Blueprint("insight_groups", __name__, url_prefix="/manage/insight")
log = logging.getLogger(__name__)

#: How each list on the page is computed, printed beside it (the page makes claims; these say on what basis).
METHOD_NOTES = {
    "repness": _l(
        "A group's statements are those it agrees (or disagrees) with clearly more than the other groups do, "
        "following Polis' representativeness test."
    ),
    "consensus": _l(
        "Statements most participants agree (or disagree) with, whatever their group: more than half of those "
        "who voted on it, with statistical confidence."
    ),
    "gic": _l(
        "Group-informed consensus multiplies each group's agreement (agree votes + 1, divided by votes + 2): it is "
        "high only when every group agrees. The figure per group is its geometric mean."
    ),
    "divisive": _l(
        "Statements on which the groups' agreement differs most, weighted by how many in each group voted on them."
    ),
}


@bp.get("/<int:consultation_id>/groups")
@staff_required(*VIEW_ROLES)
def overview(consultation_id: int) -> str:
    consultation = load_consultation(consultation_id)
    context = {"consultation": consultation, "is_hearing": consultation.kind == ConsultationKind.HEARING}
    if not context["is_hearing"]:
        return render_template("insight/groups.html", **context)
    latest = latest_run(consultation.id, RunKind.OPINION_GROUPS)
    done = latest_done_run(consultation.id, RunKind.OPINION_GROUPS)
    page, unreadable = None, False
    if done is not None:
        try:
            page = groups_page(db.session, consultation, done)
        except (KeyError, TypeError, ValueError, AttributeError):
            # A result stored by an older version, or damaged: say so rather than fail the page.
            log.warning("insight run %s: unreadable opinion-group result", done.id, exc_info=True)
            unreadable = True
    show_comments = request.args.get("comments") == "1"
    chart = None
    if page is not None and page.points:
        chart = charts.group_map_figure("group-map", page.points, page.comment_points if show_comments else ())
    return render_template(
        "insight/groups.html",
        latest=latest,
        page=page,
        unreadable=unreadable,
        chart=chart,
        show_comments=show_comments,
        notes=METHOD_NOTES,
        reason_text=reason_text,
        percent=percent,
        # For the shared run-status partial.
        results_url=lambda run: None,
        **context,
    )


def percent(value: float) -> str:
    return format_percent(value, format="#,##0%")
