"""The coarse segments an invitation (and so a response) carries, and how pages name them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civic.outreach.models import Invitation

DIMENSION_LABELS = {"age_band": _l("Age band"), "district": _l("District"), "household_type": _l("Household type")}
HOUSEHOLD_LABELS = {
    "single": _l("Living alone"),
    "couple": _l("Couple"),
    "family_with_children": _l("Family with children"),
    "shared": _l("Shared household"),
}


@dataclass(frozen=True)
class Segment:
    """The segment a participant carries from their invitation; empty when they came by a public link."""

    age_band: str = ""
    district: str = ""
    household_type: str = ""

    @classmethod
    def of(cls, invitation: Invitation) -> Segment:
        return cls(invitation.age_band, invitation.district, invitation.household_type)


def dimension_label(dimension: str) -> str:
    return str(DIMENSION_LABELS.get(dimension, dimension))


def segment_label(dimension: str, value: str) -> str:
    """Name a segment value: "" is "not stated" (public-link answers), household types in words, others as stored."""
    if not value:
        return _("Not stated")
    if dimension == "household_type" and value in HOUSEHOLD_LABELS:
        return str(HOUSEHOLD_LABELS[value])
    return value
