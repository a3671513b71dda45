"""The report as a PDF: ``/r/<public_id>/report.pdf?lang=``, for anyone, published reports only.

The file is made by the worker (``pdf_tasks``), never in the request: while it is missing the visitor gets a page
that says so (202) and checks back by itself (htmx polls this URL and picks the status out of the page), and the
missing PDF is queued again if no task is known to be on it.
"""

from __future__ import annotations

import io
import re
import unicodedata

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from civic.core.htmx import is_partial_request
from civic.core.i18n import current_locale, localized
from civic.extensions import db
from civic.reports import pdf_tasks
from civic.reports.models import Report
from civic.reports.pdf import chromium_available

bp = Blueprint("reports_pdf", __name__)

#: Seconds between the waiting page's checks.
REFRESH_SECONDS = 10
#: A stored PDF never changes, but the current one does with every new version: caches check back after this.
MAX_AGE = 300
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A", "ß": "ss"})


@bp.get("/r/<public_id>/report.pdf")
def download(public_id: str) -> Response | tuple[str, int, dict[str, str]]:
    report = pdf_tasks.find_published(db.session, public_id)
    if report is None:
        abort(404)
    language = pdf_tasks.pdf_language(report, request.args.get("lang") or current_locale())
    stored = pdf_tasks.stored_pdf(db.session, report.id, report.version, language)
    if stored is not None and is_partial_request():
        # The waiting page polling: show it the download link (htmx would swap the PDF's bytes into the page).
        return _waiting_page(report, language, state="ready", status=200)
    if stored is not None:
        response = send_file(
            io.BytesIO(stored.content), mimetype="application/pdf", as_attachment=True,
            download_name=f"{_file_slug(report, language)}.pdf", etag=f"report-pdf-{stored.id}",
            last_modified=stored.created_at, max_age=MAX_AGE, conditional=True,
        )
        response.cache_control.public = True
        # Without ?lang= the language comes from the visitor's choice or browser.
        response.vary.update(("Accept-Language", "Cookie", "HX-Request"))
        return response
    if not chromium_available(current_app.config):
        # Nothing will make it here: say so, and stop polling (503: this server cannot, now or later; a polling
        # page gets 200, since htmx swaps no error response in).
        return _waiting_page(report, language, state="impossible", status=200 if is_partial_request() else 503)
    pdf_tasks.request_pdf_if_idle(report, language)
    return _waiting_page(report, language, state="pending", status=202)


def _waiting_page(report: Report, language: str, *, state: str, status: int) -> tuple[str, int, dict[str, str]]:
    consultation = report.consultation
    body = render_template(
        "reports/pdf_pending.html", consultation=consultation, organisation=consultation.organisation,
        state=state, refresh_seconds=REFRESH_SECONDS, language=language,
    )
    headers = {"Cache-Control": "no-store", "Vary": "HX-Request"}
    if state == "pending":
        headers["Retry-After"] = str(REFRESH_SECONDS)
    return body, status, headers


def _file_slug(report: Report, language: str) -> str:
    """"Parkering i Bjerke" → "parkering-i-bjerke" (ASCII, so every browser and file system keeps the name)."""
    title = localized(report.consultation.title, language).translate(_FOLD)
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].rstrip("-") or "report"
    # One file per language: keep them apart when a visitor downloads more than one.
    return slug if language == pdf_tasks.pdf_languages(report)[0] else f"{slug}-{language}"
