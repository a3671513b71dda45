"""On a phone a resident answers every question kind via a personal link, fixes a mistake, sends, edits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from civic.extensions import db
from civic.surveys.answering import LAT_RANGE, LON_RANGE
from civic.surveys.models import Answer, ResponseState, SurveyResponse

pytestmark = pytest.mark.browser

# Buttons by value, not by label: the labels get translated.
NEXT = 'button[name="action"][value="next"]'
SEND = 'button[name="action"][value="submit"]'


def stored_responses(survey_id: int) -> list[SurveyResponse]:
    db.session.expire_all()  # the server thread wrote them through its own session
    return list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)))


def answers_by_question(response: SurveyResponse) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in response.answers}


@pytest.mark.usefixtures("with_csrf")
def test_personal_link_journey_on_a_phone(live_server, resident_survey, phone, page_errors):
    survey = resident_survey
    q = survey.question_ids
    phone.goto(f"{live_server}/p/{survey.token}")
    phone.get_by_role("button", name="English").click()
    # Not wait_for_function: under our CSP (no unsafe-eval) its polling can log an EvalError (Playwright #36986).
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.locator("main a.button.primary").click()
    phone.wait_for_url("**/page/1")

    # Page 1: "other" with its text, three options where two are allowed, a point on the scale.
    other_field = phone.locator(f"#q{q[0]}-other-field")
    assert other_field.is_hidden()  # appears only when "Annet" is chosen
    phone.get_by_label("Annet").check()
    assert other_field.is_visible()
    phone.locator(f"#q{q[0]}-other").fill("Sykkel og buss")
    for label in ("Beboerparkering", "Flere ladepunkter", "Bilfrie gater"):
        phone.get_by_label(label).check()
    phone.locator(f"label[for='q{q[2]}-3']").click()
    phone.locator(NEXT).click()

    summary = phone.locator("#error-summary")
    summary.wait_for()
    assert phone.url.endswith("/page/1")
    expect(summary).to_be_focused()  # civic.js leads keyboard and screen-reader users to the problems
    assert summary.locator("li").all_inner_texts() == [
        "Hvilke tiltak støtter du? – Choose at most 2 options."
    ]
    assert phone.locator(f"#q{q[1]}-error").text_content() == "Error: Choose at most 2 options."
    assert "has-error" in phone.locator(f"#question-{q[1]}").get_attribute("class").split()
    # Nothing typed is lost.
    assert phone.get_by_label("Annet").is_checked()
    assert phone.locator(f"#q{q[0]}-other").input_value() == "Sykkel og buss"
    assert phone.get_by_label("Bilfrie gater").is_checked()
    assert phone.locator(f"#q{q[2]}-3").is_checked()

    phone.get_by_label("Bilfrie gater").uncheck()
    phone.locator(NEXT).click()
    phone.wait_for_url("**/page/2")
    assert phone.locator("#error-summary").count() == 0

    # Page 2: the number question is asked only of households with a car, so it is not here.
    assert phone.locator(f"#q{q[5]}").count() == 0
    phone.locator(f"#q{q[3]}").fill("Refstadveien")
    phone.locator(f"#q{q[4]}").fill("Flere sykkelstativ ved skolen")
    expect(phone.locator(f"#q{q[4]}-count")).to_have_text("29 of 2000 characters")  # after a typing pause
    phone.locator(f"#q{q[6]}").fill("2015-08-01")
    # Ranking with its buttons: "Brøyting" moves from third to first.
    phone.get_by_role("button", name="Move up: Brøyting").click()
    phone.get_by_role("button", name="Move up: Brøyting").click()
    ranks = {key: phone.locator(f"#q{q[7]}-{key}").input_value() for key in ("c1", "c2", "c3")}
    assert ranks == {"c3": "1", "c1": "2", "c2": "3"}
    assert phone.locator("fieldset.ranking [data-rank-status]").text_content() == "Brøyting is now number 1"
    # Map point: a tap on the map fills the coordinate inputs and drops a marker.
    lat_input, lon_input = phone.locator(f"#q{q[8]}-lat"), phone.locator(f"#q{q[8]}-lon")
    the_map = phone.locator(f"#q{q[8]}-map")
    the_map.scroll_into_view_if_needed()
    assert lat_input.input_value() == ""
    the_map.click(position={"x": 120, "y": 100})
    lat, lon = float(lat_input.input_value()), float(lon_input.input_value())
    assert LAT_RANGE[0] <= lat <= LAT_RANGE[1]
    assert LON_RANGE[0] <= lon <= LON_RANGE[1]
    assert (lat, lon) == pytest.approx((59.94, 10.81), abs=0.3)  # somewhere in Bjerke
    assert the_map.locator(".leaflet-marker-icon").count() == 1
    phone.locator(f"#q{q[8]}-text").fill("Ved Refstad skole")
    phone.locator(SEND).click()

    phone.wait_for_url(f"**/p/{survey.token}/done")
    assert phone.locator("#receipt-heading").inner_text() == "Thank you, your answers have been received"
    [response] = stored_responses(survey.survey_id)
    assert response.state == ResponseState.SUBMITTED
    first = answers_by_question(response)
    assert (first[q[0]].choice_keys, first[q[0]].text) == (["other"], "Sykkel og buss")
    assert first[q[1]].choice_keys == ["c1", "c2"]
    assert first[q[2]].number == 4
    assert q[5] not in first
    assert str(first[q[6]].date_value) == "2015-08-01"
    assert first[q[7]].choice_keys == ["c3", "c1", "c2"]
    assert (first[q[8]].lat, first[q[8]].lon) == (round(lat, 6), round(lon, 6))

    # Later: the same personal link, "Ja" instead of "Annet", which asks the number question.
    phone.goto(f"{live_server}/p/{survey.token}")
    phone.locator("main a.button.primary").click()  # Change your answers
    phone.wait_for_url("**/page/1")
    assert phone.get_by_label("Annet").is_checked()
    phone.get_by_label("Ja").check()  # the "other" text stays in view, but is not stored any more
    phone.locator(NEXT).click()
    phone.wait_for_url("**/page/2")
    assert phone.locator(f"#q{q[3]}").input_value() == "Refstadveien"
    number = phone.locator(f"#q{q[5]}")
    number.fill("11")
    phone.locator(SEND).click()
    phone.locator("#error-summary").wait_for()
    assert phone.locator(f"#q{q[5]}-error").text_content() == "Error: Enter a whole number between 0 and 10."
    assert number.get_attribute("aria-invalid") == "true"
    assert number.input_value() == "11"
    number.fill("2")
    phone.locator(SEND).click()
    phone.wait_for_url(f"**/p/{survey.token}/done")

    [response] = stored_responses(survey.survey_id)
    assert response.state == ResponseState.SUBMITTED
    changed = answers_by_question(response)
    assert (changed[q[0]].choice_keys, changed[q[0]].text) == (["c1"], None)
    assert changed[q[5]].number == 2
    assert changed[q[3]].text == "Refstadveien"
    assert changed[q[7]].choice_keys == ["c3", "c1", "c2"]
    assert phone.csp_errors == []
    assert page_errors == []
