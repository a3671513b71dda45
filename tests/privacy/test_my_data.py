"""A resident sees and deletes what they contributed through their personal link (survey, hearing, focus group).

Each test also contributes through a second resident's link, which must come through the deletion untouched.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from civic.consultations.models import ConsultationState
from civic.focus_groups import answering, participation
from civic.focus_groups.models import Contribution, ContributionVote, FocusGroupMode
from civic.hearings.models import Comment, CommentState, Vote, VoteEvent
from civic.outreach.models import Invitation
from civic.surveys.models import Answer, SurveyResponse
from tests.surveys.answer_helpers import page1, page2, responses_and_answers


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _delete(client, token: str, **form):
    return client.post(f"/p/{token}/my-data/delete", data={"confirm": "yes", **form})


# --- surveys -----------------------------------------------------------------------------------------------


@pytest.fixture
def answered_survey(app, db, create_survey, create_invitation):
    """Two residents answered the survey through their personal links; returns (survey, mine, theirs)."""
    survey = create_survey()
    tokens = []
    for street in ("Refstadveien", "Tonsenveien"):
        _invitation, token = create_invitation(survey.consultation)
        client = app.test_client()
        assert client.post(f"/p/{token}/page/1", data=page1(survey)).status_code == 303
        assert client.post(f"/p/{token}/page/2", data=page2(survey, **{f"q{survey.questions[3].id}": street}))
        tokens.append(token)
    assert responses_and_answers(db)[0] == 2
    return survey, tokens[0], tokens[1]


def test_the_page_lists_the_links_own_survey_answers(client, answered_survey, english_ui):
    _survey, mine, _theirs = answered_survey
    page = client.get(f"/p/{mine}/my-data")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Refstadveien" in page.text
    assert "Tonsenveien" not in page.text  # the other resident's answer
    assert "Flere sykkelstativ" in page.text
    assert 'name="csrf_token"' in page.text
    assert f'action="/p/{mine}/my-data/delete"' in page.text


def test_deleting_survey_answers_removes_them_and_reopens_the_invitation(client, db, answered_survey, english_ui):
    survey, mine, theirs = answered_survey
    responses, answers = responses_and_answers(db)
    answered_before = _count(db, Invitation, Invitation.responded_at.is_not(None))
    done = _delete(client, mine)
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/p/{mine}/my-data?deleted=1")
    after = client.get(done.headers["Location"])
    assert "Your contributions are deleted" in after.text
    assert "Refstadveien" not in after.text
    assert "Delete my contributions" not in after.text

    db.session.expire_all()
    assert responses_and_answers(db) == (responses - 1, answers - answers // 2)
    assert _count(db, Invitation, Invitation.responded_at.is_not(None)) == answered_before - 1
    remaining = db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    assert "Tonsenveien" in remaining
    assert "Refstadveien" not in remaining
    assert "Tonsenveien" in client.get(f"/p/{theirs}/my-data").text
    # Deleting again finds nothing left: same page, nothing else changes.
    assert _delete(client, mine).status_code == 303
    db.session.expire_all()
    assert responses_and_answers(db) == (responses - 1, answers - answers // 2)
    # The link still works: the resident may answer again.
    assert client.post(f"/p/{mine}/page/1", data=page1(survey)).status_code == 303
    assert client.post(f"/p/{mine}/page/2", data=page2(survey)).status_code == 303
    db.session.expire_all()
    assert _count(db, SurveyResponse) == responses


def test_delete_needs_the_confirmation_box(client, db, answered_survey, english_ui):
    _survey, mine, _theirs = answered_survey
    refused = client.post(f"/p/{mine}/my-data/delete", data={})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.text
    assert "Refstadveien" in refused.text  # still there, still listed
    db.session.expire_all()
    assert responses_and_answers(db)[0] == 2


def test_delete_needs_a_csrf_token(app, db, answered_survey):
    _survey, mine, _theirs = answered_survey
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get(f"/p/{mine}/my-data")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post(f"/p/{mine}/my-data/delete", data={"confirm": "yes"}).status_code == 400
    db.session.expire_all()
    assert responses_and_answers(db)[0] == 2
    assert client.post(f"/p/{mine}/my-data/delete", data={"confirm": "yes", "csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert responses_and_answers(db)[0] == 1


def test_an_unknown_link_is_a_clear_404(client, db, answered_survey, english_ui):
    for response in (client.get("/p/not-a-real-token/my-data"), _delete(client, "not-a-real-token")):
        assert response.status_code == 404
        assert "This personal link is not valid" in response.text
    db.session.expire_all()
    assert responses_and_answers(db)[0] == 2


def test_a_link_that_sent_nothing_says_so(client, create_survey, create_invitation, english_ui):
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation)
    page = client.get(f"/p/{token}/my-data")
    assert page.status_code == 200
    assert "Nothing sent through this link is stored" in page.text
    assert "Delete my contributions" not in page.text


# --- hearings ----------------------------------------------------------------------------------------------


def _join_hearing(app, token: str):
    client = app.test_client()
    assert client.get(f"/h/p/{token}").status_code == 303  # the link's participant, kept in the cookie
    return client


def _comment(client, hearing, body: str) -> None:
    public_id = hearing.consultation.public_id
    posted = client.post(
        f"/h/{public_id}/comments",
        data={"body": body, "accept_rules": "1", "section_id": hearing.sections[1].id},
    )
    assert posted.status_code in (200, 303), posted.text


def _vote(client, hearing, comment_id: int, value: str) -> None:
    posted = client.post(f"/h/{hearing.consultation.public_id}/comments/{comment_id}/vote", data={"value": value})
    assert posted.status_code in (200, 303), posted.text


def test_deleting_hearing_contributions_takes_votes_out_of_the_counts(
    app, db, create_hearing, create_invitation, english_ui
):
    hearing = create_hearing()
    _inv, mine = create_invitation(hearing.consultation)
    _inv, theirs = create_invitation(hearing.consultation)
    me, other = _join_hearing(app, mine), _join_hearing(app, theirs)
    _comment(me, hearing, "Jeg vil ha flere sykkelparkeringer ved Linderud.")
    _comment(other, hearing, "Gratis parkering for hjemmetjenesten, takk.")
    mine_id = db.session.scalar(select(Comment.id).where(Comment.body.like("Jeg vil%")))
    theirs_id = db.session.scalar(select(Comment.id).where(Comment.body.like("Gratis%")))
    _vote(me, hearing, theirs_id, "agree")
    _vote(me, hearing, theirs_id, "disagree")  # changed: one current vote, two events
    _vote(other, hearing, mine_id, "agree")

    page = me.get(f"/p/{mine}/my-data")
    assert "Jeg vil ha flere sykkelparkeringer" in page.text
    assert "Gratis parkering" in page.text  # the comment I voted on, and how
    assert "Disagree" in page.text

    assert _delete(me, mine).status_code == 303
    db.session.expire_all()
    mine_row, theirs_row = db.session.get(Comment, mine_id), db.session.get(Comment, theirs_id)
    assert (mine_row.state, mine_row.body) == (CommentState.DELETED, "")
    assert (theirs_row.agree_count, theirs_row.disagree_count, theirs_row.pass_count) == (0, 0, 0)
    assert _count(db, Vote, Vote.comment_id == theirs_id) == 0
    assert _count(db, VoteEvent, VoteEvent.comment_id == theirs_id) == 0
    # The other resident's vote on my (deleted) comment is theirs, and stays.
    assert _count(db, Vote, Vote.comment_id == mine_id) == 1
    assert theirs_row.body.startswith("Gratis parkering")
    assert "Jeg vil ha" not in me.get(f"/h/{hearing.consultation.public_id}").text
    assert "Your contributions are deleted" in me.get(f"/p/{mine}/my-data?deleted=1").text


def test_a_closed_hearing_still_lets_a_resident_delete(app, db, create_hearing, create_invitation, english_ui):
    hearing = create_hearing()
    _inv, mine = create_invitation(hearing.consultation)
    me = _join_hearing(app, mine)
    _comment(me, hearing, "Dette er min mening om saken.")
    hearing.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    assert _delete(me, mine).status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Comment.body)).all() == [""]


# --- focus groups ------------------------------------------------------------------------------------------


def test_deleting_focus_group_answers_and_votes(app, db, client, create_focus_group, create_invitation, english_ui):
    group = create_focus_group(mode=FocusGroupMode.ASYNC)
    prompt = group.prompts[0]
    _inv, mine = create_invitation(group.consultation)
    _inv, theirs = create_invitation(group.consultation)
    people = {}
    for token, text in ((mine, "Tryggere skolevei for alle barn."), (theirs, "Foreldre må kunne kjøre i regn.")):
        _group, participant, _key = participation.join_with_link(db.session, token)
        answering.submit_answer(db.session, group, prompt, participant, MultiDict({"text": text}))
        people[token] = participant
    db.session.commit()
    their_answer = db.session.scalar(select(Contribution).where(Contribution.participant_id == people[theirs].id))
    my_answer = db.session.scalar(select(Contribution).where(Contribution.participant_id == people[mine].id))
    answering.cast_vote(db.session, group, people[mine], their_answer.id, "agree")
    answering.cast_vote(db.session, group, people[theirs], my_answer.id, "disagree")
    db.session.commit()
    version = group.version

    page = client.get(f"/p/{mine}/my-data")
    assert "Tryggere skolevei" in page.text
    assert "Foreldre må kunne" in page.text  # the answer I voted on
    assert "Agree" in page.text
    assert _delete(client, mine).status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Contribution.text)).all() == ["Foreldre må kunne kjøre i regn."]
    theirs_row = db.session.get(Contribution, their_answer.id)
    assert (theirs_row.agree_count, theirs_row.disagree_count) == (0, 0)
    assert _count(db, ContributionVote) == 0  # mine on theirs, and theirs on my deleted answer
    assert db.session.get(type(group), group.id).version > version
    assert "Tryggere skolevei" not in client.get(f"/p/{mine}/my-data").text


# --- finding the page from the data-protection page --------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "https://civic.example/p/{t}",
        "/h/p/{t}",
        "https://x.example/f/join/{t}",
        " {t} ",
        "https://medvirkning-oslo-kommune.example/p/{t}/page/2?lang=nn",
    ],
)
def test_a_pasted_personal_link_leads_to_its_page(client, answered_survey, shape):
    _survey, mine, _theirs = answered_survey
    found = client.post("/my-data", data={"link": shape.format(t=mine)})
    assert found.status_code == 303
    assert found.headers["Location"].endswith(f"/p/{mine}/my-data")


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("", "Paste the personal link"),
        ("https://civic.example/p/short", "We could not find this personal link"),
        ("https://civic.example/p/" + "A" * 32, "We could not find this personal link"),
    ],
)
def test_a_pasted_link_that_leads_nowhere_is_explained(client, answered_survey, english_ui, pasted, message):
    refused = client.post("/my-data", data={"link": pasted})
    assert refused.status_code == 422
    assert message in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_the_find_page_is_a_plain_form(client, english_ui):
    page = client.get("/my-data")
    assert page.status_code == 200
    assert 'method="post" action="/my-data"' in page.text
    assert 'name="csrf_token"' in page.text
