"""Personal links: issue a fresh random token for an invitation, find an invitation by its token."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.outreach.models import Invitation, InvitationLink


def issue_links(session: Session, invitation_ids: Sequence[int], *, now: datetime | None = None) -> list[str]:
    """Create one new link per invitation (in order, in one statement) and return the tokens; the caller commits.

    The tokens exist only in the return value: put them in the message and drop them.
    """
    now = now or now_utc()
    tokens = [new_token() for _ in invitation_ids]
    if tokens:
        session.execute(
            insert(InvitationLink.__table__),  # Core: the ORM's bulk path costs more than the statement
            [
                {"invitation_id": invitation_id, "token_hash": hash_token(token), "created_at": now}
                for invitation_id, token in zip(invitation_ids, tokens, strict=True)
            ],
        )
    return tokens


def issue_link(session: Session, invitation_id: int, *, now: datetime | None = None) -> str:
    """Create one new link for an invitation and return its token; the caller commits."""
    return issue_links(session, [invitation_id], now=now)[0]


def find_invitation(session: Session, token: str) -> Invitation | None:
    """Return the invitation a link token belongs to, or None."""
    return session.scalars(
        select(Invitation)
        .join(InvitationLink, InvitationLink.invitation_id == Invitation.id)
        .where(InvitationLink.token_hash == hash_token(token))
    ).one_or_none()
