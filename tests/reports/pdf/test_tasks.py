"""The PDF task's bookkeeping (no Chromium): it stores once, skips what is stale or gone, and cleans up."""

from __future__ import annotations

import logging

import pytest

from civic.reports import pdf_tasks
from civic.reports.models import ReportPdf, ReportState
from civic.reports.pdf_tasks import Outcome, render_and_store
from tests.reports.pdf.conftest import FAKE_PDF, stored_pdfs


def _refuse():
    pytest.fail("nothing should be rendered")


def test_stores_the_pdf_of_the_current_version(db, create_report, fake_renderer):
    report = create_report()

    assert render_and_store(db.session, report.id, 1, "nn", renderer=lambda: fake_renderer) == Outcome.STORED

    # The public page in that language, relative to the app (the renderer puts it under PUBLIC_BASE_URL).
    assert fake_renderer.urls == [f"/r/{report.consultation.public_id}?lang=nn"]
    stored = db.session.scalar(db.select(ReportPdf))
    assert (stored.version, stored.language, stored.content, stored.pages) == (1, "nn", FAKE_PDF, 1)
    assert not fake_renderer.closed  # a renderer handed in belongs to the caller


def test_is_safe_to_run_again(db, create_report, fake_renderer):
    report = create_report()
    render_and_store(db.session, report.id, 1, "nb", renderer=lambda: fake_renderer)

    assert render_and_store(db.session, report.id, 1, "nb", renderer=_refuse) == Outcome.EXISTS
    assert stored_pdfs(db, report) == [(1, "nb")]


def test_skips_a_version_that_has_moved_on(db, create_report):
    report = create_report(version=3)

    assert render_and_store(db.session, report.id, 2, "nb", renderer=_refuse) == Outcome.STALE
    assert stored_pdfs(db, report) == []


def test_does_not_store_a_render_overtaken_by_a_new_version(db, create_report, fake_renderer):
    report = create_report()
    report_id = report.id

    class Republishing:
        """A publication (version 2) lands while Chromium prints version 1."""

        def render(self, *args, **kwargs):
            db.session.get(type(report), report_id).version = 2
            db.session.commit()
            return fake_renderer.render(*args, **kwargs)

    assert render_and_store(db.session, report_id, 1, "nb", renderer=Republishing) == Outcome.STALE
    assert stored_pdfs(db, report) == []


@pytest.mark.parametrize("case", ["draft", "unknown report", "not a language of the consultation"])
def test_leaves_what_is_gone(db, create_report, case):
    report = create_report(state=ReportState.DRAFT if case == "draft" else ReportState.PUBLISHED)
    report_id = report.id + 100 if case == "unknown report" else report.id
    language = "en" if case == "not a language of the consultation" else "nb"

    assert render_and_store(db.session, report_id, 1, language, renderer=_refuse) == Outcome.GONE


def test_deletes_older_versions_once_the_new_one_is_stored(db, create_report, fake_renderer):
    report = create_report(version=2)
    db.session.add_all(
        [ReportPdf(report_id=report.id, version=1, language=lang, content=b"old") for lang in ("nb", "nn")]
    )
    db.session.commit()

    render_and_store(db.session, report.id, 2, "nb", renderer=lambda: fake_renderer)

    # Version 1 in nynorsk goes too: only the current version is ever served.
    assert stored_pdfs(db, report) == [(2, "nb")]


def test_missing_chromium_is_logged_not_raised(app, db, create_report, caplog, tmp_path):
    app.config["REPORT_PDF_CHROMIUM"] = str(tmp_path / "no-chromium")
    report = create_report()

    with caplog.at_level(logging.ERROR, logger="civic.reports.pdf_tasks"):
        result = pdf_tasks.render_pdf(report.id, 1, "nb")  # the Celery task, run in this process

    assert result == Outcome.NO_CHROMIUM
    assert f"Chromium is not installed at {tmp_path / 'no-chromium'}" in caplog.text
    assert stored_pdfs(db, report) == []


def test_a_failed_render_is_logged_not_raised(db, create_report, caplog):
    report = create_report()

    class Broken:
        def render(self, *args, **kwargs):
            raise pdf_tasks.PdfError("the charts of /r/x were not drawn within 60 s")

    with caplog.at_level(logging.ERROR, logger="civic.reports.pdf_tasks"):
        assert render_and_store(db.session, report.id, 1, "nb", renderer=Broken) == Outcome.FAILED

    assert "the charts of /r/x were not drawn" in caplog.text
    assert stored_pdfs(db, report) == []


@pytest.fixture
def queued(app, monkeypatch) -> list[tuple]:
    """Switch queueing on (the testing config has it off) and record the tasks sent instead of running them."""
    app.config["REPORT_PDF_QUEUE"] = True
    sent: list[tuple] = []
    monkeypatch.setattr(pdf_tasks.render_pdf, "delay", lambda *args: sent.append(args))
    return sent


def test_request_pdfs_queues_one_task_per_language_after_commit(db, create_report, queued):
    report = create_report()
    report.version = 2

    pdf_tasks.request_pdfs(report)
    assert queued == []  # nothing before the commit: the worker must see version 2
    db.session.commit()

    assert queued == [(report.id, 2, "nb"), (report.id, 2, "nn")]


def test_request_pdfs_queues_nothing_on_rollback(db, create_report, queued):
    report = create_report()

    pdf_tasks.request_pdfs(report)
    db.session.rollback()

    assert queued == []


def test_queueing_from_the_download_page_is_limited_per_window(app, create_report, queued):
    report = create_report()

    assert pdf_tasks.request_pdf_if_idle(report, "nb") is True
    assert pdf_tasks.request_pdf_if_idle(report, "nb") is False  # a task is already on it
    assert pdf_tasks.request_pdf_if_idle(report, "nn") is True  # another file
    assert queued == [(report.id, 1, "nb"), (report.id, 1, "nn")]


def test_publication_counts_as_queued_for_the_download_page(db, create_report, queued):
    report = create_report()

    pdf_tasks.request_pdfs(report)
    db.session.commit()

    assert pdf_tasks.request_pdf_if_idle(report, "nb") is False
    assert len(queued) == 2


def test_nothing_is_queued_when_queueing_is_off(app, db, create_report, queued):
    app.config["REPORT_PDF_QUEUE"] = False
    report = create_report()

    pdf_tasks.request_pdfs(report)
    db.session.commit()

    assert pdf_tasks.request_pdf_if_idle(report, "nb") is False
    assert queued == []
