"""The insight pages in a real browser, on the seeded demo: charts drawn under the CSP, zero axe-core violations.

The demo's hearing (comments and votes of 320 participants) and its survey (1,100 responses) are analysed in the
test process with the no-model embedder (TestingConfig), then a planner opens each page.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.consultations.models import Consultation, ConsultationKind
from civic.demo import seed
from civic.extensions import db
from civic.insight.models import RunKind, RunStatus
from civic.insight.runs import execute_run, start_run, topic_params
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def analysed_demo(live_app) -> tuple[int, int]:
    """The seeded demo with a finished topic run on the hearing and the survey, and opinion groups on the hearing."""
    result = seed.seed_demo(db.session)
    hearing = db.session.scalar(select(Consultation).where(Consultation.kind == ConsultationKind.HEARING))
    survey = result.consultation
    runs = [
        start_run(db.session, hearing, RunKind.TOPICS, topic_params(n_topics=4, embedder="none"), actor=None),
        start_run(db.session, hearing, RunKind.OPINION_GROUPS, {"seed": 0}, actor=None),
        start_run(db.session, survey, RunKind.TOPICS, topic_params(n_topics=5, embedder="none"), actor=None),
    ]
    db.session.commit()
    for run in runs:
        assert execute_run(db.session, run.id).status == RunStatus.DONE, run.reason
    return hearing.id, survey.id


def _log_in(page, live_server: str) -> None:
    page.goto(f"{live_server}/manage/login")
    page.fill("#email", "planner@bjerke.demo")
    page.fill("#password", seed.DEMO_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/manage/consultations/")


def test_insight_pages_draw_their_charts_and_pass_axe(live_server, analysed_demo, desktop):
    hearing_id, survey_id = analysed_demo
    _log_in(desktop, live_server)
    pages = {
        f"/manage/insight/{hearing_id}": 0,
        f"/manage/insight/{hearing_id}/topics": 2,  # weekly trend, topic x section
        f"/manage/insight/{hearing_id}/topics/t0": 0,
        f"/manage/insight/{hearing_id}/groups": 1,  # the opinion-group map
        f"/manage/insight/{survey_id}": 0,
        f"/manage/insight/{survey_id}/topics": 2,  # weekly trend, topic x segment
        f"/manage/insight/{survey_id}/segments": 0,
    }
    for path, charts in pages.items():
        response = desktop.goto(live_server + path)
        assert response.status == 200, path
        assert desktop.locator("main h1").count() == 1, path
        for index in range(charts):
            desktop.locator(".chart-figure").nth(index).locator(".main-svg").first.wait_for(state="attached")
        assert axe_violations(desktop) == [], path
    assert desktop.csp_errors == []
    assert desktop.js_errors == []


def test_topic_and_group_pages_read_without_javascript(live_server, analysed_demo, browser):
    hearing_id, _survey_id = analysed_demo
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server)
    for path in (f"/manage/insight/{hearing_id}/topics", f"/manage/insight/{hearing_id}/groups"):
        page.goto(live_server + path)
        # Every chart has its summary and data table in the HTML.
        figures = page.locator(".chart-figure")
        assert figures.count() >= 1, path
        for index in range(figures.count()):
            assert figures.nth(index).locator("figcaption").inner_text().strip(), path
            assert figures.nth(index).locator("table tbody tr").count() >= 1, path
    context.close()
