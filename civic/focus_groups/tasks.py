"""Celery tasks of focus groups: take ids, are safe to re-run."""

from __future__ import annotations

import time

from celery import shared_task
from flask import current_app
from sqlalchemy.orm import Session

from civic.core.after_commit import enqueue_after_commit
from civic.extensions import db
from civic.focus_groups import themes
from civic.focus_groups.models import Prompt

#: Per process: when each prompt's themes were last asked for (monotonic seconds). Several web processes may each
#: ask once per interval; the task itself skips when nothing changed, so that costs one count query.
_last_requested: dict[int, float] = {}


@shared_task(name="focus_groups.theme_prompt", ignore_result=True)
def theme_prompt(prompt_id: int) -> bool:
    """Group the prompt's visible open answers into themes; skips when their number has not changed."""
    prompt = db.session.get(Prompt, prompt_id)
    if prompt is None:
        return False
    changed = themes.update_themes(db.session, prompt)
    db.session.commit()
    return changed


def request_themes(session: Session, prompt: Prompt) -> bool:
    """Queue ``theme_prompt`` after the commit when answers changed, at most once per interval per prompt.

    Called by the live panels (console and observers poll every few seconds), so themes follow the answers while
    anyone watches, and nobody pays for them otherwise. Returns whether a task was queued.
    """
    interval = float(current_app.config["FOCUS_GROUP_THEMES_SECONDS"])
    now = time.monotonic()
    if now - _last_requested.get(prompt.id, -interval - 1) < interval:
        return False
    if not themes.needs_update(session, prompt):
        return False
    _last_requested[prompt.id] = now
    enqueue_after_commit(session, theme_prompt, prompt.id)
    return True
