"""The statistical honesty panel's figures: who could answer, how precise a share is, and what was hidden.

* ``sampling_frame.kind``: "registry" when only residents invited from the registers could answer (invitations
  and access by personal link only), "mixed" when invitations went out and the public link was open too,
  "public_link" without invitations. ``criteria`` are the audience criteria of the campaign that invited residents
  (the first, when several did; ``campaigns`` counts them), as stored.
* ``margin_of_error``: the half-width of a 95 % confidence interval for a proportion, worst case p = 0.5, in
  percentage points (one decimal): ``1.96 · sqrt(p(1 − p) / n)``, times the finite population correction
  ``sqrt((N − n) / (N − 1))`` when the population N (the invited) is known and at least n. It describes sampling
  error only: respondents chose to answer (``self_selected``), which no formula corrects.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import or_, select

from civic.campaigns.models import Campaign
from civic.consultations.models import Access
from civic.outreach.models import Invitation
from civic.reports.snapshot.context import Build
from civic.reports.snapshot.suppressed import MIN_CELL

CONFIDENCE = 0.95
Z_95 = 1.959964


def margin_of_error(n: int, population: int | None) -> dict[str, Any] | None:
    if n <= 0:
        return None
    known = population if population is not None and population >= n else None
    points = Z_95 * math.sqrt(0.25 / n)
    if known is not None and known > 1:
        points *= math.sqrt((known - n) / (known - 1))
    return {"n": n, "population": known, "confidence": CONFIDENCE, "points": round(100 * points, 1)}


def honesty(build: Build, participation: dict[str, Any]) -> dict[str, Any]:
    invited = participation["invited"]
    if invited is None:
        kind = "public_link"
    elif build.consultation.access == Access.INVITED:
        kind = "registry"
    else:
        kind = "mixed"
    campaigns = _campaigns(build)
    return {
        "sampling_frame": {
            "kind": kind,
            "invited": invited,
            "criteria": dict(campaigns[0].criteria or {}) if campaigns else None,
            "campaigns": len(campaigns),
        },
        "margin_of_error": margin_of_error(participation["responded"], invited),
        "self_selected": True,
        "suppression": {"min_cell": MIN_CELL, "hidden_cells": build.tally.hidden},
    }


def _campaigns(build: Build) -> list[Campaign]:
    """Campaigns that invited residents: started, or with invitations of their own (drafts selected nobody)."""
    with_invitations = select(Invitation.campaign_id).where(
        Invitation.consultation_id == build.consultation.id, Invitation.campaign_id.is_not(None)
    )
    return list(
        build.session.scalars(
            select(Campaign)
            .where(
                Campaign.consultation_id == build.consultation.id,
                or_(Campaign.started_at.is_not(None), Campaign.id.in_(with_invitations)),
            )
            .order_by(Campaign.id)
        )
    )
