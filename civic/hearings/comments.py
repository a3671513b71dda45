"""Residents' comments on a hearing: post, reply, edit, delete, flag. Reading them is in comments_query.py.

Services flush and never commit; the view commits once. Every check runs before anything is added to the
session, so a refused comment leaves nothing behind.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civic.core.errors import DomainError, InvalidInputError, NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.hearings import screening, signals
from civic.hearings.models import (
    EDIT_WINDOW_MINUTES,
    MAX_COMMENT_LENGTH,
    MAX_DEPTH,
    Comment,
    CommentState,
    Flag,
    FlagReason,
    Hearing,
    HearingSection,
    ModerationMode,
    Participant,
)
from civic.hearings.participants import check_can_contribute, mark_link_invitation_responded

#: A published comment with this many open (unresolved) flags waits for a moderator.
FLAG_THRESHOLD = 3
MAX_FLAG_NOTE_LENGTH = 500
#: Screening compares a comment with the participant's texts of this period (repeats) ...
REPEAT_LOOKBACK = timedelta(hours=24)
REPEAT_LOOKBACK_COUNT = 20
#: ... and counts their posts of this period (bursts; screening.is_burst looks at the last two minutes).
BURST_LOOKBACK = timedelta(minutes=10)


class CommentNotFoundError(DomainError):
    """A comment (or section) that the request names does not exist in this hearing."""

    status_code = 404


# --- checks --------------------------------------------------------------------------------------------


def clean_body(body: str | None) -> str:
    """The comment text as it will be stored, or InvalidInputError with a message saying what to fix."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInputError(_("Write your comment before you send it."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInputError(
            _(
                "Your comment is %(length)s characters long; the limit is %(limit)s. Shorten it and send it again.",
                length=len(text),
                limit=MAX_COMMENT_LENGTH,
            )
        )
    return text


def find_comment(session: Session, hearing: Hearing, comment_id: int | None) -> Comment:
    comment = session.get(Comment, comment_id) if comment_id else None
    if comment is None or comment.hearing_id != hearing.id:
        raise CommentNotFoundError(_("We could not find that comment. It may have been removed."))
    return comment


def find_section(session: Session, hearing: Hearing, section_id: int | None) -> HearingSection | None:
    """The section of this hearing, None for the whole document; CommentNotFoundError for a stranger's id."""
    if section_id is None:
        return None
    section = session.get(HearingSection, section_id)
    if section is None or section.hearing_id != hearing.id:
        raise CommentNotFoundError(_("This section of the proposal no longer exists. Comment on another section."))
    return section


def find_parent(session: Session, hearing: Hearing, parent_id: int | None) -> Comment | None:
    """The comment a reply answers (None for a top-level comment), if replies to it are possible."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or parent.hearing_id != hearing.id:
        raise CommentNotFoundError(
            _("The comment you replied to does not exist (any more). Your reply was not posted.")
        )
    if parent.state != CommentState.PUBLISHED:
        raise StateError(
            _(
                "The comment you replied to has been hidden or deleted, so replies to it are closed. "
                "Your reply was not posted."
            )
        )
    if parent.depth >= MAX_DEPTH:
        raise InvalidInputError(
            _("Replies go at most %(levels)s levels deep. Reply to the comment above instead.", levels=MAX_DEPTH + 1)
        )
    return parent


def check_flag(comment: Comment, reason: str | None, note: str | None) -> str:
    """Check a report before anything is stored; return the cleaned note."""
    if reason not in {r.value for r in FlagReason}:
        raise InvalidInputError(_("Choose why you are reporting this comment."))
    note = (note or "").strip()
    if len(note) > MAX_FLAG_NOTE_LENGTH:
        raise InvalidInputError(_("The note can be at most %(limit)s characters long.", limit=MAX_FLAG_NOTE_LENGTH))
    if comment.state != CommentState.PUBLISHED:
        raise StateError(_("This comment is already waiting for a moderator or has been removed."))
    return note


def has_commented(session: Session, participant: Participant | None) -> bool:
    """Has the participant posted before? Then they have accepted the house rules already."""
    if participant is None or participant.id is None:
        return False
    return session.scalar(select(Comment.id).where(Comment.participant_id == participant.id).limit(1)) is not None


def _check_author(comment: Comment, participant: Participant | None) -> None:
    if participant is None or comment.participant_id != participant.id:
        raise NotAllowedError(_("You can only change or delete your own comments."))
    if comment.state in (CommentState.DELETED, CommentState.HIDDEN):
        raise StateError(_("This comment has been deleted or hidden, so it can no longer be changed."))


def can_edit(comment: Comment, participant: Participant | None, now: datetime | None = None) -> bool:
    if participant is None or comment.participant_id != participant.id:
        return False
    if comment.state in (CommentState.DELETED, CommentState.HIDDEN):
        return False
    return (now or now_utc()) - comment.created_at <= timedelta(minutes=EDIT_WINDOW_MINUTES)


# --- screening -------------------------------------------------------------------------------------------


def _screen(
    session: Session, hearing: Hearing, participant: Participant, text: str, now: datetime, *, exclude: int | None
) -> list[str]:
    """Hold reasons for ``text``: screening's, plus "pre_moderation" for pre-moderated hearings."""
    recent_texts: list[str] = []
    recent_times: list[datetime] = []
    if participant.id is not None:
        rows = session.execute(
            select(Comment.body, Comment.created_at)
            .where(
                Comment.participant_id == participant.id,
                Comment.created_at >= now - REPEAT_LOOKBACK,
                Comment.id != (exclude or 0),
            )
            .order_by(Comment.created_at.desc())
            .limit(REPEAT_LOOKBACK_COUNT)
        ).all()
        recent_texts = [body for body, _created in rows]
        if exclude is None:  # an edit is not a new post: it does not count towards a burst
            recent_times = [created for _body, created in rows if created >= now - BURST_LOOKBACK]
    reasons = screening.hold_reasons(text, recent_texts, recent_times, now)
    if hearing.moderation_mode == ModerationMode.PRE:
        reasons.append("pre_moderation")
    return reasons


# --- use cases -------------------------------------------------------------------------------------------


def post_comment(
    session: Session,
    hearing: Hearing,
    participant: Participant,
    body: str | None,
    *,
    section_id: int | None = None,
    parent_id: int | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> Comment:
    """Post a comment on a section (None: the whole document) or a reply to a published comment; flushes.

    A reply takes its parent's section. Screening (or pre-moderation) makes it PENDING with hold reasons.
    ``key`` is the participant's key: a personal-link participant's first contribution marks the invitation.
    """
    now = now or now_utc()
    check_can_contribute(hearing.consultation, participant, now=now)
    text = clean_body(body)
    parent = find_parent(session, hearing, parent_id)
    if parent is not None:
        section_id, depth = parent.section_id, parent.depth + 1
    else:
        find_section(session, hearing, section_id)
        depth = 0
    reasons = _screen(session, hearing, participant, text, now, exclude=None)
    comment = Comment(
        hearing_id=hearing.id,
        section_id=section_id,
        parent_id=parent_id,
        depth=depth,
        participant_id=participant.id,
        body=text,
        state=CommentState.PENDING if reasons else CommentState.PUBLISHED,
        hold_reasons=reasons,
        verified=participant.verified_at is not None,
        created_at=now,
    )
    session.add(comment)
    if key:
        mark_link_invitation_responded(session, key, now=now)
    session.flush()
    signals.comment_written.send(comment)
    return comment


def edit_comment(
    session: Session,
    comment: Comment,
    participant: Participant | None,
    body: str | None,
    *,
    now: datetime | None = None,
) -> Comment:
    """Change the text of one's own comment within EDIT_WINDOW_MINUTES; the new text is screened again."""
    now = now or now_utc()
    hearing = session.get_one(Hearing, comment.hearing_id)
    check_can_contribute(hearing.consultation, participant, now=now)
    _check_author(comment, participant)
    assert participant is not None
    if now - comment.created_at > timedelta(minutes=EDIT_WINDOW_MINUTES):
        raise StateError(
            _(
                "Comments can only be changed in the first %(minutes)s minutes. Post a reply to add something.",
                minutes=EDIT_WINDOW_MINUTES,
            )
        )
    text = clean_body(body)
    reasons = _screen(session, hearing, participant, text, now, exclude=comment.id)
    # What screening does not decide stays: a flagged comment waits for its moderator.
    kept = [r for r in comment.hold_reasons or [] if r == "flagged" and r not in reasons]
    reasons = reasons + kept
    comment.body = text
    comment.edited_at = now
    comment.hold_reasons = reasons
    comment.state = CommentState.PENDING if reasons else CommentState.PUBLISHED
    session.flush()
    signals.comment_written.send(comment)
    return comment


def delete_comment(
    session: Session, comment: Comment, participant: Participant | None, *, now: datetime | None = None
) -> Comment:
    """Delete one's own comment: its text leaves the page (the row stays, so replies keep their place)."""
    now = now or now_utc()
    hearing = session.get_one(Hearing, comment.hearing_id)
    check_can_contribute(hearing.consultation, participant, now=now)
    _check_author(comment, participant)
    comment.state = CommentState.DELETED
    comment.deleted_at = now
    session.flush()
    return comment


def flag_comment(
    session: Session,
    comment: Comment,
    participant: Participant,
    reason: str | None,
    note: str | None = "",
    *,
    now: datetime | None = None,
) -> tuple[Flag, bool]:
    """Report a comment; return (flag, created). One flag per participant and comment: a second is a no-op.

    With FLAG_THRESHOLD open flags a published comment waits for a moderator ("flagged").
    """
    now = now or now_utc()
    hearing = session.get_one(Hearing, comment.hearing_id)
    check_can_contribute(hearing.consultation, participant, now=now)
    note = check_flag(comment, reason, note)
    existing = session.scalar(select(Flag).where(Flag.comment_id == comment.id, Flag.participant_id == participant.id))
    if existing is not None:
        return existing, False
    flag = Flag(comment_id=comment.id, participant_id=participant.id, reason=reason, note=note, created_at=now)
    try:
        with session.begin_nested():
            session.add(flag)
            session.flush()
    except IntegrityError:  # the same participant's concurrent click came first
        found = session.scalar(select(Flag).where(Flag.comment_id == comment.id, Flag.participant_id == participant.id))
        assert found is not None
        return found, False
    open_flags = session.scalar(select(func.count()).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None)))
    if (open_flags or 0) >= FLAG_THRESHOLD and comment.state == CommentState.PUBLISHED:
        comment.state = CommentState.PENDING
        comment.hold_reasons = [*(comment.hold_reasons or []), "flagged"]
        session.flush()
    return flag, True
