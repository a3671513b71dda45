"""Configuration classes; every value can be overridden from the environment as CIVIC_<NAME>."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instance"
DEFAULT_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused by validate_config in production
DEFAULT_WEBHOOK_SECRET = "dev-only-webhook-secret"  # noqa: S105 - refused by validate_config in production


class BaseConfig:
    """Embedded defaults: SQLite, an SQLite-backed Celery broker, a local outbox."""

    SECRET_KEY = DEFAULT_SECRET
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'civic.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # noqa: RUF012
    # Test a pooled connection before use once it has been idle this long (seconds; None: never). core.pool_ping
    DB_PING_AFTER_IDLE_S: float | None = None
    # Staff sessions expire after a working day of inactivity.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; drafts survive long pauses
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    UPLOAD_FOLDER = str(INSTANCE / "uploads")
    OUTBOX_FOLDER = str(INSTANCE / "outbox")
    # "outbox" writes messages to OUTBOX_FOLDER (the demo shows them); "smtp" sends through SMTP_*.
    EMAIL_TRANSPORT = "outbox"
    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = False
    MAIL_FROM = "civic <noreply@civic.localhost>"
    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("nb", "nn", "en")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Public-link surveys: submissions per client address.
    PUBLIC_SUBMIT_RATE_LIMIT = "30 per hour"
    LOGIN_RATE_LIMIT = "10 per minute"
    # Map questions: no remote tiles unless configured (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png).
    MAP_TILE_URL = ""
    MAP_TILE_ATTRIBUTION = ""
    #: Links in messages sent by the worker (no request there to build them from).
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Registries: "synthetic" (bundled Bydel Bjerke population; "oslo" size for benchmarks) or "http".
    REGISTRY_BACKEND = "synthetic"
    REGISTRY_SYNTHETIC_SIZE = "bjerke"
    REGISTRY_MUNICIPALITY = "0301"
    # HTTP registries (REGISTRY_BACKEND = "http"); secrets come from the environment, never from code.
    MASKINPORTEN_TOKEN_URL = ""
    MASKINPORTEN_AUDIENCE = "https://maskinporten.no/"
    MASKINPORTEN_CLIENT_ID = ""
    MASKINPORTEN_KEY_ID = ""
    MASKINPORTEN_PRIVATE_KEY_PATH = ""
    KRR_URL = ""  # e.g. https://kontaktregisteret.no/rest/v2/personer
    FREG_URL = ""  # Fiks folkeregister base, e.g. https://api.fiks.ks.no/folkeregister/api/v1/<rolle-id>
    FIKS_INTEGRATION_ID = ""
    FIKS_INTEGRATION_PASSWORD = ""
    ADDRESS_URL = ""  # Kartverket's open address API, e.g. https://ws.geonorge.no/adresser/v1
    ADDRESS_AREA_FILE = ""  # GeoJSON outline and sub-districts of the organisation's area
    KRR_SCOPE = "krr:global/kontaktinformasjon.read"
    FREG_SCOPE = "ks:fiks"
    # Registry HTTP calls: seconds per request, attempts on 5xx, backoff base, longest Retry-After honoured.
    REGISTRY_HTTP_TIMEOUT = 20.0
    REGISTRY_HTTP_ATTEMPTS = 3
    REGISTRY_HTTP_BACKOFF = 0.5
    REGISTRY_HTTP_MAX_WAIT = 30.0
    # SMS: "outbox" writes JSON files to SMS_OUTBOX_FOLDER (the demo shows them); "link" uses LINK Mobility.
    SMS_TRANSPORT = "outbox"
    SMS_OUTBOX_FOLDER = str(INSTANCE / "outbox-sms")
    SMS_SENDER = "Civic"  # alphanumeric sender id, at most 11 characters
    SMS_LINK_URL = ""
    SMS_LINK_USERNAME = ""
    SMS_LINK_PASSWORD = ""
    SMS_LINK_PLATFORM_ID = ""
    SMS_LINK_PLATFORM_PARTNER_ID = ""
    SMS_LINK_GATE_ID = ""
    #: Residents' "stop reminders" page, per client address.
    STOP_RATE_LIMIT = "30 per minute"
    #: Shared secret for delivery-report and bounce webhooks (HMAC-SHA256 of the body).
    WEBHOOK_SECRET = DEFAULT_WEBHOOK_SECRET
    #: Envelope sender for campaign e-mail; "{id}" becomes an opaque per-message id (VERP) for bounces.
    BOUNCE_ADDRESS = "bounce+{id}@civic.localhost"
    # Global send rates per provider ("limits" syntax), shared by all workers through RATE storage below.
    EMAIL_SEND_RATE = "600/second"
    SMS_SEND_RATE = "100/second"
    SEND_RATE_STORAGE_URI = "memory://"
    # Campaign sending: retries of transient errors (seconds, doubling up to the max), attempts per message;
    # a message "sending" longer than the lease becomes "unknown"; a round with no progress is planned again.
    CAMPAIGN_RETRY_BACKOFF = 2.0
    CAMPAIGN_RETRY_BACKOFF_MAX = 60.0
    CAMPAIGN_RETRY_BUDGET = 12
    CAMPAIGN_SENDING_LEASE_SECONDS = 600
    CAMPAIGN_STALLED_SECONDS = 600
    # Insight: the embedder new texts are embedded with in advance ("multilingual", "english" or "none": no model,
    # nothing stored); texts per embedding batch and per task; a running analysis with no heartbeat for
    # INSIGHT_RUN_LOST_MINUTES (or still queued after INSIGHT_RUN_NEVER_STARTED_MINUTES) is marked failed.
    INSIGHT_EMBEDDER = "multilingual"
    INSIGHT_EMBED_BATCH = 128
    INSIGHT_EMBED_LIMIT = 2000
    INSIGHT_MAX_TOPICS = 50
    INSIGHT_MIN_TOPIC_SIZE = 5
    INSIGHT_HEARTBEAT_SECONDS = 30.0
    INSIGHT_RUN_LOST_MINUTES = 10
    INSIGHT_RUN_NEVER_STARTED_MINUTES = 120
    #: The demo seed queues topic and opinion-group runs for the worker (tests of the seed skip them).
    INSIGHT_DEMO_RUNS = True
    # Report PDFs: Debian's Chromium (never a browser Playwright downloads), driven by Playwright in the worker;
    # seconds one page may take to load and draw its charts; the download page queues a missing PDF at most once
    # per REPORT_PDF_REQUEUE_SECONDS (in RATELIMIT_STORAGE_URI, shared by the web processes).
    REPORT_PDF_CHROMIUM = "/usr/bin/chromium"
    REPORT_PDF_TIMEOUT = 60.0
    REPORT_PDF_REQUEUE_SECONDS = 60
    #: Queue renders on publication and from the download page (the tests queue none: Celery runs them eagerly).
    REPORT_PDF_QUEUE = True
    #: The licence of published reports' figures and open data (shown on the page and in every download).
    REPORT_DATA_LICENCE = "CC BY 4.0"
    #: Rendered public report pages kept per web process (keyed by report, version, language and last change).
    REPORT_PAGE_CACHE_SIZE = 64
    #: Focus groups: at most one re-theming of a prompt's open answers per this many seconds (per web process).
    FOCUS_GROUP_THEMES_SECONDS = 5
    # Logs: "text" (Python's default, for development) or "json" (one object per line, personal data redacted).
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    #: Seconds /readyz waits for the database and the broker before it answers 503.
    READINESS_TIMEOUT = 3.0
    #: Reverse proxies in front of civic that set X-Forwarded-For/-Proto/-Host (0: none). Behind a proxy every
    #: request comes from the proxy's address, so without this each per-client limit (login, token guessing,
    #: public submissions) would become one limit for everybody.
    PROXY_COUNT = 0
    CELERY: dict = {  # noqa: RUF012
        "broker_url": f"sqla+sqlite:///{INSTANCE / 'celery-broker.sqlite'}",
        "task_ignore_result": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        "beat_schedule": {
            "consultations-apply-schedule": {
                "task": "consultations.apply_schedule",
                "schedule": 60.0,
            },
            # Campaigns: start scheduled sends and due reminders; recover lost in-flight messages and batches.
            "campaigns-send-due": {"task": "campaigns.send_due", "schedule": 60.0},
            "campaigns-sweep": {"task": "campaigns.sweep", "schedule": 60.0},
            # Insight: embed texts that arrived without the comment signal (survey answers, moderated comments);
            # mark analysis runs whose worker died as failed.
            "insight-embed-new-texts": {"task": "insight.embed_new_texts", "schedule": 60.0},
            "insight-sweep-runs": {"task": "insight.sweep_runs", "schedule": 120.0},
            # Privacy: erase residents' free text whose retention period has run out (idempotent, batched).
            "privacy-apply-retention": {"task": "privacy.apply_retention", "schedule": 3600.0},
        },
        # Campaign batches are long tasks (acks_late per task): take one at a time so a dying worker holds
        # at most one batch, and let a warm shutdown finish the message in flight.
        "worker_prefetch_multiplier": 1,
        "worker_soft_shutdown_timeout": 10.0,
        # A lost broker connection (Redis restarted) must not cancel the batch being sent: it finishes its messages
        # (each claimed in the database first), the outbox rows say what is still owed and the sweep re-plans it.
        # Said explicitly: Celery 6 changes the default to cancelling (tests/faults/test_redis_restart_campaign.py).
        "worker_cancel_long_running_tasks_on_connection_loss": False,
    }
    ENV_NAME = "development"


class TestingConfig(BaseConfig):
    """Fast, isolated tests: in-memory SQLite unless CIVIC_TEST_DATABASE_URI says otherwise."""

    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    CELERY: dict = {**BaseConfig.CELERY, "task_always_eager": True, "broker_url": "memory://"}  # noqa: RUF012
    ENV_NAME = "testing"
    # Unrelated tests must not load a language model for every comment; insight tests choose one.
    INSIGHT_EMBEDDER = "none"
    INSIGHT_DEMO_RUNS = False
    # Eager tasks would launch Chromium inside every publication's commit; the PDF tests render explicitly.
    REPORT_PDF_QUEUE = False


class ProductionConfig(BaseConfig):
    """Production: everything that matters must come from the environment (CIVIC_ENV_NAME=production selects it)."""

    SESSION_COOKIE_SECURE = True
    ENV_NAME = "production"
    LOG_FORMAT = "json"
    # A restarted database leaves dead pooled connections: test each one before use, unless it was in use a tenth
    # of a second ago (core.pool_ping); never wait minutes to connect.
    DB_PING_AFTER_IDLE_S: float | None = 0.1
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"connect_args": {"connect_timeout": 5}}  # noqa: RUF012


def config_for_environment(environ: Mapping[str, str] = os.environ) -> type[BaseConfig]:
    """Return the config class the process environment asks for (CIVIC_ENV_NAME=production: ProductionConfig)."""
    return ProductionConfig if environ.get("CIVIC_ENV_NAME") == "production" else BaseConfig


class UnsafeConfigError(RuntimeError):
    """Production configuration that must not start."""


def validate_config(config: dict) -> None:
    """Refuse to start production with unsafe settings."""
    if config.get("ENV_NAME") != "production":
        return
    problems = []
    if config.get("DEBUG"):
        problems.append("DEBUG is on")
    if config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET):
        problems.append("SECRET_KEY is the default; set CIVIC_SECRET_KEY")
    if config.get("WEBHOOK_SECRET") in (None, "", DEFAULT_WEBHOOK_SECRET):
        problems.append("WEBHOOK_SECRET is the default; set CIVIC_WEBHOOK_SECRET (delivery reports and bounces)")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("SQLite in production; set CIVIC_SQLALCHEMY_DATABASE_URI to PostgreSQL")
    if not config.get("WTF_CSRF_ENABLED", True) or not config.get("WTF_CSRF_CHECK_DEFAULT", True):
        problems.append("CSRF protection is off")
    problems.extend(_csrf_secret_problems(config))
    problems.extend(_broker_problems(config))
    if problems:
        raise UnsafeConfigError("; ".join(problems))


def _csrf_secret_problems(config: Mapping) -> list[str]:
    """Flask-WTF signs CSRF tokens with WTF_CSRF_SECRET_KEY and falls back to SECRET_KEY only when it is unset.

    civic sets no separate CSRF secret, so SECRET_KEY's check covers it; but a CIVIC_WTF_CSRF_SECRET_KEY that is
    set empty (an empty line in an env file) would sign every token with an empty key, and Flask-WTF accepts that.
    """
    if "WTF_CSRF_SECRET_KEY" not in config or config["WTF_CSRF_SECRET_KEY"] is None:
        return []
    if config["WTF_CSRF_SECRET_KEY"] in ("", DEFAULT_SECRET):
        return ["WTF_CSRF_SECRET_KEY is empty or the default; set it to a random secret or leave it unset "
                "(CSRF tokens are then signed with SECRET_KEY)"]
    return []


def _broker_problems(config: Mapping) -> list[str]:
    """The embedded SQLite broker serves one machine and polls; an in-memory one loses every task between
    processes. Production needs a real broker that the web, worker and beat processes share."""
    broker_url = str((config.get("CELERY") or {}).get("broker_url", ""))
    if broker_url.startswith("sqla+sqlite") or broker_url.startswith("memory:"):
        return ["the Celery broker is embedded (SQLite or memory); set CIVIC_CELERY__broker_url to Redis or "
                "RabbitMQ, e.g. redis://redis:6379/0"]
    return []
