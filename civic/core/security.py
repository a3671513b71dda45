"""Security headers on every response (a CSP that allows no inline script), the refusal of NUL characters, and
the guard against clients that guess personal-link tokens."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import RateLimitItem
from limits import parse as parse_limit
from werkzeug.exceptions import BadRequest, TooManyRequests

from civic.extensions import limiter  # the app's limiter and its storage (Redis in production)

#: Wrong personal-link tokens one client may try before every token URL refuses it for the rest of the window.
#: The tokens carry 192 random bits, so guessing is hopeless anyway; this keeps scanners from trying at all.
DEFAULT_TOKEN_GUESS_RATE_LIMIT = "30 per 10 minutes"  # noqa: S105 (a rate, not a secret)


def content_security_policy(app: Flask) -> str:
    """Build the CSP; map tiles are the only configurable outside origin."""
    img_sources = ["'self'", "data:"]
    tile_url = app.config.get("MAP_TILE_URL") or ""
    if tile_url.startswith("https://"):
        img_sources.append("https://" + tile_url.split("/")[2].replace("{s}", "*"))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet and Plotly set style attributes and <style> elements from script.
            "style-src 'self' 'unsafe-inline'",
            "img-src " + " ".join(img_sources),
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _token_guess_limit() -> RateLimitItem:
    return parse_limit(current_app.config.get("TOKEN_GUESS_RATE_LIMIT", DEFAULT_TOKEN_GUESS_RATE_LIMIT))


def _client_key() -> str:
    # A keyed hash of the address, so the rate-limit store holds no IP addresses.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, get_remote_address().encode(), hashlib.sha256).hexdigest()


def _url_names_a_token() -> bool:
    """Does this request name a resident's token in its URL? Staff URLs are left out: their tokens are signed
    (password links) or need a login (the outbox)."""
    return bool(request.view_args and "token" in request.view_args and not request.path.startswith("/manage"))


def refuse_token_guessers() -> None:
    """Raise 429 if this client has tried too many unknown tokens (for views that take a token from a form)."""
    if limiter.enabled and not limiter.limiter.test(_token_guess_limit(), "token-guess", _client_key()):
        error = TooManyRequests(
            _("Too many links that do not work were opened from your network. Wait ten minutes and try again.")
        )
        error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
        raise error


def count_wrong_token() -> None:
    """Count one unknown token against this client (for views that take a token from a form)."""
    if limiter.enabled:
        limiter.limiter.hit(_token_guess_limit(), "token-guess", _client_key())


def init_token_guard(app: Flask) -> None:
    """Count a client's requests for unknown tokens (404) and refuse its token URLs (429) once it has guessed
    too often. Lookups themselves go by the token's hash (civic.core.tokens), so their timing tells nothing."""

    @app.before_request
    def _refuse_token_guessers() -> None:
        if _url_names_a_token():
            refuse_token_guessers()

    @app.after_request
    def _count_wrong_tokens(response: Response) -> Response:
        if response.status_code == 404 and _url_names_a_token():
            count_wrong_token()
        return response


def _holds_nul(encoded: bytes) -> bool:
    """Does URL-encoded data decode to a NUL anywhere? Only "%00" (or a raw NUL byte) can: "%2500" is "%00" as text."""
    return b"%00" in encoded or b"\x00" in encoded


def _refuse_nul_characters() -> None:
    """Refuse a request whose URL or form holds a NUL character (400), before any view sees it.

    No keyboard types one, PostgreSQL cannot store one in text (the insert would fail: a 500), and C code
    downstream may cut the text there. Only crafted requests carry it, so a plain refusal loses nobody's work.
    The encoded bytes are searched, not the parsed fields: this runs on every request.
    """
    found = "\x00" in request.path or _holds_nul(request.query_string)
    if request.mimetype == "application/x-www-form-urlencoded":
        # cache=True keeps the raw body for the form parser and for views that read it (signed webhooks).
        found = found or _holds_nul(request.get_data(cache=True))
    elif request.mimetype == "multipart/form-data":
        found = found or any("\x00" in text for key, values in request.form.lists() for text in (key, *values))
    if found:
        error = BadRequest(_("The request holds a character that cannot be stored (NUL). Remove it and try again."))
        error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
        raise error


def init_app(app: Flask) -> None:
    """Register the after_request hook that sets the headers, and the guards against NUL characters and guessed
    tokens."""
    app.before_request(_refuse_nul_characters)
    init_token_guard(app)
    policy = content_security_policy(app)

    always = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),  # personal-link tokens live in URLs
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        always.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))

    @app.after_request
    def _set_headers(response: Response) -> Response:
        # One pass over the response's headers (setdefault would scan them once per header): a view may set its
        # own value for any of these, and then it is kept.
        headers: Any = response.headers
        present = {name.lower() for name, _value in headers.items()}
        for name, value in always:
            if name.lower() not in present:
                headers.add(name, value)
        return response
