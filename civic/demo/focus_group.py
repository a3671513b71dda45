"""The demo focus groups of Bydel Bjerke: a live session later today, an asynchronous one, and a finished one.

* "Bilfrie gater rundt skolene – fokusgruppe": live, starts two hours after seeding, open (waiting room), invited
  residents only, a six-prompt guide with every prompt kind, and a draft campaign whose texts say when it is.
  ``flask demo-info`` prints fresh personal links to it.
* "Møteplasser for unge i Bjerke": asynchronous, open for a week since two days ago, public, a few answers.
* "… fokusgruppe med foreldre": the same guide held ten days ago with 25 parents: answers, a follow-up, votes on
  answers, polls and statements, a hidden answer, highlights and every moderator action, so the transcript,
  exports and analysis have content.

Groups and guides go through the planner services (groups.py, guide.py); the finished session's history is
written as rows with the live engine's invariants (states, timestamps in the past, one ModeratorAction per step,
``version`` raised by exactly the actions participants see, vote counters equal to the votes), because the live
services stamp "now". Deterministic (seeded RNG) and inserted in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.campaigns.audience import AudienceCriteria
from civic.campaigns.models import ChannelPolicy
from civic.campaigns.services import create_campaign
from civic.consultations.models import Access, Consultation, ConsultationState
from civic.consultations.services import change_state
from civic.core.tokens import hash_token, new_token
from civic.demo import focus_group_answers as answers
from civic.demo import focus_group_content as content
from civic.focus_groups import groups, guide
from civic.focus_groups.models import (
    Contribution,
    FocusGroup,
    FocusGroupMode,
    FocusGroupParticipant,
    ModeratorAction,
    ModeratorActionKind,
    Prompt,
    PromptKind,
    PromptState,
    SessionState,
)

SEED = 5151
LIVE_STARTS_IN = timedelta(hours=2)
FINISHED_AGO = timedelta(days=10)
ASYNC_OPENED_AGO = timedelta(days=2)
FINISHED_PARTICIPANTS = 25
ASYNC_PARTICIPANTS = 9
#: Minutes each prompt of the finished session stayed open.
PROMPT_MINUTES = 7
AGE_BANDS = ("30-44", "30-44", "30-44", "45-66", "16-29")
DISTRICTS = ("Årvoll", "Linderud", "Tonsenhagen", "Veitvet", "Risløkka")
HOUSEHOLDS = ("family_with_children", "family_with_children", "family_with_children", "single_parent")


@dataclass
class DemoFocusGroups:
    live: FocusGroup
    asynchronous: FocusGroup
    finished: FocusGroup


def find_demo_focus_group(
    session: Session, organisation: Organisation, title: dict[str, str] = content.LIVE_TITLE
) -> FocusGroup | None:
    return session.scalar(
        select(FocusGroup)
        .join(Consultation, Consultation.id == FocusGroup.consultation_id)
        .where(Consultation.organisation_id == organisation.id, Consultation.title["nb"].as_string() == title["nb"])
    )


def seed_focus_groups(
    session: Session, organisation: Organisation, admin: StaffUser, *, now: datetime
) -> DemoFocusGroups:
    """Create whichever demo focus group is missing; return all three."""
    rng = random.Random(SEED)
    live = find_demo_focus_group(session, organisation) or _live(session, organisation, admin, now)
    asynchronous = find_demo_focus_group(session, organisation, content.ASYNC_TITLE) or _asynchronous(
        session, organisation, admin, now, rng
    )
    finished = find_demo_focus_group(session, organisation, content.FINISHED_TITLE) or _finished(
        session, organisation, admin, now, rng
    )
    session.flush()
    return DemoFocusGroups(live, asynchronous, finished)


def _create(
    session: Session,
    organisation: Organisation,
    admin: StaffUser,
    *,
    title: dict[str, str],
    summary: dict[str, str],
    guide_specs: list[dict[str, Any]],
    **settings: Any,
) -> FocusGroup:
    group = groups.create_focus_group(
        session, organisation, actor=admin, title=title, summary=summary, languages=content.LANGUAGES, **settings
    )
    for spec in guide_specs:
        guide.add_prompt(session, group, **spec)
    return group


def _live(session: Session, organisation: Organisation, admin: StaffUser, now: datetime) -> FocusGroup:
    """Today's session, open for seats (the waiting room), with a draft invitation campaign to parents."""
    starts = now + LIVE_STARTS_IN
    starts = starts.replace(minute=starts.minute - starts.minute % 5, second=0, microsecond=0)
    group = _create(
        session,
        organisation,
        admin,
        title=content.LIVE_TITLE,
        summary=content.LIVE_SUMMARY,
        guide_specs=content.GUIDE,
        access=Access.INVITED,
        mode=FocusGroupMode.LIVE,
        starts_at=starts,
        duration_minutes=60,
        capacity=30,
    )
    groups.open_focus_group(session, group, actor=admin, now=now)
    campaign = create_campaign(
        session,
        organisation,
        actor=admin,
        name="Fokusgruppe: foreldre ved skolene i Bjerke",
        consultation_id=group.consultation_id,
        channel_policy=ChannelPolicy.EMAIL_THEN_SMS,
    )
    campaign.criteria = AudienceCriteria(
        age_min=25, sub_districts=("Årvoll", "Linderud"), child_age_min=6, child_age_max=12
    ).to_json()
    campaign.reminder_after_days = 1
    campaign.reminder_max = 0
    return group


def _asynchronous(
    session: Session, organisation: Organisation, admin: StaffUser, now: datetime, rng: random.Random
) -> FocusGroup:
    """A week-long public group two days in: a few young residents on their way through the guide."""
    opened = now - ASYNC_OPENED_AGO
    group = _create(
        session,
        organisation,
        admin,
        title=content.ASYNC_TITLE,
        summary=content.ASYNC_SUMMARY,
        guide_specs=content.ASYNC_GUIDE,
        access=Access.PUBLIC,
        mode=FocusGroupMode.ASYNC,
        async_days=7,
        capacity=200,
    )
    groups.open_focus_group(session, group, actor=admin, now=opened)
    participants = _participants(session, group, ASYNC_PARTICIPANTS, opened, rng, invited=False, span_hours=40)
    stances = {pid: "all" for pid in participants}
    pools = {0: content.ASYNC_MEET, 3: content.ASYNC_BUILD}
    rows = []
    for n, pid in enumerate(participants):
        # Each goes through the guide in order at their own pace; the last few are not done yet.
        done = len(group.prompts) if n < ASYNC_PARTICIPANTS - 3 else 1 + n % 2
        at = opened + timedelta(hours=3 + 4 * n)
        for prompt in group.prompts[:done]:
            at += timedelta(minutes=rng.randint(1, 6))
            rows.append(answers.answer_row(prompt, pid, stances[pid], at, rng, pools.get(prompt.position)))
    answers.insert_answers_and_votes(session, group.prompts, rows, stances, rng)
    return group


def _finished(
    session: Session, organisation: Organisation, admin: StaffUser, now: datetime, rng: random.Random
) -> FocusGroup:
    """The session held ten days ago, from the first push to the finish, as the live engine would have left it."""
    start = (now - FINISHED_AGO).replace(hour=17, minute=0, second=0, microsecond=0)
    group = _create(
        session,
        organisation,
        admin,
        title=content.FINISHED_TITLE,
        summary=content.FINISHED_SUMMARY,
        guide_specs=content.GUIDE[:1],
        access=Access.INVITED,
        mode=FocusGroupMode.LIVE,
        starts_at=start,
        duration_minutes=60,
        capacity=30,
    )
    first = group.prompts[0]
    follow_up = guide.add_prompt(session, group, kind=PromptKind.OPEN, text=content.FOLLOW_UP, max_length=600)
    follow_up.follows_id = first.id
    for spec in content.GUIDE[1:]:
        guide.add_prompt(session, group, **spec)
    consultation = group.consultation
    change_state(session, consultation, ConsultationState.OPEN, actor=admin, now=start - timedelta(days=7))
    consultation.opens_at = start - timedelta(days=7)

    participants = _participants(session, group, FINISHED_PARTICIPANTS, start - timedelta(minutes=15), rng)
    stances = {pid: ("for" if rng.random() < 0.62 else "against") for pid in participants}
    actions: list[dict[str, Any]] = []

    def act(kind: ModeratorActionKind, at: datetime, prompt: Prompt | None = None, bump: bool = True) -> None:
        actions.append({"kind": kind, "at": at, "prompt_id": prompt.id if prompt else None, "bump": bump})

    act(ModeratorActionKind.START, start)
    at = start + timedelta(minutes=2)
    pools = {1: content.FOLLOW_UP_ANSWERS, 6: content.ONE_THING}  # the first prompt's answers are composed
    rows: list[dict[str, Any]] = []
    for prompt in group.prompts:
        prompt.state = PromptState.CLOSED
        prompt.opened_at = at
        prompt.closed_at = at + timedelta(minutes=PROMPT_MINUTES - 1)
        act(ModeratorActionKind.FOLLOW_UP if prompt is follow_up else ModeratorActionKind.PUSH, at, prompt)
        answering = [pid for pid in participants if rng.random() < (0.7 if prompt is follow_up else 0.93)]
        for pid in answering:
            answered = at + timedelta(seconds=rng.randint(40, 60 * (PROMPT_MINUTES - 2)))
            rows.append(answers.answer_row(prompt, pid, stances[pid], answered, rng, pools.get(prompt.position)))
        act(ModeratorActionKind.CLOSE_PROMPT, prompt.closed_at, prompt)
        if prompt.kind != PromptKind.OPEN:
            prompt.results_shared_at = prompt.closed_at + timedelta(seconds=20)
            act(ModeratorActionKind.SHARE_RESULTS, prompt.results_shared_at, prompt)
        at += timedelta(minutes=PROMPT_MINUTES)
    last = group.prompts[-1]
    last.results_shared_at = last.closed_at + timedelta(seconds=20)
    act(ModeratorActionKind.SHARE_RESULTS, last.results_shared_at, last)

    # A parent named a neighbour and her phone number: the moderator hid it while the prompt was open.
    hidden = next(row for row in rows if row["prompt_id"] == first.id)
    hidden.update(text=content.HIDDEN_ANSWER, is_hidden=True, created_at=first.opened_at + timedelta(minutes=1))
    hidden["updated_at"] = hidden["created_at"]
    contributions = answers.insert_answers_and_votes(session, group.prompts, rows, stances, rng)
    hidden_id = contributions[id(hidden)]
    actions.append(
        {"kind": ModeratorActionKind.HIDE, "at": first.opened_at + timedelta(minutes=4), "prompt_id": first.id,
         "contribution_id": hidden_id, "bump": True}
    )  # fmt: skip
    # Two answers to the last prompt brought up in the discussion (after its results were shared: seen by all).
    best = sorted((r for r in rows if r["prompt_id"] == last.id), key=lambda r: -r["agree_count"])[:2]
    for n, row in enumerate(best):
        row_id = contributions[id(row)]
        session.get_one(Contribution, row_id).is_highlighted = True
        actions.append(
            {"kind": ModeratorActionKind.HIGHLIGHT, "at": last.results_shared_at + timedelta(seconds=30 * (n + 1)),
             "prompt_id": last.id, "contribution_id": row_id, "bump": True}
        )  # fmt: skip

    finished = at + timedelta(minutes=1)
    act(ModeratorActionKind.FINISH, finished)
    group.state = SessionState.FINISHED
    group.started_at = start
    group.finished_at = finished
    group.current_prompt_id = last.id
    group.version = sum(1 for action in actions if action["bump"])
    change_state(session, consultation, ConsultationState.CLOSED, actor=admin, now=finished)
    consultation.closes_at = finished
    actions.sort(key=lambda action: action["at"])
    session.execute(
        insert(ModeratorAction.__table__),
        [
            {
                "focus_group_id": group.id,
                "kind": str(action["kind"]),
                "actor_id": admin.id,
                "prompt_id": action["prompt_id"],
                "contribution_id": action.get("contribution_id"),
                "detail": {},
                "at": action["at"],
            }
            for action in actions
        ],
    )
    return group


def _participants(
    session: Session,
    group: FocusGroup,
    count: int,
    joined: datetime,
    rng: random.Random,
    *,
    invited: bool = True,
    span_hours: float = 0.25,
) -> list[int]:
    numbers = rng.sample(range(1000, 10000), count)
    rows = []
    for i, number in enumerate(numbers):
        at = joined + timedelta(hours=span_hours * i / count)
        rows.append(
            {
                "focus_group_id": group.id,
                "key_hash": hash_token(new_token()),  # the keys were in links and cookies; none are kept
                "pseudonym": f"Deltaker {number}",
                "invited": invited,
                "age_band": rng.choice(AGE_BANDS) if invited else "",
                "district": rng.choice(DISTRICTS) if invited else "",
                "household_type": rng.choice(HOUSEHOLDS) if invited else "",
                "joined_at": at,
                "last_seen_at": at + timedelta(minutes=60),
            }
        )
    table = FocusGroupParticipant.__table__
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
