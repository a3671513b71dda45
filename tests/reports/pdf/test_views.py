"""The download view: the stored PDF, a waiting page while it is made, 404 for what is not published."""

from __future__ import annotations

import pytest

from civic.reports import pdf_tasks
from civic.reports.models import ReportPdf, ReportState
from tests.reports.pdf.conftest import FAKE_PDF


@pytest.fixture
def queued(app, monkeypatch) -> list[tuple]:
    """Queueing on (the testing config has it off); the tasks sent are recorded, not run in the request."""
    app.config["REPORT_PDF_QUEUE"] = True
    sent: list[tuple] = []
    monkeypatch.setattr(pdf_tasks.render_pdf, "delay", lambda *args: sent.append(args))
    return sent


def _url(report, **query) -> str:
    args = "".join(f"&{k}={v}" for k, v in query.items())
    return f"/r/{report.consultation.public_id}/report.pdf" + ("?" + args[1:] if args else "")


def test_waiting_page_while_the_pdf_is_made_then_the_pdf(client, db, create_report, fake_renderer, queued):
    report = create_report()

    waiting = client.get(_url(report, lang="nb"))

    assert waiting.status_code == 202
    assert waiting.headers["Cache-Control"] == "no-store"
    page = waiting.get_data(as_text=True)
    assert "Parkering i Bjerke" in page
    assert "Bydel Bjerke" in page
    assert "blir laget nå" in page  # "is being made", in the report's language (the page follows ?lang=)
    assert f'href="/r/{report.consultation.public_id}?lang=nb"' in page  # back to the report
    # It checks back by itself with htmx (no meta refresh, no inline script), every 10 s.
    assert 'hx-trigger="every 10s"' in page
    assert 'hx-select="#pdf-status"' in page
    assert "http-equiv" not in page
    assert "<script>" not in page
    assert queued == [(report.id, 1, "nb")]

    client.get(_url(report, lang="nb"))
    assert len(queued) == 1  # the task is known to be queued: not again within the minute

    # The worker runs the task (here, eagerly in the test, with a stand-in for Chromium).
    assert pdf_tasks.render_and_store(db.session, report.id, 1, "nb", renderer=lambda: fake_renderer) == "stored"
    ready = client.get(_url(report, lang="nb"))

    assert ready.status_code == 200
    assert ready.mimetype == "application/pdf"
    assert ready.data == FAKE_PDF
    assert ready.headers["Content-Disposition"] == "attachment; filename=parkering-i-bjerke.pdf"
    assert "public" in ready.headers["Cache-Control"]
    assert "max-age=300" in ready.headers["Cache-Control"]
    revalidated = client.get(_url(report, lang="nb"), headers={"If-None-Match": ready.headers["ETag"]})
    assert revalidated.status_code == 304


def test_the_polling_page_gets_the_download_link_not_the_bytes(client, db, create_report, fake_renderer, queued):
    report = create_report()
    pdf_tasks.render_and_store(db.session, report.id, 1, "nn", renderer=lambda: fake_renderer)

    polled = client.get(_url(report, lang="nn"), headers={"HX-Request": "true"})

    assert polled.status_code == 200
    assert polled.mimetype == "text/html"
    page = polled.get_data(as_text=True)
    assert 'id="pdf-status"' in page
    assert "hx-trigger" not in page
    assert f'href="/r/{report.consultation.public_id}/report.pdf?lang=nn" download' in page


def test_each_language_has_its_own_file(client, db, create_report, fake_renderer):
    report = create_report()
    pdf_tasks.render_and_store(db.session, report.id, 1, "nn", renderer=lambda: fake_renderer)

    response = client.get(_url(report, lang="nn"))

    assert response.headers["Content-Disposition"] == "attachment; filename=parkering-i-bjerke-bydel-nn.pdf"
    # A language the consultation does not have gets its first language, which is not made yet.
    assert client.get(_url(report, lang="en")).status_code == 202


def test_an_old_version_is_not_served(client, db, create_report):
    report = create_report(version=2)
    db.session.add(ReportPdf(report_id=report.id, version=1, language="nb", content=FAKE_PDF))
    db.session.commit()

    assert client.get(_url(report, lang="nb")).status_code == 202


@pytest.mark.parametrize("state", [ReportState.DRAFT, None])
def test_404_for_a_draft_or_unknown_report(client, db, create_report, fake_renderer, state):
    report = create_report()
    pdf_tasks.render_and_store(db.session, report.id, 1, "nb", renderer=lambda: fake_renderer)
    if state is None:
        url = "/r/no-such-report/report.pdf"
    else:
        report.state = state  # unpublished after its PDF was made
        db.session.commit()
        url = _url(report)

    assert client.get(url).status_code == 404


def test_missing_chromium_says_to_print_the_page_instead(app, client, create_report, queued, tmp_path):
    app.config["REPORT_PDF_CHROMIUM"] = str(tmp_path / "no-chromium")
    report = create_report()

    response = client.get(_url(report, lang="nb"))

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "kan ikke lages PDF av denne rapporten på denne serveren" in page  # cannot be made on this server
    assert "skriv den ut i stedet" in page  # print it instead
    assert "hx-trigger" not in page  # nothing to wait for
    assert queued == []

