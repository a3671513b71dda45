"""Moderation of hearing comments and formal statements: the queue, decisions, and the append-only log.

What residents and the analysis may see is decided here: only PUBLISHED comments. Analysis code (summaries,
opinion groups, exports of results) must read comments through ``visible_for_analysis`` and nothing else, so a
hidden comment leaves every result the moment a moderator hides it.

Every decision is a new ModerationDecision row (from_state → to_state, who, why). Rows are never updated or
deleted; the ORM guard at the bottom of this module refuses it, so a later change cannot quietly rewrite the log.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.accounts.permissions import MODERATORS
from civic.core.errors import InvalidInputError, NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.hearings.models import (
    Comment,
    CommentState,
    Flag,
    FlagReason,
    FormalStatement,
    Hearing,
    HearingSection,
    ModerationDecision,
    ModerationMode,
    Participant,
    StatementState,
)

CommentAction = Literal["publish", "hide", "restore"]
StatementAction = Literal["publish", "reject"]
MAX_REASON_LENGTH = 500
MAX_BULK = 500
LOG_PAGE_SIZE = 100

#: Which states each comment action applies to, and where it leaves the comment. "publish" on a published,
#: flagged comment keeps it and dismisses the flags; "restore" brings a hidden comment back.
COMMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({CommentState.PENDING, CommentState.PUBLISHED}), CommentState.PUBLISHED),
    "hide": (frozenset({CommentState.PENDING, CommentState.PUBLISHED}), CommentState.HIDDEN),
    "restore": (frozenset({CommentState.HIDDEN}), CommentState.PUBLISHED),
}
STATEMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({StatementState.PENDING, StatementState.REJECTED}), StatementState.PUBLISHED),
    "reject": (frozenset({StatementState.PENDING, StatementState.PUBLISHED}), StatementState.REJECTED),
}
#: Queue reason codes, in the order they are shown. "flagged" = open flags from residents.
QUEUE_REASONS = (
    "personal_data",
    "link",
    "repeat",
    "burst",
    "flagged",
    "pre_moderation",
    "polis_unmoderated",
    "unreviewed",
)
#: Not a queue reason: the filter that lists hidden comments, so a moderator can restore them.
HIDDEN_FILTER = "hidden"


def reason_label(code: str) -> str:
    """Why a comment is in the queue, in words."""
    labels = {
        "personal_data": _("May contain personal data (national identity number, phone number or e-mail address)"),
        "link": _("Contains a link"),
        "repeat": _("Repeats a text the participant already posted"),
        "burst": _("Many comments in a short time from one participant"),
        "flagged": _("Flagged by residents"),
        "pre_moderation": _("Pre-moderation: every comment waits for review"),
        "polis_unmoderated": _("Not moderated in Polis"),
        "unreviewed": _("Waiting for review"),
        HIDDEN_FILTER: _("Hidden by a moderator"),
    }
    return labels.get(code, code)


def flag_reason_label(code: str) -> str:
    labels = {
        FlagReason.PERSONAL_DATA: _("Personal data"),
        FlagReason.OFFENSIVE: _("Offensive"),
        FlagReason.SPAM: _("Spam"),
        FlagReason.OFF_TOPIC: _("Off topic"),
        FlagReason.OTHER: _("Other"),
    }
    return labels.get(code, code)  # type: ignore[call-overload]


def action_label(action: str) -> str:
    labels = {
        "publish": _("Published"),
        "hide": _("Hidden"),
        "restore": _("Restored"),
        "reject": _("Rejected"),
    }
    return labels.get(action, action)


def state_label(state: str) -> str:
    labels = {
        CommentState.PUBLISHED: _("published"),
        CommentState.PENDING: _("waiting for review"),
        CommentState.HIDDEN: _("hidden"),
        CommentState.DELETED: _("deleted by its author"),
        StatementState.REJECTED: _("rejected"),
    }
    return labels.get(state, state)  # type: ignore[call-overload]


# --- what analysis may see ---------------------------------------------------------------------------------


def visible_for_analysis(session: Session, hearing_id: int) -> list[Comment]:
    """The comments analysis may use: PUBLISHED ones only (hidden, pending and deleted are left out).

    This is the one entry point for analysis code; do not filter Comment by state elsewhere for analysis.
    """
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.hearing_id == hearing_id, Comment.state == CommentState.PUBLISHED)
            .order_by(Comment.id)
        )
    )


# --- the queue ---------------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    comment: Comment
    pseudonym: str
    section: str  # "1.2 Heading", or "" for the whole document
    reasons: list[str]
    flags: Counter[str] = field(default_factory=Counter)
    flag_notes: list[str] = field(default_factory=list)


@dataclass
class Queue:
    items: list[QueueItem]
    statements: list[FormalStatement]
    reason_counts: Counter[str]  # over the whole queue, before filtering
    total: int = 0  # comments in the whole queue, before filtering


def comment_queue(session: Session, hearing: Hearing, *, reason: str | None = None) -> Queue:
    """Comments waiting for a moderator, oldest first: every PENDING comment (held by screening, pre-moderation,
    flags or an import) and every PUBLISHED comment with open flags; plus the pending formal statements.
    ``reason`` keeps only items with that reason code (the counts are always over the whole queue)."""
    open_flags: dict[int, list[Flag]] = defaultdict(list)
    for flag in session.scalars(
        select(Flag)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Comment.hearing_id == hearing.id, Flag.resolved_at.is_(None))
        .order_by(Flag.id)
    ):
        open_flags[flag.comment_id].append(flag)
    rows = session.execute(
        select(Comment, Participant.pseudonym, HearingSection.number, HearingSection.heading)
        .join(Participant, Participant.id == Comment.participant_id)
        .outerjoin(HearingSection, HearingSection.id == Comment.section_id)
        .where(
            Comment.hearing_id == hearing.id,
            (Comment.state == CommentState.PENDING)
            | ((Comment.state == CommentState.PUBLISHED) & Comment.id.in_(list(open_flags) or [-1])),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    items: list[QueueItem] = []
    counts: Counter[str] = Counter()
    for comment, pseudonym, number, heading in rows:
        flags = open_flags.get(comment.id, [])
        reasons = _reasons(hearing, comment, bool(flags))
        counts.update(reasons)
        if reason and reason not in reasons:
            continue
        items.append(
            QueueItem(
                comment=comment,
                pseudonym=pseudonym,
                section=f"{number} {heading}" if number else "",
                reasons=reasons,
                flags=Counter(flag.reason for flag in flags),
                flag_notes=[flag.note for flag in flags if flag.note],
            )
        )
    statements = list(
        session.scalars(
            select(FormalStatement)
            .where(FormalStatement.hearing_id == hearing.id, FormalStatement.state == StatementState.PENDING)
            .order_by(FormalStatement.submitted_at, FormalStatement.id)
        )
    )
    return Queue(items=items, statements=statements, reason_counts=counts, total=len(rows))


def hidden_comments(session: Session, hearing: Hearing) -> list[QueueItem]:
    """Comments a moderator hid, newest first (the place to restore them from)."""
    rows = session.execute(
        select(Comment, Participant.pseudonym, HearingSection.number, HearingSection.heading)
        .join(Participant, Participant.id == Comment.participant_id)
        .outerjoin(HearingSection, HearingSection.id == Comment.section_id)
        .where(Comment.hearing_id == hearing.id, Comment.state == CommentState.HIDDEN)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    ).all()
    return [
        QueueItem(comment, pseudonym, f"{number} {heading}" if number else "", [HIDDEN_FILTER])
        for comment, pseudonym, number, heading in rows
    ]


def count_hidden(session: Session, hearing: Hearing) -> int:
    return (
        session.scalar(
            select(func.count()).where(Comment.hearing_id == hearing.id, Comment.state == CommentState.HIDDEN)
        )
        or 0
    )


def _reasons(hearing: Hearing, comment: Comment, flagged: bool) -> list[str]:
    held = [code for code in comment.hold_reasons or [] if isinstance(code, str)]
    if flagged and "flagged" not in held:
        held.append("flagged")
    if comment.state == CommentState.PENDING and not held:
        held.append("pre_moderation" if hearing.moderation_mode == ModerationMode.PRE else "unreviewed")
    if comment.state == CommentState.PUBLISHED:
        held = ["flagged"]  # screening's reasons were settled when it was published
    order = {code: i for i, code in enumerate(QUEUE_REASONS)}
    return sorted(dict.fromkeys(held), key=lambda code: order.get(code, len(order)))


# --- decisions ---------------------------------------------------------------------------------------------


def _check_actor(actor: StaffUser | None) -> None:
    if actor is None or actor.role not in MODERATORS:
        raise NotAllowedError(_("Only moderators, planners and administrators may moderate."))


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInputError(_("The reason is too long: at most 500 characters."))
    return reason


def decide(
    session: Session,
    actor: StaffUser,
    hearing: Hearing,
    comment_ids: Iterable[int],
    action: str,
    reason: str = "",
) -> list[ModerationDecision]:
    """Publish, hide or restore the given comments of ``hearing`` at once; flushes, never commits.

    All or nothing: if one comment is unknown or in a state the action does not apply to, nothing changes.
    Each comment gets its own log row, and its open flags are resolved.
    """
    _check_actor(actor)
    if action not in COMMENT_TRANSITIONS:
        raise InvalidInputError(_("Choose publish, hide or restore."))
    reason = _check_reason(reason)
    ids = sorted(set(comment_ids))
    if not ids:
        raise InvalidInputError(_("Choose at least one comment."))
    if len(ids) > MAX_BULK:
        raise InvalidInputError(_("Choose at most 500 comments at a time."))
    allowed, to_state = COMMENT_TRANSITIONS[action]
    # Lock the rows (PostgreSQL) so two moderators deciding at once log the true from_state.
    comments = list(
        session.scalars(select(Comment).where(Comment.hearing_id == hearing.id, Comment.id.in_(ids)).with_for_update())
    )
    if len(comments) != len(ids):
        raise InvalidInputError(_("Some of the chosen comments do not belong to this hearing. Reload the queue."))
    wrong = [c for c in comments if c.state not in allowed]
    if wrong:
        raise StateError(
            _(
                "%(count)d of the chosen comments cannot take this action in their current state (only waiting or "
                "published comments can be published or hidden, only hidden ones restored). Nothing was changed.",
                count=len(wrong),
            )
        )
    now = now_utc()
    decisions = []
    for comment in comments:
        decision = ModerationDecision(
            hearing_id=hearing.id,
            comment_id=comment.id,
            actor_id=actor.id,
            action=action,
            from_state=comment.state,
            to_state=to_state,
            reason=reason,
            created_at=now,
        )
        comment.state = to_state
        decisions.append(decision)
    session.add_all(decisions)
    session.execute(
        update(Flag)
        .where(Flag.comment_id.in_(ids), Flag.resolved_at.is_(None))
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return decisions


def decide_statement(
    session: Session, actor: StaffUser, statement: FormalStatement, action: str, reason: str = ""
) -> ModerationDecision:
    """Publish or reject a formal statement; flushes, never commits."""
    _check_actor(actor)
    if action not in STATEMENT_TRANSITIONS:
        raise InvalidInputError(_("Choose publish or reject."))
    reason = _check_reason(reason)
    allowed, to_state = STATEMENT_TRANSITIONS[action]
    if statement.state not in allowed:
        raise StateError(_("This statement is already %(state)s.", state=state_label(statement.state)))
    now = now_utc()
    decision = ModerationDecision(
        hearing_id=statement.hearing_id,
        statement_id=statement.id,
        actor_id=actor.id,
        action=action,
        from_state=statement.state,
        to_state=to_state,
        reason=reason,
        created_at=now,
    )
    statement.state = to_state
    statement.decided_at = now
    session.add(decision)
    session.flush()
    return decision


# --- the log -----------------------------------------------------------------------------------------------


@dataclass
class LogEntry:
    decision: ModerationDecision
    actor_name: str
    subject: str  # the comment's or statement's text, shortened


def decision_log(session: Session, hearing: Hearing, *, page: int = 1) -> tuple[list[LogEntry], bool]:
    """Decisions on this hearing, newest first, one page at a time; returns (entries, has_more)."""
    page = max(page, 1)
    rows = session.execute(
        select(ModerationDecision, StaffUser.name, Comment.body, Comment.state, FormalStatement.signer_name)
        .outerjoin(StaffUser, StaffUser.id == ModerationDecision.actor_id)
        .outerjoin(Comment, Comment.id == ModerationDecision.comment_id)
        .outerjoin(FormalStatement, FormalStatement.id == ModerationDecision.statement_id)
        .where(ModerationDecision.hearing_id == hearing.id)
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
        .offset((page - 1) * LOG_PAGE_SIZE)
        .limit(LOG_PAGE_SIZE + 1)
    ).all()
    entries = []
    for decision, actor_name, body, comment_state, signer in rows[:LOG_PAGE_SIZE]:
        if decision.statement_id is not None:
            subject = _("Formal statement from %(name)s", name=signer or "?")
        elif comment_state == CommentState.DELETED:
            subject = _("(deleted by its author)")
        else:
            subject = _shorten(body or "")
        entries.append(LogEntry(decision, actor_name or _("(unknown)"), subject))
    return entries, len(rows) > LOG_PAGE_SIZE


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- append-only guard -------------------------------------------------------------------------------------


def _refuse_change(_mapper: Any, _connection: Any, target: ModerationDecision) -> None:
    raise RuntimeError(f"ModerationDecision {target.id} is append-only: it may not be updated or deleted")


event.listen(ModerationDecision, "before_update", _refuse_change)
event.listen(ModerationDecision, "before_delete", _refuse_change)
