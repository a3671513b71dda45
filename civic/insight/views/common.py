"""What the insight pages share: loading a consultation of the staff member's organisation, the latest runs,
who may do what, and the translated explanations of the library's reason codes."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from civic.accounts.models import Role
from civic.accounts.permissions import ALL_STAFF, PLANNERS, same_organisation
from civic.consultations.models import Consultation, ConsultationKind
from civic.extensions import db
from civic.insight.models import AnalysisRun, RunKind, RunStatus

#: Viewing results: every staff role. Starting runs and editing topics: planners. Exports: as reports' exports.
VIEW_ROLES = ALL_STAFF
EDIT_ROLES = PLANNERS
EXPORT_ROLES = (Role.ADMIN, Role.PLANNER, Role.MODERATOR)

#: Consultation kinds insight analyses (a focus group: the answers to its open prompts).
ANALYSABLE_KINDS = (ConsultationKind.HEARING, ConsultationKind.SURVEY, ConsultationKind.FOCUS_GROUP)


def load_consultation(consultation_id: int) -> Consultation:
    """A hearing, survey or focus group of the current staff member's organisation; 404 otherwise."""
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    if consultation.kind not in ANALYSABLE_KINDS:
        abort(404)
    return consultation


def latest_run(consultation_id: int, kind: RunKind | str, *, finished_only: bool = False) -> AnalysisRun | None:
    """The newest run of ``kind`` for the consultation (any status unless ``finished_only``)."""
    query = select(AnalysisRun).where(AnalysisRun.consultation_id == consultation_id, AnalysisRun.kind == str(kind))
    if finished_only:
        query = query.where(AnalysisRun.status.in_([RunStatus.DONE, RunStatus.INSUFFICIENT, RunStatus.FAILED]))
    return db.session.scalars(query.order_by(AnalysisRun.id.desc()).limit(1)).first()


def latest_done_run(consultation_id: int, kind: RunKind | str) -> AnalysisRun | None:
    """The newest run of ``kind`` that produced a result (status done)."""
    query = select(AnalysisRun).where(
        AnalysisRun.consultation_id == consultation_id,
        AnalysisRun.kind == str(kind),
        AnalysisRun.status == RunStatus.DONE,
    )
    return db.session.scalars(query.order_by(AnalysisRun.id.desc()).limit(1)).first()


def can_edit() -> bool:
    return current_user.role in EDIT_ROLES


def can_export() -> bool:
    return current_user.role in EXPORT_ROLES


#: Why a run gave no result, per kind: the library's stable reason codes, translated here (one place for all).
TOPIC_REASONS = {
    "too_few_texts": _l("There are too few comments to find topics: a topic model needs at least 10."),
    "too_few_distinct_texts": _l(
        "Most comments are copies of one another, so there are too few different comments to find topics."
    ),
    "no_words": _l(
        "None of the comments has a word that could describe a topic (only common words, numbers or symbols)."
    ),
    "no_topics_found": _l(
        "No group of similar comments was found: every comment stands alone. Choose a number of topics and run again."
    ),
}
#: The library's warnings about a result that is still shown (translated by their stable codes).
TOPIC_WARNINGS = {
    "empty_texts": _l("Empty comments were left out."),
    "duplicate_texts": _l("Some comments are exact copies of others; each copy counts, so repeated texts weigh more."),
    "language_not_covered": _l(
        "Some comments are in a language the chosen language model does not cover; their topics may follow "
        "surface words rather than meaning. The multilingual model covers them."
    ),
    "n_topics_reduced": _l("There are fewer different comments than the topics you asked for, so fewer were made."),
    "one_topic": _l("Only one topic was found: the comments may be too similar, or too few."),
    "many_outliers": _l(
        "More than half of the comments fit no topic. Choosing a number of topics puts every comment in one."
    ),
}
GROUP_REASONS = {
    "no_votes": _l("There are no votes yet, so there are no opinion groups to show."),
    "too_few_comments": _l("Opinion groups need votes on more statements that have not been moderated out."),
    "too_few_participants": _l("Too few participants have voted on enough statements to find opinion groups."),
    "no_variation": _l("Everyone voted the same way, so there are no differences of opinion to group people by."),
}
RUN_REASONS = {
    "worker_lost": _l("The analysis stopped because the worker running it was lost. Start it again."),
    "never_started": _l("The analysis never started: no worker took it. Start it again."),
    "crashed": _l("The analysis failed because of an error. Start it again; if it fails again, tell support."),
}
GENERIC_REASON = _l("The analysis could not produce a meaningful result from this data.")


def warning_texts(run: AnalysisRun) -> list[str]:
    """The translated warnings of a topic run (unknown codes keep the library's English sentence)."""
    result = run.result or {}
    sentences = result.get("warnings") or []
    codes = result.get("warning_codes") or []
    return [
        str(TOPIC_WARNINGS[code]) if code in TOPIC_WARNINGS else text
        for code, text in zip(codes, sentences, strict=False)
    ]


def reason_text(run: AnalysisRun) -> str:
    """The translated explanation of why a run has no result; the library's English text for an unknown code."""
    reasons = {**(TOPIC_REASONS if run.kind == RunKind.TOPICS else GROUP_REASONS), **RUN_REASONS}
    if run.reason in reasons:
        return str(reasons[run.reason])
    explanation = str((run.result or {}).get("explanation") or "")
    return explanation or str(GENERIC_REASON)


def optional_url(endpoint: str, **values: Any) -> str | None:
    """url_for, or None when the endpoint does not exist (a page another part of insight may not provide)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def consultation_url(consultation: Consultation) -> str:
    """The staff page of the hearing, survey or focus group the analysis belongs to."""
    if consultation.kind == ConsultationKind.HEARING:
        return url_for("hearings_manage.detail", consultation_id=consultation.id)
    if consultation.kind == ConsultationKind.FOCUS_GROUP:
        focus_group_page = optional_url("focus_groups_manage.detail", consultation_id=consultation.id)
        if focus_group_page:
            return focus_group_page
    return url_for("consultations.detail", consultation_id=consultation.id)
