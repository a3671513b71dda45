"""Agree / disagree / pass: one current vote per participant and comment, history, counters, refusals, threads."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.core.errors import InvalidInputError, NotAllowedError, StateError
from civic.hearings.models import Comment, CommentState, Participant, Vote, VoteEvent
from civic.hearings.views.common import COOKIE_SALT, cookie_name
from civic.hearings.views.votes import safe_next
from civic.hearings.votes import CommentNotFoundError, VoteCounts, cast_vote
from tests.fixtures.app import TEST_DATABASE_URI


@pytest.fixture
def world(create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comment = create_comment(hearing, author, "Beboerkort bør koste mindre.")
    return hearing, comment


def _counts(db, comment_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    return comment.agree_count, comment.disagree_count, comment.pass_count


# --- service ----------------------------------------------------------------------------------------------


def test_first_vote_counts_and_is_recorded(db, world, create_participant):
    hearing, comment = world
    voter, _key = create_participant(hearing)
    my_vote, counts = cast_vote(db.session, comment.id, voter, "agree")
    db.session.commit()
    assert my_vote == 1
    assert counts == VoteCounts(1, 0, 0)
    assert _counts(db, comment.id) == (1, 0, 0)
    assert db.session.scalar(select(Vote.value)) == 1
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 1


def test_changing_a_vote_moves_the_counters_and_keeps_history(db, world, create_participant):
    hearing, comment = world
    voter, _key = create_participant(hearing)
    for value in ("agree", "disagree", "disagree", "pass"):
        cast_vote(db.session, comment.id, voter, value)
        db.session.commit()
    assert _counts(db, comment.id) == (0, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    history = db.session.scalars(select(VoteEvent.value).order_by(VoteEvent.id)).all()
    assert history == [1, -1, -1, 0]


def test_counts_of_several_participants(db, world, create_participant):
    hearing, comment = world
    for value in ("agree", "agree", "disagree", "pass"):
        voter, _key = create_participant(hearing)
        _mine, counts = cast_vote(db.session, comment.id, voter, value)
        db.session.commit()
    assert counts == VoteCounts(2, 1, 1)
    assert counts.total == 4


@pytest.mark.parametrize("value", ["", "yes", "AGREE!", "1"])
def test_other_values_are_refused(db, world, create_participant, value):
    hearing, comment = world
    voter, _key = create_participant(hearing)
    with pytest.raises(InvalidInputError):
        cast_vote(db.session, comment.id, voter, value)


@pytest.mark.parametrize("state", [CommentState.PENDING, CommentState.HIDDEN, CommentState.DELETED])
def test_only_published_comments_take_votes(db, world, create_participant, state):
    hearing, comment = world
    comment.state = state
    db.session.commit()
    voter, _key = create_participant(hearing)
    with pytest.raises(StateError):
        cast_vote(db.session, comment.id, voter, "agree")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 0


def test_unknown_comment_or_other_hearing(db, world, create_hearing, create_participant):
    _hearing, comment = world
    other = create_hearing()
    stranger, _key = create_participant(other)
    with pytest.raises(CommentNotFoundError):
        cast_vote(db.session, comment.id, stranger, "agree")
    db.session.rollback()
    with pytest.raises(CommentNotFoundError):
        cast_vote(db.session, 999_999, stranger, "agree")


def test_closed_hearing_refuses_votes(db, world, create_participant):
    hearing, comment = world
    voter, _key = create_participant(hearing)
    hearing.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    with pytest.raises(StateError):
        cast_vote(db.session, comment.id, voter, "agree")


def test_invited_only_hearing_refuses_cookie_participants(db, create_hearing, create_participant, create_comment):
    hearing = create_hearing(access=Access.INVITED)
    author, _key = create_participant(hearing, invited=True)
    comment = create_comment(hearing, author)
    voter, _key = create_participant(hearing)
    with pytest.raises(NotAllowedError):
        cast_vote(db.session, comment.id, voter, "agree")


# --- view -------------------------------------------------------------------------------------------------


def _vote_url(hearing, comment) -> str:
    return f"/h/{hearing.consultation.public_id}/comments/{comment.id}/vote"


def test_plain_post_redirects_back_and_sets_the_cookie(db, client, world):
    hearing, comment = world
    next_url = f"/h/{hearing.consultation.public_id}/s/{comment.section_id}?sort=newest"
    response = client.post(_vote_url(hearing, comment), data={"value": "agree", "next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == next_url
    assert f"{cookie_name(hearing)}=" in response.headers["Set-Cookie"]
    assert _counts(db, comment.id) == (1, 0, 0)
    # The same browser changes its mind: same participant, counters move.
    assert client.post(_vote_url(hearing, comment), data={"value": "disagree"}).status_code == 303
    assert _counts(db, comment.id) == (0, 1, 0)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 2  # author + voter


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/h/x", "//evil.example/h/", "/manage/hearings", "/h/other/s/1", "/h/PID/../../manage", ""],
)
def test_next_is_never_an_open_redirect(db, client, world, next_url):
    hearing, comment = world
    next_url = next_url.replace("PID", hearing.consultation.public_id)
    response = client.post(_vote_url(hearing, comment), data={"value": "pass", "next": next_url})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"/h/{hearing.consultation.public_id}")
    assert ".." not in location


def test_safe_next():
    assert safe_next("/h/abc/s/3?page=2", "abc") == "/h/abc/s/3?page=2"
    assert safe_next("/h/abc", "abc") == "/h/abc"
    assert safe_next("/h/abcd/s/3", "abc") is None
    assert safe_next("/h/abc/\r\nSet-Cookie:x", "abc") is None
    assert safe_next("javascript:alert(1)", "abc") is None


def test_htmx_post_returns_the_buttons(db, htmx_client, world):
    hearing, comment = world
    response = htmx_client.post(_vote_url(hearing, comment), data={"value": "disagree"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="votes-{comment.id}"' in html
    assert re.search(r'value="disagree"\s+aria-pressed="true"', html)
    assert re.search(r'value="agree"\s+aria-pressed="false"', html)


def test_view_refusals(db, client, world, create_comment, create_participant):
    hearing, comment = world
    assert client.post(_vote_url(hearing, comment), data={"value": "maybe"}).status_code == 422
    hidden = create_comment(hearing, create_participant(hearing)[0], "Skjult.", state=CommentState.HIDDEN)
    response = client.post(_vote_url(hearing, hidden), data={"value": "agree"})
    assert response.status_code == 409
    response = client.post(f"/h/{hearing.consultation.public_id}/comments/999999/vote", data={"value": "agree"})
    assert response.status_code == 404
    assert client.post(f"/h/nope/comments/{comment.id}/vote", data={"value": "agree"}).status_code == 404
    hearing.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    response = client.post(_vote_url(hearing, comment), data={"value": "agree"})
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 0


def test_forged_cookie_is_refused(db, client, world):
    hearing, comment = world
    client.set_cookie(cookie_name(hearing), "forged.value")
    response = client.post(_vote_url(hearing, comment), data={"value": "agree"})
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 0


def test_existing_participant_cookie_is_used(db, client, world, create_participant, as_participant):
    hearing, comment = world
    voter, key = create_participant(hearing)
    as_participant(client, hearing, key)
    response = client.post(_vote_url(hearing, comment), data={"value": "agree"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    assert db.session.scalar(select(Vote.participant_id)) == voter.id


# --- concurrency ------------------------------------------------------------------------------------------

THREADS = 12


@pytest.fixture
def app_config(app_config, tmp_path):
    if TEST_DATABASE_URI.startswith("sqlite"):
        return {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'votes.sqlite'}"}
    return app_config


def _run_together(app, jobs: list[tuple[str, str, list[str]]]) -> list[int]:
    """Each job (url, cookie, values) posts its values in order from its own thread and client."""
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(url: str, cookie: str, values: list[str]) -> None:
        client = app.test_client()
        name, _sep, value = cookie.partition("=")
        client.set_cookie(name, value)
        try:
            barrier.wait(timeout=20)
            for v in values:
                statuses.append(client.post(url, data={"value": v}).status_code)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def test_concurrent_votes_keep_counters_exact(app, db, world, create_participant):
    from itsdangerous import URLSafeSerializer


    hearing, comment = world
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT)
    url = _vote_url(hearing, comment)
    plans = [["agree"], ["disagree"], ["pass"], ["agree", "disagree", "pass", "agree"]]
    jobs = []
    for i in range(THREADS):
        _voter, key = create_participant(hearing)
        jobs.append((url, f"{cookie_name(hearing)}={signer.dumps(key)}", plans[i % len(plans)]))
    # The same participant clicking in two tabs at once.
    _twice, key = create_participant(hearing)
    same = f"{cookie_name(hearing)}={signer.dumps(key)}"
    jobs += [(url, same, ["agree", "disagree"]), (url, same, ["pass", "agree"])]
    db.session.commit()  # the test's own transaction must hold no locks

    statuses = _run_together(app, jobs)

    casts = sum(len(values) for _u, _c, values in jobs)
    assert statuses == [303] * casts
    db.session.expire_all()
    latest = db.session.scalars(select(Vote.value).where(Vote.comment_id == comment.id)).all()
    assert len(latest) == THREADS + 1  # one current vote per participant
    expected = (latest.count(1), latest.count(-1), latest.count(0))
    assert _counts(db, comment.id) == expected
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == casts
    # Every participant's current vote is the value of its last event (the two tabs included).
    per_participant_last: dict[int, int] = {}
    for participant_id, value in db.session.execute(
        select(VoteEvent.participant_id, VoteEvent.value).order_by(VoteEvent.id)
    ):
        per_participant_last[participant_id] = value
    current = dict(db.session.execute(select(Vote.participant_id, Vote.value)).all())
    assert current == per_participant_last
