"""The moderator's services: state checks, prompt life cycle, version bumps and the action log."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import ConsultationState
from civic.core.errors import InvalidInputError, StateError
from civic.focus_groups import live
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    FocusGroupMode,
    ModeratorAction,
    ModeratorActionKind,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
)
from tests.fixtures.app import TEST_DATABASE_URI

GUIDE = [(PromptKind.OPEN, "Først?"), (PromptKind.SINGLE_CHOICE, "Så?", ["Ja", "Nei"]), (PromptKind.OPEN, "Til slutt?")]


@pytest.fixture
def moderator(create_staff):
    return create_staff(Role.MODERATOR)


def _kinds(db, group) -> list[str]:
    return list(
        db.session.scalars(
            select(ModeratorAction.kind).where(ModeratorAction.focus_group_id == group.id).order_by(ModeratorAction.id)
        )
    )


def test_whole_session(db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE)
    first, second, third = group.prompts

    live.start_session(db.session, group, actor=moderator)
    assert group.state == SessionState.LIVE
    assert group.version == 1
    live.push_prompt(db.session, group, first, actor=moderator)
    assert group.current_prompt_id == first.id
    assert first.state == PromptState.OPEN
    live.push_prompt(db.session, group, second, actor=moderator)
    assert first.state == PromptState.CLOSED
    assert first.closed_at is not None
    live.close_prompt(db.session, group, second, actor=moderator)
    live.share_results(db.session, group, second, actor=moderator)
    assert second.results_shared_at is not None
    version = group.version
    live.share_results(db.session, group, second, actor=moderator)  # twice: nothing new
    assert group.version == version
    live.finish_session(db.session, group, actor=moderator)
    db.session.commit()

    assert group.state == SessionState.FINISHED
    assert group.consultation.state == ConsultationState.CLOSED
    assert third.state == PromptState.PENDING
    assert group.version == 6
    assert _kinds(db, group) == ["start", "push", "close_prompt", "push", "close_prompt", "share_results", "finish"]
    assert all(a.actor_id == moderator.id for a in db.session.scalars(select(ModeratorAction)).all())


def test_start_opens_a_draft_consultation(db, create_focus_group, moderator) -> None:
    group = create_focus_group(state=ConsultationState.DRAFT)
    live.start_session(db.session, group, actor=moderator)
    assert group.consultation.state == ConsultationState.OPEN


def test_closed_consultation_cannot_start(db, create_focus_group, moderator) -> None:
    group = create_focus_group(state=ConsultationState.CLOSED)
    with pytest.raises(StateError, match="reopen"):
        live.start_session(db.session, group, actor=moderator)


def test_actions_need_a_live_session(db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE)
    with pytest.raises(StateError, match="Start the session first"):
        live.push_prompt(db.session, group, group.prompts[0], actor=moderator)
    live.start_session(db.session, group, actor=moderator)
    with pytest.raises(StateError, match="already started"):
        live.start_session(db.session, group, actor=moderator)


def test_finished_session_refuses_everything(db, create_focus_group, create_fg_participant, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.FINISHED)
    participant, _key = create_fg_participant(group)
    contribution = Contribution(prompt_id=group.prompts[0].id, participant_id=participant.id, text="Hei")
    db.session.add(contribution)
    db.session.commit()
    calls = [
        lambda: live.start_session(db.session, group, actor=moderator),
        lambda: live.push_prompt(db.session, group, group.prompts[0], actor=moderator),
        lambda: live.add_follow_up(db.session, group, text="Mer?", lang="nb", actor=moderator),
        lambda: live.close_prompt(db.session, group, group.prompts[0], actor=moderator),
        lambda: live.share_results(db.session, group, group.prompts[0], actor=moderator),
        lambda: live.set_hidden(db.session, group, contribution, True, actor=moderator),
        lambda: live.set_highlight(db.session, group, contribution, True, actor=moderator),
        lambda: live.finish_session(db.session, group, actor=moderator),
    ]
    for call in calls:
        with pytest.raises(StateError, match="This session has finished"):
            call()


def test_push_refuses_open_closed_and_foreign_prompts(db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    other = create_focus_group(prompts=GUIDE, title={"nb": "Annen"})
    first = group.prompts[0]
    live.push_prompt(db.session, group, first, actor=moderator)
    with pytest.raises(StateError, match="already open"):
        live.push_prompt(db.session, group, first, actor=moderator)
    live.close_prompt(db.session, group, first, actor=moderator)
    with pytest.raises(StateError, match="follow-up"):
        live.push_prompt(db.session, group, first, actor=moderator)
    with pytest.raises(StateError, match="another focus group"):
        live.push_prompt(db.session, group, other.prompts[0], actor=moderator)
    with pytest.raises(StateError, match="not been asked"):
        live.share_results(db.session, group, group.prompts[1], actor=moderator)


def test_follow_up_goes_after_the_current_prompt_and_is_pushed(db, create_focus_group, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    first, second, third = group.prompts
    live.push_prompt(db.session, group, first, actor=moderator)

    follow_up = live.add_follow_up(
        db.session,
        group,
        text="Hvorfor?",
        lang="nb",
        kind=PromptKind.SINGLE_CHOICE,
        options="Fordi\n\nDerfor\n",
        actor=moderator,
    )
    db.session.commit()

    assert [p.id for p in group.prompts] == [first.id, follow_up.id, second.id, third.id]
    assert [p.position for p in group.prompts] == [0, 1, 2, 3]
    assert follow_up.follows_id == first.id
    assert follow_up.options == [{"nb": "Fordi"}, {"nb": "Derfor"}]
    assert group.current_prompt_id == follow_up.id
    assert first.state == PromptState.CLOSED
    assert _kinds(db, group)[-1] == ModeratorActionKind.FOLLOW_UP


@pytest.mark.parametrize(
    ("text", "kind", "options", "message"),
    [
        ("  ", PromptKind.OPEN, "", "Write the follow-up"),
        ("x" * 1001, PromptKind.OPEN, "", "at most 1000"),
        ("Velg", PromptKind.SINGLE_CHOICE, "Bare én", "2 to 20 options"),
        ("Ranger", PromptKind.RANKING, "A\nB", "open question or a poll"),
    ],
)
def test_bad_follow_up_changes_nothing(db, create_focus_group, moderator, text, kind, options, message) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    version = group.version
    with pytest.raises(InvalidInputError, match=message):
        live.add_follow_up(db.session, group, text=text, lang="nb", kind=kind, options=options, actor=moderator)
    assert len(group.prompts) == 3
    assert group.version == version


def test_hide_and_highlight(db, create_focus_group, create_fg_participant, moderator) -> None:
    group = create_focus_group(prompts=GUIDE, session_state=SessionState.LIVE)
    prompt = group.prompts[0]
    live.push_prompt(db.session, group, prompt, actor=moderator)
    participant, _key = create_fg_participant(group)
    contribution = Contribution(prompt_id=prompt.id, participant_id=participant.id, text="Hei")
    db.session.add(contribution)
    db.session.flush()
    version = group.version

    live.set_highlight(db.session, group, contribution, True, actor=moderator)
    assert contribution.is_highlighted
    assert group.version == version
    live.set_hidden(db.session, group, contribution, True, actor=moderator)
    assert contribution.is_hidden
    assert not contribution.is_highlighted
    assert group.version == version + 1  # voting on an open prompt shows others' answers
    with pytest.raises(StateError, match="cannot be highlighted"):
        live.set_highlight(db.session, group, contribution, True, actor=moderator)
    live.set_hidden(db.session, group, contribution, False, actor=moderator)
    assert _kinds(db, group)[-3:] == ["highlight", "hide", "unhide"]


def test_async_groups_have_no_session(db, create_focus_group, moderator) -> None:
    group = create_focus_group(mode=FocusGroupMode.ASYNC)
    with pytest.raises(StateError, match="asynchronous"):
        live.start_session(db.session, group, actor=moderator)
    with pytest.raises(StateError, match="asynchronous"):
        live.finish_session(db.session, group, actor=moderator)


def test_presence_and_counts(db, create_focus_group, create_fg_participant) -> None:
    from datetime import timedelta

    from civic.core.timeutils import now_utc

    group = create_focus_group()
    create_fg_participant(group)
    create_fg_participant(group, last_seen_at=now_utc() - timedelta(minutes=5))
    assert live.present_count(db.session, group) == 1
    assert live.participant_count(db.session, group) == 2


@pytest.mark.skipif(TEST_DATABASE_URI.startswith("sqlite"), reason="row locks: PostgreSQL only")
def test_concurrent_moderators_leave_one_open_prompt_and_count_every_bump(app, db, create_focus_group, create_staff):
    """Several moderators push different prompts at the same moment: one open prompt, no lost version bump."""
    group = create_focus_group(
        prompts=[(PromptKind.OPEN, f"Spørsmål {n}") for n in range(6)], session_state=SessionState.LIVE
    )
    user = create_staff(Role.MODERATOR)
    urls = [f"/manage/focus-groups/{group.consultation_id}/console/prompts/{p.id}/push" for p in group.prompts]
    user_id = user.get_id()
    db.session.commit()  # the test's own transaction must hold no locks
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def push(url: str) -> None:
        try:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user_id
            barrier.wait(timeout=20)
            statuses.append(client.post(url).status_code)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    db.session.expire_all()
    assert sorted(statuses) == [303] * len(urls)
    prompts = db.session.scalars(select(Prompt).where(Prompt.focus_group_id == group.id)).all()
    assert [p.state for p in prompts].count(PromptState.OPEN) == 1
    assert db.session.get(FocusGroup, group.id).version == len(urls)
