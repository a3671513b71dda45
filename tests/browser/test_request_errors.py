"""When an htmx request gets no usable answer (the server busy, the disk full, the network gone), the resident is
told so in their language, focus goes to the message, and what they typed stays on the page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.extensions import db
from civic.hearings.models import Comment
from tests.browser.test_hearing_phone import OpenHearing, open_hearing  # noqa: F401 - shared fixture

pytestmark = pytest.mark.browser

TEXT = "Beboerkort bør koste mindre for pensjonister."
CASES = {
    "busy": (lambda route: route.fulfill(status=503, body="busy", headers={"Retry-After": "5"}), "travelt"),
    "disk full": (lambda route: route.fulfill(status=507, body="full"), "plass"),
    "network gone": (lambda route: route.abort(), "travelt"),  # no answer at all
    "server error": (lambda route: route.fulfill(status=500, body="error"), "last inn siden"),
}


def _comments() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Comment))


def _write_a_comment(page, url: str) -> None:
    page.goto(url)
    assert page.locator("#request-error").is_hidden()
    page.locator("#body-new").fill(TEXT)
    page.locator("#rules-new").check()


@pytest.mark.usefixtures("with_csrf")
@pytest.mark.parametrize("case", CASES)
def test_a_failed_htmx_post_says_so_and_keeps_the_text(live_server, open_hearing: OpenHearing, phone, case):  # noqa: F811
    page = phone
    url = f"{live_server}/h/{open_hearing.public_id}/s/{open_hearing.section_id}"
    reply, words = CASES[case]
    _write_a_comment(page, url)
    page.route("**/*", lambda route: reply(route) if route.request.method == "POST" else route.continue_())
    page.locator("#form-new button[type=submit]").click()
    alert = page.locator("#request-error")
    alert.wait_for(state="visible")
    assert words in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "request-error"
    assert page.locator("#body-new").input_value() == TEXT
    assert _comments() == 0

    # The server is back: the same form, as typed, sends; the message goes away.
    page.unroute("**/*")
    page.locator("#form-new button[type=submit]").click()
    page.locator("#comments-notice").wait_for()
    alert.wait_for(state="hidden")
    assert _comments() == 1
