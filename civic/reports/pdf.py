"""A public page as a PDF: headless Chromium driven by Playwright, the page's requests answered by the app itself.

Nothing goes over the network. Chromium opens the page at ``PUBLIC_BASE_URL`` (so links in the PDF point at the
public site), and every request it makes (HTML, CSS, scripts, fonts, images) is fulfilled inside Playwright by the
Flask app's test client: the worker needs no web server, and the page runs under its real Content Security Policy.
Requests to any other origin are refused.

Playwright's sync API refuses to start on a thread that already runs one (or inside an asyncio loop), so a
``PdfRenderer`` owns Chromium on a thread of its own and may be called from any thread: a Celery task, a test that
keeps one Chromium for a whole module, or code that already drives a browser.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Switches for a machine without a display or a network: no GPU, no background traffic to Google's services.
#: (Playwright itself runs Chromium without its sandbox unless asked; the page is our own, served in-process.)
CHROMIUM_ARGS = (
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
)
#: A4 with room for the running header and footer.
MARGIN = {"top": "20mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
#: The printable width of A4 less the side margins (180 mm at 96 px per inch): the page is laid out, and the
#: charts drawn, at the width they are printed at.
VIEWPORT = {"width": 680, "height": 960}
#: Every chart container holds a plot drawn by static/js/charts.js (it marks data-rendered and Plotly adds its
#: .main-svg), and the fonts are loaded.
CHARTS_DRAWN = """() => document.fonts.status === "loaded" && Array.prototype.every.call(
    document.querySelectorAll("[data-figure]"),
    (el) => el.getAttribute("data-rendered") === "true" && el.querySelector(".main-svg") !== null)"""
#: Plotly may finish drawing after newPlot returns; ``Plots.resize`` (its public API) settles once the plot is
#: laid out again at its container's size, which also fits any plot drawn before the print stylesheet applied.
#: Settled, not resolved: it rejects for a plot the print stylesheet hides, which is then simply not printed.
CHARTS_SETTLED = """async () => {
    if (typeof window.Plotly === "undefined") return 0;
    const plots = Array.from(document.querySelectorAll(".js-plotly-plot"));
    await Promise.allSettled(plots.map((el) => window.Plotly.Plots.resize(el)));
    return plots.length;
}"""
_BRAND = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Page objects (not the /Pages tree nodes) in Chromium's PDF, which keeps them uncompressed.
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


class PdfError(RuntimeError):
    """A PDF could not be made (the message says why, for the log)."""


class ChromiumMissingError(PdfError):
    """The configured Chromium is not installed on this server."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    render_ms: int


@dataclass(frozen=True)
class PrintDecor:
    """The running header and footer Chromium prints on every page (its own little documents)."""

    header: str
    footer: str


def chromium_path(config: Any) -> str:
    return str(config.get("REPORT_PDF_CHROMIUM") or "/usr/bin/chromium")


def chromium_available(config: Any) -> bool:
    """Whether this server can make PDFs: the configured Chromium is an executable file."""
    path = Path(chromium_path(config))
    return path.is_file() and os.access(path, os.X_OK)


def count_pages(content: bytes) -> int:
    return len(_PAGE_OBJECT.findall(content))


def print_decor(*, title: str, organisation: str, url: str, brand: str, language: str) -> PrintDecor:
    """The header (organisation, title, a line in the brand colour) and footer (address, "page X of Y").

    Chromium fills the ``pageNumber`` and ``totalPages`` spans. The templates get no stylesheet, so every style is
    inline, with an explicit font size (the default is unreadably small). Call inside an app context.
    """
    colour = brand if _BRAND.match(brand or "") else "#2a2859"
    base = Markup(
        "font-family: 'DejaVu Sans', 'Liberation Sans', system-ui, sans-serif; font-size: 8.5px; color: #333;"
        " width: 100%; margin: 0 15mm; display: flex; justify-content: space-between; gap: 4mm;"
        " -webkit-print-color-adjust: exact; print-color-adjust: exact;"
    )
    with force_locale(language):
        page_of = escape(_("Page %(page)s of %(pages)s")) % {
            "page": Markup('<span class="pageNumber"></span>'),
            "pages": Markup('<span class="totalPages"></span>'),
        }
    header = Markup(
        '<div style="{base} padding-bottom: 1.5mm; border-bottom: 1.5px solid {colour};">'
        '<span style="font-weight: 700;">{organisation}</span>'
        '<span style="text-align: right; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;">{title}'
        "</span></div>"
    ).format(base=base, colour=colour, organisation=organisation, title=title)
    footer = Markup(
        '<div style="{base}"><span style="overflow: hidden; text-overflow: ellipsis; white-space: nowrap;">'
        '{url}</span><span style="white-space: nowrap;">{page_of}</span></div>'
    ).format(base=base, url=url, page_of=page_of)
    return PrintDecor(header=str(header), footer=str(footer))


@dataclass
class _Job:
    app: Flask
    url: str
    decor: PrintDecor
    language: str
    timeout: float


@dataclass
class _Task:
    work: Callable[[Any], Any]
    future: Future[Any] = field(default_factory=Future)


class PdfRenderer:
    """One headless Chromium on its own thread; ``render`` is safe to call from any thread, one page at a time.

    Use as a context manager (``with PdfRenderer(path) as renderer``) or call ``close``. Raises
    ``ChromiumMissingError`` when ``executable`` is missing and ``PdfError`` when Chromium does not start.
    """

    def __init__(self, executable: str, *, launch_timeout: float = 60.0) -> None:
        path = Path(executable)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ChromiumMissingError(
                f"Chromium is not installed at {executable}: install Debian's chromium package, or point"
                " CIVIC_REPORT_PDF_CHROMIUM at a Chromium"
            )
        self.executable = executable
        self._jobs: queue.Queue[_Task | None] = queue.Queue()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="civic-pdf-chromium", daemon=True)
        self._thread.start()
        if not self._ready.wait(launch_timeout):
            self.close()
            raise PdfError(f"Chromium did not start within {launch_timeout:.0f} s")
        if self._startup_error is not None:
            self._thread.join(timeout=5)
            raise PdfError(f"Chromium did not start: {self._startup_error}") from self._startup_error
        self.launch_ms = round((time.perf_counter() - started) * 1000)

    def render(self, app: Flask, url: str, *, decor: PrintDecor, language: str, timeout: float = 60.0) -> RenderedPdf:
        """Print ``url`` (under the app's ``PUBLIC_BASE_URL``) to an A4 PDF once its charts are drawn."""
        job = _Job(app=app, url=url, decor=decor, language=language, timeout=timeout)
        # The job's own timeouts bound it; the margin covers printing a long report after the charts are drawn.
        return self.run(lambda browser: _print(browser, job), timeout=timeout * 2 + 30)

    def run(self, work: Callable[[Any], T], *, timeout: float = 120.0) -> T:
        """Run ``work(browser)`` on the renderer's thread, where Playwright's objects live (tests use this to
        open other pages in the same Chromium)."""
        if not self._thread.is_alive():
            raise PdfError("the renderer is closed")
        task = _Task(work=work)
        self._jobs.put(task)
        return task.future.result(timeout=timeout)

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=30)

    def __enter__(self) -> PdfRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright  # a heavy import, needed by the worker only

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=self.executable, args=list(CHROMIUM_ARGS), headless=True
                )
                self._ready.set()
                while (task := self._jobs.get()) is not None:
                    if task.future.set_running_or_notify_cancel():
                        try:
                            task.future.set_result(task.work(browser))
                        except BaseException as error:  # handed to the caller's thread, which raises it
                            task.future.set_exception(error)
                browser.close()
        except BaseException as error:
            if self._ready.is_set():
                log.exception("reports.pdf: Chromium stopped")
            self._startup_error = error
            self._ready.set()


def _print(browser: Any, job: _Job) -> RenderedPdf:
    from playwright.sync_api import Error as PlaywrightError

    started = time.perf_counter()
    origin = app_origin(job.app)
    context = browser.new_context(
        viewport=VIEWPORT, locale={"nb": "nb-NO", "nn": "nn-NO"}.get(job.language, job.language),
        service_workers="block", accept_downloads=False,
    )
    try:
        page = context.new_page()
        page.route("**/*", in_process(job.app, origin))
        # Print media from the start: the print stylesheet applies before the charts are drawn, so they are
        # sized for the paper once (Plotly does not redraw on a media change).
        page.emulate_media(media="print")
        ms = job.timeout * 1000
        response = page.goto(origin + job.url, wait_until="load", timeout=ms)
        if response is None or response.status != 200:
            raise PdfError(f"{job.url} answered {response.status if response else 'nothing'}, not 200")
        try:
            page.wait_for_function(CHARTS_DRAWN, timeout=ms)
        except PlaywrightError as error:
            raise PdfError(f"the charts of {job.url} were not drawn within {job.timeout:.0f} s") from error
        page.evaluate(CHARTS_SETTLED)
        content = page.pdf(
            format="A4", print_background=True, margin=MARGIN, display_header_footer=True,
            header_template=job.decor.header, footer_template=job.decor.footer, tagged=True, outline=True,
        )
    except PlaywrightError as error:
        raise PdfError(f"Chromium could not print {job.url}: {error.message}") from error
    finally:
        context.close()
    return RenderedPdf(content=content, pages=count_pages(content),
                       render_ms=round((time.perf_counter() - started) * 1000))


def app_origin(app: Flask) -> str:
    """``PUBLIC_BASE_URL`` without a trailing slash: where Chromium believes the pages are."""
    parts = urlsplit(app.config.get("PUBLIC_BASE_URL") or "http://localhost")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def in_process(app: Flask, origin: str) -> Callable[[Any], None]:
    """A Playwright route handler that answers the app's own requests from the app, and refuses the rest."""
    client = app.test_client()
    prefix = origin + "/"

    def handle(route: Any) -> None:
        request = route.request
        if not request.url.startswith(prefix):
            log.info("reports.pdf: refused a request outside the app: %s", request.url.split("?")[0])
            route.abort("blockedbyclient")
            return
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        try:
            # A fresh app context per request, as a web server gives: its own ``g`` and database session.
            with app.app_context():
                response = client.open(
                    "/" + request.url[len(prefix):], base_url=origin, method=request.method, headers=headers,
                    data=request.post_data_buffer,
                )
                body = response.get_data()
                response.close()
        except Exception:
            # Unanswered, the page would wait for this request until the render times out.
            log.exception("reports.pdf: the app failed to answer %s", request.url.split("?")[0])
            route.abort("failed")
            return
        route.fulfill(status=response.status_code, headers=dict(response.headers), body=body)

    return handle
