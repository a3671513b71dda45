"""The waiting page in Chromium: it passes axe-core, and shows the download link by itself once the PDF is stored.

Marked ``browser``; one Chromium for the module (the ``renderer`` fixture), served in-process like the PDF's page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from civic.reports import views_pdf
from civic.reports.models import ReportPdf
from civic.reports.pdf import app_origin, in_process
from tests.reports.pdf.conftest import FAKE_PDF

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).resolve().parents[3] / "node_modules/axe-core/axe.min.js"


def _axe_violations(app, url: str):
    """Open ``url`` (served in-process, as the PDF's page is) and run axe-core's WCAG 2.1 A/AA rules on it:
    (status, violations)."""
    origin = app_origin(app)

    def check(browser):
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
        try:
            page = context.new_page()
            page.route("**/*", in_process(app, origin))
            status = page.goto(origin + url).status
            page.evaluate(AXE_JS.read_text())  # through the DevTools protocol: the page's CSP does not apply
            result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
            return status, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        finally:
            context.close()

    return check


def test_the_waiting_pages_pass_axe(app, create_report, renderer, tmp_path):
    report = create_report()
    url = f"/r/{report.consultation.public_id}/report.pdf?lang=nb"

    assert renderer.run(_axe_violations(app, url)) == (202, [])  # being made

    app.config["REPORT_PDF_CHROMIUM"] = str(tmp_path / "no-chromium")
    assert renderer.run(_axe_violations(app, url)) == (503, [])  # cannot be made here


def test_the_waiting_page_shows_the_download_link_once_the_pdf_is_stored(app, db, create_report, renderer,
                                                                          monkeypatch):
    monkeypatch.setattr(views_pdf, "REFRESH_SECONDS", 1)  # poll every second instead of every ten
    report = create_report()
    report_id, url = report.id, f"/r/{report.consultation.public_id}/report.pdf?lang=nb"
    origin = app_origin(app)

    def wait_and_watch(browser):
        context = browser.new_context(locale="nb-NO")
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda msg: "Content Security Policy" in msg.text and errors.append(msg.text))
            page.route("**/*", in_process(app, origin))
            page.goto(origin + url)
            assert page.locator("#pdf-status a[download]").count() == 0
            with app.app_context():  # the worker stores the PDF meanwhile
                db.session.add(ReportPdf(report_id=report_id, version=1, language="nb", content=FAKE_PDF, pages=1))
                db.session.commit()
            link = page.wait_for_selector("#pdf-status a[download]", timeout=10_000)
            return link.get_attribute("href"), page.url, errors
        finally:
            context.close()

    href, page_url, errors = renderer.run(wait_and_watch)

    assert href == url  # swapped into the page by htmx: no reload, no meta refresh
    assert page_url == app_origin(app) + url
    assert errors == []
