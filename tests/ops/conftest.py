"""Operations tests: a PostgreSQL database of the test's own, made on the suite's server and dropped after."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

#: The suite's PostgreSQL (./run test's PostgreSQL pass sets it); the ops tests make their own databases there.
SUITE_DATABASE_URI = os.environ.get("CIVIC_TEST_DATABASE_URI", "")


def libpq_url(sqlalchemy_url: str) -> str:
    """The URL psycopg and pg_dump understand (SQLAlchemy's names the driver: postgresql+psycopg://)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def postgres_server() -> str:
    """The suite's PostgreSQL URL; skips the test when there is none or it does not answer."""
    if not SUITE_DATABASE_URI.startswith("postgresql"):
        pytest.skip("PostgreSQL only: set CIVIC_TEST_DATABASE_URI=postgresql+psycopg://… (./run test's PostgreSQL "
                    "pass does)")
    try:
        psycopg.connect(libpq_url(SUITE_DATABASE_URI), connect_timeout=5).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is unreachable ({type(error).__name__})")
    return SUITE_DATABASE_URI


@pytest.fixture
def own_database(postgres_server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database named after the test module and this process (parallel runs do not collide)."""
    name = f"civic_{request.module.__name__.rsplit('.', 1)[-1].removeprefix('test_')}_{os.getpid()}"
    with psycopg.connect(libpq_url(postgres_server), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(postgres_server), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
