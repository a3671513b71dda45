"""Agree / disagree / pass on comments: one current vote per participant and comment, every cast in the history.

``cast_vote`` keeps the counters on the comment equal to the latest votes under concurrent clicks. It first
takes the comment row's lock with an UPDATE (PostgreSQL: a row lock that serialises votes on this comment
and lets votes on other comments run in parallel; SQLite: the first write takes the database's write lock),
then reads the participant's current vote, writes it, appends a VoteEvent and moves the counters by the
difference. Core statements, built once, keep a vote to a handful of short round trips; on PostgreSQL two:
the lock, then one statement that reads the previous vote and, with data-modifying CTEs, writes the vote,
the event and the counters. The read must not be part of the lock's statement: a statement's snapshot is
taken when it starts, before a wait for the lock, and would miss a concurrent vote of the same participant
(two tabs) that committed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, insert, select, text, update
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token
from civic.hearings.comments import CommentNotFoundError  # one error for a missing comment
from civic.hearings.models import Comment, CommentState, Hearing, Participant, Vote, VoteEvent, VoteValue
from civic.hearings.participants import check_can_contribute
from civic.hearings.statement_order import Candidate, next_statement

#: Form values → stored values.
VALUES: dict[str, VoteValue] = {"agree": VoteValue.AGREE, "disagree": VoteValue.DISAGREE, "pass": VoteValue.PASS}
NAMES: dict[int, str] = {int(v): k for k, v in VALUES.items()}


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


# PostgreSQL, after _LOCK_COMMENT: read the participant's previous vote, write the vote and its event, and move
# the counters, in one statement. Its snapshot is taken after the lock was granted, so "prev" sees any vote on
# this comment that committed meanwhile, and no other can commit before ours (we hold the comment's lock).
# Every CTE runs exactly once and sees the snapshot, so "prev" is the value before the upsert.
_WRITE_VOTE_PG = text(
    """
    WITH prev AS (
        SELECT value FROM hearing_votes WHERE comment_id = :b_comment AND participant_id = :b_participant
    ), upsert AS (
        INSERT INTO hearing_votes (comment_id, participant_id, value, updated_at)
        VALUES (:b_comment, :b_participant, :b_value, :b_now)
        ON CONFLICT (comment_id, participant_id) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
    ), event AS (
        INSERT INTO hearing_vote_events (comment_id, participant_id, value, created_at)
        VALUES (:b_comment, :b_participant, :b_value, :b_now)
    )
    UPDATE hearing_comments SET
        agree_count = agree_count + (CASE WHEN :b_value = 1 THEN 1 ELSE 0 END)
            - (SELECT count(*) FROM prev WHERE value = 1),
        disagree_count = disagree_count + (CASE WHEN :b_value = -1 THEN 1 ELSE 0 END)
            - (SELECT count(*) FROM prev WHERE value = -1),
        pass_count = pass_count + (CASE WHEN :b_value = 0 THEN 1 ELSE 0 END)
            - (SELECT count(*) FROM prev WHERE value = 0)
    WHERE id = :b_comment
    RETURNING agree_count, disagree_count, pass_count
    """
)
assert {_votes.name, _events.name, _comments.name} == {"hearing_votes", "hearing_vote_events", "hearing_comments"}


@dataclass(frozen=True)
class VoterContext:
    """What a vote needs of the hearing's consultation and the voter, read as plain values in one query.

    Duck-types Consultation (state, access, closes_at, is_accepting_responses) and, through ``voter``,
    Participant (id, hearing_id, invited) for check_can_contribute and cast_vote.
    """

    hearing_id: int
    state: str
    access: str
    closes_at: datetime | None
    voter: Voter | None

    is_accepting_responses = Consultation.is_accepting_responses


@dataclass(frozen=True)
class Voter:
    id: int
    hearing_id: int
    invited: bool


def _voter_context_query():
    consultations, hearings, participants = Consultation.__table__, Hearing.__table__, Participant.__table__
    return (
        select(
            hearings.c.id,
            consultations.c.state,
            consultations.c.access,
            consultations.c.closes_at,
            participants.c.id,
            participants.c.invited,
        )
        .select_from(consultations)
        .join(hearings, hearings.c.consultation_id == consultations.c.id)
        .outerjoin(
            participants,
            and_(participants.c.hearing_id == hearings.c.id, participants.c.key_hash == bindparam("key_hash")),
        )
        .where(consultations.c.public_id == bindparam("public_id"), consultations.c.kind == "hearing")
    )


_VOTER_CONTEXT = _voter_context_query()


def voter_context(session: Session, public_id: str, key: str | None) -> VoterContext | None:
    """Return the hearing's state and the key's participant (None if unknown) in one query; None if no hearing."""
    row = session.execute(_VOTER_CONTEXT, {"public_id": public_id, "key_hash": hash_token(key or "")}).first()
    if row is None:
        return None
    hearing_id, state, access, closes_at, voter_id, invited = row
    voter = Voter(voter_id, hearing_id, bool(invited)) if voter_id is not None else None
    return VoterContext(hearing_id, state, access, closes_at, voter)


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
    participant: Participant | Voter,
    value: VoteValue | str,
    now: datetime | None = None,
    *,
    consultation: Consultation | VoterContext | None = None,
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

    keys = {"b_comment": comment_id, "b_participant": participant.id}
    postgres = session.connection().dialect.name == "postgresql"
    locked = session.execute(_LOCK_COMMENT, {"b_comment": comment_id}).first()
    if locked is None or locked.hearing_id != participant.hearing_id:
        raise CommentNotFoundError(_("We could not find this comment. It may have been removed."))
    if locked.state != CommentState.PUBLISHED:
        raise StateError(_("You can only vote on published comments. This one is not shown right now."))

    row = {**keys, "b_value": int(vote), "b_now": now}
    if postgres:
        return int(vote), VoteCounts(*session.execute(_WRITE_VOTE_PG, row).one())
    previous = session.execute(_CURRENT_VOTE, keys).scalar()
    delta = _delta(previous, -1)
    for name, step in _delta(int(vote), 1).items():
        delta[name] += step
    session.execute(_INSERT_VOTE if previous is None else _UPDATE_VOTE, row)
    session.execute(_INSERT_EVENT, row)
    if previous != int(vote):
        session.execute(_MOVE_COUNTERS, {"b_comment": comment_id, **delta})
    counts = [locked.agree_count, locked.disagree_count, locked.pass_count]
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
