"""Free-text retention: erased n months after the report (or the closing), kept before, once, figures intact."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from civic.consultations.models import ConsultationState, ConsultationStateChange
from civic.core.timeutils import now_utc
from civic.focus_groups.models import Contribution, FocusGroupMode
from civic.hearings.models import Comment, Flag, FlagReason
from civic.insight.models import TextEmbedding, TextSource
from civic.privacy import retention
from civic.privacy.models import FreeTextErasure
from civic.privacy.tasks import apply_retention
from civic.reports.models import Report, ReportState
from civic.surveys.models import Answer, ResponseState, SurveyResponse

SNAPSHOT = {"participation": {"responses": 1}, "results": [{"question": "Bil?", "counts": {"Ja": 1}}]}


def _months_ago(months: int, days: int = 0) -> datetime:
    return retention.add_months(now_utc(), -months) - timedelta(days=days)


def _close(db, consultation, at: datetime) -> None:
    consultation.state = ConsultationState.CLOSED
    db.session.add(
        ConsultationStateChange(consultation_id=consultation.id, from_state="open", to_state="closed", at=at)
    )


def _publish(db, consultation, at: datetime) -> Report:
    consultation.state = ConsultationState.PUBLISHED
    report = Report(consultation_id=consultation.id, state=ReportState.PUBLISHED, published_at=at, snapshot=SNAPSHOT)
    db.session.add(report)
    return report


def _survey_with_text(db, create_survey, text: str):
    survey = create_survey()
    question = survey.questions[4]  # the long free-text question
    response = SurveyResponse(survey_id=survey.id, state=ResponseState.SUBMITTED, draft_data={"q": [text]})
    response.answers.append(Answer(question_id=question.id, text=text))
    response.answers.append(Answer(question_id=survey.questions[0].id, choice_keys=["c1"]))
    db.session.add(response)
    db.session.flush()
    db.session.add(
        TextEmbedding(
            source=TextSource.SURVEY_ANSWER,
            source_id=response.answers[0].id,
            embedder="x",
            text_hash="0" * 64,
            dim=1,
            vector=b"\0\0\0\0",
        )
    )
    return survey


def _texts(db) -> set[str]:
    db.session.expire_all()
    found = set(db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))))
    found |= set(db.session.scalars(select(Comment.body).where(Comment.body != "")))
    found |= set(db.session.scalars(select(Contribution.text).where(Contribution.text != "")))
    found |= set(db.session.scalars(select(Flag.note).where(Flag.note != "")))
    return found


@pytest.fixture
def consultations(
    db,
    organisation,
    create_survey,
    create_hearing,
    create_participant,
    create_comment,
    create_focus_group,
    create_fg_participant,
):
    """Four ended consultations of an organisation keeping free text 24 months (the default)."""
    old_survey = _survey_with_text(db, create_survey, "Gammel tekst fra undersøkelsen")
    _close(db, old_survey.consultation, _months_ago(30))
    report = _publish(db, old_survey.consultation, _months_ago(24, days=1))  # report published 24 months ago
    recent_survey = _survey_with_text(db, create_survey, "Ny tekst fra undersøkelsen")
    _close(db, recent_survey.consultation, _months_ago(30))
    _publish(db, recent_survey.consultation, _months_ago(23))  # closed long ago, but the report is recent

    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    comment = create_comment(hearing, participant, body="Gammel kommentar i høringen")
    other, _key = create_participant(hearing)
    db.session.add(Flag(comment_id=comment.id, participant_id=other.id, reason=FlagReason.OTHER, note="Gammel merknad"))
    _close(db, hearing.consultation, _months_ago(25))  # no report: the closing counts

    group = create_focus_group(mode=FocusGroupMode.ASYNC)
    fg_participant, _key = create_fg_participant(group)
    db.session.add(
        Contribution(prompt_id=group.prompts[0].id, participant_id=fg_participant.id, text="Ny fokusgruppetekst")
    )
    _close(db, group.consultation, _months_ago(1))
    db.session.commit()
    return {"report": report, "old": old_survey, "recent": recent_survey, "hearing": hearing, "group": group}


def test_old_enough_is_erased_and_the_rest_kept(db, consultations):
    result = apply_retention()
    assert result == {"erased": 2, "remaining": 0}
    assert _texts(db) == {"Ny tekst fra undersøkelsen", "Ny fokusgruppetekst"}
    erasures = {e.consultation_id: e for e in db.session.scalars(select(FreeTextErasure))}
    assert set(erasures) == {consultations["old"].consultation_id, consultations["hearing"].consultation_id}
    assert erasures[consultations["old"].consultation_id].survey_texts == 1
    assert erasures[consultations["hearing"].consultation_id].hearing_texts == 1
    # Structured answers stay; the drafts as typed and the embeddings of the erased text go.
    old_response = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == consultations["old"].id))
    assert [a.choice_keys for a in old_response.answers if a.choice_keys] == [["c1"]]
    assert old_response.draft_data == {}
    recent = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == consultations["recent"].id))
    assert recent.draft_data == {"q": ["Ny tekst fra undersøkelsen"]}
    assert (
        db.session.scalar(
            select(TextEmbedding.source_id).where(TextEmbedding.source_id.in_([a.id for a in old_response.answers]))
        )
        is None
    )
    assert (
        db.session.scalar(select(TextEmbedding.id).where(TextEmbedding.source_id.in_([a.id for a in recent.answers])))
        is not None
    )


def test_a_rerun_changes_nothing(db, consultations):
    apply_retention()
    erased_at = {e.consultation_id: e.erased_at for e in db.session.scalars(select(FreeTextErasure))}
    assert apply_retention() == {"erased": 0, "remaining": 0}
    db.session.expire_all()
    assert {e.consultation_id: e.erased_at for e in db.session.scalars(select(FreeTextErasure))} == erased_at
    assert _texts(db) == {"Ny tekst fra undersøkelsen", "Ny fokusgruppetekst"}


def test_report_figures_frozen_at_publication_stay(db, consultations):
    apply_retention()
    db.session.expire_all()
    report = db.session.get(Report, consultations["report"].id)
    assert report.snapshot == SNAPSHOT
    assert report.state == ReportState.PUBLISHED


def test_the_organisation_setting_decides(db, organisation, consultations):
    organisation.free_text_retention_months = 1
    db.session.commit()
    assert apply_retention()["erased"] == 4
    assert _texts(db) == set()


def test_a_full_batch_leaves_the_rest_for_the_next_run(db, organisation, consultations):
    organisation.free_text_retention_months = 1
    db.session.commit()
    assert apply_retention(batch_size=3) == {"erased": 3, "remaining": 1}
    assert apply_retention(batch_size=3) == {"erased": 1, "remaining": 0}


def test_open_consultations_are_never_touched(db, create_survey, organisation):
    _survey_with_text(db, create_survey, "Åpen undersøkelse")
    organisation.free_text_retention_months = 1
    db.session.commit()
    assert retention.due(db.session, now=now_utc() + timedelta(days=3650)) == []


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, 12), 1, datetime(2026, 2, 28, 12)),
        (datetime(2024, 1, 31), 1, datetime(2024, 2, 29)),
        (datetime(2026, 11, 15), 2, datetime(2027, 1, 15)),
        (datetime(2026, 3, 31), -1, datetime(2026, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert retention.add_months(start, months) == expected


def test_the_hearing_page_says_a_comment_was_erased(db, client, consultations, english_ui):
    hearing = consultations["hearing"]
    section_url = f"/h/{hearing.consultation.public_id}/s/{hearing.sections[1].id}"
    assert "Gammel kommentar i høringen" in client.get(section_url).text
    apply_retention()
    db.session.expire_all()  # the task erased through its own statements; each request starts afresh in production
    page = client.get(section_url).text
    assert "Gammel kommentar i høringen" not in page
    assert "The text was erased" in page
