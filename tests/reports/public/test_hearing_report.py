"""A hearing's report: opinion groups and common ground, formal statements, what moderation removed and why."""

from __future__ import annotations

import pytest

from civic.consultations.models import ConsultationState
from civic.hearings.models import FormalStatement, StatementState
from civic.reports.models import Report, ReportState, Section

from .conftest import html_tables

HEARING_SECTIONS = [s.value for s in Section if s != Section.RESULTS]


def hearing_snapshot() -> dict:
    return {
        "schema": 1,
        "built_at": "2026-11-24T07:00:00+00:00",
        "min_cell": 5,
        "consultation": {
            "kind": "hearing",
            "title": {"nb": "Boligsoneparkering", "en": "Residents' parking"},
            "summary": {},
            "languages": ["nb", "en"],
            "opens_at": None,
            "closes_at": "2026-11-21T22:00:00+00:00",
            "organisation": "Bydel Bjerke",
        },
        "headline": {
            "respondents": 240,
            "invited": None,
            "response_rate": None,
            "texts": 60,
            "topics": 0,
            "statements": 2,
        },
        "participation": {
            "invited": None,
            "reached": None,
            "responded": 240,
            "response_rate": None,
            "by_week": [{"week": "2026-11-09", "respondents": 240}],
            "segments": [],
        },
        "questions": None,
        "topics": None,
        "groups": {
            "run_id": 8,
            "finished_at": "2026-11-23T10:00:00+00:00",
            "participants": 240,
            "grouped": 230,
            "comments": 60,
            "votes": 5000,
            "groups": [
                {
                    "letter": "A",
                    "size": 90,
                    "statements": [
                        {
                            "text": "Beboerparkering må innføres.",
                            "direction": "agree",
                            "share": 0.8,
                            "outside_share": 0.3,
                        }
                    ],
                },
                {
                    "letter": "B",
                    "size": None,
                    "statements": [
                        {
                            "text": "Parkering bør være gratis.",
                            "direction": "disagree",
                            "share": 0.7,
                            "outside_share": 0.2,
                        }
                    ],
                },
            ],
            "consensus": [
                {
                    "text": "Skoleveien må bli tryggere.",
                    "direction": "agree",
                    "agree_share": 0.86,
                    "disagree_share": 0.05,
                    "votes": 200,
                }
            ],
            "divisive": [{"text": "Fjern alle gateparkeringer.", "spread": 0.6, "score": 0.5, "votes": 150}],
        },
        "statements": {
            "count": 2,
            "items": [
                {
                    "organisation": "Naboforeningen",
                    "signer": "Kari N.",
                    "excerpt": "Vi støtter forslaget <i>delvis</i>.",
                    "submitted_at": "2026-11-15T10:00:00+00:00",
                },
                {
                    "organisation": "",
                    "signer": "Ola",
                    "excerpt": "Nei takk.",
                    "submitted_at": "2026-11-16T10:00:00+00:00",
                },
            ],
        },
        "moderation": {
            "submitted": 300,
            "published": 280,
            "removed": 20,
            "pending": 0,
            "deleted": 0,
            "reasons": [
                {"reason": "personal_data", "count": 12},
                {"reason": "offensive", "count": None},
                {"reason": "moderator", "count": None},
            ],
        },
        "honesty": {
            "sampling_frame": {"kind": "public_link", "invited": None, "criteria": None},
            "margin_of_error": {"n": 240, "population": None, "confidence": 0.95, "points": 6.3},
            "self_selected": True,
            "suppression": {"min_cell": 5, "hidden_cells": 3},
        },
    }


@pytest.fixture
def hearing_report(db, create_hearing) -> Report:
    hearing = create_hearing(state=ConsultationState.PUBLISHED)
    report = Report(
        consultation=hearing.consultation,
        state=ReportState.PUBLISHED,
        sections=HEARING_SECTIONS,
        snapshot=hearing_snapshot(),
        version=1,
    )
    db.session.add(report)
    db.session.commit()
    return report


def test_hearing_report_shows_groups_statements_and_moderation(client, hearing_report):
    response = client.get(f"/r/{hearing_report.consultation.public_id}")
    assert response.status_code == 200
    html = response.text
    for anchor in ("participation", "groups", "statements", "honesty"):
        assert f'id="section-{anchor}"' in html
    assert 'id="section-results"' not in html
    assert 'id="section-topics"' not in html
    tables = html_tables(html)
    assert tables["What sets group A apart"][1] == ["Beboerparkering må innføres.", "80% agree", "30% agree"]
    assert tables["What sets group B apart"][1] == ["Parkering bør være gratis.", "70% disagree", "20% disagree"]
    assert 'Group B <span class="muted">(hidden participants)' in html
    assert tables["Comments the groups see alike"][1] == ["Skoleveien må bli tryggere.", "86%", "5%", "200"]
    assert "Fjern alle gateparkeringer." in html
    assert "Naboforeningen" in html
    assert "Vi støtter forslaget &lt;i&gt;delvis&lt;/i&gt;." in html
    reasons = tables["Why comments were removed"]
    assert reasons[1][1] == "12"
    assert reasons[2][1] == "hidden"
    assert reasons[3][0] == "A moderator's judgement under the house rules"
    assert "Participants" in html  # not "Respondents": a hearing's people took part, they did not answer
    assert "Anyone with the public link could take part" in html


def test_real_hearing_report_publishes(
    client, db, logged_in_planner, create_hearing, create_participant, create_comment
):
    hearing = create_hearing()
    for i in range(6):
        participant, _key = create_participant(hearing)
        create_comment(hearing, participant, f"Kommentar nummer {i} om parkering")
    db.session.add(
        FormalStatement(
            hearing_id=hearing.id,
            signer_name="Kari",
            organisation_name="Naboforeningen",
            body="Vi støtter forslaget. " * 5,
            state=StatementState.PUBLISHED,
        )
    )
    hearing.consultation.state = ConsultationState.CLOSED
    db.session.commit()
    response = client.post(f"/manage/reports/{hearing.consultation_id}/publish")
    assert response.status_code == 303, response.text
    page = client.get(f"/r/{hearing.consultation.public_id}")
    assert page.status_code == 200
    assert 'id="section-statements"' in page.text
    assert "Naboforeningen" in page.text
    assert 'id="section-honesty"' in page.text
