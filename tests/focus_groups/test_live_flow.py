"""A live session end to end over HTTP: several simulated phones and a moderator.

Participants are separate test clients with their own cookies; they poll ``/f/<public_id>/live?v=`` as the page
does. The moderator acts through the live services (what the console's routes call) and commits, as a view would.
Covers: join, waiting room, push → visible to each via /live (204 before, 200 after), answers and edits, votes on
others' answers, hiding, the next push closing the previous prompt (409 keeps the typed text), shared results,
reconnecting, two tabs, capacity, finishing — and the transcript that results.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from civic.focus_groups import live
from civic.focus_groups.models import (
    Contribution,
    ContributionVote,
    FocusGroup,
    FocusGroupParticipant,
    PromptKind,
)
from civic.focus_groups.participation import cookie_name
from civic.focus_groups.transcript import build_transcript

OPEN_TEXT = "Hva synes du om bilfrie gater rundt skolene?"
POLL_TEXT = "Hvilken gate bør bli bilfri først?"
PROMPTS = [
    (PromptKind.OPEN, OPEN_TEXT),
    (PromptKind.SINGLE_CHOICE, POLL_TEXT, ["Årvollveien", "Tonsenveien", "Refstadveien"]),
]
HX = {"HX-Request": "true"}
VERSION = re.compile(r'data-version="(\d+)"')


class Phone:
    """One participant's browser: its own client (cookie jar) and the version its page shows."""

    def __init__(self, client: FlaskClient, public_id: str) -> None:
        self.client = client
        self.public_id = public_id
        self.version: int | None = None

    @property
    def base(self) -> str:
        return f"/f/{self.public_id}"

    def join(self) -> int:
        return self.client.post(f"{self.base}/join").status_code

    def open_page(self) -> str:
        response = self.client.get(self.base)
        assert response.status_code == 200
        self.version = int(VERSION.search(response.text).group(1))
        return response.text

    def poll(self) -> tuple[int, str]:
        """One /live request, as htmx sends it; remembers the new version when the stage changed."""
        response = self.client.get(f"{self.base}/live?v={self.version}", headers=HX)
        if response.status_code == 200:
            self.version = int(VERSION.search(response.text).group(1))
        return response.status_code, response.text

    def answer(self, prompt_id: int, **form) -> tuple[int, str]:
        response = self.client.post(f"{self.base}/prompts/{prompt_id}/answer", data=form, headers=HX)
        return response.status_code, response.text

    def vote(self, contribution_id: int, value: str) -> int:
        response = self.client.post(
            f"{self.base}/contributions/{contribution_id}/vote", data={"value": value}, headers=HX
        )
        return response.status_code

    @property
    def cookie(self) -> str:
        return self.client.get_cookie(cookie_name(self.public_id)).value


@pytest.fixture
def session_group(create_focus_group) -> FocusGroup:
    return create_focus_group(prompts=PROMPTS, capacity=4)


@pytest.fixture
def phone(app, session_group) -> Callable[[], Phone]:
    return lambda: Phone(app.test_client(), session_group.consultation.public_id)


def _commit(db, service, *args, **kwargs):
    result = service(db.session, *args, actor=None, **kwargs)
    db.session.commit()
    return result


def _contribution(db, prompt_id: int, participant_pseudonym: str) -> Contribution:
    return db.session.scalars(
        select(Contribution)
        .join(FocusGroupParticipant, FocusGroupParticipant.id == Contribution.participant_id)
        .where(Contribution.prompt_id == prompt_id, FocusGroupParticipant.pseudonym == participant_pseudonym)
    ).one()


def test_a_live_session_over_http(db, session_group, phone) -> None:
    group = session_group
    open_prompt, poll_prompt = group.prompts
    phones = [phone() for _ in range(3)]

    # Joining: everyone takes a seat and sees the waiting room; the poll is a 204 while nothing changes.
    for p in phones:
        assert p.join() == 303
        page = p.open_page()
        assert OPEN_TEXT not in page
        assert p.poll()[0] == 204
    assert db.session.scalar(select(func.count(FocusGroupParticipant.id))) == 3

    # Start and push: each phone's next poll brings the prompt with a newer version, and then 204 again.
    _commit(db, live.start_session, group)
    _commit(db, live.push_prompt, group, open_prompt)
    for p in phones:
        status, html = p.poll()
        assert status == 200
        assert OPEN_TEXT in html
        assert p.version == group.version
        assert p.poll()[0] == 204

    # Answers; an edit changes the one answer, never adds a second.
    texts = ["Tryggere skolevei for barna", "Bilene kjører for fort forbi skolen", "Det blir vanskelig å levere"]
    for p, text in zip(phones, texts, strict=True):
        status, html = p.answer(open_prompt.id, text=text)
        assert status == 200, html
    assert phones[2].answer(open_prompt.id, text="Vanskelig å levere barna med bil")[0] == 200
    assert db.session.scalar(select(func.count(Contribution.id))) == 3
    assert {c.text for c in db.session.scalars(select(Contribution))} == {
        *texts[:2],
        "Vanskelig å levere barna med bil",
    }

    # Votes on others' answers: the sample never holds one's own; changing a vote updates the one row.
    html = phones[0].open_page()
    sample = [int(i) for i in re.findall(r'id="fg-vote-(\d+)"', html)]
    own = db.session.scalars(select(Contribution).where(Contribution.text == texts[0])).one()
    assert own.id not in sample
    assert len(sample) == 2
    target = sample[0]
    assert phones[0].vote(target, "agree") == 200
    assert phones[0].vote(target, "disagree") == 200
    assert phones[1].vote(target, "agree") in (200, 403)  # own answer (403) or someone else's
    assert phones[0].vote(own.id, "agree") == 403
    voted = db.session.get(Contribution, target)
    db.session.refresh(voted)
    votes = db.session.scalars(select(ContributionVote).where(ContributionVote.contribution_id == target)).all()
    assert voted.agree_count == sum(v.value == 1 for v in votes)
    assert voted.disagree_count == sum(v.value == -1 for v in votes)
    assert voted.agree_count + voted.disagree_count + voted.pass_count == len(votes)

    # Hiding an answer: participants are told (version bump) and no longer get it to vote on.
    hidden = db.session.scalars(select(Contribution).where(Contribution.text == texts[1])).one()
    before = group.version
    _commit(db, live.set_hidden, group, hidden, True)
    assert group.version == before + 1
    assert phones[0].poll()[0] == 200
    assert f'id="fg-vote-{hidden.id}"' not in phones[0].open_page()

    # The next push closes the open prompt: a late answer gets 409 and keeps its text.
    _commit(db, live.push_prompt, group, poll_prompt)
    for p in phones:
        status, html = p.poll()
        assert status == 200
        assert POLL_TEXT in html
    status, html = phones[1].answer(open_prompt.id, text="Et sent svar som ikke må forsvinne")
    assert status == 409
    assert "Et sent svar som ikke må forsvinne" in html

    # The poll: answers, shared results reach every phone.
    for p, choice in zip(phones, ("0", "0", "2"), strict=True):
        assert p.answer(poll_prompt.id, choice=choice)[0] == 200
    _commit(db, live.share_results, group, poll_prompt)
    for p in phones:
        status, html = p.poll()
        assert status == 200
        assert "Årvollveien" in html
        assert "67" in html or "2" in html  # 2 of 3 chose it

    # Reconnecting (a new browser with the same cookie) and a second tab: the same participant, where the session is.
    again = phone()
    again.client.set_cookie(cookie_name(again.public_id), phones[2].cookie)
    page = again.open_page()
    assert POLL_TEXT in page
    assert again.version == group.version
    assert again.answer(poll_prompt.id, choice="1")[0] == 200
    assert db.session.scalar(select(func.count(Contribution.id)).where(Contribution.prompt_id == poll_prompt.id)) == 3
    assert db.session.scalar(select(func.count(FocusGroupParticipant.id))) == 3

    # Finishing: every phone gets the thank-you page; answers are refused with 409, typed text kept.
    _commit(db, live.finish_session, group)
    for p in phones:
        status, html = p.poll()
        assert status == 200
        assert "Thank you for taking part" in html
    status, html = phones[0].answer(poll_prompt.id, choice="1")
    assert status == 409

    # The transcript holds it all: three participants, the hidden answer marked, the moderator's actions.
    transcript = build_transcript(db.session, group)
    assert transcript.participant_count == 3
    assert sum(a.hidden for a in transcript.answers) == 1
    labels = [e.label for e in transcript.entries if e.kind == "action"]
    assert labels[0] == "Started the session"
    assert labels[-1] == "Finished the session"
    assert "Hid an answer" in labels


def test_capacity_rejoin_and_the_full_page(db, session_group, phone) -> None:
    phones = [phone() for _ in range(4)]
    for p in phones:
        assert p.join() == 303
    # Rejoining with the same cookie does not take a second seat.
    assert phones[0].join() == 303
    assert db.session.scalar(select(func.count(FocusGroupParticipant.id))) == 4
    late = phone()
    response = late.client.post(f"{late.base}/join")
    assert response.status_code == 409
    assert "This session is full" in response.text
    assert db.session.scalar(select(func.count(FocusGroupParticipant.id))) == 4
    assert late.client.get_cookie(cookie_name(late.public_id)) is None


def test_two_tabs_are_one_participant(db, session_group, phone) -> None:
    group = session_group
    first = phone()
    assert first.join() == 303
    second = phone()
    second.client.set_cookie(cookie_name(second.public_id), first.cookie)
    _commit(db, live.start_session, group)
    _commit(db, live.push_prompt, group, group.prompts[0])
    first.open_page()
    second.open_page()
    assert first.answer(group.prompts[0].id, text="Fra fanen til venstre")[0] == 200
    assert second.answer(group.prompts[0].id, text="Fra fanen til høyre")[0] == 200
    rows = db.session.scalars(select(Contribution)).all()
    assert [row.text for row in rows] == ["Fra fanen til høyre"]
    assert db.session.scalar(select(func.count(FocusGroupParticipant.id))) == 1


def test_live_poll_without_a_seat_or_for_an_unknown_group(db, session_group, phone) -> None:
    stranger = phone()
    assert stranger.client.get(f"{stranger.base}/live?v=0", headers=HX).status_code == 403
    assert stranger.client.get("/f/nope/live?v=0", headers=HX).status_code == 404
