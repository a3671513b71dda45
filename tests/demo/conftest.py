"""Demo fixtures: seed once per test (password hashing is cheap in tests, see tests/fixtures/app.py)."""

from __future__ import annotations

import pytest

from civic.demo import seed


@pytest.fixture
def seeded(db) -> seed.SeedResult:
    result = seed.seed_demo(db.session)
    db.session.commit()
    return result
