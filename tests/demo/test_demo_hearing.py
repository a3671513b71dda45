"""The demo hearing: open, split into sections, with comments, replies, two opinion groups' votes and statements."""

from __future__ import annotations

from sqlalchemy import func, select

from civic.consultations.models import ConsultationState
from civic.demo import hearing as demo_hearing
from civic.demo import seed
from civic.hearings.models import Comment, CommentState, FormalStatement, Hearing, StatementState, Vote, VoteEvent


def test_the_demo_hearing_is_open_with_sections_comments_and_statements(db, seeded):
    hearing = demo_hearing.find_demo_hearing(db.session, seeded.organisation)
    assert hearing is not None
    assert hearing.consultation.state == ConsultationState.OPEN
    assert [s.number for s in hearing.sections] == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2"]
    comments = db.session.scalars(select(Comment).where(Comment.hearing_id == hearing.id)).all()
    published = [c for c in comments if c.state == CommentState.PUBLISHED]
    assert len(published) == len(demo_hearing.STATEMENTS) + len(demo_hearing.REPLIES)
    assert sum(1 for c in comments if c.parent_id) == len(demo_hearing.REPLIES)
    [held] = [c for c in comments if c.state == CommentState.PENDING]
    assert held.hold_reasons == ["personal_data"]
    states = sorted(s.state for s in db.session.scalars(select(FormalStatement)))
    assert states == [StatementState.PENDING, StatementState.PUBLISHED]


def test_demo_counters_equal_the_latest_votes_and_groups_disagree(db, seeded):
    hearing = demo_hearing.find_demo_hearing(db.session, seeded.organisation)
    for comment in db.session.scalars(select(Comment).where(Comment.hearing_id == hearing.id)):
        counted = dict(
            db.session.execute(
                select(Vote.value, func.count()).where(Vote.comment_id == comment.id).group_by(Vote.value)
            ).all()
        )
        assert (comment.agree_count, comment.disagree_count, comment.pass_count) == (
            counted.get(1, 0),
            counted.get(-1, 0),
            counted.get(0, 0),
        )
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == db.session.scalar(
        select(func.count()).select_from(Vote)
    )
    # A divisive statement splits the room; a consensus statement does not.
    by_text = {c.body: c for c in db.session.scalars(select(Comment).where(Comment.hearing_id == hearing.id))}
    divisive = by_text[demo_hearing.STATEMENTS[0][2]]
    consensus = by_text[demo_hearing.STATEMENTS[2][2]]
    assert divisive.disagree_count > 0.3 * divisive.vote_count
    assert consensus.agree_count > 0.7 * consensus.vote_count


def test_seeding_again_adds_no_second_hearing(db, seeded):
    seed.seed_demo(db.session)
    db.session.commit()
    assert demo_hearing.find_demo_hearing(db.session, seeded.organisation) is not None
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == 1
