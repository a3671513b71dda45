"""Analysis runs: start (one at a time), run in the worker with progress from the DB, sweep lost workers."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.core.timeutils import now_utc
from civic.demo.insight import queue_demo_runs
from civic.hearings.models import Vote
from civic.insight import tasks
from civic.insight.models import AnalysisRun, RunKind, RunStatus, TextEmbedding
from civic.surveys.models import Answer, QuestionKind, ResponseState, SurveyResponse
from tests.insight.conftest import CORPUS

# The module itself: ``from civic.insight import runs`` would give the runs views (see civic/insight/__init__.py).
runs = importlib.import_module("civic.insight.runs")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "INSIGHT_EMBEDDER": "multilingual"}


def _overview(consultation_id: int) -> str:
    return f"/manage/insight/{consultation_id}"


def _runs(db, consultation_id: int) -> list[AnalysisRun]:
    return list(db.session.scalars(select(AnalysisRun).where(AnalysisRun.consultation_id == consultation_id)))


def _start_topics(client, consultation_id: int, **data):
    form = {"kind": "topics", "embedder": "multilingual", "mode": "fixed", "n_topics": "3", **data}
    return client.post(f"{_overview(consultation_id)}/runs", data=form)


# --- topics, end to end ------------------------------------------------------------------------------------


def test_posted_comments_to_topics_page(client, db, create_hearing, logged_in_planner, fake_embedder):
    """Comments are posted → embedded at once → a run finds the topics → the page shows them."""
    hearing = create_hearing()
    for text in CORPUS:  # one resident each (screening holds a flood from one participant)
        client.application.test_client().post(
            f"/h/{hearing.consultation.public_id}/comments",
            data={"section_id": hearing.sections[1].id, "body": text, "accept_rules": "1"},
        )
    assert db.session.scalar(select(func.count(TextEmbedding.id))) == len(CORPUS)
    embedded = len(fake_embedder.texts)

    response = _start_topics(client, hearing.consultation_id)
    assert response.status_code == 303
    [run] = _runs(db, hearing.consultation_id)
    assert run.status == RunStatus.DONE, (run.error, run.result and run.result["explanation"])
    assert run.progress == 100
    assert len(fake_embedder.texts) == embedded  # the run reused the stored embeddings
    assert len(run.result["documents"]) == len(CORPUS)

    page = client.get(f"{_overview(hearing.consultation_id)}/topics")
    assert page.status_code == 200
    assert "3 topics" in page.text
    assert "Not in any topic (outliers)" in page.text
    overview = client.get(_overview(hearing.consultation_id))
    assert "3 topics in 24 comments." in overview.text


def test_rerun_reuses_embeddings_and_embeds_only_new_texts(
    client, db, commented_hearing, logged_in_planner, fake_embedder, create_participant, create_comment
):
    cid = commented_hearing.consultation_id
    _start_topics(client, cid)
    assert len(fake_embedder.texts) == 24  # the first run embedded what the task had not
    _start_topics(client, cid)
    assert len(fake_embedder.texts) == 24  # nothing again
    participant, _key = create_participant(commented_hearing)
    create_comment(commented_hearing, participant, "Sykkel: enda en sykkelvei langs Refstadveien")
    _start_topics(client, cid)
    assert fake_embedder.texts[24:] == ["Sykkel: enda en sykkelvei langs Refstadveien"]
    assert [r.status for r in _runs(db, cid)] == ["done"] * 3


def test_discover_mode_and_the_no_model_embedder(client, db, commented_hearing, logged_in_planner, fake_embedder):
    response = _start_topics(client, commented_hearing.consultation_id, embedder="none", mode="discover", n_topics="")
    assert response.status_code == 303
    [run] = _runs(db, commented_hearing.consultation_id)
    assert run.params == {"n_topics": None, "embedder": "none", "seed": 0}
    assert run.finished, run.error
    assert fake_embedder.calls == 0


def test_too_few_comments_finish_with_a_translated_explanation(
    client, db, create_hearing, create_participant, create_comment, logged_in_planner, fake_embedder
):
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    for text in CORPUS[:3]:
        create_comment(hearing, participant, text)
    _start_topics(client, hearing.consultation_id)
    [run] = _runs(db, hearing.consultation_id)
    assert run.status == RunStatus.INSUFFICIENT
    assert run.reason
    assert run.result["explanation"].startswith("Only 3 non-empty texts")
    page = client.get(_overview(hearing.consultation_id))
    assert "No result" in page.text
    # The library's reason code, explained in the page's language (not the library's English sentence).
    assert "There are too few comments to find topics" in page.text
    assert "non-empty texts" not in page.text


# --- starting: bad input and one run at a time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_topics", "message"),
    [
        ("0", "Choose between 2 and 50 topics."),
        ("500", "Choose between 2 and 50 topics."),
        ("", "Enter how many topics you want."),
        ("abc", "Not a valid integer value."),
    ],
)
def test_an_impossible_number_of_topics_is_refused_and_kept(
    client, db, commented_hearing, logged_in_planner, n_topics, message
):
    response = _start_topics(client, commented_hearing.consultation_id, n_topics=n_topics)
    assert response.status_code == 422
    assert message in response.text
    assert re.search(rf'name="n_topics"[^>]*value="{n_topics}"', response.text) or n_topics == ""
    assert _runs(db, commented_hearing.consultation_id) == []


def test_an_unknown_embedder_or_kind_is_refused(client, db, commented_hearing, logged_in_planner):
    assert _start_topics(client, commented_hearing.consultation_id, embedder="gpt").status_code == 422
    response = client.post(f"{_overview(commented_hearing.consultation_id)}/runs", data={"kind": "magic"})
    assert response.status_code == 400
    assert _runs(db, commented_hearing.consultation_id) == []


def test_a_second_unfinished_run_of_the_same_kind_is_refused(client, db, commented_hearing, logged_in_planner):
    consultation = commented_hearing.consultation
    queued = runs.start_run(db.session, consultation, RunKind.TOPICS, {"n_topics": 3}, actor=None)
    db.session.commit()
    response = _start_topics(client, consultation.id)
    assert response.status_code == 409
    assert "already running" in response.text
    assert [r.id for r in _runs(db, consultation.id)] == [queued.id]
    # Another kind may run meanwhile.
    assert client.post(f"{_overview(consultation.id)}/runs", data={"kind": "opinion_groups"}).status_code == 303


def test_opinion_groups_only_for_hearings(db, create_survey):
    survey = create_survey()
    with pytest.raises(runs.InvalidInputError):
        runs.start_run(db.session, survey.consultation, RunKind.OPINION_GROUPS, {}, actor=None)


# --- progress and lost workers -------------------------------------------------------------------------------


def test_status_fragment_polls_while_running_and_stops_when_done(
    client, htmx_client, db, commented_hearing, logged_in_planner
):
    consultation = commented_hearing.consultation
    run = runs.start_run(db.session, consultation, RunKind.TOPICS, {"n_topics": 3}, actor=None)
    run.status, run.stage, run.progress = RunStatus.RUNNING.value, "embedding", 40
    db.session.commit()
    url = f"{_overview(consultation.id)}/runs/{run.id}/status"
    fragment = htmx_client.get(url)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert f'id="run-{run.id}-status"' in fragment.text
    assert 'hx-trigger="every 2s"' in fragment.text
    assert 'value="40"' in fragment.text
    assert "Preparing the comments" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    # The full page (after a reload) shows the same progress, and a refresh for browsers without JavaScript.
    page = client.get(_overview(consultation.id))
    assert 'value="40"' in page.text
    assert '<meta http-equiv="refresh"' in page.text
    assert client.get(url).status_code == 303

    run.status, run.progress, run.finished_at = RunStatus.FAILED.value, 40, now_utc()
    run.reason = "worker_lost"
    db.session.commit()
    fragment = htmx_client.get(url)
    assert "hx-trigger" not in fragment.text
    assert "worker running it was lost" in fragment.text


def test_sweep_fails_runs_whose_worker_died_so_they_can_start_again(app, db, commented_hearing):
    consultation = commented_hearing.consultation
    now = now_utc()
    lost = runs.start_run(db.session, consultation, RunKind.TOPICS, {}, actor=None)
    lost.status, lost.started_at, lost.heartbeat_at = (
        RunStatus.RUNNING.value,
        now - timedelta(hours=1),
        now - timedelta(minutes=30),
    )
    alive = runs.start_run(db.session, consultation, RunKind.OPINION_GROUPS, {}, actor=None)
    alive.status, alive.started_at, alive.heartbeat_at = (
        RunStatus.RUNNING.value,
        now - timedelta(hours=1),
        now - timedelta(minutes=1),
    )
    db.session.commit()
    assert tasks.sweep_runs() == 1
    assert (lost.status, lost.reason) == ("failed", "worker_lost")
    assert alive.status == "running"
    runs.start_run(db.session, consultation, RunKind.TOPICS, {}, actor=None)  # no longer refused
    # A run nobody picked up for hours is failed too; a finished run is left alone by the task.
    stuck = _runs(db, consultation.id)[-1]
    stuck.created_at = now - timedelta(hours=5)
    db.session.commit()
    assert tasks.sweep_runs() == 1
    assert stuck.reason == "never_started"
    tasks.run_analysis(stuck.id)
    assert stuck.status == "failed"


def test_a_crash_in_the_library_marks_the_run_failed(client, db, commented_hearing, logged_in_planner, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(runs, "_run_topics", boom)
    _start_topics(client, commented_hearing.consultation_id)
    [run] = _runs(db, commented_hearing.consultation_id)
    assert (run.status, run.reason) == ("failed", "crashed")
    assert "model exploded" in run.error
    page = client.get(_overview(commented_hearing.consultation_id))
    assert "failed because of an error" in page.text
    assert "model exploded" not in page.text


# --- opinion groups ------------------------------------------------------------------------------------------


def test_opinion_groups_from_the_votes_and_stable_state(
    client, db, commented_hearing, create_participant, logged_in_planner
):
    comments = commented_hearing.comments_for_test[:8]
    for p in range(16):
        voter, _key = create_participant(commented_hearing)
        for j, comment in enumerate(comments):
            db.session.add(Vote(comment_id=comment.id, participant_id=voter.id, value=1 if (p < 8) == (j < 4) else -1))
    db.session.commit()
    cid = commented_hearing.consultation_id
    client.post(f"{_overview(cid)}/runs", data={"kind": "opinion_groups"})
    client.post(f"{_overview(cid)}/runs", data={"kind": "opinion_groups"})
    first, second = _runs(db, cid)
    assert first.status == "done", first.error
    assert first.result["k"] == 2
    assert second.result["state"]["runs"] == 2  # the second run started from the first one's state
    assert second.result["groups"] == first.result["groups"]


def test_opinion_groups_without_votes_explain_why(client, db, commented_hearing, logged_in_planner):
    cid = commented_hearing.consultation_id
    client.post(f"{_overview(cid)}/runs", data={"kind": "opinion_groups"})
    [run] = _runs(db, cid)
    assert (run.status, run.reason) == ("insufficient", "no_votes")
    assert "There are no votes yet" in client.get(_overview(cid)).text


# --- who may do what -----------------------------------------------------------------------------------------


def test_viewers_see_but_cannot_start_and_other_organisations_see_nothing(
    client, auth, db, commented_hearing, create_staff, create_organisation
):
    cid = commented_hearing.consultation_id
    auth.login(create_staff(Role.VIEWER))
    assert client.get(_overview(cid)).status_code == 200
    assert "Find topics" not in client.get(_overview(cid)).text
    assert _start_topics(client, cid).status_code == 403
    auth.logout()
    auth.login(create_staff(Role.ADMIN, email="admin@alna.example", org=create_organisation(slug="alna", name="Alna")))
    assert client.get(_overview(cid)).status_code == 404
    assert _start_topics(client, cid).status_code == 404
    assert _runs(db, cid) == []


def test_a_language_the_model_does_not_cover_is_flagged_in_the_page(
    client, db, commented_hearing, logged_in_planner, fake_embedder
):
    _start_topics(client, commented_hearing.consultation_id, embedder="english")
    [run] = _runs(db, commented_hearing.consultation_id)
    assert run.status == "done"
    assert "language_not_covered" in run.result["warning_codes"]
    page = client.get(f"{_overview(commented_hearing.consultation_id)}/topics")
    assert "in a language the chosen language model does not cover" in page.text


def test_copies_of_one_comment_give_an_explanation_not_topics(
    client, db, create_hearing, create_participant, create_comment, logged_in_planner, fake_embedder
):
    hearing = create_hearing()
    for _ in range(12):
        participant, _key = create_participant(hearing)
        create_comment(hearing, participant, "Nei til boligsoneparkering!")
    _start_topics(client, hearing.consultation_id)
    [run] = _runs(db, hearing.consultation_id)
    assert (run.status, run.reason) == ("insufficient", "too_few_distinct_texts")
    assert "Most comments are copies of one another" in client.get(_overview(hearing.consultation_id)).text


def test_the_demo_queues_topics_and_opinion_groups(app, db, commented_hearing, create_survey, fake_embedder):
    app.config["INSIGHT_DEMO_RUNS"] = True
    survey = create_survey()
    queued = queue_demo_runs(db.session, hearing=commented_hearing.consultation, survey=survey.consultation, actor=None)
    assert [(r.consultation_id, r.kind) for r in queued] == [
        (commented_hearing.consultation_id, "topics"),
        (commented_hearing.consultation_id, "opinion_groups"),
        (survey.consultation_id, "topics"),
    ]
    db.session.commit()  # the worker (eager here) runs them after the commit
    assert [r.status for r in queued] == ["done", "insufficient", "insufficient"]  # no votes, no survey texts
    assert queue_demo_runs(db.session, hearing=None, survey=survey.consultation, actor=None)[0].kind == "topics"


def test_a_survey_run_analyses_the_chosen_questions(client, db, create_survey, logged_in_planner, fake_embedder):
    survey = create_survey()
    by_kind = {q.kind: q for q in survey.questions}
    long_text, short_text = by_kind[QuestionKind.LONG_TEXT], by_kind[QuestionKind.SHORT_TEXT]
    for text in CORPUS[:12]:
        response = SurveyResponse(survey_id=survey.id, state=ResponseState.SUBMITTED, submitted_at=now_utc())
        response.answers = [
            Answer(question_id=long_text.id, text=text),
            Answer(question_id=short_text.id, text="Årvollveien"),
        ]
        db.session.add(response)
    db.session.commit()
    cid = survey.consultation_id
    page = client.get(_overview(cid)).text
    assert re.search(rf'<input checked[^>]*value="{long_text.id}"', page)
    assert re.search(rf'<input (?!checked)[^>]*value="{short_text.id}"', page)
    assert _start_topics(client, cid, questions=[]).status_code == 422
    response = _start_topics(client, cid, questions=["99999"])
    assert response.status_code == 422
    assert "is not a valid choice" in response.text
    assert _runs(db, cid) == []
    assert _start_topics(client, cid, questions=[str(long_text.id)]).status_code == 303
    [run] = _runs(db, cid)
    assert run.params["question_ids"] == [long_text.id]
    assert run.status == "done", run.result
    assert len(run.result["documents"]) == 12
