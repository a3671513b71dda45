"""Taking a seat: capacity, rejoining, personal links, the poll's last-seen throttle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.core.errors import NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.focus_groups import participation
from civic.focus_groups.models import FocusGroupMode, FocusGroupParticipant, SessionState
from civic.outreach.links import issue_link
from civic.outreach.models import Invitation


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(FocusGroupParticipant))


def test_capacity_counts_seats_and_rejoin_never_counts_twice(db, create_focus_group):
    group = create_focus_group(capacity=2)
    first, key = participation.join_public(db.session, group, None)
    second, _key = participation.join_public(db.session, group, None)
    assert first.pseudonym.startswith("Participant ")
    assert participation.join_public(db.session, group, key)[0].id == first.id
    with pytest.raises(participation.SessionFullError) as full:
        participation.join_public(db.session, group, None)
    assert full.value.status_code == 409
    assert "full" in full.value.message
    assert _count(db) == 2
    assert second.id != first.id


def test_invited_only_refuses_public_join(db, create_focus_group):
    group = create_focus_group(access=Access.INVITED)
    with pytest.raises(NotAllowedError):
        participation.join_public(db.session, group, None)


@pytest.mark.parametrize(
    ("state", "session_state", "mode"),
    [
        (ConsultationState.CLOSED, SessionState.SCHEDULED, FocusGroupMode.LIVE),
        (ConsultationState.OPEN, SessionState.FINISHED, FocusGroupMode.LIVE),
        (ConsultationState.CLOSED, SessionState.SCHEDULED, FocusGroupMode.ASYNC),
    ],
)
def test_no_new_seats_after_the_end(db, create_focus_group, state, session_state, mode):
    group = create_focus_group(state=state, session_state=session_state, mode=mode)
    with pytest.raises(StateError):
        participation.join_public(db.session, group, None)
    assert _count(db) == 0


def test_live_group_may_be_joined_while_live(db, create_focus_group):
    group = create_focus_group(session_state=SessionState.LIVE)
    participant, _key = participation.join_public(db.session, group, None)
    assert participant.id


def test_join_with_link_is_stable_and_copies_coarse_segments(db, create_focus_group):
    group = create_focus_group(access=Access.INVITED)
    invitation = Invitation(consultation_id=group.consultation_id, age_band="60-69", household_type="alone")
    db.session.add(invitation)
    db.session.flush()
    token = issue_link(db.session, invitation.id)
    found_group, participant, key = participation.join_with_link(db.session, token)
    again = participation.join_with_link(db.session, token)
    assert found_group.id == group.id
    assert again[1].id == participant.id
    assert participant.invited
    assert participant.age_band == "60-69"
    assert participant.household_type == "alone"
    assert key == participation.link_participant_key(token)
    assert invitation.opened_at is not None
    assert participation.join_with_link(db.session, "unknown") is None
    participation.mark_link_invitation_responded(db.session, key)
    assert invitation.responded_at is not None


def test_link_of_a_full_group(db, create_focus_group, create_fg_participant):
    group = create_focus_group(capacity=2)
    create_fg_participant(group)
    create_fg_participant(group)
    invitation = Invitation(consultation_id=group.consultation_id)
    db.session.add(invitation)
    db.session.flush()
    token = issue_link(db.session, invitation.id)
    with pytest.raises(participation.SessionFullError):
        participation.join_with_link(db.session, token)


def test_touch_seen_writes_at_most_every_30_seconds(db, create_focus_group, create_fg_participant):
    group = create_focus_group()
    participant, _key = create_fg_participant(group)
    now = now_utc()
    assert not participation.touch_seen(db.session, participant.id, now - timedelta(seconds=10), now)
    assert participation.touch_seen(db.session, participant.id, now - timedelta(seconds=31), now)
