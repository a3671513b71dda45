"""Polis conversations in and out of civic: an export becomes a closed hearing, and a hearing writes one back.

The file format (sign 1 = agree, vote events vs latest votes, comments.csv counting every event) lives in
polis_format; this module only maps it onto the hearing tables:

* each Polis participant (in participants-votes.csv, votes.csv or as an author) → a Participant "Polis-deltaker
  <id>" with ``polis_id`` and ``polis_group``, and a random key nobody holds (nobody can act as them);
* each comment → a Comment with ``polis_id`` on the proposal's single section, ``moderated`` 1/0/-1 →
  PUBLISHED/PENDING/HIDDEN (PENDING ones wait in the moderation queue as "not moderated in Polis");
* every votes.csv row → a VoteEvent (the history), the latest per (participant, comment) → a Vote, and the
  comment counters from the latest votes, as for votes cast in civic.

Imports use bulk Core inserts (tens of thousands of votes take seconds). Exports give native civic comments
and participants fresh ids after the largest Polis id, so imported ids never change.

Formula injection: the Polis-format export writes comment bodies verbatim, as Polis does, because it is an
interchange format that must read back identically (brexit-consensus has a comment that begins with a quote,
so "prefix a quote and strip it on import" would corrupt real data). ``spreadsheet_safe=True`` gives a
separate download whose free-text cells are neutralised with civic.core.spreadsheet.neutralise, for opening
in a spreadsheet; it is not meant to be imported again.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.consultations.models import ConsultationState
from civic.consultations.services import change_state
from civic.core.errors import InvalidInputError
from civic.core.i18n import localized
from civic.core.spreadsheet import neutralise
from civic.core.tokens import hash_token, new_token
from civic.hearings import polis_format
from civic.hearings.models import (
    MAX_COMMENT_LENGTH,
    Comment,
    CommentState,
    Hearing,
    Participant,
    Vote,
    VoteEvent,
    VoteValue,
)
from civic.hearings.polis_format import (
    PolisComment,
    PolisConversation,
    PolisFormatError,
    PolisVote,
    latest_votes,
    write_conversation,
)
from civic.hearings.services import create_hearing

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
EXPORT_ZONE = ZoneInfo("Europe/Oslo")
STATE_OF_MODERATED = {1: CommentState.PUBLISHED, 0: CommentState.PENDING, -1: CommentState.HIDDEN}
MODERATED_OF_STATE = {
    CommentState.PUBLISHED: 1,
    CommentState.PENDING: 0,
    CommentState.HIDDEN: -1,
    CommentState.DELETED: -1,
}
PSEUDONYM = "Polis-deltaker {id}"
CHUNK = 5000


def ms_to_datetime(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def datetime_to_ms(moment: datetime) -> int:
    return (moment.astimezone(UTC) - EPOCH) // ONE_MS


def _heading(topic: str) -> str:
    heading = " ".join(topic.split()).lstrip("#").strip()
    return heading[:150] or "Polis"


def import_conversation(
    session: Session,
    organisation: Organisation,
    actor: StaffUser | None,
    conv: PolisConversation,
    title: str | dict[str, str],
) -> Hearing:
    """Create a closed hearing holding the conversation; flushes, never commits."""
    titles = {"nb": title} if isinstance(title, str) else dict(title)
    if not any(t.strip() for t in titles.values()):
        titles = {"nb": conv.topic or "Polis"}
    topic = conv.topic or next(t for t in titles.values() if t.strip())
    too_long = [c.comment_id for c in conv.comments if len(c.body) > MAX_COMMENT_LENGTH]
    if too_long:
        raise InvalidInputError(_("Comment %(id)s in comments.csv is longer than 4,000 characters.", id=too_long[0]))
    latest = latest_votes(conv.votes)
    document = (
        f"# {_heading(topic)}\n\n"
        + _(
            "Imported from a Polis conversation: %(comments)d comments and %(votes)d votes.",
            comments=len(conv.comments),
            votes=len(latest),
        )
        + "\n"
    )
    hearing = create_hearing(session, organisation, actor=actor, title=titles, document=document, languages=["nb"])
    hearing.imported_from = topic[:200]
    change_state(session, hearing.consultation, ConsultationState.OPEN, actor=actor)
    change_state(session, hearing.consultation, ConsultationState.CLOSED, actor=actor)
    session.flush()

    participant_ids = _insert_participants(session, hearing, conv)
    comment_ids = _insert_comments(session, hearing, conv, participant_ids, latest)
    _bulk(
        session,
        VoteEvent,
        (
            {
                "comment_id": comment_ids[v.comment_id],
                "participant_id": participant_ids[v.voter_id],
                "value": v.vote,
                "created_at": ms_to_datetime(v.created_ms),
            }
            for v in conv.votes  # file order, so ids keep the order of equal timestamps
        ),
    )
    _bulk(
        session,
        Vote,
        (
            {
                "comment_id": comment_ids[v.comment_id],
                "participant_id": participant_ids[v.voter_id],
                "value": v.vote,
                "updated_at": ms_to_datetime(v.created_ms),
            }
            for v in latest.values()
        ),
    )
    return hearing


def _bulk(session: Session, model: type, rows: Any) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            session.execute(insert(model), batch)
            batch = []
    if batch:
        session.execute(insert(model), batch)


def _insert_participants(session: Session, hearing: Hearing, conv: PolisConversation) -> dict[int, int]:
    """Insert one participant per Polis participant; return {polis id: participant id}."""
    first_seen: dict[int, int] = {}
    for ms, pid in [(c.created_ms, c.author_id) for c in conv.comments] + [
        (v.created_ms, v.voter_id) for v in conv.votes
    ]:
        first_seen[pid] = min(ms, first_seen.get(pid, ms))
    ids = sorted(set(conv.groups) | set(first_seen))
    fallback = min(first_seen.values(), default=0)
    _bulk(
        session,
        Participant,
        (
            {
                "hearing_id": hearing.id,
                "key_hash": hash_token(new_token()),  # a key nobody holds
                "pseudonym": PSEUDONYM.format(id=pid),
                "polis_id": pid,
                "polis_group": conv.groups.get(pid),
                "created_at": ms_to_datetime(first_seen.get(pid, fallback)),
            }
            for pid in ids
        ),
    )
    rows = session.execute(
        select(Participant.polis_id, Participant.id).where(Participant.hearing_id == hearing.id)
    ).all()
    return {polis_id: pk for polis_id, pk in rows}


def _insert_comments(
    session: Session,
    hearing: Hearing,
    conv: PolisConversation,
    participant_ids: dict[int, int],
    latest: dict[tuple[int, int], PolisVote],
) -> dict[int, int]:
    """Insert the comments with counters from the latest votes; return {polis comment id: comment id}."""
    tally = Counter((v.comment_id, v.vote) for v in latest.values())
    section_id = hearing.sections[0].id
    _bulk(
        session,
        Comment,
        (
            {
                "hearing_id": hearing.id,
                "section_id": section_id,
                "parent_id": None,
                "depth": 0,
                "participant_id": participant_ids[c.author_id],
                "body": c.body,
                "state": STATE_OF_MODERATED[c.moderated],
                "hold_reasons": ["polis_unmoderated"] if c.moderated == 0 else [],
                "verified": False,
                "agree_count": tally[c.comment_id, VoteValue.AGREE],
                "disagree_count": tally[c.comment_id, VoteValue.DISAGREE],
                "pass_count": tally[c.comment_id, VoteValue.PASS],
                "polis_id": c.comment_id,
                "created_at": ms_to_datetime(c.created_ms),
            }
            for c in sorted(conv.comments, key=lambda c: c.comment_id)
        ),
    )
    rows = session.execute(select(Comment.polis_id, Comment.id).where(Comment.hearing_id == hearing.id)).all()
    return {polis_id: pk for polis_id, pk in rows}


def files_from_zip(data: bytes) -> dict[str, bytes]:
    """The known export files in an uploaded ZIP (in any folder), checking sizes before decompressing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PolisFormatError("bad_zip", "not a ZIP file", file="zip") from None
    wanted = {*polis_format._KNOWN_FILES, *polis_format._FILE_ALIASES}
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and info.filename.rsplit("/", 1)[-1].lower() in wanted
        and not info.filename.rsplit("/", 1)[-1].startswith("._")
    ]
    total = sum(info.file_size for info in members)
    if total > polis_format.MAX_TOTAL_BYTES:
        raise PolisFormatError("too_large", f"export is {total} bytes; the limit is {polis_format.MAX_TOTAL_BYTES}")
    files: dict[str, bytes] = {}
    for info in members:
        name = info.filename.rsplit("/", 1)[-1].lower()
        if name in files:
            raise PolisFormatError("bad_zip", f"the ZIP holds {name} twice", file=name)
        with archive.open(info) as member:
            content = member.read(info.file_size + 1)
        if len(content) > info.file_size:  # the header lied about the size
            raise PolisFormatError("too_large", "a file in the ZIP is larger than it says", file=name)
        files[name] = content
    return files


# --- export ------------------------------------------------------------------------------------------------


def export_conversation(session: Session, hearing: Hearing) -> PolisConversation:
    """The hearing as a Polis conversation: every comment (reply or not) and every vote event."""
    participants = session.execute(
        select(Participant.id, Participant.polis_id, Participant.polis_group)
        .where(Participant.hearing_id == hearing.id)
        .order_by(Participant.id)
    ).all()
    comments = session.scalars(select(Comment).where(Comment.hearing_id == hearing.id).order_by(Comment.id)).all()
    events = session.execute(
        select(VoteEvent.comment_id, VoteEvent.participant_id, VoteEvent.value, VoteEvent.created_at)
        .join(Comment, Comment.id == VoteEvent.comment_id)
        .where(Comment.hearing_id == hearing.id)
        .order_by(VoteEvent.created_at, VoteEvent.id)
    ).all()

    active = {c.participant_id for c in comments} | {e.participant_id for e in events}
    next_pid = max((p.polis_id for p in participants if p.polis_id is not None), default=-1) + 1
    pid_of: dict[int, int] = {}
    groups: dict[int, int | None] = {}
    for pk, polis_id, group in participants:
        if polis_id is None:
            if pk not in active:
                continue  # a civic visitor who never took part
            polis_id, next_pid = next_pid, next_pid + 1
        pid_of[pk] = polis_id
        groups[polis_id] = group

    next_cid = max((c.polis_id for c in comments if c.polis_id is not None), default=-1) + 1
    cid_of: dict[int, int] = {}
    polis_comments = []
    for comment in comments:
        cid = comment.polis_id
        if cid is None:
            cid, next_cid = next_cid, next_cid + 1
        cid_of[comment.id] = cid
        polis_comments.append(
            PolisComment(
                comment_id=cid,
                author_id=pid_of[comment.participant_id],
                created_ms=datetime_to_ms(comment.created_at),
                body="" if comment.state == CommentState.DELETED else comment.body,
                moderated=MODERATED_OF_STATE[CommentState(comment.state)],
            )
        )
    votes = [
        PolisVote(
            comment_id=cid_of[e.comment_id],
            voter_id=pid_of[e.participant_id],
            created_ms=datetime_to_ms(e.created_at),
            vote=e.value,
        )
        for e in events
    ]
    topic = hearing.imported_from or localized(hearing.consultation.title, hearing.consultation.default_language)
    return PolisConversation(comments=polis_comments, votes=votes, groups=groups, topic=topic or None)


def export_files(
    session: Session, hearing: Hearing, *, spreadsheet_safe: bool = False, tz: tzinfo = EXPORT_ZONE
) -> dict[str, str]:
    """{file name: CSV text} in the Polis layout (comments.csv counts every vote event, as Polis does).

    ``spreadsheet_safe`` neutralises comment bodies and the topic that a spreadsheet would run as formulas
    (a leading quote); such files are for reading, not for importing again.
    """
    conv = export_conversation(session, hearing)
    if spreadsheet_safe:
        conv = PolisConversation(
            comments=[
                PolisComment(c.comment_id, c.author_id, c.created_ms, neutralise(c.body), c.moderated)
                for c in conv.comments
            ],
            votes=conv.votes,
            groups=conv.groups,
            topic=None if conv.topic is None else neutralise(conv.topic),
        )
    return write_conversation(conv, tz=tz, count_rule="events")


def export_zip(session: Session, hearing: Hearing, *, spreadsheet_safe: bool = False) -> bytes:
    files = export_files(session, hearing, spreadsheet_safe=spreadsheet_safe)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (
            polis_format.COMMENTS_FILE,
            polis_format.VOTES_FILE,
            polis_format.PARTICIPANTS_FILE,
            polis_format.SUMMARY_FILE,
        ):
            archive.writestr(name, files[name].encode("utf-8"))
    return buffer.getvalue()


def export_filename(hearing: Hearing, *, spreadsheet_safe: bool = False) -> str:
    title = localized(hearing.consultation.title, hearing.consultation.default_language)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "hearing"
    return f"polis-{slug}{'-spreadsheet' if spreadsheet_safe else ''}.zip"
