"""The public report in a real browser on a phone: charts drawn under the CSP, a data table opened, zero axe-core
violations; and without JavaScript every chart's data table is on the page.

The report is published through the real service (snapshot builder included) from a closed survey with crafted
responses in three districts, one of them too small to show.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from civic.accounts.models import Organisation
from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.extensions import db
from civic.reports import publishing
from civic.reports.models import Section, Theme
from civic.surveys.models import Answer, ResponseState, SurveyResponse
from tests.browser.conftest import axe_violations
from tests.fixtures.surveys import build_all_kinds_survey

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DISTRICTS = ["Årvoll"] * 30 + ["Linderud"] * 24 + ["Smalvik"] * 3
TEXTS = ["Det er for lite parkering om kvelden.", "Trygg skolevei er viktigst.", "Flere ladepunkter, takk."]


@pytest.fixture
def published_report(live_app) -> str:
    """Publish the report of a closed survey with 57 crafted responses; return its public id."""
    organisation = Organisation(
        slug="bjerke", name="Bydel Bjerke", parent_name="Oslo kommune", contact_email="postmottak@bjerke.example"
    )
    consultation = Consultation(
        organisation=organisation,
        public_id="rapportbjerke001",
        kind=ConsultationKind.SURVEY,
        state=ConsultationState.CLOSED,
        access=Access.PUBLIC,
        languages=["nb", "nn", "en"],
        title={"nb": "Parkering i Bjerke", "nn": "Parkering i Bjerke bydel", "en": "Parking in Bjerke"},
        summary={"nb": "Hva mener du om parkering?"},
    )
    survey, q = build_all_kinds_survey(consultation)
    db.session.add(survey)
    db.session.flush()
    rng = random.Random(7)
    for i, district in enumerate(DISTRICTS):
        response = SurveyResponse(
            survey_id=survey.id,
            state=ResponseState.SUBMITTED,
            submitted_at=datetime(2026, 11, 10 + i % 8, 12, tzinfo=UTC),
            district=district,
            age_band=("16-29", "30-44", "45-66")[i % 3],
            household_type="single",
        )
        response.answers = [
            Answer(question_id=q[0].id, choice_keys=[rng.choice(["c1", "c1", "c2"])]),
            Answer(question_id=q[1].id, choice_keys=rng.sample(["c1", "c2", "c3"], 2)),
            Answer(question_id=q[2].id, number=float(rng.randint(1, 5))),
            Answer(question_id=q[4].id, text=rng.choice(TEXTS)),
            Answer(question_id=q[5].id, number=float(rng.randint(0, 3))),
            Answer(question_id=q[6].id, date_value=date(2010 + i % 10, 1 + i % 12, 1)),
            Answer(question_id=q[7].id, choice_keys=rng.sample(["c1", "c2", "c3"], 3)),
            Answer(question_id=q[8].id, lat=59.93 + rng.random() * 0.01, lon=10.80 + rng.random() * 0.01),
        ]
        db.session.add(response)
    db.session.flush()
    report = publishing.get_or_create_report(db.session, consultation)
    publishing.update_report(
        db.session,
        report,
        theme=Theme.TRAFFIC,
        districts=["Årvoll", "Linderud"],
        sections=[s.value for s in Section if s not in (Section.GROUPS, Section.STATEMENTS)],
        what_we_heard={"nb": "Mange vil ha beboerparkering.\n\nAndre er mest opptatt av skoleveien."},
        next_steps={"nb": "Bydelsutvalget behandler saken i mars."},
    )
    publishing.publish(db.session, report, None)
    db.session.commit()
    return consultation.public_id


@pytest.fixture
def phone_page(browser):
    """A 390×844 phone that records CSP violations and JavaScript errors."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="nb-NO")
    page = context.new_page()
    page.csp_errors = []
    page.js_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()


def test_report_on_a_phone(live_server, published_report, phone_page):
    page = phone_page
    response = page.goto(f"{live_server}/r/{published_report}")
    assert response.status == 200
    assert page.locator("main h1").inner_text() == "Parkering i Bjerke"
    figures = page.locator(".report .chart-figure")
    assert figures.count() >= 5
    first = figures.first
    first.locator(".main-svg").first.wait_for(state="attached")
    # Drawn: the table folds away behind its summary, and opens on a tap.
    table = first.locator("table")
    assert not table.is_visible()
    first.locator("summary").click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 2
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for index in range(figures.count()):
        figures.nth(index).locator(".main-svg").first.wait_for(state="attached")
    assert axe_violations(page) == []
    assert page.csp_errors == []
    assert page.js_errors == []


def test_report_without_javascript_shows_every_table(live_server, published_report, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server}/r/{published_report}")
    figures = page.locator(".report .chart-figure")
    assert figures.count() >= 5
    for index in range(figures.count()):
        figure = figures.nth(index)
        assert figure.locator("figcaption").inner_text().strip()
        assert figure.locator("table").is_visible()
        assert figure.locator("table tbody tr").count() >= 1
    # A group too small to show: its cells read "hidden" (in English here), in the open table.
    page.goto(f"{live_server}/r/{published_report}?lang=en")
    hidden = page.locator(".report table td", has_text="hidden")
    assert hidden.count() >= 1
    assert hidden.first.is_visible()
    context.close()
