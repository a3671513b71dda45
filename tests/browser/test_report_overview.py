"""The overview in a browser: no WCAG 2.1 A/AA violations, active search with htmx, and the same without scripts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civic.accounts.models import Organisation
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.tokens import new_token
from civic.extensions import db
from civic.reports.models import Report, ReportState, Theme
from tests.browser.conftest import axe_violations
from tests.reports.outcomes.conftest import PUBLISHED, snapshot

pytestmark = pytest.mark.browser


@pytest.fixture
def reports(live_app) -> None:
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke", parent_name="Oslo kommune")
    for title, theme, districts in (
        ({"nb": "Parkering i Økern", "en": "Parking in Økern"}, Theme.TRAFFIC, ["Økern"]),
        ({"nb": "Trygg skolevei", "en": "Safe routes to school"}, Theme.CHILDHOOD_EDUCATION, ["Årvoll"]),
        ({"nb": "Nytt bibliotek"}, Theme.CULTURE_LEISURE, []),
    ):
        consultation = Consultation(
            organisation=organisation, public_id=new_token()[:16], kind=ConsultationKind.SURVEY,
            state=ConsultationState.PUBLISHED, title=title, summary={"nb": "Hva innbyggerne sa."},
            languages=["nb", "en"],
        )
        db.session.add(
            Report(consultation=consultation, state=ReportState.PUBLISHED, sections=[], what_we_heard={},
                   next_steps={}, theme=theme, districts=districts, snapshot=snapshot(title), version=1,
                   published_at=PUBLISHED)
        )
    db.session.commit()


def test_overview_is_accessible_and_searches_as_you_type(live_server, reports, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(f"{live_server}/reports/bjerke")
    assert page.locator(".report-card").count() == 3
    full = axe_violations(page)
    page.fill("#overview-q", "skolevei")
    expect(page.locator(".report-card")).to_have_count(1)  # no eval: the page's CSP forbids it
    assert "q=skolevei" in page.url  # the address names what is shown
    page.fill("#overview-q", "svømmehall")
    page.wait_for_selector("#overview-no-match")
    empty = axe_violations(page)
    page.select_option("#overview-theme", "traffic")
    page.fill("#overview-q", "")
    expect(page.locator(".report-card")).to_have_count(1)
    assert "Parkering i Økern" in page.inner_text("#overview-results")
    context.close()
    assert (full, empty) == ([], [])
    assert errors == []


def test_overview_without_scripts(live_server, reports, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    page = context.new_page()
    page.route("**/*.js", lambda route: route.abort())
    page.goto(f"{live_server}/reports/bjerke")
    page.select_option("#overview-district", "Årvoll")
    page.locator("#overview-filters button[type=submit]").click()
    page.wait_for_load_state()
    titles = page.locator(".report-card h3").all_inner_texts()
    context.close()
    assert titles == ["Nytt bibliotek", "Trygg skolevei"]  # same date: the later one first; whole municipality too
