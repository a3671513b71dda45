"""The demo focus groups: a live session later today, an asynchronous one, and a finished one with its history."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from civic.campaigns.models import Campaign, CampaignState
from civic.campaigns.services import check_ready
from civic.consultations.models import Access, ConsultationState
from civic.core.timeutils import now_utc
from civic.demo import focus_group as demo_focus_group
from civic.demo import focus_group_content as content
from civic.demo import seed
from civic.focus_groups.models import (
    Contribution,
    ContributionVote,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    ModeratorAction,
    ModeratorActionKind,
    PromptKind,
    PromptState,
    SessionState,
)
from civic.outreach.links import find_invitation
from civic.registry.factory import registry_from_config


def _group(db, seeded, title=content.LIVE_TITLE) -> FocusGroup:
    group = demo_focus_group.find_demo_focus_group(db.session, seeded.organisation, title)
    assert group is not None
    return group


def _utc(value):
    return value.replace(tzinfo=now_utc().tzinfo) if value.tzinfo is None else value


def test_live_group_opens_today_with_every_prompt_kind(db, seeded):
    group = _group(db, seeded)
    assert group.mode == FocusGroupMode.LIVE
    assert group.state == SessionState.SCHEDULED
    assert group.consultation.state == ConsultationState.OPEN
    assert group.consultation.access == Access.INVITED
    assert timedelta(hours=1, minutes=50) <= _utc(group.starts_at) - now_utc() <= timedelta(hours=2)
    assert [p.kind for p in group.prompts] == [
        PromptKind.OPEN,
        PromptKind.SINGLE_CHOICE,
        PromptKind.MULTIPLE_CHOICE,
        PromptKind.RANKING,
        PromptKind.STATEMENTS,
        PromptKind.OPEN,
    ]
    assert all(p.state == PromptState.PENDING for p in group.prompts)
    assert all(set(p.text) == {"nb", "en"} for p in group.prompts)


def test_async_group_is_open_with_participants_on_their_way(db, seeded):
    group = _group(db, seeded, content.ASYNC_TITLE)
    assert group.mode == FocusGroupMode.ASYNC
    assert group.consultation.is_accepting_responses()
    assert all(p.state == PromptState.OPEN for p in group.prompts)
    answers = db.session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.prompt_id.in_([p.id for p in group.prompts]))
    )
    assert answers > demo_focus_group.ASYNC_PARTICIPANTS


def test_finished_session_has_a_consistent_history(db, seeded):
    group = _group(db, seeded, content.FINISHED_TITLE)
    assert group.state == SessionState.FINISHED
    assert group.consultation.state == ConsultationState.CLOSED
    assert all(p.state == PromptState.CLOSED for p in group.prompts)
    [follow_up] = [p for p in group.prompts if p.follows_id]
    assert follow_up.follows_id == group.prompts[0].id
    participants = db.session.scalar(
        select(func.count()).select_from(FocusGroupParticipant).where(FocusGroupParticipant.focus_group_id == group.id)
    )
    assert participants == demo_focus_group.FINISHED_PARTICIPANTS

    actions = db.session.scalars(
        select(ModeratorAction).where(ModeratorAction.focus_group_id == group.id).order_by(ModeratorAction.at)
    ).all()
    kinds = [a.kind for a in actions]
    assert kinds[0] == ModeratorActionKind.START
    assert kinds[-1] == ModeratorActionKind.FINISH
    assert kinds.count(ModeratorActionKind.PUSH) == len(group.prompts) - 1
    assert kinds.count(ModeratorActionKind.FOLLOW_UP) == 1
    assert ModeratorActionKind.HIDE in kinds
    assert ModeratorActionKind.HIGHLIGHT in kinds
    # Every action of this session was one participants saw, so each raised the version once.
    assert group.version == len(actions)

    prompt_ids = [p.id for p in group.prompts]
    contributions = db.session.scalars(select(Contribution).where(Contribution.prompt_id.in_(prompt_ids))).all()
    assert len(contributions) > 5 * demo_focus_group.FINISHED_PARTICIPANTS
    [hidden] = [c for c in contributions if c.is_hidden]
    assert hidden.text == content.HIDDEN_ANSWER
    assert sum(c.is_highlighted for c in contributions) == 2
    for contribution in contributions:
        counted = dict(
            db.session.execute(
                select(ContributionVote.value, func.count())
                .where(ContributionVote.contribution_id == contribution.id)
                .group_by(ContributionVote.value)
            ).all()
        )
        assert (contribution.agree_count, contribution.disagree_count, contribution.pass_count) == (
            counted.get(1, 0),
            counted.get(-1, 0),
            counted.get(0, 0),
        )
    votes = db.session.scalars(
        select(ContributionVote).where(ContributionVote.contribution_id.in_([c.id for c in contributions]))
    ).all()
    assert len(votes) > 50
    authors = {c.id: c.participant_id for c in contributions}
    assert all(v.participant_id != authors[v.contribution_id] for v in votes)  # nobody votes on their own answer
    assert not any(v.contribution_id == hidden.id for v in votes)


def test_seeding_again_adds_no_second_group(db, seeded):
    before = db.session.scalar(select(func.count()).select_from(FocusGroup))
    seed.seed_demo(db.session)
    db.session.commit()
    assert before == 3
    assert db.session.scalar(select(func.count()).select_from(FocusGroup)) == 3


def test_demo_info_prints_focus_group_links_that_resolve(app, db, seeded):
    result = app.test_cli_runner().invoke(args=["demo-info", "--base-url", "http://demo.test"])
    assert result.exit_code == 0, result.output
    live = _group(db, seeded)
    assert f"http://demo.test/f/{live.consultation.public_id}/calendar.ics" in result.output
    tokens = re.findall(r"http://demo\.test/f/join/([A-Za-z0-9_-]+)", result.output)
    assert len(tokens) == 3
    for token in tokens:
        invitation = find_invitation(db.session, token)
        assert invitation is not None
        assert invitation.consultation_id == live.consultation_id


def test_calendar_of_the_live_demo_group(client, db, seeded):
    live = _group(db, seeded)
    response = client.get(f"/f/{live.consultation.public_id}/calendar.ics")
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.data


def test_reset_removes_the_focus_groups(db, seeded):
    seed.reset_demo(db.session)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FocusGroup)) == 0
    assert db.session.scalar(select(func.count()).select_from(ModeratorAction)) == 0


def test_live_group_has_a_draft_campaign_whose_texts_say_when(app, db, seeded):
    live = _group(db, seeded)
    campaign = db.session.scalars(select(Campaign).where(Campaign.consultation_id == live.consultation_id)).one()
    assert campaign.state == CampaignState.DRAFT
    invitation = next(t for t in campaign.templates if (t.purpose, t.language) == ("invitation", "nb"))
    assert "{when}" in invitation.email_body
    assert "{calendar_link}" in invitation.sms_body
    counts = check_ready(
        db.session, campaign, registry=registry_from_config(app.config), today=now_utc().date(), now=now_utc()
    )
    assert 0 < counts.reachable < counts.matched


def test_personal_link_of_a_focus_group_leads_to_its_seat(app, db, client, seeded):
    """/p/<token> is the link in every invitation; a focus group's takes the resident to /f/join/<token>.

    Needs the redirect in civic/surveys/views/public.py
    (/work/briefs/patches/invite-civic_surveys_views_public.py.diff).
    """
    live = _group(db, seeded)
    [token] = seed.create_personal_links(db.session, live.consultation, 1)
    db.session.commit()
    response = client.get(f"/p/{token}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/f/join/{token}")
    seat = client.get(response.headers["Location"])
    assert seat.status_code == 303
    assert seat.headers["Location"].endswith(f"/f/{live.consultation.public_id}")
