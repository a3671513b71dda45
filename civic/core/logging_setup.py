"""Structured logs without personal data.

In production (LOG_FORMAT = "json") every log record leaves the process as one JSON object per line on stderr,
from the web workers, the gunicorn master, the Celery worker and beat alike. Each request adds one line with
its method, route rule (``/p/<token>``, never the path, which holds residents' personal-link tokens), status,
duration and request id. A filter on the handler redacts e-mail addresses, Norwegian phone numbers, national
identity numbers and personal-link tokens from every message, argument, exception text and extra field, whatever
code logged them.

The JSON itself is python-json-logger's: a maintained formatter that escapes and serialises every field
correctly (exception text, non-string extras), which a hand-written one would have to get right again.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from typing import Any

from celery import signals as celery_signals
from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler
from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

REQUEST_LOGGER = logging.getLogger("civic.request")
REQUEST_ID_HEADER = "X-Request-ID"
_INBOUND_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

# Order matters: e-mail addresses before tokens (a local part can look like one), identity numbers (11 digits)
# before phone numbers (8 digits).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The path segment after a personal-link prefix, and token= in a query string, whatever their length.
_LINK_TOKEN = re.compile(r"(/(?:p|h/p|f/join|f/observe|stop)/)[^/\s?#\"'<>]+|((?:^|[?&\s])token=)[^&\s\"'<>]+")
# Anything token-shaped: 24+ URL-safe characters mixing lowercase with capitals or digits (secrets.token_urlsafe,
# hex digests of tokens or national ids). Celery's task ids (UUIDs) stay readable; so do CONSTANT_NAMES and
# snake_case words.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])"
_TOKEN = re.compile(rf"(?<![\w-])(?!{_UUID})(?=[\w-]*[a-z])(?=[\w-]*[A-Z0-9])[A-Za-z0-9_-]{{24,}}(?![\w-])")
# Fødselsnummer and D-number: 11 digits, optionally "DDMMYY NNNNN".
_NATIONAL_ID = re.compile(r"(?<![\w.])\d{6} ?\d{5}(?!\w)(?!\.\d)")
# Norwegian numbers: 8 digits, first 2-9, optionally +47/0047 and grouped by spaces ("912 34 567", "91 23 45 67").
# Hyphens are not separators here, so ISO dates (2026-11-24) stay readable.
_PHONE = re.compile(r"(?<![\w.+])(?:(?:\+|00)47 ?)?[2-9]\d(?: ?\d){6}(?!\w)(?!\.\d)")


# Any of the five, in one scan: most texts (every request's method and route) hold none, and then no pattern can
# match after another's replacement either, so one search decides that redact leaves the text as it is.
_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in (_EMAIL, _LINK_TOKEN, _TOKEN, _NATIONAL_ID, _PHONE)))


def redact(text: str) -> str:
    """Return ``text`` with personal data replaced by markers such as ``[email]``."""
    if _ANY.search(text) is None:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _LINK_TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + "[token]", text)
    text = _TOKEN.sub("[token]", text)
    text = _NATIONAL_ID.sub("[national-id]", text)
    return _PHONE.sub("[phone]", text)


# Attributes every LogRecord has; anything else was passed as ``extra=`` and is redacted too.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Redact personal data from a record before any formatter sees it (attach to handlers: a logger's own
    filters do not apply to records that propagate to it from child loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


class RequestIdFilter(logging.Filter):
    """Add the current request's id to records logged while it is handled (to follow one request across lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def json_handler(stream: Any = None) -> logging.Handler:
    """A stderr handler writing redacted JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    )
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.civic_json = True  # type: ignore[attr-defined]  # so a second configure replaces, not duplicates, it
    return handler


def configure_json_logging(level: str | int = "INFO", stream: Any = None) -> logging.Handler:
    """Send every record through one redacting JSON handler on the root logger; return that handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "civic_json", False)]:
        root.removeHandler(old)
    handler = json_handler(stream)
    root.addHandler(handler)
    root.setLevel(level)
    # Flask's default handler on the app's logger ("civic") would print civic.* records a second time, unredacted.
    logging.getLogger("civic").removeHandler(default_handler)
    # Celery configures (and empties) the root logger unless someone answers setup_logging: we have.
    celery_signals.setup_logging.connect(_keep_our_logging, weak=False, dispatch_uid="civic-json-logging")
    return handler


def _keep_our_logging(**_: Any) -> None:
    """Celery's setup_logging receiver: the root logger is already configured."""


class GunicornJsonLogger(glogging.Logger):
    """gunicorn's own messages (master and workers) as redacting JSON too: ``--logger-class`` this.

    Its access log is left off in ``./run prod``: civic logs each request itself, by route rule.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.handlers = [json_handler()]


def init_app(app: Flask) -> None:
    """Give every request an id and a log line; in JSON mode, configure the process's logging."""
    if app.config.get("LOG_FORMAT") == "json":
        configure_json_logging(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def _start_request() -> None:
        inbound = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = inbound if _INBOUND_REQUEST_ID.fullmatch(inbound) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # a hook before ours answered: no id, nothing to time
            return response
        response.headers.setdefault(REQUEST_ID_HEADER, g.request_id)
        if REQUEST_LOGGER.isEnabledFor(logging.INFO):
            REQUEST_LOGGER.info(
                "request",
                extra={
                    "method": request.method,
                    # The rule, not the path: /p/<token>, not the resident's token. No rule: no route matched.
                    "route": request.url_rule.rule if request.url_rule else "<unmatched>",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response
