""""You said, we did": what was decided about the topics of a published report, and telling those who took part.

The planner answers some of the snapshot's topics (``ReportOutcome``, the topic's label copied so a later snapshot
without that topic still shows what was answered), leaves others out, and writes the decision itself
(``Report.decision``, with its date). Every saved change to a published report is a new version
(``publishing.bump_version``: new page caches and PDFs).

Residents are told once per report, through the campaigns that invited them: each sent campaign of the
consultation gets an outcome round (``civic.campaigns.services.send_outcome``), which fetches contact data from
the registries again when it runs and messages only invitations that responded, did not stop messages and did not
bounce. The message carries the public report's address, never a personal link. A consultation answered through
its public link only has nobody to tell: the platform knows no one who took part.

Services flush and raise :class:`OutcomeError` (or the campaigns' state errors); views commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.campaigns import services as campaign_services
from civic.campaigns.models import Campaign, CampaignState
from civic.consultations.models import Consultation
from civic.core.errors import DomainError
from civic.core.timeutils import now_utc
from civic.outreach.models import Invitation
from civic.reports.models import Report, ReportOutcome, ReportState
from civic.reports.publishing import bump_version

#: A decision or an answer to a topic longer than this belongs in an attached document, not in the report.
MAX_TEXT = 5_000
MESSAGE_LANGUAGES = ("nb", "nn", "en")


class OutcomeError(DomainError):
    """Refused; ``code`` says why (tests match on it), ``message`` is for the planner."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        # Bad input is 422; every other refusal is about the report's or the campaigns' state.
        self.status_code = 422 if code == "invalid" else 409


@dataclass(frozen=True)
class TopicRow:
    """One topic the planner can answer: from the snapshot, or an earlier answer whose topic is gone."""

    key: str
    label: str
    size: int | None = None
    share: float | None = None
    quotes: tuple[str, ...] = ()
    text: dict[str, str] = field(default_factory=dict)
    in_snapshot: bool = True


def snapshot_topics(snapshot: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Return the topics of a snapshot (``[]`` when it has no topics section)."""
    topics = (snapshot or {}).get("topics") or {}
    return [t for t in topics.get("topics") or [] if isinstance(t, Mapping) and t.get("key")]


def topic_rows(report: Report) -> list[TopicRow]:
    """The snapshot's topics in its order with their answers, then answers to topics no longer in it."""
    answers = {outcome.topic_key: outcome for outcome in report.outcomes}
    rows = []
    for topic in snapshot_topics(report.snapshot):
        key = str(topic["key"])
        answer = answers.pop(key, None)
        rows.append(
            TopicRow(
                key=key,
                label=str(topic.get("label") or (answer.topic_label if answer else key)),
                size=topic.get("size"),
                share=topic.get("share"),
                quotes=tuple(str(q) for q in topic.get("quotes") or ()),
                text=dict(answer.text) if answer else {},
            )
        )
    for answer in sorted(answers.values(), key=lambda a: a.position):
        rows.append(TopicRow(key=answer.topic_key, label=answer.topic_label, text=dict(answer.text), in_snapshot=False))
    return rows


def languages(consultation: Consultation) -> list[str]:
    """The languages outcome texts are written in: the consultation's (bokmål when it names none we know)."""
    return [code for code in consultation.languages or [] if code in MESSAGE_LANGUAGES] or ["nb"]


def has_outcome(report: Report) -> bool:
    """True when anything of "you said, we did" is written (the public section shows only then)."""
    return any(text for text in (report.decision or {}).values()) or any(
        any(text for text in outcome.text.values()) for outcome in report.outcomes
    )


def not_published_message() -> str:
    return _("“You said, we did” belongs to a published report. Compose and publish the report first.")


def require_published(report: Report | None) -> Report:
    if report is None or report.state != ReportState.PUBLISHED:
        raise OutcomeError("not_published", not_published_message())
    return report


def _clean(texts: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, str]:
    clean = {}
    for lang in allowed:
        value = str(texts.get(lang) or "").replace("\r\n", "\n").strip()
        if len(value) > MAX_TEXT:
            raise OutcomeError("invalid", _("A text may be at most %(n)d characters long.", n=MAX_TEXT))
        if value:
            clean[lang] = value
    return clean


def save_outcomes(
    session: Session,
    report: Report | None,
    *,
    topics: Mapping[str, Mapping[str, Any]],
    decision: Mapping[str, Any],
    decided_at: datetime | None,
) -> bool:
    """Store the answers per topic ({key: {lang: text}}; empty = left out) and the decision; True if changed.

    Keys must be topics of the snapshot or earlier answers. A change to the published report is a new version.
    """
    report = require_published(report)
    allowed = languages(report.consultation)
    rows = topic_rows(report)
    known = {row.key: index for index, row in enumerate(rows)}
    unknown = set(topics) - set(known)
    if unknown:
        raise OutcomeError("invalid", _("The report has no topic %(key)s.", key=", ".join(sorted(unknown))))
    existing = {outcome.topic_key: outcome for outcome in report.outcomes}
    changed = False
    for row in rows:
        texts = _clean(topics.get(row.key, row.text), allowed)
        outcome = existing.get(row.key)
        if not texts:
            if outcome is not None:
                report.outcomes.remove(outcome)
                changed = True
            continue
        if outcome is None:
            outcome = ReportOutcome(topic_key=row.key, topic_label=row.label[:200], text=texts,
                                    position=known[row.key])
            report.outcomes.append(outcome)
            changed = True
            continue
        values = {"text": texts, "topic_label": row.label[:200], "position": known[row.key]}
        for name, value in values.items():
            if getattr(outcome, name) != value:
                setattr(outcome, name, value)
                changed = True
    clean_decision = _clean(decision, allowed)
    if clean_decision != (report.decision or {}) or decided_at != report.decided_at:
        report.decision = clean_decision
        report.decided_at = decided_at
        changed = True
    session.flush()
    if changed:
        bump_version(report)
        session.flush()
    return changed


# --- telling the participants ------------------------------------------------------------------------------


@dataclass
class Audience:
    """Who an outcome message can reach: the consultation's campaigns and the invitations that qualify."""

    campaigns: list[Campaign]
    #: Campaigns that have sent their invitations and are idle: these get an outcome round.
    ready: list[Campaign]
    #: Campaigns still sending (a round in progress): telling waits for them.
    busy: list[Campaign]
    #: Invitations of the ready campaigns that responded, did not stop messages and did not bounce.
    eligible: int

    @property
    def has_campaign(self) -> bool:
        return bool(self.campaigns)


def audience(session: Session, consultation: Consultation) -> Audience:
    """Return who would be told; the count is an upper bound (the registries are asked again at send time)."""
    campaigns = list(
        session.scalars(select(Campaign).where(Campaign.consultation_id == consultation.id).order_by(Campaign.id))
    )
    ready = [c for c in campaigns if c.state == CampaignState.SENT]
    busy = [c for c in campaigns if c.state == CampaignState.SENDING]
    eligible = 0
    if ready:
        eligible = int(
            session.scalar(
                select(func.count(Invitation.id)).where(
                    Invitation.campaign_id.in_([c.id for c in ready]),
                    Invitation.responded_at.is_not(None),
                    Invitation.reminders_stopped_at.is_(None),
                    Invitation.bounced_at.is_(None),
                )
            )
            or 0
        )
    return Audience(campaigns=campaigns, ready=ready, busy=busy, eligible=eligible)


def notified_message(report: Report) -> str:
    when = report.outcome_notified_at
    return _("The participants were told on %(date)s. They are told only once.", date=format_date(when, "long"))


def notify_participants(
    session: Session, report: Report | None, *, report_url: str, now: datetime | None = None
) -> Audience:
    """Start an outcome round in every sent campaign of the consultation, once per report.

    ``report_url`` is the public report's absolute address: the same for everyone, the only link in the message.
    """
    now = now or now_utc()
    report = require_published(report)
    if report.outcome_notified_at is not None:
        raise OutcomeError("already_notified", notified_message(report))
    if not has_outcome(report):
        raise OutcomeError(
            "nothing_written",
            _("Write the decision, or what was done about a topic, before telling the participants."),
        )
    found = audience(session, report.consultation)
    if not found.has_campaign:
        raise OutcomeError(
            "no_campaign",
            _("Nobody can be told: residents took part through the public link only, and the platform does not "
              "know who they are."),
        )
    if found.busy:
        raise OutcomeError("busy", _("A campaign of this consultation is still sending. Try again when it is done."))
    if not found.eligible:
        raise OutcomeError(
            "nobody",
            _("Nobody can be told: no resident responded through a campaign's personal link, or all who did "
              "have stopped messages or could not be reached."),
        )
    for campaign in found.ready:
        campaign_services.send_outcome(session, campaign, link=report_url, now=now)
    report.outcome_notified_at = now
    session.flush()
    return found
