"""Benchmark a published report of a 12-question survey with 50,000 responses, on PostgreSQL.

    .venv/bin/python -m tests.benchmarks.bench_report [--responses N] [--renders N]

Seeds a fresh database (``civic_bench_report``) with the submissions benchmark's 12-question survey (every question
kind), N invitations with segments and N submitted responses with varied answers, closes the survey and measures,
inside one process (server-side time: the WSGI call through Flask's test client, no network):

* ``snapshot_s``: building the report's frozen figures (every aggregation, suppression included);
* ``publish_s``: the whole publication (snapshot, state changes, commit) — the report's first render costs this
  once; the page is then rendered from the snapshot;
* ``first_page_ms``: the first GET of the public page (templates, charts built from the snapshot, cache cold);
* ``cached_page_p50_ms`` / ``p95``: later GETs of the page (the rendered page is cached per version and language);
* the baseline, measured in the same run: the staff results page with every question panel (``?all=1``), which
  aggregates the responses live as the report did before snapshots; ``ratio`` = cached report p50 / baseline p50;
* ``pdf_task_s``: the PDF task for one language (Chromium start, page load with every chart drawn, printing,
  storing); ``pdf_render_s`` the page load and printing alone.

Goals (issue 7): cached render ≤ 300 ms server-side, first render ≤ 5 s. The last line holds the figures as
key=value pairs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from civic import create_app
from civic.accounts.models import Role, StaffUser
from civic.accounts.passwords import hash_password
from civic.consultations.models import Consultation, ConsultationState
from civic.extensions import db
from civic.outreach.models import Invitation
from civic.reports import pdf_tasks, publishing
from civic.reports.models import Report
from civic.reports.snapshot import build_snapshot
from civic.surveys.models import Answer, Question, QuestionKind, ResponseState, SurveyResponse
from tests.benchmarks.seed import AGE_BANDS, DISTRICTS, database_url, recreate_database, seed_survey

DATABASE = "civic_bench_report"
HOUSEHOLDS = ("single", "couple", "family_with_children", "other")
TEXTS = (
    "Det er umulig å finne parkering om kvelden.",
    "Beboerparkering må komme raskt, vi har mange pendlere her.",
    "Flere ladepunkter i gata, takk.",
    "Bilfrie gater rundt skolen gjør skoleveien tryggere.",
    "Brøytingen av fortauene er for dårlig om vinteren.",
)
CHUNK = 5000


def _answers(questions: list[Question], rng: random.Random) -> list[dict]:
    """One respondent's answers to the 12 questions, as the answering flow stores them."""
    empty = {"choice_keys": [], "text": None, "number": None, "date_value": None, "lat": None, "lon": None}
    rows = []
    for question in questions:
        kind = question.kind_enum
        keys = [c.key for c in question.choices if not c.is_other]
        values: dict = {}
        if kind == QuestionKind.SINGLE_CHOICE:
            values = {"choice_keys": [rng.choices(keys, weights=range(len(keys), 0, -1))[0]]}
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            values = {"choice_keys": sorted(rng.sample(keys, rng.randint(1, 3)))}
        elif kind == QuestionKind.SCALE:
            values = {"number": float(rng.randint(int(question.settings["min"]), int(question.settings["max"])))}
        elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            if rng.random() < 0.4:
                continue
            values = {"text": rng.choice(TEXTS)}
        elif kind == QuestionKind.NUMBER:
            values = {"number": float(rng.randint(0, 3))}
        elif kind == QuestionKind.DATE:
            values = {"date_value": date(rng.randint(1970, 2024), rng.randint(1, 12), rng.randint(1, 28))}
        elif kind == QuestionKind.RANKING:
            values = {"choice_keys": rng.sample(keys, len(keys))}
        elif kind == QuestionKind.MAP_POINT:
            if rng.random() < 0.5:
                continue
            values = {"lat": 59.93 + rng.random() * 0.03, "lon": 10.80 + rng.random() * 0.03}
        rows.append({**empty, **values, "question_id": question.id})
    return rows


def seed(responses: int) -> tuple[int, int]:
    """Seed the survey, its invitations and its submitted responses; return (consultation id, survey id)."""
    rng = random.Random(7)
    survey = seed_survey()
    questions = list(survey.questions)
    start = datetime(2026, 10, 1, 8, tzinfo=UTC)
    for first in range(0, responses, CHUNK):
        batch = range(first, min(first + CHUNK, responses))
        people = [
            {
                "age_band": rng.choice(AGE_BANDS),
                "district": rng.choice(DISTRICTS),
                "household_type": rng.choice(HOUSEHOLDS),
                "submitted_at": start + timedelta(minutes=rng.randint(0, 60 * 24 * 28)),
            }
            for _ in batch
        ]
        db.session.execute(
            insert(Invitation),
            [
                {
                    "consultation_id": survey.consultation_id,
                    "channel": "email",
                    "age_band": p["age_band"],
                    "district": p["district"],
                    "household_type": p["household_type"],
                    "sent_at": start,
                    "responded_at": p["submitted_at"].replace(hour=0, minute=0),
                }
                for p in people
            ],
        )
        ids = db.session.scalars(
            insert(SurveyResponse).returning(SurveyResponse.id, sort_by_parameter_order=True),
            [
                {
                    "survey_id": survey.id,
                    "state": ResponseState.SUBMITTED.value,
                    "age_band": p["age_band"],
                    "district": p["district"],
                    "household_type": p["household_type"],
                    "started_at": p["submitted_at"] - timedelta(minutes=5),
                    "submitted_at": p["submitted_at"],
                    "updated_at": p["submitted_at"],
                }
                for p in people
            ],
        ).all()
        db.session.execute(
            insert(Answer),
            [{**row, "response_id": response_id} for response_id in ids for row in _answers(questions, rng)],
        )
        db.session.commit()
    consultation = db.session.get(Consultation, survey.consultation_id)
    consultation.state = ConsultationState.CLOSED
    db.session.commit()
    return consultation.id, survey.id


def _timed_get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response.status_code


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()

    recreate_database(DATABASE)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(DATABASE),
            "TESTING": False,
            "REPORT_PDF_QUEUE": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    figures: dict[str, float | int] = {"responses": args.responses}
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        consultation_id, survey_id = seed(args.responses)
        print(f"seeded {args.responses} responses in {time.perf_counter() - started:.1f} s")
        # What autovacuum does soon after a bulk load: without statistics PostgreSQL picks slower plans.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        consultation = db.session.get(Consultation, consultation_id)
        planner = StaffUser(
            organisation_id=consultation.organisation_id,
            email="planner@bench.example",
            name="Planner",
            role=Role.PLANNER,
            password_hash=hash_password("bench-passord-2026"),
        )
        db.session.add(planner)
        db.session.commit()
        report = publishing.get_or_create_report(db.session, consultation)
        db.session.commit()

        started = time.perf_counter()
        build_snapshot(db.session, report)
        figures["snapshot_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        publishing.publish(db.session, report, planner)
        db.session.commit()
        figures["publish_s"] = round(time.perf_counter() - started, 3)
        public_id, planner_id = consultation.public_id, planner.id
        db.session.remove()

    client = app.test_client()
    url = f"/r/{public_id}?lang=nb"
    figures["first_page_ms"], status = _timed_get(client, url)
    assert status == 200, status
    cached = [_timed_get(client, url)[0] for _ in range(args.renders)]
    figures["cached_page_p50_ms"] = round(statistics.median(cached), 1)
    figures["cached_page_p95_ms"] = round(_p(cached, 0.95), 1)
    figures["first_page_ms"] = round(figures["first_page_ms"], 1)

    staff = app.test_client()
    with staff.session_transaction() as session:
        session["_user_id"] = f"{planner_id}:0"
        session["_fresh"] = True
    baseline_url = f"/manage/results/{survey_id}?all=1"
    staff.get(baseline_url)  # warm templates
    baseline = [_timed_get(staff, baseline_url)[0] for _ in range(max(3, args.renders // 5))]
    figures["baseline_results_page_p50_ms"] = round(statistics.median(baseline), 1)
    figures["ratio"] = round(figures["cached_page_p50_ms"] / figures["baseline_results_page_p50_ms"], 3)

    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.consultation_id == consultation_id))
        started = time.perf_counter()
        outcome = pdf_tasks.render_and_store(db.session, report.id, report.version, "nb")
        figures["pdf_task_s"] = round(time.perf_counter() - started, 2)
        stored = pdf_tasks.stored_pdf(db.session, report.id, report.version, "nb")
        assert stored is not None, outcome
        figures["pdf_render_s"] = round(stored.render_ms / 1000, 2)
        figures["pdf_pages"] = stored.pages
        figures["pdf_kb"] = len(stored.content) // 1024

    figures["goal_cached_ms"] = 300
    figures["goal_first_s"] = 5
    figures["goals_met"] = int(figures["cached_page_p95_ms"] <= 300 and figures["publish_s"] <= 5)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
