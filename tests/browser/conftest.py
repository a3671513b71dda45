"""Browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright, axe-core from npm."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from civic import create_app
from civic.accounts.models import Organisation
from civic.config import TestingConfig
from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.core.tokens import new_token
from civic.extensions import db
from civic.outreach.links import issue_link
from civic.outreach.models import Invitation
from civic.surveys.models import Question
from tests.fixtures.surveys import build_all_kinds_survey

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules/axe-core/axe.min.js"
# Flags the machine needs: no sandbox as root, and no background traffic to a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(tmp_path):
    """An app on a SQLite file, so the server thread and the test share data."""
    config = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite'}",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        OUTBOX_FOLDER=str(tmp_path / "outbox"),
    )
    application = create_app(config)
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app) -> Iterator[str]:
    """Serve ``live_app`` on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (./run test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (360×740, touch, Norwegian browser)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="nb-NO")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the current page and return the violations."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) does not block it.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def wait_for_htmx_settle(page, timeout: float = 5000) -> None:
    """Wait until content htmx swapped in is live: until then its forms would submit without htmx.

    htmx inserts new content at once but binds its hx-* attributes in the settle step, 20 ms later
    (``htmx-added`` marks the content until then, ``htmx-settling`` the target). A keypress in between posts the
    form the plain way, a full page load: correct for residents, but not what a test of the htmx path looks at.
    """
    page.wait_for_function("() => !document.querySelector('.htmx-added, .htmx-settling')", timeout=timeout)


@dataclass
class ResidentSurvey:
    """Ids and links of the survey the resident tests answer (the objects live in another session)."""

    survey_id: int
    public_id: str
    closed_public_id: str
    token: str
    question_ids: list[int]


@pytest.fixture
def resident_survey(live_app) -> ResidentSurvey:
    """An open public survey with every question kind, a personal link to it, and a closed survey."""
    organisation = Organisation(slug="bjerke", name="Bydel Bjerke", parent_name="Oslo kommune",
                                contact_email="postmottak@bjerke.example")
    consultations = [
        Consultation(
            organisation=organisation, public_id=new_token()[:16], kind=ConsultationKind.SURVEY, state=state,
            access=Access.PUBLIC, languages=["nb", "nn", "en"],
            title={"nb": "Parkering i Bjerke", "nn": "Parkering i Bjerke bydel", "en": "Parking in Bjerke"},
            summary={"nb": "Si din mening om parkering.", "nn": "Sei di meining om parkering.",
                     "en": "Tell us what you think about parking."},
        )
        for state in (ConsultationState.OPEN, ConsultationState.CLOSED)
    ]
    survey, questions = build_all_kinds_survey(consultations[0])
    closed_survey, _closed_questions = build_all_kinds_survey(consultations[1])
    db.session.add_all([survey, closed_survey])
    db.session.flush()
    # "Hvor mange biler" is shown only to households that answered "Ja" to having a car.
    questions[5].condition_question_id = questions[0].id
    questions[5].condition_choice_keys = ["c1"]
    invitation = Invitation(consultation_id=consultations[0].id)
    db.session.add(invitation)
    db.session.flush()
    token = issue_link(db.session, invitation.id)
    db.session.commit()
    return ResidentSurvey(
        survey_id=survey.id, public_id=consultations[0].public_id,
        closed_public_id=consultations[1].public_id, token=token, question_ids=[q.id for q in questions],
    )


@pytest.fixture
def with_csrf(live_app) -> None:
    """Check CSRF tokens as production does (the testing config switches the check off)."""
    live_app.config["WTF_CSRF_ENABLED"] = True  # CSRFProtect reads this on every request


@pytest.fixture
def same_page_condition(resident_survey):
    """Ask "Hvilke tiltak støtter du?" only of households with a car ("Ja"), on the car question's page."""
    q = resident_survey.question_ids
    question = db.session.get(Question, q[1])
    question.condition_question_id = q[0]
    question.condition_choice_keys = ["c1"]
    db.session.commit()
    return resident_survey


@pytest.fixture
def page_errors(phone) -> list[str]:
    """Collect uncaught JavaScript errors of the ``phone`` page."""
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def desktop(browser):
    """A desktop-sized page (1280×800, no touch) that collects CSP violations and JavaScript errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
    page = context.new_page()
    page.csp_errors = []
    page.js_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def no_js(browser):
    """A phone-sized page with JavaScript switched off."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False,
                                  locale="nb-NO")
    page = context.new_page()
    yield page
    context.close()
