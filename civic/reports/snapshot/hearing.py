"""A hearing's formal statements (published ones only) and what moderation took out, and why.

Moderation counts comments: ``submitted`` (every comment written), ``published``, ``removed`` (hidden by a
moderator), ``pending`` (never decided) and ``deleted`` (by their authors). Each removed comment counts under one
reason, the first that applies: screening's finding (``REASONS`` order: personal data, link, repeated text,
burst), else the reason residents flagged it for most often (``FlagReason`` values), else ``"moderator"`` (a
moderator's own judgement). So the reasons add up to ``removed``, which is printed, and they are suppressed as one
list against it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select

from civic.hearings.models import Comment, CommentState, Flag, FlagReason
from civic.hearings.screening import REASONS as SCREENING_REASONS
from civic.hearings.statements import list_published
from civic.reports.snapshot.context import Build, iso
from civic.reports.snapshot.suppressed import shown, suppress_column

EXCERPT = 300
MODERATOR = "moderator"
#: Every reason code a snapshot may hold, in the order it lists them.
REASON_CODES = tuple(dict.fromkeys([*SCREENING_REASONS, *(reason.value for reason in FlagReason), MODERATOR]))


def statements(build: Build) -> dict[str, Any] | None:
    if build.hearing is None:
        return None
    published = list_published(build.session, build.hearing)
    return {
        "count": len(published),
        "items": [
            {
                "id": statement.id,
                "organisation": statement.organisation_name or "",
                "signer": statement.signer_name or "",
                "excerpt": _excerpt(statement.body or ""),
                "submitted_at": iso(statement.submitted_at),
                "has_attachment": bool(statement.attachment_filename),
            }
            for statement in published
        ],
    }


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def moderation(build: Build) -> dict[str, Any] | None:
    if build.hearing is None:
        return None
    session, hearing_id = build.session, build.hearing.id
    states = dict(
        session.execute(
            select(Comment.state, func.count(Comment.id))
            .where(Comment.hearing_id == hearing_id)
            .group_by(Comment.state)
        ).all()
    )
    removed = int(states.get(CommentState.HIDDEN, 0))
    reasons = _reasons(build) if removed else Counter()
    codes = [code for code in REASON_CODES if reasons.get(code)]
    counts = [reasons[code] for code in codes]
    hidden = suppress_column(counts, total_known=True)
    build.tally.add(hidden)
    return {
        "submitted": int(sum(states.values())),
        "published": int(states.get(CommentState.PUBLISHED, 0)),
        "removed": removed,
        "pending": int(states.get(CommentState.PENDING, 0)),
        "deleted": int(states.get(CommentState.DELETED, 0)),
        "reasons": [
            {"reason": code, "count": shown(count, hide)}
            for code, count, hide in zip(codes, counts, hidden, strict=True)
        ],
    }


def _reasons(build: Build) -> Counter[str]:
    """One reason per hidden comment (module docstring)."""
    assert build.hearing is not None
    session, hearing_id = build.session, build.hearing.id
    hidden = session.execute(
        select(Comment.id, Comment.hold_reasons).where(
            Comment.hearing_id == hearing_id, Comment.state == CommentState.HIDDEN
        )
    ).all()
    flags: dict[int, Counter[str]] = defaultdict(Counter)
    for comment_id, reason, count in session.execute(
        select(Flag.comment_id, Flag.reason, func.count(Flag.id))
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Comment.hearing_id == hearing_id, Comment.state == CommentState.HIDDEN)
        .group_by(Flag.comment_id, Flag.reason)
    ):
        flags[comment_id][reason] += int(count)
    flag_order = {reason.value: i for i, reason in enumerate(FlagReason)}
    counted: Counter[str] = Counter()
    for comment_id, hold_reasons in hidden:
        held = [code for code in SCREENING_REASONS if code in (hold_reasons or [])]
        if held:
            counted[held[0]] += 1
        elif flags.get(comment_id):
            most = max(flags[comment_id].items(), key=lambda item: (item[1], -flag_order.get(item[0], 99)))[0]
            counted[most if most in flag_order else FlagReason.OTHER.value] += 1
        else:
            counted[MODERATOR] += 1
    return counted
