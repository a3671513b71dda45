"""Static information pages for residents: the accessibility statement and the data-protection page."""

from __future__ import annotations

from flask import Flask

from civic.pages import views

__all__ = ["register"]


def register(app: Flask) -> None:
    """Wire the blueprint."""
    app.register_blueprint(views.bp)
