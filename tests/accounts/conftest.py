"""Admin fixtures for the account tests."""

from __future__ import annotations

import pytest

from civic.accounts.models import Role, StaffUser


@pytest.fixture
def admin(create_staff) -> StaffUser:
    return create_staff(Role.ADMIN)


@pytest.fixture
def logged_in_admin(auth, admin) -> StaffUser:
    response = auth.login(admin)
    assert response.status_code == 303
    return admin


__all__ = ["admin", "logged_in_admin"]


@pytest.fixture(autouse=True)
def _english(english_ui) -> None:
    """These tests assert the English messages."""
