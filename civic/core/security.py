"""Security headers on every response, with a CSP that allows no inline script."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response


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


def init_app(app: Flask) -> None:
    """Register the after_request hook that sets the headers."""
    policy = content_security_policy(app)

    @app.after_request
    def _set_headers(response: Response) -> Response:
        headers: Any = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")  # personal-link tokens live in URLs
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
