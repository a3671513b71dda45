"""``./run backup FILE`` and ``./run restore FILE`` (PostgreSQL): data that was damaged after a backup comes back."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.exc

from civic import create_app
from civic.accounts.models import Organisation
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.extensions import db
from tests.fixtures.app import _testing_defaults

ROOT = Path(__file__).resolve().parents[2]
TITLES = {"hearing-a": {"nb": "Høring om Bjerkedalen", "nn": "Høyring om Bjerkedalen"}, "survey-b": {"nb": "Parkering"}}


def _run(command: str, file: Path, database_url: str) -> subprocess.CompletedProcess:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")},
           "CIVIC_SQLALCHEMY_DATABASE_URI": database_url}
    return subprocess.run(["./run", command, str(file)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _seed(database_url: str) -> None:
    app = create_app({**_testing_defaults(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        organisation = Organisation(slug="backup", name="Bjerke bydel")
        for public_id, title in TITLES.items():
            db.session.add(Consultation(organisation=organisation, public_id=public_id, title=title,
                                        kind=ConsultationKind.SURVEY, state=ConsultationState.OPEN))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _execute(database_url: str, *statements: str) -> list:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            results = [connection.exec_driver_sql(statement) for statement in statements]
            return results[-1].all() if results[-1].returns_rows else []
    finally:
        engine.dispose()


def _consultations(database_url: str) -> dict:
    rows = _execute(database_url, "SELECT c.public_id, c.title, o.name FROM consultations c "
                                  "JOIN organisations o ON o.id = c.organisation_id ORDER BY c.public_id")
    return {public_id: (title, organisation) for public_id, title, organisation in rows}


def test_backup_then_damage_then_restore_brings_the_data_back(own_database, tmp_path):
    _seed(own_database)
    before = _consultations(own_database)
    assert before == {key: (title, "Bjerke bydel") for key, title in TITLES.items()}

    backup = tmp_path / "civic.dump"
    done = _run("backup", backup, own_database)
    assert done.returncode == 0, done.stderr
    assert backup.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert not (tmp_path / "civic.dump.partial").exists()

    # Damage: rows deleted and a table dropped (CASCADE drops the foreign keys that point at it).
    _execute(own_database, "DELETE FROM consultation_state_changes", "DELETE FROM consultations",
             "DROP TABLE organisations CASCADE")
    with pytest.raises(sqlalchemy.exc.ProgrammingError):
        _consultations(own_database)

    done = _run("restore", backup, own_database)
    assert done.returncode == 0, done.stderr
    assert _consultations(own_database) == before
    # The constraints came back with the table: a consultation of no organisation is refused again.
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        _execute(own_database, "INSERT INTO consultations (organisation_id, public_id, kind, state, title) "
                               "SELECT 999999, public_id || '-x', kind, state, title FROM consultations LIMIT 1")


def test_a_failed_restore_leaves_the_database_as_it_was(own_database, tmp_path):
    _seed(own_database)
    backup = tmp_path / "civic.dump"
    assert _run("backup", backup, own_database).returncode == 0
    before = _consultations(own_database)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(backup.read_bytes()[: len(backup.read_bytes()) * 2 // 3])

    done = _run("restore", broken, own_database)
    assert done.returncode != 0
    assert "the database was left unchanged" in done.stderr
    assert _consultations(own_database) == before


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    done = _run("backup", tmp_path / "civic.dump", f"sqlite:///{tmp_path / 'civic.sqlite'}")
    assert done.returncode != 0
    assert "PostgreSQL" in done.stderr
    assert not (tmp_path / "civic.dump").exists()


def test_restore_refuses_a_missing_file(tmp_path):
    done = _run("restore", tmp_path / "nothing.dump", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    assert done.returncode != 0
    assert "no backup file" in done.stderr
