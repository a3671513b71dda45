"""Celery against a real worker process: the embedded SQLite broker (the demo) and Redis (production).

The worker is a separate process with its own app, configured from the environment only, exactly as in
deployment; the test sends the task by name and waits for its effect in the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery

from civic import create_app
from civic.accounts.models import Organisation
from civic.config import TestingConfig
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.timeutils import now_utc
from civic.extensions import db

ROOT = Path(__file__).resolve().parents[1]
REDIS_BROKER = os.environ.get("CIVIC_TEST_CELERY_BROKER")
PG_URL = os.environ.get("CIVIC_TEST_DATABASE_URI", "")


def _start_worker(database_url: str, broker_url: str, tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "CIVIC_SQLALCHEMY_DATABASE_URI": database_url,
        "CIVIC_CELERY__broker_url": broker_url,
    }
    with (tmp_path / "worker.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "civic.worker:celery", "worker", "--pool", "solo",
             "--loglevel", "info", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )


def _scheduled_consultation(database_url: str) -> int:
    app = create_app({**{k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        organisation = Organisation(slug="w", name="Worker kommune")
        consultation = Consultation(
            organisation=organisation, public_id="worker-test", kind=ConsultationKind.SURVEY,
            state=ConsultationState.SCHEDULED, title={"nb": "Test"}, opens_at=now_utc() - timedelta(minutes=1),
        )
        db.session.add(consultation)
        db.session.commit()
        consultation_id = consultation.id
        db.session.remove()
        db.engine.dispose()
        return consultation_id


def _state(database_url: str, consultation_id: int) -> str:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        state = db.session.get(Consultation, consultation_id).state
        db.session.remove()
        db.engine.dispose()
        return state


def _run_through_worker(database_url: str, broker_url: str, tmp_path: Path) -> None:
    consultation_id = _scheduled_consultation(database_url)
    worker = _start_worker(database_url, broker_url, tmp_path)
    try:
        client = Celery(broker=broker_url)
        client.send_task("consultations.apply_schedule")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _state(database_url, consultation_id) == ConsultationState.OPEN:
                return
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.5)
        pytest.fail("the worker did not open the consultation:\n" + (tmp_path / "worker.log").read_text())
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.celery_worker
def test_embedded_sqlite_broker_runs_tasks(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'civic.sqlite'}"
    _run_through_worker(database_url, f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}", tmp_path)


@pytest.mark.celery_worker
@pytest.mark.skipif(not (REDIS_BROKER and PG_URL.startswith("postgresql")),
                    reason="set CIVIC_TEST_CELERY_BROKER and a PostgreSQL CIVIC_TEST_DATABASE_URI (./run test does)")
def test_redis_broker_runs_tasks_against_postgresql(tmp_path):
    _run_through_worker(PG_URL, REDIS_BROKER, tmp_path)
