"""The snapshot of the demo's parking survey: every section, figures that agree with the database and the results
page, topics as the planner edited them, and nothing small printed."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import func, select

from civic.core.timeutils import now_utc
from civic.demo import seed
from civic.insight.models import AnalysisRun, RunKind, RunStatus, TopicEdit, TopicEditAction
from civic.outreach.models import Invitation
from civic.reports import queries
from civic.surveys.models import Answer, QuestionKind, ResponseState, Survey, SurveyResponse
from tests.insight.conftest import topic_result
from tests.reports.snapshot.checker import walk_counts

KEYS = {
    "schema",
    "built_at",
    "min_cell",
    "consultation",
    "headline",
    "participation",
    "questions",
    "topics",
    "groups",
    "statements",
    "moderation",
    "honesty",
}
#: Words that sort the demo's long answers into three hand-made topics (the rest are outliers).
THEMES = ("parker", "sykkel", "skole")
PHONE = "Ring meg på 412 34 567 om dette."


@pytest.fixture
def demo(db):
    """The seeded demo survey with a finished topic run on its long answers, one topic renamed and one hidden."""
    result = seed.seed_demo(db.session)
    survey = db.session.scalar(select(Survey).where(Survey.consultation_id == result.consultation.id))
    long_text = next(q for q in survey.questions if q.kind_enum == QuestionKind.LONG_TEXT)
    rows = db.session.execute(
        select(Answer.id, Answer.text)
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .where(Answer.question_id == long_text.id, SurveyResponse.state == ResponseState.SUBMITTED)
        .where(func.length(func.trim(Answer.text)) > 0)
        .order_by(Answer.id)
    ).all()
    assignments = [next((t for t, word in enumerate(THEMES) if word in text.lower()), -1) for _id, text in rows]
    # The first representative of the first topic carries a phone number: it must not be quoted.
    first = assignments.index(0)
    db.session.get(Answer, rows[first][0]).text = PHONE + " " + rows[first][1]
    documents = [("survey_answer", answer_id) for answer_id, _text in rows]
    now = now_utc()
    run = AnalysisRun(
        consultation_id=result.consultation.id,
        kind=RunKind.TOPICS.value,
        status=RunStatus.DONE.value,
        params={"n_topics": 3, "embedder": "none", "seed": 0, "question_ids": [long_text.id]},
        result={**topic_result(documents, assignments, {0: "parkering", 1: "sykkel", 2: "skole"}), "embedder": "none"},
        created_at=now,
        finished_at=now,
    )
    db.session.add(run)
    anchor = [list(d) for d, a in zip(documents, assignments, strict=True) if a == 0]
    hidden_anchor = [list(d) for d, a in zip(documents, assignments, strict=True) if a == 2]
    db.session.add_all(
        [
            TopicEdit(
                consultation_id=result.consultation.id,
                action=TopicEditAction.RENAME.value,
                anchor=anchor,
                payload={"label": "Beboerparkering"},
            ),
            TopicEdit(consultation_id=result.consultation.id, action=TopicEditAction.HIDE.value, anchor=hidden_anchor),
        ]
    )
    db.session.commit()
    return result.consultation, survey, run, assignments


def test_the_demo_survey_snapshot(db, demo, snapshot_of):
    consultation, survey, run, assignments = demo
    snapshot = snapshot_of(consultation, "district")
    assert set(snapshot) == KEYS
    assert snapshot["schema"] == 1
    assert snapshot["min_cell"] == 5
    assert snapshot["consultation"]["kind"] == "survey"
    assert snapshot["consultation"]["organisation"] == "Bydel Bjerke"
    assert snapshot["consultation"]["title"]["nb"] == consultation.title["nb"]
    assert snapshot["groups"] is None
    assert snapshot["statements"] is None
    assert snapshot["moderation"] is None

    submitted = db.session.scalar(
        select(func.count(SurveyResponse.id)).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.state == ResponseState.SUBMITTED
        )
    )
    invited = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.consultation_id == consultation.id, Invitation.sent_at.is_not(None)
        )
    )
    headline = snapshot["headline"]
    assert headline["respondents"] == submitted == 1100
    assert headline["invited"] == invited == seed.TOTAL_INVITATIONS
    assert headline["response_rate"] == round(submitted / invited, 4)
    assert headline["topics"] == 2  # three found, one hidden
    assert headline["texts"] == len(assignments)

    participation = snapshot["participation"]
    assert participation["responded"] == submitted
    assert participation["reached"] == invited  # nothing bounced in the demo
    weeks = participation["by_week"]
    assert all(date.fromisoformat(w["week"]).weekday() == 0 for w in weeks)
    assert sum(w["respondents"] or 0 for w in weeks) <= submitted
    districts = next(t for t in participation["segments"] if t["dimension"] == "district")
    assert districts["population_source"] == "invited"
    assert districts["respondents_total"] == submitted
    by_district = dict(
        db.session.execute(
            select(SurveyResponse.district, func.count(SurveyResponse.id))
            .where(SurveyResponse.survey_id == survey.id, SurveyResponse.state == ResponseState.SUBMITTED)
            .group_by(SurveyResponse.district)
        ).all()
    )
    for row in districts["rows"]:
        assert row["respondents"] in (None, by_district.get(row["segment"], 0))
        if row["representation"] is not None:
            assert row["under_represented"] == (row["representation"] < 0.8)

    questions = snapshot["questions"]
    assert [q["id"] for q in questions] == [q.id for q in survey.questions]
    for item, question in zip(questions, survey.questions, strict=True):
        assert item["respondents"] == queries.respondents(db.session, question, queries.Filters()), item["number"]
        if question.kind_enum in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            page = queries.question_result(db.session, question, queries.Filters(), "nb")
            expected = {row["key"]: row["count"] for row in page.rows}
            assert all(o["count"] in (None, expected[o["key"]]) for o in item["options"])
        if question.kind_enum == QuestionKind.SINGLE_CHOICE and all(o["count"] is not None for o in item["options"]):
            assert sum(o["count"] for o in item["options"]) <= item["respondents"]
    single = questions[0]
    assert single["breakdown"]["dimension"] == "district"
    assert "" in single["breakdown"]["segments"]  # the public link's respondents: "not stated"
    assert {q["kind"] for q in questions} >= {"scale", "ranking", "map_point", "date", "number", "long_text"}
    assert next(q for q in questions if q["kind"] == "map_point")["map"]["cells"]

    topics = snapshot["topics"]
    assert topics["run_id"] == run.id
    assert topics["mode"] == "fixed"
    assert topics["n_topics"] == 3
    assert topics["texts"] == len(assignments)
    assert topics["outliers"] == assignments.count(-1)
    assert topics["edits"] == {"rename": 1, "merge": 0, "split": 0, "hide": 1}
    labels = {t["label"] for t in topics["topics"]}
    assert labels == {"Beboerparkering", "sykkel"}
    for topic in topics["topics"]:
        assert 1 <= len(topic["quotes"]) <= 3
        assert topic["size"] == assignments.count(0 if topic["label"] == "Beboerparkering" else 1)
    assert all("412 34 567" not in quote for t in topics["topics"] for quote in t["quotes"])

    honesty = snapshot["honesty"]
    assert honesty["sampling_frame"]["kind"] == "mixed"  # invitations, and the public link was open
    assert honesty["sampling_frame"]["invited"] == invited
    moe = honesty["margin_of_error"]
    expected = 100 * 1.96 * math.sqrt(0.25 / submitted) * math.sqrt((invited - submitted) / (invited - 1))
    assert moe == {"n": submitted, "population": invited, "confidence": 0.95, "points": round(expected, 1)}
    assert honesty["self_selected"] is True

    assert [(where, n) for where, n in walk_counts(snapshot) if 0 < n < 5] == []
