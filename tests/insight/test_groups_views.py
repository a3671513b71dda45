"""The opinion-groups page: map, what each group thinks, consensus, divisive statements, and the empty cases."""

from __future__ import annotations

import importlib
import json
import re
from html import unescape

import pytest

from analysis.opinion import compute_opinion_groups
from civic.accounts.models import Role
from civic.core.timeutils import now_utc
from civic.hearings.models import CommentState, Vote
from civic.insight.models import AnalysisRun, RunKind, RunStatus

#: Everyone agrees with the first statement; two camps split on the others.
SHARED = "Vi trenger tryggere skoleveier"
CAMP_A = ["Beboerparkering er bra", "Fjern gjennomgangstrafikken", "Flere parkeringsplasser ved senteret"]
#: civic/insight/__init__.py binds ``civic.insight.runs`` to the views module; the service is in sys.modules.
runs = importlib.import_module("civic.insight.runs")
CAMP_B = ["Parkering bør være gratis", "Ingen nye bomstasjoner", "Bygg et nytt parkeringshus"]


@pytest.fixture
def voted_hearing(db, create_hearing, create_participant, create_comment):
    """20 participants: all agree with SHARED; camp A agrees with CAMP_A and disagrees with CAMP_B, camp B the
    opposite; two participants voted too little to be grouped."""
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comments = {text: create_comment(hearing, author, text) for text in [SHARED, *CAMP_A, *CAMP_B]}
    now = now_utc()
    for n in range(22):
        participant, _key = create_participant(hearing)
        camp_a = n % 2 == 0
        votes = {SHARED: 1}
        for text in CAMP_A:
            votes[text] = 1 if camp_a else -1
        for text in CAMP_B:
            votes[text] = -1 if camp_a else 1
        if n == 3:
            votes[CAMP_B[0]] = 0  # a pass
        if n >= 20:
            votes = {SHARED: 1}  # too few votes to be grouped
        for text, value in votes.items():
            db.session.add(
                Vote(comment_id=comments[text].id, participant_id=participant.id, value=value, updated_at=now)
            )
    db.session.commit()
    hearing.comments_for_test = comments
    return hearing


def _run(db, hearing, planner) -> AnalysisRun:
    run = runs.start_run(db.session, hearing.consultation, RunKind.OPINION_GROUPS, {"seed": 0}, actor=planner)
    db.session.commit()
    runs.execute_run(db.session, run.id)
    db.session.refresh(run)
    return run


def _url(hearing, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/manage/insight/{hearing.consultation_id}/groups" + (f"?{query}" if query else "")


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def test_the_page_shows_groups_consensus_and_divisive_statements_with_their_votes(
    db, client, voted_hearing, logged_in_planner
):
    run = _run(db, voted_hearing, logged_in_planner)
    assert run.status == RunStatus.DONE
    assert run.result["k"] == 2
    response = client.get(_url(voted_hearing))
    assert response.status_code == 200
    text = _text(response)
    assert "Group A" in text
    assert "Group B" in text
    assert "10 participants" in text
    # What each group thinks: camp statements with the votes inside and outside the group.
    assert "agrees" in text
    assert "10 agree · 0 disagree · 0 pass" in text  # inside the group
    assert "0 agree · 10 disagree · 0 pass" in text  # everyone else
    for statement in CAMP_A + CAMP_B:
        assert statement in text
    # Consensus: the shared statement, with everyone's votes.
    consensus = text.split("Most participants agree", 1)[1].split("Most participants disagree", 1)[0]
    assert SHARED in consensus
    assert "22 agree · 0 disagree · 0 pass" in consensus
    # Group-informed consensus ranks the shared statement first.
    ranking = text.split("Statements ranked by group-informed consensus", 1)[1]
    assert ranking.index(SHARED) < min(ranking.index(s) for s in CAMP_A + CAMP_B if s in ranking)
    # Divisive statements name each group's agreement.
    divisive = text.split("Divisive statements", 1)[1]
    assert "Group A: 100% agree (10 of 10)" in divisive or "Group A: 0% agree (0 of 10)" in divisive
    # Traceable: each statement links to the comment on the hearing's page.
    comment = voted_hearing.comments_for_test[SHARED]
    assert f"#c-{comment.id}" in response.get_data(as_text=True)


def test_the_map_has_a_figure_a_summary_and_a_table(db, client, voted_hearing, logged_in_planner):
    _run(db, voted_hearing, logged_in_planner)
    html = client.get(_url(voted_hearing)).get_data(as_text=True)
    figure = json.loads(unescape(re.search(r'data-figure="([^"]*)"', html).group(1)))
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Group A (10)", "Group B (10)", "Not in a group (2)"]
    text = _text_of(html)
    assert "22 participants; those who voted alike are close together. 2 opinion groups" in text
    assert "2 participants have voted on too few comments" in text
    assert "Centre, across" in text
    assert "Show the comments on the map" in text
    with_comments = client.get(_url(voted_hearing, comments=1)).get_data(as_text=True)
    figure = json.loads(unescape(re.search(r'data-figure="([^"]*)"', with_comments).group(1)))
    assert figure["data"][-1]["name"] == "Comments"
    assert len(figure["data"][-1]["x"]) == 7
    assert "Hide the comments on the map" in with_comments


def _text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", html))


def test_a_comment_moderated_out_after_the_run_keeps_its_numbers_but_not_its_text(
    db, client, voted_hearing, logged_in_planner
):
    _run(db, voted_hearing, logged_in_planner)
    comment = voted_hearing.comments_for_test[CAMP_B[2]]
    comment.state = CommentState.HIDDEN
    db.session.commit()
    text = _text(client.get(_url(voted_hearing)))
    assert CAMP_B[2] not in text
    assert "This comment is no longer published" in text
    assert f"Comment {comment.id}" in text


def test_without_a_run_the_page_links_to_the_analysis(client, voted_hearing, logged_in_planner):
    response = client.get(_url(voted_hearing))
    assert response.status_code == 200
    text = _text(response)
    assert "No opinion groups yet" in text
    assert f'href="/manage/insight/{voted_hearing.consultation_id}"' in response.get_data(as_text=True)


def test_an_insufficient_run_is_explained(db, client, create_hearing, logged_in_planner):
    hearing = create_hearing()
    run = _run(db, hearing, logged_in_planner)
    assert run.status == RunStatus.INSUFFICIENT
    response = client.get(_url(hearing))
    assert response.status_code == 200
    text = _text(response)
    assert "There are no votes yet" in text or "Opinion groups need" in text or "Too few participants" in text
    assert "Run the analysis again" in text


def test_a_newer_unfinished_run_is_shown_above_the_last_result(db, client, voted_hearing, logged_in_planner):
    done = _run(db, voted_hearing, logged_in_planner)
    queued = runs.start_run(db.session, voted_hearing.consultation, RunKind.OPINION_GROUPS, {}, actor=None)
    db.session.commit()
    html = client.get(_url(voted_hearing)).get_data(as_text=True)
    assert f"run-{queued.id}-status" in html
    assert 'hx-trigger="every 2s"' in html
    assert "Below is the result of the last run" in html
    assert "Group A" in html
    assert done.id != queued.id


def test_a_hand_made_run_from_the_library_is_shown(db, client, voted_hearing, logged_in_planner):
    """The page reads the library's to_dict() as stored, whoever stored it."""
    comments = voted_hearing.comments_for_test
    votes = [
        (f"p{n}", str(comments[text].id), (1 if n % 2 else -1) * (1 if text in CAMP_A else -1))
        for n in range(12)
        for text in CAMP_A + CAMP_B
    ]
    result = compute_opinion_groups(votes, seed=0)
    now = now_utc()
    db.session.add(
        AnalysisRun(
            consultation_id=voted_hearing.consultation_id,
            kind=RunKind.OPINION_GROUPS.value,
            status=RunStatus.DONE.value,
            result=result.to_dict(),
            created_at=now,
            finished_at=now,
        )
    )
    db.session.commit()
    text = _text(client.get(_url(voted_hearing)))
    assert "12 participants cast 72 votes" in text
    assert "Group B" in text


@pytest.mark.parametrize(
    "result",
    [
        {"status": "ok"},
        {"k": 2, "group_sizes": {"0": 3, "1": 2}, "repness": {"0": [{"direction": "agree"}]}, "divisive": [5]},
        {"group_sizes": {"zero": 3}},
        {"projection": {"p1": [1.0]}},
    ],
)
def test_a_damaged_result_is_not_a_server_error(db, client, voted_hearing, logged_in_planner, result):
    now = now_utc()
    db.session.add(
        AnalysisRun(
            consultation_id=voted_hearing.consultation_id,
            kind=RunKind.OPINION_GROUPS.value,
            status=RunStatus.DONE.value,
            result=result,
            created_at=now,
            finished_at=now,
        )
    )
    db.session.commit()
    response = client.get(_url(voted_hearing))
    assert response.status_code == 200
    text = _text(response)
    assert "Opinion groups" in text


def test_a_survey_gets_a_message_not_an_error(client, create_survey, logged_in_planner):
    survey = create_survey()
    response = client.get(f"/manage/insight/{survey.consultation_id}/groups")
    assert response.status_code == 200
    assert "This is a survey" in _text(response)


@pytest.mark.parametrize("path", ["/manage/insight/999999/groups", "/manage/insight/abc/groups"])
def test_unknown_consultations_are_not_found(client, logged_in_planner, path):
    assert client.get(path).status_code == 404


def test_other_organisations_and_anonymous_visitors_are_refused(
    db, client, auth, voted_hearing, create_organisation, create_staff
):
    assert client.get(_url(voted_hearing)).status_code in (302, 303)
    other = create_organisation(slug="other", name="Other")
    auth.login(create_staff(Role.PLANNER, email="planner@other.example", org=other))
    assert client.get(_url(voted_hearing)).status_code == 404


def test_every_staff_role_may_view(db, client, auth, voted_hearing, create_staff):
    auth.login(create_staff(Role.MODERATOR))
    assert client.get(_url(voted_hearing)).status_code == 200
