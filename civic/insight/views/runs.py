"""Insight start page: start topic and opinion-group runs and follow their progress (polled from the DB)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from civic.accounts.permissions import staff_required
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.after_commit import enqueue_after_commit
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, is_partial_request
from civic.core.i18n import current_locale, localized
from civic.extensions import db
from civic.insight import tasks
from civic.insight.forms import ConfirmForm, TopicRunForm
from civic.insight.models import AnalysisRun, RunKind
from civic.insight.runs import rerun, start_run, topic_params
from civic.insight.sources import open_prompts, text_questions
from civic.insight.views.common import (
    EDIT_ROLES,
    VIEW_ROLES,
    can_edit,
    consultation_url,
    latest_run,
    load_consultation,
    optional_url,
    reason_text,
)
from civic.surveys.models import QuestionKind

bp = Blueprint("insight_runs", __name__, url_prefix="/manage/insight")


def run_context(consultation: Consultation, run: AnalysisRun | None) -> dict[str, Any]:
    """What the run status partial needs (also used by the topic page for a run in progress)."""
    return {
        "consultation": consultation,
        "run": run,
        "reason_text": reason_text,
        "results_url": results_url,
        "can_edit": can_edit(),
    }


def results_url(run: AnalysisRun) -> str | None:
    endpoint = "insight_topics.overview" if run.kind == RunKind.TOPICS else "insight_groups.overview"
    return optional_url(endpoint, consultation_id=run.consultation_id)


def _topic_form(consultation: Consultation, *, submitted: bool) -> TopicRunForm:
    """The topic run form; for a survey with the questions whose answers can be analysed (long texts ticked),
    for a focus group with its open prompts (all ticked)."""
    if consultation.kind == ConsultationKind.FOCUS_GROUP:
        prompts = open_prompts(db.session, consultation)
        choices = [(p.id, localized(p.text, current_locale())) for p in prompts]
        chosen = [p.id for p in prompts]
    else:
        questions = [] if consultation.kind == ConsultationKind.HEARING else text_questions(db.session, consultation)
        choices = [(q.id, localized(q.text, current_locale())) for q in questions]
        chosen = [q.id for q in questions if q.kind_enum == QuestionKind.LONG_TEXT] or [q.id for q in questions]
    if submitted:
        return TopicRunForm(questions=choices)
    return TopicRunForm(formdata=None, questions=choices, data={"questions": chosen})


def _page(consultation: Consultation, *, topic_form: TopicRunForm | None = None, error: str = "") -> str:
    is_hearing = consultation.kind == ConsultationKind.HEARING
    return render_template(
        "insight/index.html",
        consultation=consultation,
        back_url=consultation_url(consultation),
        topics_run=latest_run(consultation.id, RunKind.TOPICS),
        groups_run=latest_run(consultation.id, RunKind.OPINION_GROUPS) if is_hearing else None,
        is_hearing=is_hearing,
        is_focus_group=consultation.kind == ConsultationKind.FOCUS_GROUP,
        topic_form=topic_form or _topic_form(consultation, submitted=False),
        groups_form=ConfirmForm(formdata=None),
        can_edit=can_edit(),
        segments_url=(
            optional_url("insight_segments.overview", consultation_id=consultation.id)
            if consultation.kind == ConsultationKind.SURVEY
            else None
        ),
        error=error,
        reason_text=reason_text,
        results_url=results_url,
    )


@bp.get("/<int:consultation_id>")
@staff_required(*VIEW_ROLES)
def overview(consultation_id: int) -> str:
    return _page(load_consultation(consultation_id))


@bp.post("/<int:consultation_id>/runs")
@staff_required(*EDIT_ROLES)
def start(consultation_id: int) -> Response | tuple[str, int]:
    consultation = load_consultation(consultation_id)
    kind = request.form.get("kind", RunKind.TOPICS.value)
    if kind not in (RunKind.TOPICS.value, RunKind.OPINION_GROUPS.value):
        abort(400)
    topic_form = _topic_form(consultation, submitted=True) if kind == RunKind.TOPICS else None
    form = topic_form or ConfirmForm()
    if not form.validate():
        return _page(consultation, topic_form=topic_form, error=""), 422
    try:
        params: dict[str, Any] = {"seed": 0}
        if topic_form is not None:
            params = topic_params(
                n_topics=topic_form.chosen_topics(),
                embedder=topic_form.embedder.data or "",
                question_ids=topic_form.chosen_questions(),
            )
        run = start_run(db.session, consultation, kind, params, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _page(consultation, topic_form=topic_form, error=error.message), error.status_code
    enqueue_after_commit(db.session, tasks.run_analysis, run.id)
    db.session.commit()
    return hx_redirect(
        url_for("insight_runs.overview", consultation_id=consultation.id, _anchor=f"run-{run.id}-status")
    )


@bp.post("/<int:consultation_id>/runs/<int:run_id>/rerun")
@staff_required(*EDIT_ROLES)
def rerun_failed(consultation_id: int, run_id: int) -> Response | tuple[str, int]:
    """Run a failed analysis again with its parameters (after its worker died, for instance)."""
    consultation = load_consultation(consultation_id)
    failed = db.get_or_404(AnalysisRun, run_id)
    if failed.consultation_id != consultation.id:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    try:
        run = rerun(db.session, failed, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return _page(consultation, error=error.message), error.status_code
    enqueue_after_commit(db.session, tasks.run_analysis, run.id)
    db.session.commit()
    return hx_redirect(
        url_for("insight_runs.overview", consultation_id=consultation.id, _anchor=f"run-{run.id}-status")
    )


@bp.get("/<int:consultation_id>/runs/<int:run_id>/status")
@staff_required(*VIEW_ROLES)
def status(consultation_id: int, run_id: int) -> Response:
    """The run's status fragment (htmx polls it while the run is unfinished); a plain GET goes to the page."""
    consultation = load_consultation(consultation_id)
    run = db.get_or_404(AnalysisRun, run_id)
    if run.consultation_id != consultation.id:
        abort(404)
    if not is_partial_request():
        response = redirect(url_for("insight_runs.overview", consultation_id=consultation.id), code=303)
    else:
        response = make_response(render_template("insight/_partials/run_status.html", **run_context(consultation, run)))
    response.vary.add("HX-Request")
    return response
