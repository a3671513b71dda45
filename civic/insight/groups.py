"""The opinion-groups page's data: a finished opinion-group run's result, joined with today's comment texts.

The run's result is the library's ``OpinionResult.to_dict()`` (comment ids are ``str(Comment.id)``, group ids
string keys). Texts come only through ``visible_for_analysis`` (published comments): a comment moderated out
after the run keeps its numbers but is shown as no longer published. Every statement carries its vote counts —
in total, per group, and for representative comments inside and outside the group — so each claim on the page
can be checked against the votes behind it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation
from civic.hearings.models import HearingSection
from civic.hearings.moderation import visible_for_analysis
from civic.hearings.services import find_hearing
from civic.insight.models import AnalysisRun

#: How many comments the group-informed consensus ranking lists.
GIC_LIMIT = 10
DIVISIVE_LIMIT = 5


@dataclass
class Votes:
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed

    def share(self, direction: str) -> float | None:
        """Share of those who saw the comment that voted ``direction`` (None when nobody saw it)."""
        if not self.seen:
            return None
        return (self.agree if direction == "agree" else self.disagree) / self.seen

    def __add__(self, other: Votes) -> Votes:
        return Votes(self.agree + other.agree, self.disagree + other.disagree, self.passed + other.passed)


@dataclass
class CommentInfo:
    id: int
    text: str
    published: bool
    section_id: int | None = None
    section: str = ""


@dataclass
class GroupRef:
    id: int
    letter: str
    size: int


@dataclass
class Statement:
    """A comment with the numbers behind a claim about it."""

    comment: CommentInfo
    direction: str  # "agree" | "disagree"
    total: Votes  # all grouped participants (consensus: all participants who voted)
    by_group: list[tuple[GroupRef, Votes]]
    in_group: Votes | None = None
    outside: Votes | None = None
    #: repness (representative), p (consensus), GIC (ranking) or divisiveness score — see ``metric_name``.
    metric: float | None = None
    #: GIC only: the k-th root of the product, comparable between hearings with different numbers of groups.
    per_group_metric: float | None = None


@dataclass
class Group:
    ref: GroupRef
    statements: list[Statement] = field(default_factory=list)


@dataclass
class GroupsPage:
    run: AnalysisRun
    k: int
    n_participants: int
    n_in_conv: int
    n_comments: int
    n_votes: int
    groups: list[Group]
    consensus_agree: list[Statement]
    consensus_disagree: list[Statement]
    gic: list[Statement]
    divisive: list[Statement]
    #: (x, y, group letter or None for participants with too few votes to be grouped)
    points: list[tuple[float, float, str | None]]
    #: (x, y, comment id) — the comments' positions in the same plane
    comment_points: list[tuple[float, float, int]]


def letter(group_id: int) -> str:
    """Group 0 → "A": the library keeps ids stable across re-runs, so letters stay too."""
    return chr(ord("A") + group_id) if 0 <= group_id < 26 else str(group_id + 1)


def groups_page(session: Session, consultation: Consultation, run: AnalysisRun) -> GroupsPage:
    """Shape a done run's result for the page."""
    result: dict[str, Any] = run.result or {}
    refs = {
        int(g): GroupRef(int(g), letter(int(g)), int(n))
        for g, n in sorted(result.get("group_sizes", {}).items(), key=lambda item: int(item[0]))
    }
    comments = _comments(session, consultation)
    votes = _group_votes(result.get("comment_votes", {}), refs)

    def info(comment_id: str) -> CommentInfo:
        found = comments.get(str(comment_id))
        if found is not None:
            return found
        return CommentInfo(id=_int(comment_id), text="", published=False)

    def by_group(comment_id: str) -> list[tuple[GroupRef, Votes]]:
        per = votes.get(str(comment_id), {})
        return [(ref, per.get(g, Votes())) for g, ref in refs.items()]

    def total(comment_id: str) -> Votes:
        return sum((v for _, v in by_group(comment_id)), Votes())

    groups = []
    for g, ref in refs.items():
        group = Group(ref)
        for rep in _entries(result.get("repness", {}).get(str(g))):
            cid = str(rep["comment_id"])
            per = votes.get(cid, {})
            inside = per.get(g, Votes())
            group.statements.append(
                Statement(
                    comment=info(cid),
                    direction="disagree" if rep.get("direction") == "disagree" else "agree",
                    total=total(cid),
                    by_group=by_group(cid),
                    in_group=inside,
                    outside=total(cid) + Votes(-inside.agree, -inside.disagree, -inside.passed),
                    metric=_float(rep.get("repness")),
                )
            )
        groups.append(group)

    def consensus(direction: str) -> list[Statement]:
        items = []
        for entry in _entries(result.get("consensus", {}).get(direction)):
            cid = str(entry["comment_id"])
            agree, disagree = _int(entry.get("n_agree")), _int(entry.get("n_disagree"))
            seen = _int(entry.get("n_seen"))
            items.append(
                Statement(
                    comment=info(cid),
                    direction=direction,
                    total=Votes(agree, disagree, max(0, seen - agree - disagree)),
                    by_group=by_group(cid),
                    metric=_float(entry.get("p")),
                )
            )
        return items

    k = max(1, len(refs))
    scores = {str(cid): _float(value) for cid, value in (result.get("group_informed_consensus") or {}).items()}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    gic = [
        Statement(
            comment=info(cid),
            direction="agree",
            total=total(cid),
            by_group=by_group(cid),
            metric=value,
            per_group_metric=value ** (1 / k) if value > 0 else 0.0,
        )
        for cid, value in ranked[:GIC_LIMIT]
    ]
    divisive = [
        Statement(
            comment=info(str(entry["comment_id"])),
            direction="agree",
            total=total(str(entry["comment_id"])),
            by_group=by_group(str(entry["comment_id"])),
            metric=_float(entry.get("score")),
        )
        for entry in _entries(result.get("divisive"))[:DIVISIVE_LIMIT]
    ]
    grouped = {str(p): int(g) for p, g in result.get("groups", {}).items()}
    points = [
        (float(x), float(y), letter(grouped[p]) if p in grouped else None)
        for p, (x, y) in sorted(result.get("projection", {}).items())
        if _finite(x, y)
    ]
    comment_points = [
        (float(x), float(y), _int(c))
        for c, (x, y) in sorted(result.get("comment_projection", {}).items())
        if _finite(x, y) and str(c) in comments
    ]
    return GroupsPage(
        run=run,
        k=int(result.get("k") or len(refs)),
        n_participants=int(result.get("n_participants", 0)),
        n_in_conv=int(result.get("n_in_conv", 0)),
        n_comments=int(result.get("n_comments", 0)),
        n_votes=int(result.get("n_votes", 0)),
        groups=groups,
        consensus_agree=consensus("agree"),
        consensus_disagree=consensus("disagree"),
        gic=gic,
        divisive=divisive,
        points=points,
        comment_points=comment_points,
    )


def _comments(session: Session, consultation: Consultation) -> dict[str, CommentInfo]:
    hearing = find_hearing(session, consultation)
    if hearing is None:
        return {}
    sections = {
        section.id: f"{section.number} {section.heading}".strip()
        for section in session.scalars(select(HearingSection).where(HearingSection.hearing_id == hearing.id))
    }
    return {
        str(comment.id): CommentInfo(
            id=comment.id,
            text=comment.body or "",
            published=True,
            section_id=comment.section_id,
            section=sections.get(comment.section_id, "") if comment.section_id else "",
        )
        for comment in visible_for_analysis(session, hearing.id)
    }


def _group_votes(raw: dict[str, Any], refs: dict[int, GroupRef]) -> dict[str, dict[int, Votes]]:
    votes: dict[str, dict[int, Votes]] = {}
    for cid, per in raw.items():
        votes[str(cid)] = {
            int(g): Votes(int(v.get("agree", 0)), int(v.get("disagree", 0)), int(v.get("pass", 0)))
            for g, v in per.items()
            if int(g) in refs
        }
    return votes


def _entries(items: Any) -> list[dict[str, Any]]:
    """The list entries that name a comment (a damaged or older result must not break the page)."""
    return [item for item in items or [] if isinstance(item, dict) and "comment_id" in item]


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _finite(*values: Any) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False
