"""A focus-group participant on a phone: every page passes axe-core's WCAG 2.1 A/AA rules and fits 320 px; the
stage follows the moderator without a reload (htmx polling) and keeps what is being typed; without JavaScript the
"check for the next question" button does the same job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.accounts.models import Organisation
from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.extensions import db
from civic.focus_groups import groups, guide, live
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    PromptKind,
)
from tests.browser.conftest import axe_violations, wait_for_htmx_settle

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}
GUIDE = [
    {
        "kind": PromptKind.OPEN,
        "text": {"nb": "Hva synes du om bilfrie gater rundt skolene?"},
        "help_text": {"nb": "Skriv fritt."},
    },
    {
        "kind": PromptKind.SINGLE_CHOICE,
        "text": {"nb": "Hvilken skole går barna dine på?"},
        "options": ["Årvoll", "Linderen", "Tonsenhagen"],
    },
    {
        "kind": PromptKind.MULTIPLE_CHOICE,
        "text": {"nb": "Hvilke tiltak vil du ha?"},
        "options": ["Fartshumper", "Gatetun", "Sykkelfelt"],
    },
    {"kind": PromptKind.RANKING, "text": {"nb": "Ranger det viktigste"}, "options": ["Trygghet", "Luft", "Støy"]},
    {
        "kind": PromptKind.STATEMENTS,
        "text": {"nb": "Hva mener du om dette?"},
        "statements": ["Foreldre bør gå med barna", "Bussen bør få kjøre"],
    },
]


@dataclass
class Groups:
    live_id: int
    public_id: str
    invited_public_id: str
    async_public_id: str


def _group(organisation, *, mode=FocusGroupMode.LIVE, access=Access.PUBLIC, capacity=50, title="Bilfrie gater"):
    group = groups.create_focus_group(
        db.session,
        organisation,
        actor=None,
        title={"nb": title, "en": title},
        summary={"nb": "Snakk med oss."},
        languages=["nb", "nn", "en"],
        access=access,
        mode=mode,
        capacity=capacity,
        starts_at=now_utc() + timedelta(hours=1) if mode == FocusGroupMode.LIVE else None,
    )
    for fields in GUIDE:
        guide.add_prompt(db.session, group, **fields)
    group.consultation.state = ConsultationState.OPEN
    if mode == FocusGroupMode.ASYNC:
        group.consultation.opens_at = now_utc()
        group.consultation.closes_at = now_utc() + timedelta(days=7)
        groups.open_all_prompts(group)
    return group


@pytest.fixture
def focus_groups(live_app) -> Groups:
    organisation = Organisation(
        slug="bjerke", name="Bydel Bjerke", parent_name="Oslo kommune", contact_email="postmottak@bjerke.example"
    )
    db.session.add(organisation)
    db.session.flush()
    live_group = _group(organisation)
    invited = _group(organisation, access=Access.INVITED, title="Kun inviterte")
    async_group = _group(organisation, mode=FocusGroupMode.ASYNC, title="Over en uke")
    db.session.commit()
    return Groups(
        live_group.id,
        live_group.consultation.public_id,
        invited.consultation.public_id,
        async_group.consultation.public_id,
    )


def _audit(page, name: str, audits: dict[str, list]) -> None:
    page.wait_for_load_state()
    problems = list(axe_violations(page))
    size = page.viewport_size
    page.set_viewport_size(NARROWEST)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    if width > NARROWEST["width"]:
        problems.append({"id": "horizontal-scroll", "scrollWidth": width})
    audits[name] = problems


def _group_row(group_id: int) -> FocusGroup:
    db.session.expire_all()
    return db.session.get_one(FocusGroup, group_id)


def _push(group_id: int, index: int) -> None:
    group = _group_row(group_id)
    if group.state == "scheduled":
        live.start_session(db.session, group, actor=None)
    live.push_prompt(db.session, group, group.prompts[index], actor=None)
    db.session.commit()


def _others_answer(group_id: int, prompt_index: int, count: int = 3) -> None:
    group = _group_row(group_id)
    prompt = group.prompts[prompt_index]
    for number in range(count):
        participant = FocusGroupParticipant(
            focus_group_id=group.id, key_hash=hash_token(new_token()), pseudonym=f"Deltaker {2000 + number}"
        )
        db.session.add(participant)
        db.session.flush()
        db.session.add(
            Contribution(prompt_id=prompt.id, participant_id=participant.id, text=f"Et annet svar nummer {number}")
        )
    db.session.commit()


def test_participant_pages_have_no_wcag_violations(live_server, focus_groups, phone, page_errors, with_csrf):
    base = f"{live_server}/f/{focus_groups.public_id}"
    audits: dict[str, list] = {}

    phone.goto(base)
    _audit(phone, "landing", audits)
    phone.locator("main form button.primary").click()
    phone.locator("#fg-stage[data-kind=waiting]").wait_for()
    _audit(phone, "waiting room", audits)

    # The moderator pushes the first prompt: it appears without a reload.
    _push(focus_groups.live_id, 0)
    textarea = phone.locator("#fg-stage textarea[name=text]")
    textarea.wait_for(timeout=5000)
    _audit(phone, "open prompt", audits)

    phone.locator("#fg-stage button[type=submit]").click()  # empty: 422 with the form again
    phone.locator("#fg-stage .error-summary").wait_for()
    _audit(phone, "open prompt with error", audits)

    # Typing survives a moderator action that changes the version (another answer hidden/highlighted).
    _others_answer(focus_groups.live_id, 0)
    textarea = phone.locator("#fg-stage textarea[name=text]")
    textarea.fill("Tryggere skolevei for alle")
    group = _group_row(focus_groups.live_id)
    other = db.session.scalar(select(Contribution).where(Contribution.text == "Et annet svar nummer 2"))
    live.set_highlight(db.session, group, other, True, actor=None)
    db.session.commit()
    phone.wait_for_function(
        f"document.querySelector('#fg-stage').dataset.version === '{_group_row(focus_groups.live_id).version}'",
        timeout=5000,
    )
    assert phone.locator("#fg-stage textarea[name=text]").input_value() == "Tryggere skolevei for alle"

    phone.locator("#fg-stage button[type=submit]").click()
    phone.locator(".fg-vote-item").first.wait_for()
    wait_for_htmx_settle(phone)
    _audit(phone, "answered, voting on others", audits)
    phone.locator(".fg-vote-item").first.locator("button[value=agree]").click()
    phone.locator(".fg-vote-item button[aria-pressed=true]").first.wait_for()
    _audit(phone, "after a vote", audits)

    for index, name in ((1, "single choice"), (2, "multiple choice"), (3, "ranking"), (4, "statements")):
        _push(focus_groups.live_id, index)
        phone.locator(f"#fg-stage[data-prompt='{_group_row(focus_groups.live_id).prompts[index].id}']").wait_for(
            timeout=5000
        )
        _audit(phone, name, audits)

    phone.locator("#fg-stage input[name=vote-0][value=agree]").check()
    phone.locator("#fg-stage input[name=vote-1][value=pass]").check()
    phone.locator("#fg-stage button[type=submit]").click()
    phone.locator("#fg-stage .fg-saved").wait_for()

    group = _group_row(focus_groups.live_id)
    prompt = group.prompts[4]
    live.close_prompt(db.session, group, prompt, actor=None)
    live.share_results(db.session, group, prompt, actor=None)
    db.session.commit()
    phone.locator("#fg-stage .fg-results").wait_for(timeout=5000)
    _audit(phone, "shared results", audits)

    live.finish_session(db.session, _group_row(focus_groups.live_id), actor=None)
    db.session.commit()
    phone.locator("#fg-stage[data-kind=finished]").wait_for(timeout=5000)
    _audit(phone, "finished", audits)

    phone.goto(f"{live_server}/f/{focus_groups.invited_public_id}")
    _audit(phone, "invited only", audits)

    phone.goto(f"{live_server}/f/{focus_groups.async_public_id}")
    phone.locator("main form button.primary").click()
    phone.locator(".fg-progress").wait_for()
    _audit(phone, "async prompt with progress", audits)

    assert page_errors == []
    assert phone.csp_errors == []
    assert {name: problems for name, problems in audits.items() if problems} == {}


def test_full_session_page(live_server, focus_groups, phone):
    group = _group_row(focus_groups.live_id)
    group.capacity = 2
    for number in range(2):
        db.session.add(
            FocusGroupParticipant(
                focus_group_id=group.id, key_hash=hash_token(new_token()), pseudonym=f"Deltaker {3000 + number}"
            )
        )
    db.session.commit()
    phone.goto(f"{live_server}/f/{focus_groups.public_id}")
    phone.locator("main form button.primary").click()
    phone.locator("#fg-full-heading").wait_for()
    assert axe_violations(phone) == []


def test_without_javascript_the_check_button_shows_the_next_question(live_server, focus_groups, no_js, with_csrf):
    no_js.goto(f"{live_server}/f/{focus_groups.public_id}")
    no_js.locator("main form button.primary").click()
    no_js.locator("#fg-stage[data-kind=waiting]").wait_for()
    _push(focus_groups.live_id, 1)
    no_js.locator(".fg-check a").click()
    no_js.locator("#fg-stage[data-kind=prompt]").wait_for()
    no_js.locator("#fg-stage input[name=choice]").nth(1).check()
    no_js.locator("#fg-stage button[type=submit]").click()
    no_js.locator("#fg-stage .fg-saved").wait_for()
    db.session.expire_all()
    assert [c.choices for c in db.session.scalars(select(Contribution))] == [[1]]
