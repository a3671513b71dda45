"""Consensus across segments (surveys): each closed question and each topic by age band, district and household.

No cell with fewer than 5 respondents is shown, and secondary suppression hides enough others that the hidden
ones cannot be worked out from the totals (analysis.segments / analysis.suppression). Hearings get a message:
their participants carry no segments for this page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l

from analysis.segments import DimensionSegments, SegmentConsensus
from civic.accounts.permissions import staff_required
from civic.consultations.models import ConsultationKind
from civic.core.i18n import current_locale
from civic.extensions import db
from civic.insight.models import RunKind
from civic.insight.segments import segments_page
from civic.insight.topic_stats import MIN_CELL
from civic.insight.views.common import VIEW_ROLES, latest_done_run, load_consultation, optional_url
from civic.outreach.segments import dimension_label, segment_label

bp = Blueprint("insight_segments", __name__, url_prefix="/manage/insight")

#: The library's reason codes (analysis.segments), translated in one place.
SEGMENT_REASONS = {
    "too_few_respondents": _l("Too few respondents answered this for a breakdown by segment (at least %(n)d needed)."),
    "no_options": _l("Nobody has chosen any of the options yet."),
    "no_segment_data": _l(
        "No respondent has a segment: answers through a public link carry no age band, district or household type."
    ),
    "too_few_segments": _l("Fewer than two segments have at least %(n)d respondents, so there is nothing to compare."),
}
KIND_NOTES = {
    "multiple": _l("Respondents could choose several options, so a segment's shares can add up to more than 100 %."),
    "topics": _l(
        "Share of each segment's respondents with at least one written answer in the topic; one person can write "
        "in several topics."
    ),
}


@bp.get("/<int:consultation_id>/segments")
@staff_required(*VIEW_ROLES)
def overview(consultation_id: int) -> str:
    consultation = load_consultation(consultation_id)
    context: dict[str, Any] = {"consultation": consultation, "is_survey": consultation.kind == ConsultationKind.SURVEY}
    if not context["is_survey"]:
        return render_template("insight/segments.html", **context)
    topics_run = latest_done_run(consultation.id, RunKind.TOPICS)
    page = segments_page(db.session, consultation, topics_run, current_locale())
    return render_template(
        "insight/segments.html",
        page=page,
        min_cell=MIN_CELL,
        dimension_label=dimension_label,
        segment_label=segment_label,
        reason=reason,
        percent=percent,
        kind_notes=KIND_NOTES,
        topic_url=lambda key: optional_url("insight_topics.detail", consultation_id=consultation.id, topic_key=key),
        **context,
    )


def reason(result: SegmentConsensus | DimensionSegments, min_cell: int = MIN_CELL) -> str:
    """The translated explanation of an insufficient result; the library's English one for an unknown code."""
    if result.reason in SEGMENT_REASONS:
        return str(SEGMENT_REASONS[result.reason]) % {"n": min_cell}
    return result.explanation


def percent(value: float | None) -> str:
    return "–" if value is None else format_percent(value, format="#,##0%")
