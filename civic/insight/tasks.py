"""Celery tasks for insight: take ids, are safe to re-run."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app

from civic.extensions import db
from civic.insight import embeddings

# Functions, not the module: the package binds the name ``runs`` to the runs *views* (civic/insight/__init__.py).
from civic.insight.runs import execute_run, sweep_lost_runs

log = logging.getLogger(__name__)


@shared_task(name="insight.embed_new_texts", ignore_result=True)
def embed_new_texts() -> int:
    """Embed every analysable text that has no embedding by the configured embedder yet (in batches).

    Sent after a comment is posted or edited, and every minute by beat (survey answers, comments published by a
    moderator, a backlog larger than one task's limit). Each batch is committed, so a stopped task loses little.
    """
    config = current_app.config
    count = embeddings.embed_pending(
        db.session,
        config["INSIGHT_EMBEDDER"],
        batch_size=int(config["INSIGHT_EMBED_BATCH"]),
        limit=int(config["INSIGHT_EMBED_LIMIT"]),
        commit=db.session.commit,
    )
    if count:
        log.info("insight: embedded %d texts with %s", count, config["INSIGHT_EMBEDDER"])
    return count


@shared_task(name="insight.run_analysis", ignore_result=True)
def run_analysis(run_id: int) -> None:
    """Run one AnalysisRun (topics or opinion groups), updating its progress; a finished run is left alone."""
    execute_run(db.session, run_id)


@shared_task(name="insight.sweep_runs", ignore_result=True)
def sweep_runs() -> int:
    """Mark runs whose worker died (no heartbeat) or that no worker took as failed, so they can start again."""
    config = current_app.config
    marked = sweep_lost_runs(
        db.session,
        lost_after=timedelta(minutes=float(config["INSIGHT_RUN_LOST_MINUTES"])),
        never_started_after=timedelta(minutes=float(config["INSIGHT_RUN_NEVER_STARTED_MINUTES"])),
    )
    db.session.commit()
    if marked:
        log.warning("insight: marked %d lost analysis runs as failed", marked)
    return marked
