"""Agree / disagree / pass on comments: one current vote per participant and comment, every cast in the history.

``cast_vote`` keeps the counters on the comment equal to the latest votes under concurrent clicks. It first
takes the comment row's lock with an UPDATE (PostgreSQL: a row lock that serialises votes on this comment
and lets votes on other comments run in parallel; SQLite: the first write takes the database's write lock),
then reads the participant's current vote, writes it, appends a VoteEvent and moves the counters by the
difference. Core statements, built once, keep a vote to a handful of short round trips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation
from civic.core.errors import DomainError, InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.hearings.models import Comment, CommentState, Hearing, Participant, Vote, VoteEvent, VoteValue
from civic.hearings.participants import check_can_contribute
from civic.hearings.statement_order import Candidate, next_statement

#: Form values → stored values.
VALUES: dict[str, VoteValue] = {"agree": VoteValue.AGREE, "disagree": VoteValue.DISAGREE, "pass": VoteValue.PASS}
NAMES: dict[int, str] = {int(v): k for k, v in VALUES.items()}


class CommentNotFoundError(DomainError):
    status_code = 404


@dataclass(frozen=True)
class VoteCounts:
    agree: int
    disagree: int
    passed: int

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed


_comments = Comment.__table__
_votes = Vote.__table__
_events = VoteEvent.__table__

# Touching a non-key column takes PostgreSQL's FOR NO KEY UPDATE row lock, which does not block the KEY SHARE
# locks that inserting votes and events (foreign keys to this comment) take.
_LOCK_COMMENT = (
    update(_comments)
    .where(_comments.c.id == bindparam("b_comment"))
    .values(agree_count=_comments.c.agree_count)
    .returning(
        _comments.c.hearing_id,
        _comments.c.state,
        _comments.c.agree_count,
        _comments.c.disagree_count,
        _comments.c.pass_count,
    )
)
_CURRENT_VOTE = select(_votes.c.value).where(
    _votes.c.comment_id == bindparam("b_comment"), _votes.c.participant_id == bindparam("b_participant")
)
_INSERT_VOTE = insert(_votes).values(
    comment_id=bindparam("b_comment"),
    participant_id=bindparam("b_participant"),
    value=bindparam("b_value"),
    updated_at=bindparam("b_now"),
)
_UPDATE_VOTE = (
    update(_votes)
    .where(_votes.c.comment_id == bindparam("b_comment"), _votes.c.participant_id == bindparam("b_participant"))
    .values(value=bindparam("b_value"), updated_at=bindparam("b_now"))
)
_INSERT_EVENT = insert(_events).values(
    comment_id=bindparam("b_comment"),
    participant_id=bindparam("b_participant"),
    value=bindparam("b_value"),
    created_at=bindparam("b_now"),
)
_MOVE_COUNTERS = (
    update(_comments)
    .where(_comments.c.id == bindparam("b_comment"))
    .values(
        agree_count=_comments.c.agree_count + bindparam("d_agree"),
        disagree_count=_comments.c.disagree_count + bindparam("d_disagree"),
        pass_count=_comments.c.pass_count + bindparam("d_pass"),
    )
)


def parse_value(raw: str | None) -> VoteValue:
    """Return the vote value of a form field ("agree", "disagree", "pass"); InvalidInputError otherwise."""
    value = VALUES.get((raw or "").strip().lower())
    if value is None:
        raise InvalidInputError(_("Choose agree, disagree or pass."))
    return value


def _delta(value: int | None, sign: int) -> dict[str, int]:
    return {
        "d_agree": sign if value == VoteValue.AGREE else 0,
        "d_disagree": sign if value == VoteValue.DISAGREE else 0,
        "d_pass": sign if value == VoteValue.PASS else 0,
    }


def cast_vote(
    session: Session,
    comment_id: int,
    participant: Participant,
    value: VoteValue | str,
    now: datetime | None = None,
    *,
    consultation: Consultation | None = None,
) -> tuple[int, VoteCounts]:
    """Record ``participant``'s vote on a comment; return (their current vote, the comment's counts).

    Changing a vote moves the counters; casting the same value again only adds to the history. Refuses
    comments of another hearing or unknown (404), not published (409), closed hearings (409) and values
    other than agree/disagree/pass (422). Never commits. ``consultation`` (the participant's hearing's)
    saves a query when the caller has it loaded.
    """
    vote = parse_value(value) if isinstance(value, str) else VoteValue(value)
    now = now or now_utc()
    if consultation is None:
        consultation = session.scalar(
            select(Consultation)
            .join(Hearing, Hearing.consultation_id == Consultation.id)
            .where(Hearing.id == participant.hearing_id)
        )
    check_can_contribute(consultation, participant, now=now)

    locked = session.execute(_LOCK_COMMENT, {"b_comment": comment_id}).first()
    if locked is None or locked.hearing_id != participant.hearing_id:
        raise CommentNotFoundError(_("We could not find this comment. It may have been removed."))
    if locked.state != CommentState.PUBLISHED:
        raise StateError(_("You can only vote on published comments. This one is not shown right now."))

    keys = {"b_comment": comment_id, "b_participant": participant.id}
    previous = session.execute(_CURRENT_VOTE, keys).scalar()
    row = {**keys, "b_value": int(vote), "b_now": now}
    if previous is None:
        session.execute(_INSERT_VOTE, row)
    else:
        session.execute(_UPDATE_VOTE, row)
    session.execute(_INSERT_EVENT, row)

    counts = [locked.agree_count, locked.disagree_count, locked.pass_count]
    if previous != int(vote):
        delta = _delta(previous, -1)
        for name, step in _delta(int(vote), 1).items():
            delta[name] += step
        session.execute(_MOVE_COUNTERS, {"b_comment": comment_id, **delta})
        counts = [c + delta[d] for c, d in zip(counts, ("d_agree", "d_disagree", "d_pass"), strict=True)]
    return int(vote), VoteCounts(*counts)


def my_votes(session: Session, participant: Participant | None, comment_ids: list[int]) -> dict[int, int]:
    """Return {comment id: value} of ``participant``'s current votes on those comments."""
    if participant is None or not comment_ids:
        return {}
    rows = session.execute(
        select(Vote.comment_id, Vote.value).where(
            Vote.participant_id == participant.id, Vote.comment_id.in_(comment_ids)
        )
    )
    return {comment_id: value for comment_id, value in rows}


def votable_filter(hearing_id: int, participant_id: int | None):
    """Published comments of the hearing that are not the participant's own."""
    clauses = [Comment.hearing_id == hearing_id, Comment.state == CommentState.PUBLISHED]
    if participant_id is not None:
        clauses.append(Comment.participant_id != participant_id)
    return and_(*clauses)


def not_voted_by(participant_id: int):
    return ~exists().where(Vote.comment_id == Comment.id, Vote.participant_id == participant_id)


def count_votable(session: Session, hearing_id: int, participant_id: int | None) -> int:
    return session.scalar(select(func.count()).where(votable_filter(hearing_id, participant_id))) or 0


@dataclass
class NextStatement:
    """What "vote on statements" shows: the drawn comment (None when done) and the participant's progress."""

    comment: Comment | None
    voted: int  # votable comments the participant has voted on
    total: int  # votable comments (published, not their own)

    @property
    def position(self) -> int:
        return min(self.voted + 1, self.total)


def next_for(session: Session, hearing_id: int, participant: Participant | None, rng) -> NextStatement:
    """Draw the next comment ``participant`` has not voted on (statement_order.next_statement)."""
    participant_id = participant.id if participant is not None else None
    query = select(Comment.id, Comment.agree_count, Comment.disagree_count, Comment.pass_count).where(
        votable_filter(hearing_id, participant_id)
    )
    total = count_votable(session, hearing_id, participant_id)
    if participant_id is not None:
        query = query.where(not_voted_by(participant_id))
    candidates = [Candidate(comment_id, a + d + p, a, d, p) for comment_id, a, d, p in session.execute(query)]
    chosen = next_statement(candidates, rng)
    comment = session.get(Comment, chosen) if chosen is not None else None
    return NextStatement(comment, total - len(candidates), total)
