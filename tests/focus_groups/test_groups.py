"""Planner services: create a focus group, change its settings, open it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.consultations.models import Access, ConsultationKind, ConsultationState
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.focus_groups import groups, guide
from civic.focus_groups.models import FocusGroupMode, PromptKind, PromptState, SessionState

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def _create(db, organisation, **values):
    values.setdefault("title", {"nb": "Fokusgruppe"})
    values.setdefault("starts_at", START)
    return groups.create_focus_group(db.session, organisation, actor=None, **values)


def test_fixtures_build_every_kind(create_focus_group, create_fg_participant):
    group = create_focus_group(
        prompts=[
            ("open", "Hva tenker du?"),
            (PromptKind.SINGLE_CHOICE, "Hvilken?", ["A", "B"]),
            (PromptKind.MULTIPLE_CHOICE, "Hvilke?", ["A", "B", "C"]),
            (PromptKind.RANKING, "Ranger", ["A", "B", "C"]),
            (PromptKind.STATEMENTS, "Enig?", ["Utsagn 1", "Utsagn 2"]),
        ]
    )
    assert [p.kind for p in group.prompts] == [k.value for k in PromptKind]
    assert group.prompts[1].options == [{"nb": "A"}, {"nb": "B"}]
    assert group.prompts[4].statements == [{"nb": "Utsagn 1"}, {"nb": "Utsagn 2"}]
    participant, key = create_fg_participant(group)
    other, other_key = create_fg_participant(group)
    assert key != other_key
    assert participant.pseudonym != other.pseudonym


def test_async_fixture_opens_all_prompts(create_focus_group):
    group = create_focus_group(mode=FocusGroupMode.ASYNC, prompts=[("open", "A"), ("open", "B")])
    assert group.consultation.state == ConsultationState.OPEN
    assert all(p.state == PromptState.OPEN for p in group.prompts)
    assert group.consultation.is_accepting_responses()


def test_create_makes_a_draft_focus_group_consultation(db, organisation):
    group = _create(db, organisation, capacity=12, duration_minutes=90, languages=["nb", "en"])
    consultation = group.consultation
    assert consultation.kind == ConsultationKind.FOCUS_GROUP
    assert consultation.state == ConsultationState.DRAFT
    assert consultation.access == Access.INVITED
    assert (group.mode, group.capacity, group.duration_minutes) == (FocusGroupMode.LIVE, 12, 90)
    assert group.state == SessionState.SCHEDULED
    assert groups.ends_at(group) == START + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"starts_at": None}, "start date and time"),
        ({"duration_minutes": 5}, "duration"),
        ({"capacity": 1}, "capacity"),
        ({"capacity": 5000}, "capacity"),
        ({"mode": FocusGroupMode.ASYNC, "async_days": 0}, "days"),
        ({"title": {"nb": ""}}, "title"),
    ],
)
def test_create_refuses_bad_settings(db, organisation, values, message):
    with pytest.raises(InvalidInputError, match=message):
        _create(db, organisation, **values)


def test_async_needs_no_start(db, organisation):
    group = _create(db, organisation, mode=FocusGroupMode.ASYNC, starts_at=None, async_days=3)
    assert group.starts_at is None


def test_update_settings_changes_group_and_consultation(db, organisation):
    group = _create(db, organisation)
    later = START + timedelta(days=1)
    groups.update_settings(
        db.session, group, title={"nb": "Ny"}, access=Access.PUBLIC, capacity=20, starts_at=later, languages=["nb"]
    )
    assert group.consultation.title == {"nb": "Ny"}
    assert group.consultation.access == Access.PUBLIC
    assert (group.capacity, group.starts_at) == (20, later)


def test_capacity_cannot_go_below_participants(db, organisation, create_focus_group, create_fg_participant):
    group = create_focus_group(capacity=5)
    for _ in range(3):
        create_fg_participant(group)
    with pytest.raises(InvalidInputError, match="3 participants"):
        groups.update_settings(db.session, group, capacity=2)
    groups.update_settings(db.session, group, capacity=3)
    assert group.capacity == 3


def test_started_session_keeps_its_schedule(db, create_focus_group):
    group = create_focus_group(session_state=SessionState.LIVE)
    with pytest.raises(StateError, match="started"):
        groups.update_settings(db.session, group, duration_minutes=120)
    # The same start (as the form shows it, to the minute) is no change; the capacity may still grow.
    groups.update_settings(db.session, group, starts_at=group.starts_at.replace(second=0, microsecond=0), capacity=80)
    assert group.capacity == 80


def test_mode_changes_only_in_draft(db, create_focus_group):
    group = create_focus_group()
    with pytest.raises(StateError, match="draft"):
        groups.update_settings(db.session, group, mode=FocusGroupMode.ASYNC)


def test_open_live_group(db, organisation):
    group = _create(db, organisation)
    with pytest.raises(StateError, match="at least one prompt"):
        groups.open_focus_group(db.session, group, actor=None)
    guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text={"nb": "Hva?"})
    groups.open_focus_group(db.session, group, actor=None)
    assert group.consultation.state == ConsultationState.OPEN
    assert group.consultation.is_accepting_responses()
    assert group.prompts[0].state == PromptState.PENDING  # the moderator pushes it
    assert group.consultation.state_changes[-1].to_state == ConsultationState.OPEN
    with pytest.raises(StateError, match="already open"):
        groups.open_focus_group(db.session, group, actor=None)


def test_open_async_group_starts_the_window_and_opens_all_prompts(db, organisation):
    group = _create(db, organisation, mode=FocusGroupMode.ASYNC, starts_at=None, async_days=5)
    guide.add_prompt(db.session, group, kind=PromptKind.OPEN, text={"nb": "Hva?"})
    guide.add_prompt(db.session, group, kind=PromptKind.SINGLE_CHOICE, text={"nb": "Hvilken?"}, options=["A", "B"])
    now = now_utc()
    groups.open_focus_group(db.session, group, actor=None, now=now)
    consultation = group.consultation
    assert consultation.opens_at == now
    assert consultation.closes_at == now + timedelta(days=5)
    assert all(p.state == PromptState.OPEN and p.opened_at == now for p in group.prompts)
    assert groups.guide_is_locked(group)
    # Lengthening the window while open moves the closing time.
    groups.update_settings(db.session, group, async_days=7)
    assert consultation.closes_at == now + timedelta(days=7)


def test_finished_session_cannot_reopen(db, create_focus_group):
    group = create_focus_group(state=ConsultationState.CLOSED, session_state=SessionState.FINISHED)
    with pytest.raises(StateError, match="finished"):
        groups.open_focus_group(db.session, group, actor=None)


def test_list_is_per_organisation(db, organisation, create_organisation, create_focus_group):
    mine = create_focus_group()
    other_org = create_organisation(slug="other", name="Other")
    groups.create_focus_group(db.session, other_org, actor=None, title={"nb": "X"}, starts_at=START)
    db.session.commit()
    assert groups.list_focus_groups(db.session, organisation.id) == [mine]
