"""Configuration classes; every value can be overridden from the environment as CIVIC_<NAME>."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instance"
DEFAULT_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused by validate_config in production


class BaseConfig:
    """Embedded defaults: SQLite, an SQLite-backed Celery broker, a local outbox."""

    SECRET_KEY = DEFAULT_SECRET
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'civic.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # noqa: RUF012
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
        },
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


class ProductionConfig(BaseConfig):
    """Production: everything that matters must come from the environment."""

    SESSION_COOKIE_SECURE = True
    ENV_NAME = "production"


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
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("SQLite in production; set CIVIC_SQLALCHEMY_DATABASE_URI to PostgreSQL")
    if not config.get("WTF_CSRF_ENABLED", True):
        problems.append("CSRF protection is off")
    if problems:
        raise UnsafeConfigError("; ".join(problems))
