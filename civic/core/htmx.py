"""The one place that decides between a full page and an htmx fragment."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, redirect, render_template, request


def is_partial_request() -> bool:
    """Return True for htmx requests that want a fragment (not boosted, not a history restore)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_fragment(page_template: str, partial_template: str, status: int = 200, **ctx: Any) -> Response:
    """Render the partial for htmx and the full page otherwise; always vary on HX-Request."""
    template = partial_template if is_partial_request() else page_template
    response = make_response(render_template(template, **ctx), status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str) -> Response:
    """Finish a flow: HX-Redirect for htmx, a 303 for plain forms."""
    if is_partial_request():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def hx_trigger(response: Response, event_name: str, detail: dict[str, Any] | None = None) -> Response:
    """Ask htmx to fire a client-side event so other components refresh themselves."""
    response.headers["HX-Trigger"] = json.dumps({event_name: detail or {}})
    return response


def init_app(app: Any) -> None:
    """Make the helper available in templates."""
    app.jinja_env.globals["is_partial_request"] = is_partial_request
