"""The public report (``/r/<public_id>``) and its open data, for anyone, without login.

Only a published report is served (a draft, an unpublished or an unknown one: 404). Everything comes from the
frozen snapshot, so the page costs no aggregation; the rendered page is also kept in a small in-process LRU keyed
by its ETag (report, version, language, last change), and browsers and proxies may keep it five minutes.

The public page must be identical for every reader of a language, so it touches nothing personal: the language
switch is made of links (``?lang=``), no CSRF token or flash message is rendered into it, and it never sets a
cookie (which also lets shared caches keep it).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, make_response, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import defer

from civic.accounts.models import Organisation
from civic.consultations.models import Consultation
from civic.core.i18n import current_locale, localized
from civic.extensions import db
from civic.reports import open_data, report_charts
from civic.reports import summaries as words
from civic.reports.charts import load_outline
from civic.reports.models import Report, ReportState, Section

bp = Blueprint("reports_public", __name__)

PAGE_TEMPLATE = "reports/public/report.html"
OUTCOMES_TEMPLATE = "reports/public/_outcomes.html"
MAX_AGE = 300


class PageCache:
    """A small thread-safe LRU of rendered pages (the server's worker threads share it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: str) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_cache(app: Flask) -> PageCache:
    """Return the app's page cache (one per app, so test apps never see each other's pages)."""
    cache = app.extensions.get("report_pages")
    if cache is None:
        cache = app.extensions.setdefault("report_pages", PageCache(app.config["REPORT_PAGE_CACHE_SIZE"]))
    return cache


def _published(public_id: str) -> tuple[Report, datetime]:
    """Load a published report (its snapshot only when used) and its organisation's last change, or 404."""
    row = db.session.execute(
        select(Report, Organisation.updated_at)
        .join(Consultation, Consultation.id == Report.consultation_id)
        .join(Organisation, Organisation.id == Consultation.organisation_id)
        .where(Consultation.public_id == public_id, Report.state == ReportState.PUBLISHED)
        .options(defer(Report.snapshot))
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def etag_for(report: Report, lang: str, *extra: Any) -> str:
    """Identify one rendering: report, version, language and last change (branding changes count too)."""
    parts = [report.id, report.version, lang, report.updated_at.isoformat(), *extra]
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _public_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.vary.add("Accept-Language")  # the language may come from the browser
    return response


@bp.get("/r/<public_id>")
def report(public_id: str) -> Response:
    found, branding_changed = _published(public_id)
    lang = current_locale()
    etag = etag_for(found, lang, branding_changed.isoformat())
    if request.if_none_match.contains(etag):
        return _public_headers(Response(status=304), etag)
    cache = page_cache(current_app)
    html = cache.get(etag)
    if html is None:
        html = render_report(found, found.snapshot, lang, public=True)
        cache.put(etag, html)
    return _public_headers(make_response(html), etag)


# The endpoint keeps the agreed name; the function has another so it does not shadow the module.
@bp.get("/r/<public_id>/data.<any(csv,xlsx,json):fmt>", endpoint="open_data")
def open_data_download(public_id: str, fmt: str) -> Response:
    found, _changed = _published(public_id)
    lang = current_locale()
    licence = current_app.config["REPORT_DATA_LICENCE"]
    etag = etag_for(found, lang, fmt, licence)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        source = url_for("reports_public.report", public_id=public_id, _external=True)
        meta = open_data.metadata(found, lang, source=source, licence=licence)
        response = open_data.download(found.snapshot, meta, fmt, lang)
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return _public_headers(response, etag)


# ---------------------------------------------------------------------------------------------- rendering


def render_report(
    report: Report, snapshot: Mapping[str, Any], lang: str, *, public: bool, preview: bool = False
) -> str:
    """Render the report page from a snapshot (the stored one, or a fresh one for the staff preview)."""
    context = page_context(report, snapshot, lang, preview=preview)
    if public:
        # Nothing per reader in a page that is cached and shared (see the module docstring).
        context.update(csrf_token=lambda: "", get_flashed_messages=lambda *args, **kwargs: [])
    return render_template(PAGE_TEMPLATE, **context)


def _paragraphs(texts: Mapping[str, str] | None, lang: str) -> list[str] | None:
    text = localized(texts or {}, lang).strip()
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()] or None


def page_context(report: Report, snapshot: Mapping[str, Any], lang: str, *, preview: bool = False) -> dict[str, Any]:
    """Turn a snapshot into what the template shows: chosen sections that have something to show, in order."""
    consultation = report.consultation
    public_id = consultation.public_id
    chosen = {*report.sections, Section.HONESTY.value}
    sections = []
    for section in Section:
        if section.value not in chosen:
            continue
        data = _section_data(section, report, snapshot, lang)
        if data is not None:
            anchor = "section-" + section.value.replace("_", "-")
            sections.append(
                {"key": section.value, "label": words.section_label(section), "anchor": anchor, "data": data}
            )
    # Absolute: printed next to the links on paper (the PDF), and the page is shared as a document.
    data_urls = {
        fmt: url_for("reports_public.open_data", public_id=public_id, fmt=fmt, _external=True)
        for fmt in ("csv", "xlsx", "json")
    }
    return {
        "report": report,
        "snapshot": snapshot,
        "consultation": consultation,
        "organisation": consultation.organisation,
        "lang": lang,
        "title": localized(snapshot.get("consultation", {}).get("title"), lang) or localized(consultation.title, lang),
        "summary": localized(snapshot.get("consultation", {}).get("summary"), lang),
        "is_survey": snapshot.get("consultation", {}).get("kind", consultation.kind) == "survey",
        "headline": snapshot.get("headline") or {},
        "sections": sections,
        "has_topics": any(s["key"] == Section.TOPICS.value for s in sections),
        "preview": preview,
        "pdf_url": None
        if preview
        else url_for("reports_pdf.download", public_id=public_id, lang=lang, _external=True),
        "data_urls": data_urls,
        "json_url": data_urls["json"],
        "page_url": url_for("reports_public.report", public_id=public_id, _external=True),
        "theme_label": words.theme_label(report.theme),
        "licence": current_app.config["REPORT_DATA_LICENCE"],
        "w": words,
    }


def _section_data(section: Section, report: Report, snapshot: Mapping[str, Any], lang: str) -> Any:
    """Return what one section shows, or None when it has nothing (the section is then left out)."""
    if section == Section.WHAT_WE_HEARD:
        return _paragraphs(report.what_we_heard, lang)
    if section == Section.NEXT_STEPS:
        return _paragraphs(report.next_steps, lang)
    if section == Section.PARTICIPATION:
        return _participation(snapshot.get("participation"))
    if section == Section.RESULTS:
        return _results(report, snapshot.get("questions"), lang)
    if section == Section.TOPICS:
        return _topics(snapshot.get("topics"))
    if section == Section.GROUPS:
        return snapshot.get("groups") or None
    if section == Section.STATEMENTS:
        statements = snapshot.get("statements")
        return statements if statements and statements.get("count") else None
    if section == Section.OUTCOMES:
        return {"template": OUTCOMES_TEMPLATE}  # renders nothing while nothing is decided
    return _honesty(snapshot)


def _participation(participation: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not participation:
        return None
    segments = participation.get("segments") or []
    return {
        "figures": participation,
        "compared": any(s.get("population_source") for s in segments),
        "rate": words.response_rate(participation),
        "weeks": report_charts.footnote(report_charts.weeks_chart(participation.get("by_week") or [])),
        "segments": [
            report_charts.footnote(report_charts.segment_chart(s)) for s in participation.get("segments") or []
        ],
    }


def _results(report: Report, questions: list[Mapping[str, Any]] | None, lang: str) -> list[dict[str, Any]] | None:
    if not questions:
        return None
    outline = None
    if any(q.get("kind") == "map_point" for q in questions):
        static = Path(current_app.static_folder or "")
        outline = load_outline(static / "geo" / f"{report.consultation.organisation.slug}.geojson")
    views = []
    for question in questions:
        views.append(
            {
                "q": question,
                "anchor": f"question-{question.get('id')}",
                "title": localized(question.get("title"), lang),
                "chart": report_charts.footnote(report_charts.question_chart(question, lang, outline)),
                "breakdown": report_charts.footnote(report_charts.breakdown_chart(question, lang)),
            }
        )
    return views


def _topics(topics: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not topics or not topics.get("topics"):
        return None
    return {"run": topics, "chart": report_charts.topics_chart(topics["topics"]), "method": words.topics_method(topics)}


def _honesty(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    honesty = snapshot.get("honesty") or {}
    suppression = honesty.get("suppression") or {}
    moderation = snapshot.get("moderation")
    return {
        "frame": words.sampling_frame(honesty.get("sampling_frame") or {}),
        "rate": words.response_rate(snapshot.get("participation") or {}),
        "margin": words.margin_of_error(honesty.get("margin_of_error")),
        "topics": words.topics_method(snapshot["topics"]) if snapshot.get("topics") else None,
        "moderation": moderation,
        "suppression": words.suppression_rule(
            suppression.get("min_cell", snapshot.get("min_cell", 5)), suppression.get("hidden_cells", 0)
        ),
        "built_at": snapshot.get("built_at"),
    }
