"""A resident on a phone comments on a hearing section, replies and votes; with and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from civic.accounts.models import Organisation
from civic.extensions import db
from civic.hearings import services
from civic.hearings.models import Comment, CommentState, Vote
from tests.browser.conftest import axe_violations
from tests.fixtures.hearings import PROPOSAL

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}


@dataclass
class OpenHearing:
    public_id: str
    section_id: int


@pytest.fixture
def open_hearing(live_app) -> OpenHearing:
    from civic.consultations.models import ConsultationState

    organisation = Organisation(
        slug="bjerke", name="Bydel Bjerke", parent_name="Oslo kommune", contact_email="postmottak@bjerke.example"
    )
    db.session.add(organisation)
    db.session.flush()
    hearing = services.create_hearing(
        db.session,
        organisation,
        actor=None,
        title={"nb": "Boligsoneparkering i Bjerke", "en": "Residents' parking in Bjerke"},
        summary={"nb": "Si hva du mener om forslaget."},
        document=PROPOSAL,
        languages=["nb", "en"],
    )
    hearing.consultation.state = ConsultationState.OPEN
    db.session.commit()
    return OpenHearing(hearing.consultation.public_id, hearing.sections[1].id)


def _no_horizontal_scroll(page) -> None:
    size = page.viewport_size
    page.set_viewport_size(NARROWEST)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST["width"]
    page.set_viewport_size(size)


def _stored() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def _my_votes() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(Vote.value)))


def _vote_endpoint(live_app) -> None:
    if "hearings_votes.vote" not in live_app.view_functions:
        pytest.fail("the vote endpoint hearings_votes.vote is missing (built by helper 'votes')")


@pytest.mark.usefixtures("with_csrf")
def test_comment_reply_and_vote_on_a_phone(live_app, live_server, open_hearing, phone, page_errors):
    _vote_endpoint(live_app)
    page = phone
    page.goto(f"{live_server}/h/{open_hearing.public_id}")
    assert axe_violations(page) == []
    _no_horizontal_scroll(page)

    page.locator(f"a[href$='/s/{open_hearing.section_id}']").first.click()
    page.wait_for_url(f"**/s/{open_hearing.section_id}")
    assert axe_violations(page) == []

    # An empty comment: the region comes back with an error summary, through htmx (the URL stays).
    page.locator("#rules-new").check()
    page.locator("#form-new button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.locator("#body-new").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert axe_violations(page) == []

    page.locator("#body-new").fill("Beboerkort bør koste mindre for pensjonister.")
    page.locator("#rules-new").check()
    page.locator("#form-new button[type=submit]").click()
    page.locator("#comments-notice").wait_for()
    [comment] = _stored()
    assert comment.state == CommentState.PUBLISHED
    assert page.locator(f"#c-{comment.id} .comment-text").inner_text() == comment.body
    assert page.locator("#rules-new").count() == 0  # the house rules are accepted once

    page.locator(f"#c-{comment.id} details.comment-action summary").first.click()
    page.locator(f"#body-reply-{comment.id}").fill("Enig, og studenter også.")
    page.locator(f"#form-reply-{comment.id} button[type=submit]").click()
    page.locator(f"#c-{comment.id} .replies .comment-text").wait_for()
    reply = _stored()[1]
    assert (reply.parent_id, reply.depth) == (comment.id, 1)

    agree = page.locator(f"#votes-{reply.id} button[value=agree]")
    agree.click()
    page.locator(f"#votes-{reply.id} button[value=agree][aria-pressed=true]").wait_for()
    assert page.locator(f"#votes-{reply.id} button[value=agree] .vote-count").inner_text() == "1"
    disagree = page.locator(f"#votes-{comment.id} button[value=disagree]")
    disagree.click()
    page.locator(f"#votes-{comment.id} button[value=disagree][aria-pressed=true]").wait_for()
    assert sorted(_my_votes()) == [-1, 1]
    assert page.url.endswith(f"/s/{open_hearing.section_id}")  # htmx did it all in place
    assert axe_violations(page) == []
    _no_horizontal_scroll(page)
    assert page_errors == []
    assert page.csp_errors == []


@pytest.mark.usefixtures("with_csrf")
def test_comment_reply_and_vote_without_javascript(live_app, live_server, open_hearing, no_js):
    _vote_endpoint(live_app)
    page = no_js
    section_url = f"{live_server}/h/{open_hearing.public_id}/s/{open_hearing.section_id}"
    page.goto(section_url)

    # Forgetting the house rules: the server says so and keeps the text.
    page.locator("#body-new").fill("Gjør sonen større.")
    page.locator("#form-new button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.locator("#body-new").input_value() == "Gjør sonen større."
    assert page.locator("#rules-new").get_attribute("aria-invalid") == "true"
    assert _stored() == []

    page.locator("#rules-new").check()
    page.locator("#form-new button[type=submit]").click()
    page.wait_for_url("**/s/*#c-*")
    [comment] = _stored()
    assert page.locator(f"#c-{comment.id} .comment-text").inner_text() == "Gjør sonen større."
    assert page.locator(".flash-success").count() == 1

    page.locator(f"#c-{comment.id} details.comment-action summary").first.click()  # <details> needs no script
    page.locator(f"#body-reply-{comment.id}").fill("Helt enig.")
    page.locator(f"#form-reply-{comment.id} button[type=submit]").click()
    page.wait_for_url(f"**#c-{comment.id + 1}")
    reply = _stored()[1]
    assert reply.parent_id == comment.id

    page.locator(f"#votes-{reply.id} button[value=pass]").click()
    page.wait_for_url(f"**/s/{open_hearing.section_id}#c-{reply.id}")
    assert page.locator(f"#votes-{reply.id} button[value=pass]").get_attribute("aria-pressed") == "true"
    assert page.locator(f"#votes-{reply.id} button[value=pass] .vote-count").inner_text() == "1"
    assert _my_votes() == [0]
