"""Root conftest: plugins only; nothing here builds the Flask app (tests/analysis stays app-free)."""

pytest_plugins = ["tests.fixtures.app", "tests.fixtures.accounts", "tests.fixtures.surveys", "tests.fixtures.hearings"]
