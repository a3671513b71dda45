"""Seeding the demo municipality: idempotent, resettable, and data the rest of civic accepts."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from civic.accounts.models import Organisation, Role, StaffUser
from civic.campaigns.models import Campaign, CampaignState
from civic.campaigns.services import check_ready
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.db import Base
from civic.core.timeutils import now_utc
from civic.demo import seed, survey_content
from civic.outreach.models import Invitation, InvitationLink
from civic.registry.factory import registry_from_config
from civic.surveys.answering import field_name
from civic.surveys.models import Answer, Question, QuestionKind, Survey, SurveyResponse
from civic.surveys.responses import check_survey


def _row_counts(db) -> dict[str, int]:
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    }


def _survey(db, result) -> Survey:
    return db.session.scalars(select(Survey).where(Survey.consultation_id == result.consultation.id)).one()


def _answers_of(survey: Survey):
    return select(Answer).join(SurveyResponse).where(SurveyResponse.survey_id == survey.id)


def test_seed_creates_the_bjerke_demo(db, seeded):
    organisation = db.session.scalars(select(Organisation).where(Organisation.slug == "bjerke")).one()
    assert (organisation.name, organisation.kind, organisation.parent_name) == (
        "Bydel Bjerke",
        "district",
        "Oslo kommune",
    )
    assert (organisation.primary_color, organisation.accent_color) == ("#2a2859", "#1f42aa")
    staff = {u.email: u.role for u in db.session.scalars(select(StaffUser))}
    assert staff == {
        "admin@bjerke.demo": Role.ADMIN,
        "planner@bjerke.demo": Role.PLANNER,
        "moderator@bjerke.demo": Role.MODERATOR,
        "viewer@bjerke.demo": Role.VIEWER,
    }
    consultation = seeded.consultation
    assert (consultation.kind, consultation.access, consultation.state) == ("survey", "public", "open")
    assert consultation.languages == ["nb", "nn", "en"]
    assert consultation.is_accepting_responses()
    assert timedelta(days=20) < consultation.closes_at - now_utc() <= timedelta(weeks=3)
    for texts in (consultation.title, consultation.summary, consultation.body):
        assert all(texts.get(lang) for lang in ("nb", "nn", "en"))
    assert seeded.submitted == 1100
    assert seeded.drafts == 60


def test_seeding_twice_changes_nothing(db, seeded):
    before = _row_counts(db)
    again = seed.seed_demo(db.session)
    db.session.commit()
    assert not again.created
    assert again.personal_tokens == []
    assert again.consultation.id == seeded.consultation.id
    assert _row_counts(db) == before


def test_reset_replaces_only_the_demo(db, seeded, create_organisation):
    other = create_organisation(slug="lillevik", name="Lillevik kommune")
    other_consultation = Consultation(
        organisation=other, public_id="other-public-id", kind=ConsultationKind.SURVEY, title={"nb": "Annet"}
    )
    db.session.add(other_consultation)
    db.session.commit()
    before = _row_counts(db)
    old_public_id = seeded.consultation.public_id

    result = seed.seed_demo(db.session, reset=True)
    db.session.commit()

    assert result.created
    assert result.consultation.public_id != old_public_id
    assert _row_counts(db) == before  # the same amount of demo data, nothing doubled, nothing else lost
    assert db.session.scalar(select(Consultation).where(Consultation.public_id == "other-public-id"))
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2


def test_reset_without_a_demo_is_harmless(db):
    assert seed.reset_demo(db.session) is False
    assert seed.seed_demo(db.session, reset=True).created


def test_every_question_kind_in_three_languages(db, seeded):
    survey = _survey(db, seeded)
    assert {q.kind for q in survey.questions} == set(QuestionKind)
    assert 12 <= len(survey.questions) <= 16
    assert 3 <= len(survey.sections) <= 4
    for question in survey.questions:
        assert all(question.text.get(lang) for lang in ("nb", "nn", "en")), question.text
        for choice in question.choices:
            assert all(choice.label.get(lang) for lang in ("nb", "nn", "en")), choice.label
    assert any(c.is_other for q in survey.questions for c in q.choices)
    multiple = [q for q in survey.questions if q.kind == QuestionKind.MULTIPLE_CHOICE]
    assert any(q.settings.get("max_choices") for q in multiple)
    assert any(q.settings.get("min_choices") for q in multiple)


def test_stored_answers_respect_display_conditions(db, seeded):
    survey = _survey(db, seeded)
    conditional = [q for q in survey.questions if q.condition_question_id]
    assert conditional
    answers = defaultdict(dict)
    for answer in db.session.scalars(_answers_of(survey)):
        answers[answer.response_id][answer.question_id] = answer
    for response_answers in answers.values():
        for question in conditional:
            source = response_answers.get(question.condition_question_id)
            shown = source is not None and set(source.choice_keys) & set(question.condition_choice_keys)
            if not shown:
                assert question.id not in response_answers, f"answer to hidden question {question.text['nb']}"
    by_slug = survey_content.questions_by_slug(survey)
    no_car = [a for a in answers.values() if a[by_slug["has_car"].id].choice_keys == ["no"]]
    assert no_car
    assert not any(by_slug["car_count"].id in a for a in no_car)


def test_stored_answers_pass_the_answering_flows_validation(app, db, seeded):
    """Replay every submitted response through civic.surveys' own checks, as if typed into the form."""
    survey = _survey(db, seeded)
    questions = {q.id: q for q in survey.questions}
    answers = defaultdict(list)
    for answer in db.session.scalars(_answers_of(survey)):
        answers[answer.response_id].append(answer)
    with app.test_request_context("/?lang=en"):
        for response_id, stored in answers.items():
            raw = {}
            for answer in stored:
                raw.update(_as_form_values(questions[answer.question_id], answer))
            check = check_survey(survey, raw)
            assert check.errors == {}, (response_id, check.errors)
            assert set(check.answers) == {a.question_id for a in stored}


def _as_form_values(question: Question, answer: Answer) -> dict[str, list[str]]:
    kind = question.kind_enum
    name = field_name(question)
    if kind == QuestionKind.RANKING:
        return {field_name(question, key): [str(i + 1)] for i, key in enumerate(answer.choice_keys)}
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        values = {name: list(answer.choice_keys)}
        if answer.text:
            values[field_name(question, "other")] = [answer.text]
        return values
    if kind == QuestionKind.MAP_POINT:
        values = {
            field_name(question, "lat"): [str(answer.lat)],
            field_name(question, "lon"): [str(answer.lon)],
        }
        if answer.text:
            values[field_name(question, "text")] = [answer.text]
        return values
    if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return {name: [str(int(answer.number))]}
    if kind == QuestionKind.DATE:
        return {name: [answer.date_value.isoformat()]}
    return {name: [answer.text]}


def test_responses_have_segments_and_distinct_long_texts(db, seeded):
    survey = _survey(db, seeded)
    rows = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    submitted = [r for r in rows if r.state == "submitted"]
    drafts = [r for r in rows if r.state == "draft"]
    assert len(submitted) == 1100
    assert len(drafts) == 60
    # Segments come only from invitations; public-link responses carry none. Every response has a key.
    assert all(r.draft_key_hash for r in rows)
    with_segment = [r for r in rows if r.age_band]
    assert 900 < len(with_segment) < 1080
    assert all(r.district and r.household_type for r in with_segment)
    assert all(r.survey_version == survey.version and r.submitted_at for r in submitted)
    assert all(r.submitted_at is None and r.draft_data and not r.answers for r in drafts)
    long_text = survey_content.questions_by_slug(survey)["comments"]
    texts = db.session.scalars(select(Answer.text).where(Answer.question_id == long_text.id)).all()
    assert len(texts) > 1000
    assert len(set(texts)) >= 800


def test_invitations_match_their_responses_only_in_aggregate(db, seeded):
    # Responses do not name invitations; per segment, as many invitations are answered as responses carry it,
    # and an invitation records only the day it was answered.
    survey = _survey(db, seeded)
    invited = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, SurveyResponse.age_band != "")
    ).all()
    of_survey = Invitation.consultation_id == seeded.consultation.id
    answered = db.session.scalars(select(Invitation).where(of_survey, Invitation.responded_at.is_not(None))).all()
    segment = operator.attrgetter("age_band", "district", "household_type")
    assert Counter(map(segment, invited)) == Counter(map(segment, answered))
    assert all(i.responded_at == i.responded_at.replace(hour=0, minute=0, second=0) for i in answered)
    links = select(func.count()).select_from(InvitationLink).join(Invitation).where(of_survey)
    assert db.session.scalar(links) == seed.TOTAL_INVITATIONS + 3
    unanswered = db.session.scalar(select(func.count()).where(of_survey, Invitation.responded_at.is_(None)))
    total = db.session.scalar(select(func.count()).where(of_survey))
    assert total == seed.TOTAL_INVITATIONS + 3  # plus the three demo links printed at seed time
    assert unanswered == total - len(invited)


def test_demo_staff_can_log_in_with_the_demo_password(client, seeded):
    response = client.post(
        "/manage/login", data={"email": "planner@bjerke.demo", "password": seed.DEMO_PASSWORD}
    )
    assert response.status_code == 303


def test_demo_has_a_draft_campaign_ready_to_send_to_the_synthetic_registry(app, db, seeded):
    # The survey's campaign (the live focus group has its own, see test_demo_focus_group.py).
    campaign = db.session.scalars(select(Campaign).where(Campaign.consultation_id == seeded.consultation.id)).one()
    assert campaign.state == CampaignState.DRAFT
    assert campaign.criteria["sub_districts"] == ["Årvoll", "Risløkka"]
    assert {(t.purpose, t.language) for t in campaign.templates} >= {("invitation", "nb"), ("reminder", "nb")}
    counts = check_ready(
        db.session, campaign, registry=registry_from_config(app.config), today=now_utc().date(), now=now_utc()
    )
    # Bydel Bjerke's real survey went to about 6,000 residents; the demo's two sub-districts are of that order.
    assert 5000 < counts.reachable < counts.matched < 10000
