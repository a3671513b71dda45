"""Maskinporten access tokens by JWT grant (RFC 7523), cached per scope until shortly before they expire.

Why: KRR and Fiks folkeregister accept only Maskinporten tokens. A grant is a short-lived RS256-signed JWT
(``kid`` header for a pre-registered key; aud, iss = client id, scope, iat, exp = iat + 120 s, unique jti) posted as a
form to the token endpoint. Tokens are reused until ``expires_in - 60 s`` and fetched by one thread at a time.
Neither the assertion nor the access token is ever logged, put in an exception message or shown by ``repr``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

import jwt
import requests
from cryptography.hazmat.primitives import serialization

from civic.registry.http_common import HttpSettings, json_of, new_session, sleep
from civic.registry.types import RegistryError

log = logging.getLogger(__name__)

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_LIFETIME = 120  # seconds; Maskinporten's maximum
EARLY_REFRESH = 60  # seconds before expiry at which a cached token is replaced


@dataclass
class _Cached:
    token: str = field(repr=False)
    expires_at: float  # time.monotonic()


class MaskinportenClient:
    """Fetches and caches tokens; one instance per client id, shared by all adapters and threads."""

    def __init__(self, *, token_url: str, audience: str, client_id: str, key_id: str, private_key: bytes,
                 timeout: float = 20.0, settings: HttpSettings | None = None,
                 session: requests.Session | None = None) -> None:
        try:
            self._key = serialization.load_pem_private_key(private_key, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError("MASKINPORTEN_PRIVATE_KEY_PATH does not hold an unencrypted PEM private key") from exc
        self.token_url, self.audience, self.client_id, self.key_id = token_url, audience, client_id, key_id
        self.settings = settings or HttpSettings(timeout=timeout)
        self._session = session or new_session()
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MaskinportenClient(client_id={self.client_id!r}, token_url={self.token_url!r})"

    def grant(self, scope: str) -> str:
        """A signed JWT grant for ``scope`` (fresh jti every time: grants cannot be reused)."""
        now = int(time.time())
        claims = {"aud": self.audience, "iss": self.client_id, "scope": scope, "iat": now,
                  "exp": now + GRANT_LIFETIME, "jti": str(uuid.uuid4())}
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})

    def token(self, scope: str, refresh: bool = False) -> str:
        """A valid access token for ``scope``; ``refresh`` discards the cached one (after a 401)."""
        with self._lock:
            cached = self._cache.get(scope)
            if cached is not None and not refresh and time.monotonic() < cached.expires_at:
                return cached.token
            token, lifetime = self._fetch(scope)
            self._cache[scope] = _Cached(token, time.monotonic() + max(0.0, lifetime - EARLY_REFRESH))
            return token

    def tokens(self, scope: str) -> ScopedTokens:
        return ScopedTokens(self, scope)

    def _fetch(self, scope: str) -> tuple[str, float]:
        delay = self.settings.backoff
        for attempt in range(1, self.settings.attempts + 1):
            form = {"grant_type": GRANT_TYPE, "assertion": self.grant(scope)}
            try:
                response = self._session.post(self.token_url, data=form, timeout=self.settings.timeout,
                                              headers={"Accept": "application/json"})
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = f"Maskinporten could not be reached ({type(exc).__name__})"
            else:
                if response.status_code == 200:
                    body = json_of(response, "Maskinporten")
                    token = body.get("access_token") if isinstance(body, dict) else None
                    if not isinstance(token, str) or not token:
                        raise RegistryError("Maskinporten answered without an access token")
                    try:
                        lifetime = float(body.get("expires_in", 120))
                    except (TypeError, ValueError):
                        lifetime = 120.0
                    log.info("Maskinporten token fetched for scope %s (valid %.0f s)", scope, lifetime)
                    return token, lifetime
                if response.status_code < 500 and response.status_code != 429:
                    raise RegistryError(f"Maskinporten refused the grant (HTTP {response.status_code})")
                error = f"Maskinporten failed with HTTP {response.status_code}"
            if attempt == self.settings.attempts:
                raise RegistryError(error)
            log.warning("%s; retry %d of %d", error, attempt, self.settings.attempts - 1)
            sleep(delay)
            delay *= 2
        raise RegistryError("Maskinporten could not be reached")  # pragma: no cover (loop always returns/raises)


class ScopedTokens:
    """The TokenSource the HTTP adapters use: one Maskinporten client, one scope."""

    def __init__(self, client: MaskinportenClient, scope: str) -> None:
        self.client, self.scope = client, scope

    def get(self, refresh: bool = False) -> str:
        return self.client.token(self.scope, refresh=refresh)

    def __repr__(self) -> str:
        return f"ScopedTokens(scope={self.scope!r})"
