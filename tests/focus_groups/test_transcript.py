"""The transcript page: prompts, answers in words (hidden ones marked), votes and moderator actions, in order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic.accounts.models import Role
from civic.consultations.models import ConsultationState
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    ModeratorAction,
    ModeratorActionKind,
    PromptKind,
    PromptState,
    SessionState,
)
from civic.focus_groups.transcript import build_transcript

PROMPTS = [
    (PromptKind.OPEN, "Hva synes du om bilfrie gater?"),
    (PromptKind.SINGLE_CHOICE, "Hvilken gate først?", ["Årvollveien", "Tonsenveien"]),
    (PromptKind.RANKING, "Ranger tiltakene", ["Fartshumper", "Gågate", "Sykkelfelt"]),
    (PromptKind.STATEMENTS, "Hva mener du?", ["Bilene kjører for fort", "Foreldre bør gå"]),
]


@pytest.fixture
def finished_session(db, create_focus_group, create_fg_participant, planner) -> FocusGroup:
    """A finished live session: four prompts pushed and closed, four answers (one hidden, one highlighted)."""
    group = create_focus_group(prompts=PROMPTS, session_state=SessionState.FINISHED, state=ConsultationState.CLOSED)
    start = group.started_at - timedelta(minutes=30)
    anna, _ = create_fg_participant(group, pseudonym="Deltaker 1111")
    bo, _ = create_fg_participant(group, pseudonym="Deltaker 2222")
    open_prompt, poll, ranking, statements = group.prompts

    def action(kind: ModeratorActionKind, minute: int, **values) -> None:
        db.session.add(
            ModeratorAction(
                focus_group_id=group.id, kind=kind, actor_id=planner.id, at=start + timedelta(minutes=minute), **values
            )
        )

    def answer(prompt, who, minute: int, **values) -> Contribution:
        at = start + timedelta(minutes=minute)
        contribution = Contribution(prompt_id=prompt.id, participant_id=who.id, created_at=at, updated_at=at, **values)
        db.session.add(contribution)
        db.session.flush()
        return contribution

    action(ModeratorActionKind.START, 0)
    for number, prompt in enumerate(group.prompts):
        prompt.state = PromptState.CLOSED
        prompt.opened_at = start + timedelta(minutes=1 + 10 * number)
        prompt.closed_at = start + timedelta(minutes=9 + 10 * number)
        action(ModeratorActionKind.PUSH, 1 + 10 * number, prompt_id=prompt.id)
    good = answer(open_prompt, anna, 2, text="Tryggere skolevei for barna", agree_count=1, pass_count=1)
    rude = answer(open_prompt, bo, 3, text='=HYPERLINK("http://x")', is_hidden=True)
    answer(poll, anna, 12, choices=[1])
    answer(ranking, bo, 22, choices=[2, 0, 1])
    answer(statements, anna, 32, choices=[1, -1])
    action(ModeratorActionKind.HIGHLIGHT, 4, contribution_id=good.id, prompt_id=open_prompt.id)
    good.is_highlighted = True
    action(ModeratorActionKind.HIDE, 5, contribution_id=rude.id, prompt_id=open_prompt.id)
    action(ModeratorActionKind.CLOSE_PROMPT, 9, prompt_id=open_prompt.id)
    action(ModeratorActionKind.FINISH, 40)
    db.session.commit()
    return group


def test_transcript_lists_everything_in_order(db, finished_session) -> None:
    transcript = build_transcript(db.session, finished_session)
    times = [entry.at for entry in transcript.entries]
    assert times == sorted(times)
    assert [p.number for p in transcript.prompts] == [1, 2, 3, 4]
    assert transcript.participant_count == 2
    kinds = [entry.kind for entry in transcript.entries]
    assert kinds.count("answer") == 5
    assert kinds[0] == "action"
    assert transcript.entries[-1].label == "Finished the session"
    # Prompts 2–4 were closed without an action: their closing comes from the prompt's own time.
    assert kinds.count("closed") == 3
    assert kinds.count("opened") == 0


def test_answers_are_written_in_words(db, finished_session) -> None:
    texts = {a.prompt.number: a.text for a in build_transcript(db.session, finished_session).answers if not a.hidden}
    assert texts[1] == "Tryggere skolevei for barna"
    assert texts[2] == "Tonsenveien"
    assert texts[3] == "1. Sykkelfelt; 2. Fartshumper; 3. Gågate"
    assert texts[4] == "Bilene kjører for fort: Agree; Foreldre bør gå: Disagree"


def test_page_shows_hidden_marked_and_votes(client, auth, planner, finished_session) -> None:
    auth.login(planner)
    response = client.get(f"/manage/focus-groups/{finished_session.consultation_id}/transcript")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tryggere skolevei for barna" in page
    assert "1 agree, 0 disagree, 1 pass" in page
    assert "Hidden" in page
    assert "is-hidden" in page
    assert "Highlighted an answer" in page
    assert "Deltaker 2222" in page
    assert planner.name in page
    assert "transcript.csv" in page


def test_viewer_sees_transcript_without_export(client, auth, create_staff, finished_session) -> None:
    auth.login(create_staff(Role.VIEWER))
    response = client.get(f"/manage/focus-groups/{finished_session.consultation_id}/transcript")
    assert response.status_code == 200
    assert "transcript.csv" not in response.get_data(as_text=True)
    assert client.get(f"/manage/focus-groups/{finished_session.consultation_id}/transcript.csv").status_code == 403


def test_other_organisation_and_other_kinds_get_404(
    client, auth, create_staff, create_organisation, create_hearing, finished_session
) -> None:
    other = create_organisation(slug="grorud", name="Bydel Grorud")
    auth.login(create_staff(Role.PLANNER, email="p@grorud.no", org=other))
    assert client.get(f"/manage/focus-groups/{finished_session.consultation_id}/transcript").status_code == 404
    hearing = create_hearing()
    auth.logout()
    auth.login(create_staff(Role.PLANNER, email="p2@bjerke.no"))
    assert client.get(f"/manage/focus-groups/{hearing.consultation_id}/transcript").status_code == 404
    assert client.get("/manage/focus-groups/999999/transcript").status_code == 404


def test_empty_focus_group_has_an_empty_transcript(client, auth, planner, create_focus_group) -> None:
    group = create_focus_group()
    auth.login(planner)
    response = client.get(f"/manage/focus-groups/{group.consultation_id}/transcript")
    assert response.status_code == 200
    assert "Nothing has happened in this focus group yet." in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, finished_session) -> None:
    response = client.get(f"/manage/focus-groups/{finished_session.consultation_id}/transcript")
    assert response.status_code in (302, 303)
    assert "login" in response.headers["Location"]
