"""Health probes for load balancers and orchestrators: ``/healthz`` (the process answers) and ``/readyz``
(the database and the Celery broker are reachable, so requests and queued work can be served).

Both are cheap GETs with no session, no CSRF and no rate limit, and they say nothing about residents: a
check is "ok" or "unavailable", never an error text (a driver's message can carry a URL with a password).
"""

from __future__ import annotations

import logging

import kombu
from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from civic.extensions import csrf, db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
OK = "ok"
UNAVAILABLE = "unavailable"


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process is up and serving requests; touches nothing else (a slow database must not get it killed)."""
    return _no_store(jsonify(status=OK)), 200


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """200 when the database answers ``SELECT 1`` and the broker accepts a connection; 503 naming what failed."""
    timeout = float(current_app.config["READINESS_TIMEOUT"])
    checks = {"database": _database_check(), "broker": _broker_check(timeout)}
    ready = all(state == OK for state in checks.values())
    response = _no_store(jsonify(status=OK if ready else UNAVAILABLE, checks=checks))
    if not ready:
        response.headers["Retry-After"] = "5"
    return response, 200 if ready else 503


def _database_check() -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"; the probe itself must never answer 500
        log.warning("readiness: database unavailable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK


def _broker_check(timeout: float) -> str:
    celery = current_app.extensions["celery"]
    try:
        with kombu.Connection(
            celery.conf.broker_url,
            connect_timeout=timeout,
            transport_options=celery.conf.broker_transport_options,
        ) as connection:
            # One retry after a short pause: a probe must answer within seconds, not back off for minutes.
            connection.ensure_connection(
                max_retries=1, interval_start=0.2, interval_step=0.2, interval_max=0.2, timeout=timeout
            )
    except Exception as error:  # as above: report, never raise
        log.warning("readiness: broker unavailable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the probes, exempt from CSRF and from rate limits."""
    csrf.exempt(bp)
    limiter.exempt(bp)
    app.register_blueprint(bp)
