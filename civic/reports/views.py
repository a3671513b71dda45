"""Results pages for staff: live counts, lazy per-question panels, free-text search and exports.

Who may do what:
- every staff role (admin, planner, moderator, viewer) may view results (aggregates, suppressed below
  MIN_GROUP respondents);
- admins, planners and moderators may export (``EXPORT_ROLES``). Exports are row-level data with segments
  and free texts, so small-group suppression cannot apply there; viewers, who only read, do not get them.
Staff see only their own organisation's surveys (404 otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from civic.accounts.models import Role
from civic.accounts.permissions import ALL_STAFF, same_organisation, staff_required
from civic.core.downloads import attachment, xlsx_attachment
from civic.core.htmx import is_partial_request, render_fragment
from civic.core.i18n import current_locale
from civic.extensions import db
from civic.reports import charts, exports, queries
from civic.reports.queries import Filters
from civic.surveys.models import TEXT_KINDS, Question, QuestionKind, Survey

bp = Blueprint("reports", __name__, url_prefix="/manage/results")

VIEW_ROLES = ALL_STAFF
EXPORT_ROLES = (Role.ADMIN, Role.PLANNER, Role.MODERATOR)


def _survey(survey_id: int) -> Survey:
    survey = db.get_or_404(Survey, survey_id)
    same_organisation(survey.consultation.organisation_id)
    return survey


def _question(survey: Survey, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    # Archived questions are not shown (exports still carry their answers).
    if question.survey_id != survey.id or question.is_archived:
        abort(404)
    return question


def _filters() -> Filters:
    return Filters.from_args(request.args)


def _can_export() -> bool:
    return current_user.role in EXPORT_ROLES


def _outline(survey: Survey) -> list[list[tuple[float, float]]]:
    slug = survey.consultation.organisation.slug
    return charts.load_outline(Path(current_app.static_folder or "") / "geo" / f"{slug}.geojson")


def _has_texts(question: Question) -> bool:
    return question.kind_enum in TEXT_KINDS or any(c.is_other for c in question.choices)


def _panel_context(survey: Survey, question: Question, filters: Filters) -> dict[str, Any]:
    """Compute everything one question panel shows."""
    result = queries.question_result(db.session, question, filters, current_locale())
    chart = None
    if result.respondents and not result.suppressed:
        outline = _outline(survey) if question.kind_enum == QuestionKind.MAP_POINT else None
        chart = charts.question_chart(result, outline)
    texts = None
    search = request.args.get("q", "").strip()[:200]
    if _has_texts(question) and result.respondents and not result.suppressed:
        texts = queries.text_page(db.session, question, filters, search, request.args.get("page", 1, type=int))
    return {"question": question, "result": result, "chart": chart, "texts": texts, "search": search}


def _page_context(survey: Survey, filters: Filters) -> dict[str, Any]:
    counts = queries.counts(db.session, survey.id, filters)
    return {
        "survey": survey,
        "consultation": survey.consultation,
        "filters": filters,
        "options": queries.segment_options(db.session, survey.id),
        "counts": counts,
        "counts_chart": charts.counts_chart(survey.id, counts) if counts.by_day and not counts.suppressed else None,
        "can_export": _can_export(),
        "min_group": queries.MIN_GROUP,
    }


@bp.get("/")
@staff_required(*VIEW_ROLES)
def index() -> str:
    surveys = queries.submitted_per_survey(db.session, current_user.organisation_id)
    return render_template("reports/index.html", surveys=surveys)


@bp.get("/<int:survey_id>")
@staff_required(*VIEW_ROLES)
def results(survey_id: int) -> str:
    survey = _survey(survey_id)
    filters = _filters()
    context = _page_context(survey, filters)
    # ?all=1 renders every panel server-side: for printing and for browsers without JavaScript.
    show_all = request.args.get("all") == "1"
    panels = [_panel_context(survey, q, filters) for q in survey.questions] if show_all else None
    return render_template("reports/results.html", panels=panels, show_all=show_all, **context)


@bp.get("/<int:survey_id>/counts")
@staff_required(*VIEW_ROLES)
def counts_panel(survey_id: int) -> Any:
    survey = _survey(survey_id)
    filters = _filters()
    if not is_partial_request():
        response = redirect(url_for("reports.results", survey_id=survey.id, **filters.as_args()), code=303)
    else:
        response = current_app.make_response(
            render_template("reports/_partials/counts.html", **_page_context(survey, filters))
        )
    response.vary.add("HX-Request")
    return response


@bp.get("/<int:survey_id>/questions/<int:question_id>")
@staff_required(*VIEW_ROLES)
def question_panel(survey_id: int, question_id: int) -> Response:
    """Return one question's panel for htmx, or a page with just that question ("show" link)."""
    return _question_response(survey_id, question_id, "reports/_partials/question_panel.html")


@bp.get("/<int:survey_id>/questions/<int:question_id>/texts")
@staff_required(*VIEW_ROLES)
def texts_panel(survey_id: int, question_id: int) -> Response:
    """Search and page the written answers: the list for htmx, the question's page otherwise."""
    return _question_response(survey_id, question_id, "reports/_partials/text_list.html")


def _question_response(survey_id: int, question_id: int, partial: str) -> Response:
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    filters = _filters()
    panel = _panel_context(survey, question, filters)
    # Counts and filter options are only needed around a full page, not for every lazy load or keystroke.
    page = {} if is_partial_request() else _page_context(survey, filters)
    context = {"filters": filters, "min_group": queries.MIN_GROUP, **page}
    return render_fragment("reports/question.html", partial, panel=panel, **context)


@bp.get("/<int:survey_id>/export.csv")
@staff_required(*EXPORT_ROLES)
def export_csv(survey_id: int) -> Response:
    survey = _survey(survey_id)
    chunks = exports.csv_chunks(db.session, survey, _filters())
    return attachment(stream_with_context(chunks), mimetype="text/csv", filename=exports.filename(survey, "csv"))


@bp.get("/<int:survey_id>/export.xlsx")
@staff_required(*EXPORT_ROLES)
def export_xlsx(survey_id: int) -> Response:
    survey = _survey(survey_id)
    filters = _filters()
    return xlsx_attachment(
        lambda target: exports.write_xlsx(db.session, survey, filters, target),
        filename=exports.filename(survey, "xlsx"),
    )
