"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from civic.extensions import db as _db
from tests.fixtures.app import drop_everything


@pytest.fixture
def empty_db(app):
    drop_everything()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    yield _db
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_migrations_match_models(empty_db):
    upgrade()
    with empty_db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, empty_db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_migrations_downgrade_to_base(empty_db):
    upgrade()
    downgrade(revision="base")
    with empty_db.engine.connect() as connection:
        tables = set(empty_db.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()
