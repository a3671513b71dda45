"""Seed, reset and describe the demo municipality (Bydel Bjerke) and its parking survey."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, insert, or_, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, OrganisationKind, Role, StaffUser
from civic.accounts.services import create_staff, find_staff_by_email
from civic.campaigns.audience import AudienceCriteria
from civic.campaigns.models import ChannelPolicy
from civic.campaigns.services import create_campaign
from civic.consultations.models import (
    Access,
    Consultation,
    ConsultationKind,
    ConsultationState,
    ConsultationStateChange,
)
from civic.core.db import Base
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token, response_key_hash
from civic.demo import focus_group as demo_focus_group
from civic.demo import hearing as demo_hearing
from civic.demo import insight as demo_insight
from civic.demo import report as demo_report
from civic.demo import responses, survey_content
from civic.focus_groups.calendar import format_when
from civic.outreach.links import issue_links
from civic.outreach.models import Channel, Invitation, coarse_day
from civic.surveys.answering import field_name
from civic.surveys.models import Answer, Survey, SurveyResponse

SLUG = "bjerke"
# Only for the local demo: printed by `flask demo-info`, never use it for a real deployment.
DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105
STAFF = (
    ("admin@bjerke.demo", "Ada Administrator", Role.ADMIN),
    ("planner@bjerke.demo", "Per Planlegger", Role.PLANNER),
    ("moderator@bjerke.demo", "Mona Moderator", Role.MODERATOR),
    ("viewer@bjerke.demo", "Vilde Visning", Role.VIEWER),
)
OPEN_DAYS = 10
CLOSES_IN = timedelta(weeks=3)
# Like the real Bjerke survey: 6,000 residents invited by personal link; most answers come through those links,
# the rest through the public link (which carries no segment: segments come only from invitations).
INVITED_SHARE = 0.9
TOTAL_INVITATIONS = 6000
# Last year's pre-study, whose report is published: fewer residents, asked by personal link only.
PAST_CLOSED_AGO = timedelta(days=300)
PAST_RESPONSES = 640
PAST_INVITATIONS = 3000
DEMO_LINK_SEGMENTS = (
    {"age_band": "30-44", "district": "Årvoll", "household_type": "family_with_children"},
    {"age_band": "67+", "district": "Linderud", "household_type": "couple"},
    {"age_band": "16-29", "district": "Økern", "household_type": "shared"},
)


@dataclass
class SeedResult:
    """What seeding did; ``personal_tokens`` are shown once and never stored."""

    organisation: Organisation
    consultation: Consultation
    created: bool
    submitted: int = 0
    drafts: int = 0
    personal_tokens: list[str] = field(default_factory=list)


@dataclass
class DemoInfo:
    """What a visitor needs to try the demo."""

    organisation: Organisation
    consultation: Consultation
    staff: list[tuple[str, str]]
    password: str
    personal_tokens: list[str]
    hearing_public_id: str | None = None
    focus_groups: FocusGroupInfo | None = None


@dataclass
class FocusGroupInfo:
    """The demo focus groups' addresses; ``tokens`` are fresh personal links to the live session."""

    live_public_id: str
    live_consultation_id: int
    when: str
    tokens: list[str]
    async_public_id: str
    finished_consultation_id: int


def find_demo(session: Session) -> tuple[Organisation | None, Consultation | None]:
    """Return the demo organisation and its parking survey consultation, if seeded."""
    organisation = session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if organisation is None:
        return None, None
    candidates = session.scalars(
        select(Consultation)
        .where(Consultation.organisation_id == organisation.id, Consultation.kind == ConsultationKind.SURVEY)
        .order_by(Consultation.id)
    ).all()
    consultation = next((c for c in candidates if c.title.get("nb") == survey_content.TITLE["nb"]), None)
    return organisation, consultation


def seed_demo(session: Session, *, now: datetime | None = None, reset: bool = False) -> SeedResult:
    """Create whatever part of the demo is missing; with ``reset``, drop the demo organisation first."""
    now = now or now_utc()
    if reset:
        reset_demo(session)
    organisation = _organisation(session)
    admin = _staff(session, organisation)
    hearing = demo_hearing.seed_hearing(session, organisation, admin, now=now)
    focus_groups = demo_focus_group.seed_focus_groups(session, organisation, admin, now=now)
    _org, consultation = find_demo(session)
    if consultation is not None:
        return SeedResult(organisation, consultation, created=False)
    consultation = _consultation(
        session, organisation, admin, opens_at=now - timedelta(days=OPEN_DAYS), closes_at=now + CLOSES_IN
    )
    generated = responses.generate(now=now, opens_at=consultation.opens_at or now)
    _survey_with_responses(session, consultation, generated, TOTAL_INVITATIONS)
    _campaign(session, organisation, admin, consultation)
    _past_survey_with_report(session, organisation, admin, now)
    tokens = create_personal_links(session, consultation)
    demo_insight.queue_demo_runs(
        session,
        hearing=hearing.consultation,
        survey=consultation,
        actor=admin,
        focus_group=focus_groups.finished.consultation,
    )
    submitted = sum(1 for g in generated if g.state == "submitted")
    return SeedResult(organisation, consultation, True, submitted, len(generated) - submitted, tokens)


def _survey_with_responses(
    session: Session, consultation: Consultation, generated: list[responses.GeneratedResponse], invitations: int
) -> None:
    """Build the parking survey's questions for ``consultation`` and insert the generated responses."""
    built = survey_content.build_survey(consultation)
    session.add(built.survey)
    session.flush()
    survey_content.wire_conditions(built)
    session.flush()
    _insert_responses(session, built, generated, invitations)


def _past_survey_with_report(session: Session, organisation: Organisation, admin: StaffUser, now: datetime) -> None:
    """Last year's pre-study, closed, with its public report published (what politicians and the public read)."""
    closes_at = now - PAST_CLOSED_AGO
    opens_at = closes_at - timedelta(weeks=4)
    consultation = _consultation(
        session,
        organisation,
        admin,
        opens_at=opens_at,
        closes_at=closes_at,
        title=demo_report.PAST_TITLE,
        state=ConsultationState.CLOSED,
    )
    generated = responses.generate(
        now=closes_at, opens_at=opens_at, submitted=PAST_RESPONSES, drafts=0, seed=responses.SEED - 1
    )
    _survey_with_responses(session, consultation, generated, PAST_INVITATIONS)
    demo_report.publish_past_report(session, consultation, admin, published_at=closes_at + timedelta(weeks=3))


def _campaign(session: Session, organisation: Organisation, admin: StaffUser, consultation: Consultation) -> None:
    """A draft campaign the planner can inspect, adjust and send to the synthetic registry (outbox in the demo)."""
    campaign = create_campaign(
        session,
        organisation,
        actor=admin,
        name="Parkering: beboere i Årvoll og Risløkka",
        consultation_id=consultation.id,
        channel_policy=ChannelPolicy.EMAIL_THEN_SMS,
    )
    campaign.criteria = AudienceCriteria(age_min=18, sub_districts=("Årvoll", "Risløkka")).to_json()
    campaign.reminder_after_days = 5
    campaign.reminder_max = 1
    session.flush()


def create_personal_links(session: Session, consultation: Consultation, count: int = 3) -> list[str]:
    """Create ``count`` invitations with one unused link each; return the tokens (only their hashes are stored)."""
    invitations = [
        Invitation(
            consultation_id=consultation.id, channel=Channel.LINK, **DEMO_LINK_SEGMENTS[i % len(DEMO_LINK_SEGMENTS)]
        )
        for i in range(count)
    ]
    session.add_all(invitations)
    session.flush()
    return issue_links(session, [invitation.id for invitation in invitations])


def demo_info(session: Session, *, links: int = 3) -> DemoInfo | None:
    """Return logins and links for the seeded demo with ``links`` fresh personal links; None if unseeded."""
    organisation, consultation = find_demo(session)
    if organisation is None or consultation is None:
        return None
    staff = [(email, str(role)) for email, _name, role in STAFF if find_staff_by_email(session, email)]
    tokens = create_personal_links(session, consultation, links)
    hearing = demo_hearing.find_demo_hearing(session, organisation)
    hearing_public_id = hearing.consultation.public_id if hearing else None
    return DemoInfo(
        organisation,
        consultation,
        staff,
        DEMO_PASSWORD,
        tokens,
        hearing_public_id,
        _focus_group_info(session, organisation, links),
    )


def _focus_group_info(session: Session, organisation: Organisation, links: int) -> FocusGroupInfo | None:
    live = demo_focus_group.find_demo_focus_group(session, organisation)
    asynchronous = demo_focus_group.find_demo_focus_group(session, organisation, demo_focus_group.content.ASYNC_TITLE)
    finished = demo_focus_group.find_demo_focus_group(session, organisation, demo_focus_group.content.FINISHED_TITLE)
    if live is None or asynchronous is None or finished is None:
        return None
    return FocusGroupInfo(
        live_public_id=live.consultation.public_id,
        live_consultation_id=live.consultation_id,
        when=format_when(live, live.consultation, "en"),
        tokens=create_personal_links(session, live.consultation, links),
        async_public_id=asynchronous.consultation.public_id,
        finished_consultation_id=finished.consultation_id,
    )


def reset_demo(session: Session) -> bool:
    """Delete the demo organisation and every row that hangs off it; return False if there was none."""
    organisation = session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if organisation is None:
        return False
    # Walk foreign keys generically so tables other domains add later are cleaned up too.
    tables = Base.metadata.sorted_tables
    owned: dict[str, Any] = {"organisations": Base.metadata.tables["organisations"].c.id == organisation.id}
    for table in tables:
        conditions = [owned[table.name]] if table.name in owned else []
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent is table or parent.name not in owned:
                continue
            conditions.append(fk.parent.in_(select(fk.column).where(owned[parent.name])))
        if conditions:
            owned[table.name] = or_(*conditions)
    session.flush()
    session.expunge_all()  # the ORM copies would be stale after the Core deletes
    for table in reversed(tables):
        if table.name in owned:
            _clear_self_references(session, table, owned[table.name])
            session.execute(delete(table).where(owned[table.name]))
    session.flush()
    return True


def _clear_self_references(session: Session, table: Table, condition: Any) -> None:
    # A row may point at a sibling in the same table (display conditions); unlink before deleting.
    for fk in table.foreign_keys:
        if fk.column.table is table:
            session.execute(table.update().where(condition).values({fk.parent.name: None}))


def _organisation(session: Session) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if organisation is None:
        organisation = Organisation(
            slug=SLUG,
            name="Bydel Bjerke",
            kind=OrganisationKind.DISTRICT,
            parent_name="Oslo kommune",
            primary_color="#2a2859",
            accent_color="#1f42aa",
            contact_email="postmottak@bjerke.demo",
        )
        session.add(organisation)
        session.flush()
    return organisation


def _staff(session: Session, organisation: Organisation) -> StaffUser:
    """Create the missing demo staff accounts and return the admin."""
    users = []
    for email, name, role in STAFF:
        user = find_staff_by_email(session, email)
        if user is None:
            user = create_staff(session, organisation, email=email, name=name, role=role, password=DEMO_PASSWORD)
        users.append(user)
    return users[0]


def _consultation(
    session: Session,
    organisation: Organisation,
    admin: StaffUser,
    *,
    opens_at: datetime,
    closes_at: datetime,
    title: dict[str, str] = survey_content.TITLE,
    state: ConsultationState = ConsultationState.OPEN,
) -> Consultation:
    consultation = Consultation(
        organisation=organisation,
        public_id=secrets.token_urlsafe(12),
        kind=ConsultationKind.SURVEY,
        state=state,
        access=Access.PUBLIC,
        title=title,
        summary=survey_content.SUMMARY,
        body=survey_content.BODY,
        languages=list(survey_content.LANGUAGES),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=admin.id,
        created_at=opens_at - timedelta(days=6),
    )
    session.add(consultation)
    session.flush()
    steps = [ConsultationState.DRAFT, ConsultationState.OPEN] + ([state] if state != ConsultationState.OPEN else [])
    for before, after, at in zip(steps, steps[1:], (opens_at, closes_at), strict=False):
        session.add(
            ConsultationStateChange(
                consultation_id=consultation.id, from_state=before, to_state=after, actor_id=admin.id, at=at
            )
        )
    return consultation


def _insert_responses(
    session: Session,
    built: survey_content.BuiltSurvey,
    generated: list[responses.GeneratedResponse],
    invitations: int,
) -> None:
    """Bulk-insert invitations, responses and answers (Core inserts keep seeding to a few seconds)."""
    survey: Survey = built.survey
    invitation_ids = _insert_invitations(session, survey.consultation, generated, invitations)
    # Like the answering flow: public-link responses carry the hash of their cookie's draft key, personal-link
    # responses a second hash of their link's token (both discarded here), and unfinished responses keep only
    # the raw form values (typed answers are written on submit).
    rows = [
        {
            "survey_id": survey.id,
            "draft_key_hash": response_key_hash(new_token()) if i in invitation_ids else hash_token(new_token()),
            "state": g.state,
            "survey_version": survey.version,
            "locale": g.resident.locale,
            "draft_data": _raw_values(built, g.answers) if g.state == "draft" else {},
            "age_band": g.resident.age_band if i in invitation_ids else "",
            "district": g.resident.district if i in invitation_ids else "",
            "household_type": g.resident.household_type if i in invitation_ids else "",
            "started_at": g.started_at,
            "submitted_at": g.submitted_at,
            "updated_at": g.submitted_at or g.started_at,
        }
        for i, g in enumerate(generated)
    ]
    ids = session.scalars(_core_insert(SurveyResponse, returning=True), rows).all()
    empty = {"choice_keys": [], "text": None, "number": None, "date_value": None, "lat": None, "lon": None}
    answers = [
        {**empty, **values, "response_id": response_id, "question_id": built.questions[slug].id}
        for response_id, g in zip(ids, generated, strict=True)
        if g.state == "submitted"
        for slug, values in g.answers.items()
    ]
    session.execute(_core_insert(Answer), answers)
    session.flush()


def _core_insert(model: type[Base], *, returning: bool = False) -> Any:
    # Core, not ORM, bulk inserts: the ORM splits rows with NULLs into groups and sends them one by one.
    table = model.__table__
    statement = insert(table)
    return statement.returning(table.c.id, sort_by_parameter_order=True) if returning else statement


def _raw_values(built: survey_content.BuiltSurvey, answers: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Return answers as the form values the answering flow keeps in a draft ({"q12": ["yes"]})."""
    raw = {}
    for slug, value in answers.items():
        name = field_name(built.questions[slug])
        if value.get("choice_keys"):
            raw[name] = list(value["choice_keys"])
        elif value.get("number") is not None:
            raw[name] = [str(int(value["number"]))]
        elif value.get("date_value") is not None:
            raw[name] = [value["date_value"].isoformat()]
        elif value.get("text"):
            raw[name] = [value["text"]]
    return raw


def _insert_invitations(
    session: Session, consultation: Consultation, generated: list[responses.GeneratedResponse], total: int
) -> dict[int, int]:
    """Create invitations for some submitted responses and some unanswered ones; map response index → id."""
    consultation_id = consultation.id
    rng = random.Random(responses.SEED + 1)
    invited = [i for i, g in enumerate(generated) if g.state == "submitted" and rng.random() < INVITED_SHARE]
    opens_at = consultation.opens_at or min(g.started_at for g in generated)
    rows: list[dict[str, Any]] = []
    for i in invited:
        g = generated[i]
        sent_at = max(g.started_at - timedelta(hours=rng.uniform(0.2, 72)), opens_at)
        rows.append(_invitation_row(rng, consultation_id, g.resident, sent_at, g.started_at, g.submitted_at))
    for _ in range(total - len(invited)):
        resident = responses.make_resident(rng)
        sent_at = opens_at + timedelta(hours=rng.uniform(0, 48))
        opened_at = sent_at + timedelta(hours=rng.uniform(0.1, 30)) if rng.random() < 0.35 else None
        rows.append(_invitation_row(rng, consultation_id, resident, sent_at, opened_at, None))
    ids = session.scalars(_core_insert(Invitation, returning=True), rows).all()
    issue_links(session, ids)  # the tokens were "sent" and are discarded; only their hashes exist
    return dict(zip(invited, ids, strict=False))


def _invitation_row(
    rng: random.Random,
    consultation_id: int,
    resident: responses.Resident,
    sent_at: datetime,
    opened_at: datetime | None,
    responded_at: datetime | None,
) -> dict[str, Any]:
    return {
        "consultation_id": consultation_id,
        "channel": (Channel.EMAIL if rng.random() < 0.6 else Channel.SMS).value,
        "age_band": resident.age_band,
        "district": resident.district,
        "household_type": resident.household_type,
        "created_at": sent_at - timedelta(minutes=5),
        "sent_at": sent_at,
        "opened_at": coarse_day(opened_at) if opened_at else None,
        "responded_at": coarse_day(responded_at) if responded_at else None,
    }
