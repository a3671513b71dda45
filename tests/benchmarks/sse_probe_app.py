"""The alternative measured against polling: Server-Sent Events for a focus group's version, under gunicorn.

Served as ``gunicorn -k gthread --threads T tests.benchmarks.sse_probe_app:app`` with BENCH_SSE_DATABASE_URI.
It is SSE at its cheapest: one watcher thread per worker reads the group's version from PostgreSQL every
``BENCH_SSE_CHECK_S`` seconds and wakes the streams, so the database sees a handful of queries per second
whatever the number of participants. Each open stream still holds one of the worker's threads (and its
connection) for as long as the participant's page is open: that is the cost the benchmark measures.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

from flask import Flask, Response, request
from sqlalchemy import create_engine, text

VERSION_SQL = text(
    "SELECT fg.version FROM focus_groups fg JOIN consultations c ON c.id = fg.consultation_id "
    "WHERE c.public_id = :public_id"
)


def create_sse_app(url: str, check_s: float) -> Flask:
    app = Flask(__name__)
    engine = create_engine(url, pool_size=2)
    changed = threading.Condition()
    versions: dict[str, int] = {}
    watcher: list[threading.Thread] = []

    def watch() -> None:
        while True:
            with engine.connect() as connection:
                for public_id in list(versions):
                    version = connection.scalar(VERSION_SQL, {"public_id": public_id})
                    if version is not None and version != versions[public_id]:
                        with changed:
                            versions[public_id] = int(version)
                            changed.notify_all()
            time.sleep(check_s)

    def ensure_watcher(public_id: str) -> None:
        with changed:
            if public_id not in versions:
                with engine.connect() as connection:
                    versions[public_id] = int(connection.scalar(VERSION_SQL, {"public_id": public_id}) or 0)
            if not watcher:  # started after gunicorn forked the worker
                thread = threading.Thread(target=watch, daemon=True, name="sse-watcher")
                thread.start()
                watcher.append(thread)

    @app.get("/sse/<public_id>")
    def stream(public_id: str) -> Response:
        ensure_watcher(public_id)
        known = int(request.args.get("v", "0"))

        def events() -> Iterator[str]:
            nonlocal known
            yield ": connected\n\n"
            while True:
                with changed:
                    changed.wait_for(lambda seen=known: versions[public_id] != seen, timeout=15)
                    current = versions[public_id]
                if current != known:
                    known = current
                    yield f"data: {current}\n\n"
                else:
                    yield ": keep-alive\n\n"

        return Response(events(), mimetype="text/event-stream", headers={"Cache-Control": "no-store"})

    return app


DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_after_bench"
app = create_sse_app(
    os.environ.get("BENCH_SSE_DATABASE_URI", DEFAULT_URL), float(os.environ.get("BENCH_SSE_CHECK_S", "0.2"))
)
