"""The results page in a real browser: Plotly draws under the CSP, panels load lazily, axe-core passes."""

from __future__ import annotations

import pytest

from civic.accounts import services
from civic.accounts.models import Organisation, Role
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.extensions import db
from tests.browser.conftest import axe_violations
from tests.fixtures.surveys import build_all_kinds_survey
from tests.reports.conftest import seed_responses

pytestmark = pytest.mark.browser


@pytest.fixture
def results_desktop(browser):
    """A desktop page with an English browser: the assertions read the English UI."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    yield page
    context.close()


def test_results_page_draws_charts_and_passes_axe(live_app, live_server, results_desktop):
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke")
    db.session.add(organisation)
    services.create_staff(
        db.session,
        organisation,
        email="p@bjerke.example",
        name="Planner",
        role=Role.PLANNER,
        password="a long demo password",
    )
    consultation = Consultation(
        organisation=organisation,
        public_id="results-browser",
        kind=ConsultationKind.SURVEY,
        state=ConsultationState.OPEN,
        title={"nb": "Parkering i Bjerke"},
    )
    survey, _questions = build_all_kinds_survey(consultation)
    db.session.add(survey)
    db.session.flush()
    seed_responses(db.session, survey)
    db.session.commit()

    page = results_desktop
    page.goto(f"{live_server}/manage/login")
    page.fill("#email", "p@bjerke.example")
    page.fill("#password", "a long demo password")
    page.press("#password", "Enter")
    page.wait_for_url("**/manage/consultations/")

    page.goto(f"{live_server}/manage/results/{survey.id}")
    # The per-day chart is drawn by charts.js with the bundled plotly.js.
    page.wait_for_selector(f"#survey-{survey.id}-by-day .main-svg")
    # Scrolling reveals the lazy panels, which htmx loads and charts.js draws.
    page.mouse.move(500, 500)
    for question in survey.questions:
        # Scroll with the wheel: a locator scroll races with panels being swapped in below it.
        while page.locator(f"#question-{question.id}-title").count() == 0:
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(100)
    for question in survey.questions:
        if question.kind not in ("short_text", "long_text"):
            page.wait_for_selector(f"#question-{question.id}-chart .main-svg", state="attached")

    # Active search on the free texts swaps only the list and pushes the URL.
    long_text = survey.questions[4]
    page.locator(f"#question-{long_text.id}-search").press_sequentially("kvelden", delay=20)
    page.wait_for_url(f"**/questions/{long_text.id}/texts?q=kvelden", wait_until="commit")
    assert page.locator(f"#question-{long_text.id}-texts li").count() == 4

    assert page.csp_errors == []
    assert axe_violations(page) == []
