"""Every page a resident can meet passes axe-core's WCAG 2.1 A/AA rules and fits a 320 px wide screen."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}
# Buttons by value, not by label: the labels get translated.
NEXT = 'button[name="action"][value="next"]'
SEND = 'button[name="action"][value="submit"]'


def _audit(page, name: str, audits: dict[str, list], status: int | None = None) -> None:
    """Record the axe violations of the page and any horizontal scroll at 320 px under ``name``."""
    page.wait_for_load_state()  # the page's own scripts have run
    violations = axe_violations(page)
    size = page.viewport_size
    page.set_viewport_size(NARROWEST)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    problems = list(violations)
    if scroll_width > NARROWEST["width"]:
        problems.append({"id": "horizontal-scroll", "scrollWidth": scroll_width})
    audits[name] = problems


def test_resident_pages_have_no_wcag_violations(live_server, resident_survey, phone, page_errors):
    survey = resident_survey
    q = survey.question_ids
    audits: dict[str, list] = {}

    phone.goto(f"{live_server}/")
    assert phone.get_by_role("link", name="Parkering i Bjerke").is_visible()
    _audit(phone, "front page", audits)

    phone.get_by_role("link", name="Parkering i Bjerke").click()
    phone.wait_for_url(f"**/s/{survey.public_id}")
    _audit(phone, "public landing", audits)

    phone.locator("main a.button.primary").click()  # Start
    phone.wait_for_url("**/page/1")
    _audit(phone, "page 1", audits)

    # Too many choices and no answer to two required questions: the page comes back with errors.
    for box in range(3):
        phone.locator(f"#q{q[1]}-{box}").check()
    phone.locator(NEXT).click()
    phone.locator("#error-summary").wait_for()
    assert phone.locator("#error-summary li").count() == 3
    _audit(phone, "page 1 with errors", audits)

    phone.locator(f"#q{q[0]}-0").check()
    phone.locator(f"#q{q[1]}-2").uncheck()
    phone.locator(f"#q{q[2]}-3").check()
    phone.locator(NEXT).click()
    phone.wait_for_url("**/page/2")
    _audit(phone, "page 2", audits)

    # Errors of other kinds: a number out of range, half a ranking, a place outside Norway.
    phone.locator(f"#q{q[5]}").fill("11")
    phone.locator(f"#q{q[7]}-c1").select_option("1")
    phone.locator(f"#q{q[8]}-lat").fill("10")
    phone.locator(f"#q{q[8]}-lon").fill("10.81")
    phone.locator(SEND).click()
    phone.locator("#error-summary").wait_for()
    assert phone.locator("#error-summary li").count() == 3
    _audit(phone, "page 2 with errors", audits)

    phone.locator(f"#q{q[5]}").fill("2")
    for position, key in enumerate(("c1", "c2", "c3"), start=1):
        phone.locator(f"#q{q[7]}-{key}").select_option(str(position))
    phone.locator(f"#q{q[8]}-lat").fill("59.94")
    phone.locator(SEND).click()
    phone.wait_for_url("**/done")
    _audit(phone, "receipt", audits)

    response = phone.goto(f"{live_server}/s/{survey.closed_public_id}")
    assert response.status == 410
    _audit(phone, "closed survey (410)", audits)

    response = phone.goto(f"{live_server}/p/{survey.token[:-4]}abcd")
    assert response.status == 404
    assert phone.locator("#error-message h1").is_visible()
    _audit(phone, "tampered personal link (404)", audits)

    response = phone.goto(f"{live_server}/p/{survey.token}")
    assert response.status == 200
    _audit(phone, "personal landing", audits)
    for language, title in (("Nynorsk", "Parkering i Bjerke bydel"), ("English", "Parking in Bjerke")):
        phone.get_by_role("button", name=language).click()
        phone.get_by_role("heading", level=1, name=title).wait_for()
        _audit(phone, f"landing in {language}", audits)
    assert phone.locator("html").get_attribute("lang") == "en"

    assert {name: problems for name, problems in audits.items() if problems} == {}
    assert len(audits) == 12
    assert phone.csp_errors == []
    assert page_errors == []


def test_pages_without_scripts_have_no_wcag_violations(live_server, same_page_condition, browser):
    """Audit what a resident without JavaScript sees: every "other" field, no map, the server's notice."""
    survey = same_page_condition
    q = survey.question_ids
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    page = context.new_page()
    # Blocking the script files gives the no-JavaScript page (the CSP allows no inline scripts), while axe,
    # evaluated through the DevTools protocol, still runs.
    page.route("**/*.js", lambda route: route.abort())
    audits: dict[str, list] = {}
    page.goto(f"{live_server}/s/{survey.public_id}/page/1")
    assert page.locator(f"#q{q[0]}-other").is_visible()
    _audit(page, "page 1", audits)
    page.locator(f"#q{q[2]}-0").check()
    page.locator(f"#q{q[0]}-0").check()  # reveals a question the resident has not seen yet
    page.locator(NEXT).click()
    page.locator(".notice").wait_for()
    assert page.locator(f"#q{q[1]}-note").is_visible()
    _audit(page, "page 1 with the notice", audits)
    page.locator(NEXT).click()
    page.wait_for_url("**/page/2")
    assert page.locator(".rank-buttons").count() == 0
    page.locator(f"#q{q[5]}").fill("-3")
    page.locator(SEND).click()
    page.locator("#error-summary").wait_for()
    _audit(page, "page 2 with errors", audits)
    context.close()
    assert {name: problems for name, problems in audits.items() if problems} == {}
