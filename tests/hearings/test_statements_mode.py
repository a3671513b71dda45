""" "Vote on statements": one unvoted comment at a time, progress, skip, done state, with and without htmx."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from civic.consultations.models import ConsultationState
from civic.hearings.models import CommentState, Vote, VoteEvent
from civic.hearings.views.common import cookie_name


@pytest.fixture
def hearing_with_comments(create_hearing, create_participant, create_comment):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comments = [create_comment(hearing, author, f"Utsagn nummer {i}.") for i in range(3)]
    create_comment(hearing, author, "Venter på moderator.", state=CommentState.PENDING)
    create_comment(hearing, author, "Skjult utsagn.", state=CommentState.HIDDEN)
    return hearing, comments


def _url(hearing) -> str:
    return f"/h/{hearing.consultation.public_id}/vote"


def _shown_id(html: str) -> int:
    return int(re.search(r'name="comment_id" value="(\d+)"', html)[1])


def test_walks_through_every_published_statement_then_done(db, client, hearing_with_comments):
    hearing, comments = hearing_with_comments
    seen = []
    for position, value in zip((1, 2, 3), ("agree", "disagree", "skip"), strict=True):
        html = client.get(_url(hearing)).get_data(as_text=True)
        assert f"Statement {position} of 3" in html
        assert "Venter på moderator" not in html
        assert "Skjult utsagn" not in html
        comment_id = _shown_id(html)
        assert comment_id not in seen
        seen.append(comment_id)
        response = client.post(_url(hearing), data={"comment_id": comment_id, "value": value})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(_url(hearing))
    assert sorted(seen) == sorted(c.id for c in comments)
    html = client.get(_url(hearing)).get_data(as_text=True)
    assert "You have voted on every statement" in html
    assert 'name="comment_id"' not in html
    votes = dict(db.session.execute(select(Vote.comment_id, Vote.value)).all())
    assert sorted(votes.values()) == [-1, 0, 1]  # skip is a pass


def test_own_comments_are_not_offered(db, client, create_hearing, create_participant, create_comment, as_participant):
    hearing = create_hearing()
    me, key = create_participant(hearing)
    create_comment(hearing, me, "Mitt eget utsagn.")
    as_participant(client, hearing, key)
    html = client.get(_url(hearing)).get_data(as_text=True)
    assert "There are no statements to vote on yet" in html


def test_htmx_swaps_the_card(db, htmx_client, hearing_with_comments):
    hearing, _comments = hearing_with_comments
    html = htmx_client.get(_url(hearing)).get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card statement-card" id="statement-card"')
    first = _shown_id(html)
    response = htmx_client.post(_url(hearing), data={"comment_id": first, "value": "agree"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="statement-card"' in html
    assert "<html" not in html
    assert "Statement 2 of 3" in html
    assert _shown_id(html) != first
    assert "civic_hearing_" in response.headers["Set-Cookie"]


def test_a_comment_hidden_meanwhile_shows_the_next_one(db, htmx_client, hearing_with_comments):
    hearing, comments = hearing_with_comments
    comments[0].state = CommentState.HIDDEN
    db.session.commit()
    response = htmx_client.post(_url(hearing), data={"comment_id": comments[0].id, "value": "agree"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "not counted" in html or "only vote on published" in html
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 0


def test_bad_input_and_closed_hearing(db, client, hearing_with_comments):
    hearing, comments = hearing_with_comments
    assert client.post(_url(hearing), data={"comment_id": comments[0].id, "value": "maybe"}).status_code == 422
    assert client.post(_url(hearing), data={"value": "agree"}).status_code == 422
    hearing.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    html = client.get(_url(hearing)).get_data(as_text=True)
    assert "Voting has closed" in html
    assert 'name="comment_id"' not in html
    assert client.post(_url(hearing), data={"comment_id": comments[0].id, "value": "agree"}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 0


def test_forged_cookie(db, client, hearing_with_comments):
    hearing, comments = hearing_with_comments
    client.set_cookie(cookie_name(hearing), "forged")
    assert client.get(_url(hearing)).status_code == 200  # reading: treated as a new visitor
    client.set_cookie(cookie_name(hearing), "forged")
    response = client.post(_url(hearing), data={"comment_id": comments[0].id, "value": "agree"})
    assert response.status_code == 400


def test_favours_comments_with_few_votes(db, create_hearing, create_participant, create_comment):
    import random

    from civic.hearings.votes import next_for

    hearing = create_hearing()
    author, _key = create_participant(hearing)
    busy = create_comment(hearing, author, "Mye stemt på.", agree_count=60, disagree_count=30, pass_count=10)
    fresh = create_comment(hearing, author, "Nytt utsagn.")
    rng = random.Random(1)
    drawn = [next_for(db.session, hearing.id, None, rng).comment.id for _ in range(200)]
    assert drawn.count(fresh.id) > 150 > drawn.count(busy.id)
