"""Fault-test fixtures: private PostgreSQL and Redis instances (see services.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.services import REDIS_SERVER, PrivatePostgres, PrivateRedis, postgres_available


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not postgres_available():
        pytest.skip("PostgreSQL 15 binaries (initdb, pg_ctl) are not installed")
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    try:
        server.start()
        yield server
    finally:
        server.destroy()
