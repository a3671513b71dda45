"""A resident takes part in a live focus group with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys
and typing; no clicks): joins, answers every kind of prompt the moderator pushes, and votes on others' answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from civic.extensions import db
from civic.focus_groups.models import Contribution, ContributionVote, FocusGroupParticipant
from tests.browser.conftest import wait_for_htmx_settle
from tests.browser.test_focus_group_participant import (  # noqa: F401 - focus_groups is the shared fixture
    Groups,
    _group_row,
    _others_answer,
    _push,
    focus_groups,
)
from tests.browser.test_resident_keyboard import focused, tab_to

pytestmark = pytest.mark.browser

ANSWER = "Tryggere skolevei for alle"


def _wait_for_prompt(page, group_id: int, index: int) -> str:
    """Wait until the pushed prompt ``index`` is on the stage; return the prompt's id prefix of field ids."""
    prompt_id = _group_row(group_id).prompts[index].id
    page.locator(f"#fg-stage[data-prompt='{prompt_id}'][data-kind='prompt']").wait_for(timeout=5000)
    wait_for_htmx_settle(page)
    return f"fg-{prompt_id}"


def _send(page) -> None:
    tab_to(page, "#fg-stage button[type=submit]", limit=60)
    page.keyboard.press("Enter")
    page.locator("#fg-stage .fg-saved").wait_for(timeout=5000)


def _mine(participant_id: int) -> dict[int, Contribution]:
    db.session.expire_all()
    rows = db.session.scalars(select(Contribution).where(Contribution.participant_id == participant_id))
    return {row.prompt_id: row for row in rows}


@pytest.mark.usefixtures("with_csrf")
def test_take_part_in_a_live_focus_group_with_the_keyboard_only(live_server, focus_groups: Groups, desktop):  # noqa: F811
    page = desktop
    group_id = focus_groups.live_id
    page.goto(f"{live_server}/f/{focus_groups.public_id}")
    tab_to(page, "main form button.primary")  # "Take part"
    page.keyboard.press("Enter")
    page.locator("#fg-stage[data-kind=waiting]").wait_for()
    [me] = db.session.scalars(select(FocusGroupParticipant).where(FocusGroupParticipant.focus_group_id == group_id))

    # An open prompt: type the answer and send it with Enter on the button.
    _others_answer(group_id, 0)
    _push(group_id, 0)
    base = _wait_for_prompt(page, group_id, 0)
    tab_to(page, f"#{base}-text", limit=60)
    page.keyboard.type(ANSWER)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#fg-stage button[type=submit]')"), focused(page)
    page.keyboard.press("Enter")
    page.locator(".fg-vote-item").first.wait_for(timeout=5000)
    wait_for_htmx_settle(page)

    # Vote on two others' answers: Enter on one, Space on the next.
    items = page.locator(".fg-vote-item")
    first_id, second_id = (items.nth(n).get_attribute("id") for n in range(2))
    tab_to(page, f"#{first_id} button[value=agree]", limit=60)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{first_id} button[value=agree]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#{first_id} button[value=agree]")).to_be_focused()  # not lost with the swapped item
    tab_to(page, f"#{second_id} button[value=disagree]", limit=60)
    page.keyboard.press("Space")
    expect(page.locator(f"#{second_id} button[value=disagree]")).to_have_attribute("aria-pressed", "true")

    # One choice with the arrow keys.
    _push(group_id, 1)
    base = _wait_for_prompt(page, group_id, 1)
    tab_to(page, f"#{base}-c0", limit=60)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#{base}-c1")).to_be_checked()
    _send(page)

    # Several choices with Space; Shift+Tab back to untick one.
    _push(group_id, 2)
    base = _wait_for_prompt(page, group_id, 2)
    for option in (0, 1, 2):
        tab_to(page, f"#{base}-c{option}", limit=60)
        page.keyboard.press("Space")
    tab_to(page, f"#{base}-c1", backwards=True, limit=3)
    page.keyboard.press("Space")
    _send(page)

    # A ranking: each option's position chosen with the arrow keys in its list.
    _push(group_id, 3)
    base = _wait_for_prompt(page, group_id, 3)
    for option, presses in ((0, 2), (1, 1), (2, 3)):  # Trygghet 2, Luft 1, Støy 3
        tab_to(page, f"#{base}-rank-{option}", limit=60)
        for _ in range(presses):
            page.keyboard.press("ArrowDown")
    _send(page)

    # Statements: agree with the first (Space), move to "pass" on the second with the arrow keys.
    _push(group_id, 4)
    base = _wait_for_prompt(page, group_id, 4)
    tab_to(page, f"#{base}-vote-0-agree", limit=60)
    page.keyboard.press("Space")
    tab_to(page, f"#{base}-vote-1-agree", limit=5)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#{base}-vote-1-pass")).to_be_checked()
    _send(page)

    prompts = _group_row(group_id).prompts
    answers = _mine(me.id)
    assert answers[prompts[0].id].text == ANSWER
    assert answers[prompts[1].id].choices == [1]
    assert answers[prompts[2].id].choices == [0, 2]
    assert answers[prompts[3].id].choices == [1, 0, 2]  # the options in ranked order: Luft, Trygghet, Støy
    assert answers[prompts[4].id].choices == [1, 0]  # agree, pass
    votes = db.session.scalars(select(ContributionVote.value).where(ContributionVote.participant_id == me.id)).all()
    assert sorted(votes) == [-1, 1]
    assert page.csp_errors == []
    assert page.js_errors == []
