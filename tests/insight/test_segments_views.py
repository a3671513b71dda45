"""The segments page: closed questions and topics by segment, small cells hidden, and the empty cases."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pytest

from analysis.suppression import Suppression
from civic.accounts.models import Role
from civic.consultations.models import ConsultationKind
from civic.core.timeutils import now_utc
from civic.insight.segments import segments_page
from civic.surveys.models import Answer, ResponseState, SurveyResponse
from tests.analysis.test_suppression import derivable_hidden

#: (district, car answer "c1" yes / "c2" no, how many). Linderud has 3 "yes": a small cell.
PEOPLE = [
    ("Årvoll", "c1", 14),
    ("Årvoll", "c2", 8),
    ("Linderud", "c1", 3),
    ("Linderud", "c2", 16),
    ("Økern", "c1", 11),
    ("Økern", "c2", 9),
    ("Grorud", "c1", 7),
    ("Grorud", "c2", 6),
]


def _respond(db, survey, answers: dict[int, dict], **segment: str) -> SurveyResponse:
    response = SurveyResponse(survey_id=survey.id, state=ResponseState.SUBMITTED, submitted_at=now_utc(), **segment)
    response.answers = [Answer(question_id=qid, **fields) for qid, fields in answers.items()]
    db.session.add(response)
    db.session.flush()
    return response


@pytest.fixture
def answered_survey(db, create_survey):
    survey = create_survey()
    single, multiple, scale, _short, long_text = survey.questions[:5]
    n = 0
    for district, key, count in PEOPLE:
        for _ in range(count):
            n += 1
            _respond(
                db,
                survey,
                {
                    single.id: {"choice_keys": [key]},
                    multiple.id: {"choice_keys": ["c1", "c2"] if n % 3 else ["c3"]},
                    scale.id: {"number": 1 + n % 5},
                    long_text.id: {"text": f"Innspill om {'parkering' if n % 2 else 'sykkel'} nummer {n}"},
                },
                district=district,
                age_band="30-44" if n % 2 else "67+",
                household_type="single" if n % 4 else "family_with_children",
            )
    db.session.commit()
    return survey


def _url(consultation_id: int) -> str:
    return f"/manage/insight/{consultation_id}/segments"


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_closed_questions_are_broken_down_by_segment_with_consensus(client, answered_survey, logged_in_planner):
    response = client.get(_url(answered_survey.consultation_id))
    assert response.status_code == 200
    text = _text(response)
    assert "Consensus across segments" in text
    assert "74 submitted responses" in text
    assert "Does your household have a car?" in text
    assert "Hvilke tiltak støtter du?" in text
    assert "Hvor lett er det å finne parkering?" in text
    # District sizes, a shown share with its count, the "All" column, the consensus measures.
    assert "n = 22" in text
    assert "64% (14)" in text
    assert "47% (35)" in text
    assert "Lowest share" in text
    assert "Segment consensus" in text
    assert "Living alone" in text
    assert "Most agreed across segments" in text
    assert "Respondents could choose several options" in text
    # The hidden-cells note.
    assert "cannot be worked out by subtracting" in text


def test_no_small_cell_is_shown_and_the_hidden_ones_cannot_be_derived(db, app, answered_survey, english_ui):
    with app.test_request_context():
        page = segments_page(db.session, answered_survey.consultation, None, "nb")
    single = page.questions[0].result
    district = next(d for d in single.dimensions if d.dimension == "district")
    assert district.segments == ["Grorud", "Linderud", "Årvoll", "Økern"]
    column = district.segments.index("Linderud")
    yes = next(row for row in district.options if row.option == "c1")
    assert yes.hidden[column]
    assert yes.counts[column] is None
    for row in district.options:
        for count in row.counts:
            assert count is None or count == 0 or count >= 5
    # The reader knows every shown cell, the shown segment sizes and each option's total: nothing hidden follows.
    order = {value: j for j, value in enumerate(district.segments)}
    table = np.zeros((len(district.options), len(district.segments)), dtype=int)
    keys = [row.option for row in district.options]
    for place, key, count in PEOPLE:
        table[keys.index(key), order[place]] += count
    published = Suppression(
        cells=np.array([row.hidden for row in district.options]),
        row_totals=np.zeros(len(keys), dtype=bool),
        col_totals=np.array(district.sizes_hidden),
        grand_total=False,
        primary=np.zeros(table.shape, dtype=bool),
    )
    assert derivable_hidden(table, published) == []
    assert district.secondary_cells >= 3


def test_topics_of_the_latest_run_are_broken_down_too(db, client, answered_survey, logged_in_planner, make_topic_run):
    long_text = answered_survey.questions[4]
    answers = db.session.query(Answer).filter(Answer.question_id == long_text.id).order_by(Answer.id).all()
    documents = [("survey_answer", answer.id) for answer in answers]
    assignments = [0 if "parkering" in answer.text else 1 for answer in answers]
    assignments[0] = -1
    make_topic_run(answered_survey.consultation_id, documents, assignments, labels={0: "Parkering", 1: "Sykkel"})
    text = _text(client.get(_url(answered_survey.consultation_id)))
    topics = text.split("Topics in the written answers", 1)[1]
    assert "Parkering" in topics
    assert "Sykkel" in topics
    assert "one person can write in several topics" in topics
    assert "District" in topics


def test_without_a_topic_run_the_page_says_so(client, answered_survey, logged_in_planner):
    response = client.get(_url(answered_survey.consultation_id))
    assert "No topics yet." in _text(response)
    assert f'href="/manage/insight/{answered_survey.consultation_id}"' in response.get_data(as_text=True)


def test_public_link_answers_without_segments_are_explained(db, client, create_survey, logged_in_planner):
    survey = create_survey()
    for n in range(12):
        _respond(db, survey, {survey.questions[0].id: {"choice_keys": ["c1" if n % 2 else "c2"]}})
    db.session.commit()
    response = client.get(_url(survey.consultation_id))
    assert response.status_code == 200
    assert "answers through a public link carry no age band" in _text(response)


def test_too_few_respondents_are_not_broken_down(db, client, create_survey, logged_in_planner):
    survey = create_survey()
    for n in range(3):
        _respond(db, survey, {survey.questions[0].id: {"choice_keys": ["c1"]}}, district=f"D{n}")
    db.session.commit()
    text = _text(client.get(_url(survey.consultation_id)))
    assert "Too few respondents answered this for a breakdown by segment (at least 5 needed)" in text
    assert "D0" not in text


def test_a_survey_without_responses(client, create_survey, logged_in_planner):
    survey = create_survey()
    response = client.get(_url(survey.consultation_id))
    assert response.status_code == 200
    assert "No submitted responses yet." in _text(response)


def test_a_hearing_gets_a_message_not_an_error(client, create_hearing, logged_in_planner):
    hearing = create_hearing()
    response = client.get(_url(hearing.consultation_id))
    assert response.status_code == 200
    text = _text(response)
    assert "Hearing participants carry no such segments" in text
    assert hearing.consultation.kind == ConsultationKind.HEARING


def test_drafts_do_not_count(db, client, answered_survey, logged_in_planner):
    draft = SurveyResponse(survey_id=answered_survey.id, state=ResponseState.DRAFT, district="Årvoll")
    draft.answers = [Answer(question_id=answered_survey.questions[0].id, choice_keys=["c1"])]
    db.session.add(draft)
    db.session.commit()
    assert "74 submitted responses" in _text(client.get(_url(answered_survey.consultation_id)))


@pytest.mark.parametrize("path", ["/manage/insight/999999/segments", "/manage/insight/x/segments"])
def test_unknown_consultations_are_not_found(client, logged_in_planner, path):
    assert client.get(path).status_code == 404


def test_other_organisations_and_anonymous_visitors_are_refused(
    client, auth, answered_survey, create_organisation, create_staff
):
    assert client.get(_url(answered_survey.consultation_id)).status_code in (302, 303)
    other = create_organisation(slug="other", name="Other")
    auth.login(create_staff(Role.PLANNER, email="planner@other.example", org=other))
    assert client.get(_url(answered_survey.consultation_id)).status_code == 404


def test_every_staff_role_may_view(client, auth, answered_survey, create_staff):
    auth.login(create_staff(Role.MODERATOR))
    assert client.get(_url(answered_survey.consultation_id)).status_code == 200
