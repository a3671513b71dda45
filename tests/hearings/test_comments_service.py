"""Comment use cases: post, reply, edit, delete, flag, screening, and listing with sorting and paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.core.errors import InvalidInputError, NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.hearings import comments, comments_query
from civic.hearings.comments import CommentNotFoundError
from civic.hearings.models import (
    MAX_COMMENT_LENGTH,
    Comment,
    CommentState,
    Flag,
    ModerationMode,
    Vote,
)

pytestmark = pytest.mark.usefixtures("english_ui")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post(db, hearing, participant, body="Gode forslag om parkering.", **kw):
    comment = comments.post_comment(db.session, hearing, participant, body, **kw)
    db.session.commit()
    return comment


def test_post_on_section_and_whole_document(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    on_section = post(db, hearing, participant, "  Bra.\r\nMen dyrt.  ", section_id=hearing.sections[1].id)
    on_document = post(db, hearing, participant, "Hele forslaget er bra.")
    assert on_section.state == CommentState.PUBLISHED
    assert on_section.hold_reasons == []
    assert on_section.body == "Bra.\nMen dyrt."
    assert on_section.section_id == hearing.sections[1].id
    assert on_section.depth == 0
    assert on_document.section_id is None
    assert not on_section.verified


def test_verified_participant_comments_are_marked(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing, verified_at=now_utc())
    assert post(db, hearing, participant).verified


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment before you send it."),
        ("   \n  ", "Write your comment before you send it."),
        (None, "Write your comment before you send it."),
        ("x" * (MAX_COMMENT_LENGTH + 1), "Your comment is 4001 characters long; the limit is 4000."),
    ],
)
def test_empty_or_oversized_comment_is_refused(db, create_hearing, create_participant, body, message):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    with pytest.raises(InvalidInputError) as refused:
        comments.post_comment(db.session, hearing, participant, body)
    assert message in refused.value.message
    db.session.rollback()
    assert count(db, Comment) == 0


def test_longest_allowed_comment_is_accepted(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    assert len(post(db, hearing, participant, "a" * MAX_COMMENT_LENGTH).body) == MAX_COMMENT_LENGTH


def test_replies_nest_three_levels_and_take_the_parents_section(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    top = post(db, hearing, participant, section_id=hearing.sections[2].id)
    reply = post(db, hearing, participant, "Svar én.", parent_id=top.id, section_id=hearing.sections[0].id)
    deeper = post(db, hearing, participant, "Svar to.", parent_id=reply.id)
    assert (reply.depth, deeper.depth) == (1, 2)
    assert reply.section_id == deeper.section_id == hearing.sections[2].id
    with pytest.raises(InvalidInputError, match="at most 3 levels"):
        comments.post_comment(db.session, hearing, participant, "For dypt.", parent_id=deeper.id)


@pytest.mark.parametrize("state", [CommentState.HIDDEN, CommentState.PENDING, CommentState.DELETED])
def test_reply_to_a_comment_that_is_not_published_is_refused(
    db, create_hearing, create_participant, create_comment, state
):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    parent = create_comment(hearing, participant, state=state)
    with pytest.raises(StateError, match="hidden or deleted"):
        comments.post_comment(db.session, hearing, participant, "Svar.", parent_id=parent.id)
    db.session.rollback()
    assert count(db, Comment) == 1


def test_reply_to_a_missing_or_foreign_comment_is_404(db, create_hearing, create_participant, create_comment):
    hearing, other = create_hearing(), create_hearing()
    participant, _key = create_participant(hearing)
    stranger, _key = create_participant(other)
    foreign = create_comment(other, stranger, section_id=None)
    for parent_id in (foreign.id, 9999):
        with pytest.raises(CommentNotFoundError) as refused:
            comments.post_comment(db.session, hearing, participant, "Svar.", parent_id=parent_id)
        assert refused.value.status_code == 404
    with pytest.raises(CommentNotFoundError):
        comments.post_comment(db.session, hearing, participant, "Hei.", section_id=other.sections[0].id)


def test_closed_and_invited_only_hearings_refuse_comments(db, create_hearing, create_participant):
    closed = create_hearing(state=ConsultationState.CLOSED)
    participant, _key = create_participant(closed)
    with pytest.raises(StateError, match="closed"):
        comments.post_comment(db.session, closed, participant, "Sent ute.")
    invited = create_hearing(access=Access.INVITED)
    uninvited, _key = create_participant(invited)
    with pytest.raises(NotAllowedError, match="invited"):
        comments.post_comment(db.session, invited, uninvited, "Hei.")
    db.session.rollback()
    assert count(db, Comment) == 0


def test_screening_holds_personal_data_links_and_repeats(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    phone = post(db, hearing, participant, "Ring meg på 412 34 567 om dette.")
    link = post(db, hearing, participant, "Se https://example.com/forslag for mer.")
    first = post(db, hearing, participant, "Parkering må bli billigere for barnefamilier.")
    again = post(db, hearing, participant, "Parkering må bli billigere for barnefamilier!")
    assert (phone.state, phone.hold_reasons) == (CommentState.PENDING, ["personal_data"])
    assert link.hold_reasons == ["link"]
    assert first.state == CommentState.PUBLISHED
    assert (again.state, again.hold_reasons) == (CommentState.PENDING, ["repeat"])


def test_a_burst_of_posts_is_held(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    now = now_utc()
    texts = ["Bussen går for sjelden.", "Flere sykkelstativer!", "Gatelys i Tonsenveien.", "Hva med el-biler?",
             "Beboerkort er for dyrt.", "Snøbrøyting må prioriteres."]  # fmt: skip
    states = [post(db, hearing, participant, text, now=now).state for text in texts]
    assert states[:5] == [CommentState.PUBLISHED] * 5
    assert states[5] == CommentState.PENDING


def test_pre_moderation_holds_every_comment(db, create_hearing, create_participant):
    hearing = create_hearing(moderation_mode=ModerationMode.PRE)
    participant, _key = create_participant(hearing)
    comment = post(db, hearing, participant, "Ring 412 34 567.")
    assert comment.state == CommentState.PENDING
    assert comment.hold_reasons == ["personal_data", "pre_moderation"]


def test_edit_within_the_window_is_screened_again(db, create_hearing, create_participant):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    comment = post(db, hearing, participant, "Første versjon.")
    comments.edit_comment(db.session, comment, participant, "Ny versjon, ring 412 34 567.")
    assert comment.body == "Ny versjon, ring 412 34 567."
    assert comment.edited_at is not None
    assert (comment.state, comment.hold_reasons) == (CommentState.PENDING, ["personal_data"])
    comments.edit_comment(db.session, comment, participant, "Ny versjon uten nummer.")
    assert (comment.state, comment.hold_reasons) == (CommentState.PUBLISHED, [])


def test_edit_refused_after_the_window_for_others_and_when_empty(db, create_hearing, create_participant):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    other, _key = create_participant(hearing)
    comment = post(db, hearing, author, "Første versjon.")
    with pytest.raises(NotAllowedError):
        comments.edit_comment(db.session, comment, other, "Kapret.")
    with pytest.raises(InvalidInputError):
        comments.edit_comment(db.session, comment, author, " ")
    with pytest.raises(StateError, match="first 15 minutes"):
        comments.edit_comment(db.session, comment, author, "For sent.", now=now_utc() + timedelta(minutes=16))
    db.session.rollback()
    assert db.session.get(Comment, comment.id).body == "Første versjon."


def test_delete_own_keeps_replies(db, create_hearing, create_participant):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    other, _key = create_participant(hearing)
    comment = post(db, hearing, author, "Jeg angrer.")
    reply = post(db, hearing, other, "Svar.", parent_id=comment.id)
    with pytest.raises(NotAllowedError):
        comments.delete_comment(db.session, comment, other)
    comments.delete_comment(db.session, comment, author)
    db.session.commit()
    assert comment.state == CommentState.DELETED
    assert comment.deleted_at is not None
    listing = comments_query.list_comments(db.session, hearing.id, section_id=None)
    [item] = listing.items
    assert item.placeholder
    assert [r.comment.id for r in item.replies] == [reply.id]
    with pytest.raises(StateError):
        comments.edit_comment(db.session, comment, author, "Tilbake.")


def test_flags_are_one_per_participant_and_three_hold_the_comment(db, create_hearing, create_participant):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comment = post(db, hearing, author, "Et innlegg noen misliker.")
    flaggers = [create_participant(hearing)[0] for _ in range(comments.FLAG_THRESHOLD)]
    flag, created = comments.flag_comment(db.session, comment, flaggers[0], "offensive", "Stygt språk")
    assert created
    assert flag.note == "Stygt språk"
    again, created = comments.flag_comment(db.session, comment, flaggers[0], "spam")
    assert again.id == flag.id
    assert not created
    comments.flag_comment(db.session, comment, flaggers[1], "spam")
    assert comment.state == CommentState.PUBLISHED
    comments.flag_comment(db.session, comment, flaggers[2], "other")
    db.session.commit()
    assert count(db, Flag) == 3
    assert (comment.state, comment.hold_reasons) == (CommentState.PENDING, ["flagged"])


def test_flag_needs_a_known_reason(db, create_hearing, create_participant):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comment = post(db, hearing, author)
    with pytest.raises(InvalidInputError, match="Choose why"):
        comments.flag_comment(db.session, comment, author, "because")
    with pytest.raises(InvalidInputError, match="500"):
        comments.flag_comment(db.session, comment, author, "other", "x" * 501)
    assert count(db, Flag) == 0


def test_list_shows_own_pending_only_to_the_author(db, create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    reader, _key = create_participant(hearing)
    section_id = hearing.sections[1].id
    create_comment(hearing, author, "Venter.", state=CommentState.PENDING)
    create_comment(hearing, author, "Skjult.", state=CommentState.HIDDEN)
    create_comment(hearing, author, "Synlig.")
    mine = comments_query.list_comments(db.session, hearing.id, section_id=section_id, participant=author)
    theirs = comments_query.list_comments(db.session, hearing.id, section_id=section_id, participant=reader)
    assert sorted(i.comment.body for i in mine.items) == ["Synlig.", "Venter."]
    assert [i.comment.body for i in theirs.items] == ["Synlig."]
    assert all(i.mine and i.can_edit for i in mine.items)


def test_list_sorts_pages_and_reads_my_votes(db, create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    reader, _key = create_participant(hearing)
    section_id = hearing.sections[1].id
    start = now_utc() - timedelta(hours=1)
    counts = [(0, 0, 0), (50, 2, 0), (20, 20, 1), (3, 0, 0), (10, 9, 40)]
    made = [
        create_comment(hearing, author, f"Kommentar {n}", agree_count=a, disagree_count=d, pass_count=p)
        for n, (a, d, p) in enumerate(counts)
    ]
    for n, comment in enumerate(made):
        comment.created_at = start + timedelta(minutes=n)
    db.session.add(Vote(comment_id=made[1].id, participant_id=reader.id, value=-1))
    db.session.commit()

    def ids(sort, page=1, size=2):
        listing = comments_query.list_comments(
            db.session, hearing.id, section_id=section_id, participant=reader, sort=sort, page=page, page_size=size
        )
        return listing, [made.index(i.comment) for i in listing.items]

    listing, newest = ids("newest")
    assert newest == [4, 3]
    assert (listing.total, listing.pages) == (5, 3)
    assert ids("newest", page=3)[1] == [0]
    assert ids("newest", page=99)[1] == [0]  # past the end: the last page
    assert ids("agreed", size=5)[1] == [1, 3, 2, 4, 0]
    assert ids("divisive", size=5)[1][:2] == [2, 4]
    assert ids("bogus")[0].sort == "newest"
    listing, _order = ids("agreed", size=5)
    votes = {made.index(i.comment): i.my_vote for i in listing.items}
    assert votes[1] == -1
    assert votes[0] is None


def test_counts_per_section(db, create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    first = create_comment(hearing, author)
    create_comment(hearing, author, parent_id=first.id, depth=1)
    create_comment(hearing, author, section_id=None)
    create_comment(hearing, author, state=CommentState.HIDDEN)
    assert comments_query.top_level_counts(db.session, hearing.id) == {hearing.sections[1].id: 1, None: 1}
