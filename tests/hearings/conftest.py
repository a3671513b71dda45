"""Hearing tests assert English messages unless they ask for a language (the app's default is bokmål)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english_by_default(request) -> None:
    # Only where the test builds the app: the pure-module tests (document, screening, Polis format) do not.
    if "app" in request.fixturenames:
        request.getfixturevalue("english_ui")
