"""Read and write Polis conversation exports (comments.csv, votes.csv, participants-votes.csv, summary.csv).

Pure module: no Flask, no database. The importer turns a ``PolisConversation`` into a closed hearing and the
exporter builds one from a hearing; both sides share the rules below.

Vote sign and count rules, measured on three public Polis exports (brexit-consensus 2017, scoop-hivemind
biodiversity 2019, bg2050-volunteers 2024; /work/shared/data/polis):

* ``votes.csv`` uses **1 = agree, -1 = disagree, 0 = pass** (the "corrected" export sign; the Polis database itself
  stores agree as -1). Counting ``vote == 1`` rows per comment reproduces ``comments.csv`` ``agrees`` for 50/50,
  316/316 and 371/371 comments; the opposite sign matches at most 9 (comments with equal counts).
* ``votes.csv`` is an event log: 9, 83 and 58 (voter, comment) pairs have several rows (up to 10; mostly the
  same vote repeated, 8 real changes). The file is sorted by (comment-id, voter-id, timestamp); no timestamp ties.
* ``comments.csv`` ``agrees``/``disagrees`` count **every event**, superseded ones included, whatever the
  moderation state (counting only the latest vote per voter misses 8, 49 and 32 comments by the repeats).
* ``participants-votes.csv`` holds the **latest** vote per (voter, comment): its matrix, ``n-votes`` (passes
  included), ``n-agree`` and ``n-disagree`` match the latest-by-timestamp votes exactly, moderated-out comments
  included; ``n-comments`` counts every authored comment. Its comment columns are the comments with at least one
  vote, ascending (scoop's two never-voted comments 6 and 7 have no column).
* ``datetime`` is Java's ``Date.toString()`` in the exporting server's zone ("Mon Jul 17 16:10:15 WIB 2017");
  ``timestamp`` (epoch ms) is authoritative, so we ignore ``datetime`` on read (bg2050's comments.csv has none).

Some Polis servers wrote ``votes.csv`` with the raw database sign (agree = -1). If ``comments.csv`` has
``agrees``/``disagrees`` and they fit the flipped sign strictly better than the normal one, ``read_conversation``
flips the votes, so the dataclasses always hold 1 = agree, -1 = disagree, 0 = pass.

Errors are ``PolisFormatError`` with a stable ``code`` (the web layer maps codes to translated messages).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePath
from typing import Literal

MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_VOTES = 2_000_000

COMMENTS_FILE = "comments.csv"
VOTES_FILE = "votes.csv"
PARTICIPANTS_FILE = "participants-votes.csv"
SUMMARY_FILE = "summary.csv"
# The 2025 server export (report.ts) names the participant file in the singular.
_FILE_ALIASES = {"participant-votes.csv": PARTICIPANTS_FILE}
_KNOWN_FILES = (COMMENTS_FILE, VOTES_FILE, PARTICIPANTS_FILE, SUMMARY_FILE)

_COMMENT_COLUMNS = ("timestamp", "comment-id", "author-id", "moderated", "comment-body")
_VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
_PARTICIPANT_COLUMNS = ("participant", "group-id")
_INT_RE = re.compile(r"-?[0-9]+")
# Java's Date.toString() is locale-independent English; strftime's %a/%b would follow the process locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

CountRule = Literal["events", "latest"]


class PolisFormatError(ValueError):
    """An upload is not a usable Polis export. ``code`` is one of missing_file, missing_column, bad_value,
    unknown_comment, too_large; ``line`` is the 1-based line where the offending row starts (header = 1)."""

    def __init__(self, code: str, message: str, line: int | None = None, file: str | None = None) -> None:
        where = f"{file or ''}{f':{line}' if line is not None else ''}"
        super().__init__(f"{where}: {message}" if where else message)
        self.code = code
        self.message = message
        self.line = line
        self.file = file


@dataclass(frozen=True)
class PolisComment:
    comment_id: int
    author_id: int
    created_ms: int
    body: str
    moderated: int  # -1 hidden, 0 unmoderated, 1 accepted


@dataclass(frozen=True)
class PolisVote:
    comment_id: int
    voter_id: int
    created_ms: int
    vote: int  # 1 agree, -1 disagree, 0 pass


@dataclass(frozen=True)
class PolisConversation:
    comments: list[PolisComment]
    votes: list[PolisVote]  # every vote event, in file order; see latest_votes()
    groups: dict[int, int | None]  # participant -> Polis group-id (None = not clustered)
    topic: str | None


def latest_votes(votes: Iterable[PolisVote]) -> dict[tuple[int, int], PolisVote]:
    """Return the vote that counts per (voter_id, comment_id): the newest, and on a timestamp tie the later one."""
    latest: dict[tuple[int, int], PolisVote] = {}
    for vote in votes:
        key = (vote.voter_id, vote.comment_id)
        if key not in latest or vote.created_ms >= latest[key].created_ms:
            latest[key] = vote
    return latest


# --- reading ----------------------------------------------------------------------------------------------


def read_conversation(source: Path | Mapping[str, bytes | str]) -> PolisConversation:
    """Parse a Polis export from a directory or from uploaded files (name -> content); raise PolisFormatError."""
    texts = _load_texts(source)
    for required in (COMMENTS_FILE, VOTES_FILE):
        if required not in texts:
            raise PolisFormatError("missing_file", f"{required} is required", file=required)
    comments, listed_counts = _read_comments(texts[COMMENTS_FILE])
    votes = _read_votes(texts[VOTES_FILE], {c.comment_id for c in comments})
    if _flipped_fits_better(votes, listed_counts):
        votes = [replace(v, vote=-v.vote) for v in votes]
    groups = _read_groups(texts[PARTICIPANTS_FILE]) if PARTICIPANTS_FILE in texts else {}
    topic = _read_topic(texts[SUMMARY_FILE]) if SUMMARY_FILE in texts else None
    return PolisConversation(comments=comments, votes=votes, groups=groups, topic=topic)


def _load_texts(source: Path | Mapping[str, bytes | str]) -> dict[str, str]:
    """Return {canonical file name: text} for the known files, checking the size limit before decoding."""
    raw: dict[str, bytes | str] = {}
    if isinstance(source, Path):
        if not source.is_dir():
            raise PolisFormatError("missing_file", f"{source} is not a directory")
        # Only the export's own files count against the limit; other files in the folder are not read.
        paths = {name: source / name for name in (*_KNOWN_FILES, *_FILE_ALIASES) if (source / name).is_file()}
        _check_total_size(sum(p.stat().st_size for p in paths.values()))
        raw = {name: p.read_bytes() for name, p in paths.items()}
    else:
        # Everything uploaded counts: the limit protects the server, whatever the files are called.
        _check_total_size(sum(len(c) if isinstance(c, bytes) else len(c.encode()) for c in source.values()))
        raw = {PurePath(name).name.lower(): content for name, content in source.items()}
    texts: dict[str, str] = {}
    for name, content in raw.items():
        canonical = _FILE_ALIASES.get(name, name)
        if canonical in _KNOWN_FILES:
            texts[canonical] = _decode(content, canonical)
    return texts


def _check_total_size(total: int) -> None:
    if total > MAX_TOTAL_BYTES:
        raise PolisFormatError("too_large", f"export is {total} bytes; the limit is {MAX_TOTAL_BYTES}")


def _decode(content: bytes | str, file: str) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")  # Excel-saved CSVs start with a BOM
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise PolisFormatError("bad_value", "file is not UTF-8 text", line=line, file=file) from exc


def _rows(text: str, file: str, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (start line, row as dict) after checking the header has the required columns."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    missing = [col for col in required if header is None or col not in header]
    if header is None or missing:
        raise PolisFormatError("missing_column", f"missing column(s): {', '.join(missing)}", line=1, file=file)
    next_line = reader.line_num + 1
    for values in reader:
        line, next_line = next_line, reader.line_num + 1  # a quoted body may span several physical lines
        if not values:
            continue  # blank line, e.g. at the end of the file
        if len(values) != len(header):
            raise PolisFormatError(
                "bad_value", f"row has {len(values)} fields, the header has {len(header)}", line=line, file=file
            )
        yield line, dict(zip(header, values, strict=True))


def _int(row: dict[str, str], column: str, line: int, file: str, allowed: Iterable[int] | None = None) -> int:
    text = row[column].strip()
    value = int(text) if _INT_RE.fullmatch(text) else None
    if value is None or (allowed is not None and value not in allowed):
        raise PolisFormatError("bad_value", f"{column} {text!r} is not a valid value", line=line, file=file)
    return value


def _read_comments(text: str) -> tuple[list[PolisComment], dict[int, tuple[int, int]]]:
    """Return the comments and, if the file lists them, each comment's (agrees, disagrees)."""
    comments: list[PolisComment] = []
    listed: dict[int, tuple[int, int]] = {}
    seen: set[int] = set()
    for line, row in _rows(text, COMMENTS_FILE, _COMMENT_COLUMNS):
        comment_id = _int(row, "comment-id", line, COMMENTS_FILE)
        if comment_id in seen:
            raise PolisFormatError("bad_value", f"comment-id {comment_id} occurs twice", line=line, file=COMMENTS_FILE)
        seen.add(comment_id)
        comments.append(
            PolisComment(
                comment_id=comment_id,
                author_id=_int(row, "author-id", line, COMMENTS_FILE),
                created_ms=_int(row, "timestamp", line, COMMENTS_FILE),
                body=row["comment-body"],
                moderated=_int(row, "moderated", line, COMMENTS_FILE, allowed=(-1, 0, 1)),
            )
        )
        if "agrees" in row and "disagrees" in row:
            listed[comment_id] = (_int(row, "agrees", line, COMMENTS_FILE), _int(row, "disagrees", line, COMMENTS_FILE))
    return comments, listed


def _read_votes(text: str, comment_ids: set[int]) -> list[PolisVote]:
    votes: list[PolisVote] = []
    for line, row in _rows(text, VOTES_FILE, _VOTE_COLUMNS):
        if len(votes) >= MAX_VOTES:
            raise PolisFormatError("too_large", f"more than {MAX_VOTES} votes", line=line, file=VOTES_FILE)
        comment_id = _int(row, "comment-id", line, VOTES_FILE)
        if comment_id not in comment_ids:
            raise PolisFormatError(
                "unknown_comment", f"vote on comment {comment_id}, which comments.csv lacks", line=line, file=VOTES_FILE
            )
        votes.append(
            PolisVote(
                comment_id=comment_id,
                voter_id=_int(row, "voter-id", line, VOTES_FILE),
                created_ms=_int(row, "timestamp", line, VOTES_FILE),
                vote=_int(row, "vote", line, VOTES_FILE, allowed=(-1, 0, 1)),
            )
        )
    return votes


def _flipped_fits_better(votes: list[PolisVote], listed: dict[int, tuple[int, int]]) -> bool:
    """True if comments.csv's agrees/disagrees match the votes better with agree = -1 (raw database sign)."""
    if not listed:
        return False
    counts = Counter((v.comment_id, v.vote) for v in votes)
    normal = sum(abs(a - counts[cid, 1]) + abs(d - counts[cid, -1]) for cid, (a, d) in listed.items())
    flipped = sum(abs(a - counts[cid, -1]) + abs(d - counts[cid, 1]) for cid, (a, d) in listed.items())
    return flipped < normal


def _read_groups(text: str) -> dict[int, int | None]:
    # The n-* columns and the vote matrix are derived from votes.csv, so only the group assignment is read.
    groups: dict[int, int | None] = {}
    for line, row in _rows(text, PARTICIPANTS_FILE, _PARTICIPANT_COLUMNS):
        participant = _int(row, "participant", line, PARTICIPANTS_FILE)
        if participant in groups:
            raise PolisFormatError(
                "bad_value", f"participant {participant} occurs twice", line=line, file=PARTICIPANTS_FILE
            )
        groups[participant] = _int(row, "group-id", line, PARTICIPANTS_FILE) if row["group-id"].strip() else None
    return groups


def _read_topic(text: str) -> str | None:
    # summary.csv is key,value rows (no header); values may span lines.
    for values in csv.reader(io.StringIO(text, newline="")):
        if len(values) >= 2 and values[0].strip() == "topic":
            return values[1]
    return None


# --- writing ----------------------------------------------------------------------------------------------


def write_conversation(
    conv: PolisConversation, *, tz: tzinfo = UTC, count_rule: CountRule = "events"
) -> dict[str, str]:
    """Return {file name: CSV text} in the classic Polis layout (as brexit-consensus / scoop-hivemind).

    ``tz`` sets the zone of the ``datetime`` column. The exporting server's zone cannot be known from an export,
    so the default is UTC (printed "UTC", as Java does); pass ZoneInfo("Europe/Oslo") for CET/CEST.
    ``count_rule`` "events" counts every vote row in comments.csv agrees/disagrees, as Polis does; "latest"
    counts only the vote that stands. Both agree when ``conv.votes`` holds one vote per voter and comment.
    """
    latest = latest_votes(conv.votes)
    counted = conv.votes if count_rule == "events" else list(latest.values())
    tally = Counter((v.comment_id, v.vote) for v in counted)
    files = {
        COMMENTS_FILE: _csv(
            ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"],
            (
                [
                    c.created_ms,
                    java_datetime(c.created_ms, tz),
                    c.comment_id,
                    c.author_id,
                    tally[c.comment_id, 1],
                    tally[c.comment_id, -1],
                    c.moderated,
                    c.body,
                ]
                for c in sorted(conv.comments, key=lambda c: c.comment_id)
            ),
        ),
        VOTES_FILE: _csv(
            ["timestamp", "datetime", "comment-id", "voter-id", "vote"],
            (
                [v.created_ms, java_datetime(v.created_ms, tz), v.comment_id, v.voter_id, v.vote]
                for v in sorted(conv.votes, key=lambda v: (v.comment_id, v.voter_id, v.created_ms))
            ),
        ),
        PARTICIPANTS_FILE: _participants_csv(conv, latest),
    }
    files[SUMMARY_FILE] = _summary_csv(conv, latest)
    return files


def java_datetime(ms: int, tz: tzinfo) -> str:
    """Format epoch milliseconds like Java's Date.toString(): "Mon Jul 17 16:10:15 WIB 2017"."""
    moment = datetime.fromtimestamp(ms // 1000, tz)
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} {moment.tzname()} {moment.year}"
    )


def _participants_csv(conv: PolisConversation, latest: dict[tuple[int, int], PolisVote]) -> str:
    by_participant: dict[int, dict[int, int]] = {}
    for (voter, comment), vote in latest.items():
        by_participant.setdefault(voter, {})[comment] = vote.vote
    authored = Counter(c.author_id for c in conv.comments)
    participants = sorted(set(conv.groups) | set(by_participant) | set(authored))
    comment_columns = sorted({comment for (_, comment) in latest})  # as Polis: only comments with a vote
    rows = []
    for participant in participants:
        cast = by_participant.get(participant, {})
        group = conv.groups.get(participant)
        rows.append(
            [
                participant,
                "" if group is None else group,
                authored[participant],
                len(cast),
                sum(1 for v in cast.values() if v == 1),
                sum(1 for v in cast.values() if v == -1),
            ]
            + [cast.get(cid, "") for cid in comment_columns]
        )
    header = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *map(str, comment_columns)]
    return _csv(header, rows)


def _summary_csv(conv: PolisConversation, latest: dict[tuple[int, int], PolisVote]) -> str:
    # Only what the conversation itself determines; Polis' views/url/description are not kept.
    rows: list[list[object]] = [] if conv.topic is None else [["topic", conv.topic]]
    rows += [
        ["voters", len({voter for (voter, _) in latest})],
        ["commenters", len({c.author_id for c in conv.comments})],
        ["comments", len(conv.comments)],
        ["groups", len({g for g in conv.groups.values() if g is not None})],
    ]
    return _csv(None, rows)


def _csv(header: list[str] | None, rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # Polis writes LF line ends and quotes only when needed
    if header is not None:
        writer.writerow(header)
    # With LF line ends the writer leaves a lone CR unquoted, and readers end the row there: "Bra\r=1+1" would put
    # a formula at the start of a row of its own. Line breaks become LF, which the writer quotes.
    writer.writerows([_one_line_end(cell) for cell in row] for row in rows)
    return out.getvalue()


def _one_line_end(cell: object) -> object:
    return cell.replace("\r\n", "\n").replace("\r", "\n") if isinstance(cell, str) else cell
