"""A planner builds a focus group in a real browser, with htmx and with JavaScript off; the pages pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civic.accounts import services
from civic.accounts.models import Organisation, Role
from civic.consultations.models import ConsultationState
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.focus_groups.models import FocusGroup, PromptState
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
PASSWORD = "a long demo password"
START = f"{now_utc().year + 1}-12-01T18:00"


@pytest.fixture
def planner_account(live_app) -> str:
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke")
    db.session.add(organisation)
    services.create_staff(
        db.session, organisation, email="p@bjerke.example", name="Planner", role=Role.PLANNER, password=PASSWORD
    )
    db.session.commit()
    return "p@bjerke.example"


def _login(page, server: str, email: str) -> None:
    page.goto(f"{server}/manage/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/manage/consultations/")


def _create(page, server: str) -> None:
    page.goto(f"{server}/manage/focus-groups/new")
    page.fill("#title_nb", "Bilfrie gater rundt skolene")
    page.fill("#starts_at", START)
    page.fill("#capacity", "20")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/guide")


def _group() -> FocusGroup:
    db.session.expire_all()
    return db.session.query(FocusGroup).one()


def test_planner_with_htmx(live_server, desktop, planner_account, with_csrf):
    page = desktop
    _login(page, live_server, planner_account)
    _create(page, live_server)
    assert axe_violations(page) == []
    # Only the settings of the chosen kind are shown.
    expect(page.locator("#new-prompt [data-kinds='multiple_choice']")).to_be_hidden()
    expect(page.locator("#new-prompt [data-kinds='open']")).to_be_visible()
    # Add an open question and a poll: the guide is swapped in place, the page does not reload.
    page.fill("#new-prompt-text_nb", "Hva synes du om bilfrie gater?")
    page.click("#new-prompt button[type=submit]")
    page.wait_for_selector("#guide li.guide-prompt")
    page.evaluate("window.notReloaded = true")
    page.select_option("#new-prompt-kind", "single_choice")
    page.fill("#new-prompt-text_nb", "Hvilken gate først?")
    page.fill("#new-prompt-items_nb", "Refstadveien\nÅrvollveien")
    page.click("#new-prompt button[type=submit]")
    expect(page.locator("#guide li.guide-prompt")).to_have_count(2)
    assert page.evaluate("window.notReloaded") is True
    first, second = (p.id for p in _group().prompts)
    # Move the poll up with the keyboard-reachable button.
    page.click(f"#prompt-{second} button[value=up]")
    expect(page.locator("#guide li.guide-prompt").first).to_have_id(f"prompt-{second}")
    # Edit in place.
    page.click(f"#prompt-{first} a[hx-get]")
    page.wait_for_selector(f"#prompt-{first}-text_nb")
    page.fill(f"#prompt-{first}-text_nb", "Hva synes du om bilfrie skoleveier?")
    page.click(f"#prompt-{first} button[type=submit]")
    page.wait_for_selector(f"#prompt-{first} .question-text:has-text('skoleveier')")
    # A refused poll keeps what was typed.
    page.select_option("#new-prompt-kind", "ranking")
    page.fill("#new-prompt-text_nb", "Ranger tiltakene")
    page.fill("#new-prompt-items_nb", "Bare ett")
    page.click("#new-prompt button[type=submit]")
    page.wait_for_selector("#guide-notice")
    assert page.input_value("#new-prompt-text_nb") == "Ranger tiltakene"
    assert axe_violations(page) == []
    # The preview shows the participants' form, disabled.
    page.click(f"#prompt-{second} a[href$='/preview']")
    expect(page.locator("#prompt-preview input[type=radio]")).to_have_count(2)
    expect(page.locator("#prompt-preview input[type=radio]").first).to_be_disabled()
    assert axe_violations(page) == []
    # Open it from the overview.
    page.goto(f"{live_server}/manage/focus-groups/{_group().consultation_id}")
    assert axe_violations(page) == []
    page.click("#focus-group-open button[type=submit]")
    page.wait_for_selector("#focus-group-open .flash-success")
    assert _group().consultation.state == ConsultationState.OPEN
    assert page.csp_errors == []
    assert page.js_errors == []


def test_planner_without_javascript(live_server, no_js, planner_account, with_csrf):
    page = no_js
    _login(page, live_server, planner_account)
    _create(page, live_server)
    page.fill("#new-prompt-text_nb", "Første")
    page.click("#new-prompt button[type=submit]")
    page.fill("#new-prompt-text_nb", "Andre")
    page.click("#new-prompt button[type=submit]")
    group = _group()
    first, second = (p.id for p in group.prompts)
    page.click(f"#prompt-{second} button[value=up]")
    assert [p.id for p in _group().prompts] == [second, first]
    page.click(f"#prompt-{first} a[hx-get]")
    page.fill(f"#prompt-{first}-text_nb", "Første, endret")
    page.click("button[type=submit].primary")
    assert _group().prompts[1].text == {"nb": "Første, endret"}
    page.click(f"#prompt-{second} .danger")
    assert [p.id for p in _group().prompts] == [first]
    page.goto(f"{live_server}/manage/focus-groups/{group.consultation_id}/settings")
    assert page.input_value("#starts_at") == START
    page.fill("#capacity", "30")
    page.click("button[type=submit].primary")
    assert _group().capacity == 30
    page.click("#focus-group-open button[type=submit]")
    group = _group()
    assert group.consultation.state == ConsultationState.OPEN
    assert group.prompts[0].state == PromptState.PENDING
