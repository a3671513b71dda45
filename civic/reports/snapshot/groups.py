"""Opinion groups of a hearing: the latest finished opinion-group run, as the insight page shows it.

Group sizes are counts of people: they are suppressed as one list against the printed number of grouped
participants, and a group whose size is hidden lists no statements (its shares would be of a handful of people).
Only published comments are quoted; statements with fewer than ``MIN_CELL`` votes behind them are left out.
"""

from __future__ import annotations

from typing import Any

from civic.insight.groups import Statement, Votes, groups_page
from civic.insight.models import RunKind
from civic.reports.snapshot.context import Build, iso
from civic.reports.snapshot.suppressed import MIN_CELL, shown, suppress_column

STATEMENTS_PER_GROUP = 5
CONSENSUS = 5


def groups(build: Build) -> dict[str, Any] | None:
    if build.hearing is None:
        return None
    run = build.latest_done_run(RunKind.OPINION_GROUPS)
    if run is None:
        return None
    page = groups_page(build.session, build.consultation, run)
    sizes = [group.ref.size for group in page.groups]
    hidden = suppress_column(sizes, total_known=True)
    build.tally.add(hidden)
    listed = []
    for group, hide in zip(page.groups, hidden, strict=True):
        statements = [] if hide else [_representative(s) for s in group.statements if _quotable(s)]
        listed.append(
            {
                "letter": group.ref.letter,
                "size": shown(group.ref.size, hide),
                "statements": statements[:STATEMENTS_PER_GROUP],
            }
        )
    small = {group.ref.id for group, hide in zip(page.groups, hidden, strict=True) if hide}
    consensus = [
        _consensus(statement)
        for statement in [*page.consensus_agree, *page.consensus_disagree]
        if _quotable(statement) and statement.total.seen >= MIN_CELL
    ]
    divisive = [_divisive(s, small) for s in page.divisive if _quotable(s) and s.total.seen >= MIN_CELL]
    return {
        "run_id": run.id,
        "finished_at": iso(run.finished_at),
        "participants": page.n_participants,
        "grouped": page.n_in_conv,
        "comments": page.n_comments,
        "votes": page.n_votes,
        "groups": listed,
        "consensus": consensus[: CONSENSUS * 2],
        "divisive": divisive,
    }


def _quotable(statement: Statement) -> bool:
    return statement.comment.published and bool(statement.comment.text.strip())


def _share(votes: Votes | None, direction: str) -> float | None:
    if votes is None:
        return None
    value = votes.share(direction)
    return round(value, 4) if value is not None else None


def _representative(statement: Statement) -> dict[str, Any]:
    return {
        "text": statement.comment.text,
        "direction": statement.direction,
        "share": _share(statement.in_group, statement.direction),
        "outside_share": _share(statement.outside, statement.direction),
    }


def _consensus(statement: Statement) -> dict[str, Any]:
    return {
        "text": statement.comment.text,
        "direction": statement.direction,
        "agree_share": _share(statement.total, "agree"),
        "disagree_share": _share(statement.total, "disagree"),
        "votes": statement.total.seen,
    }


def _divisive(statement: Statement, small: set[int]) -> dict[str, Any]:
    """The spread is between the agree shares of the groups whose size is printed (and who saw the comment)."""
    shares = [votes.share("agree") for ref, votes in statement.by_group if votes.seen and ref.id not in small]
    found = [value for value in shares if value is not None]
    return {
        "text": statement.comment.text,
        "spread": round(max(found) - min(found), 4) if len(found) >= 2 else None,
        "score": round(statement.metric, 4) if statement.metric is not None else None,
        "votes": statement.total.seen,
    }
