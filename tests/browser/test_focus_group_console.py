"""A moderator runs a whole live session in a real browser (htmx and JavaScript off); console and observer pages
pass axe-core, and the live panels update without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civic.accounts import services
from civic.accounts.models import Organisation, Role
from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.focus_groups import groups, guide
from civic.focus_groups.models import Contribution, FocusGroup, FocusGroupParticipant, PromptKind, SessionState
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
PASSWORD = "a long demo password"


@pytest.fixture
def session_setup(live_app) -> int:
    """A moderator account and an open live focus group with an open question and a poll; the consultation id."""
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke")
    db.session.add(organisation)
    services.create_staff(
        db.session, organisation, email="m@bjerke.example", name="Moderator", role=Role.PLANNER, password=PASSWORD
    )
    group = groups.create_focus_group(
        db.session, organisation, actor=None, title={"nb": "Bilfrie gater"}, access=Access.PUBLIC, starts_at=now_utc()
    )
    guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text={"nb": "Hva er viktigst for skoleveien?"})
    guide.add_prompt(
        db.session, group, kind=PromptKind.SINGLE_CHOICE, text={"nb": "Stenge gata?"}, options=["Ja", "Nei"]
    )
    group.consultation.state = ConsultationState.OPEN
    db.session.commit()
    return group.consultation_id


@pytest.fixture
def desktop(browser):
    """A desktop page in English (the messages below are the msgids), collecting CSP and JavaScript errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.csp_errors = []
    page.js_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def no_js(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="en-GB")
    yield context.new_page()
    context.close()


def _login(page, server: str) -> None:
    page.goto(f"{server}/manage/login")
    page.fill("#email", "m@bjerke.example")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/manage/consultations/")


def _group() -> FocusGroup:
    db.session.expire_all()
    return db.session.query(FocusGroup).one()


def _answer(text: str = "", choices: list[int] | None = None, number: int = 1) -> None:
    group = _group()
    participant = FocusGroupParticipant(
        focus_group_id=group.id, key_hash=f"{number:064d}", pseudonym=f"Deltaker {number}"
    )
    db.session.add(participant)
    db.session.flush()
    db.session.add(
        Contribution(prompt_id=group.current_prompt_id, participant_id=participant.id, text=text, choices=choices or [])
    )
    db.session.commit()


def test_moderator_runs_a_session_with_htmx(live_server, desktop, session_setup, with_csrf):
    page = desktop
    _login(page, live_server)
    console = f"{live_server}/manage/focus-groups/{session_setup}/console"
    page.goto(console)
    assert axe_violations(page) == []
    page.click("text=Start the session")
    expect(page.locator("#console-body")).to_contain_text("The session has started")
    page.locator("#console-body form button", has_text="Push to participants").first.click()
    expect(page.locator("#console-body")).to_contain_text("The prompt is now shown")

    _answer("Lavere fart ved skolen", number=1)
    expect(page.locator("#live-panels")).to_contain_text("Lavere fart ved skolen", timeout=8000)  # polled, no reload
    assert axe_violations(page) == []
    page.locator("#live-panels button", has_text="Hide").first.click()
    expect(page.locator("#live-panels")).to_contain_text("Show again")

    page.locator("#console-body form button", has_text="Push to participants").first.click()
    expect(page.locator("#console-body .fg-current")).to_contain_text("Stenge gata?")
    _answer(choices=[0], number=2)
    expect(page.locator("#live-panels")).to_contain_text("100 % (1)", timeout=8000)
    expect(page.locator("#live-panels .chart")).to_be_visible()  # Plotly drew the figure
    page.click("text=Close the prompt")
    expect(page.locator("#console-body")).to_contain_text("no more answers are taken")
    page.click("text=Share the results with participants")
    expect(page.locator("#console-body")).to_contain_text("The results are shared with the participants.")

    page.fill("#fg-follow-up-text", "Hvorfor?")
    page.click("text=Ask now")
    expect(page.locator("#console-body .fg-current")).to_contain_text("Hvorfor?")

    page.click("text=Make an observer link")
    link = page.input_value("#fg-observer-link")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Finish the session")
    expect(page.locator("#console-body")).to_contain_text("The session has finished")
    assert _group().state == SessionState.FINISHED
    assert page.csp_errors == []
    assert page.js_errors == []

    page.goto(f"{live_server}/manage/focus-groups/{session_setup}/observe")
    assert axe_violations(page) == []
    public = page.context.browser.new_page()
    public.goto(link)
    expect(public.locator("#live-panels")).to_contain_text("Hvorfor?")
    assert axe_violations(public) == []
    public.close()


def test_moderator_runs_a_session_without_js(live_server, no_js, session_setup, with_csrf):
    page = no_js
    _login(page, live_server)
    page.goto(f"{live_server}/manage/focus-groups/{session_setup}/console")
    page.click("text=Start the session")
    expect(page.locator("body")).to_contain_text("The session has started")
    page.locator("form button", has_text="Push to participants").first.click()
    expect(page.locator("body")).to_contain_text("The prompt is now shown")
    page.fill("#fg-follow-up-text", "")
    page.click("text=Ask now")  # the browser's own required check stops an empty follow-up
    page.click("text=Finish the session")
    expect(page.locator("body")).to_contain_text("The session has finished")
    assert _group().state == SessionState.FINISHED
