"""A resident answers the whole survey with the keyboard alone: Tab, Space, arrow keys, Enter and typing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from civic.extensions import db
from civic.surveys.models import ResponseState, SurveyResponse

pytestmark = pytest.mark.browser


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.outerHTML.slice(0, 120)")


def tab_to(page, selector: str, limit: int = 40, backwards: bool = False) -> None:
    """Press Tab until ``selector`` has focus; fail if it is not reached, i.e. not keyboard reachable."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab (focus is on {focused(page)})")


def test_survey_with_keyboard_only(live_server, resident_survey, desktop):
    page = desktop
    survey = resident_survey
    q = survey.question_ids
    page.goto(f"{live_server}/s/{survey.public_id}")
    tab_to(page, 'button[lang="en"]')
    page.keyboard.press("Enter")
    # Not wait_for_function: under our CSP (no unsafe-eval) its polling can log an EvalError (Playwright #36986).
    expect(page.locator("html")).to_have_attribute("lang", "en")
    tab_to(page, "main a.button.primary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/page/1")

    # Single choice with arrow keys: down to "Annet" shows its text field, back up to "Ja".
    tab_to(page, f"#q{q[0]}-0")
    page.keyboard.press("Space")
    assert page.locator(f"#q{q[0]}-0").is_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"#q{q[0]}-2").is_checked()
    expect(page.locator(f"#q{q[0]}-other-field")).to_be_visible()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.locator(f"#q{q[0]}-0").is_checked()
    # Multiple choice with Space; the scale with arrow keys.
    tab_to(page, f"#q{q[1]}-0")
    page.keyboard.press("Space")
    tab_to(page, f"#q{q[1]}-2")
    page.keyboard.press("Space")
    tab_to(page, f"#q{q[2]}-0")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert page.locator(f"#q{q[2]}-4").is_checked()
    tab_to(page, 'button[value="next"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/page/2")

    tab_to(page, f"#q{q[3]}")
    page.keyboard.type("Refstadveien")
    tab_to(page, f"#q{q[4]}")
    page.keyboard.type("Mørkt på gangveien.")
    page.keyboard.press("Enter")
    page.keyboard.type("Trenger lys.")
    tab_to(page, f"#q{q[5]}")
    page.keyboard.type("12")  # out of range on purpose
    tab_to(page, f"#q{q[6]}")
    # The date field's parts follow the browser's language (day or month first); day = month works for both.
    page.keyboard.type("05052015")
    assert page.locator(f"#q{q[6]}").input_value() == "2015-05-05"
    # Ranking with its move buttons: "Parkering" up to first place.
    tab_to(page, 'button[aria-label="Move up: Parkering"]')
    page.keyboard.press("Enter")
    # Focus stays on the button, so pressing again moves the item again.
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move up: Parkering"
    ranks = {key: page.locator(f"#q{q[7]}-{key}").input_value() for key in ("c1", "c2", "c3")}
    assert ranks == {"c2": "1", "c1": "2", "c3": "3"}
    # The map question by typed coordinates.
    tab_to(page, f"#q{q[8]}-lat")
    page.keyboard.type("59.9401")
    page.keyboard.press("Tab")
    assert focused(page) == f"q{q[8]}-lon"
    page.keyboard.type("10.8152")
    page.keyboard.press("Tab")
    page.keyboard.type("Ved Refstad skole")
    expect(page.locator(f"#q{q[8]}-map .leaflet-marker-icon")).to_have_count(1)  # the typed point is drawn
    tab_to(page, 'button[value="submit"]')
    page.keyboard.press("Enter")

    # The error summary takes focus; its link leads to the number field, which is fixed by typing.
    expect(page.locator("#error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"#q{q[5]}"
    page.keyboard.press("Enter")
    assert focused(page) == f"q{q[5]}"
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    tab_to(page, 'button[value="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/s/{survey.public_id}/done")

    db.session.expire_all()
    [response] = db.session.scalars(select(SurveyResponse).filter_by(survey_id=survey.survey_id))
    assert response.state == ResponseState.SUBMITTED
    answers = {a.question_id: a for a in response.answers}
    assert answers[q[0]].choice_keys == ["c1"]
    assert answers[q[1]].choice_keys == ["c1", "c3"]
    assert answers[q[2]].number == 5
    assert answers[q[4]].text == "Mørkt på gangveien.\nTrenger lys."
    assert answers[q[5]].number == 3
    assert str(answers[q[6]].date_value) == "2015-05-05"
    assert answers[q[7]].choice_keys == ["c2", "c1", "c3"]
    place = answers[q[8]]
    assert (place.lat, place.lon, place.text) == (59.9401, 10.8152, "Ved Refstad skole")
    assert page.csp_errors == []
    assert page.js_errors == []
