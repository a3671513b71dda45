"""Planner pages: the survey builder."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("surveys_manage", __name__, url_prefix="/manage/surveys")
