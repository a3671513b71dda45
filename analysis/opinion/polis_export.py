"""Read a Polis export folder (comments.csv, votes.csv, participants-votes.csv, summary.csv).

The vote sign is checked, not assumed: Polis' database stores agree = −1, its CSV exports flip that to agree = +1,
but one 2024 export route wrote the raw sign (analysis.md §1.2). ``comments.csv`` counts every vote event in its
``agrees`` column, so the sign whose +1 events match those counts best wins, and the votes are flipped if needed.
Votes are ordered by timestamp (stable), so the last record of a pair is the participant's latest vote.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.opinion.matrix import VoteRecord


@dataclass
class PolisExport:
    directory: Path
    votes: list[VoteRecord]  # (participant, comment, vote), agree = +1, in timestamp order
    comment_ids: list[str]  # numeric order
    comment_texts: dict[str, str]
    moderated_out: frozenset[str]  # moderated == −1, or is-meta
    group_ids: dict[str, int]  # Polis' own group-id per clustered participant (participants-votes.csv)
    group_informed_consensus: dict[str, float] | None  # Polis' exported column, when the export has it
    vote_sign: int = 1  # +1: the file's votes were agree = +1; −1: they were flipped on reading
    summary: dict[str, str] = field(default_factory=dict)


def read_polis_export(directory: str | Path) -> PolisExport:
    folder = Path(directory)
    comments = pd.read_csv(folder / "comments.csv", dtype={"comment-id": str})
    votes = pd.read_csv(folder / "votes.csv", dtype={"comment-id": str, "voter-id": str})

    comments["comment-id"] = comments["comment-id"].str.strip()
    comment_ids = sorted(comments["comment-id"].tolist(), key=_numeric_first)
    bodies = comments["comment-body"].fillna("") if "comment-body" in comments else pd.Series("", comments.index)
    texts = dict(zip(comments["comment-id"], bodies, strict=True))
    out = comments["moderated"].astype(int) == -1 if "moderated" in comments else pd.Series(False, comments.index)
    if "is-meta" in comments:
        out |= comments["is-meta"].astype(str).str.lower().isin({"true", "1", "t"})
    moderated_out = frozenset(comments.loc[out, "comment-id"])

    if "timestamp" in votes:
        votes = votes.sort_values("timestamp", kind="stable")
    sign = _vote_sign(comments, votes)
    values = votes["vote"].to_numpy(dtype=np.int64) * sign
    records = list(zip(votes["voter-id"].str.strip(), votes["comment-id"].str.strip(), values.tolist(), strict=True))

    gic = None
    if "group-informed-consensus" in comments:
        gic = {
            c: float(v)
            for c, v in zip(comments["comment-id"], comments["group-informed-consensus"], strict=True)
            if not (isinstance(v, float) and math.isnan(v))
        }
    return PolisExport(
        directory=folder,
        votes=records,
        comment_ids=comment_ids,
        comment_texts={str(c): str(t) for c, t in texts.items()},
        moderated_out=moderated_out,
        group_ids=_group_ids(folder / "participants-votes.csv"),
        group_informed_consensus=gic,
        vote_sign=sign,
        summary=_summary(folder / "summary.csv"),
    )


def _numeric_first(comment_id: str) -> tuple[int, float, str]:
    try:
        return (0, float(comment_id), comment_id)
    except ValueError:
        return (1, 0.0, comment_id)


def _vote_sign(comments: pd.DataFrame, votes: pd.DataFrame) -> int:
    """+1 if the files say agree = +1 (the export convention), −1 if the votes carry Polis' raw database sign."""
    if "agrees" not in comments or votes.empty:
        return 1
    expected = comments.set_index("comment-id")["agrees"]
    mismatch = {}
    for sign in (1, -1):
        counted = votes[votes["vote"] == sign].groupby("comment-id").size()
        mismatch[sign] = float((expected - counted.reindex(expected.index, fill_value=0)).abs().sum())
    return 1 if mismatch[1] <= mismatch[-1] else -1


def _group_ids(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    groups: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            value = (row.get("group-id") or "").strip()
            if value:
                groups[row["participant"].strip()] = int(float(value))
    return groups


def _summary(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}
