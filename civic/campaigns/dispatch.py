"""The dispatch engine: plan a round (invitations + outbox rows), then send batches through the transports.

Policy (stated here, shown on the campaign page):

* Every message row is a compare-and-set gate: a batch sends only a message it moved from ``pending`` to
  ``sending`` itself, and commits that claim before calling the provider. A re-delivered or duplicated batch
  therefore never sends a message twice.
* A message found in ``sending`` when a batch is (re)delivered, or left there longer than the lease, was in
  flight when a worker died: it becomes ``unknown`` and is **not** resent (at most once). An SMS delivery
  report resolves it later; the planner may choose "resend unknown" explicitly.
* Transient provider errors put the message back to ``pending`` and the rest of the batch is retried with
  backoff; after ``MAX_ATTEMPTS`` it becomes ``failed``. Permanent refusals fail at once with a reason code.

Contact data (addresses, first names) exists only in memory and in the send_batch payloads, which are
published with a redacted argsrepr. Each message's link token is made when its batch starts sending, goes
into the message and is dropped: only its hash is stored (outreach.links). Nothing here logs them;
provider errors carry reason codes only.

A round has a purpose, kept with it in ``campaign.counts["rounds"]``: round 0 invites, later rounds remind,
unless their entry says ``"purpose": "outcome"``. An outcome round ("you said, we did") goes to residents who
responded, did not stop messages and did not bounce; it carries the public report link stored with the round
(``"link"``) instead of a personal link, so no token is made for it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import func, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation
from civic.campaigns.audience import Recipient
from civic.campaigns.calendar_attachment import attach_calendar, message_calendar
from civic.campaigns.content import MESSAGE_LANGUAGES, pick_template, render_message
from civic.campaigns.deliveries import bounce_headers, envelope_from
from civic.campaigns.models import Campaign, CampaignTemplate, MessagePurpose, MessageState, OutboundMessage
from civic.campaigns.tokens import person_reference
from civic.consultations.models import Consultation
from civic.core.timeutils import now_utc
from civic.focus_groups.models import FocusGroup
from civic.outreach.email import EmailPermanentError, EmailSession, EmailTransientError, build_message, mail_domain
from civic.outreach.links import issue_links
from civic.outreach.models import Invitation
from civic.outreach.sms import SmsAmbiguousError, SmsMessage, SmsPermanentError, SmsTransientError, SmsTransport

log = logging.getLogger(__name__)

#: Messages per send_batch task: big enough to reuse one SMTP connection, small enough to spread over workers.
BATCH_SIZE = 150
#: Attempts per message (claims) before transient errors make it ``failed`` (the batch retry budget usually ends first).
MAX_ATTEMPTS = 20
#: A message in ``sending`` longer than this was lost with its worker: ``unknown``.
SENDING_LEASE = timedelta(minutes=10)
#: Pending messages of a campaign where nothing moved for this long lost their batch: plan the round again.
STALLED_AFTER = timedelta(minutes=10)
#: SMTP reasons where the message may have been accepted (connection lost during or after DATA).
#: "disconnected" means the session found the connection gone before anything was sent: transient, not ambiguous.
AMBIGUOUS_EMAIL_REASONS = frozenset({"connection_lost"})
SEGMENT_DIMENSIONS = ("age_band", "district", "household_type")


# --- planning a round -----------------------------------------------------------------------------------


@dataclass
class RoundPlan:
    """What start_round produced: the payloads of pending messages and why others were left out."""

    round: int
    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    invitations_created: int = 0
    messages_created: int = 0

    def batches(self, size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
        """Yield the payloads in chunks of one channel each (one SMTP session per e-mail batch)."""
        for channel in ("email", "sms"):
            same = [item for item in self.items if item["c"] == channel]
            for start in range(0, len(same), size):
                yield same[start : start + size]

    def summary(self) -> dict[str, Any]:
        return {
            "queued": len(self.items),
            "invitations_created": self.invitations_created,
            "messages_created": self.messages_created,
            "skipped": dict(self.skipped),
        }


def _payload(message_id: int, recipient: Recipient) -> dict[str, Any]:
    # The minimum a send needs (the link token is made at the claim). Short keys: 270,000 of these pass
    # through the broker.
    return {
        "m": message_id,
        "c": recipient.channel,
        "a": recipient.address,
        "f": recipient.first_name,
        "l": recipient.language,
    }


def plan_round(
    session: Session,
    campaign: Campaign,
    round_no: int,
    recipients: Sequence[Recipient],
    *,
    secret_key: str,
    segment: Mapping[str, str] | None = None,
    now: datetime | None = None,
    purpose: str | None = None,
) -> RoundPlan:
    """Create the round's invitations (round 0) and message rows, in bulk; return the pending payloads.

    Safe to run again: existing invitations and messages are found by person reference and (invitation, round).
    Round 0 invites every recipient; later rounds remind invited residents who have not responded, have not
    stopped reminders and did not bounce, optionally only those of one ``segment`` ({"dimension", "value"}).
    An outcome round (``purpose``) tells residents who responded, have not stopped messages and did not bounce.
    """
    now = now or now_utc()
    outcome = purpose == MessagePurpose.OUTCOME
    plan = RoundPlan(round=round_no)
    people: dict[str, Recipient] = {}
    for recipient in recipients:
        people.setdefault(person_reference(secret_key, campaign.token_salt, recipient.national_id), recipient)

    if round_no == 0:
        known = set(session.scalars(select(Invitation.person_ref).where(Invitation.campaign_id == campaign.id)))
        rows = [
            {
                "consultation_id": campaign.consultation_id,
                "campaign_id": campaign.id,
                "person_ref": person_ref,
                "channel": recipient.channel,
                "age_band": recipient.age_band,
                "district": recipient.district,
                "household_type": recipient.household_type,
                "created_at": now,
            }
            for person_ref, recipient in people.items()
            if person_ref not in known
        ]
        if rows:
            session.execute(insert(Invitation), rows)
        plan.invitations_created = len(rows)

    invitations = session.execute(
        select(
            Invitation.id,
            Invitation.person_ref,
            Invitation.sent_at,
            Invitation.responded_at,
            Invitation.reminders_stopped_at,
            Invitation.bounced_at,
            Invitation.age_band,
            Invitation.district,
            Invitation.household_type,
        ).where(Invitation.campaign_id == campaign.id)
    ).all()
    by_person = {row.person_ref: row for row in invitations}
    existing = set(
        session.scalars(
            select(OutboundMessage.invitation_id).where(
                OutboundMessage.campaign_id == campaign.id, OutboundMessage.round == round_no
            )
        )
    )
    targets: dict[int, Recipient] = {}
    new_messages = []
    for person_ref, recipient in people.items():
        row = by_person.get(person_ref)
        if row is None:
            plan.skipped["not_invited"] += 1  # joined the audience after the invitation round
            continue
        if round_no > 0:
            reason = _outcome_skip_reason(row) if outcome else _reminder_skip_reason(row, segment)
            if reason:
                plan.skipped[reason] += 1
                continue
        targets[row.id] = recipient
        if row.id not in existing:
            new_messages.append(
                {
                    "campaign_id": campaign.id,
                    "invitation_id": row.id,
                    "round": round_no,
                    "channel": recipient.channel,
                    "state": MessageState.PENDING.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if new_messages:
        session.execute(insert(OutboundMessage), new_messages)
    plan.messages_created = len(new_messages)

    pending = session.execute(
        select(OutboundMessage.id, OutboundMessage.invitation_id, OutboundMessage.channel)
        .where(
            OutboundMessage.campaign_id == campaign.id,
            OutboundMessage.round == round_no,
            OutboundMessage.state == MessageState.PENDING,
        )
        .order_by(OutboundMessage.id)
    ).all()
    gone: list[int] = []
    for message_id, invitation_id, channel in pending:
        target = targets.get(invitation_id)
        if target is None or target.channel != channel:
            gone.append(message_id)  # no longer in the audience, or its contact data changed channel
            continue
        plan.items.append(_payload(message_id, target))
    if gone:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(gone), OutboundMessage.state == MessageState.PENDING)
            .values(state=MessageState.FAILED, failure_reason="not_reachable_now", updated_at=now)
        )
        plan.skipped["not_reachable_now"] += len(gone)
    return plan


def _reminder_skip_reason(row: Any, segment: Mapping[str, str] | None) -> str:
    if row.responded_at is not None:
        return "responded"
    if row.reminders_stopped_at is not None:
        return "stopped"
    if row.bounced_at is not None:
        return "bounced"
    if row.sent_at is None:
        return "not_reached"  # the invitation itself never went out (failed, unknown)
    if segment and getattr(row, segment["dimension"]) != segment["value"]:
        return "outside_segment"
    return ""


def _outcome_skip_reason(row: Any) -> str:
    if row.responded_at is None:
        return "not_responded"
    # The resident's "stop" link covers every later message of the campaign, not only reminders.
    if row.reminders_stopped_at is not None:
        return "stopped"
    if row.bounced_at is not None:
        return "bounced"
    return ""


def round_purpose(campaign: Campaign, round_no: int) -> str:
    """Return the purpose of a round: stored with it, else invitation for round 0 and reminder after that."""
    stored = rounds_of(campaign).get(str(round_no), {}).get("purpose")
    if stored:
        return str(stored)
    return MessagePurpose.INVITATION if round_no == 0 else MessagePurpose.REMINDER


# --- the global send rate -------------------------------------------------------------------------------


class RateLimiter(Protocol):
    def wait(self, channel: str) -> None: ...


class SendRateLimiter:
    """A moving-window limit per provider, shared by all workers through the ``limits`` storage."""

    def __init__(self, storage_uri: str, rates: Mapping[str, str]) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._rates = {channel: parse(rate) for channel, rate in rates.items()}

    def wait(self, channel: str) -> None:
        item = self._rates[channel]
        while not self._limiter.hit(item, "civic-send", channel):
            reset_at, _remaining = self._limiter.get_window_stats(item, "civic-send", channel)
            time.sleep(min(max(reset_at - time.time(), 0.002), 1.0))


@lru_cache(maxsize=8)
def rate_limiter(storage_uri: str, email_rate: str, sms_rate: str) -> SendRateLimiter:
    """Return the process's limiter for these settings (storage connections are reused)."""
    return SendRateLimiter(storage_uri, {"email": email_rate, "sms": sms_rate})


def rate_limiter_from_config(config: Mapping[str, Any]) -> SendRateLimiter:
    return rate_limiter(config["SEND_RATE_STORAGE_URI"], config["EMAIL_SEND_RATE"], config["SMS_SEND_RATE"])


# --- sending a batch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transports:
    """Where messages go; injected so the engine can be tested with fakes."""

    email_session: Callable[[], AbstractContextManager[EmailSession]]
    sms: Callable[[], SmsTransport]


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    #: Items to try again later (transient error), and how long the provider asked us to wait.
    retry: list[dict[str, Any]] = field(default_factory=list)
    retry_after: float | None = None
    reason: str = ""


@dataclass
class _Context:
    """What every message of a batch shares: the campaign, its texts and settings."""

    campaign: Campaign
    organisation: Organisation
    consultation: Consultation
    purpose: str
    base_url: str
    mail_from: str
    sms_sender: str
    config: Mapping[str, Any]
    templates: dict[str, CampaignTemplate]
    #: An outcome round's public report URL ("" for other rounds, whose links are personal).
    report_link: str = ""
    #: The focus group of a focus-group consultation: {when}, {calendar_link} and the .ics attachment.
    focus_group: FocusGroup | None = None

    def links(self, token: str, language: str = "nb") -> tuple[str, str]:
        if self.purpose == MessagePurpose.OUTCOME:
            # The same public page for everyone, opened in the message's language; nothing personal.
            separator = "&" if "?" in self.report_link else "?"
            return f"{self.report_link}{separator}lang={language}", ""
        return f"{self.base_url}/p/{token}", f"{self.base_url}/stop/{token}"

    def render(self, item: Mapping[str, Any], token: str) -> Any:
        link, stop_link = self.links(token, item["l"])
        template = self.templates.get(item["l"]) or self.templates["nb"]
        return render_message(
            template,
            organisation=self.organisation,
            consultation=self.consultation,
            first_name=item["f"],
            link=link,
            stop_link=stop_link,
            language=item["l"],
            base_url=self.base_url,
            focus_group=self.focus_group,
        ), stop_link

    def calendar(self, item: Mapping[str, Any], token: str) -> bytes | None:
        """The .ics for an invitation or reminder to a live focus group, joining through the personal link."""
        link, _stop = self.links(token, item["l"])
        return message_calendar(
            self.focus_group,
            self.consultation,
            purpose=self.purpose,
            organisation_name=self.organisation.name,
            link=link,
            base_url=self.base_url,
            language=item["l"],
        )


def _detached_copy(obj: Any) -> Any:
    """A transient copy with the column values: the per-message commits expire session objects, and
    reloading the campaign's texts, organisation and consultation for every message would cost a query each."""
    mapper = sa_inspect(obj).mapper
    return mapper.class_(**{attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs})


def _context(session: Session, campaign: Campaign, round_no: int, config: Mapping[str, Any]) -> _Context:
    purpose = round_purpose(campaign, round_no)
    templates = {lang: _detached_copy(pick_template(campaign, purpose, lang)) for lang in MESSAGE_LANGUAGES}
    return _Context(
        campaign=_detached_copy(campaign),
        organisation=_detached_copy(session.get_one(Organisation, campaign.organisation_id)),
        consultation=_detached_copy(session.get_one(Consultation, campaign.consultation_id)),
        purpose=purpose,
        templates=templates,
        base_url=str(config["PUBLIC_BASE_URL"]).rstrip("/"),
        mail_from=config["MAIL_FROM"],
        sms_sender=config["SMS_SENDER"],
        config=config,
        report_link=str(rounds_of(campaign).get(str(round_no), {}).get("link") or ""),
        focus_group=_focus_group(session, campaign.consultation_id),
    )


def _focus_group(session: Session, consultation_id: int) -> FocusGroup | None:
    group = session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation_id))
    return _detached_copy(group) if group is not None else None


def send_batch_items(
    session: Session,
    campaign_id: int,
    round_no: int,
    items: Sequence[Mapping[str, Any]],
    *,
    config: Mapping[str, Any],
    transports: Transports,
    limiter: RateLimiter,
) -> BatchResult:
    """Send the batch's pending messages once each; see the module docstring for the policy."""
    result = BatchResult()
    campaign = session.get(Campaign, campaign_id)
    ids = [int(item["m"]) for item in items]
    if campaign is None or not ids:
        return result
    rows = session.execute(
        select(OutboundMessage.id, OutboundMessage.state, OutboundMessage.invitation_id).where(
            OutboundMessage.id.in_(ids)
        )
    ).all()
    states: dict[int, str] = {message_id: state for message_id, state, _invitation in rows}
    invitations: dict[int, int] = {message_id: invitation for message_id, _state, invitation in rows}
    interrupted = [i for i in ids if states.get(i) == MessageState.SENDING]
    if interrupted:
        # Claimed by an earlier delivery of this batch whose worker died mid-call: maybe sent. At most once.
        result.unknown += _finish(session, interrupted, MessageState.UNKNOWN, "interrupted", from_state="sending")
        session.commit()
    todo = [item for item in items if states.get(int(item["m"])) == MessageState.PENDING]
    result.skipped = len(items) - len(todo) - len(interrupted)
    if not todo:
        return result
    # A fresh link per message, made for the whole batch in one statement and committed before any claim:
    # only its hash is stored; the token goes into the message. A link whose message is not sent in the end
    # (skipped, failed, retried with another link) was never given to anyone.
    todo_ids = [int(item["m"]) for item in todo]
    context = _context(session, campaign, round_no, config)
    if context.purpose == MessagePurpose.OUTCOME:
        tokens = dict.fromkeys(todo_ids, "")  # the public report link: no personal link is made or sent
    else:
        tokens = dict(zip(todo_ids, issue_links(session, [invitations[i] for i in todo_ids]), strict=True))
        session.commit()
    channel = todo[0]["c"]
    if channel == "email":
        with transports.email_session() as email_session:
            _send_all(
                session,
                todo,
                tokens,
                result,
                lambda item, token: _send_email(context, email_session, item, token),
                limiter,
                channel,
            )
    else:
        sms = transports.sms()
        _send_all(
            session, todo, tokens, result, lambda item, token: _send_sms(context, sms, item, token), limiter, channel
        )
    return result


class _AmbiguousError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _TransientError(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _PermanentError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _send_email(context: _Context, email_session: EmailSession, item: Mapping[str, Any], token: str) -> str:
    rendered, stop_link = context.render(item, token)
    message_id = int(item["m"])
    message = build_message(
        to=item["a"],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        mail_from=context.mail_from,
        message_id=f"<campaign-{context.campaign.id}-m{message_id}@{mail_domain(context.mail_from)}>",
        list_unsubscribe=stop_link,
        headers=bounce_headers(message_id, context.config),
    )
    ics = context.calendar(item, token)
    if ics is not None:
        attach_calendar(message, ics, language=item["l"], public_id=context.consultation.public_id)
    try:
        email_session.send(message, envelope_from(message_id, context.config), organisation_id=context.organisation.id)
    except EmailTransientError as exc:
        if exc.reason in AMBIGUOUS_EMAIL_REASONS:
            raise _AmbiguousError(exc.reason) from None
        raise _TransientError(exc.reason) from None
    except EmailPermanentError as exc:
        raise _PermanentError(exc.reason) from None
    return str(message["Message-ID"]).strip("<>")[:100]


def _send_sms(context: _Context, sms: SmsTransport, item: Mapping[str, Any], token: str) -> str:
    rendered, _stop = context.render(item, token)
    try:
        return sms.send(
            SmsMessage(
                ref_id=str(item["m"]),
                to=item["a"],
                text=rendered.sms,
                sender=context.sms_sender,
                organisation_id=context.organisation.id,
            )
        )
    except SmsTransientError as exc:
        raise _TransientError(exc.reason, exc.retry_after) from None
    except SmsPermanentError as exc:
        raise _PermanentError(exc.reason) from None
    except SmsAmbiguousError as exc:
        raise _AmbiguousError(exc.reason) from None


def _send_all(
    session: Session,
    todo: Sequence[Mapping[str, Any]],
    tokens: Mapping[int, str],
    result: BatchResult,
    send_one: Callable[[Mapping[str, Any], str], str],
    limiter: RateLimiter,
    channel: str,
) -> None:
    for index, item in enumerate(todo):
        message_id = int(item["m"])
        # One commit holds the previous message's outcome and this claim: the claim is durable before the call.
        if not _claim(session, message_id):
            result.skipped += 1
            continue
        limiter.wait(channel)
        try:
            provider_ref = send_one(item, tokens[message_id])
        except _TransientError as exc:
            attempts = session.scalar(select(OutboundMessage.attempts).where(OutboundMessage.id == message_id))
            if (attempts or 0) >= MAX_ATTEMPTS:
                result.failed += _finish(session, [message_id], MessageState.FAILED, f"retries_{exc.reason}"[:64])
                rest = list(todo[index + 1 :])
            else:
                _finish(session, [message_id], MessageState.PENDING, exc.reason, from_state="sending")
                rest = list(todo[index:])
            session.commit()
            if rest:
                result.retry, result.retry_after, result.reason = rest, exc.retry_after, exc.reason
            return
        except _PermanentError as exc:
            result.failed += _finish(session, [message_id], MessageState.FAILED, exc.reason)
        except _AmbiguousError as exc:
            result.unknown += _finish(session, [message_id], MessageState.UNKNOWN, exc.reason)
        else:
            _mark_sent(session, message_id, provider_ref)
            result.sent += 1
    session.commit()


def _claim(session: Session, message_id: int) -> bool:
    claimed = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.state == MessageState.PENDING)
        .values(state=MessageState.SENDING, attempts=OutboundMessage.attempts + 1, updated_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def _finish(
    session: Session, ids: Sequence[int], state: MessageState, reason: str, *, from_state: str = "sending"
) -> int:
    return session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.state == from_state)
        .values(state=state, failure_reason=reason[:64], updated_at=now_utc())
        .execution_options(synchronize_session=False)
    ).rowcount


def _mark_sent(session: Session, message_id: int, provider_ref: str) -> None:
    now = now_utc()
    # "unknown" too: a concurrent copy of this batch may have judged the message interrupted meanwhile.
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.state.in_(("sending", "unknown")))
        .values(
            state=MessageState.SENT, provider_ref=provider_ref[:100], sent_at=now, failure_reason="", updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    invitation_id = select(OutboundMessage.invitation_id).where(OutboundMessage.id == message_id).scalar_subquery()
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )


def give_up(session: Session, items: Sequence[Mapping[str, Any]], reason: str) -> int:
    """Fail the pending messages of a batch whose retry budget is spent."""
    ids = [int(item["m"]) for item in items]
    count = _finish(session, ids, MessageState.FAILED, f"retries_{reason}", from_state="pending")
    session.commit()
    return count


# --- sweeping -------------------------------------------------------------------------------------------


def expire_leases(session: Session, now: datetime, lease: timedelta = SENDING_LEASE) -> int:
    """Messages in ``sending`` past the lease were lost with their worker: ``unknown`` (never resent)."""
    return session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.state == MessageState.SENDING, OutboundMessage.updated_at < now - lease)
        .values(state=MessageState.UNKNOWN, failure_reason="lease_expired", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def open_message_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Return {state: n} for the campaign's messages that are not final (pending, sending)."""
    rows = session.execute(
        select(OutboundMessage.state, func.count())
        .where(
            OutboundMessage.campaign_id == campaign_id,
            OutboundMessage.state.in_((MessageState.PENDING, MessageState.SENDING)),
        )
        .group_by(OutboundMessage.state)
    ).all()
    return {state: n for state, n in rows}


def stalled_rounds(session: Session, campaign_id: int, now: datetime, after: timedelta = STALLED_AFTER) -> list[int]:
    """Rounds with pending messages where nothing in the campaign moved for ``after``: their batches were lost."""
    last_move = session.scalar(
        select(func.max(OutboundMessage.updated_at)).where(OutboundMessage.campaign_id == campaign_id)
    )
    if last_move is None:
        return []
    if last_move.tzinfo is None:  # SQLite through a raw aggregate loses the UTC marker
        last_move = last_move.replace(tzinfo=now.tzinfo)
    if last_move > now - after:
        return []
    return list(
        session.scalars(
            select(OutboundMessage.round)
            .where(OutboundMessage.campaign_id == campaign_id, OutboundMessage.state == MessageState.PENDING)
            .distinct()
        )
    )


# --- rounds and completion ------------------------------------------------------------------------------


def rounds_of(campaign: Campaign) -> dict[str, dict[str, Any]]:
    """Return a copy of the campaign's round log: {"0": {"status": "requested"|"planned", ...}, ...}."""
    return {key: dict(value) for key, value in (campaign.counts or {}).get("rounds", {}).items()}


def store_rounds(campaign: Campaign, rounds: Mapping[str, Mapping[str, Any]], **extra: Any) -> None:
    """Replace the round log (a new dict, so the JSON column sees the change)."""
    campaign.counts = {**(campaign.counts or {}), **extra, "rounds": {k: dict(v) for k, v in rounds.items()}}


def complete_if_done(session: Session, campaign: Campaign, now: datetime) -> bool:
    """Mark a sending campaign sent once every requested round is planned and no message is open."""
    if campaign.state != "sending" or open_message_counts(session, campaign.id):
        return False
    # Several batches may finish at once: decide under a row lock (PostgreSQL) on fresh data.
    session.refresh(campaign, with_for_update=True)
    rounds = rounds_of(campaign)
    if campaign.state != "sending" or not rounds or any(r.get("status") != "planned" for r in rounds.values()):
        return False
    campaign.state = "sent"
    campaign.completed_at = now
    last = max(rounds, key=int)
    rounds[last]["completed_at"] = now.isoformat()
    store_rounds(campaign, rounds)
    return True
