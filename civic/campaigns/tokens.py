"""Personal-link tokens that the platform can re-derive from the registry, and nothing else.

A resident's token is HMAC(SECRET_KEY + campaign salt, national id). The database stores only its
SHA-256 (outreach Invitation.token_hash). A reminder fetches the audience from the registry again,
re-derives each token and so finds the invitation, without civic ever storing who was invited.
Without SECRET_KEY a copy of the database cannot link an invitation to a person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_salt() -> str:
    return secrets.token_hex(16)


def personal_token(secret_key: str, salt: str, national_id: str) -> str:
    """Return the URL-safe token (256 bits, 43 characters) for one resident in one campaign."""
    key = hashlib.sha256(f"civic-campaign-token\x00{secret_key}\x00{salt}".encode()).digest()
    digest = hmac.new(key, national_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
