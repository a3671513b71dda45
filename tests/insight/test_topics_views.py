"""Topic pages: overview (sizes, words, quotes, outliers, trend, heatmap), one topic's texts, edits, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from civic.accounts.models import Role
from civic.core.timeutils import now_utc
from civic.insight import topic_stats
from civic.insight.models import TopicEdit
from civic.reports.queries import MIN_GROUP
from civic.surveys.models import Answer, QuestionKind, ResponseState, SurveyResponse
from tests.insight.conftest import THEMES, comment_keys

THEME_IDS = {"parkering": 0, "sykkel": 1, "lekeplass": 2}
LABELS = {0: "parkering, beboere", 1: "sykkel, sykkelvei", 2: "lekeplass, barna"}


@pytest.fixture
def hearing_run(commented_hearing, make_topic_run):
    assignments = [THEME_IDS[theme] for theme in THEMES]
    assignments[-1] = -1
    return make_topic_run(commented_hearing.consultation_id, comment_keys(commented_hearing), assignments, LABELS)


def _url(consultation_id: int, *parts: str) -> str:
    return "/".join([f"/manage/insight/{consultation_id}/topics", *parts])


def test_the_overview_shows_topics_outliers_trend_and_sections(
    client, commented_hearing, hearing_run, logged_in_planner
):
    page = client.get(_url(commented_hearing.consultation_id))
    assert page.status_code == 200
    text = page.text
    assert "3 topics" in text
    for label in LABELS.values():
        assert label in text
    assert "8 comments" in text
    assert "7 comments" in text
    assert "det er altfor få parkeringsplasser" in text  # a representative comment
    assert "Not in any topic (outliers)" in text
    assert "1 comment did not fit any topic well enough." in text
    assert f'id="topics-{commented_hearing.consultation_id}-trend"' in text
    assert f'id="topics-{commented_hearing.consultation_id}-heatmap"' in text
    assert "Topics by section of the proposal" in text
    assert "Download comments with topics (CSV)" in text


def test_no_run_yet(client, commented_hearing, logged_in_planner):
    page = client.get(_url(commented_hearing.consultation_id))
    assert page.status_code == 200
    assert "No topics yet." in page.text
    assert client.get(_url(commented_hearing.consultation_id, "t0")).status_code == 404


def test_a_topic_page_lists_all_its_comments(client, commented_hearing, hearing_run, logged_in_planner):
    page = client.get(_url(commented_hearing.consultation_id, "t1"))
    assert page.status_code == 200
    assert page.text.count("<tr><td>") == 8
    assert "Sykkel: bygg trygge sykkelveier" in page.text
    assert "Rename" in page.text
    outliers = client.get(_url(commented_hearing.consultation_id, "outliers"))
    assert "sandkassen på lekeplassen" in outliers.text
    assert "not forced into a topic" in outliers.text
    assert client.get(_url(commented_hearing.consultation_id, "t9")).status_code == 404


def test_rename_hide_and_undo_through_the_pages(client, db, commented_hearing, hearing_run, logged_in_planner):
    cid = commented_hearing.consultation_id
    response = client.post(_url(cid, "t0", "rename"), data={"label": "Parkering for beboere", "run_id": hearing_run.id})
    assert response.status_code == 303
    page = client.get(_url(cid))
    assert "Parkering for beboere" in page.text
    assert "The topic was renamed." in page.text
    client.post(_url(cid, "t2", "hide"), data={"run_id": hearing_run.id})
    page = client.get(_url(cid))
    assert "2 topics" in page.text
    assert "1 hidden topic" in page.text
    hide = db.session.query(TopicEdit).filter_by(action="hide").one()
    assert client.post(_url(cid, "edits", str(hide.id), "undo")).status_code == 303
    assert "3 topics" in client.get(_url(cid)).text


def test_bad_edits_are_refused_with_the_form_kept(client, db, commented_hearing, hearing_run, logged_in_planner):
    cid = commented_hearing.consultation_id
    response = client.post(_url(cid, "t0", "rename"), data={"label": "   "})
    assert response.status_code == 422
    assert "Give the topic a name." in response.text
    response = client.post(_url(cid, "t0", "rename"), data={"label": "x" * 81})
    assert response.status_code == 422
    assert "x" * 81 in response.text
    assert client.post(_url(cid, "t0", "merge"), data={"into": "t0"}).status_code == 422
    assert client.post(_url(cid, "outliers", "hide")).status_code == 422
    assert client.post(_url(cid, "t9", "hide")).status_code == 404
    # The page was opened on an older run: the topic may no longer be the same.
    stale = client.post(_url(cid, "t0", "hide"), data={"run_id": hearing_run.id + 1})
    assert stale.status_code == 409
    assert db.session.query(TopicEdit).count() == 0


def test_merge_and_split_through_the_pages(client, db, commented_hearing, hearing_run, logged_in_planner):
    cid = commented_hearing.consultation_id
    assert client.post(_url(cid, "t1", "merge"), data={"into": "t0"}).status_code == 303
    page = client.get(_url(cid))
    assert "2 topics" in page.text
    assert "16 comments" in page.text
    assert client.post(_url(cid, "t0", "split")).status_code == 303
    page = client.get(_url(cid))
    assert "3 topics" in page.text
    assert client.get(_url(cid, "t0-1")).status_code == 200


def test_exports_are_formula_safe(client, db, commented_hearing, hearing_run, create_staff, auth):
    comment = commented_hearing.comments_for_test[0]
    comment.body = '=HYPERLINK("http://evil.example","parkering")'
    db.session.commit()
    auth.login(create_staff(Role.MODERATOR))
    cid = commented_hearing.consultation_id
    response = client.get(_url(cid, "export.csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Number", "Source"]
    assert len(rows) == 1 + 24
    first = rows[1]
    assert first[-1] == '\'=HYPERLINK("http://evil.example","parkering")'
    assert first[5:7] == ["t0", "parkering, beboere"]
    assert rows[-1][5] == "outliers"
    topics = list(
        csv.reader(
            io.StringIO(client.get(_url(cid, "export.csv"), query_string={"table": "topics"}).data.decode("utf-8-sig"))
        )
    )
    assert [row[0] for row in topics[1:]] == ["t0", "t1", "t2", "outliers"]
    response = client.get(_url(cid, "export.xlsx"))
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Topics", "Assignments"]
    cell = workbook["Assignments"]["H2"]
    assert cell.value.startswith("'=HYPERLINK")
    assert cell.data_type == "s"


def test_viewers_may_read_but_not_edit_or_export(client, commented_hearing, hearing_run, create_staff, auth):
    auth.login(create_staff(Role.VIEWER))
    cid = commented_hearing.consultation_id
    page = client.get(_url(cid))
    assert page.status_code == 200
    assert "Download" not in page.text
    assert "Rename" not in client.get(_url(cid, "t0")).text
    assert client.post(_url(cid, "t0", "rename"), data={"label": "X"}).status_code == 403
    assert client.get(_url(cid, "export.csv")).status_code == 403


# --- surveys: topics by segment, small cells hidden ----------------------------------------------------------


@pytest.fixture
def survey_run(db, create_survey, make_topic_run):
    """Free-text answers of 30 respondents: 12 aged 30-44, 14 aged 67+, 4 aged 16-29 (too few to show)."""
    survey = create_survey()
    question = next(q for q in survey.questions if q.kind == QuestionKind.LONG_TEXT)
    bands = ["30-44"] * 12 + ["67+"] * 14 + ["16-29"] * 4
    answers = []
    for index, band in enumerate(bands):
        response = SurveyResponse(
            survey_id=survey.id,
            state=ResponseState.SUBMITTED,
            submitted_at=now_utc() - timedelta(days=index % 10),
            age_band=band,
            district="Årvoll" if index % 2 else "Økern",
        )
        answer = Answer(question_id=question.id, text=f"Svar nummer {index} om {['parkering', 'sykkel'][index % 2]}")
        response.answers = [answer]
        db.session.add(response)
        answers.append(answer)
    db.session.commit()
    documents = [("survey_answer", a.id) for a in answers]
    run = make_topic_run(survey.consultation_id, documents, [i % 2 for i in range(30)], {0: "parkering", 1: "sykkel"})
    return survey, run


def test_survey_topics_by_segment_hide_small_groups(client, survey_run, logged_in_planner):
    survey, _run = survey_run
    page = client.get(_url(survey.consultation_id))
    assert page.status_code == 200
    assert "Topics by group of respondents" in page.text
    assert "hidden" in page.text  # the 16-29 column
    assert "Groups of fewer than 5 respondents are hidden" in page.text
    by_district = client.get(_url(survey.consultation_id), query_string={"segment": "district"})
    assert "Økern" in by_district.text
    assert client.get(_url(survey.consultation_id), query_string={"segment": "email"}).status_code == 200


def test_insight_hides_the_same_small_groups_as_the_results_pages():
    assert topic_stats.MIN_CELL == MIN_GROUP
