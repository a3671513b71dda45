"""The "stop reminders" page a campaign message links to: accessible, and usable without JavaScript."""

from __future__ import annotations

import pytest

from civic.extensions import db
from civic.outreach.links import find_invitation
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_stop_reminders_without_scripts_and_without_wcag_violations(live_server, resident_survey, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    page = context.new_page()
    # Blocking script files gives the no-JavaScript page while axe, evaluated through DevTools, still runs.
    page.route("**/*.js", lambda route: route.abort())
    response = page.goto(f"{live_server}/stop/{resident_survey.token}")
    assert response.status == 200
    asked = axe_violations(page)
    page.locator("main form button[type=submit]").click()  # a plain form post
    page.wait_for_load_state()
    done = axe_violations(page)
    context.close()
    assert (asked, done) == ([], [])
    db.session.expire_all()
    invitation = find_invitation(db.session, resident_survey.token)
    assert invitation.reminders_stopped_at is not None
