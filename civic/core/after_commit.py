"""Queue Celery tasks in the request and dispatch them only after the transaction commits.

Workers therefore never read rows that were not committed, and a rollback drops the queued work
(Indico's e-mail queue idea, generalised to any task).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_QUEUE_KEY = "civic_after_commit_queue"


def enqueue_after_commit(session: Session, task: Any, *args: Any, **kwargs: Any) -> None:
    """Run ``task.delay(*args, **kwargs)`` once ``session`` has committed."""
    session.info.setdefault(_QUEUE_KEY, []).append((task, args, kwargs))


def install(session_factory: Any) -> None:
    """Attach the commit/rollback listeners to a session class or sessionmaker."""

    @event.listens_for(session_factory, "after_commit")
    def _dispatch(session: Session) -> None:
        queued = session.info.pop(_QUEUE_KEY, [])
        for task, args, kwargs in queued:
            task.delay(*args, **kwargs)

    @event.listens_for(session_factory, "after_soft_rollback")
    def _drop(session: Session, previous_transaction: Any) -> None:
        session.info.pop(_QUEUE_KEY, None)
