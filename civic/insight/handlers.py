"""Subscriptions to other domains' events (connected in register)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from civic.core.after_commit import enqueue_after_commit
from civic.extensions import db
from civic.hearings import signals as hearing_signals
from civic.insight import tasks


def connect(app: Flask) -> None:
    # weak=False: the receiver is a module function, but blinker would otherwise hold it weakly.
    hearing_signals.comment_written.connect(_embed_soon, weak=False)


def _embed_soon(comment: Any, **_: Any) -> None:
    """Embed new and edited comments once they are committed (one batched task for what is missing)."""
    if current_app.config.get("INSIGHT_EMBEDDER", "none") in ("", "none"):
        return  # the no-model embedder stores nothing
    enqueue_after_commit(db.session, tasks.embed_new_texts)
