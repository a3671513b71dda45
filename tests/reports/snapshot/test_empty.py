"""Snapshots of consultations with nothing (or almost nothing) to show still build; the publish refusal is elsewhere."""

from __future__ import annotations

from datetime import timedelta

from civic.outreach.models import Channel, Invitation
from tests.reports.snapshot.conftest import WEEK1
from tests.reports.snapshot.test_demo import KEYS


def test_a_survey_without_responses(db, create_survey, snapshot_of):
    survey = create_survey()
    snapshot = snapshot_of(survey.consultation, "age_band")
    assert set(snapshot) == KEYS
    assert snapshot["headline"] == {
        "respondents": 0,
        "invited": None,
        "response_rate": None,
        "texts": 0,
        "topics": 0,
        "statements": 0,
    }
    assert snapshot["participation"]["by_week"] == []
    assert snapshot["participation"]["segments"] == []
    assert len(snapshot["questions"]) == len(survey.questions)
    for question in snapshot["questions"]:
        assert question["respondents"] == 0
        assert question["options"] == []
        assert question["breakdown"] is None
        assert question["map"] is None
    assert snapshot["topics"] is None
    assert snapshot["honesty"]["margin_of_error"] is None
    assert snapshot["honesty"]["sampling_frame"]["kind"] == "public_link"
    assert snapshot["honesty"]["suppression"] == {"min_cell": 5, "hidden_cells": 0}


def test_invitations_without_responses(db, create_survey, snapshot_of):
    survey = create_survey()
    db.session.add_all(
        Invitation(consultation_id=survey.consultation_id, channel=Channel.SMS, district=d, sent_at=WEEK1)
        for d in ["Årvoll"] * 30 + ["Linderud"] * 3
    )
    db.session.add(
        Invitation(
            consultation_id=survey.consultation_id,
            channel=Channel.SMS,
            district="Årvoll",
            sent_at=WEEK1,
            bounced_at=WEEK1,
        )
    )
    # A personal link handed out by hand is not part of the invited population.
    db.session.add(Invitation(consultation_id=survey.consultation_id, channel=Channel.LINK, district="Økern"))
    db.session.commit()
    snapshot = snapshot_of(survey.consultation)
    participation = snapshot["participation"]
    assert participation["invited"] == 34
    assert participation["reached"] == 33
    assert participation["responded"] == 0
    assert participation["response_rate"] == 0.0
    table = next(t for t in participation["segments"] if t["dimension"] == "district")
    assert table["population_total"] == 34
    assert [(r["segment"], r["population"], r["respondents"]) for r in table["rows"]] == [
        ("Linderud", None, 0),
        ("Årvoll", None, 0),
    ]
    assert snapshot["honesty"]["sampling_frame"]["kind"] == "mixed"


def test_fewer_than_five_respondents_print_only_their_number(db, create_survey, add_response, snapshot_of):
    survey = create_survey()
    q = survey.questions
    for n in range(3):
        add_response(
            survey,
            {q[0].id: {"choice_keys": ["c1"]}, q[2].id: {"number": 3}, q[8].id: {"lat": 59.93, "lon": 10.8}},
            submitted_at=WEEK1 + timedelta(days=n),
            district="Årvoll",
        )
    db.session.commit()
    snapshot = snapshot_of(survey.consultation)
    first = snapshot["questions"][0]
    assert first["respondents"] == 3
    assert first["suppressed"] is True
    assert first["options"] == []
    assert first["breakdown"] is None
    assert snapshot["questions"][2]["stats"] is None
    assert snapshot["questions"][8]["map"] is None
    assert snapshot["participation"]["by_week"] == [{"week": "2026-11-16", "respondents": None}]
    table = snapshot["participation"]["segments"][0]
    assert table["rows"][0]["respondents"] is None


def test_a_hearing_without_contributions(db, create_hearing, snapshot_of):
    hearing = create_hearing()
    snapshot = snapshot_of(hearing.consultation)
    assert snapshot["questions"] is None
    assert snapshot["statements"] == {"count": 0, "items": []}
    assert snapshot["moderation"] == {
        "submitted": 0,
        "published": 0,
        "removed": 0,
        "pending": 0,
        "deleted": 0,
        "reasons": [],
    }
    assert snapshot["groups"] is None
    assert snapshot["topics"] is None
    assert snapshot["participation"]["responded"] == 0
    assert snapshot["headline"]["texts"] == 0
