"""Test a pooled database connection before use, unless it was in use a moment ago.

A database restart leaves dead connections in each worker's pool. SQLAlchemy's ``pool_pre_ping`` tests every
connection it hands out, with one round trip to the database each time: under load, when a connection goes from
one request to the next within milliseconds, that is one round trip in five of a resident's submission. This
is SQLAlchemy's documented pessimistic check on checkout with a bypass window, as HikariCP has one
(``aliveBypassWindowMs``, 500 ms there): a connection given back less than ``after_idle_s`` ago is handed out
unchecked. Production uses 0.1 s: under load every connection comes back sooner, and stopping and starting
PostgreSQL takes longer (0.2 s for an empty cluster without fsync on this machine; the restart fault test checks
that the first requests after a restart all succeed). Should a connection die inside the window all the same,
its next statement fails: SQLAlchemy then replaces every connection the pool holds, and civic answers that
request with a 503 page that asks to try again.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_LAST_USED = "civic_last_used"


def install(engine: Engine, after_idle_s: float) -> None:
    """Test ``engine``'s connections on checkout once idle for ``after_idle_s`` seconds; replace dead ones."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()  # just connected: known to work

    @event.listens_for(engine, "checkin")
    def _given_back(dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, float("-inf")) < after_idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool replaces this connection and every older one, then runs this check on the new one.
                raise exc.InvalidatePoolError(str(error)) from error
            raise
        record.info[_LAST_USED] = time.monotonic()
