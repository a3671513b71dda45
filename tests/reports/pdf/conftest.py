"""A published report for the PDF tests, and renderers that stand in for Chromium where Chromium is not the point."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from civic.consultations.models import Access, Consultation, ConsultationKind, ConsultationState
from civic.reports import pdf_tasks
from civic.reports.models import Report, ReportPdf, ReportState, Section
from civic.reports.pdf import PdfRenderer, RenderedPdf

CHROMIUM = "/usr/bin/chromium"
TITLE = {"nb": "Parkering i Bjerke", "nn": "Parkering i Bjerke bydel"}
#: A rendering that is no real PDF: for the tests of storing, skipping and serving.
FAKE_PDF = b"%PDF-1.7\n% a stand-in\n"


def snapshot() -> dict:
    """A small snapshot following the brief's schema (figures already suppressed, as build_snapshot leaves them)."""
    return {
        "schema": 1,
        "built_at": "2026-11-24T07:00:00+00:00",
        "min_cell": 5,
        "consultation": {"kind": "survey", "title": TITLE, "summary": {"nb": "Hva mener du om parkering?"},
                         "languages": ["nb", "nn"], "opens_at": "2026-11-01T08:00:00+00:00",
                         "closes_at": "2026-11-21T22:00:00+00:00", "organisation": "Bydel Bjerke"},
        "headline": {"respondents": 412, "invited": 2000, "response_rate": 0.206, "texts": 0, "topics": 0,
                     "statements": 0},
        "participation": {
            "invited": 2000, "reached": 1960, "responded": 412, "response_rate": 0.206,
            "by_week": [{"week": "2026-11-02", "respondents": 250}, {"week": "2026-11-09", "respondents": 162}],
            "segments": [{
                "dimension": "age_band", "population_source": "invited", "population_total": 2000,
                "respondents_total": 412,
                "rows": [
                    {"segment": "18-29", "population": 600, "respondents": 62, "population_share": 0.3,
                     "respondent_share": 0.15, "representation": 0.5, "under_represented": True},
                    {"segment": "30-66", "population": 1400, "respondents": 350, "population_share": 0.7,
                     "respondent_share": 0.85, "representation": 1.21, "under_represented": False},
                ],
                "hidden_cells": 0,
            }],
        },
        "questions": [{
            "id": 1, "number": "1", "kind": "single_choice", "title": {"nb": "Har husstanden din bil?"},
            "respondents": 412,
            "options": [{"key": "c1", "label": {"nb": "Ja"}, "count": 287, "share": 0.697},
                        {"key": "c2", "label": {"nb": "Nei"}, "count": 125, "share": 0.303}],
            "other_texts": 0, "stats": None, "histogram": None, "ranking": None, "map": None, "texts": None,
            "breakdown": None,
        }],
        "topics": None,
        "groups": None,
        "statements": None,
        "moderation": None,
        "honesty": {
            "sampling_frame": {"kind": "registry", "invited": 2000, "criteria": None},
            "margin_of_error": {"n": 412, "population": 2000, "confidence": 0.95, "points": 4.3},
            "self_selected": True,
            "suppression": {"min_cell": 5, "hidden_cells": 0},
        },
    }


@pytest.fixture
def create_report(db, organisation) -> Callable[..., Report]:
    """A survey consultation in bokmål and nynorsk with a report: published (version 1) unless told otherwise.

    Set up directly rather than through ``publishing.publish``: the figures are a hand-made snapshot, so these
    tests do not depend on the snapshot builder or on crafted responses.
    """
    counter = iter(range(1, 1000))

    def _create(state: ReportState = ReportState.PUBLISHED, version: int = 1) -> Report:
        consultation = Consultation(
            organisation=organisation, public_id=f"pdfreport{next(counter):04d}", kind=ConsultationKind.SURVEY,
            state=ConsultationState.PUBLISHED, access=Access.PUBLIC, languages=["nb", "nn"], title=TITLE,
            summary={"nb": "Hva mener du om parkering?"},
        )
        report = Report(
            consultation=consultation, state=state, version=version, snapshot=snapshot() if version else {},
            sections=[s.value for s in (Section.WHAT_WE_HEARD, Section.PARTICIPATION, Section.RESULTS,
                                        Section.HONESTY)],
            what_we_heard={"nb": "Flertallet har bil og ønsker beboerparkering.",
                           "nn": "Fleirtalet har bil og ønskjer bebuarparkering."},
            published_at=datetime(2026, 11, 24, 7, 0, tzinfo=UTC) if version else None,
        )
        db.session.add(report)
        db.session.commit()
        return report

    return _create


class FakeRenderer:
    """Stands in for ``PdfRenderer``: records what it was asked to print and returns FAKE_PDF."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.closed = False

    def render(self, app, url, *, decor, language, timeout):
        self.urls.append(url)
        return RenderedPdf(content=FAKE_PDF, pages=1, render_ms=5)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_renderer() -> FakeRenderer:
    return FakeRenderer()


def stored_pdfs(db, report: Report) -> list[tuple[int, str]]:
    """(version, language) of the report's stored PDFs."""
    rows = db.session.scalars(
        select(ReportPdf).where(ReportPdf.report_id == report.id).order_by(ReportPdf.version, ReportPdf.language)
    )
    return [(row.version, row.language) for row in rows]


@pytest.fixture(scope="module")
def renderer():
    try:
        chromium = PdfRenderer(CHROMIUM)
    except pdf_tasks.ChromiumMissingError:
        pytest.fail("Debian's chromium is missing: apt-get install chromium (./run test installs it)")
    yield chromium
    chromium.close()


class Shared:
    """The module's renderer where the task would open its own (which it then closes)."""

    launch_ms = 0

    def __init__(self, renderer: PdfRenderer, executable: str = CHROMIUM) -> None:
        self._renderer = renderer

    def render(self, *args, **kwargs):
        return self._renderer.render(*args, **kwargs)

    def close(self) -> None:
        pass
