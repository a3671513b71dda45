"""Scheduled privacy work: the free-text retention rule (beat runs it daily; see civic/config.py)."""

from __future__ import annotations

import logging

from celery import shared_task

from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.privacy import retention

log = logging.getLogger(__name__)


@shared_task(name="privacy.apply_retention")
def apply_retention(batch_size: int = retention.DEFAULT_BATCH_SIZE) -> dict[str, int]:
    """Erase the free text of up to ``batch_size`` consultations whose retention period has run out.

    Takes no personal data and is safe to rerun: an erased consultation is recorded and skipped. Commits after
    each consultation, so a crash loses at most the one in progress and the next run picks it up; what is left
    over when the batch is full waits for the next run.
    """
    now = now_utc()
    pending = retention.due(db.session, now=now)
    erased = 0
    for candidate in pending[:batch_size]:
        erasure = retention.erase_free_text(db.session, candidate, now=now)
        db.session.commit()
        erased += 1
        log.info(
            "free text erased: consultation=%d survey=%d hearing=%d focus_group=%d",
            candidate.consultation_id,
            erasure.survey_texts,
            erasure.hearing_texts,
            erasure.focus_group_texts,
        )
    return {"erased": erased, "remaining": max(0, len(pending) - batch_size)}
