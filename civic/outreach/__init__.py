"""outreach domain."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Wire this domain into the app."""
