"""The consultation kernel shared by surveys, hearings and focus groups."""

from __future__ import annotations

from flask import Flask

from civic.consultations import public, tasks, views

__all__ = ["register", "tasks"]


def register(app: Flask) -> None:
    """Wire the blueprint (tasks are registered with Celery by importing the module)."""
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
