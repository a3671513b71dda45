"""A resident whose browser runs no JavaScript completes the public-link survey, mistakes included."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.extensions import db
from civic.surveys.models import ResponseState, SurveyResponse

pytestmark = pytest.mark.browser

NEXT = 'button[name="action"][value="next"]'
SEND = 'button[name="action"][value="submit"]'


@pytest.mark.usefixtures("with_csrf")
def test_public_survey_without_javascript(live_server, resident_survey, no_js):
    page = no_js
    survey = resident_survey
    q = survey.question_ids
    page.goto(f"{live_server}/s/{survey.public_id}")
    page.get_by_role("button", name="English").click()  # a plain form post
    page.locator("html[lang='en']").wait_for()
    page.locator("main a.button.primary").click()
    page.wait_for_url("**/page/1")

    # Without the script every "other" field is shown; the condition on page 2 is worked out by the server.
    assert page.locator(f"#q{q[0]}-other").is_visible()
    page.get_by_label("Ja").check()
    page.get_by_label("Flere ladepunkter").check()
    page.locator(f"#q{q[2]}-1").check()
    page.locator(NEXT).click()
    page.wait_for_url("**/page/2")

    assert page.locator(f"#q{q[8]}-map").is_hidden()  # no map without scripts: the coordinates are typed
    page.locator(f"#q{q[3]}").fill("Refstadveien")
    page.locator(f"#q{q[5]}").fill("-1")
    page.locator(f"#q{q[6]}").fill("2015-08-01")
    page.locator(f"#q{q[7]}-c1").select_option("1")
    page.locator(f"#q{q[7]}-c2").select_option("1")  # the same position twice
    page.locator(f"#q{q[7]}-c3").select_option("3")
    page.locator(f"#q{q[8]}-lat").fill("59.9401")
    page.locator(f"#q{q[8]}-lon").fill("10.8152")
    page.locator(SEND).click()
    page.locator("#error-summary").wait_for()
    assert page.url.endswith("/page/2")
    assert page.locator(".rank-buttons").count() == 0  # proof that answer.js did not run
    assert page.locator("#error-summary li").count() == 2
    assert page.locator(f"#q{q[5]}-error").text_content() == "Error: Enter a whole number between 0 and 10."
    assert page.locator(f"#q{q[7]}-error").text_content() == "Error: Use each position only once."
    # Everything typed is still there.
    assert page.locator(f"#q{q[3]}").input_value() == "Refstadveien"
    assert page.locator(f"#q{q[8]}-lat").input_value() == "59.9401"
    assert page.locator(f"#q{q[7]}-c2").input_value() == "1"

    page.locator(f"#q{q[5]}").fill("1")
    page.locator(f"#q{q[7]}-c2").select_option("2")
    page.locator(SEND).click()
    page.wait_for_url(f"**/s/{survey.public_id}/done")
    assert page.locator("#receipt-heading").inner_text() == "Thank you, your answers have been received"

    db.session.expire_all()
    [stored] = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.survey_id))
    assert stored.state == ResponseState.SUBMITTED
    assert stored.age_band == ""  # a public-link response carries no segment
    answers = {a.question_id: a for a in stored.answers}
    assert answers[q[0]].choice_keys == ["c1"]
    assert answers[q[2]].number == 2
    assert answers[q[5]].number == 1
    assert answers[q[7]].choice_keys == ["c1", "c2", "c3"]
    assert (answers[q[8]].lat, answers[q[8]].lon) == (59.9401, 10.8152)

    # A public link cannot change answers afterwards: the landing page says so instead of offering the form.
    page.goto(f"{live_server}/s/{survey.public_id}")
    assert page.locator("main a.button.primary").count() == 0
    assert page.locator("main [role=status] h2").inner_text() == "Thank you, your answers have been sent"
