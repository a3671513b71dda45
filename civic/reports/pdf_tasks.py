"""Being written (issue 7): the PDF task."""

from __future__ import annotations

from civic.reports.models import Report


def request_pdfs(report: Report) -> None:
    """Queue the PDFs of the report's current version (after commit)."""
