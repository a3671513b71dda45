"""The read-only observer link for people without a staff account (e.g. politicians watching a session).

The link holds a random token; only its hash is stored on the focus group (civic.core.tokens), so a database
reader cannot rebuild it, and the planner sees the link once, when it is made. Making a new link replaces the old
one; revoking it makes every copy of the link stop working at once. Services flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.tokens import hash_token, new_token
from civic.focus_groups.models import FocusGroup

#: A token is URL-safe base64 of 24 random bytes (32 characters); anything far off is not looked up.
MAX_TOKEN_LENGTH = 64


def create_observer_link(session: Session, focus_group: FocusGroup) -> str:
    """A fresh observer token for the group (the previous link stops working); returns the token itself."""
    token = new_token()
    focus_group.observer_token_hash = hash_token(token)
    session.flush()
    return token


def revoke_observer_link(session: Session, focus_group: FocusGroup) -> bool:
    """Stop the observer link; False when there was none."""
    if focus_group.observer_token_hash is None:
        return False
    focus_group.observer_token_hash = None
    session.flush()
    return True


def find_by_observer_token(session: Session, token: str) -> FocusGroup | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(FocusGroup).where(FocusGroup.observer_token_hash == hash_token(token)))
