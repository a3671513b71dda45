"""A worker killed (SIGKILL) during an analysis run: the run is marked failed, and the planner runs it again.

The worker is a real Celery process on a broker of its own (embedded SQLite, in the test's temp dir), against
the test database (PostgreSQL on the PostgreSQL pass, an SQLite file otherwise). Its opinion-group computation
is made to stall (tests/faults/stalling_worker.py) so it can be killed while the run is "running" and its
heartbeat thread beats. Nothing can mark the run then but the sweep: once the heartbeat is older than
INSIGHT_RUN_LOST_MINUTES the beat task ``insight.sweep_runs`` marks it failed ("worker_lost"). The planner sees
why on the insight page and presses "Run it again with the same settings"; a fresh worker runs it to the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from celery import Celery
from sqlalchemy import select

from civic.config import BaseConfig
from civic.insight.models import AnalysisRun, RunStatus
from tests.campaigns.conftest import ROOT, worker_database, worker_env
from tests.insight.test_groups_views import voted_hearing  # noqa: F401 - the fixture: two camps of voters

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker]

HEARTBEAT_SECONDS = 0.5
LOST_MINUTES = 0.05  # 3 s without a heartbeat


@pytest.fixture
def broker(tmp_path: Path) -> str:
    return f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"


@pytest.fixture
def app_config(app_config: dict, tmp_path: Path, broker: str) -> dict:
    """The database the worker process can reach too, and a real broker (the web process publishes, not eager)."""
    celery = {**BaseConfig.CELERY, "broker_url": broker, "task_always_eager": False}
    return {**app_config, "SQLALCHEMY_DATABASE_URI": worker_database(tmp_path), "CELERY": celery}


def _start_worker(app_module: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app_module, "worker", "--pool", "solo", "--loglevel", "info",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for(db, predicate: Callable[[list[AnalysisRun]], bool], what: str, log: Path, timeout: float = 90,
              tick: Callable[[], None] | None = None) -> list[AnalysisRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh look at what the worker committed
        found = list(db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id)))
        if predicate(found):
            return found
        if tick is not None:
            tick()
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}: {[(r.id, r.status, r.stage) for r in found]}\n"
                + log.read_text()[-3000:])


def test_killed_worker_leaves_a_failed_run_that_the_planner_runs_again(
    app, client, db, english_ui, logged_in_planner, voted_hearing, broker, tmp_path: Path,  # noqa: F811 - fixture
):
    overview = f"/manage/insight/{voted_hearing.consultation_id}"
    log = tmp_path / "worker.log"
    env = worker_env(
        app.config["SQLALCHEMY_DATABASE_URI"], broker, tmp_path,
        CIVIC_INSIGHT_EMBEDDER="none",
        CIVIC_INSIGHT_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        CIVIC_INSIGHT_RUN_LOST_MINUTES=str(LOST_MINUTES),
        FAULTS_ANALYSIS_STALL_SECONDS="120",
    )
    stalling = healthy = None
    sender = Celery(broker=broker)
    try:
        assert client.post(f"{overview}/runs", data={"kind": "opinion_groups"}).status_code == 303
        stalling = _start_worker("tests.faults.stalling_worker:celery", env, log)

        # Running, in the stalled library call, with the heartbeat thread beating past the last progress commit.
        [running] = _wait_for(
            db, lambda rs: len(rs) == 1 and rs[0].stage == "grouping" and rs[0].heartbeat_at is not None, "the run",
            log,
        )
        first_beat = running.heartbeat_at
        _wait_for(db, lambda rs: rs[0].heartbeat_at > first_beat, "a heartbeat from the side thread", log, 30)
        stalling.kill()  # SIGKILL: no chance to record anything
        stalling.wait(timeout=10)
        db.session.rollback()
        assert db.session.get(AnalysisRun, running.id).status == RunStatus.RUNNING.value

        # A fresh worker; beat's sweep (sent here every 2 s instead of every 2 minutes) finds the silent run.
        healthy = _start_worker("civic.worker:celery", env, log)
        last_sweep = [0.0]

        def sweep() -> None:
            if time.monotonic() - last_sweep[0] > 2:
                sender.send_task("insight.sweep_runs")
                last_sweep[0] = time.monotonic()

        [failed] = _wait_for(db, lambda rs: rs[0].status == RunStatus.FAILED.value, "the sweep", log, tick=sweep)
        assert failed.reason == "worker_lost"
        assert failed.heartbeat_at < failed.finished_at

        page = client.get(overview)
        assert "Run it again with the same settings" in page.text
        rerun_url = f"{overview}/runs/{failed.id}/rerun"
        assert f'action="{rerun_url}"' in page.text
        assert client.post(rerun_url).status_code == 303
        done = _wait_for(db, lambda rs: len(rs) == 2 and rs[1].finished, "the new run", log)
    finally:
        _stop(stalling)
        _stop(healthy)
        sender.close()

    assert [r.status for r in done] == [RunStatus.FAILED.value, RunStatus.DONE.value], done[1].error
    assert done[1].params == done[0].params
    assert done[1].result["k"] == 2, "the two camps of voters"
    # Only a failed run can be run again.
    assert client.post(f"{overview}/runs/{done[1].id}/rerun").status_code == 409
