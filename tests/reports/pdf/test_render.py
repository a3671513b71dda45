"""The published report's real page printed by Chromium: pages that are not blank, the title and figures as text.

One Chromium for the module (the ``renderer`` fixture: ``PdfRenderer`` keeps it on its own thread, so it does not
clash with the browser tests' Playwright in the same test run). Marked ``browser``: the PostgreSQL pass leaves
Chromium out.
"""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pypdfium2 as pdfium
import pytest

from civic.consultations.models import ConsultationState
from civic.reports import pdf_tasks, publishing
from civic.reports.models import ReportPdf
from civic.reports.pdf import count_pages
from tests.reports.pdf.conftest import Shared

pytestmark = pytest.mark.browser


def _pages(content: bytes) -> list[tuple[np.ndarray, str]]:
    """Each page's body (the A4 page less the running header and footer in its margins) as a greyscale image
    (0 black … 255 white), with the page's text, whitespace made plain."""
    document = pdfium.PdfDocument(io.BytesIO(content))
    pages = []
    for page in document:
        image = np.asarray(page.render(scale=0.75).to_pil().convert("L"))
        height = image.shape[0]
        body = image[round(height * 21 / 297):round(height * (297 - 19) / 297)]
        text = re.sub(r"\s+", " ", page.get_textpage().get_text_range())
        pages.append((body, text))
    document.close()
    return pages


def test_the_published_report_prints_to_pages_that_are_not_blank(db, create_report, renderer):
    report = create_report()

    started = time.perf_counter()
    outcome = pdf_tasks.render_and_store(db.session, report.id, 1, "nb", renderer=lambda: renderer)
    elapsed = time.perf_counter() - started

    assert outcome == pdf_tasks.Outcome.STORED
    stored = db.session.scalar(db.select(ReportPdf))
    assert stored.content.startswith(b"%PDF-")
    pages = _pages(stored.content)
    assert len(pages) >= 1
    assert stored.pages == len(pages) == count_pages(stored.content)
    for number, (body, _text) in enumerate(pages, start=1):
        # Not blank: something is printed between the header and the footer (a page holding only a short table
        # has about 0.5 % of its body's pixels inked; a blank one none).
        assert (body < 245).mean() > 0.001, f"page {number} is blank"
    first_body, first_text = pages[0]
    assert (first_body < 100).mean() > 0.005, "no dark text on the first page"
    text = " ".join(page_text for _image, page_text in pages)
    assert "Parkering i Bjerke" in first_text  # the title, in the page and in the running header
    assert "412" in text
    assert "287" in text
    assert "Side 1 av " in first_text  # the footer's "page X of Y", in the report's language
    assert f"/r/{report.consultation.public_id}" in first_text  # where to check it
    assert 0 < stored.render_ms <= elapsed * 1000 + 1
    print(f"\nPDF: {stored.pages} pages, {len(stored.content)} bytes, rendered in {stored.render_ms} ms")


def test_publication_queues_the_pdfs_and_the_download_serves_them(app, client, db, seeded, renderer, monkeypatch):
    """The whole way: a planner publishes (``publishing.publish`` builds the snapshot of ten crafted responses), the
    PDFs are queued after the commit, the visitor waits, the worker's task runs, the visitor downloads."""
    app.config["REPORT_PDF_QUEUE"] = True
    sent: list[tuple] = []
    monkeypatch.setattr(pdf_tasks.render_pdf, "delay", lambda *args: sent.append(args))
    monkeypatch.setattr(pdf_tasks, "PdfRenderer", lambda executable: Shared(renderer, executable))
    consultation = seeded.consultation
    consultation.state = ConsultationState.CLOSED
    report = publishing.get_or_create_report(db.session, consultation)
    publishing.publish(db.session, report, actor=None)
    db.session.commit()
    assert sent == [(report.id, 1, "nb"), (report.id, 1, "en")]  # one per language of the consultation
    url = f"/r/{consultation.public_id}/report.pdf?lang=nb"

    assert client.get(url).status_code == 202
    assert len(sent) == 2  # the publication's tasks are known to be queued

    # The worker's task, run eagerly here (in its own app context, as in the worker).
    assert pdf_tasks.render_pdf(*sent[0]) == "stored"
    response = client.get(url)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=parkering-i-bjerke.pdf"
    pages = _pages(response.data)
    assert len(pages) >= 1
    assert all((body < 245).mean() > 0.001 for body, _text in pages)
    assert "Parkering i Bjerke" in pages[0][1]
    assert f"Side 1 av {len(pages)}" in pages[0][1]

