"""Signed, timed links to set a password: for "forgot password" and for new staff.

The token carries the user id and ``session_generation``. Setting a password bumps the generation, so
a link works once; it also dies when the account is deactivated.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.core.errors import DomainError, GoneError
from civic.core.timeutils import now_utc

SALT = "civic.accounts.password-link"


class LinkPurpose(enum.StrEnum):
    RESET = "reset"  # "Forgot password?"
    WELCOME = "welcome"  # a new staff member sets a first password


#: Seconds a link stays valid; a new colleague may not read the e-mail within the hour.
MAX_AGE = {LinkPurpose.RESET: 3600, LinkPurpose.WELCOME: 72 * 3600}


class InvalidLinkError(DomainError):
    """The link was never issued by us (tampered or truncated)."""

    status_code = 404


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, user: StaffUser, purpose: LinkPurpose = LinkPurpose.RESET) -> str:
    """Return a URL-safe token for ``user``."""
    return _serializer(secret_key).dumps({"u": user.id, "g": user.session_generation, "p": str(purpose)})


def load_user(session: Session, secret_key: str, token: str, *, now: datetime | None = None) -> StaffUser:
    """Return the user a valid, unexpired, unused token belongs to; raise a DomainError otherwise."""
    try:
        payload, signed_at = _serializer(secret_key).loads(token, return_timestamp=True)
        user_id, generation, purpose = int(payload["u"]), int(payload["g"]), LinkPurpose(payload["p"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvalidLinkError(_("This link is not valid. Check that you copied all of it.")) from None
    if (now or now_utc()).timestamp() - signed_at.timestamp() > MAX_AGE[purpose]:
        raise GoneError(_("This link has expired. Ask for a new one below."))
    user = session.get(StaffUser, user_id)
    if user is None or not user.is_active:
        raise GoneError(_("This link is no longer valid."))
    if user.session_generation != generation:
        raise GoneError(_("This link has already been used. Ask for a new one below if you need it."))
    return user
