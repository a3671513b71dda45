"""Serve pinned front-end libraries from installed packages (npm's node_modules, the plotly wheel).

Nothing is fetched from a CDN; the allowlist keeps the route from serving anything else.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import Flask, Response, abort, send_file

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

VENDOR_FILES: dict[str, Path] = {
    "htmx.min.js": NODE_MODULES / "htmx.org/dist/htmx.min.js",
    "sortable.min.js": NODE_MODULES / "sortablejs/Sortable.min.js",
    "leaflet.js": NODE_MODULES / "leaflet/dist/leaflet.js",
    "leaflet.css": NODE_MODULES / "leaflet/dist/leaflet.css",
    "images/marker-icon.png": NODE_MODULES / "leaflet/dist/images/marker-icon.png",
    "images/marker-icon-2x.png": NODE_MODULES / "leaflet/dist/images/marker-icon-2x.png",
    "images/marker-shadow.png": NODE_MODULES / "leaflet/dist/images/marker-shadow.png",
    "plotly.min.js": Path(plotly.__file__).parent / "package_data/plotly.min.js",
}


def init_app(app: Flask) -> None:
    """Register ``/vendor/<name>``; long-cached because versions are pinned."""

    @app.get("/vendor/<path:name>")
    def vendor(name: str) -> Response:
        path = VENDOR_FILES.get(name)
        if path is None or not path.is_file():
            abort(404)
        return send_file(path, max_age=86400)
