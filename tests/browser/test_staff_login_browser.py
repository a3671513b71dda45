"""A planner logs in with the keyboard in a real browser; the login page passes axe-core."""

from __future__ import annotations

import pytest

from civic.accounts import services
from civic.accounts.models import Organisation, Role
from civic.extensions import db
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_login_with_keyboard_and_no_accessibility_violations(live_app, live_server, phone):
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke")
    db.session.add(organisation)
    services.create_staff(db.session, organisation, email="p@bjerke.example", name="Planner",
                          role=Role.PLANNER, password="a long demo password")
    db.session.commit()

    phone.goto(f"{live_server}/manage/login")
    assert axe_violations(phone) == []
    phone.locator("#email").focus()
    phone.keyboard.type("p@bjerke.example")
    phone.keyboard.press("Tab")
    phone.keyboard.type("a long demo password")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/manage/consultations/")
    assert phone.csp_errors == []
