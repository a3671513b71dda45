"""Being written (issue 7)."""

from __future__ import annotations

from flask import Blueprint

from civic.accounts.permissions import ALL_STAFF

bp = Blueprint("reports_compose", __name__, url_prefix="/manage/reports")
VIEW_ROLES = ALL_STAFF
