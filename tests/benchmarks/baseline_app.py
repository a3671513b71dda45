"""The baseline: a minimal Flask app whose one POST endpoint inserts one row into PostgreSQL.

Served by the same gunicorn settings as civic (``gunicorn tests.benchmarks.baseline_app:app``) with
BENCH_BASELINE_DATABASE_URI set; it shows what this machine does for a web request that writes one row.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, insert, select

metadata = MetaData()
rows = Table(
    "bench_baseline_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("note", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


def create_table(url: str) -> None:
    """Create the baseline table (dropping an earlier one)."""
    engine = create_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()


def create_baseline_app(url: str) -> Flask:
    """Build the app; gunicorn imports it in each worker (no --preload), so each has its own pool."""
    app = Flask(__name__)
    engine = create_engine(url, pool_size=5)

    @app.post("/insert/<token>")
    def insert_row(token: str):
        note = request.form.get("note", "")[:200]  # parse a form body, as any real endpoint does
        with engine.begin() as connection:
            connection.execute(insert(rows).values(token=token, note=note))
        # The same kind of answer as a survey submission: a redirect to a receipt.
        return "", 303, {"Location": f"/done/{token}"}

    return app


def count_rows(url: str) -> int:
    """Return how many rows the baseline stored."""
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(rows))
    engine.dispose()
    return int(count or 0)


DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench"
app = create_baseline_app(os.environ.get("BENCH_BASELINE_DATABASE_URI", DEFAULT_URL))
