"""A campaign's keyed person reference: how a reminder round finds a resident's invitation again.

An invitation stores person_ref = HMAC(SECRET_KEY + campaign salt, national id). A reminder fetches the
audience from the registry again, derives each reference and so finds the invitation, without civic
storing who was invited: without SECRET_KEY a copy of the database cannot link an invitation to a person.

The links in the messages are not derived from the reference: each message carries a fresh random token
(outreach.links), and the response is stored under a second hash of that token. So even whoever holds
SECRET_KEY, the database and registry access can find a resident's invitation (and whether and on which
day it was answered), but not the answers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_salt() -> str:
    return secrets.token_hex(16)


def person_reference(secret_key: str, salt: str, national_id: str) -> str:
    """Return the hex reference (256 bits) of one resident in one campaign."""
    key = hashlib.sha256(f"civic-campaign-person\x00{secret_key}\x00{salt}".encode()).digest()
    return hmac.new(key, national_id.encode("utf-8"), hashlib.sha256).hexdigest()
