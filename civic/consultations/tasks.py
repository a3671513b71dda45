"""Periodic work for consultations."""

from __future__ import annotations

import logging

from celery import shared_task

from civic.consultations import services
from civic.extensions import db

log = logging.getLogger(__name__)


@shared_task(name="consultations.apply_schedule")
def apply_schedule() -> dict[str, int]:
    """Open and close consultations by their dates. Safe to re-run: it only acts on due ones."""
    opened, closed = services.apply_schedule(db.session)
    db.session.commit()
    if opened or closed:
        log.info("schedule applied: opened=%d closed=%d", opened, closed)
    return {"opened": opened, "closed": closed}
