"""Reading comments: one page of a section's (or the whole document's) threads, sorted, with the reader's votes.

Shown to everyone: published comments. Shown to their author only: their own pending comments. A deleted or
hidden comment is shown without its text when published replies hang below it (so the replies keep their
place), and left out otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

from civic.core.timeutils import now_utc
from civic.hearings import statement_order
from civic.hearings.comments import can_edit
from civic.hearings.models import Comment, CommentState, Participant, Vote

SORTS = ("newest", "agreed", "divisive")
PAGE_SIZE = 20
#: Marker for "every section": list_comments(section_id=ALL_SECTIONS).
ALL_SECTIONS = -1


@dataclass
class CommentItem:
    comment: Comment
    my_vote: int | None = None
    mine: bool = False
    can_edit: bool = False
    replies: list[CommentItem] = field(default_factory=list)

    @property
    def placeholder(self) -> bool:
        """Deleted or hidden: shown only to keep its replies in place, without its text."""
        return self.comment.state in (CommentState.DELETED, CommentState.HIDDEN)

    @property
    def pending(self) -> bool:
        return self.comment.state == CommentState.PENDING


@dataclass
class CommentPage:
    items: list[CommentItem]
    sort: str
    page: int
    pages: int
    total: int  # top-level threads on all pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def normalise_sort(value: str | None) -> str:
    return value if value in SORTS else SORTS[0]


def normalise_page(value: str | int | None) -> int:
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        return 1


def _shown(participant_id: int | None) -> ColumnElement[bool]:
    """Which comments a reader sees (see the module docstring)."""
    child = aliased(Comment)
    has_published_reply = exists().where(child.parent_id == Comment.id, child.state == CommentState.PUBLISHED)
    conditions = [
        Comment.state == CommentState.PUBLISHED,
        and_(Comment.state.in_([CommentState.DELETED, CommentState.HIDDEN]), has_published_reply),
    ]
    if participant_id is not None:
        conditions.append(and_(Comment.state == CommentState.PENDING, Comment.participant_id == participant_id))
    return or_(*conditions)


def list_comments(
    session: Session,
    hearing_id: int,
    *,
    section_id: int | None,
    participant: Participant | None = None,
    sort: str = "newest",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> CommentPage:
    """One page of top-level comments with their replies (oldest reply first).

    ``section_id`` None lists the comments on the whole document; ALL_SECTIONS lists every top-level comment.
    """
    sort = normalise_sort(sort)
    me = participant.id if participant is not None else None
    where = [Comment.hearing_id == hearing_id, Comment.depth == 0, _shown(me)]
    if section_id is None:
        where.append(Comment.section_id.is_(None))
    elif section_id != ALL_SECTIONS:
        where.append(Comment.section_id == section_id)

    total = session.scalar(select(func.count()).select_from(Comment).where(*where)) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    offset = (page - 1) * page_size
    if sort == "newest":
        ids = list(
            session.scalars(
                select(Comment.id)
                .where(*where)
                .order_by(Comment.created_at.desc(), Comment.id.desc())
                .offset(offset)
                .limit(page_size)
            )
        )
    else:
        rows = session.execute(
            select(Comment.id, Comment.agree_count, Comment.disagree_count, Comment.pass_count).where(*where)
        ).all()
        candidates = [statement_order.Candidate(i, a + d + p, a, d, p) for i, a, d, p in rows]
        rank = statement_order.rank_most_agreed if sort == "agreed" else statement_order.rank_most_divisive
        ids = rank(candidates)[offset : offset + page_size]

    top = _load(session, [Comment.id.in_(ids)]) if ids else {}
    replies: list[Comment] = []
    parents = list(top)
    for _level in range(2):  # depth 1 and 2 (models.MAX_DEPTH)
        if not parents:
            break
        found = list(_load(session, [Comment.parent_id.in_(parents), _shown(me)]).values())
        replies.extend(found)
        parents = [c.id for c in found]

    shown = [*top.values(), *replies]
    votes = _my_votes(session, me, [c.id for c in shown])
    now = now or now_utc()
    items = {
        c.id: CommentItem(
            comment=c,
            my_vote=votes.get(c.id),
            mine=me is not None and c.participant_id == me,
            can_edit=can_edit(c, participant, now),
        )
        for c in shown
    }
    for reply in sorted(replies, key=lambda c: (c.created_at, c.id)):
        parent = items.get(reply.parent_id or 0)
        if parent is not None:
            parent.replies.append(items[reply.id])
    return CommentPage(items=[items[i] for i in ids if i in items], sort=sort, page=page, pages=pages, total=total)


def _load(session: Session, where: list) -> dict[int, Comment]:
    query = select(Comment).where(*where).options(selectinload(Comment.participant))
    return {c.id: c for c in session.scalars(query)}


def _my_votes(session: Session, participant_id: int | None, comment_ids: list[int]) -> dict[int, int]:
    if participant_id is None or not comment_ids:
        return {}
    rows = session.execute(
        select(Vote.comment_id, Vote.value).where(
            Vote.participant_id == participant_id, Vote.comment_id.in_(comment_ids)
        )
    ).all()
    return dict(rows)


def top_level_counts(session: Session, hearing_id: int) -> dict[int | None, int]:
    """Published top-level comments per section id (None: the whole document)."""
    rows = session.execute(
        select(Comment.section_id, func.count())
        .where(Comment.hearing_id == hearing_id, Comment.depth == 0, Comment.state == CommentState.PUBLISHED)
        .group_by(Comment.section_id)
    ).all()
    return dict(rows)
