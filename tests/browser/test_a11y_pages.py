"""The accessibility statement, the data-protection page and the error pages pass axe-core's WCAG 2.1 A/AA rules;
the main resident pages of surveys, hearings, focus groups and reports reflow without horizontal scrolling at
320 CSS pixels (WCAG 1.4.10), also with the text spacing of WCAG 1.4.12, and at 200 % zoom (WCAG 1.4.4).

200 % zoom of a 1280×800 window lays a page out in 640×400 CSS pixels, each drawn with two device pixels: a
640×400 viewport with ``device_scale_factor=2`` is that page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civic.accounts.models import Organisation, OrganisationKind
from civic.extensions import db
from tests.browser.conftest import axe_violations
from tests.browser.test_focus_group_participant import Groups, focus_groups  # noqa: F401 - shared fixture
from tests.browser.test_hearing_pages import hearing_with_comments  # noqa: F401 - shared fixture
from tests.browser.test_hearing_phone import OpenHearing, open_hearing  # noqa: F401 - shared fixture
from tests.browser.test_report_pages import published_report  # noqa: F401 - shared fixture

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}
ZOOMED = {"width": 640, "height": 400}
# The elements sticking out to the right, to name the culprit when a page scrolls sideways.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '');
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits: wide.slice(-3).map(name)};
}"""


# WCAG 1.4.12's test: line height 1.5, paragraph spacing 2, letter 0.12 and word spacing 0.16 times the font size.
TEXT_SPACING_CSS = (
    "* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }"
    " p { margin-bottom: 2em !important; }"
)


class Reflow:
    """Two pages of one browser: a 320 px phone and a window zoomed to 200 %; records pages that scroll sideways."""

    def __init__(self, browser) -> None:
        self.contexts = [
            browser.new_context(viewport=NARROWEST, is_mobile=True, has_touch=True, locale="nb-NO"),
            browser.new_context(viewport=ZOOMED, device_scale_factor=2, locale="nb-NO"),
        ]
        self.narrow, self.zoomed = (context.new_page() for context in self.contexts)
        self.problems: dict[str, dict] = {}
        self.checked: list[str] = []

    def check(self, page, name: str) -> None:
        """Record ``page`` (already loaded) under ``name`` if it scrolls horizontally; at 320 px check it again
        with WCAG 1.4.12's text spacing."""
        page.wait_for_load_state()
        self._measure(page, f"{name} at {'320 px' if page is self.narrow else '200 %'}")
        if page is self.narrow:
            page.add_style_tag(content=TEXT_SPACING_CSS)
            assert page.evaluate("getComputedStyle(document.body).letterSpacing") != "normal"
            self._measure(page, f"{name} at 320 px with text spacing")

    def _measure(self, page, label: str) -> None:
        found = page.evaluate(OVERFLOW_JS)
        if found["scrollWidth"] > found["clientWidth"]:
            self.problems[label] = found
        self.checked.append(label)

    def visit(self, url: str, name: str, status: int = 200) -> None:
        """Load ``url`` on both pages and check each."""
        for page in (self.narrow, self.zoomed):
            response = page.goto(url)
            assert response.status == status, (name, response.status)
            self.check(page, name)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def reflow(browser) -> Iterator[Reflow]:
    checker = Reflow(browser)
    yield checker
    checker.close()


def test_information_and_error_pages_pass_axe(live_server, resident_survey, phone, page_errors):
    audits: dict[str, list] = {}
    pages = [
        ("/about/bjerke/accessibility", 200), ("/about/bjerke/privacy", 200),
        ("/about/bjerke/accessibility?lang=nn", 200), ("/about/bjerke/privacy?lang=en", 200),
        ("/about/accessibility", 200),  # one organisation: its statement
        ("/about/nowhere/privacy", 404), ("/no/such/page", 404), (f"/s/{resident_survey.closed_public_id}", 410),
        ("/h/unknown", 404), ("/f/unknown", 404), ("/r/unknown", 404), ("/reports/unknown", 404),
    ]
    for path, status in pages:
        response = phone.goto(live_server + path)
        assert response.status == status, path
        assert phone.locator("main h1").count() == 1, path
        audits[path] = axe_violations(phone)
    # The footer of the statement leads to the data-protection page, with the keyboard too.
    phone.goto(f"{live_server}/about/bjerke/accessibility")
    phone.locator(".about-links a").nth(1).focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/about/bjerke/privacy")

    db.session.add(Organisation(slug="oslo", name="Oslo kommune", kind=OrganisationKind.MUNICIPALITY))
    db.session.commit()
    phone.goto(f"{live_server}/about/privacy")  # two organisations: choose one
    assert phone.locator("main li a").count() == 2
    audits["choose an organisation"] = axe_violations(phone)
    assert {name: problems for name, problems in audits.items() if problems} == {}
    assert page_errors == []
    assert phone.csp_errors == []


def test_survey_pages_reflow(live_server, resident_survey, reflow):
    survey = resident_survey
    for path, name, status in (
        ("/", "front page", 200), (f"/s/{survey.public_id}", "landing", 200),
        (f"/s/{survey.public_id}/page/1", "page 1", 200), (f"/s/{survey.public_id}/page/2", "page 2", 200),
        (f"/p/{survey.token}", "personal landing", 200), (f"/s/{survey.closed_public_id}", "closed (410)", 410),
        ("/no/such/page", "not found (404)", 404),
        ("/about/bjerke/accessibility", "accessibility statement", 200),
        ("/about/bjerke/privacy", "data protection", 200),
    ):
        reflow.visit(live_server + path, name, status)
    # Errors make pages longer and add a summary: page 1 sent empty.
    for page in (reflow.narrow, reflow.zoomed):
        page.goto(f"{live_server}/s/{survey.public_id}/page/1")
        page.locator('button[name="action"][value="next"]').click()
        page.locator("#error-summary").wait_for()
        reflow.check(page, "page 1 with errors")
    assert len(reflow.checked) == 30
    assert reflow.problems == {}


def test_hearing_pages_reflow(live_server, hearing_with_comments: OpenHearing, reflow):  # noqa: F811
    base = f"{live_server}/h/{hearing_with_comments.public_id}"
    for path, name in (("", "proposal"), (f"/s/{hearing_with_comments.section_id}", "section with comments"),
                       ("/vote", "vote on statements"), ("/statements", "formal statements"),
                       ("/verify", "verification")):
        reflow.visit(base + path, name)
    assert reflow.problems == {}


@pytest.mark.usefixtures("with_csrf")
def test_focus_group_pages_reflow(live_server, focus_groups: Groups, reflow):  # noqa: F811
    reflow.visit(f"{live_server}/f/{focus_groups.public_id}", "live group's landing")
    reflow.visit(f"{live_server}/f/{focus_groups.invited_public_id}", "invited only")
    for page in (reflow.narrow, reflow.zoomed):
        page.goto(f"{live_server}/f/{focus_groups.async_public_id}")
        page.locator("main form button.primary").click()  # take part
        page.locator(".fg-progress").wait_for()
        for step in range(5):  # open, single, multiple, ranking, statements
            reflow.check(page, f"asynchronous question {step + 1}")
            if step < 4:
                following = page.locator(".fg-step-nav a").last  # "Next question"
                href = following.get_attribute("href")
                following.click()
                page.wait_for_url(lambda url, href=href: url.endswith(href))
    assert len(reflow.checked) == 21
    assert reflow.problems == {}


def test_report_pages_reflow(live_server, published_report: str, reflow):  # noqa: F811
    reflow.visit(f"{live_server}/r/{published_report}", "report")
    reflow.visit(f"{live_server}/r/{published_report}?lang=en", "report in English")
    reflow.visit(f"{live_server}/reports/bjerke", "the municipality's reports")
    assert reflow.problems == {}


def test_footer_links_and_pages_without_javascript(live_server, resident_survey, no_js):
    page = no_js
    page.goto(f"{live_server}/s/{resident_survey.public_id}")
    page.locator(".about-links a").first.click()
    page.wait_for_url("**/about/bjerke/accessibility")
    assert page.locator("main h2").count() >= 5
    assert page.locator("main a[href^='mailto:']").get_attribute("href") == "mailto:postmottak@bjerke.example"
    page.locator(".about-links a").nth(1).click()
    page.wait_for_url("**/about/bjerke/privacy")
    assert page.locator("main h2").count() >= 8
