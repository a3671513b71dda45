"""Production refuses to start with unsafe settings; development and tests start with the embedded defaults."""

from __future__ import annotations

import pytest

from civic.config import BaseConfig, ProductionConfig, UnsafeConfigError, validate_config

SAFE = {
    "SECRET_KEY": "a-long-random-production-secret",
    "WEBHOOK_SECRET": "another-long-random-secret",
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://civic@db/civic",
    "DEBUG": False,
    "WTF_CSRF_ENABLED": True,
    # Production needs a broker shared by web, worker and beat (the embedded SQLite one is refused).
    "CELERY": {**ProductionConfig.CELERY, "broker_url": "redis://redis:6379/0"},
}


def _production(**overrides) -> dict:
    config = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    return {**config, **SAFE, **overrides}


def test_a_safe_production_configuration_starts():
    validate_config(_production())


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"DEBUG": True}, "DEBUG is on"),
        ({"SECRET_KEY": BaseConfig.SECRET_KEY}, "SECRET_KEY is the default"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is the default"),
        ({"WEBHOOK_SECRET": BaseConfig.WEBHOOK_SECRET}, "WEBHOOK_SECRET is the default"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///civic.sqlite"}, "SQLite in production"),
        ({"WTF_CSRF_ENABLED": False}, "CSRF protection is off"),
    ],
)
def test_production_refuses_each_unsafe_setting(overrides, problem):
    with pytest.raises(UnsafeConfigError, match=problem):
        validate_config(_production(**overrides))


def test_production_defaults_are_refused_with_every_problem_named():
    defaults = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    with pytest.raises(UnsafeConfigError) as refused:
        validate_config(defaults)
    assert all(word in str(refused.value) for word in ("SECRET_KEY", "WEBHOOK_SECRET", "SQLite"))


def test_development_defaults_start():
    validate_config({key: getattr(BaseConfig, key) for key in dir(BaseConfig) if key.isupper()})
