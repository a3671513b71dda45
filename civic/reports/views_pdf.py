"""Being written (issue 7)."""

from __future__ import annotations

from flask import Blueprint

from civic.accounts.permissions import ALL_STAFF

bp = Blueprint("reports_pdf", __name__)
VIEW_ROLES = ALL_STAFF
