"""Shared HTTP behaviour for the registry adapters: timeouts, token refresh, rate limits, retries, safe errors.

Why one place: KRR, Fiks folkeregister and the address API fail in the same ways (expired token, 429, 5xx,
connection resets), and every adapter must handle them identically and without leaking personal data. Nothing in
this module logs a request body, a URL query, an identity number or a token; RegistryError messages name only the
service and the HTTP status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from civic.registry.types import RegistryError

log = logging.getLogger(__name__)

#: Replaced in tests to observe waits without sleeping.
sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class HttpSettings:
    """Reliability knobs; tests use tiny delays."""

    timeout: float = 20.0  # seconds, per request (connect and read)
    attempts: int = 3  # tries for 5xx / connection errors / 429 before giving up
    backoff: float = 0.5  # first retry delay in seconds; doubles per retry
    max_wait: float = 30.0  # longest Retry-After we honour; longer asks fail instead of blocking a worker


class TokenSource(Protocol):
    """A bearer token for one scope; ``get(refresh=True)`` fetches a new one (after a 401)."""

    def get(self, refresh: bool = False) -> str: ...


def retry_after_seconds(response: requests.Response, unit: str) -> float | None:
    """The Retry-After header in seconds; ``unit`` "ms" for Fiks/Skatteetaten (they send milliseconds)."""
    raw = response.headers.get("Retry-After", "").strip()
    try:
        value = float(raw)
    except ValueError:
        return None
    if value < 0:
        return None
    return value / 1000.0 if unit == "ms" else value


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    service: str,
    settings: HttpSettings,
    tokens: TokenSource | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    params: Any = None,
    retry_after_unit: str = "s",
    accept: tuple[int, ...] = (),
) -> requests.Response:
    """Send one logical request with the shared policy; returns a 2xx response or one whose status is in ``accept``.

    401 → one new token and one more try; 429 → wait Retry-After (bounded by ``max_wait``) and retry; 5xx and
    connection errors → retry with exponential backoff; anything else, or retries exhausted → RegistryError.
    """
    refreshed = False
    failures = 0
    delay = settings.backoff
    while True:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if tokens is not None:
            all_headers["Authorization"] = f"Bearer {tokens.get()}"
        try:
            response = session.request(method, url, headers=all_headers, json=json_body, params=params,
                                       timeout=settings.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            failures += 1
            if failures >= settings.attempts:
                raise RegistryError(f"{service} could not be reached ({type(exc).__name__})") from None
            log.warning("%s unreachable (%s); retry %d of %d", service, type(exc).__name__, failures,
                        settings.attempts - 1)
            sleep(delay)
            delay *= 2
            continue
        status = response.status_code
        if 200 <= status < 300 or status in accept:
            return response
        if status == 401 and tokens is not None and not refreshed:
            log.info("%s answered 401; fetching a new token", service)
            refreshed = True
            tokens.get(refresh=True)
            continue
        if status == 429:
            failures += 1
            wait = retry_after_seconds(response, retry_after_unit)
            wait = delay if wait is None else wait
            if failures >= settings.attempts or wait > settings.max_wait:
                raise RegistryError(f"{service} is rate limiting us (429)")
            log.warning("%s answered 429; waiting %.2f s", service, wait)
            sleep(wait)
            delay *= 2
            continue
        if status >= 500:
            failures += 1
            if failures >= settings.attempts:
                raise RegistryError(f"{service} failed with HTTP {status}")
            log.warning("%s answered %d; retry %d of %d", service, status, failures, settings.attempts - 1)
            sleep(delay)
            delay *= 2
            continue
        raise RegistryError(f"{service} refused the request (HTTP {status})")


def json_of(response: requests.Response, service: str) -> Any:
    """The decoded JSON body, or RegistryError for malformed answers (the body itself is never echoed)."""
    try:
        return response.json()
    except ValueError:
        raise RegistryError(f"{service} sent an answer that is not JSON") from None


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "civic-registry/1"
    return session
