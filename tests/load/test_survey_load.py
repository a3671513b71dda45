"""The load test at a reduced size: residents answer through gunicorn while planners browse the results.

It starts gunicorn against its own PostgreSQL database (the test database's name + ``_load``, dropped and recreated)
and checks what matters at any size: every Send answered 303 is exactly one stored response with all its answers,
nothing is stored that was not acknowledged, and no resident or planner request fails. Latencies are printed, not
asserted: the machine is shared with the other test pass. The full size is ``python -m tests.load.survey_load``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.benchmarks import seed
from tests.fixtures.app import TEST_DATABASE_URI
from tests.load import planners
from tests.load.survey_load import LoadOptions, report, run_load

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.slow,
    pytest.mark.skipif(
        not TEST_DATABASE_URI.startswith("postgresql"), reason="needs PostgreSQL (CIVIC_TEST_DATABASE_URI)"
    ),
]

RESIDENTS, PLANNERS, WARMUP = 600, 5, 20


@pytest.fixture
def load_database() -> Iterator[str]:
    name = f"{make_url(TEST_DATABASE_URI).database}_load"
    yield name
    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    subprocess.run(
        ["psql", "-h", seed.PG_HOST, "-p", str(seed.PG_PORT), "-U", seed.PG_USER, "-d", "postgres", "-qc", drop],
        check=True,
        capture_output=True,
    )


def test_every_answer_is_stored_once_while_planners_browse(load_database, tmp_path, capsys) -> None:
    options = LoadOptions(
        residents=RESIDENTS,
        planners=PLANNERS,
        think_s=1.0,
        minutes=2,
        concurrency=8,
        client="python",  # wrk may be missing; the Python client needs nothing installed
        database=load_database,
        warmup=WARMUP,
    )
    outcome = run_load(options, log_dir=tmp_path)
    with capsys.disabled():
        report(outcome)
    figures = outcome.figures()

    assert outcome.stored.submitted == outcome.client_303 == RESIDENTS + WARMUP, figures
    assert outcome.exactly_once, figures
    assert outcome.stored.answers == (RESIDENTS + WARMUP) * 12
    assert outcome.resident_errors == 0, figures
    assert outcome.unserved == 0, figures
    # Planners browsed meanwhile, logged in: results pages redirect a session without login (not a 200).
    assert outcome.planners.errors == 0, figures
    assert outcome.planners.answered >= PLANNERS
    assert set(outcome.planners.latencies) <= set(planners.KINDS)
    assert len(outcome.planners.latencies) >= 2, outcome.planners.latencies.keys()
    assert outcome.passed
