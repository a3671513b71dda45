"""Production refuses to start with each unsafe setting, through create_app as wsgi.py and the worker call it."""

from __future__ import annotations

import pytest
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from civic import create_app
from civic.config import (
    DEFAULT_SECRET,
    BaseConfig,
    ProductionConfig,
    UnsafeConfigError,
    config_for_environment,
    validate_config,
)

SAFE_ENVIRONMENT = {
    "CIVIC_ENV_NAME": "production",
    "CIVIC_SECRET_KEY": "a-long-random-production-secret",
    "CIVIC_WEBHOOK_SECRET": "another-long-random-secret",
    "CIVIC_SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://civic@127.0.0.1:1/civic",
    "CIVIC_CELERY__broker_url": "redis://127.0.0.1:1/0",
}


@pytest.fixture
def production_environment(monkeypatch: pytest.MonkeyPatch):
    """A safe production environment; tests spoil one variable at a time."""
    for name, value in SAFE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    # from_prefixed_env writes CIVIC_CELERY__* into the class's CELERY dict: give this test its own copy.
    monkeypatch.setattr(BaseConfig, "CELERY", {**BaseConfig.CELERY})
    monkeypatch.setattr(ProductionConfig, "LOG_FORMAT", "text")  # leave the test process's logging alone
    return monkeypatch


def test_a_safe_production_environment_starts_with_production_settings(production_environment):
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DB_PING_AFTER_IDLE_S"] == 0.1  # dead pooled connections are replaced (core.pool_ping)


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CIVIC_DEBUG", "true", "DEBUG is on"),
        ("CIVIC_SECRET_KEY", DEFAULT_SECRET, "SECRET_KEY is the default"),
        ("CIVIC_SECRET_KEY", '""', "SECRET_KEY is the default"),
        ("CIVIC_SQLALCHEMY_DATABASE_URI", "sqlite:////tmp/civic.sqlite", "SQLite in production"),
        ("CIVIC_WTF_CSRF_ENABLED", "false", "CSRF protection is off"),
        ("CIVIC_WTF_CSRF_CHECK_DEFAULT", "false", "CSRF protection is off"),
        ("CIVIC_WTF_CSRF_SECRET_KEY", '""', "WTF_CSRF_SECRET_KEY is empty or the default"),
        ("CIVIC_WTF_CSRF_SECRET_KEY", DEFAULT_SECRET, "WTF_CSRF_SECRET_KEY is empty or the default"),
        ("CIVIC_CELERY__broker_url", "sqla+sqlite:////tmp/broker.sqlite", "the Celery broker is embedded"),
        ("CIVIC_CELERY__broker_url", "memory://", "the Celery broker is embedded"),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_variable(production_environment, variable, value, problem):
    production_environment.setenv(variable, value)
    with pytest.raises(UnsafeConfigError, match=problem):
        create_app()


def test_the_embedded_broker_of_the_defaults_is_refused(production_environment):
    production_environment.delenv("CIVIC_CELERY__broker_url")
    with pytest.raises(UnsafeConfigError, match="the Celery broker is embedded"):
        create_app()


def test_csrf_tokens_are_signed_with_the_checked_secret_key_when_no_separate_secret_is_set(production_environment):
    """civic sets no WTF_CSRF_SECRET_KEY, so Flask-WTF signs CSRF tokens with SECRET_KEY (which must not be the
    default): a token made under one SECRET_KEY is rejected under another."""
    app = create_app()
    assert "WTF_CSRF_SECRET_KEY" not in app.config
    with app.test_request_context():
        token = generate_csrf()
        validate_csrf(token)
        app.config["SECRET_KEY"] = "a-different-secret"
        with pytest.raises(ValidationError):
            validate_csrf(token)


def test_a_separate_random_csrf_secret_is_accepted(production_environment):
    production_environment.setenv("CIVIC_WTF_CSRF_SECRET_KEY", "a-separate-random-csrf-secret")
    assert create_app().config["WTF_CSRF_SECRET_KEY"] == "a-separate-random-csrf-secret"


def test_every_problem_is_named_at_once():
    defaults = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    with pytest.raises(UnsafeConfigError) as refused:
        validate_config({**defaults, "DEBUG": True, "WTF_CSRF_ENABLED": False})
    for problem in ("DEBUG", "SECRET_KEY", "SQLite", "CSRF", "Celery broker"):
        assert problem in str(refused.value)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, BaseConfig), ({"CIVIC_ENV_NAME": "production"}, ProductionConfig), ({"CIVIC_ENV_NAME": "test"}, BaseConfig)],
)
def test_the_environment_selects_the_config_class(environ, expected):
    assert config_for_environment(environ) is expected


def test_development_and_tests_start_with_the_embedded_broker():
    validate_config({key: getattr(BaseConfig, key) for key in dir(BaseConfig) if key.isupper()})
