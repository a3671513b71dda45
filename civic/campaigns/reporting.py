"""Follow-up numbers for planners: the funnel, failures, unknowns, who was not contacted, response by segment.

Everything is counted from invitations and message rows (which hold no identity) and from the aggregate
audience counts start_round stored. Pages show counts from 1 to 4 as "fewer than 5" (see ``shown``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.campaigns.models import Campaign, MessagePurpose, MessageState, OutboundMessage
from civic.outreach.models import Invitation

MIN_CELL = 5
#: A segment whose response rate is below this share of the overall rate is flagged as under-represented.
UNDER_REPRESENTED = 0.75
SEGMENT_LABELS = {"age_band": _l("Age"), "district": _l("District"), "household_type": _l("Household")}
NOT_CONTACTED = {
    "reserved": _l("Reserved against digital contact (KRR)"),
    "no_contact": _l("No contact information"),
    "stale": _l("Contact information older than 18 months"),
    "protected": _l("Protected address"),
    "not_active": _l("Not active in the contact register"),
}


def shown(count: int | None) -> str:
    """Return a count for display: "fewer than 5" for 1–4, so no small group can be singled out."""
    count = int(count or 0)
    if 0 < count < MIN_CELL:
        return _("fewer than %(n)d", n=MIN_CELL)
    return str(count)


@dataclass
class SegmentRow:
    dimension: str
    value: str
    population: int
    population_share: float
    invited: int
    responded: int
    rate: float
    under_represented: bool


@dataclass
class CampaignReport:
    funnel: list[tuple[str, str, int]] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)  # messages by state, all rounds
    latest_round: int = 0
    latest_states: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, int]] = field(default_factory=list)
    unknown: int = 0
    not_contacted: list[tuple[str, int]] = field(default_factory=list)
    segments: dict[str, list[SegmentRow]] = field(default_factory=dict)
    overall_rate: float = 0.0
    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: One row per round in order: (number, label, requested_at, skipped reasons); outcome rounds are labelled so.
    round_rows: list[tuple[int, str, str, dict[str, int]]] = field(default_factory=list)

    @property
    def in_flight(self) -> int:
        return self.latest_states.get(MessageState.PENDING, 0) + self.latest_states.get(MessageState.SENDING, 0)

    @property
    def latest_total(self) -> int:
        return sum(self.latest_states.values())

    @property
    def latest_label(self) -> str:
        """What the latest round was: "Invitations", "Reminder round 2" or "Outcome message"; "" before any."""
        if not self.rounds:
            return ""
        return round_label(self.latest_round, self.rounds.get(str(self.latest_round), {}))


def round_label(round_no: int, entry: dict[str, Any]) -> str:
    purpose = entry.get("purpose") or (MessagePurpose.INVITATION if round_no == 0 else MessagePurpose.REMINDER)
    if purpose == MessagePurpose.OUTCOME:
        return _("Outcome message")
    if purpose == MessagePurpose.INVITATION:
        return _("Invitations")
    return _("Reminder round %(n)d", n=round_no)


def _by_state(session: Session, campaign_id: int, round_no: int | None = None) -> dict[str, int]:
    query = select(OutboundMessage.state, func.count()).where(OutboundMessage.campaign_id == campaign_id)
    if round_no is not None:
        query = query.where(OutboundMessage.round == round_no)
    return {state: n for state, n in session.execute(query.group_by(OutboundMessage.state))}


def progress(session: Session, campaign: Campaign) -> CampaignReport:
    """The cheap part of the report, polled every 2 s while sending: message states of the latest round."""
    report = CampaignReport()
    rounds = (campaign.counts or {}).get("rounds", {})
    report.rounds = rounds
    report.latest_round = max((int(k) for k in rounds), default=0)
    report.latest_states = _by_state(session, campaign.id, report.latest_round)
    report.round_rows = [
        (int(key), round_label(int(key), entry), str(entry.get("requested_at") or ""), dict(entry.get("skipped") or {}))
        for key, entry in sorted(rounds.items(), key=lambda item: int(item[0]))
    ]
    return report


def campaign_report(session: Session, campaign: Campaign) -> CampaignReport:
    """Return everything the campaign page shows."""
    report = progress(session, campaign)
    counts = campaign.counts or {}
    report.states = _by_state(session, campaign.id)
    invitations = Invitation.campaign_id == campaign.id
    totals = session.execute(
        select(
            func.count(Invitation.id),
            func.count(Invitation.sent_at),
            func.count(Invitation.delivered_at),
            func.count(Invitation.opened_at),
            func.count(Invitation.responded_at),
        ).where(invitations)
    ).one()
    _invited, sent, delivered, opened, responded = (int(x) for x in totals)
    report.funnel = [
        ("matched", _("Matched the criteria"), int(counts.get("matched", 0))),
        ("reachable", _("Reachable"), int(counts.get("reachable", 0))),
        ("sent", _("Sent"), sent),
        ("delivered", _("Delivered (SMS delivery reports)"), delivered),
        ("opened", _("Opened the link"), opened),
        ("responded", _("Responded"), responded),
    ]
    outcome_rounds = [int(k) for k, entry in report.rounds.items() if entry.get("purpose") == MessagePurpose.OUTCOME]
    if outcome_rounds:
        told = session.scalar(
            select(func.count(func.distinct(OutboundMessage.invitation_id))).where(
                OutboundMessage.campaign_id == campaign.id,
                OutboundMessage.round.in_(outcome_rounds),
                OutboundMessage.state.in_((MessageState.SENT, MessageState.DELIVERED)),
            )
        )
        report.funnel.append(("told_outcome", _("Told the outcome"), int(told or 0)))
    report.failures = [
        (reason, int(n))
        for reason, n in session.execute(
            select(OutboundMessage.failure_reason, func.count())
            .where(OutboundMessage.campaign_id == campaign.id, OutboundMessage.state == MessageState.FAILED)
            .group_by(OutboundMessage.failure_reason)
            .order_by(func.count().desc())
        )
    ]
    report.unknown = report.states.get(MessageState.UNKNOWN, 0)
    report.not_contacted = [(str(label), int(counts.get(key, 0))) for key, label in NOT_CONTACTED.items()]
    report.overall_rate = responded / sent if sent else 0.0
    report.segments = _segments(session, campaign, counts.get("by_segment") or {}, report.overall_rate)
    return report


def _segments(
    session: Session, campaign: Campaign, population: dict[str, dict[str, int]], overall: float
) -> dict[str, list[SegmentRow]]:
    result: dict[str, list[SegmentRow]] = {}
    for dimension in SEGMENT_LABELS:
        column = getattr(Invitation, dimension)
        rows = session.execute(
            select(column, func.count(Invitation.sent_at), func.count(Invitation.responded_at))
            .where(Invitation.campaign_id == campaign.id)
            .group_by(column)
        ).all()
        invited: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for value, n_sent, n_responded in rows:
            invited[value or ""] = (int(n_sent), int(n_responded))
        people = population.get(dimension, {})
        total_people = sum(people.values()) or 1
        values = sorted(set(people) | {v for v in invited if v})
        segment_rows = []
        for value in values:
            n_sent, n_responded = invited.get(value, (0, 0))
            rate = n_responded / n_sent if n_sent else 0.0
            segment_rows.append(
                SegmentRow(
                    dimension=dimension,
                    value=value,
                    population=int(people.get(value, 0)),
                    population_share=people.get(value, 0) / total_people,
                    invited=n_sent,
                    responded=n_responded,
                    rate=rate,
                    # Only flag groups big enough to say something, and only once anyone has responded.
                    under_represented=n_sent >= MIN_CELL and overall > 0 and rate < UNDER_REPRESENTED * overall,
                )
            )
        result[dimension] = segment_rows
    return result
