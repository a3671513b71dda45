"""Demo fixtures: seed once per test with cheap password hashing (argon2 would dominate the runtime)."""

from __future__ import annotations

import pytest

from civic.accounts import services as account_services
from civic.accounts.passwords import hash_password
from civic.demo import seed

_REAL_HASH = account_services.hash_password
_DEMO_HASH = hash_password(seed.DEMO_PASSWORD)


@pytest.fixture
def fast_hashing(monkeypatch):
    """Reuse one real argon2 hash of the demo password, so logins still work."""
    monkeypatch.setattr(
        account_services,
        "hash_password",
        lambda password: _DEMO_HASH if password == seed.DEMO_PASSWORD else _REAL_HASH(password),
    )


@pytest.fixture
def seeded(db, fast_hashing) -> seed.SeedResult:
    result = seed.seed_demo(db.session)
    db.session.commit()
    return result
