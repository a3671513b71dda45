"""PDFs of published reports: queued after commit, made by a Celery task, served by ``views_pdf``.

One ``ReportPdf`` per (report, version, language): the task prints the public report page in headless Chromium
(``civic.reports.pdf``) and stores the file. It is safe to re-run: a stored PDF, an unpublished report or a
version that has moved on leave nothing to do, and two tasks racing for the same PDF store it once (the unique
constraint). Once a version's PDF is stored, older versions' PDFs go: nobody can download them any more.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from functools import partial

from celery import shared_task
from flask import current_app, url_for
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from civic.consultations.models import Consultation
from civic.core.after_commit import enqueue_after_commit
from civic.core.i18n import localized
from civic.extensions import db
from civic.reports.models import Report, ReportPdf, ReportState
from civic.reports.pdf import (
    ChromiumMissingError,
    PdfError,
    PdfRenderer,
    RenderedPdf,
    chromium_path,
    print_decor,
)

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    """What one run of the task did (returned for the log and the tests)."""

    STORED = "stored"
    EXISTS = "exists"  # already stored (a re-run, or another task was quicker)
    STALE = "stale"  # the report's version moved on: a newer task makes the current PDF
    GONE = "gone"  # no such report, not published (any more), or not one of its languages
    NO_CHROMIUM = "no_chromium"
    FAILED = "failed"


#: Opens a renderer for one task; the tests put one Chromium shared by a whole module here.
RendererFactory = Callable[[], PdfRenderer]


def pdf_languages(report: Report) -> list[str]:
    """The languages a report's PDF is made in: its consultation's."""
    return list(report.consultation.languages or [report.consultation.default_language])


def pdf_language(report: Report, wanted: str | None) -> str:
    """The language to serve: the one asked for if the consultation has it, else the consultation's first."""
    languages = pdf_languages(report)
    return wanted if wanted in languages else languages[0]


def request_pdfs(report: Report) -> None:
    """Queue the PDFs of the report's current version, one task per language, once the transaction commits."""
    if not current_app.config["REPORT_PDF_QUEUE"]:
        return
    session = object_session(report) or db.session
    for language in pdf_languages(report):
        # Counted as queued now, so the download page does not queue the same PDF again while this one runs.
        _queue_slot(report.id, report.version, language)
        enqueue_after_commit(session, render_pdf, report.id, report.version, language)


def request_pdf_if_idle(report: Report, language: str) -> bool:
    """Queue the current version's PDF unless it was queued within ``REPORT_PDF_REQUEUE_SECONDS``.

    The download page calls this on every refresh while the PDF is missing (a lost task, a worker that was down,
    a render that failed): at most one task a window, across all web processes sharing the rate-limit storage.
    Nothing is written to the database, so it is queued at once rather than after a commit.
    """
    if not current_app.config["REPORT_PDF_QUEUE"]:
        return False
    if not _queue_slot(report.id, report.version, language):
        return False
    render_pdf.delay(report.id, report.version, language)
    return True


def find_published(session: Session, public_id: str) -> Report | None:
    """The published report of the consultation with this public id (None for a draft or an unknown id)."""
    return session.scalar(
        select(Report)
        .join(Consultation, Consultation.id == Report.consultation_id)
        .where(Consultation.public_id == public_id, Report.state == ReportState.PUBLISHED)
    )


def stored_pdf(session: Session, report_id: int, version: int, language: str) -> ReportPdf | None:
    return session.scalar(
        select(ReportPdf).where(
            ReportPdf.report_id == report_id, ReportPdf.version == version, ReportPdf.language == language
        )
    )


def render_and_store(
    session: Session, report_id: int, version: int, language: str, *, renderer: RendererFactory | None = None
) -> Outcome:
    """Make and store the PDF of one report version in one language (the task's work; commits)."""
    config = current_app.config
    report = session.get(Report, report_id)
    skip = _skip_reason(session, report, version, language)
    if skip is not None:
        return skip
    assert report is not None  # for the type checker: _skip_reason returns GONE otherwise
    url, public_url = _page_urls(report, language)
    decor = print_decor(
        title=localized(report.consultation.title, language), organisation=report.consultation.organisation.name,
        url=public_url, brand=report.consultation.organisation.primary_color, language=language,
    )
    # Only read so far: end the transaction, so the database holds nothing open for the seconds Chromium takes.
    session.rollback()
    open_renderer = renderer or partial(PdfRenderer, chromium_path(config))
    try:
        chromium = open_renderer()
    except ChromiumMissingError as error:
        log.error("reports.pdf: cannot make the PDF of report %s: %s", report_id, error)
        return Outcome.NO_CHROMIUM
    except PdfError:
        log.exception("reports.pdf: Chromium did not start for report %s", report_id)
        return Outcome.FAILED
    if renderer is None:
        log.info("reports.pdf: Chromium started in %d ms", chromium.launch_ms)
    try:
        rendered = chromium.render(
            current_app._get_current_object(),  # the renderer's thread has no app context of its own
            url, decor=decor, language=language, timeout=float(config["REPORT_PDF_TIMEOUT"]),
        )
    except (PdfError, TimeoutError):
        log.exception("reports.pdf: report %s version %s (%s) was not rendered", report_id, version, language)
        return Outcome.FAILED
    finally:
        if renderer is None:
            chromium.close()
    return _store(session, report_id, version, language, rendered)


def _skip_reason(session: Session, report: Report | None, version: int, language: str) -> Outcome | None:
    if report is None or report.state != ReportState.PUBLISHED or language not in pdf_languages(report):
        return Outcome.GONE
    if report.version != version:
        return Outcome.STALE
    if stored_pdf(session, report.id, version, language) is not None:
        return Outcome.EXISTS
    return None


def _store(session: Session, report_id: int, version: int, language: str, rendered: RenderedPdf) -> Outcome:
    # Checked again: the report may have been unpublished, edited or rendered by another task meanwhile.
    skip = _skip_reason(session, session.get(Report, report_id), version, language)
    if skip is not None:
        session.rollback()
        return skip
    session.add(
        ReportPdf(report_id=report_id, version=version, language=language, content=rendered.content,
                  pages=rendered.pages, render_ms=rendered.render_ms)
    )
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return Outcome.EXISTS
    session.execute(delete(ReportPdf).where(ReportPdf.report_id == report_id, ReportPdf.version < version))
    session.commit()
    log.info("reports.pdf: stored report %s version %s (%s): %d pages in %d ms", report_id, version, language,
             rendered.pages, rendered.render_ms)
    return Outcome.STORED


def _page_urls(report: Report, language: str) -> tuple[str, str]:
    """The public page's path to print (in ``language``) and its address for the footer."""
    public_id = report.consultation.public_id
    # The path relative to the app (the renderer puts it under PUBLIC_BASE_URL, which may carry a prefix).
    with current_app.test_request_context():
        page = url_for("reports_public.report", public_id=public_id, lang=language)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"].rstrip("/")):
        address = url_for("reports_public.report", public_id=public_id, _external=True)
    return page, address


def _queue_slot(report_id: int, version: int, language: str) -> bool:
    """Take the one queueing slot of this PDF in the current window; False if it is taken."""
    limiter = current_app.extensions.get("reports_pdf_queue")
    if limiter is None:
        # Per app, so every test app starts empty; in production the storage (Redis) is what is shared.
        limiter = MovingWindowRateLimiter(storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"]))
        current_app.extensions["reports_pdf_queue"] = limiter
    window = RateLimitItemPerSecond(1, max(1, int(current_app.config["REPORT_PDF_REQUEUE_SECONDS"])))
    return limiter.hit(window, "reports.pdf", str(report_id), str(version), language)


@shared_task(name="reports.render_pdf", ignore_result=True)
def render_pdf(report_id: int, version: int, language: str) -> str:
    """Render and store one PDF of a published report (see ``render_and_store``); never raises for a bad render."""
    return render_and_store(db.session, report_id, version, language).value
