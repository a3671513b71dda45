"""``./run prod`` end to end: gunicorn, a Celery worker and Celery beat on PostgreSQL and Redis, configured from
the environment only, as in deployment.

The test starts the real command in its own process group, waits for /healthz and /readyz, lets beat schedule
a task that the worker must carry out (open a scheduled consultation), checks the JSON logs hold no personal
link token, then stops the command with SIGTERM and expects all three processes to finish cleanly. Every wait
has a deadline, and whatever is left of the process group is killed at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from civic import create_app
from civic.accounts.models import Organisation
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.timeutils import now_utc
from civic.extensions import db
from tests.fixtures.app import _testing_defaults

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = os.environ.get("CIVIC_TEST_CELERY_BROKER", "redis://127.0.0.1:6379/15")
REDIS_DB = 12  # not the suite's worker tests' (15): this test's broker is its own
STARTUP_SECONDS = 240  # migrating an empty database and starting three processes on a busy 2-core machine
TASK_SECONDS = 90
STOP_SECONDS = 60

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def redis_broker() -> str:
    server = urlsplit(REDIS_SERVER)
    broker = f"redis://{server.hostname or '127.0.0.1'}:{server.port or 6379}/{REDIS_DB}"
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is unreachable ({type(error).__name__})")
    return broker


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, dict | None]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if body.startswith(b"{") else None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def _seed_scheduled_consultation(database_url: str) -> int:
    app = create_app({**_testing_defaults(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        consultation = Consultation(
            organisation=Organisation(slug="prod", name="Produksjon kommune"), public_id="prod-mode-test",
            kind=ConsultationKind.SURVEY, state=ConsultationState.SCHEDULED, title={"nb": "Planlagt"},
            opens_at=now_utc() - timedelta(minutes=1),
        )
        db.session.add(consultation)
        db.session.commit()
        consultation_id = consultation.id
        db.session.remove()
        db.engine.dispose()
    return consultation_id


def _state(database_url: str, consultation_id: int) -> str:
    app = create_app({**_testing_defaults(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        state = db.session.get(Consultation, consultation_id).state
        db.session.remove()
        db.engine.dispose()
    return state


def _json_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def _stop_group(process: subprocess.Popen) -> None:
    """Kill whatever is left of the process group this test started (the command, gunicorn, Celery)."""
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # an empty group: everything had stopped
        os.killpg(process.pid, signal.SIGKILL)


def test_run_prod_serves_probes_runs_scheduled_tasks_and_stops_cleanly(own_database, redis_broker, tmp_path):
    port = _free_port()
    queue = f"civic-prod-test-{os.getpid()}"  # beat and worker of this run only, whoever else uses the Redis db
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")},
        "CIVIC_SQLALCHEMY_DATABASE_URI": own_database,
        "CIVIC_SECRET_KEY": secrets.token_hex(32),
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_CELERY__broker_url": redis_broker,
        "CIVIC_CELERY__task_default_queue": queue,
        # Beat opens scheduled consultations every 2 s here instead of every minute.
        "CIVIC_CELERY__beat_schedule__consultations-apply-schedule__schedule": "2",
        "CIVIC_INSIGHT_EMBEDDER": "none",  # no language model loaded by the worker in this test
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
        "BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
    }
    log = tmp_path / "prod.log"
    with log.open("w") as output:
        process = subprocess.Popen(["./run", "prod"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while _get(port, "/readyz")[0] != 200:
            assert process.poll() is None, "./run prod exited:\n" + log.read_text()
            assert time.monotonic() < deadline, "not ready in time:\n" + log.read_text()
            time.sleep(1)
        assert _get(port, "/healthz") == (200, {"status": "ok"})
        assert _get(port, "/readyz") == (200, {"status": "ok", "checks": {"database": "ok", "broker": "ok"}})

        token = secrets.token_urlsafe(24)
        assert _get(port, f"/p/{token}")[0] == 404

        consultation_id = _seed_scheduled_consultation(own_database)
        deadline = time.monotonic() + TASK_SECONDS
        while _state(own_database, consultation_id) != ConsultationState.OPEN:
            assert process.poll() is None, "./run prod exited:\n" + log.read_text()
            assert time.monotonic() < deadline, "beat + worker did not open the consultation:\n" + log.read_text()
            time.sleep(1)

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_SECONDS) == 0, log.read_text()
    finally:
        _stop_group(process)
        redis.Redis.from_url(redis_broker).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")

    output = log.read_text()
    assert "==> stopped" in output
    assert token not in output
    lines = _json_lines(log)
    requests = [line for line in lines if line["logger"] == "civic.request"]
    assert {"method": "GET", "route": "/p/<token>", "status": 404} in [
        {key: line[key] for key in ("method", "route", "status")} for line in requests
    ]
    assert all(line["request_id"] and line["duration_ms"] >= 0 for line in requests)
    assert any(line["logger"] == "celery.beat" and "consultations-apply-schedule" in line["message"] for line in lines)
    assert any(line["logger"].startswith("gunicorn") for line in lines)


def test_run_prod_refuses_unsafe_settings_before_starting_anything(tmp_path):
    database = tmp_path / "civic.sqlite"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")},
           "CIVIC_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    done = subprocess.run(["./run", "prod"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode != 0
    assert "unsafe production configuration" in done.stderr
    for problem in ("SECRET_KEY is the default", "SQLite in production", "the Celery broker is embedded"):
        assert problem in done.stderr
    assert "Starting gunicorn" not in done.stdout
    assert not database.exists()
