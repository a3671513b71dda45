"""Surveys: the builder for planners and the answering flow for residents."""

from __future__ import annotations

from flask import Flask

from civic.surveys.views import manage, public


def register(app: Flask) -> None:
    """Wire the planner and resident blueprints."""
    app.register_blueprint(manage.bp)
    app.register_blueprint(public.bp)
