"""The demo hearing: Bjerke's residents' parking regulation, with comments, replies, votes and statements.

Votes follow two opinion groups (for and against the parking zone) and a few statements everyone agrees
on, as real hearings show, so the moderation queue, the sorting and later the analysis have something to show.
Generated deterministically and inserted in bulk.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.consultations.models import Consultation, ConsultationState
from civic.core.tokens import hash_token, new_token
from civic.hearings import services
from civic.hearings.models import (
    Comment,
    CommentState,
    FormalStatement,
    Hearing,
    ModerationMode,
    Participant,
    StatementState,
    Vote,
    VoteEvent,
)

SEED = 4242
TITLE = {"nb": "Høring: boligsoneparkering i Bjerke", "en": "Hearing: residents' parking zones in Bjerke"}
PARTICIPANTS = 320
PROPOSAL = """Bydelsutvalget foreslår å innføre boligsoneparkering i gatene rundt Årvoll senter og Risløkka fra
1. april. Les forslaget og si hva du mener: kommenter hvert punkt, svar andre og stem på kommentarene.

# Forskrift om boligsoneparkering i Bydel Bjerke

## § 1 Formål

Forskriften skal gi beboere bedre tilgang til parkering nær egen bolig og redusere pendlerparkering.

## § 2 Virkeområde

Forskriften gjelder sone **B1** (Årvollveien, Tonsenveien, Refstadveien) og sone **B2** (Risløkkveien,
Linderudsletta). Et kart over sonene ligger som vedlegg.

## § 3 Hvem kan få beboerkort

Beboere som er folkeregistrert i sonen og eier eller disponerer en bil, kan få ett beboerkort per bil.

# Gebyrer og tider

## § 4 Pris

Et beboerkort koster 3 600 kroner per år. Husstander med lav inntekt får halv pris.

## § 5 Tider

Sonen gjelder hverdager kl. 08–17. Kveld og helg er parkering fri for alle.
"""

#: (section number or None for the whole document, stance, text). Stance: "for", "against" or "all" (consensus).
STATEMENTS = (
    ("1.1", "for", "Endelig! Pendlerne tar alle plassene før klokka åtte."),
    ("1.1", "against", "Dette er en skatt på å bo i bydelen. Parkering burde være gratis."),
    ("1.1", "all", "Det må bli flere sykkelparkeringer samtidig."),
    ("1.2", "for", "Sone B1 bør utvides til Lyngåsveien, der er det like ille."),
    ("1.2", "against", "Folk vil bare parkere i nabogatene utenfor sonen. Problemet flytter seg."),
    ("1.2", "all", "Kartet er vanskelig å lese. Vis tydelig hvilke gater som er med."),
    ("1.3", "for", "Ett kort per bil er rimelig."),
    ("1.3", "against", "Hva med hjemmesykepleien og håndverkere? De må også kunne parkere."),
    ("1.3", "all", "Besøkende trenger en enkel dagsbillett i appen."),
    ("2.1", "for", "3 600 kroner er billig sammenlignet med Frogner."),
    ("2.1", "against", "Prisen er alt for høy for pensjonister med liten inntekt."),
    ("2.1", "all", "Pengene bør gå til trafikksikkerhet i bydelen, ikke i bykassen."),
    ("2.2", "for", "Hverdager 08–17 er akkurat når pendlerne står her."),
    ("2.2", "against", "Kveldstid er det verste, da står det biler på fortauet. Sonen hjelper ikke."),
    ("2.2", "all", "Snøryddingen må fungere, ellers blir det kaos uansett."),
    (None, "for", "Bra forslag. Gjør det samme rundt Linderud senter."),
    (None, "against", "Bydelen har ikke dokumentert at det er et problem. Tell bilene først."),
    (None, "all", "Høringen burde vært sendt til alle husstander i posten også."),
)
REPLIES = (
    (1, "for", "Det er ikke gratis i dag heller, det koster oss tid å lete etter plass."),
    (1, "against", "Enig, vi betaler allerede bilavgifter nok."),
    (4, "for", "Derfor bør sonen være stor nok fra starten."),
    (7, "all", "Håndverkere kan få egne tillatelser, slik de har i Sagene."),
    (10, "against", "Halv pris hjelper ikke dem som ikke søker. Gjør det automatisk."),
)
HELD = (("1.3", "Ring meg på 912 34 567 hvis dere vil høre mer, jeg har bodd her i 40 år.", ["personal_data"]),)


def find_demo_hearing(session: Session, organisation: Organisation) -> Hearing | None:
    return session.scalar(
        select(Hearing)
        .join(Consultation, Consultation.id == Hearing.consultation_id)
        .where(Consultation.organisation_id == organisation.id, Consultation.title["nb"].as_string() == TITLE["nb"])
    )


def seed_hearing(session: Session, organisation: Organisation, admin: StaffUser, *, now: datetime) -> Hearing:
    """Create the demo hearing unless it exists; return it."""
    found = find_demo_hearing(session, organisation)
    if found is not None:
        return found
    rng = random.Random(SEED)
    hearing = services.create_hearing(
        session,
        organisation,
        actor=admin,
        title=TITLE,
        summary={"nb": "Si hva du mener om forslaget til boligsoneparkering rundt Årvoll og Risløkka."},
        document=PROPOSAL,
        languages=["nb", "en"],
        opens_at=now - timedelta(days=12),
        closes_at=now + timedelta(days=16),
        moderation_mode=ModerationMode.POST,
    )
    consultation = hearing.consultation
    consultation.state = ConsultationState.OPEN
    session.flush()
    sections = {section.number: section.id for section in hearing.sections}
    start = now - timedelta(days=12)
    participant_ids = _participants(session, hearing, start)
    groups = {pid: ("for" if rng.random() < 0.6 else "against") for pid in participant_ids}
    comments = _comments(session, hearing, sections, participant_ids, groups, start, rng)
    _votes(session, comments, participant_ids, groups, start, rng)
    _statements(session, hearing, start)
    session.flush()
    return hearing


def _participants(session: Session, hearing: Hearing, start: datetime) -> list[int]:
    rows = [
        {
            "hearing_id": hearing.id,
            "key_hash": hash_token(new_token()),  # the keys were in residents' cookies; none are kept
            "pseudonym": f"Deltaker {1000 + i}",
            "invited": False,
            "verified_at": start + timedelta(hours=i) if i % 4 == 0 else None,
            "created_at": start + timedelta(minutes=37 * i),
        }
        for i in range(PARTICIPANTS)
    ]
    return list(session.scalars(insert(Participant).returning(Participant.id, sort_by_parameter_order=True), rows))


def _comments(
    session: Session,
    hearing: Hearing,
    sections: dict[str, int],
    participant_ids: list[int],
    groups: dict[int, str],
    start: datetime,
    rng: random.Random,
) -> list[tuple[int, str]]:
    """Insert the statements, replies and one held comment; return (comment id, stance) of the published ones."""
    authors = {stance: [p for p in participant_ids if groups[p] == stance] for stance in ("for", "against")}
    made: list[tuple[int, str]] = []
    for index, (number, stance, text) in enumerate(STATEMENTS):
        author = rng.choice(authors.get(stance) or participant_ids)
        comment = _comment(hearing, sections.get(number or ""), author, text, start + timedelta(hours=5 * index))
        session.add(comment)
        session.flush()
        made.append((comment.id, stance))
    for parent_index, stance, text in REPLIES:
        parent_id, _stance = made[parent_index]
        parent = session.get(Comment, parent_id)
        assert parent is not None
        reply = _comment(hearing, parent.section_id, rng.choice(authors.get(stance) or participant_ids), text, None)
        reply.parent_id, reply.depth = parent_id, 1
        reply.created_at = parent.created_at + timedelta(hours=3)
        session.add(reply)
        session.flush()
        made.append((reply.id, stance))
    for number, text, reasons in HELD:
        held = _comment(hearing, sections[number], participant_ids[-1], text, start + timedelta(days=11))
        held.state, held.hold_reasons = CommentState.PENDING, reasons
        session.add(held)
    return made


def _comment(hearing: Hearing, section_id: int | None, author: int, text: str, at: datetime | None) -> Comment:
    return Comment(hearing_id=hearing.id, section_id=section_id, participant_id=author, body=text, created_at=at)


def _votes(
    session: Session,
    comments: list[tuple[int, str]],
    participant_ids: list[int],
    groups: dict[int, str],
    start: datetime,
    rng: random.Random,
) -> None:
    votes, events = [], []
    counts = {comment_id: [0, 0, 0] for comment_id, _stance in comments}  # agree, disagree, pass
    for participant_id in participant_ids:
        for comment_id, stance in comments:
            if rng.random() > 0.55:
                continue
            value = _opinion(groups[participant_id], stance, rng)
            at = start + timedelta(minutes=rng.randint(60, 60 * 24 * 11))
            votes.append({"comment_id": comment_id, "participant_id": participant_id, "value": value, "updated_at": at})
            events.append(
                {"comment_id": comment_id, "participant_id": participant_id, "value": value, "created_at": at}
            )
            counts[comment_id][{1: 0, -1: 1, 0: 2}[value]] += 1
    session.execute(insert(Vote), votes)
    session.execute(insert(VoteEvent), events)
    for comment_id, (agree, disagree, passed) in counts.items():
        comment = session.get(Comment, comment_id)
        assert comment is not None
        comment.agree_count, comment.disagree_count, comment.pass_count = agree, disagree, passed


def _opinion(group: str, stance: str, rng: random.Random) -> int:
    roll = rng.random()
    if stance == "all":
        return 1 if roll < 0.8 else (0 if roll < 0.92 else -1)
    if stance == group:
        return 1 if roll < 0.85 else (0 if roll < 0.93 else -1)
    return -1 if roll < 0.75 else (0 if roll < 0.9 else 1)


def _statements(session: Session, hearing: Hearing, start: datetime) -> None:
    session.add_all(
        [
            FormalStatement(
                hearing_id=hearing.id,
                signer_name="Kari Nordmann",
                organisation_name="Årvoll velforening",
                body=(
                    "Årvoll velforening støtter forslaget om boligsoneparkering, men ber om at sone B1 utvides til "
                    "Lyngåsveien og at besøkende får en enkel dagsbillett. Vi ber også om at inntektene brukes på "
                    "trafikksikkerhet rundt Årvoll skole."
                ),
                state=StatementState.PUBLISHED,
                submitted_at=start + timedelta(days=6),
                decided_at=start + timedelta(days=7),
            ),
            FormalStatement(
                hearing_id=hearing.id,
                signer_name="Ola Hansen",
                body="Jeg er imot forslaget. Prisen rammer pensjonister, og problemet flytter seg bare til nabogatene.",
                state=StatementState.PENDING,
                submitted_at=start + timedelta(days=10),
            ),
        ]
    )
