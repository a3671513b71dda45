"""Insight topic pages: the topics of the latest run (with the planners' edits), one topic's texts, edits, exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from civic.accounts.models import StaffUser
from civic.accounts.permissions import staff_required
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.downloads import attachment, xlsx_attachment
from civic.core.errors import DomainError, StateError
from civic.core.htmx import hx_redirect
from civic.extensions import db
from civic.insight import charts, topic_edits, topic_stats
from civic.insight.forms import ConfirmForm, MergeTopicForm, RenameTopicForm
from civic.insight.models import AnalysisRun, RunKind, TopicEdit
from civic.insight.topic_edits import OUTLIERS, Corpus, TopicNotFoundError, TopicView
from civic.insight.views.common import (
    EDIT_ROLES,
    EXPORT_ROLES,
    VIEW_ROLES,
    can_edit,
    can_export,
    latest_done_run,
    latest_run,
    load_consultation,
    reason_text,
    warning_texts,
)
from civic.insight.views.runs import results_url

bp = Blueprint("insight_topics", __name__, url_prefix="/manage/insight")

TEXTS_PER_PAGE = 100
SEGMENT_TITLES = {
    "age_band": _l("Age band"),
    "district": _l("District"),
    "household_type": _l("Household type"),
    "section": _l("Section"),
    "prompt": _l("Prompt"),
}
ACTION_LABELS = {"rename": _l("Renamed"), "merge": _l("Merged"), "split": _l("Split"), "hide": _l("Hidden")}


def _loaded(consultation_id: int) -> tuple[Consultation, TopicView, Corpus]:
    """The consultation and its latest finished topic run with the edits applied; 404 when there is none."""
    consultation = load_consultation(consultation_id)
    run = latest_done_run(consultation.id, RunKind.TOPICS)
    if run is None:
        abort(404)
    corpus = Corpus(db.session, run, consultation)
    return consultation, topic_edits.build_view(db.session, run, consultation, corpus), corpus


def _staff_names(edits: list[TopicEdit]) -> dict[int, str]:
    ids = {edit.created_by_id for edit in edits if edit.created_by_id}
    return {user.id: user.name for user in db.session.query(StaffUser).filter(StaffUser.id.in_(ids))} if ids else {}


@bp.get("/<int:consultation_id>/topics")
@staff_required(*VIEW_ROLES)
def overview(consultation_id: int) -> str:
    consultation = load_consultation(consultation_id)
    latest = latest_run(consultation.id, RunKind.TOPICS)
    run = latest_done_run(consultation.id, RunKind.TOPICS)
    context: dict[str, Any] = {
        "consultation": consultation,
        "latest": latest,
        "run": run,
        "reason_text": reason_text,
        "warning_texts": warning_texts,
        "results_url": results_url,
        "can_edit": can_edit(),
        "can_export": can_export(),
        "action_labels": ACTION_LABELS,
        "outliers_key": OUTLIERS,
    }
    if run is None:
        return render_template("insight/topics.html", view=None, **context)
    corpus = Corpus(db.session, run, consultation)
    view = topic_edits.build_view(db.session, run, consultation, corpus)
    context.update(_charts(consultation, view, corpus))
    return render_template(
        "insight/topics.html",
        view=view,
        texts=corpus.texts,
        staff_names=_staff_names(view.edits),
        **context,
    )


def _charts(consultation: Consultation, view: TopicView, corpus: Corpus) -> dict[str, Any]:
    weeks, series = topic_stats.weekly_counts(view, corpus)
    trend = (
        charts.topic_trend_figure(
            f"topics-{consultation.id}-trend", weeks, [(topic.label, counts) for topic, counts in series]
        )
        if weeks
        else None
    )
    is_hearing = consultation.kind == ConsultationKind.HEARING
    is_focus_group = consultation.kind == ConsultationKind.FOCUS_GROUP
    # A focus group breaks down by prompt (as a hearing by section) or by its participants' segments.
    choices = () if is_hearing else (("prompt",) if is_focus_group else ()) + tuple(topic_stats.segment_dimensions())
    dimension = "section"
    if is_hearing:
        breakdown = topic_stats.hearing_breakdown(view, corpus)
    else:
        dimension = request.args.get("segment", choices[0])
        if dimension not in choices:
            dimension = choices[0]
        if dimension == "prompt":
            breakdown = topic_stats.hearing_breakdown(view, corpus)
        else:
            breakdown = topic_stats.survey_breakdown(view, corpus, dimension)
    heatmap = None
    if breakdown.segments and breakdown.topics:
        note = (
            ""
            if dimension in ("section", "prompt")
            else _(
                "Groups of fewer than %(n)d respondents are hidden, and so are cells from which they could be "
                "worked out.",
                n=topic_stats.MIN_CELL,
            )
        )
        heatmap = charts.topic_heatmap_figure(
            f"topics-{consultation.id}-heatmap",
            topics=[topic.label for topic in breakdown.topics],
            segments=[segment or _("Not stated") for segment in breakdown.segments],
            counts=breakdown.counts,
            shares=breakdown.shares,
            segment_title=str(SEGMENT_TITLES[dimension]),
            note=note,
        )
    return {
        "trend": trend,
        "heatmap": heatmap,
        "dimension": dimension,
        "dimensions": [(d, SEGMENT_TITLES[d]) for d in choices],
        "heatmap_heading": _("Topics by prompt or group of participants") if is_focus_group else "",
    }


@bp.get("/<int:consultation_id>/topics/<topic_key>")
@staff_required(*VIEW_ROLES)
def detail(consultation_id: int, topic_key: str) -> str:
    consultation, view, corpus = _loaded(consultation_id)
    return _detail_page(consultation, view, corpus, topic_key)


def _detail_page(
    consultation: Consultation,
    view: TopicView,
    corpus: Corpus,
    topic_key: str,
    *,
    rename_form: RenameTopicForm | None = None,
    merge_form: MergeTopicForm | None = None,
    error: str = "",
) -> str:
    if topic_key == OUTLIERS:
        topic, members = None, view.outliers
    else:
        try:
            topic = view.get(topic_key)
        except TopicNotFoundError:
            abort(404)
        members = topic.members
    keys = [view.documents[i] for i in members]
    texts = [corpus.texts[key] for key in keys if key in corpus.texts]
    texts.sort(key=lambda t: t.created_at)
    pages = max(1, (len(texts) + TEXTS_PER_PAGE - 1) // TEXTS_PER_PAGE)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    targets = [(t.key, t.label) for t in view.topics if topic is None or t.key != topic.key]
    return render_template(
        "insight/topic.html",
        consultation=consultation,
        view=view,
        topic=topic,
        topic_key=topic_key,
        texts=texts[(page - 1) * TEXTS_PER_PAGE : page * TEXTS_PER_PAGE],
        total=len(texts),
        representative=[
            corpus.texts[k] for k in _keys(view, topic.representative if topic else []) if k in corpus.texts
        ],
        page=page,
        pages=pages,
        can_edit=can_edit(),
        rename_form=rename_form or RenameTopicForm(formdata=None, label=topic.label if topic else ""),
        merge_form=merge_form or MergeTopicForm(formdata=None, targets=targets),
        confirm_form=ConfirmForm(formdata=None),
        min_split=topic_edits.MIN_SPLIT_SIZE,
        error=error,
    )


def _keys(view: TopicView, indices: list[int]) -> list[tuple[str, int]]:
    return [view.documents[i] for i in indices]


def _edit(
    consultation_id: int, topic_key: str, make: Callable[[TopicView, Corpus], TopicEdit], message: str
) -> Response | tuple[str, int]:
    """Check the run the page showed is still the latest, make the edit, commit, and go back to the topics."""
    consultation, view, corpus = _loaded(consultation_id)
    shown = request.form.get("run_id", type=int)
    if shown is not None and shown != view.run.id:
        raise StateError(_("The topics were found again since you opened this page. Check the topic and try again."))
    try:
        make(view, corpus)
    except TopicNotFoundError:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        return _detail_page(consultation, view, corpus, topic_key, error=error.message), error.status_code
    db.session.commit()
    flash(message, "success")
    return hx_redirect(url_for("insight_topics.overview", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/topics/<topic_key>/rename")
@staff_required(*EDIT_ROLES)
def rename(consultation_id: int, topic_key: str) -> Response | tuple[str, int]:
    form = RenameTopicForm()
    if not form.validate():
        consultation, view, corpus = _loaded(consultation_id)
        return _detail_page(consultation, view, corpus, topic_key, rename_form=form), 422
    return _edit(
        consultation_id,
        topic_key,
        lambda view, _corpus: topic_edits.rename_topic(
            db.session, view, topic_key, form.label.data, actor=current_user
        ),
        _("The topic was renamed."),
    )


@bp.post("/<int:consultation_id>/topics/<topic_key>/merge")
@staff_required(*EDIT_ROLES)
def merge(consultation_id: int, topic_key: str) -> Response | tuple[str, int]:
    consultation, view, corpus = _loaded(consultation_id)
    form = MergeTopicForm(targets=[(t.key, t.label) for t in view.topics if t.key != topic_key])
    if not form.validate():
        return _detail_page(consultation, view, corpus, topic_key, merge_form=form), 422
    return _edit(
        consultation_id,
        topic_key,
        lambda view, _corpus: topic_edits.merge_topics(db.session, view, topic_key, form.into.data, actor=current_user),
        _("The topics were merged."),
    )


@bp.post("/<int:consultation_id>/topics/<topic_key>/split")
@staff_required(*EDIT_ROLES)
def split(consultation_id: int, topic_key: str) -> Response | tuple[str, int]:
    return _edit(
        consultation_id,
        topic_key,
        lambda view, corpus: topic_edits.split_topic(db.session, view, topic_key, corpus, actor=current_user),
        _("The topic was split in two."),
    )


@bp.post("/<int:consultation_id>/topics/<topic_key>/hide")
@staff_required(*EDIT_ROLES)
def hide(consultation_id: int, topic_key: str) -> Response | tuple[str, int]:
    return _edit(
        consultation_id,
        topic_key,
        lambda view, _corpus: topic_edits.hide_topic(db.session, view, topic_key, actor=current_user),
        _("The topic was hidden. Undo the edit to show it again."),
    )


@bp.post("/<int:consultation_id>/topics/edits/<int:edit_id>/undo")
@staff_required(*EDIT_ROLES)
def undo(consultation_id: int, edit_id: int) -> Response:
    consultation = load_consultation(consultation_id)
    try:
        topic_edits.undo_edit(db.session, consultation.id, edit_id)
    except TopicNotFoundError:
        abort(404)
    db.session.commit()
    flash(_("The edit was undone."), "success")
    return hx_redirect(url_for("insight_topics.overview", consultation_id=consultation.id))


# --- exports -------------------------------------------------------------------------------------------------


def _filename(consultation: Consultation, run: AnalysisRun, extension: str) -> str:
    return f"topics-{consultation.id}-run-{run.id}.{extension}"


@bp.get("/<int:consultation_id>/topics/export.csv")
@staff_required(*EXPORT_ROLES)
def export_csv(consultation_id: int) -> Response:
    """Every text with its topic (``?table=topics``: one row per topic)."""
    consultation, view, corpus = _loaded(consultation_id)
    topics_only = request.args.get("table") == "topics"
    rows = topic_stats.topic_rows(view) if topics_only else topic_stats.assignment_rows(view, corpus)
    name = _filename(consultation, view.run, "topics.csv" if topics_only else "csv")
    return attachment(topic_stats.write_csv(rows), mimetype="text/csv", filename=name)


@bp.get("/<int:consultation_id>/topics/export.xlsx")
@staff_required(*EXPORT_ROLES)
def export_xlsx(consultation_id: int) -> Response:
    consultation, view, corpus = _loaded(consultation_id)
    return xlsx_attachment(
        lambda target: topic_stats.write_xlsx(view, corpus, target), filename=_filename(consultation, view.run, "xlsx")
    )
