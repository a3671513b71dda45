"""The other resident pages of a hearing: vote on statements, formal statements and verification.

On a phone, with zero axe-core violations, and without JavaScript (plain forms and 303 redirects).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from civic.extensions import db
from civic.hearings.models import Comment, Hearing, Participant, VoteEvent
from civic.hearings.participants import get_or_create_participant, new_participant_key
from tests.browser.conftest import axe_violations
from tests.browser.test_hearing_phone import OpenHearing, open_hearing  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.browser

PAGES = ("vote", "statements", "verify")
TEXTS = ("Sone B1 bør utvides til Lyngåsveien.", "Besøkende trenger en enkel dagsbillett.")


@pytest.fixture
def hearing_with_comments(open_hearing: OpenHearing) -> OpenHearing:  # noqa: F811 - uses the imported fixture
    hearing = db.session.scalar(select(Hearing).order_by(Hearing.id.desc()))
    author = get_or_create_participant(db.session, hearing, new_participant_key())
    for text in TEXTS:
        db.session.add(
            Comment(hearing_id=hearing.id, participant_id=author.id, section_id=open_hearing.section_id, body=text)
        )
    db.session.commit()
    return open_hearing


@pytest.mark.usefixtures("with_csrf")
def test_pages_on_a_phone_have_no_axe_violations(live_server, hearing_with_comments, phone, page_errors):
    for name in PAGES:
        phone.goto(f"{live_server}/h/{hearing_with_comments.public_id}/{name}")
        assert phone.locator("main h1").count() == 1, name
        assert axe_violations(phone) == [], name
    assert page_errors == []


@pytest.mark.usefixtures("with_csrf")
def test_vote_on_statements_without_javascript(live_server, hearing_with_comments, no_js):
    page = no_js
    base = f"{live_server}/h/{hearing_with_comments.public_id}"
    page.goto(f"{base}/vote")
    first = page.locator("blockquote.statement-body").inner_text()
    page.locator('button[name="value"][value="agree"]').click()  # a plain form post, then the next statement
    expect(page.locator("blockquote.statement-body")).not_to_have_text(first)
    assert page.url.startswith(f"{base}/vote")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 1
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 2  # the author and this resident
    # The next statement is the other comment; after voting on it too, the resident is done.
    second = page.locator("blockquote.statement-body").inner_text()
    assert {first, second} == set(TEXTS)
    page.locator('button[name="value"][value="disagree"]').click()
    expect(page.locator("#statement-heading")).to_have_text("Du har stemt på alle utsagnene")
    assert page.locator("blockquote.statement-body").count() == 0
    for name in ("statements", "verify"):
        page.goto(f"{base}/{name}")
        assert page.locator("main form").count() >= 1, name
