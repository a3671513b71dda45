"""Polis export reading/writing: round trips on the real public exports, and one test per error code."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civic.hearings import polis_format
from civic.hearings.polis_format import (
    PolisComment,
    PolisConversation,
    PolisFormatError,
    PolisVote,
    java_datetime,
    latest_votes,
    read_conversation,
    write_conversation,
)
from tests.hearings.polis_data import POLIS_DATA

# The zone each export was written in, read off its datetime column (WIB, PDT, CDT).
CONVERSATIONS = {
    "brexit-consensus": "Asia/Jakarta",
    "scoop-hivemind.biodiversity": "America/Los_Angeles",
    "bg2050-volunteers": "America/Chicago",
}


def _source(name: str) -> Path:
    folder = POLIS_DATA / name
    assert folder.is_dir(), f"Polis open data missing at {folder} (set CIVIC_POLIS_DATA)"
    return folder


def _dict_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module", params=list(CONVERSATIONS))
def exported(request: pytest.FixtureRequest) -> tuple[Path, PolisConversation, dict[str, str], PolisConversation]:
    """(source folder, parsed source, written files in the source's zone, re-parsed written files)."""
    folder = _source(request.param)
    source = read_conversation(folder)
    files = write_conversation(source, tz=ZoneInfo(CONVERSATIONS[request.param]))
    again = read_conversation({name: text.encode() for name, text in files.items()})
    return folder, source, files, again


def test_round_trip_keeps_comments_votes_groups_and_topic(exported) -> None:
    folder, source, _files, again = exported
    assert sorted(again.comments, key=lambda c: c.comment_id) == sorted(source.comments, key=lambda c: c.comment_id)
    assert set(latest_votes(again.votes).values()) == set(latest_votes(source.votes).values())
    assert Counter(again.votes) == Counter(source.votes)  # the full event log survives too
    assert again.groups == source.groups
    summary_rows = csv.reader(io.StringIO((folder / "summary.csv").read_text("utf-8"), newline=""))
    summary = {row[0]: row[1] for row in summary_rows if len(row) >= 2}
    assert again.topic == source.topic == summary["topic"]


def test_sign_is_agree_plus_one_and_agrees_count_every_vote_event(exported) -> None:
    """comments.csv agrees/disagrees = number of vote rows with 1 / -1, superseded repeats included."""
    folder, source, files, _again = exported
    original = {int(r["comment-id"]): r for r in _dict_rows((folder / "comments.csv").read_text("utf-8"))}
    written = {int(r["comment-id"]): r for r in _dict_rows(files["comments.csv"])}
    assert written.keys() == original.keys()
    for cid, row in original.items():
        assert (written[cid]["agrees"], written[cid]["disagrees"]) == (row["agrees"], row["disagrees"]), cid
    # Counting only the latest vote would NOT reproduce them: repeats exist in every export.
    latest = Counter((v.comment_id, v.vote) for v in latest_votes(source.votes).values())
    assert any(latest[cid, 1] != int(row["agrees"]) for cid, row in original.items())


def test_latest_count_rule_matches_latest_votes(exported) -> None:
    _folder, source, _files, _again = exported
    files = write_conversation(source, count_rule="latest")
    latest = Counter((v.comment_id, v.vote) for v in latest_votes(source.votes).values())
    for row in _dict_rows(files["comments.csv"]):
        cid = int(row["comment-id"])
        assert (int(row["agrees"]), int(row["disagrees"])) == (latest[cid, 1], latest[cid, -1])


def test_participants_votes_match_source_from_latest_votes(exported) -> None:
    folder, _source_conv, files, _again = exported
    original = {r["participant"]: r for r in _dict_rows((folder / "participants-votes.csv").read_text("utf-8"))}
    written = {r["participant"]: r for r in _dict_rows(files["participants-votes.csv"])}
    assert written.keys() == original.keys()
    original_columns = next(csv.reader(io.StringIO((folder / "participants-votes.csv").read_text("utf-8"))))
    written_columns = next(csv.reader(io.StringIO(files["participants-votes.csv"])))
    assert written_columns == [c for c in original_columns if c != "xid"]  # bg2050 adds an xid column
    for participant, row in original.items():
        assert written[participant] == {k: v for k, v in row.items() if k != "xid"}, participant


def test_votes_csv_is_byte_identical_in_the_source_zone(exported) -> None:
    folder, _source_conv, files, _again = exported
    assert files["votes.csv"] == (folder / "votes.csv").read_text("utf-8")


def test_comments_csv_rows_are_identical_in_the_source_zone(exported) -> None:
    """Classic exports match row for row; bg2050 (no datetime, extra is-meta/is-seed/GIC) on the shared columns."""
    folder, _source_conv, files, _again = exported
    original = _dict_rows((folder / "comments.csv").read_text("utf-8"))
    written = _dict_rows(files["comments.csv"])
    shared = written[0].keys() & original[0].keys()
    assert shared >= {"timestamp", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"}

    def rows(table: list[dict[str, str]]) -> list[dict[str, str]]:
        return sorted(({k: r[k] for k in shared} for r in table), key=lambda r: int(r["comment-id"]))

    assert rows(written) == rows(original)


def test_java_datetime_defaults_and_oslo() -> None:
    assert java_datetime(1500282615559, ZoneInfo("Asia/Jakarta")) == "Mon Jul 17 16:10:15 WIB 2017"
    assert java_datetime(0, polis_format.UTC) == "Thu Jan 01 00:00:00 UTC 1970"
    assert java_datetime(1500282615559, ZoneInfo("Europe/Oslo")) == "Mon Jul 17 11:10:15 CEST 2017"


# --- small in-memory exports ------------------------------------------------------------------------------

COMMENTS = (
    "timestamp,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    '1000,0,0,1,1,1,"Flere benker i parken, takk"\n'
    '2000,1,1,0,1,-1,"Over\nto linjer"\n'
)
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n1100,x,0,0,1\n1200,x,0,1,-1\n1300,x,1,1,-1\n"


def _files(**overrides: str | bytes | None) -> dict[str, str | bytes]:
    """The minimal export, with files replaced or (None) removed; participants_votes_csv -> participants-votes.csv."""
    files: dict[str, str | bytes | None] = {"comments.csv": COMMENTS, "votes.csv": VOTES}
    files.update({name.replace("_csv", ".csv").replace("_", "-"): text for name, text in overrides.items()})
    return {name: text for name, text in files.items() if text is not None}


def _error(files: dict[str, str | bytes]) -> PolisFormatError:
    with pytest.raises(PolisFormatError) as info:
        read_conversation(files)
    return info.value


def test_minimal_upload_with_bom_bytes_and_multiline_body() -> None:
    conv = read_conversation({"export/comments.csv": b"\xef\xbb\xbf" + COMMENTS.encode(), "votes.csv": VOTES})
    assert conv.comments[1] == PolisComment(
        comment_id=1, author_id=1, created_ms=2000, body="Over\nto linjer", moderated=-1
    )
    assert conv.votes[0] == PolisVote(comment_id=0, voter_id=0, created_ms=1100, vote=1)
    assert conv.groups == {}
    assert conv.topic is None


def test_raw_database_sign_is_flipped_when_comment_counts_say_so() -> None:
    flipped = VOTES.replace(",1\n", ",X\n").replace(",-1\n", ",1\n").replace(",X\n", ",-1\n")
    conv = read_conversation({"comments.csv": COMMENTS, "votes.csv": flipped})
    assert [v.vote for v in conv.votes] == [1, -1, -1]


def test_groups_and_topic_are_read() -> None:
    participants = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n0,1,1,1,1,0,1,\n1,,1,2,0,2,-1,-1\n"
    summary = 'topic,"Ny skole på Øya"\nurl,https://pol.is/x\n'
    conv = read_conversation(_files(participants_votes_csv=participants, summary_csv=summary))
    assert conv.groups == {0: 1, 1: None}
    assert conv.topic == "Ny skole på Øya"


def test_latest_vote_wins_and_ties_go_to_the_later_row() -> None:
    votes = [PolisVote(0, 7, 5, 1), PolisVote(0, 7, 9, -1), PolisVote(0, 7, 9, 0), PolisVote(0, 7, 1, 1)]
    assert latest_votes(votes) == {(7, 0): PolisVote(0, 7, 9, 0)}


def test_missing_file() -> None:
    error = _error(_files(votes_csv=None))
    assert (error.code, error.file) == ("missing_file", "votes.csv")
    with pytest.raises(PolisFormatError) as info:
        read_conversation(Path("/nonexistent/polis"))
    assert info.value.code == "missing_file"


@pytest.mark.parametrize(
    ("files", "file"),
    [
        ({"comments_csv": COMMENTS.replace("author-id", "author")}, "comments.csv"),
        ({"votes_csv": "timestamp,comment-id,voter-id\n1,0,0\n"}, "votes.csv"),
        ({"votes_csv": ""}, "votes.csv"),
        ({"participants_votes_csv": "participant,n-votes\n0,1\n"}, "participants-votes.csv"),
    ],
)
def test_missing_column(files: dict[str, str], file: str) -> None:
    error = _error(_files(**files))
    assert (error.code, error.file, error.line) == ("missing_column", file, 1)


@pytest.mark.parametrize(
    ("files", "file", "line"),
    [
        ({"votes_csv": VOTES + "1400,x,0,2,2\n"}, "votes.csv", 5),  # vote outside -1/0/1
        ({"votes_csv": VOTES + "1400,x,0,abc,1\n"}, "votes.csv", 5),
        ({"votes_csv": VOTES + "1_400,x,0,2,1\n"}, "votes.csv", 5),  # int() would accept this
        ({"votes_csv": VOTES + "1400,x,0,2\n"}, "votes.csv", 5),  # too few fields
        ({"comments_csv": COMMENTS + "3000,2,0,0,0,7,bad moderation\n"}, "comments.csv", 5),  # after a 2-line body
        ({"comments_csv": COMMENTS + "3000,1,0,0,0,1,duplicate id\n"}, "comments.csv", 5),
        ({"comments_csv": COMMENTS.encode() + b"3000,2,0,0,0,1,caf\xe9\n"}, "comments.csv", 5),  # Latin-1
        ({"participants_votes_csv": "participant,group-id\n0,one\n"}, "participants-votes.csv", 2),
    ],
)
def test_bad_value(files: dict[str, str | bytes], file: str, line: int) -> None:
    error = _error(_files(**files))
    assert (error.code, error.file, error.line) == ("bad_value", file, line)


def test_unknown_comment() -> None:
    error = _error(_files(votes_csv=VOTES + "1400,x,9,2,1\n"))
    assert (error.code, error.file, error.line) == ("unknown_comment", "votes.csv", 5)
    assert "9" in error.message


def test_too_large_by_bytes_and_by_votes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(polis_format, "MAX_TOTAL_BYTES", len(COMMENTS) + len(VOTES) - 1)
    assert _error(_files()).code == "too_large"
    (tmp_path / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES, encoding="utf-8")
    with pytest.raises(PolisFormatError) as info:
        read_conversation(tmp_path)
    assert info.value.code == "too_large"
    monkeypatch.setattr(polis_format, "MAX_TOTAL_BYTES", 10**9)
    monkeypatch.setattr(polis_format, "MAX_VOTES", 2)
    error = _error(_files())
    assert (error.code, error.file, error.line) == ("too_large", "votes.csv", 4)


def test_write_of_platform_data_without_topic_or_groups() -> None:
    conv = PolisConversation(
        comments=[PolisComment(3, 5, 0, 'Sier "ja", men', 0)],
        votes=[PolisVote(3, 6, 1000, 0), PolisVote(3, 5, 2000, 1)],
        groups={},
        topic=None,
    )
    files = write_conversation(conv)
    assert files["comments.csv"].splitlines()[1] == '0,Thu Jan 01 00:00:00 UTC 1970,3,5,1,0,0,"Sier ""ja"", men"'
    assert files["participants-votes.csv"].splitlines() == [
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,3",
        "5,,1,1,1,0,1",
        "6,,0,1,0,0,0",
    ]
    assert "topic" not in files["summary.csv"]
    assert sorted(read_conversation(files).votes, key=lambda v: v.created_ms) == conv.votes
