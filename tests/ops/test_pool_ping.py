"""Pooled connections are tested before use once idle, and dead ones replaced (civic.core.pool_ping)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from civic.core import pool_ping
from tests.fixtures.app import TEST_DATABASE_URI

needs_server = pytest.mark.skipif(
    not TEST_DATABASE_URI.startswith("postgresql"), reason="a server connection to lose: PostgreSQL only"
)


@pytest.fixture
def engine():
    if TEST_DATABASE_URI.startswith("postgresql"):
        engine = create_engine(TEST_DATABASE_URI, pool_size=1, max_overflow=0)
    else:
        engine = create_engine("sqlite://")  # one connection, kept by SQLite's pool
    pings: list[object] = []
    do_ping = engine.dialect.do_ping

    def counted(dbapi_connection) -> bool:
        pings.append(dbapi_connection)
        return do_ping(dbapi_connection)

    engine.dialect.do_ping = counted
    engine.pings = pings
    yield engine
    engine.dispose()


def _use(engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_connection_in_use_a_moment_ago_is_not_tested_again(engine):
    pool_ping.install(engine, after_idle_s=60)
    for _ in range(5):
        _use(engine)
    assert engine.pings == []  # a new connection works, and each later checkout follows the last closely


def test_a_connection_idle_longer_is_tested_first(engine):
    pool_ping.install(engine, after_idle_s=0.05)
    _use(engine)
    time.sleep(0.1)
    _use(engine)
    _use(engine)  # right after the one before: not tested
    assert len(engine.pings) == 1


def _kill_the_pooled_connection(engine) -> int:
    """End the server process of the engine's one pooled connection (as a restart would); return its pid."""
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = create_engine(TEST_DATABASE_URI)
    with killer.begin() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()
    return pid


@needs_server
def test_a_connection_the_server_dropped_is_replaced_before_use(engine):
    pool_ping.install(engine, after_idle_s=0.05)
    first_pid = _kill_the_pooled_connection(engine)
    time.sleep(0.1)
    with engine.connect() as connection:  # the test finds it dead; the pool connects again; no error here
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != first_pid
    assert len(engine.pings) == 1  # the new connection is not tested again


@needs_server
def test_without_the_test_a_dropped_connection_fails_its_statement(engine):
    # What the check prevents (and what happens inside the bypass window): the statement meets the dead connection.
    pool_ping.install(engine, after_idle_s=60)
    _kill_the_pooled_connection(engine)
    with pytest.raises(OperationalError) as failed, engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert failed.value.connection_invalidated
    _use(engine)  # SQLAlchemy replaced it after the failure
