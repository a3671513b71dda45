"""Analysis runs: start one, execute it in the worker with progress the page can read, sweep lost ones.

A run is a row (``AnalysisRun``) the page polls; the Celery task calls ``execute_run``, which commits its
progress as it goes (short transactions, so the status page sees them) and stores the library's result as
JSON. A worker that dies leaves a run "running" with a stale heartbeat: ``sweep_runs`` marks it failed
("worker_lost"), and the planner can ``rerun`` it with the same parameters.
"""

from __future__ import annotations

import logging
import threading
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis.opinion import OpinionState, compute_opinion_groups
from analysis.topics import fit_topics
from civic.accounts.models import StaffUser
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.hearings.models import Comment, Vote
from civic.hearings.moderation import visible_for_analysis
from civic.hearings.services import find_hearing
from civic.insight import embeddings, sources
from civic.insight.models import AnalysisRun, RunKind, RunStatus

log = logging.getLogger(__name__)

EMBEDDERS = ("multilingual", "english", "none")
UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING)
#: Stage codes the status partial translates.
STAGES = ("queued", "loading", "embedding", "clustering", "grouping", "saving", "done")


class RunInProgressError(StateError):
    """A run of the same kind is still queued or running for this consultation."""


# --- starting ---------------------------------------------------------------------------------------------


def unfinished_run(session: Session, consultation_id: int, kind: RunKind | str) -> AnalysisRun | None:
    return session.scalars(
        select(AnalysisRun)
        .where(
            AnalysisRun.consultation_id == consultation_id,
            AnalysisRun.kind == str(kind),
            AnalysisRun.status.in_([s.value for s in UNFINISHED]),
        )
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    ).first()


def start_run(
    session: Session,
    consultation: Consultation,
    kind: RunKind | str,
    params: dict[str, Any],
    *,
    actor: StaffUser | None,
) -> AnalysisRun:
    """Create a queued run (the caller commits and enqueues ``tasks.run_analysis`` after the commit).

    Refuses a second unfinished run of the same kind: two runs of one model would race for the same page.
    """
    kind = RunKind(kind)
    if kind == RunKind.OPINION_GROUPS and consultation.kind != ConsultationKind.HEARING:
        raise InvalidInputError(_("Opinion groups come from the votes of a hearing; this is not a hearing."))
    if unfinished_run(session, consultation.id, kind) is not None:
        raise RunInProgressError(
            _("This analysis is already running. Wait until it has finished before you start it again.")
        )
    run = AnalysisRun(
        consultation_id=consultation.id,
        kind=kind.value,
        status=RunStatus.QUEUED.value,
        stage="queued",
        params=dict(params),
        created_by_id=actor.id if actor is not None else None,
        created_at=now_utc(),
    )
    session.add(run)
    session.flush()
    return run


def rerun(session: Session, failed: AnalysisRun, *, actor: StaffUser | None) -> AnalysisRun:
    """Start a failed run again with the same parameters (its worker died or it crashed); the caller commits and
    enqueues. Work the failed run had stored is not redone: topic runs reuse the embeddings already saved."""
    if failed.status != RunStatus.FAILED.value:
        raise StateError(_("Only an analysis that failed can be run again."))
    consultation = session.get(Consultation, failed.consultation_id)
    if consultation is None:
        raise StateError(_("Only an analysis that failed can be run again."))
    return start_run(session, consultation, failed.kind, dict(failed.params or {}), actor=actor)


def topic_params(
    *, n_topics: int | None, embedder: str, seed: int = 0, question_ids: list[int] | None = None
) -> dict[str, Any]:
    """A topic run's parameters; ``question_ids`` (surveys) limits the run to those questions' answers."""
    if embedder not in EMBEDDERS:
        raise InvalidInputError(_("Choose one of the offered language models."))
    params: dict[str, Any] = {"n_topics": n_topics, "embedder": embedder, "seed": seed}
    if question_ids is not None:
        params["question_ids"] = sorted(question_ids)
    return params


# --- executing (in the worker) -----------------------------------------------------------------------------


class Progress:
    """Writes a run's stage and progress and commits at once, so the polling page sees it."""

    def __init__(self, session: Session, run: AnalysisRun) -> None:
        self.session = session
        self.run = run

    def __call__(self, stage: str, progress: int) -> None:
        self.run.stage = stage
        self.run.progress = max(0, min(100, int(progress)))
        self.run.heartbeat_at = now_utc()
        self.session.commit()


def execute_run(session: Session, run_id: int) -> AnalysisRun | None:
    """Run one analysis to its end; a run that has finished (or was swept) is left alone."""
    run = session.get(AnalysisRun, run_id)
    if run is None or run.finished:
        return run
    run.status = RunStatus.RUNNING.value
    run.started_at = run.started_at or now_utc()
    progress = Progress(session, run)
    progress("loading", 2)
    try:
        consultation = session.get(Consultation, run.consultation_id)
        if consultation is None:  # deleted meanwhile (the cascade would have removed the run too)
            return None
        if run.kind == RunKind.TOPICS:
            _run_topics(session, run, consultation, progress)
        else:
            _run_opinion_groups(session, run, consultation, progress)
    except Exception as error:
        session.rollback()
        log.exception("insight run %s failed", run_id)
        _fail(session, run_id, "crashed", "".join(traceback.format_exception(error))[-4000:])
        return session.get(AnalysisRun, run_id)
    return run


def _finish(session: Session, run: AnalysisRun, result: dict[str, Any], *, ok: bool, reason: str | None) -> None:
    run.result = result
    run.status = (RunStatus.DONE if ok else RunStatus.INSUFFICIENT).value
    run.reason = "" if ok else (reason or "insufficient")
    run.stage = "done"
    run.progress = 100
    run.finished_at = now_utc()
    session.commit()


def _fail(session: Session, run_id: int, reason: str, error: str | None = None) -> None:
    session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == run_id)
        .values(status=RunStatus.FAILED.value, reason=reason, error=error, finished_at=now_utc())
    )
    session.commit()


def _run_topics(session: Session, run: AnalysisRun, consultation: Consultation, progress: Progress) -> None:
    params = run.params or {}
    embedder_name = params.get("embedder") or current_app.config["INSIGHT_EMBEDDER"]
    texts = sources.consultation_texts(session, consultation, question_ids=params.get("question_ids"))
    progress("embedding", 5)
    vectors = None
    if texts and embeddings.stores_vectors(embedder_name):
        embedder = embeddings.embedder_for(embedder_name)
        vectors = embeddings.ensure_vectors(
            session,
            texts,
            embedder,
            batch_size=current_app.config["INSIGHT_EMBED_BATCH"],
            on_batch=lambda done, total: progress("embedding", 5 + 65 * done // max(total, 1)),
        )
    progress("clustering", 72)
    with heartbeat(run.id), warnings.catch_warnings():
        # umap warns on import that TensorFlow (for a model we do not use) is missing: noise, not a problem.
        warnings.simplefilter("ignore", ImportWarning)
        result = fit_topics(
            [t.text for t in texts],
            embeddings=vectors,
            embedder=embedder_name,
            n_topics=params.get("n_topics"),
            seed=int(params.get("seed") or 0),
            min_topic_size=int(params.get("min_topic_size") or current_app.config["INSIGHT_MIN_TOPIC_SIZE"]),
        )
    progress("saving", 95)
    data = result.to_dict()
    # Where each text came from, in the order of ``assignments`` (pages and edits find the texts by these).
    data["documents"] = [[t.source, t.source_id] for t in texts]
    data["embedder"] = embedder_name
    _finish(session, run, data, ok=result.status == "ok", reason=result.reason)


def _run_opinion_groups(session: Session, run: AnalysisRun, consultation: Consultation, progress: Progress) -> None:
    hearing = find_hearing(session, consultation)
    if hearing is None:
        _finish(session, run, {"status": "insufficient", "reason": "no_votes"}, ok=False, reason="no_votes")
        return
    published = {str(c.id) for c in visible_for_analysis(session, hearing.id)}
    all_ids = [str(cid) for cid in session.scalars(select(Comment.id).where(Comment.hearing_id == hearing.id))]
    votes = [
        (str(participant_id), str(comment_id), int(value))
        for participant_id, comment_id, value in session.execute(
            select(Vote.participant_id, Vote.comment_id, Vote.value)
            .join(Comment, Comment.id == Vote.comment_id)
            .where(Comment.hearing_id == hearing.id)
            .order_by(Vote.updated_at, Vote.id)
        )
    ]
    previous = _previous_state(session, run)
    progress("grouping", 30)
    with heartbeat(run.id):
        result = compute_opinion_groups(
            votes,
            comment_ids=all_ids,
            moderated_out=[cid for cid in all_ids if cid not in published],
            previous=OpinionState.from_dict(previous),
            seed=int((run.params or {}).get("seed") or 0),
        )
    progress("saving", 95)
    _finish(session, run, result.to_dict(), ok=result.ok, reason=result.reason)


def _previous_state(session: Session, run: AnalysisRun) -> dict[str, Any] | None:
    """The state of the last finished opinion-group run, so groups stay stable while the hearing is live."""
    previous = session.scalars(
        select(AnalysisRun)
        .where(
            AnalysisRun.consultation_id == run.consultation_id,
            AnalysisRun.kind == RunKind.OPINION_GROUPS.value,
            AnalysisRun.status.in_([RunStatus.DONE.value, RunStatus.INSUFFICIENT.value]),
            AnalysisRun.id < run.id,
        )
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    ).first()
    return (previous.result or {}).get("state") if previous is not None else None


@contextmanager
def heartbeat(run_id: int) -> Iterator[None]:
    """Touch the run's heartbeat from a side thread while one long library call runs (it reports no progress)."""
    interval = float(current_app.config["INSIGHT_HEARTBEAT_SECONDS"])
    if interval <= 0:
        yield
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined] - the thread needs the app itself
    stop = threading.Event()

    def beat() -> None:
        with app.app_context():
            while not stop.wait(interval):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(
                            update(AnalysisRun).where(AnalysisRun.id == run_id).values(heartbeat_at=now_utc())
                        )
                except Exception:  # a missed beat only risks an early sweep; never kill the run for it
                    log.warning("insight run %s: heartbeat failed", run_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"insight-heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


# --- sweeping lost runs ------------------------------------------------------------------------------------


def sweep_lost_runs(
    session: Session, *, lost_after: timedelta, never_started_after: timedelta, now: datetime | None = None
) -> int:
    """Mark runs whose worker died as failed: running with no heartbeat for ``lost_after``, or still queued
    after ``never_started_after`` (no worker took them). Returns how many were marked."""
    now = now or now_utc()
    marked = 0
    for run in session.scalars(select(AnalysisRun).where(AnalysisRun.status.in_([s.value for s in UNFINISHED]))):
        if run.status == RunStatus.RUNNING:
            last = run.heartbeat_at or run.started_at or run.created_at
            reason = "worker_lost" if last < now - lost_after else None
        else:
            reason = "never_started" if run.created_at < now - never_started_after else None
        if reason:
            run.status = RunStatus.FAILED.value
            run.reason = reason
            run.finished_at = now
            marked += 1
    session.flush()
    return marked
