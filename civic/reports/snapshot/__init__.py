"""A report's figures, built once at publication into plain JSON (see ``civic.reports.models``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from civic.reports.models import Report


def build_snapshot(session: Session, report: Report) -> dict[str, Any]:
    """Return the report's frozen figures (schema: /work/briefs/reports.md). Being written by the builder."""
    raise NotImplementedError
