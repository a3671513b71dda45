"""A live focus group in two browsers: the moderator's console (desktop) and a participant's phone.

The moderator pushes a prompt; it appears on the phone without a reload (the stage polls /live); the participant
answers; the answer appears on the console's live panels (which poll too). CSRF is checked as in production.
"""

from __future__ import annotations

import re

import pytest

from civic.accounts import services as accounts
from civic.accounts.models import Organisation, Role
from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.focus_groups import groups, guide
from civic.focus_groups.models import FocusGroupMode, PromptKind

pytestmark = pytest.mark.browser

PASSWORD = "a long moderator password"
QUESTION = "Hva synes du om bilfrie gater rundt skolene?"


@pytest.fixture
def live_group(live_app) -> tuple[int, str]:
    """An open, public live focus group with a two-prompt guide, and a moderator; (consultation id, public id)."""
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke", parent_name="Oslo kommune")
    db.session.add(organisation)
    db.session.flush()
    accounts.create_staff(
        db.session,
        organisation,
        email="m@bjerke.example",
        name="Mona Moderator",
        role=Role.MODERATOR,
        password=PASSWORD,
    )
    group = groups.create_focus_group(
        db.session,
        organisation,
        actor=None,
        title={"nb": "Bilfrie gater rundt skolene"},
        access=Access.PUBLIC,
        mode=FocusGroupMode.LIVE,
        starts_at=now_utc(),
        languages=["nb", "en"],
    )
    guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text={"nb": QUESTION})
    guide.add_prompt(
        db.session,
        group,
        kind=PromptKind.SINGLE_CHOICE,
        text={"nb": "Hvilken gate først?"},
        options=[{"nb": "Årvollveien"}, {"nb": "Tonsenveien"}],
    )
    group.consultation.state = ConsultationState.OPEN
    db.session.commit()
    return group.consultation_id, group.consultation.public_id


def test_push_appears_on_the_phone_and_the_answer_on_the_console(
    live_server, live_group, with_csrf, desktop, phone, page_errors
) -> None:
    consultation_id, public_id = live_group

    # The participant takes a seat and waits.
    phone.goto(f"{live_server}/f/{public_id}")
    phone.get_by_role("button", name=re.compile("Delta|Take part")).click()
    phone.wait_for_selector("#fg-stage[data-kind='waiting']")
    assert QUESTION not in phone.content()

    # The moderator logs in, opens the console, starts the session and pushes the first prompt.
    desktop.goto(f"{live_server}/manage/login")
    desktop.fill("#email", "m@bjerke.example")
    desktop.fill("#password", PASSWORD)
    desktop.press("#password", "Enter")
    desktop.wait_for_url("**/manage/consultations/")
    desktop.goto(f"{live_server}/manage/focus-groups/{consultation_id}/console")
    desktop.locator("#console-body button.primary").first.click()  # start the session
    desktop.wait_for_selector("#console-body .badge.state-open")
    desktop.locator("#console-body form[action$='/push'] button").first.click()
    desktop.wait_for_selector(f"#console-body .fg-current >> text={QUESTION}")

    # The phone shows the prompt without a reload (the stage polls /live every second).
    phone.wait_for_selector(f"#fg-stage[data-kind='prompt'] >> text={QUESTION}", timeout=5000)
    phone.fill("textarea[name='text']", "Tryggere skolevei for barna mine")
    phone.locator("#fg-stage form button[type='submit']").first.click()
    phone.wait_for_selector("#fg-stage .fg-saved")

    # The console's live panels (polled every 3 s) show the answer.
    desktop.wait_for_selector("#live-panels >> text=Tryggere skolevei for barna mine", timeout=8000)
    assert desktop.locator("#fg-present").inner_text().strip() != "0"

    # An edit typed but not sent when the moderator moves on is shown again, not silently dropped.
    phone.fill("textarea[name='text']", "Og mer lys i krysset ved skolen")

    # The next push replaces the question on the phone, again without a reload.
    desktop.locator("#console-body form[action$='/push'] button").first.click()
    phone.wait_for_selector("#fg-stage >> text=Hvilken gate først?", timeout=5000)
    assert phone.locator("#fg-stage .fg-unsent blockquote").inner_text() == "Og mer lys i krysset ved skolen"

    assert page_errors == []
    assert phone.csp_errors == []
    assert desktop.csp_errors == []
    assert desktop.js_errors == []
