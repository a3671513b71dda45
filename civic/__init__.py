"""civic: digital hearings, surveys and focus groups for municipalities."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from civic import (
    accounts,
    campaigns,
    cli,
    consultations,
    focus_groups,
    hearings,
    insight,
    models,
    outreach,
    pages,
    privacy,
    reports,
    surveys,
)
from civic.celery_app import celery_init_app
from civic.config import BaseConfig, config_for_environment, validate_config
from civic.core import after_commit, errors_http, health, htmx, i18n, logging_setup, pool_ping, security, vendor
from civic.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parents[1]

# Explicit, ordered registration: lower layers first.
DOMAINS = (
    accounts,
    outreach,
    consultations,
    surveys,
    hearings,
    focus_groups,
    campaigns,
    insight,
    reports,
    privacy,
    pages,
)
__all__ = ["create_app", "models"]


def create_app(config: type | Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` is a config class or a mapping of overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(BaseConfig)
    # wsgi.py and the worker pass nothing: CIVIC_ENV_NAME=production then selects ProductionConfig.
    app.config.from_object(config if isinstance(config, type) else config_for_environment())
    app.config.from_prefixed_env("CIVIC")
    if isinstance(config, Mapping):
        app.config.update(config)
    validate_config(app.config)
    if app.config["PROXY_COUNT"]:
        proxies = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    logging_setup.init_app(app)

    db.init_app(app)
    if app.config["DB_PING_AFTER_IDLE_S"] is not None:
        with app.app_context():
            pool_ping.install(db.engine, float(app.config["DB_PING_AFTER_IDLE_S"]))
    after_commit.install(db.session)
    # Batch mode lets SQLite alter tables; compare_type makes "models differ from migrations" strict.
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    celery_init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors_http.init_app(app)
    vendor.init_app(app)
    health.init_app(app)

    for domain in DOMAINS:
        domain.register(app)
    cli.register(app)
    return app
