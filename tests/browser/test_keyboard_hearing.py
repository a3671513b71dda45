"""A resident comments on a hearing, replies and votes with the keyboard alone (Tab, Shift+Tab, Enter, Space and
typing; no clicks), with htmx doing the work in place; then votes on statements the same way, and the keyboard
stays where the resident is when htmx swaps a part of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from civic.extensions import db
from civic.hearings.models import Comment, Vote
from tests.browser.test_hearing_pages import TEXTS, hearing_with_comments  # noqa: F401 - shared fixture
from tests.browser.test_hearing_phone import OpenHearing, open_hearing  # noqa: F401 - shared fixture
from tests.browser.test_resident_keyboard import focused, tab_to

pytestmark = pytest.mark.browser

MY_COMMENT = "Beboerkort bør koste mindre for pensjonister."
MY_REPLY = "Enig, og studenter også."


def _comments() -> dict[str, Comment]:
    db.session.expire_all()
    return {comment.body: comment for comment in db.session.scalars(select(Comment))}


def _my_votes() -> list[int]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Vote.value)))


@pytest.mark.usefixtures("with_csrf")
def test_comment_reply_and_vote_with_the_keyboard_only(
    live_server, hearing_with_comments: OpenHearing, desktop  # noqa: F811
):
    page = desktop
    hearing = hearing_with_comments
    page.goto(f"{live_server}/h/{hearing.public_id}")
    # The skip link comes first and leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert focused(page) == "main"
    tab_to(page, f"main a[href$='/s/{hearing.section_id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/s/{hearing.section_id}")

    # A new comment: type it, tick the house rules with Space, send it with Enter.
    tab_to(page, "#body-new", limit=80)
    page.keyboard.type(MY_COMMENT)
    page.keyboard.press("Tab")
    assert focused(page) == "rules-new"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#form-new button[type=submit]')")
    page.keyboard.press("Enter")
    page.locator("#comments-notice").wait_for()
    mine = _comments()[MY_COMMENT]

    # Reply to it: open "Reply" (a <details>) with Enter, type, send.
    tab_to(page, f"#c-{mine.id} details.comment-action summary", limit=80)
    page.keyboard.press("Enter")
    tab_to(page, f"#body-reply-{mine.id}")
    page.keyboard.type(MY_REPLY)
    tab_to(page, f"#form-reply-{mine.id} button[type=submit]")
    page.keyboard.press("Enter")
    page.locator(f"#c-{mine.id} .replies .comment-text").wait_for()
    reply = _comments()[MY_REPLY]
    assert (reply.parent_id, reply.depth) == (mine.id, 1)

    # Vote on another resident's comment with Space and on the reply with Enter; back with Shift+Tab to change.
    other = _comments()[TEXTS[0]]
    tab_to(page, f"#votes-{other.id} button[value=disagree]", limit=80)
    page.keyboard.press("Space")
    expect(page.locator(f"#votes-{other.id} button[value=disagree]")).to_have_attribute("aria-pressed", "true")
    # The buttons are swapped, but focus stays on the one pressed, so Shift+Tab reaches "Agree" next to it.
    expect(page.locator(f"#votes-{other.id} button[value=disagree]")).to_be_focused()
    tab_to(page, f"#votes-{other.id} button[value=agree]", limit=1, backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(f"#votes-{other.id} button[value=agree]")).to_have_attribute("aria-pressed", "true")
    tab_to(page, f"#votes-{reply.id} button[value=pass]", limit=80)
    page.keyboard.press("Enter")
    expect(page.locator(f"#votes-{reply.id} button[value=pass]")).to_have_attribute("aria-pressed", "true")
    assert _my_votes() == [0, 1]
    assert page.url.endswith(f"/s/{hearing.section_id}")
    assert page.csp_errors == []
    assert page.js_errors == []


@pytest.mark.usefixtures("with_csrf")
def test_vote_on_statements_with_the_keyboard_only(live_server, hearing_with_comments: OpenHearing, desktop):  # noqa: F811
    page = desktop
    page.goto(f"{live_server}/h/{hearing_with_comments.public_id}/vote")
    first = page.locator("blockquote.statement-body").inner_text()
    tab_to(page, 'button[name="value"][value="agree"]', limit=60)
    page.keyboard.press("Enter")
    expect(page.locator("blockquote.statement-body")).not_to_have_text(first)
    # The card is swapped whole: focus goes to the next statement's first button, not back to the top of the page.
    expect(page.locator('button[name="value"][value="agree"]')).to_be_focused()
    tab_to(page, 'button[name="value"][value="pass"]', limit=2)
    page.keyboard.press("Space")
    expect(page.locator("blockquote.statement-body")).to_have_count(0)
    expect(page.locator("#statement-heading")).to_have_text("Du har stemt på alle utsagnene")
    expect(page.locator("#statement-heading")).to_be_focused()
    assert _my_votes() == [0, 1]
    assert page.js_errors == []
