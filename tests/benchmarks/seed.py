"""Benchmark data: a fresh PostgreSQL database, a 12-question one-page survey, invitations, valid answers."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

from civic import create_app
from civic.accounts.models import Organisation
from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.core.tokens import new_token, response_key_hash
from civic.extensions import db
from civic.outreach.links import issue_links
from civic.outreach.models import Invitation
from civic.surveys.models import (
    Answer,
    Question,
    QuestionChoice,
    QuestionKind,
    ResponseState,
    Survey,
    SurveyResponse,
    SurveySection,
)

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DISTRICTS = ("Årvoll", "Linderud", "Veitvet", "Tonsenhagen")
AGE_BANDS = ("18-29", "30-44", "45-66", "67+")


def database_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def recreate_database(name: str) -> None:
    """Drop and create ``name`` (trust auth on loopback, as in CI)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres", "-qc", sql],
            check=True,
            capture_output=True,
        )


def _choices(*labels: str, other: bool = False) -> list[QuestionChoice]:
    items = [QuestionChoice(position=i, key=f"c{i + 1}", label={"nb": t}) for i, t in enumerate(labels)]
    if other:
        items.append(QuestionChoice(position=len(items), key="other", label={"nb": "Annet"}, is_other=True))
    return items


def _questions(survey: Survey, page: SurveySection) -> list[Question]:
    """Return the 12 questions of the page: every kind, some required, one display condition."""
    specs = [
        (QuestionKind.SINGLE_CHOICE, True, "Har husstanden din bil?", {}, _choices("Ja", "Nei", other=True)),
        (
            QuestionKind.MULTIPLE_CHOICE,
            False,
            "Hvilke tiltak støtter du?",
            {"min_choices": 1, "max_choices": 3},
            _choices("Beboerparkering", "Flere ladepunkter", "Bilfrie gater", "Sykkelparkering"),
        ),
        (
            QuestionKind.SCALE,
            True,
            "Hvor lett er det å finne parkering?",
            {"min": 1, "max": 5, "min_label": {"nb": "Svært vanskelig"}, "max_label": {"nb": "Svært lett"}},
            [],
        ),
        (QuestionKind.SHORT_TEXT, False, "Hvilken gate bor du i?", {"max_length": 80}, []),
        (QuestionKind.LONG_TEXT, False, "Har du andre innspill?", {"max_length": 2000}, []),
        (
            QuestionKind.NUMBER,
            False,
            "Hvor mange biler har husstanden?",
            {"min": 0, "max": 10, "integer": True},
            [],
        ),
        (
            QuestionKind.DATE,
            False,
            "Når flyttet du hit?",
            {"min_date": "1950-01-01", "max_date": "2030-12-31"},
            [],
        ),
        (
            QuestionKind.RANKING,
            True,
            "Ranger det viktigste",
            {},
            _choices("Trygg skolevei", "Parkering", "Brøyting", "Belysning"),
        ),
        (QuestionKind.MAP_POINT, False, "Marker et sted der parkering er et problem", {}, []),
        (
            QuestionKind.SINGLE_CHOICE,
            True,
            "Hvor ofte kjører du bil?",
            {},
            _choices("Daglig", "Ukentlig", "Sjeldnere", "Aldri"),
        ),
        (QuestionKind.SCALE, True, "Hvor fornøyd er du med kollektivtilbudet?", {"min": 1, "max": 7}, []),
        (QuestionKind.SHORT_TEXT, False, "Hva er det viktigste tiltaket for deg?", {"max_length": 200}, []),
    ]
    return [
        Question(
            survey=survey,
            section=page,
            position=i,
            kind=kind,
            is_required=required,
            text={"nb": text},
            settings=settings,
            choices=choices,
        )
        for i, (kind, required, text, settings, choices) in enumerate(specs)
    ]


def seed_survey() -> Survey:
    """Create an organisation and an open, invitation-only survey of 12 questions on one page."""
    organisation = Organisation(slug="bench", name="Bydel Bench", parent_name="Oslo kommune")
    consultation = Consultation(
        organisation=organisation,
        public_id=new_token()[:16],
        kind=ConsultationKind.SURVEY,
        state=ConsultationState.OPEN,
        access=Access.INVITED,
        title={"nb": "Parkering i nabolaget"},
        languages=["nb", "en"],
    )
    survey = Survey(consultation=consultation)
    page = SurveySection(survey=survey, position=0, title={"nb": "Parkering"})
    questions = _questions(survey, page)
    db.session.add(survey)
    db.session.flush()
    # "Hvor mange biler" is asked only of households that have a car: the condition code runs on every post.
    questions[5].condition_question_id = questions[0].id
    questions[5].condition_choice_keys = ["c1"]
    db.session.commit()
    return survey


def seed_invitations(consultation_id: int, count: int) -> list[str]:
    """Insert ``count`` personal-link invitations with one link each, in bulk; return the links' tokens."""
    rows = [
        {
            "consultation_id": consultation_id,
            "channel": "link",
            "age_band": AGE_BANDS[i % len(AGE_BANDS)],
            "district": DISTRICTS[i % len(DISTRICTS)],
            "household_type": "",
        }
        for i in range(count)
    ]
    tokens: list[str] = []
    for start in range(0, len(rows), 5000):
        ids = db.session.scalars(
            insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True), rows[start : start + 5000]
        ).all()
        tokens += issue_links(db.session, ids)
    db.session.commit()
    return tokens


def answer_fields(questions: list[Question], rng: random.Random) -> list[tuple[str, str]]:
    """Return valid, varied form fields for the 12 questions, as a browser without JavaScript posts them."""
    q = [x.id for x in questions]
    ranking = ["1", "2", "3", "4"]
    rng.shuffle(ranking)
    chosen = rng.sample(["c1", "c2", "c3", "c4"], rng.randint(1, 3))
    fields = [
        (f"q{q[0]}", "c1"),
        *((f"q{q[1]}", key) for key in sorted(chosen)),
        (f"q{q[2]}", str(rng.randint(1, 5))),
        (f"q{q[3]}", rng.choice(["Refstadveien", "Sletteløkka", "Trondheimsveien 200"])),
        (f"q{q[4]}", "Flere sykkelstativ ved skolen.\r\nBedre brøyting av fortauene om vinteren."),
        (f"q{q[5]}", str(rng.randint(0, 3))),
        (f"q{q[6]}", f"{rng.randint(1970, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
        *((f"q{q[7]}-c{i + 1}", position) for i, position in enumerate(ranking)),
        (f"q{q[8]}-lat", f"{59.93 + rng.random() * 0.03:.5f}"),
        (f"q{q[8]}-lon", f"{10.80 + rng.random() * 0.03:.5f}"),
        (f"q{q[8]}-text", "Ved skolen"),
        (f"q{q[9]}", rng.choice(["c1", "c2", "c3", "c4"])),
        (f"q{q[10]}", str(rng.randint(1, 7))),
        (f"q{q[11]}", "Trygg skolevei"),
    ]
    return fields


def submit_body(csrf_token: str, questions: list[Question], rng: random.Random) -> str:
    """Return the url-encoded body of the Send button on the survey's only page."""
    shown = " ".join(str(x.id) for x in questions)
    return urlencode(
        [("csrf_token", csrf_token), ("shown", shown), *answer_fields(questions, rng), ("action", "submit")]
    )


@dataclass
class Prepared:
    url: str
    survey_id: int
    question_ids: list[int]
    questions: list[Question]
    tokens: list[str]


def prepare(name: str, invitations: int) -> Prepared:
    """Recreate the database, build the schema with create_all, seed the survey and the invitations."""
    recreate_database(name)
    url = database_url(name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        db.create_all()
        survey = seed_survey()
        tokens = seed_invitations(survey.consultation_id, invitations)
        questions = list(survey.questions)
        for question in questions:
            _ = question.choices  # loaded now: the objects are used after the session closes
        db.session.expunge_all()
        prepared = Prepared(url, survey.id, [x.id for x in questions], questions, tokens)
        # Give the connection back before disposing of the pool: one still checked out would be left open.
        db.session.close()
        db.engine.dispose()
    return prepared


@dataclass
class Stored:
    responses: int
    submitted: int
    answers: int
    distinct_keys: int  # one per personal link
    bad_answer_counts: int
    submitted_tokens: set[str]


def count_stored(url: str, tokens: list[str], expected_answers: int) -> Stored:
    """Count what the database holds after the run, and which tokens have a submitted response."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        s = db.session
        submitted = s.scalar(select(func.count()).where(SurveyResponse.state == ResponseState.SUBMITTED))
        per_response = (
            select(Answer.response_id, func.count().label("n")).group_by(Answer.response_id).subquery()
        )
        bad = s.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .outerjoin(per_response, per_response.c.response_id == SurveyResponse.id)
            .where(
                SurveyResponse.state == ResponseState.SUBMITTED,
                func.coalesce(per_response.c.n, 0) != expected_answers,
            )
        )
        keys = set(
            s.scalars(select(SurveyResponse.draft_key_hash).where(SurveyResponse.state == ResponseState.SUBMITTED))
        )
        stored = Stored(
            responses=s.scalar(select(func.count()).select_from(SurveyResponse)),
            submitted=submitted,
            answers=s.scalar(select(func.count()).select_from(Answer)),
            distinct_keys=s.scalar(select(func.count(func.distinct(SurveyResponse.draft_key_hash)))),
            bad_answer_counts=bad,
            submitted_tokens={t for t in tokens if response_key_hash(t) in keys},
        )
        db.session.close()
        db.engine.dispose()
    return stored
