"""A display condition on the same page: shown live with JavaScript, by a second round trip without it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from civic.extensions import db
from civic.surveys.models import SurveyResponse

pytestmark = pytest.mark.browser

NEXT = 'button[name="action"][value="next"]'


def test_condition_shows_and_hides_the_question_live(live_server, same_page_condition, phone, page_errors):
    survey = same_page_condition
    q = survey.question_ids
    phone.goto(f"{live_server}/p/{survey.token}/page/1")
    dependent = phone.locator(f"#question-{q[1]}")
    shown = phone.locator("input[name='shown']")
    expect(dependent).to_be_hidden()
    assert shown.input_value().split() == [str(q[0]), str(q[2])]

    phone.locator(f"#q{q[0]}-0").check()  # Ja
    expect(dependent).to_be_visible()
    assert phone.locator(f"#q{q[1]}-note").is_hidden()  # the "answer this only if" note is not needed live
    assert shown.input_value().split() == [str(q[0]), str(q[1]), str(q[2])]
    phone.locator(f"#q{q[1]}-0").check()

    phone.locator(f"#q{q[0]}-1").check()  # Nei: the question and its answer no longer apply
    expect(dependent).to_be_hidden()
    phone.locator(f"#q{q[2]}-0").check()
    phone.locator(NEXT).click()
    phone.wait_for_url("**/page/2")
    phone.locator('button[name="action"][value="submit"]').click()
    phone.wait_for_url("**/done")

    db.session.expire_all()
    [response] = db.session.scalars(select(SurveyResponse).filter_by(survey_id=survey.survey_id))
    answered = {a.question_id: a.choice_keys for a in response.answers}
    assert set(answered) == {q[0], q[2]}  # the checked box of the hidden question is not an answer
    assert answered[q[0]] == ["c2"]
    assert phone.csp_errors == []
    assert page_errors == []


def test_condition_without_javascript_asks_in_a_second_round(live_server, same_page_condition, no_js):
    page = no_js
    survey = same_page_condition
    q = survey.question_ids
    page.goto(f"{live_server}/p/{survey.token}")
    page.get_by_role("button", name="English").click()
    page.locator("html[lang='en']").wait_for()
    page.goto(f"{live_server}/p/{survey.token}/page/1")
    assert page.locator(f"#question-{q[1]}").is_hidden()  # its condition is not met yet
    page.locator(f"#q{q[0]}-0").check()
    page.locator(f"#q{q[2]}-2").check()
    page.locator(NEXT).click()
    # The server saw a question appear that the resident could not see, so it asks before moving on.
    notice = page.locator(".notice").inner_text()
    assert notice == "Your answer added a question on this page. Answer it and continue."
    assert page.url.endswith("/page/1")
    assert page.locator(f"#question-{q[1]}").is_visible()
    assert page.locator(f"#q{q[1]}-note").inner_text() == (
        "Answer this only if you chose “Ja” in “Does your household have a car?”."
    )
    assert page.locator(f"#q{q[0]}-0").is_checked()
    assert page.locator(f"#q{q[2]}-2").is_checked()
    page.locator(f"#q{q[1]}-1").check()
    page.locator(NEXT).click()
    page.wait_for_url("**/page/2")
