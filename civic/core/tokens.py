"""Personal-link tokens: >=128 random bits in the URL, only a hash in the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 24  # 192 bits of randomness


def new_token() -> str:
    """Return a fresh URL-safe token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest stored instead of the token.

    A plain hash is enough: the token has >=128 bits of entropy, so it cannot be guessed from the hash.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def response_key_hash(token: str) -> str:
    """Return the key under which a personal link's response is stored: a second, separate hash of the token.

    The link's own hash (hash_token) finds the invitation; this one finds the response. Neither can be
    computed from the other, so the database does not join an invitation to its answers; only the
    resident, who holds the token, does.
    """
    return hashlib.sha256(b"civic-response\x00" + token.encode("utf-8")).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
